/*
 * ticket.js: the visitor's phone, one ticket, live (templates/ticket.html, web/visitor.py).
 *
 * Connects to Socket.IO /ticket with the ticket's token: the server puts this page in the room
 * of that ticket only and sends `ticket` (its whole view) on every change of its agency's queue.
 * Called: a full-screen "Silakan menuju Loket 5", vibration, a sound once "Aktifkan suara" was
 * tapped (browsers allow sound only after a tap), and the tab title flashing. Text is set with
 * textContent only; no inline script or style (the page runs under a strict CSP).
 */
(function () {
  'use strict';

  function $(id) { return document.getElementById(id); }
  function read(id) { try { return JSON.parse($(id).textContent); } catch (e) { return {}; } }

  var data = read('tp-data');
  var W = read('tp-words');
  var lang = document.documentElement.lang === 'en' ? 'en' : 'id';
  var token = data.token;
  var title = document.title;
  var audio = null;           // an AudioContext, made by the "Aktifkan suara" tap
  var flashing = null;
  var lastCalls = 0;          // calls already alerted (a recall alerts again)
  var view = data.ticket || {};

  function show(el, on) { el.hidden = !on; }
  function text(el, value) { el.textContent = value === null || value === undefined ? '' : String(value); }

  function render(v) {
    if (!v || !v.number) return;
    view = v;
    text($('tp-number'), v.number);
    text($('tp-service'), v.service_name);
    var waiting = v.status === 'waiting';
    var status = W['st_' + v.status] || v.status;
    if (v.status === 'called' && v.counter) status = status + ' ' + v.counter;
    text($('tp-status'), status);
    document.body.className = 'tp tp-ticket is-' + v.status;
    show($('tp-waiting'), waiting);
    if (waiting) {
      text($('tp-ahead'), v.ahead + ' ' + W.people);
      text($('tp-queue'), v.waiting + ' ' + W.people);
      text($('tp-estimate'), v.estimate ? (lang === 'en' ? v.estimate.text_en : v.estimate.text) : '–');
    }
    var done = v.status === 'served' || v.status === 'cancelled' || v.status === 'no_show';
    show($('tp-done'), done);
    if (done) {
      text($('tp-done-title'), W['done_' + v.status]);
      text($('tp-done-lead'), W['done_' + v.status + '_lead']);
      var survey = $('tp-survey');
      var link = v.status === 'served' && typeof v.survey === 'string' && v.survey.indexOf('/survey/t/') === 0;
      show(survey, link);
      if (link) survey.setAttribute('href', v.survey); else survey.removeAttribute('href');
    }
    if (v.status === 'called' && v.calls > lastCalls) {
      lastCalls = v.calls;
      alertCalled(v);
    }
    if (v.status !== 'called') {
      stopAlert();
      show($('tp-called'), false);
    }
  }

  // ---- the call -------------------------------------------------------------------------------
  function alertCalled(v) {
    text($('tp-called-counter'), v.counter || '');
    text($('tp-called-number'), v.number);
    show($('tp-called'), true);
    if (navigator.vibrate) {
      try { navigator.vibrate([500, 200, 500, 200, 500]); } catch (e) { /* not allowed: fine */ }
    }
    beep();
    stopAlert();
    var on = false;
    var called = W.called_title + ' ' + (v.counter || '');
    flashing = setInterval(function () {
      on = !on;
      document.title = on ? called : v.number + ' · ' + title;
    }, 1000);
    document.title = called;
  }

  function stopAlert() {
    if (flashing) clearInterval(flashing);
    flashing = null;
    document.title = view.number ? view.number + ' · ' + W.title : title;
  }

  function beep() {
    if (!audio) return;
    try {
      if (audio.state === 'suspended') audio.resume();
      var t0 = audio.currentTime;
      [0, 0.45, 0.9].forEach(function (offset, i) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = i % 2 ? 660 : 880;
        gain.gain.setValueAtTime(0.0001, t0 + offset);
        gain.gain.exponentialRampToValueAtTime(0.5, t0 + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + offset + 0.4);
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(t0 + offset); osc.stop(t0 + offset + 0.42);
      });
    } catch (e) { /* no sound on this phone: the screen and vibration still tell */ }
  }

  $('tp-sound').addEventListener('click', function () {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !audio) {
      try { audio = new Ctx(); } catch (e) { audio = null; }
    }
    if (audio) {
      beep();                       // the tap itself proves the sound works
      show($('tp-sound'), false);
      show($('tp-sound-ok'), true);
    }
  });

  $('tp-called-ok').addEventListener('click', function () {
    stopAlert();
    show($('tp-called'), false);
  });

  // ---- cancel ---------------------------------------------------------------------------------
  $('tp-cancel').addEventListener('click', function () {
    show($('tp-confirm'), true);
    show($('tp-cancel'), false);
  });
  $('tp-cancel-no').addEventListener('click', function () {
    show($('tp-confirm'), false);
    show($('tp-cancel'), true);
  });
  $('tp-cancel-yes').addEventListener('click', function () {
    var button = $('tp-cancel-yes');
    button.disabled = true;
    show($('tp-error'), false);
    fetch('/api/visitor/' + encodeURIComponent(token) + '/cancel', {
      method: 'POST', body: '{}',
      headers: { 'Content-Type': 'application/json', 'Accept-Language': document.documentElement.lang || 'id' },
      credentials: 'same-origin'
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (res) {
      button.disabled = false;
      show($('tp-confirm'), false);
      show($('tp-cancel'), true);
      if (res.ok) render(res.body);
      else { text($('tp-error'), res.body.error || W.error); show($('tp-error'), true); }
    }).catch(function () {
      button.disabled = false;
      text($('tp-error'), W.error);
      show($('tp-error'), true);
    });
  });

  // ---- live -----------------------------------------------------------------------------------
  render(view);
  var socket = io('/ticket', {
    auth: { token: token }, transports: ['websocket', 'polling'],
    reconnectionDelay: 500, reconnectionDelayMax: 2000
  });
  socket.on('connect', function () { show($('tp-offline'), false); });
  socket.on('disconnect', function () { show($('tp-offline'), true); });
  socket.on('connect_error', function () { show($('tp-offline'), true); });
  socket.on('ticket', render);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && socket.connected) socket.emit('refresh');   // a phone woken from sleep
  });
}());
