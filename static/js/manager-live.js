/* Manager console, live view: queues per agency, counters, connected screens and the voice.
 * Refreshed from GET /api/manage/overview when a live event arrives (never polled); waiting
 * times tick on this device's clock in between. */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;
  var fetchedAt = 0;          // Date.now() of the overview on screen
  var stale = true;
  var PAGE_NAMES = { display: 'm_page_display', kiosk: 'm_page_kiosk', counter: 'm_page_counter', manager: 'm_page_manager' };

  function load() {
    return Promise.all([M.loadOverview(), M.loadServices()]).then(function (rs) {
      if (rs[0].ok) { fetchedAt = Date.now(); stale = false; render(); }
      // staff names for the counters (once; refreshed by the staff section)
      if (!M.data.staff) M.loadStaff().then(function (r) { if (r.ok) render(); });
    });
  }
  var refresh = M.debounced(load, 120);

  function elapsed() { return (Date.now() - fetchedAt) / 1000; }

  function waitClass(seconds) {
    if (seconds >= 1800) return ' is-bad';
    if (seconds >= 900) return ' is-warn';
    return '';
  }

  function render() {
    var ov = M.data.overview;
    if (!ov) return;
    var services = ov.services || [], counters = ov.counters || [], displays = ov.displays || [];

    // KPIs
    var waiting = 0, longest = null;
    services.forEach(function (s) {
      waiting += s.waiting || 0;
      if (s.waiting && (!longest || s.longest_wait_seconds > longest.longest_wait_seconds)) longest = s;
    });
    var serving = counters.filter(function (c) { return c.state === 'serving'; }).length;
    var paused = counters.filter(function (c) { return c.state === 'paused'; }).length;
    var screens = displays.filter(function (d) { return d.page !== 'manager'; });
    var blocked = screens.filter(function (d) { return d.sound === 'blocked'; }).length;
    Live.setText(M.$('kpi-waiting'), String(waiting));
    Live.setText(M.$('kpi-serving'), serving + ' / ' + counters.length);
    Live.setText(M.$('kpi-paused'), String(paused));
    M.$('kpi-longest').dataset.base = longest ? String(longest.longest_wait_seconds) : '';
    Live.setText(M.$('kpi-longest-svc'), longest ? longest.code + ' · ' + longest.name : '');
    Live.setText(M.$('kpi-screens'), String(screens.length));
    Live.setText(M.$('kpi-blocked'), blocked ? blocked + ' ' + t('m_sound_blocked').toLowerCase() : '');

    // services
    var body = Live.clear(M.$('live-services'));
    services.forEach(function (s) {
      var info = M.serviceByCode(s.code) || {};
      // /api/services knows every reason (hours, holiday, quota, a manager's) and when one expired.
      var open = info.code ? !!info.open : !s.closed_reason;
      var reason = info.closed_reason || s.closed_reason || '';
      body.appendChild(el('tr', { dataset: { service: s.code }, class: open ? '' : 'is-closed' }, [
        el('td', {}, [M.svcCell({ code: s.code, name: s.name, color: info.color })]),
        el('td', { class: 'm-right m-num num live-waiting', text: String(s.waiting || 0) }),
        el('td', { class: 'm-right num live-longest', dataset: { base: s.waiting ? String(s.longest_wait_seconds) : '' } }),
        el('td', {}, [open ? M.pill('open', t('open'))
          : el('span', { class: 'm-closed' }, [M.pill('closed', t('closed')), el('span', { class: 'm-reason', text: reason })])])
      ]));
    });

    // counters, with who is logged in there
    var at = M.presenceAtCounters();
    var grid = Live.clear(M.$('live-counters'));
    counters.forEach(function (c) {
      var people = (at[c.id] || []).map(M.userName);
      var ticket = c.ticket;
      var sv = ticket ? M.serviceByCode(ticket.service) : null;
      grid.appendChild(el('div', { class: 'm-ctr is-' + c.state, dataset: { counterId: String(c.id), state: c.state },
                                   style: sv ? { '--svc': Live.safeColor(sv.color) } : undefined }, [
        el('div', { class: 'm-ctr-head' }, [
          el('span', { class: 'm-ctr-name', text: c.name, title: c.name }),
          ticket ? el('span', { class: 'm-ctr-since num', title: t('m_serving_for'), dataset: { since: ticket.called_at } })
                 : M.pill(c.state, M.stateText(c.state))]),
        el('div', { class: 'm-ctr-ticket' }, [
          el('span', { class: 'num', text: ticket ? ticket.number : '—' }),
          ticket && ticket.priority ? el('span', { class: 'badge badge-priority', text: 'P', title: t('priority_short') }) : null]),
        el('div', { class: 'm-ctr-meta', text: ticket ? (sv ? sv.name : ticket.service) : t('services') + ': ' + (c.services || []).join(', ') }),
        el('div', { class: 'm-ctr-staff' + (people.length ? '' : ' is-none') }, [
          el('span', { class: 'm-ctr-person', text: people.length ? people.join(', ') : t('m_nobody_logged_in') })])
      ]));
    });

    // connected screens
    var dbody = Live.clear(M.$('live-displays'));
    var order = { display: 0, kiosk: 1, counter: 2, manager: 3 };
    displays.slice().sort(function (a, b) {      // problems first: a blocked speaker is not heard
      return ((a.sound === 'blocked' ? 0 : 1) - (b.sound === 'blocked' ? 0 : 1)) ||
             ((order[a.page] === undefined ? 9 : order[a.page]) - (order[b.page] === undefined ? 9 : order[b.page])) ||
             String(a.name).localeCompare(String(b.name));
    }).forEach(function (d) {
      var sound;
      if (d.sound === 'blocked') sound = M.pill('closed', t('m_sound_blocked'), 'sound-blocked');
      else if (d.sound === 'ok') sound = M.pill('open', t('m_sound_ok'));
      else sound = el('span', { class: 'm-muted', text: d.speaker ? t('m_sound_unknown') : '—' });
      var name = d.name || '—';
      if (d.page === 'counter' && d.counter_id) {
        var c = M.counterById(d.counter_id);
        name = (c ? c.name : name) + (d.user_id ? ' · ' + M.userName(d.user_id) : '');
      }
      dbody.appendChild(el('tr', { dataset: { page: d.page, sound: d.sound || '' }, class: d.sound === 'blocked' ? 'is-blocked' : '' }, [
        el('td', { class: 'm-strong', text: name, title: d.process || null }),   // which server process holds it
        el('td', { text: PAGE_NAMES[d.page] ? t(PAGE_NAMES[d.page]) : d.page }),
        el('td', { text: d.speaker ? t('m_yes') : t('m_no') }),
        el('td', {}, [sound])
      ]));
    });
    if (!displays.length) M.empty(dbody, 4, t('m_no_screens'));

    // kiosks: up?, printer, paper, last ticket (manager-kiosks.js)
    if (global.MgrKiosks) global.MgrKiosks.renderLive(ov.kiosks);

    // the voice
    var v = ov.voice || {};
    var facts = Live.clear(M.$('live-voice'));
    function fact(label, value, cls) {
      facts.appendChild(el('dt', { text: label }));
      facts.appendChild(el('dd', { class: cls || '' }, [value]));
    }
    var fellBack = v.active && v.requested && v.active !== v.requested;
    fact(t('m_voice_requested'), engineName(v.requested));
    fact(t('m_voice_active'), el('span', { class: 'm-pill is-' + (v.active ? (fellBack ? 'paused' : 'open') : 'closed'),
                                           text: v.active ? engineName(v.active) : t('m_voice_none'),
                                           dataset: { testid: 'voice-active' } }));
    fact(t('m_espeak'), v.espeak_installed ? t('m_yes') : t('m_no'));
    if (v.library_clips !== null && v.library_clips !== undefined) fact(t('m_voice_library'), String(v.library_clips));
    fact(t('m_voice_error'), v.last_error ? el('span', { class: 'm-error-text', text: v.last_error }) : el('span', { class: 'm-muted', text: '—' }));
    tick();
  }

  function engineName(name) {
    return { espeak: 'eSpeak NG', gtts: 'Google TTS', library: t('m_voice_library') }[name] || (name || '—');
  }

  function tick() {
    if (M.current !== 'live' || !fetchedAt) return;
    var extra = elapsed();
    Array.prototype.forEach.call(document.querySelectorAll('#sec-live [data-base]'), function (node) {
      var base = node.dataset.base;
      var secs = base === '' ? null : Number(base) + extra;
      Live.setText(node, secs === null ? (node.id === 'kpi-longest' ? '0:00' : '—') : M.fmtDur(secs));
      node.className = node.className.replace(/\s?is-(warn|bad)/g, '') + (secs === null ? '' : waitClass(secs));
    });
    var now = Live.now().getTime();
    Array.prototype.forEach.call(document.querySelectorAll('#live-counters [data-since]'), function (node) {
      var since = Date.parse(node.dataset.since);
      Live.setText(node, isNaN(since) ? '' : M.fmtDur((now - since) / 1000));
    });
  }

  M.section('live', {
    init: function () {
      M.$('live-refresh').addEventListener('click', load);
    },
    show: function () { load(); },
    tick: tick,
    onLive: function () {
      if (M.current === 'live') refresh(); else stale = true;
    },
    isStale: function () { return stale; }
  });
})(window);
