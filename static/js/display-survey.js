/*
 * Hall display: the current IKM (Indeks Kepuasan Masyarakat), when the display profile says so
 * (console → Survei → IKM di layar TV): a line in the running text, or a small panel in the
 * header. GET /api/survey/display?profile=NAME answers the mode and the figures (this semester so
 * far, of the profile's one agency or the whole hall); a `survey` nudge on the live socket (a new
 * answer, a changed switch) makes it ask again, spread over a few seconds so TVs do not ask at once.
 */
(function (global) {
  'use strict';

  var Live = global.Live, Display = global.Display;
  if (!Live || !Display) return;
  var el = Live.el, t = Live.t;
  var profile = new URLSearchParams(global.location.search).get('profile');
  var line = null, panel = null, timer = null;

  function number(value) {
    return Number(value).toLocaleString(Live.locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function apply(data) {
    var has = data && data.ikm !== null && data.ikm !== undefined;
    var kinerja = data && (Live.lang === 'en' ? data.kinerja_en : data.kinerja);
    var newLine = has && data.mode === 'ticker'
      ? t('d_ikm_ticker').replace('{name}', data.name).replace('{ikm}', number(data.ikm))
          .replace('{mutu}', data.mutu).replace('{kinerja}', kinerja).replace('{n}', String(data.respondents))
      : null;
    if (newLine !== line) {
      line = newLine;
      Display.redrawTicker();
    }
    if (has && data.mode === 'panel') {
      if (!panel) {
        panel = el('div', { class: 'd-ikm', dataset: { testid: 'ikm-panel' } });
        var header = document.querySelector('.d-header'), clock = document.querySelector('.d-clock');
        header.insertBefore(panel, clock);
      }
      Live.clear(panel);
      panel.className = 'd-ikm is-grade-' + String(data.mutu).toLowerCase();
      panel.appendChild(el('div', { class: 'd-ikm-label', text: t('d_ikm_title') }));
      panel.appendChild(el('div', { class: 'd-ikm-row' }, [
        el('span', { class: 'd-ikm-value num', text: number(data.ikm), dataset: { testid: 'ikm-value' } }),
        el('span', { class: 'd-ikm-grade', text: data.mutu }),
        el('span', { class: 'd-ikm-kinerja', text: kinerja })
      ]));
      panel.appendChild(el('div', { class: 'd-ikm-sub', text: data.name + ' · ' + data.respondents + ' ' + t('d_respondents') }));
      if (Display.refit) Display.refit();          // the hall's name has less room now
    } else if (panel) {
      panel.parentNode.removeChild(panel);
      panel = null;
      if (Display.refit) Display.refit();
    }
  }

  function load() {
    var url = '/api/survey/display' + (profile ? '?profile=' + encodeURIComponent(profile) : '');
    Live.api('GET', url).then(function (r) { if (r.ok) apply(r.data); });
  }

  Display.extraLines = function () { return line ? [line] : []; };
  if (!profile) return;          // only a display profile can switch the IKM on
  load();
  var socket = Display.live && Display.live.socket;
  if (socket) {
    socket.on('survey', function () {
      clearTimeout(timer);
      timer = setTimeout(load, Math.random() * 5000);
    });
    socket.on('connect', function () { setTimeout(load, 500); });
  }
})(window);
