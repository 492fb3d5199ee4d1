/*
 * live.js: the one shared client for the hall's screens (kiosk, display, counter, manager).
 *
 * - connects to Socket.IO /display (vendored client, same origin, no internet needed),
 *   reconnecting forever and fast;
 * - keeps the last event number (`seq`): an event with seq <= last is ignored, seq == last + 1
 *   is applied, a gap asks the server for a fresh snapshot (`state`);
 * - shows the offline mark while disconnected (socket.io falls back to long-polling by itself
 *   where WebSockets are blocked; the page itself never polls);
 * - says `hello` after every connect;
 * - small helpers shared by the pages: strings, hall-time formatting, DOM building, JSON API calls.
 *
 * Page scripts use:  Live.connect({page, name, speaker, onState(snapshot, info), onEvent(event),
 *                                  onStatus(online)})
 */
(function (global) {
  'use strict';

  var ZONE_LABELS = { 'Asia/Jakarta': 'WIB', 'Asia/Makassar': 'WITA', 'Asia/Jayapura': 'WIT' };
  // Events that carry everything a screen needs; any other type (settings, running_text, hall…)
  // is passed on and then followed by a fresh snapshot.
  var RELOADING_PAGES = ['display', 'kiosk', 'counter', 'survey'];   // see upgraded()
  var SELF_CONTAINED = ['issued', 'called', 'finished', 'skipped', 'transferred', 'paused', 'resumed',
                        'announce'];

  function readJSON(id, fallback) {
    var el = document.getElementById(id);
    if (!el) return fallback;
    try { return JSON.parse(el.textContent); } catch (e) { return fallback; }
  }

  var T = readJSON('i18n', {});
  var lang = document.documentElement.lang === 'en' ? 'en' : 'id';
  var locale = lang === 'en' ? 'en-GB' : 'id-ID';
  var clockOffset = 0;          // server clock minus this device's clock (hall PCs often lack NTP)
  var timezone = 'Asia/Makassar';

  // ---- strings and time ---------------------------------------------------------------------
  function t(key, fallback) {
    return Object.prototype.hasOwnProperty.call(T, key) ? T[key] : (fallback !== undefined ? fallback : key);
  }

  function now() { return new Date(Date.now() + clockOffset); }

  function zoneLabel(tz) { return ZONE_LABELS[tz || timezone] || (tz || timezone); }

  var formatters = {};
  function formatter(kind, tz) {
    var key = kind + '|' + tz;
    if (!formatters[key]) {
      var opts = { timeZone: tz };
      if (kind === 'time' || kind === 'seconds') {
        opts.hour = '2-digit'; opts.minute = '2-digit'; opts.hourCycle = 'h23';
        if (kind === 'seconds') opts.second = '2-digit';
      } else if (kind === 'date') {
        opts.weekday = 'long'; opts.day = 'numeric'; opts.month = 'long'; opts.year = 'numeric';
      } else if (kind === 'shortdate') {
        opts.day = '2-digit'; opts.month = 'short'; opts.year = 'numeric';
      }
      try {
        formatters[key] = new Intl.DateTimeFormat(locale, opts);
      } catch (e) {          // unknown zone on an old browser: fall back to the device zone
        delete opts.timeZone;
        formatters[key] = new Intl.DateTimeFormat(locale, opts);
      }
    }
    return formatters[key];
  }

  function toDate(value) {
    if (value instanceof Date) return value;
    if (value === undefined || value === null) return now();
    return new Date(value);
  }

  /** "10.24" (id) / "10:24" (en); with seconds=true "10.24.31". Hall time zone. */
  function fmtTime(value, seconds, tz) {
    return formatter(seconds ? 'seconds' : 'time', tz || timezone).format(toDate(value));
  }
  /** "Jumat, 28 November 2026" / "Friday 28 November 2026". */
  function fmtDate(value, tz) { return formatter('date', tz || timezone).format(toDate(value)); }
  function fmtShortDate(value, tz) { return formatter('shortdate', tz || timezone).format(toDate(value)); }

  // ---- date fields that do not follow the browser's language --------------------------------
  // A browser date input shows mm/dd/yyyy on an English-set browser and dd/mm/yyyy elsewhere,
  // whatever the page's language. <input data-date-field name="from"> is instead a text field
  // "DD-MM-YYYY" with a hint in the page's words (HH-BB-TTTT); its own value stays ISO
  // "YYYY-MM-DD", so the code reading form.elements.from.value (or setting it) sees no change.
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  /** "30-11-2026", "30/11/2026", "30.11.2026" or "2026-11-30" -> "2026-11-30"; null if no such day. */
  function parseDay(text) {
    text = String(text || '').trim();
    var m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text), y, mo, d;
    if (m) { y = +m[1]; mo = +m[2]; d = +m[3]; } else {
      m = /^(\d{1,2})[-./ ](\d{1,2})[-./ ](\d{4})$/.exec(text);
      if (!m) return null;
      d = +m[1]; mo = +m[2]; y = +m[3];
    }
    var day = new Date(Date.UTC(y, mo - 1, d));
    if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
    return y + '-' + pad2(mo) + '-' + pad2(d);
  }
  function showDay(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || '');
    return m ? m[3] + '-' + m[2] + '-' + m[1] : '';
  }
  function dateFields(root) {
    var own = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
    Array.prototype.forEach.call((root || document).querySelectorAll('input[data-date-field]'), function (field) {
      if (field.dataset.dateReady) return;
      field.dataset.dateReady = '1';
      var shown = document.createElement('input');
      shown.type = 'text';
      shown.className = field.className;
      shown.inputMode = 'numeric';
      shown.autocomplete = 'off';
      shown.maxLength = 10;
      shown.placeholder = t('date_hint', 'HH-BB-TTTT');
      shown.title = t('date_help', 'HH-BB-TTTT');
      if (field.dataset.testid) { shown.dataset.testid = field.dataset.testid; delete field.dataset.testid; }
      field.hidden = true;
      field.tabIndex = -1;
      field.parentNode.insertBefore(shown, field);
      shown.value = showDay(own.get.call(field));
      Object.defineProperty(field, 'value', {
        configurable: true,
        get: function () { return own.get.call(field); },
        set: function (v) { own.set.call(field, v); shown.value = showDay(v); shown.setCustomValidity(''); }
      });
      function sync() {
        var iso = shown.value.trim() ? parseDay(shown.value) : '';
        shown.setCustomValidity(iso === null ? t('date_invalid', 'Tanggal tidak valid.') : '');
        shown.classList.toggle('is-invalid', iso === null);
        own.set.call(field, iso || '');
      }
      shown.addEventListener('input', sync);
      shown.addEventListener('change', sync);
      shown.addEventListener('blur', function () {   // tidy what was typed: "1/2/2026" -> "01-02-2026"
        var iso = parseDay(shown.value);
        if (iso) shown.value = showDay(iso);
      });
      if (field.form) field.form.addEventListener('reset', function () {
        setTimeout(function () { own.set.call(field, ''); shown.classList.remove('is-invalid'); });
      });
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', function () { dateFields(); });
  } else {
    dateFields();
  }

  // ---- DOM ----------------------------------------------------------------------------------
  /** el('div', {class: 'x', text: name, dataset: {code: 'A'}}, [children]): never parses HTML. */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    attrs = attrs || {};
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') node.textContent = String(v);
      else if (k === 'class') node.className = v;
      else if (k === 'dataset') Object.keys(v).forEach(function (d) { node.dataset[d] = v[d]; });
      else if (k === 'style') Object.keys(v).forEach(function (s) { node.style.setProperty(s, v[s]); });
      else if (k.slice(0, 2) === 'on' && typeof v === 'function') node.addEventListener(k.slice(2), v);
      else if (v === true) node.setAttribute(k, '');
      else node.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
    return node;
  }

  /** The hall's logo (snapshot.hall.logo) in place of the "MPP" mark, when a manager set one. */
  function applyLogo(mark, url) {
    if (!mark) return;
    var current = mark.querySelector('img');
    if (!url || typeof url !== 'string' || url.charAt(0) !== '/') {
      if (current) { mark.removeChild(current); mark.classList.remove('has-logo'); }
      return;
    }
    if (current && current.getAttribute('src') === url) return;
    var img = current || el('img', { alt: '' });
    img.setAttribute('src', url);
    if (!current) mark.appendChild(img);
    mark.classList.add('has-logo');
  }

  function clear(node) { while (node && node.firstChild) node.removeChild(node.firstChild); return node; }

  function setText(node, text) {
    text = text === null || text === undefined ? '' : String(text);
    if (node && node.textContent !== text) node.textContent = text;
  }

  /** A colour from the database, used only if it is a plain #rgb/#rrggbb. */
  function safeColor(value, fallback) {
    return /^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/.test(value || '') ? value : (fallback || '#1f4e9c');
  }

  // ---- HTTP ---------------------------------------------------------------------------------
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  /** A random id for Idempotency-Key (crypto.randomUUID needs HTTPS; the hall runs plain HTTP). */
  function uid() {
    var bytes = new Uint8Array(16);
    if (global.crypto && global.crypto.getRandomValues) global.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  /**
   * JSON request. Resolves {ok, status, data}; network failures resolve with status 0 (never
   * throws), so pages show one readable message. opts: {key (Idempotency-Key), timeout, retries}.
   * Retries (network failures only) reuse the same key, so the server answers once.
   */
  function api(method, url, body, opts) {
    opts = opts || {};
    var retries = opts.retries || 0;
    // The page's language: the server answers errors in it (signage/web/language.py).
    var headers = { 'Accept': 'application/json', 'Accept-Language': lang };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-CSRFToken'] = csrfToken();
    if (opts.key) headers['Idempotency-Key'] = opts.key;

    function attempt(left) {
      var controller = global.AbortController ? new AbortController() : null;
      var timer = controller ? setTimeout(function () { controller.abort(); }, opts.timeout || 8000) : null;
      return fetch(url, {
        method: method, headers: headers, credentials: 'same-origin', cache: 'no-store',
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller ? controller.signal : undefined
      }).then(function (res) {
        clearTimeout(timer);
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (!res.ok && !(data && data.error)) {
            data = { error: (res.status >= 500 ? t('server_error', 'Kesalahan server.') : 'HTTP ' + res.status) };
          }
          return { ok: res.ok, status: res.status, data: data };
        });
      }, function () {
        clearTimeout(timer);
        if (left > 0) {
          return new Promise(function (resolve) { setTimeout(resolve, 600 * (retries - left + 1)); })
            .then(function () { return attempt(left - 1); });
        }
        return { ok: false, status: 0, data: { error: t('network_error', 'Tidak dapat menghubungi server.') } };
      });
    }
    return attempt(retries);
  }

  // ---- the live connection ------------------------------------------------------------------
  var offlineMark = null;
  function showOffline(offline) {
    offlineMark = offlineMark || document.getElementById('offline-mark');
    if (!offlineMark) {
      offlineMark = el('div', { id: 'offline-mark', class: 'offline-mark', role: 'status' },
                       [el('span', { class: 'offline-dot' }), t('offline')]);
      document.body.appendChild(offlineMark);
    }
    offlineMark.hidden = !offline;
    document.body.classList.toggle('is-offline', offline);
  }

  function connect(opts) {
    opts = opts || {};
    var onState = opts.onState || function () {};
    var onEvent = opts.onEvent || function () {};
    var onStatus = opts.onStatus || function () {};

    var lastSeq = null;          // null: no snapshot yet
    var snapshotWanted = false;  // a gap was seen: the next state is authoritative
    var acceptNextState = true;  // first state after (re)connect is authoritative too
    var buffer = [];             // events that arrived while waiting for a snapshot
    var online = null;
    var wantTimer = null;
    var stateCount = 0;
    var gapRetries = 0;
    var pageBuild = null;        // the `build` of the first state: the pages this one was loaded from
    var reloading = false;

    if (typeof global.io !== 'function') {
      showOffline(true);
      throw new Error('socket.io client missing');
    }

    var socket = global.io('/display', {
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnection: true,
      reconnectionAttempts: Infinity,
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
      randomizationFactor: 0.2,
      timeout: 5000
    });

    function setOnline(value) {
      if (online === value) return;
      online = value;
      showOffline(!value);
      onStatus(value);
    }

    function requestSnapshot() {
      snapshotWanted = true;
      if (socket.connected) socket.emit('snapshot');
      clearTimeout(wantTimer);
      wantTimer = setTimeout(function () {    // no answer: ask again
        if (snapshotWanted && socket.connected) requestSnapshot();
      }, 4000);
    }

    function takeState(snap, forced) {
      if (!snap || typeof snap.seq !== 'number') return;
      if (upgraded(snap.build)) return;
      var authoritative = forced || acceptNextState || snapshotWanted || lastSeq === null;
      if (!authoritative && snap.seq < lastSeq) return;    // older than what we already applied
      acceptNextState = false;
      snapshotWanted = false;
      clearTimeout(wantTimer);
      if (snap.now) {
        var serverNow = Date.parse(snap.now);
        if (!isNaN(serverNow)) clockOffset = serverNow - Date.now();
      }
      if (snap.hall && snap.hall.timezone) timezone = snap.hall.timezone;
      var previous = lastSeq;
      lastSeq = snap.seq;
      stateCount += 1;
      onState(snap, { first: stateCount === 1, previousSeq: previous });
      // Replay what arrived meanwhile and follows on; anything beyond a hole is dropped, and the
      // hole is asked about once more a moment later (never a tight snapshot loop).
      var pending = buffer.sort(function (a, b) { return a.seq - b.seq; });
      buffer = [];
      var hole = false;
      var stale = false;
      pending.forEach(function (ev) {
        if (ev.seq <= lastSeq) return;
        if (ev.seq === lastSeq + 1 && !hole) stale = takeEvent(ev) || stale;
        else hole = true;
      });
      if (stale) requestSnapshot();
      if (hole && gapRetries < 5) {
        gapRetries += 1;
        setTimeout(requestSnapshot, 500 * gapRetries);
      }
    }

    // The server now serves other pages than this one was loaded from (an upgrade): a screen
    // reloads, after a random pause so a hall's screens do not all ask at once. The console is
    // left alone: a reload would lose what the manager is typing.
    function upgraded(build) {
      if (typeof build !== 'string') return false;
      if (pageBuild === null) pageBuild = build;
      if (build === pageBuild) return false;
      if (RELOADING_PAGES.indexOf(opts.page) < 0) return false;
      if (!reloading) {
        reloading = true;
        setTimeout(function () { global.location.reload(); }, Math.random() * global.Live.reloadSpreadMs);
      }
      return true;
    }

    // Applies one event in seq order; true when the screen needs a fresh snapshot after it
    // (settings, running text, hall… or an event it could not apply). The caller asks once.
    function takeEvent(ev) {
      if (!ev || typeof ev.seq !== 'number') return false;
      if (lastSeq === null || snapshotWanted) {
        if (ev.seq > (lastSeq === null ? -1 : lastSeq)) buffer.push(ev);
        return false;
      }
      if (ev.seq <= lastSeq) return false;            // already seen (or in the snapshot)
      if (ev.seq > lastSeq + 1) {                     // missed something: start over from a snapshot
        buffer.push(ev);
        return true;
      }
      lastSeq = ev.seq;
      gapRetries = 0;
      try {
        onEvent(ev);
      } catch (e) {
        if (global.console) console.error(e);
        return true;
      }
      return SELF_CONTAINED.indexOf(ev.type) < 0;
    }

    // The server sends what was committed since its last frame as one list, in seq order.
    function takeEvents(list) {
      if (!Array.isArray(list)) return;
      var stale = false;
      list.forEach(function (ev) { stale = takeEvent(ev) || stale; });
      if (stale) requestSnapshot();
    }

    socket.on('connect', function () {
      acceptNextState = true;
      setOnline(true);
      socket.emit('hello', { page: opts.page || '', name: opts.name || '', speaker: !!opts.speaker });
      // The server sends `state` on connect; ask again if it did not arrive.
      clearTimeout(wantTimer);
      wantTimer = setTimeout(function () { if (acceptNextState && socket.connected) requestSnapshot(); }, 4000);
    });
    socket.on('disconnect', function (reason) {
      setOnline(false);
      if (reason === 'io server disconnect') {        // the server let go: socket.io will not retry
        setTimeout(function () { socket.connect(); }, 1000);
      }
    });
    socket.on('connect_error', function () {
      setOnline(false);
      if (!socket.active) setTimeout(function () { socket.connect(); }, 1000);
    });
    socket.on('state', function (snap) { takeState(snap, false); });
    socket.on('events', takeEvents);
    // Not part of the hall's history (no seq): 'presence', screens coming and going, and
    // 'device', this screen's pairing changed (see pairing.js).
    socket.on('presence', function (data) { if (opts.onPresence) opts.onPresence(data); });
    socket.on('device', function (data) { if (opts.onDevice) opts.onDevice(data); });

    // No connection after a few seconds on first load: show it rather than a silent blank screen.
    setTimeout(function () { if (online === null) setOnline(false); }, 3000);

    return {
      socket: socket,
      snapshot: requestSnapshot,
      isOnline: function () { return online === true; },
      lastSeq: function () { return lastSeq; }
    };
  }

  global.Live = {
    reloadSpreadMs: 15000,     // screens reload within this long after an upgrade
    connect: connect,
    t: t,
    lang: lang,
    locale: locale,
    now: now,
    zoneLabel: zoneLabel,
    timezone: function () { return timezone; },
    fmtTime: fmtTime,
    fmtDate: fmtDate,
    fmtShortDate: fmtShortDate,
    dateFields: dateFields,
    parseDay: parseDay,
    showDay: showDay,
    el: el,
    clear: clear,
    applyLogo: applyLogo,
    setText: setText,
    safeColor: safeColor,
    readJSON: readJSON,
    uid: uid,
    api: api
  };
})(window);
