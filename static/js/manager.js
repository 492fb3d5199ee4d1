/*
 * Manager console, core: roles, navigation between sections, the live connection (live.js),
 * JSON/upload helpers that show the server's own error next to the form that caused it, and the
 * shared hall data (services, counters, staff, settings) the sections draw from.
 *
 * Sections live in manager-*.js and register with Mgr.section(name, {init, show, onLive}).
 * Everything typed by people is put on the page with textContent (Live.el), never as HTML.
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var el = Live.el, t = Live.t;
  var root = document.getElementById('manager');
  var WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

  var M = {
    root: root,
    role: root.dataset.role,
    isManager: root.dataset.role === 'manager',
    userId: Number(root.dataset.userId) || null,
    serviceId: Number(root.dataset.serviceId) || null,
    ownCode: null,                 // a supervisor's agency, once known
    name: root.dataset.name || '',
    WEEKDAYS: WEEKDAYS,
    data: { services: [], counters: [], overview: null, staff: null, settings: null, snapshot: null },
    sections: {},
    current: null,
    live: null
  };

  // ---- small helpers ---------------------------------------------------------------------------
  M.$ = function (id) { return document.getElementById(id); };

  M.fmtDur = function (seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return '—';
    seconds = Math.max(0, Math.round(Number(seconds)));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var ss = (s < 10 ? '0' : '') + s;
    if (h) return h + ':' + (m < 10 ? '0' : '') + m + ':' + ss;
    return m + ':' + ss;
  };

  M.serviceByCode = function (code) {
    return M.data.services.filter(function (s) { return s.code === code; })[0] || null;
  };

  /** Services carry no id in the API; they are numbered in the order they were added, which is
   *  also their display order (services are never deleted or reordered). */
  M.serviceById = function (id) {
    if (!id) return null;
    return M.data.services[id - 1] || null;
  };

  M.counterById = function (id) {
    return M.data.counters.filter(function (c) { return c.id === id; })[0] || null;
  };

  M.mayEditService = function (code) { return M.isManager || (M.ownCode !== null && code === M.ownCode); };

  /** Counters serving a supervisor's agency (e.g. their statistics). */
  M.counterInScope = function (c) { return M.isManager || (M.ownCode !== null && c.services.indexOf(M.ownCode) >= 0); };

  /** Counters a supervisor may hand out to staff: their agency's own; one shared with another agency is not. */
  M.counterOwned = function (c) {
    return M.isManager || (M.ownCode !== null && c.services.length > 0 &&
                           c.services.every(function (code) { return code === M.ownCode; }));
  };

  M.letter = function (code, color, extra) {
    return el('span', { class: 'letter' + (extra ? ' ' + extra : ''), style: { '--svc': Live.safeColor(color) }, text: code });
  };

  M.svcCell = function (sv) {
    return el('span', { class: 'm-svc' }, [M.letter(sv.code, sv.color), el('span', { class: 'm-svc-name', text: sv.name, title: sv.name })]);
  };

  M.pill = function (kind, text, testid) {
    return el('span', { class: 'm-pill is-' + kind, text: text, dataset: testid ? { testid: testid } : undefined });
  };

  M.empty = function (tbody, cols, text) {
    tbody.appendChild(el('tr', { class: 'm-empty-row' }, [el('td', { colspan: String(cols), text: text || t('m_none') })]));
  };

  M.stateText = function (state) {
    return { serving: t('serving'), paused: t('paused'), idle: t('idle') }[state] || state;
  };

  /** Who is logged in at which counter right now, from the presence list of connected pages. */
  M.presenceAtCounters = function () {
    var at = {};
    var displays = (M.data.overview && M.data.overview.displays) || [];
    displays.forEach(function (d) {
      if (d.page !== 'counter' || !d.counter_id) return;
      (at[d.counter_id] = at[d.counter_id] || []);
      if (d.user_id && at[d.counter_id].indexOf(d.user_id) < 0) at[d.counter_id].push(d.user_id);
    });
    return at;
  };

  M.userName = function (userId) {
    var u = (M.data.staff || []).filter(function (s) { return s.id === userId; })[0];
    return u ? (u.full_name || u.username) : '#' + userId;
  };

  // ---- messages --------------------------------------------------------------------------------
  M.showError = function (id, message) {
    var box = M.$(id);
    if (!box) return;
    box.textContent = message || '';
    box.hidden = !message;
    if (message && box.scrollIntoView) box.scrollIntoView({ block: 'nearest' });
  };
  M.clearError = function (id) { M.showError(id, ''); };

  var toastTimer = null;
  M.toast = function (message, kind) {
    var box = M.$('m-toast');
    box.textContent = message;
    box.className = 'm-toast' + (kind ? ' is-' + kind : '');
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, 2600);
  };
  M.saved = function () { M.toast(t('m_saved'), 'ok'); };

  // ---- HTTP ------------------------------------------------------------------------------------
  function sessionGone() { M.$('m-session').hidden = false; }

  /** JSON call; resolves {ok, status, data}. A 401 shows the "log in again" banner. */
  M.api = function (method, url, body) {
    return Live.api(method, url, body, { timeout: 20000 }).then(function (r) {
      if (r.status === 401) sessionGone();
      return r;
    });
  };

  /**
   * A call that belongs to a form: disables its buttons while in flight, and on failure shows
   * the server's message in the form's error box. Resolves the response either way.
   */
  M.submit = function (form, errorId, method, url, body) {
    M.clearError(errorId);
    var buttons = form ? form.querySelectorAll('button') : [];
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    return M.api(method, url, body).then(function (r) {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      if (!r.ok) M.showError(errorId, (r.data && r.data.error) || ('HTTP ' + r.status));
      return r;
    });
  };

  /** multipart upload (FormData) with the CSRF header and progress; same answer shape as api(). */
  M.upload = function (url, formData, onProgress) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      var meta = document.querySelector('meta[name="csrf-token"]');
      xhr.setRequestHeader('X-CSRFToken', meta ? meta.getAttribute('content') : '');
      xhr.setRequestHeader('Accept', 'application/json');
      if (onProgress && xhr.upload) {
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(100 * e.loaded / e.total); };
      }
      xhr.onload = function () {
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        var ok = xhr.status >= 200 && xhr.status < 300;
        if (!ok && !(data && data.error)) data = { error: xhr.status === 413 ? t('m_too_large') : 'HTTP ' + xhr.status };
        if (xhr.status === 401) sessionGone();
        resolve({ ok: ok, status: xhr.status, data: data });
      };
      xhr.onerror = function () { resolve({ ok: false, status: 0, data: { error: t('network_error') } }); };
      xhr.send(formData);
    });
  };

  // ---- shared data -----------------------------------------------------------------------------
  function loader(key, url, pick) {
    return function () {
      return M.api('GET', url).then(function (r) {
        if (r.ok) M.data[key] = pick(r.data);
        return r;
      });
    };
  }
  M.loadServices = loader('services', '/api/services', function (d) { return d.services || []; });
  M.loadCounters = loader('counters', '/api/counters', function (d) { return d.counters || []; });
  M.loadOverview = loader('overview', '/api/manage/overview', function (d) { return d; });
  M.loadStaff = loader('staff', '/api/manage/staff', function (d) { return d.staff || []; });
  M.loadSettings = loader('settings', '/api/manage/settings', function (d) { return d; });

  /** Calls fn at most once per `ms` while triggers keep coming, never two at a time. */
  M.debounced = function (fn, ms) {
    var timer = null, running = false, again = false;
    function run() {
      timer = null;
      if (running) { again = true; return; }
      running = true;
      Promise.resolve(fn()).then(done, done);
    }
    function done() {
      running = false;
      if (again) { again = false; trigger(); }
    }
    function trigger() { if (!timer) timer = setTimeout(run, ms); }
    return trigger;
  };

  // ---- forms -----------------------------------------------------------------------------------
  /** A checkbox per item; returns {get(): [values]}. */
  M.checkList = function (container, items, selected, opts) {
    opts = opts || {};
    Live.clear(container);
    var boxes = [];
    items.forEach(function (item) {
      var box = el('input', { type: 'checkbox', value: String(item.value), disabled: item.disabled || null,
                              dataset: { testid: (opts.testPrefix || 'check-') + item.value } });
      box.checked = selected.indexOf(item.value) >= 0;
      boxes.push({ box: box, value: item.value });
      container.appendChild(el('label', { class: 'm-check' + (item.disabled ? ' is-disabled' : ''), title: item.title || null }, [
        box, item.letter ? M.letter(item.letter, item.color) : null, item.label ? el('span', { text: item.label }) : null]));
    });
    if (!items.length) container.appendChild(el('p', { class: 'm-hint', text: t('m_none') }));
    return {
      get: function () { return boxes.filter(function (b) { return b.box.checked; }).map(function (b) { return b.value; }); }
    };
  };

  /** The Mon–Sun grid (templates' hours_grid): fill from {day: [from, to]}, read back. */
  M.hours = function (prefix) {
    var grid = document.querySelector('[data-hours="' + prefix + '"]');
    function clock(hhmm) { return Live.lang === 'en' ? String(hhmm).replace('.', ':') : String(hhmm).replace(':', '.'); }
    function row(day) { return grid.querySelector('[data-day="' + day + '"]'); }
    function sync(day) {
      var r = row(day), open = r.querySelector('input[type=checkbox]').checked;
      r.classList.toggle('is-closed', !open);
      Array.prototype.forEach.call(r.querySelectorAll('.m-time'), function (i) { i.disabled = !open || grid.dataset.readonly === '1'; });
    }
    WEEKDAYS.forEach(function (day) {
      row(day).querySelector('input[type=checkbox]').addEventListener('change', function () { sync(day); });
    });
    return {
      set: function (hours) {
        hours = hours || {};
        WEEKDAYS.forEach(function (day) {
          var r = row(day), span = hours[day];
          r.querySelector('input[type=checkbox]').checked = !!span;
          var times = r.querySelectorAll('.m-time');
          // the page's way of writing a time: 08.00 (id) / 08:00 (en); get() takes either
          times[0].value = clock(span ? span[0] : (times[0].value || '08:00'));
          times[1].value = clock(span ? span[1] : (times[1].value || '15:00'));
          sync(day);
        });
      },
      get: function () {
        var out = {};
        WEEKDAYS.forEach(function (day) {
          var r = row(day);
          if (!r.querySelector('input[type=checkbox]').checked) return;
          var times = r.querySelectorAll('.m-time');
          out[day] = [times[0].value.trim().replace('.', ':'), times[1].value.trim().replace('.', ':')];
        });
        return out;
      },
      readonly: function (value) {
        grid.dataset.readonly = value ? '1' : '0';
        Array.prototype.forEach.call(grid.querySelectorAll('input'), function (i) { i.disabled = value; });
        if (!value) WEEKDAYS.forEach(sync);
      }
    };
  };

  /** "12" -> 12, "" -> null, anything else unchanged (the server says what is wrong with it). */
  M.intOrNull = function (value) {
    value = String(value || '').trim();
    if (!value) return null;
    return /^\d+$/.test(value) ? parseInt(value, 10) : value;
  };

  M.dayName = function (day) { return t('m_day_' + day); };

  // ---- sections and navigation -------------------------------------------------------------------
  /** name: a section ('screens'), or a block inside one ('screens/tokens'), shown with it. */
  M.section = function (name, module) { M.sections[name] = module; };

  function show(name) {
    var node = M.$('sec-' + name);
    if (!node) { name = 'live'; node = M.$('sec-live'); }
    Array.prototype.forEach.call(document.querySelectorAll('.m-section'), function (s) { s.hidden = s !== node; });
    Array.prototype.forEach.call(document.querySelectorAll('[data-nav]'), function (a) {
      var on = a.dataset.nav === name;
      a.classList.toggle('is-current', on);
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    });
    M.current = name;
    var langLink = document.querySelector('[data-testid="lang-switch"]');   // switch language, stay here
    if (langLink) langLink.setAttribute('href', langLink.getAttribute('href').split('#')[0] + '#' + name);
    // A section's module, and any block registered inside it as 'section/block' (e.g. 'screens/tokens').
    Object.keys(M.sections).forEach(function (k) {
      if ((k === name || k.indexOf(name + '/') === 0) && M.sections[k].show) M.sections[k].show();
    });
  }
  M.show = show;

  function fromHash() { return (global.location.hash || '#live').slice(1) || 'live'; }

  // ---- clock, connection -------------------------------------------------------------------------
  function tick() {
    Live.setText(M.$('m-time'), Live.fmtTime(Live.now()));
    Live.setText(M.$('m-zone'), Live.zoneLabel());
    Live.setText(M.$('m-date'), Live.fmtDate(Live.now()));
    Object.keys(M.sections).forEach(function (k) { if (M.sections[k].tick) M.sections[k].tick(); });
  }

  function onStatus(online) {
    M.$('m-conn').classList.toggle('is-online', online);
    Live.setText(M.$('m-conn-text'), online ? t('m_online') : t('m_offline_short'));
  }

  function dispatch(what) {
    Object.keys(M.sections).forEach(function (k) {
      var s = M.sections[k];
      if (s.onLive) {
        try { s.onLive(what); } catch (e) { if (global.console) console.error(e); }
      }
    });
  }

  function start() {
    Object.keys(M.sections).forEach(function (k) { if (M.sections[k].init) M.sections[k].init(); });
    var ready = Promise.all([M.loadServices(), M.loadCounters()]).then(function () {
      if (M.isManager || !M.serviceId) return null;
      // A supervisor's statistics hold exactly their agency: that is the code they may edit.
      return M.api('GET', '/api/stats').then(function (r) {
        if (r.ok && r.data.services && r.data.services.length === 1) M.ownCode = r.data.services[0].code;
      });
    });
    ready.then(function () {
      show(fromHash());
      global.addEventListener('hashchange', function () { show(fromHash()); });
      M.live = Live.connect({
        page: 'manager', name: M.name || 'manager', onStatus: onStatus,
        onState: function (snap, info) {
          M.data.snapshot = snap;
          dispatch({ type: 'state', snapshot: snap, reconnect: !info.first });
        },
        onEvent: function (ev) { dispatch(ev); },
        onPresence: function () { dispatch({ type: 'presence' }); }
      });
    });
    tick();
    setInterval(tick, 1000);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) dispatch({ type: 'visible' });
    });
  }

  global.Mgr = M;
  document.addEventListener('DOMContentLoaded', start);
})(window);
