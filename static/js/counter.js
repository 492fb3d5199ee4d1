/*
 * Counter tablet: call next, recall, skip, finish, transfer, pause/resume for one counter.
 * Every press sends a fresh Idempotency-Key (reused by automatic retries), and the buttons stay
 * disabled while a request is in flight, so a double tap never calls two tickets.
 * USB keypad: Enter/N call next, R recall, S skip, F finish, T transfer, P pause/resume.
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var el = Live.el, t = Live.t;
  var $ = function (id) { return document.getElementById(id); };

  var data = Live.readJSON('counter-data', {});
  var counterId = Number(data.counter_id);
  var services = data.services || [];
  var view = data.counter || { id: counterId, name: '', state: 'idle', services: [], ticket: null };
  view.waiting = view.waiting || {};
  view.history = view.history || [];

  var inFlight = false;
  var refreshTimer = null;
  var messageTimer = null;
  var buttons = {};
  Array.prototype.forEach.call(document.querySelectorAll('[data-action]'), function (b) {
    buttons[b.dataset.action] = b;
  });
  var modal = $('transfer-modal');

  var EVENT_LABELS = {
    called: t('ev_called', 'Dipanggil'), finished: t('ev_finished', 'Selesai'),
    skipped: t('ev_skipped', 'Dilewati'), transferred: t('ev_transferred', 'Dialihkan'),
    paused: t('ev_paused', 'Istirahat'), resumed: t('ev_resumed', 'Lanjut'), issued: t('ev_issued', 'Diambil')
  };

  function service(code) {
    for (var i = 0; i < services.length; i++) if (services[i].code === code) return services[i];
    return null;
  }

  // ---- rendering ------------------------------------------------------------------------------
  function render() {
    var ticket = view.ticket;
    var state = view.state || 'idle';
    Live.setText($('c-name'), view.name);
    var stateNode = $('c-state');
    stateNode.className = 'c-state is-' + state;
    Live.setText(stateNode, t(state, state));
    document.body.dataset.state = state;

    var box = $('c-ticket-box');
    box.classList.toggle('is-empty', !ticket);
    box.classList.toggle('is-paused', state === 'paused');
    if (ticket) {
      var sv = service(ticket.service);
      box.style.setProperty('--svc', Live.safeColor(sv && sv.color));
      Live.setText($('c-ticket'), ticket.number);
      $('c-ticket-letter').hidden = false;
      Live.setText($('c-ticket-letter'), ticket.service);
      Live.setText($('c-ticket-service'), sv ? sv.name : ticket.service);
      $('c-ticket-priority').hidden = !ticket.priority;
      Live.setText($('c-ticket-time'), ticket.called_at
        ? t('called_at', 'Dipanggil') + ' ' + Live.fmtTime(ticket.called_at) + ' ' + Live.zoneLabel() : '');
    } else {
      box.style.removeProperty('--svc');
      Live.setText($('c-ticket'), state === 'paused' ? t('paused') : '—');
      $('c-ticket-letter').hidden = true;
      Live.setText($('c-ticket-service'), state === 'paused' ? '' : t('no_ticket', ''));
      $('c-ticket-priority').hidden = true;
      Live.setText($('c-ticket-time'), '');
    }
    Live.setText($('c-pause-label'), state === 'paused' ? t('resume') : t('pause'));
    buttons.pause.classList.toggle('is-resume', state === 'paused');
    renderWaiting();
    renderHistory();
    updateButtons();
  }

  function totalWaiting() {
    var total = 0;
    (view.services || []).forEach(function (code) { total += Number(view.waiting[code] || 0); });
    return total;
  }

  function renderWaiting() {
    var list = $('c-waiting');
    Live.clear(list);
    (view.services || []).forEach(function (code) {
      var sv = service(code);
      var n = Number(view.waiting[code] || 0);
      list.appendChild(el('li', { class: 'c-wait' + (n ? '' : ' is-zero'), style: { '--svc': Live.safeColor(sv && sv.color) },
                                  dataset: { service: code } }, [
        el('span', { class: 'letter', text: code }),
        el('span', { class: 'c-wait-name', text: sv ? sv.name : code }),
        el('span', { class: 'c-wait-count num', text: String(n) })
      ]));
    });
    var total = totalWaiting();
    Live.setText($('c-next-count'), total ? String(total) + ' ' + t('waiting').toLowerCase() : t('nobody_waiting'));
    buttons['call-next'].classList.toggle('is-nobody', !total);
  }

  function renderHistory() {
    var list = $('c-history');
    Live.clear(list);
    var history = view.history || [];
    history.forEach(function (h, i) {
      // A recall is a `called` right after a `called` of the same ticket (unless the server says).
      var older = history[i + 1];
      var recall = h.type === 'called' && (h.recall !== undefined ? !!h.recall
        : !!(older && older.type === 'called' && older.ticket === h.ticket));
      list.appendChild(el('li', { class: 'c-hist is-' + h.type + (recall ? ' is-recall' : '') }, [
        el('span', { class: 'c-hist-time num', text: h.at ? Live.fmtTime(h.at) : '' }),
        el('span', { class: 'c-hist-ticket num', text: h.ticket || '' }),
        el('span', { class: 'c-hist-type', text: recall ? t('ev_recalled', 'Dipanggil ulang') : (EVENT_LABELS[h.type] || h.type) })
      ]));
    });
    $('c-history-empty').hidden = (view.history || []).length > 0;
  }

  function allowed(action) {
    var serving = !!view.ticket;
    var paused = view.state === 'paused';
    switch (action) {
      case 'call-next': return !paused;
      case 'recall': case 'skip': case 'finish': case 'transfer': return serving;
      case 'pause': return paused || !serving;     // pause when idle, resume when paused
      default: return false;
    }
  }

  function updateButtons() {
    Object.keys(buttons).forEach(function (action) {
      buttons[action].disabled = sessionOver || inFlight || !allowed(action);
    });
    document.body.classList.toggle('is-busy', inFlight);
  }

  function showMessage(text, kind) {
    var node = $('c-message');
    clearTimeout(messageTimer);
    if (!text) { node.hidden = true; return; }
    node.className = 'c-message is-' + (kind || 'error');
    Live.setText(node, text);
    node.hidden = false;
    messageTimer = setTimeout(function () { node.hidden = true; }, 8000);
  }

  // ---- talking to the server -------------------------------------------------------------------
  /** The log-in has ended (expired, logged out elsewhere, account disabled): say so, with the
   *  way back: a link to the log-in page that returns to this counter. Nothing else works now. */
  var sessionOver = false;
  function sessionEnded() {
    sessionOver = true;
    showMessage('');
    closeTransfer();
    $('c-session').hidden = false;
    updateButtons();
    $('c-login').focus({ preventScroll: false });
  }

  function accept(body) {
    if (!body || body.id !== counterId) return;
    view = body;
    view.waiting = view.waiting || {};
    view.history = view.history || [];
    render();
  }

  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = null;
    return Live.api('GET', '/api/counters/' + counterId, undefined, { timeout: 6000 }).then(function (res) {
      if (res.ok) accept(res.data);
      else if (res.status === 401) sessionEnded();
    });
  }

  function scheduleRefresh() {
    if (!refreshTimer) refreshTimer = setTimeout(refresh, 150);
  }

  /** Why a key did nothing (a keypad user cannot see a greyed-out button across the desk). */
  function refusal(action) {
    if (action === 'call-next') return t('resume_first', 'Loket sedang istirahat.');
    if (action === 'pause') return t('finish_first', 'Selesaikan tiket dulu.');
    return t('no_current_ticket', 'Tidak ada tiket yang sedang dilayani.');
  }

  function act(action, body) {
    if (sessionOver) { $('c-login').click(); return; }      // Enter on the keypad: log in again
    if (inFlight) return;
    if (!allowed(action)) { showMessage(refusal(action), 'warn'); return; }
    if (action === 'transfer' && !body) { openTransfer(); return; }
    if (action === 'pause' && view.state === 'paused') action = 'resume';
    inFlight = true;
    updateButtons();
    showMessage('');
    var key = Live.uid();                   // one key per press; retries reuse it
    Live.api('POST', '/api/counters/' + counterId + '/' + action, body || {}, { key: key, retries: 2, timeout: 8000 })
      .then(function (res) {
        inFlight = false;
        if (res.ok) {
          accept(res.data);
        } else if (res.status === 401) {
          sessionEnded();
        } else if (res.status === 400 && /^CSRF/.test((res.data && res.data.error) || '')) {
          // Logged in again elsewhere: this page's form token is stale. Reload for a fresh one.
          showMessage(t('session_expired', 'Sesi berakhir.'), 'warn');
          setTimeout(function () { global.location.reload(); }, 1500);
        } else {
          showMessage((res.data && res.data.error) || t('network_error'), res.status === 409 ? 'warn' : 'error');
        }
        updateButtons();
        refresh();
      });
  }

  // ---- transfer chooser ------------------------------------------------------------------------
  function openTransfer() {
    if (!view.ticket) return;
    var list = $('transfer-list');
    Live.clear(list);
    Live.setText($('transfer-ticket'), view.ticket.number);
    services.filter(function (sv) { return sv.code !== view.ticket.service; }).forEach(function (sv) {
      list.appendChild(el('button', {
        type: 'button', class: 'c-transfer', style: { '--svc': Live.safeColor(sv.color) },
        dataset: { service: sv.code, testid: 'transfer-' + sv.code },
        onclick: function () { closeTransfer(); act('transfer', { service: sv.code }); }
      }, [
        el('span', { class: 'letter', text: sv.code }),
        el('span', { class: 'c-transfer-name', text: sv.name }),
        el('span', { class: 'c-transfer-wait num', text: String(sv.waiting || 0) })
      ]));
    });
    modal.hidden = false;
    var first = list.querySelector('button');
    if (first) first.focus({ preventScroll: true });
  }

  function closeTransfer() { modal.hidden = true; }

  $('transfer-cancel').addEventListener('click', closeTransfer);
  modal.addEventListener('click', function (e) { if (e.target === modal) closeTransfer(); });

  // ---- buttons and keypad -----------------------------------------------------------------------
  Object.keys(buttons).forEach(function (action) {
    buttons[action].addEventListener('click', function () {
      buttons[action].blur();                 // Enter on the keypad must not re-press this button
      act(action);
    });
  });

  var KEYS = { n: 'call-next', r: 'recall', s: 'skip', f: 'finish', t: 'transfer', p: 'pause' };
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    var tag = (e.target && e.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    var key = (e.key || '').toLowerCase();
    if (!modal.hidden) {
      if (key === 'escape' || key === 'backspace') { e.preventDefault(); closeTransfer(); return; }
      if (key.length === 1) {                 // a letter picks that agency
        var pick = modal.querySelector('[data-service="' + key.toUpperCase() + '"]');
        if (pick) { e.preventDefault(); pick.click(); }
      }
      return;                                 // Enter/Space act on the focused agency
    }
    var action = key === 'enter' ? 'call-next' : KEYS[key];
    if (!action) return;
    e.preventDefault();
    if (e.repeat) return;                     // a held key is one press
    act(action);
  });

  // ---- live updates -----------------------------------------------------------------------------
  function onState(snap) {
    if (snap.services) services = snap.services;
    refresh();
  }

  function onEvent(ev) {
    var mine = ev.counter && ev.counter.id === counterId;
    var myService = (view.services || []).indexOf(ev.service) >= 0 ||
      (ev.type === 'transferred' && (view.services || []).indexOf(ev.source) >= 0);
    if (ev.waiting) {
      services.forEach(function (sv) {
        if (Object.prototype.hasOwnProperty.call(ev.waiting, sv.code)) sv.waiting = ev.waiting[sv.code];
      });
      (view.services || []).forEach(function (code) {
        if (Object.prototype.hasOwnProperty.call(ev.waiting, code)) view.waiting[code] = ev.waiting[code];
      });
      renderWaiting();
    }
    if (mine || myService) scheduleRefresh();
  }

  render();
  refresh();
  Live.connect({ page: 'counter', name: view.name || ('counter ' + counterId), onState: onState, onEvent: onEvent });
})(window);
