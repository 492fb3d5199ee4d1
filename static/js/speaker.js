/*
 * speaker.js: a display marked as the hall's speaker (?speaker=1 or a profile with sound) plays
 * every announcement of its speaker zone (data-zone; announcements for every zone too), one after
 * another in the order the server numbered them (seq), never two at once, and reports each one it
 * starts (`speaking`, with those still waiting) and played (`played`), and whether the browser lets
 * it play sound (`sound`: ok / blocked). A blocked autoplay shows "Ketuk untuk mengaktifkan suara".
 *
 * It plays what the server decided (speech/rush.py): the clip (with or without its chime, full or
 * short), `repeat` times, at `rate`. No policy lives here.
 *
 * Loaded before display.js; display.js calls Display.onCalled / onAnnounce / onSnapshot.
 */
(function (global) {
  'use strict';

  var Display = global.Display = global.Display || {};
  var root = document.getElementById('display');
  var isSpeaker = root && root.getAttribute('data-speaker') === '1';
  var log = global.__speakerLog = [];      // what was played, with start and end (diagnostics)
  if (!isSpeaker) return;

  var queue = [];          // announcements waiting, ordered by seq
  var known = {};          // seq -> true: queued or played already (recall has its own seq)
  var playing = false;
  var blocked = false;
  var heardUpTo = null;    // newest seq this screen knows; a reconnect plays only what is newer
  var overlay = null;
  var zone = root.getAttribute('data-zone') || '';

  function mine(item) { return item.zone === null || (item.zone || '') === zone; }

  function socket() { return Display.live && Display.live.socket; }
  function report(name, data) { var s = socket(); if (s && s.connected) s.emit(name, data); }

  function enqueue(item) {
    if (!item || !item.audio || typeof item.seq !== 'number' || known[item.seq] || !mine(item)) return;
    known[item.seq] = true;
    queue.push(item);
    queue.sort(function (a, b) { return a.seq - b.seq; });
    if (heardUpTo === null || item.seq > heardUpTo) heardUpTo = item.seq;
    showSpeaking();
    reportSpeaking();
    pump();
  }

  /** The hall display lights the call being spoken and those still to come (display.js). */
  function showSpeaking() {
    var now = playing && queue.length ? queue[0].seq : null;
    var waiting = queue.slice(now === null ? 0 : 1).map(function (a) { return a.seq; });
    if (typeof Display.markSpeaking === 'function') Display.markSpeaking(now, waiting);
    return { seq: now, waiting: waiting };
  }

  // The server relays this to the screens of this zone without a voice (at most 2 a second).
  var lastReport = 0, reportTimer = null;
  function reportSpeaking() {
    if (reportTimer) return;
    reportTimer = setTimeout(function () {
      reportTimer = null;
      lastReport = Date.now();
      var shown = showSpeaking();
      report('speaking', { seq: shown.seq, waiting: shown.waiting.slice(0, 50), zone: zone });
    }, Math.max(0, lastReport + 500 - Date.now()));
  }

  function pump() {
    if (playing || blocked || !queue.length) return;
    playing = true;
    var item = queue[0];
    var entry = { seq: item.seq, ticket: item.ticket || null, zone: item.zone, rate: item.rate || 1,
                  start: Date.now(), end: null };
    duck(true);
    showSpeaking();
    reportSpeaking();
    playTimes(item, Math.max(1, item.repeat || 1), function (ok) {
      if (!ok && blocked) {                 // keep it at the head; the tap will resume it
        playing = false;
        return;
      }
      queue.shift();
      entry.end = Date.now();
      entry.ok = ok;
      log.push(entry);
      if (ok) report('played', { seq: item.seq });
      playing = false;
      duck(false);
      showSpeaking();
      reportSpeaking();
      pump();
    });
  }

  function playTimes(item, times, done) {
    var audio = new Audio(item.audio);
    audio.volume = Math.min(1, Math.max(0, (item.volume == null ? 100 : item.volume) / 100));
    audio.playbackRate = Math.min(1.5, Math.max(1, Number(item.rate) || 1));   // the server's rush rate
    var finished = false;
    function finish(ok) { if (!finished) { finished = true; done(ok); } }
    audio.addEventListener('ended', function () {
      if (times > 1) playTimes(item, times - 1, done); else finish(true);
    });
    audio.addEventListener('error', function () { finish(false); });   // a broken clip must not stall the queue
    var started = audio.play();
    if (started && typeof started.catch === 'function') {
      started.catch(function (err) {
        if (err && err.name === 'NotAllowedError') setBlocked(true);
        finish(false);
      });
    }
  }

  // ---- autoplay ------------------------------------------------------------------------------
  function setBlocked(value) {
    blocked = value;
    showOverlay(value);
    report('sound', { state: value ? 'blocked' : 'ok' });
    if (!value) pump();
  }

  function showOverlay(show) {
    if (!overlay) {
      overlay = document.createElement('button');
      overlay.type = 'button';
      overlay.className = 'sound-overlay';
      overlay.setAttribute('data-testid', 'sound-overlay');
      var icon = document.createElement('span');
      icon.className = 'sound-overlay-icon';
      icon.textContent = '🔊';
      var label = document.createElement('span');
      label.textContent = (global.Live && Live.t('tap_for_sound')) || 'Ketuk untuk mengaktifkan suara';
      overlay.appendChild(icon);
      overlay.appendChild(label);
      overlay.addEventListener('click', unlock);
      document.body.appendChild(overlay);
    }
    overlay.hidden = !show;
  }

  function unlock() {
    // A tap is a user gesture: playing inside it lifts the browser's block for this page.
    probe().then(function (ok) { setBlocked(!ok); });
  }

  // A tenth of a second of silence, made here: no file, no network.
  function silentClip() {
    var rate = 8000, samples = 800, bytes = 44 + samples;
    var buf = new ArrayBuffer(bytes), v = new DataView(buf);
    function str(o, s) { for (var i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); }
    str(0, 'RIFF'); v.setUint32(4, bytes - 8, true); str(8, 'WAVEfmt ');
    v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true);
    v.setUint32(24, rate, true); v.setUint32(28, rate, true); v.setUint16(32, 1, true);
    v.setUint16(34, 8, true); str(36, 'data'); v.setUint32(40, samples, true);
    for (var i = 0; i < samples; i++) v.setUint8(44 + i, 128);
    return URL.createObjectURL(new Blob([buf], { type: 'audio/wav' }));
  }

  function probe() {
    var audio = new Audio(silentClip());
    var started;
    try { started = audio.play(); } catch (e) { return Promise.resolve(false); }
    if (!started || typeof started.then !== 'function') return Promise.resolve(true);
    return started.then(function () { return true; }, function (err) {
      return !(err && err.name === 'NotAllowedError');
    });
  }

  // ---- media ducking: videos fall silent while a call is spoken -----------------------------
  function duck(on) {
    Array.prototype.forEach.call(document.querySelectorAll('video[data-playlist]'), function (video) {
      if (on) { video.dataset.wasMuted = video.muted ? '1' : '0'; video.muted = true; }
      else if (video.dataset.wasMuted === '0') video.muted = false;
    });
  }

  // ---- hooks from display.js -----------------------------------------------------------------
  Display.onCalled = function (ev) { enqueue(ev); };
  Display.onAnnounce = function (ev) { enqueue(ev); };
  Display.onSnapshot = function (snap, info) {
    report('sound', { state: blocked ? 'blocked' : 'ok' });   // after every (re)connect
    var list = snap.announcements || [];
    if (info.first || heardUpTo === null) {
      heardUpTo = snap.seq;                 // a fresh page does not replay the past
      return;
    }
    var mine = root.getAttribute('data-name') || '';
    list.forEach(function (a) {             // missed while cut off: play now, in order
      if (a.id > heardUpTo && (a.played_by || []).indexOf(mine) < 0) {
        enqueue({ seq: a.id, audio: a.audio_url, repeat: a.repeat, rate: a.rate, zone: a.zone,
                  ticket: a.ticket, text: a.text });
      }
    });
    if (snap.seq > heardUpTo) heardUpTo = snap.seq;
  };
  Display.speakerQueue = function () { return queue.map(function (a) { return a.seq; }); };

  probe().then(function (ok) { setBlocked(!ok); });
})(window);
