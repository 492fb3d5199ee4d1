/* Manager console, health banner: warns when the server's disk is nearly full or its database
 * cannot be written, from GET /healthz. Asked when the console (re)connects or comes back into
 * view, when the live view's refresh button is pressed, and every 60 s: a health probe is the one
 * thing in the console that polls (the server keeps its answer for 2 s, so this is cheap).
 * Text goes in with textContent only. */
(function (global) {
  'use strict';

  var M = global.Mgr;
  var EVERY_MS = 60 * 1000;
  var MB = 1024 * 1024;
  var inFlight = false;

  function message(h) {
    if (!h || !h.status) return '';
    if (h.database && h.database.ok === false) {
      return h.database.problem === 'full'
        ? 'Basis data tidak dapat ditulis: ruang disk habis. Hubungi teknisi.'
        : 'Basis data tidak dapat ditulis. Hubungi teknisi.';
    }
    if (h.disk && h.disk.ok === false && typeof h.disk.free_bytes === 'number') {
      return 'Ruang disk hampir penuh: ' + Math.floor(h.disk.free_bytes / MB) + ' MB tersisa';
    }
    return '';
  }

  function show(text) {
    var box = M.$('m-health');
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  function check() {
    if (inFlight) return;
    inFlight = true;
    fetch('/healthz', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json(); })   // 503 carries the same JSON
      .then(function (h) { show(message(h)); })
      .catch(function () { /* offline: the connection mark already says so */ })
      .then(function () { inFlight = false; });
  }

  M.section('health', {
    init: function () {
      var button = M.$('live-refresh');
      if (button) button.addEventListener('click', check);
      check();
      setInterval(check, EVERY_MS);
    },
    onLive: function (what) {
      if (what && (what.type === 'state' || what.type === 'visible')) check();
    }
  });
})(window);
