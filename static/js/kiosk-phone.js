/*
 * Kiosk: the visitor's WhatsApp number for the ticket on screen (optional), typed on an
 * on-screen numeric keypad (a kiosk has no keyboard). Sent to POST /api/visitor/<token>/phone
 * with the ticket's token (from its link); the server checks it is an Indonesian mobile number
 * and says why not. While the keypad is open the ticket stays on screen (Kiosk.hold); closing
 * it lets the way back run again. Shown only when the hall sends WhatsApp messages
 * (`whatsapp` in the ticket's answer). Text as textContent only.
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var $ = function (id) { return document.getElementById(id); };
  var MAX_DIGITS = 13;
  var token = null, digits = '', sending = false;

  function t(key) { return Live.t(key); }

  function grouped(value) {            // 0812 3456 7890
    return value.replace(/(\d{4})(?=\d)/g, '$1 ');
  }

  function draw() {
    Live.setText($('wa-number'), digits ? grouped(digits) : '08…');
  }

  function reset() {
    digits = '';
    sending = false;
    $('wa-pad').hidden = true;
    $('wa-open').hidden = false;
    $('wa-sent').hidden = true;
    $('wa-error').hidden = true;
    draw();
  }

  function show(ticket) {
    var link = ticket && typeof ticket.url === 'string' ? ticket.url : '';
    var match = /\/t\/([A-Za-z0-9_-]{20,40})$/.exec(link);
    token = match && ticket.whatsapp && ticket.status === 'waiting' ? match[1] : null;
    reset();
    $('wa-box').hidden = !token;
  }

  function hold() { if (global.Kiosk) global.Kiosk.hold(); }
  function release() { if (global.Kiosk) global.Kiosk.release(); }

  function send() {
    if (sending || !token) return;
    sending = true;
    $('wa-error').hidden = true;
    Live.api('POST', '/api/visitor/' + encodeURIComponent(token) + '/phone', { phone: digits }).then(function (res) {
      sending = false;
      if (res.ok) {
        $('wa-pad').hidden = true;
        $('wa-open').hidden = true;
        Live.setText($('wa-sent'), t('kiosk_wa_sent').replace('{phone}', res.data.phone));
        $('wa-sent').hidden = false;
        release();
      } else {
        Live.setText($('wa-error'), (res.data && res.data.error) || 'Error ' + res.status);
        $('wa-error').hidden = false;
      }
    });
  }

  $('wa-open').addEventListener('click', function () {
    $('wa-open').hidden = true;
    $('wa-pad').hidden = false;
    hold();
  });
  $('wa-cancel').addEventListener('click', function () {
    reset();
    release();
  });
  $('wa-keys').addEventListener('click', function (e) {
    var key = e.target && e.target.closest ? e.target.closest('[data-key]') : null;
    if (!key) return;
    hold();                              // every touch keeps the ticket on screen
    var k = key.dataset.key;
    if (k === 'send') { send(); return; }
    if (k === 'back') digits = digits.slice(0, -1);
    else if (digits.length < MAX_DIGITS) digits += k;
    $('wa-error').hidden = true;
    draw();
  });
  // The overlay closing (Selesai, the countdown) forgets the number on screen.
  new MutationObserver(function () {
    if ($('overlay').hidden) { token = null; reset(); $('wa-box').hidden = true; }
  }).observe($('overlay'), { attributes: true, attributeFilter: ['hidden'] });

  global.KioskPhone = { show: show };
  draw();
})(window);
