/*
 * Counter tablet: the survey QR for the ticket just finished here. The visitor scans it with
 * their phone (the link carries the ticket's survey token, the proof it was served). It follows
 * the counter's history list, which counter.js redraws after every change at this counter, and
 * asks the server (GET /api/survey/counters/ID/current) only when the newest entry changed.
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var $ = function (id) { return document.getElementById(id); };
  var root = $('counter'), history = $('c-history');
  if (!root || !history) return;
  var counterId = Number(root.dataset.counterId);
  var shown = null, timer = null, lastTop = null;

  function render(data) {
    var has = !!(data && data.ticket && data.token);
    $('c-survey-box').hidden = !has;
    $('c-survey-none').hidden = has;
    if (!has || shown === data.token) return;
    shown = data.token;
    $('c-survey-qr').setAttribute('src', data.qr);
    Live.setText($('c-survey-ticket'), data.ticket);
    var link = $('c-survey-link');
    link.setAttribute('href', data.url);
    Live.setText(link, data.url);
  }

  function load() {
    Live.api('GET', '/api/survey/counters/' + counterId + '/current').then(function (r) {
      if (r.ok) render(r.data);
    });
  }

  new MutationObserver(function () {
    var top = history.firstElementChild ? history.firstElementChild.textContent : '';
    if (top === lastTop) return;
    lastTop = top;
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  }).observe(history, { childList: true, subtree: true, characterData: true });
  load();
})(window);
