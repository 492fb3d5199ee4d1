/*
 * Hall display: the estimated wait per agency for a ticket taken now (estimate.py), under each
 * agency's waiting count: "± 20–35 menit". The figures come in the snapshot (`estimates`) and in
 * an `estimates` event after queue changes (web/visitor.py, no seq: not part of the hall's
 * history). display.js redraws the waiting panel on every event; an observer puts the line back.
 */
(function (global) {
  'use strict';

  var Live = global.Live, Display = global.Display;
  if (!Live || !Display || !Display.live || !Display.live.socket) return;
  var panel = document.getElementById('waiting');
  if (!panel) return;
  var estimates = {};

  function words(e) {
    if (!e || typeof e.max !== 'number') return '';
    var unit = Live.lang === 'en' ? 'min' : 'menit';
    return e.max <= 5 ? '< 5 ' + unit : '± ' + e.min + '–' + e.max + ' ' + unit;
  }

  function decorate() {
    var changed = false;
    Array.prototype.forEach.call(panel.querySelectorAll('.wait'), function (row) {
      var code = row.dataset.service;
      var line = row.querySelector('.wait-estimate');
      var value = row.classList.contains('is-closed') ? '' : words(estimates[code]);
      if (!value) { if (line) { line.parentNode.removeChild(line); changed = true; } return; }
      if (!line) {
        line = Live.el('span', { class: 'wait-estimate', dataset: { testid: 'wait-estimate' } });
        row.appendChild(line);
      }
      if (line.textContent !== value) { line.textContent = value; changed = true; }
    });
    if (changed && Display.refit) Display.refit();     // the names have less room: fit them again
  }

  function apply(data) {
    if (!data || typeof data !== 'object') return;
    estimates = data;
    decorate();
  }

  new MutationObserver(function (changes) {
    if (changes.some(function (c) { return c.type === 'childList' && c.target === panel; })) decorate();
  }).observe(panel, { childList: true });
  Display.live.socket.on('state', function (snap) { if (snap) apply(snap.estimates); });
  Display.live.socket.on('estimates', apply);
})(window);
