/*
 * Kiosk (touch screen): pick an agency, get a ticket, see it large, print it.
 * ?paper=58|80 chooses the thermal roll (default 80), ?print=0 turns automatic printing off.
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var el = Live.el, t = Live.t;
  var BACK_AFTER_S = 10;

  var root = document.getElementById('kiosk');
  var autoPrint = root.dataset.autoprint !== '0';
  var pairing = root.dataset.pairing === '1';
  var $ = function (id) { return document.getElementById(id); };
  var grid = $('services');
  var priorityBtn = $('priority');
  var overlay = $('overlay');

  var services = [];
  var busy = false;
  var backTimer = null, countdownTimer = null;

  // ---- clock --------------------------------------------------------------------------------
  function tick() {
    var n = Live.now();
    Live.setText($('k-time'), Live.fmtTime(n));
    Live.setText($('k-zone'), Live.zoneLabel());
    Live.setText($('k-date'), Live.fmtDate(n));
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }

  // ---- the agency buttons -------------------------------------------------------------------
  function render() {
    grid.setAttribute('aria-busy', 'false');
    Live.clear(grid);
    grid.style.setProperty('--count', services.length);
    services.forEach(function (sv) {
      var open = !!sv.open;
      var waiting = Number(sv.waiting || 0);
      var button = el('button', {
        type: 'button',
        class: 'k-service' + (open ? '' : ' is-closed'),
        style: { '--svc': Live.safeColor(sv.color) },
        dataset: { service: sv.code, testid: 'service-' + sv.code },
        disabled: !open || busy,
        'aria-disabled': open ? 'false' : 'true',
        onclick: function () { issue(sv); }
      }, [
        el('span', { class: 'k-letter', text: sv.prefix || sv.code }),
        el('span', { class: 'k-service-body' }, [
          el('span', { class: 'k-service-name', text: sv.name }),
          open
            ? el('span', { class: 'k-service-wait' }, [
                t('waiting') + ': ',
                el('strong', { class: 'num', text: String(waiting) }),
                ' ' + t('people')
              ])
            : el('span', { class: 'k-service-closed' }, [
                el('span', { class: 'k-closed-badge', text: t('closed') }),
                el('span', { class: 'k-closed-reason', text: sv.closed_reason || '' })
              ])
        ])
      ]);
      grid.appendChild(button);
    });
  }

  function setBusy(value, code) {
    busy = value;
    Array.prototype.forEach.call(grid.querySelectorAll('.k-service'), function (b) {
      var sv = services.filter(function (s) { return s.code === b.dataset.service; })[0];
      b.disabled = value || !(sv && sv.open);
      b.classList.toggle('is-busy', value && b.dataset.service === code);
    });
  }

  // ---- issuing --------------------------------------------------------------------------------
  function issue(sv) {
    if (busy || !sv.open) return;
    var priority = priorityBtn.getAttribute('aria-pressed') === 'true';
    setBusy(true, sv.code);
    // One key per tap: a retry after a time-out gets the same ticket, never a second one.
    Live.api('POST', '/api/tickets', { service: sv.code, priority: priority },
             { timeout: 10000, retries: 2, key: Live.uid() })
      .then(function (res) {
        setBusy(false);
        if (res.status === 201 && res.data && res.data.number) showTicket(res.data);
        else showError(res.data && res.data.error);
      });
  }

  function fillTicket(ticket) {
    var when = Live.fmtTime(ticket.issued_at) + ' ' + Live.zoneLabel();
    var date = Live.fmtDate(ticket.issued_at);
    var ahead = String(ticket.ahead === undefined ? '' : ticket.ahead);
    Live.setText($('ticket-number'), ticket.number);
    Live.setText($('ticket-service'), ticket.service_name);
    Live.setText($('ticket-ahead'), ahead);
    Live.setText($('ticket-time'), date + ', ' + when);
    $('ticket-priority').hidden = !ticket.priority;
    // the paper slip
    Live.setText($('slip-number'), ticket.number);
    Live.setText($('slip-service'), ticket.service_name);
    Live.setText($('slip-ahead'), ahead + ' ' + t('people'));
    Live.setText($('slip-time'), when);
    Live.setText($('slip-date'), date);
    $('slip-priority').hidden = !ticket.priority;
    var sv = services.filter(function (s) { return s.code === ticket.service; })[0];
    $('result').style.setProperty('--svc', Live.safeColor(sv && sv.color));
  }

  function showTicket(ticket) {
    fillTicket(ticket);
    $('ticket-view').hidden = false;
    $('error-view').hidden = true;
    $('reprint').hidden = false;
    openOverlay();
    setPriority(false);
    if (autoPrint) setTimeout(printSlip, 150);    // let the slip lay out first
  }

  function showError(message) {
    Live.setText($('error-message'), message || t('network_error'));
    $('ticket-view').hidden = true;
    $('error-view').hidden = false;
    $('reprint').hidden = true;
    openOverlay();
  }

  function printSlip() {
    try { global.print(); } catch (e) { /* no printer: the number is on screen */ }
  }

  // ---- overlay and the way back ---------------------------------------------------------------
  function openOverlay() {
    overlay.hidden = false;
    document.body.classList.add('has-overlay');
    startCountdown();
    $('done').focus({ preventScroll: true });
  }

  function closeOverlay() {
    overlay.hidden = true;
    document.body.classList.remove('has-overlay');
    clearTimeout(backTimer);
    clearInterval(countdownTimer);
    setPriority(false);
  }

  function startCountdown() {
    clearTimeout(backTimer);
    clearInterval(countdownTimer);
    var left = BACK_AFTER_S;
    var bar = $('countdown-bar');
    Live.setText($('countdown'), String(left));
    bar.style.transition = 'none';
    bar.style.width = '100%';
    void bar.offsetWidth;
    bar.style.transition = 'width ' + BACK_AFTER_S + 's linear';
    bar.style.width = '0%';
    countdownTimer = setInterval(function () {
      left = Math.max(0, left - 1);
      Live.setText($('countdown'), String(left));
    }, 1000);
    backTimer = setTimeout(closeOverlay, BACK_AFTER_S * 1000);
  }

  function setPriority(on) {
    priorityBtn.setAttribute('aria-pressed', on ? 'true' : 'false');
    root.classList.toggle('is-priority', on);
  }

  if (pairing) {
    tick();
    var live = Live.connect({ page: 'kiosk', onDevice: global.Pairing.onDevice(false) });
    global.Pairing.start('kiosk', $('pairing-code'), live);
    return;
  }

  priorityBtn.addEventListener('click', function () {
    setPriority(priorityBtn.getAttribute('aria-pressed') !== 'true');
  });
  $('done').addEventListener('click', closeOverlay);
  $('reprint').addEventListener('click', function () { printSlip(); startCountdown(); });
  overlay.addEventListener('click', function (e) { if (e.target === overlay) closeOverlay(); });
  // A kiosk is a public touch screen: no long-press menus.
  document.addEventListener('contextmenu', function (e) { e.preventDefault(); });

  // ---- live data ----------------------------------------------------------------------------
  function onState(snap) {
    if (snap.hall && snap.hall.name) {
      Live.setText($('k-hall'), snap.hall.name);
      Live.setText($('slip-hall'), snap.hall.name);
    }
    Live.applyLogo(document.querySelector('.k-mark'), snap.hall && snap.hall.logo);
    services = snap.services || [];
    render();
    if (busy) setBusy(true);
  }

  function onEvent(ev) {
    if (!ev.waiting) return;
    var changed = false;
    services.forEach(function (sv) {
      if (Object.prototype.hasOwnProperty.call(ev.waiting, sv.code) && sv.waiting !== ev.waiting[sv.code]) {
        sv.waiting = ev.waiting[sv.code];
        changed = true;
      }
    });
    if (changed) {
      Array.prototype.forEach.call(grid.querySelectorAll('.k-service'), function (b) {
        var count = b.querySelector('.k-service-wait strong');
        if (count && Object.prototype.hasOwnProperty.call(ev.waiting, b.dataset.service)) {
          Live.setText(count, String(ev.waiting[b.dataset.service]));
        }
      });
    }
  }

  tick();
  Live.connect({ page: 'kiosk', onState: onState, onEvent: onEvent,
                onDevice: global.Pairing.onDevice(root.dataset.paired === '1') });
})(window);
