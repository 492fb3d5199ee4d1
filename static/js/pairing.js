/*
 * Pairing a hall device (kiosk, speaker TV): ask the server for a code, show it, and reload as
 * soon as a manager has confirmed it in the console (the server says so over the live socket).
 * The code is renewed before it expires. Pairing.start(kind, codeElement) -> {onDevice}.
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var RENEW_MS = 12 * 60 * 1000;     // codes live 15 minutes on the server

  function start(kind, codeEl, live) {
    function ask() {
      Live.api('POST', '/api/devices/pairing', { kind: kind }, { retries: 2 }).then(function (res) {
        if (res.ok && res.data && res.data.paired) { global.location.reload(); return; }
        if (res.ok && res.data && res.data.code) {
          Live.setText(codeEl, res.data.code.slice(0, 3) + ' ' + res.data.code.slice(3));
          // The cookie may be new: reconnect so the server puts this screen in its pairing room.
          if (live && live.socket) { live.socket.disconnect(); live.socket.connect(); }
        } else {
          Live.setText(codeEl, '—');
        }
        setTimeout(ask, res.ok ? RENEW_MS : 30000);
      });
    }
    ask();
  }

  // Reload when this page's pairing changes: confirmed by a manager (paired) or revoked. A
  // browser is one device: a kiosk's cookie says nothing about a TV page opened beside it.
  function onDevice(kind, expectPaired) {
    return function (info) {
      if (info && info.kind === kind && !!info.paired !== expectPaired) global.location.reload();
    };
  }

  global.Pairing = { start: start, onDevice: onDevice };
})(window);
