/*
 * Kiosk (touch screen): pick an agency, get a ticket, see it large, have it printed.
 *
 * - Every agency is reachable at every screen size: the tiles are laid out to fit the screen
 *   (columns chosen for the largest readable names); only when they cannot fit does the list
 *   scroll (swipe or wheel), with a hint that there is more.
 * - Printing: the kiosk's printer is set in the console. An ESC/POS printer is driven by the
 *   server (the answer's `print` says so; the outcome arrives as a `printer` socket event), the
 *   browser path calls window.print() (silent under Chromium --kiosk-printing). A printer
 *   problem never hides the number: it stays large on the screen, longer, with what to do.
 * - Each visitor starts fresh: after a ticket, or 60 s without a touch, back to the first screen
 *   and to Indonesian (English is only ever this page's ?lang=en, never remembered).
 * - Closed agencies and a closed hall say when they open next (from the server: hours, holidays).
 * ?paper=58|80 overrides the roll of the browser path, ?print=0 turns automatic printing off.
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var el = Live.el, t = Live.t;
  var BACK_AFTER_S = 10;          // the ticket stays this long
  var BACK_AFTER_PROBLEM_S = 30;  // ... and this long when it could not be printed (photo, pen)
  var IDLE_RESET_MS = 60000;      // a minute without a touch: the next visitor starts fresh
  var MIN_NAME_PX = 15, MAX_NAME_PX = 34;

  var root = document.getElementById('kiosk');
  var autoPrint = root.dataset.autoprint !== '0';
  var pairing = root.dataset.pairing === '1';
  var printMode = root.dataset.printMode || 'browser';
  var english = root.dataset.lang === 'en';
  var $ = function (id) { return document.getElementById(id); };
  var grid = $('services');
  var wrap = $('services-wrap');
  var priorityBtn = $('priority');
  var overlay = $('overlay');

  var services = [];
  var hallInfo = {};
  var busy = false;
  var backTimer = null, countdownTimer = null, idleTimer = null;
  var currentJob = null;          // the print job of the ticket on screen (server printing)
  var printerState = null;

  // ---- clock --------------------------------------------------------------------------------
  function tick() {
    var n = Live.now();
    Live.setText($('k-time'), Live.fmtTime(n));
    Live.setText($('k-zone'), Live.zoneLabel());
    Live.setText($('k-date'), Live.fmtDate(n));
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }

  /** Why a service is closed, in the kiosk's language (the server says both). */
  function closedReason(sv) {
    return (english && sv.closed_reason_en) || sv.closed_reason || '';
  }

  function opensText(sv) {
    var opens = sv && sv.opens;
    var words = opens && (english ? opens.en : opens.id);
    return words ? t('opens_again') + ' ' + words : '';
  }

  // ---- the agency buttons -------------------------------------------------------------------
  function render() {
    grid.setAttribute('aria-busy', 'false');
    Live.clear(grid);
    services.forEach(function (sv) {
      var open = !!sv.open;
      var waiting = Number(sv.waiting || 0);
      var when = open ? '' : opensText(sv);
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
                el('span', { class: 'k-closed-reason', text: closedReason(sv) }),
                when ? el('span', { class: 'k-closed-when', text: when, dataset: { testid: 'opens-' + sv.code } }) : null
              ])
        ])
      ]);
      grid.appendChild(button);
    });
    renderHallClosed();
    layout();
  }

  /*
   * Fit the tiles to the screen. For each column count the tile size follows; the estimated
   * name size that fits the longest name decides (bigger is better). Then the real names are
   * measured and the size stepped down until every tile holds its text whole. If even the
   * smallest readable size does not fit, the list scrolls instead (tiles as tall as they need).
   */
  function layout() {
    if (!grid || !services.length) return;
    var style = global.getComputedStyle(wrap);
    var W = wrap.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    var H = wrap.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    var n = services.length;
    var gap = Math.max(10, Math.min(20, Math.round(Math.min(W, H) / 60)));
    var longest = services.reduce(function (m, s) {
      var extra = s.open ? 0 : 24 + (opensText(s).length + closedReason(s).length) * 0.55;
      return Math.max(m, String(s.name || '').length + extra);
    }, 10);
    var longestWord = services.reduce(function (m, s) {
      return String(s.name || '').split(/\s+/).reduce(function (k, w) { return Math.max(k, w.length); }, m);
    }, 8);
    var best = null;
    var scrolled = wrap.scrollTop;          // a re-layout (a new snapshot) keeps the visitor's place
    for (var cols = 1; cols <= Math.min(n, 6); cols++) {
      var rows = Math.ceil(n / cols);
      var tw = (W - (cols - 1) * gap) / cols, th = (H - (rows - 1) * gap) / rows;
      if (tw < 210) break;
      var letter = Math.min(th * 0.8, tw * 0.26, 124);
      var bodyW = tw - letter - 28, bodyH = th - 20;
      var size = MAX_NAME_PX;
      while (size > MIN_NAME_PX) {
        var perLine = Math.max(1, Math.floor(bodyW / (size * 0.56)));
        var lines = Math.ceil(longest / perLine);
        if (lines * size * 1.2 + size * 1.5 <= bodyH && longestWord * size * 0.64 <= bodyW) break;
        size -= 1;
      }
      var score = size + Math.min(th, 200) / 400;
      if (th >= 64 && (!best || score > best.score)) best = { cols: cols, rows: rows, size: size, score: score, th: th, tw: tw, letter: letter };
    }
    grid.classList.remove('is-scrolling');
    if (!best) best = { cols: Math.max(1, Math.floor((W + gap) / (230 + gap))), size: 18, th: 0, letter: 90 };
    grid.style.setProperty('--cols', String(best.cols));
    grid.style.setProperty('--gap', gap + 'px');
    grid.style.setProperty('--letter', Math.max(56, Math.round(best.letter)) + 'px');
    var size = best.size;
    grid.style.setProperty('--name', size + 'px');
    while (overflowing() && size > MIN_NAME_PX) {
      size -= 1;
      grid.style.setProperty('--name', size + 'px');
    }
    if (overflowing()) {                        // the fallback: rows as tall as they need, scroll
      grid.classList.add('is-scrolling');
      grid.style.setProperty('--name', Math.max(size, 17) + 'px');
      wrap.scrollTop = scrolled;
    }
    updateMoreHint();
  }

  function overflowing() {
    var bodies = grid.querySelectorAll('.k-service-body');
    for (var i = 0; i < bodies.length; i++) {
      var b = bodies[i];
      if (b.scrollHeight > b.clientHeight + 1 || b.scrollWidth > b.clientWidth + 1) return true;
    }
    return false;
  }

  function updateMoreHint() {
    var more = $('more-hint');
    if (!more) return;
    more.hidden = wrap.scrollHeight - wrap.clientHeight - wrap.scrollTop <= 8;
  }

  function renderHallClosed() {
    var box = $('hall-closed');
    if (!box) return;
    var anyOpen = services.some(function (s) { return s.open; });
    if (anyOpen || !services.length) { box.hidden = true; return; }
    var first = null;
    services.forEach(function (s) {
      if (s.opens && s.opens.at && (!first || s.opens.at < first.opens.at)) first = s;
    });
    Live.setText($('hall-closed-when'), first ? opensText(first) : t('hall_closed_unknown'));
    box.hidden = false;
  }

  function renderHours() {
    var rows = Live.clear($('hours-rows'));
    (hallInfo.hours || []).forEach(function (d) {
      rows.appendChild(el('tr', { dataset: { day: d.day } }, [
        el('th', { text: t('m_day_' + d.day) }),
        el('td', { class: 'num', text: d.opens ? d.opens.replace(':', '.') + '–' + d.closes.replace(':', '.') + ' ' + Live.zoneLabel() : t('hours_closed_day') })
      ]));
    });
    var list = Live.clear($('holiday-rows'));
    (hallInfo.holidays || []).forEach(function (h) {
      list.appendChild(el('li', {}, [el('span', { class: 'num', text: Live.fmtDate(h.date + 'T12:00:00Z') }), ' — ', h.name]));
    });
    $('holidays-title').hidden = !(hallInfo.holidays || []).length;
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
    // the paper slip of the browser path
    Live.setText($('slip-number'), ticket.number);
    Live.setText($('slip-service'), ticket.service_name);
    Live.setText($('slip-ahead'), ahead + ' ' + t('people'));
    Live.setText($('slip-time'), when);
    Live.setText($('slip-date'), date);
    $('slip-priority').hidden = !ticket.priority;
    // the estimate (estimate.py), a range in the kiosk's language; the ticket's own page has it live
    var estimate = ticket.estimate && (english ? ticket.estimate.text_en : ticket.estimate.text);
    $('ticket-estimate-row').hidden = !estimate;
    $('slip-estimate-row').hidden = !estimate;
    Live.setText($('ticket-estimate'), estimate || '');
    Live.setText($('slip-estimate'), estimate || '');
    var sv = services.filter(function (s) { return s.code === ticket.service; })[0];
    $('result').style.setProperty('--svc', Live.safeColor(sv && sv.color));
  }

  function showTicket(ticket) {
    fillTicket(ticket);
    $('ticket-view').hidden = false;
    $('error-view').hidden = true;
    var print = ticket.print || { mode: printMode };
    currentJob = print.mode === 'server' ? print.job : null;
    var qr = print.qr || ticket.qr;      // the ticket's own page (/t/<token>), also for a kiosk token
    qr = typeof qr === 'string' && qr.indexOf('data:image/svg+xml;base64,') === 0 ? qr : '';
    $('ticket-qr-box').hidden = !qr;
    $('ticket-qr-box').classList.remove('is-large');
    if (qr) $('ticket-qr').setAttribute('src', qr); else $('ticket-qr').removeAttribute('src');
    $('slip-qr').hidden = !qr;                      // the browser path's slip carries it too
    if (qr) $('slip-qr').setAttribute('src', qr); else $('slip-qr').removeAttribute('src');
    $('reprint').hidden = print.mode === 'none';
    setPrintStatus(null);
    if (global.KioskPhone) global.KioskPhone.show(ticket);
    openOverlay();
    setPriority(false);
    if (print.mode === 'server') {
      if (print.state === 'printed') setPrintStatus('printed');
      else if (print.state === 'waiting') showPrintProblem(print.detail || pstate(print.printer));
      else setPrintStatus('printing');
    } else if (print.mode !== 'none' && autoPrint) {
      setTimeout(function () { printSlip(); setPrintStatus('browser'); }, 150);    // let the slip lay out first
    }
  }

  function setPrintStatus(what) {
    var line = $('print-status');
    $('print-problem').hidden = true;
    line.className = 'k-print-status' + (what ? ' is-' + what : '');
    if (!what) { line.hidden = true; return; }
    Live.setText(line, t({ printing: 'print_printing', printed: 'print_done', browser: 'print_browser' }[what]));
    line.hidden = false;
  }

  function showPrintProblem(detail) {
    $('print-status').hidden = true;
    $('ticket-qr-box').classList.add('is-large');          // no paper: the QR is the ticket to photograph
    Live.setText($('print-problem-detail'), detail || '');
    $('print-problem').hidden = false;
    if (!overlay.hidden) startCountdown(BACK_AFTER_PROBLEM_S);
  }

  function pstate(state) { return t('pstate_' + (state || 'unknown')); }

  function showError(message) {
    Live.setText($('error-message'), message || t('network_error'));
    $('ticket-view').hidden = true;
    $('error-view').hidden = false;
    $('reprint').hidden = true;
    currentJob = null;
    openOverlay();
  }

  function printSlip() {
    try { global.print(); } catch (e) { /* no printer: the number is on screen */ }
  }

  function reprint() {
    if (currentJob) {
      setPrintStatus('printing');
      Live.api('POST', '/api/kiosk/reprint', { job: currentJob }, { timeout: 8000 }).then(function (res) {
        if (res.status === 201 && res.data) {
          currentJob = res.data.job;
          if (res.data.state === 'waiting') showPrintProblem(res.data.detail || pstate(res.data.printer));
        } else {
          showPrintProblem(res.data && res.data.error);
        }
      });
    } else {
      printSlip();
    }
    startCountdown();
  }

  // What the server says about this kiosk's printer and its jobs.
  function onPrinter(info) {
    if (!info) return;
    if (info.printer) {
      printerState = info.printer;
      var bad = ['paper_out', 'cover_open', 'offline'].indexOf(printerState.state) >= 0 &&
                ['network', 'usb', 'serial'].indexOf(printerState.kind) >= 0;
      var notice = $('printer-notice');
      if (notice) {
        Live.setText($('printer-notice-text'), pstate(printerState.state) + '. ' + t('printer_printing_anyway'));
        if (notice.hidden === bad) { notice.hidden = !bad; layout(); }   // the tiles get less (or more) room
      }
    }
    var job = info.print;
    if (job && currentJob && job.job === currentJob && !overlay.hidden) {
      if (job.state === 'printed') setPrintStatus('printed');
      else if ($('print-problem').hidden) showPrintProblem(job.detail || pstate(job.printer));
      else Live.setText($('print-problem-detail'), job.detail || pstate(job.printer));
    }
  }

  // ---- overlay and the way back ---------------------------------------------------------------
  function openOverlay() {
    overlay.hidden = false;
    document.body.classList.add('has-overlay');
    startCountdown();
    $('done').focus({ preventScroll: true });
  }

  function closeOverlay() {
    var wasOpen = !overlay.hidden;
    overlay.hidden = true;
    document.body.classList.remove('has-overlay');
    clearTimeout(backTimer);
    clearInterval(countdownTimer);
    currentJob = null;
    setPriority(false);
    if (wasOpen) freshStart();
  }

  function startCountdown(seconds) {
    clearTimeout(backTimer);
    clearInterval(countdownTimer);
    var total = seconds || (!$('print-problem').hidden ? BACK_AFTER_PROBLEM_S : BACK_AFTER_S);
    var left = total;
    var bar = $('countdown-bar');
    Live.setText($('countdown'), String(left));
    bar.style.transition = 'none';
    bar.style.width = '100%';
    void bar.offsetWidth;
    bar.style.transition = 'width ' + total + 's linear';
    bar.style.width = '0%';
    countdownTimer = setInterval(function () {
      left = Math.max(0, left - 1);
      Live.setText($('countdown'), String(left));
    }, 1000);
    backTimer = setTimeout(closeOverlay, total * 1000);
  }

  function setPriority(on) {
    priorityBtn.setAttribute('aria-pressed', on ? 'true' : 'false');
    root.classList.toggle('is-priority', on);
  }

  /** The next visitor's first screen: Indonesian, nothing chosen, the list at its top. */
  function freshStart() {
    if (english) {
      var params = new URLSearchParams(global.location.search);
      params.delete('lang');
      var query = params.toString();
      global.location.replace(global.location.pathname + (query ? '?' + query : ''));
      return;
    }
    setPriority(false);
    $('hours').hidden = true;
    wrap.scrollTop = 0;
    updateMoreHint();
  }

  function touched() {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (!overlay.hidden) closeOverlay(); else freshStart();
    }, IDLE_RESET_MS);
  }

  if (pairing) {
    tick();
    var live = Live.connect({ page: 'kiosk', onDevice: global.Pairing.onDevice('kiosk', false) });
    global.Pairing.start('kiosk', $('pairing-code'), live);
    return;
  }

  priorityBtn.addEventListener('click', function () {
    setPriority(priorityBtn.getAttribute('aria-pressed') !== 'true');
  });
  $('done').addEventListener('click', closeOverlay);
  $('reprint').addEventListener('click', reprint);
  overlay.addEventListener('click', function (e) { if (e.target === overlay) closeOverlay(); });
  $('hours-open').addEventListener('click', function () { renderHours(); $('hours').hidden = false; });
  $('hours-close').addEventListener('click', function () { $('hours').hidden = true; });
  $('hours').addEventListener('click', function (e) { if (e.target === $('hours')) $('hours').hidden = true; });
  wrap.addEventListener('scroll', updateMoreHint, { passive: true });
  ['pointerdown', 'keydown', 'wheel', 'touchstart'].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true, capture: true });
  });
  var resizeTimer = null;
  global.addEventListener('resize', function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(layout, 100); });
  // A kiosk is a public touch screen: no long-press menus.
  document.addEventListener('contextmenu', function (e) { e.preventDefault(); });

  // ---- live data ----------------------------------------------------------------------------
  function onState(snap) {
    if (snap.hall && snap.hall.name) {
      Live.setText($('k-hall'), snap.hall.name);
      Live.setText($('slip-hall'), snap.hall.name);
    }
    hallInfo = snap.hall || {};
    Live.applyLogo(document.querySelector('.k-mark'), snap.hall && snap.hall.logo);
    services = snap.services || [];
    render();
    if (busy) setBusy(true);
    if (!$('hours').hidden) renderHours();
  }

  function onEvent(ev) {
    if (!ev.waiting) return;
    Array.prototype.forEach.call(grid.querySelectorAll('.k-service'), function (b) {
      var code = b.dataset.service;
      if (!Object.prototype.hasOwnProperty.call(ev.waiting, code)) return;
      services.forEach(function (sv) { if (sv.code === code) sv.waiting = ev.waiting[code]; });
      var count = b.querySelector('.k-service-wait strong');
      if (count) Live.setText(count, String(ev.waiting[code]));
    });
  }

  // For kiosk-phone.js (the WhatsApp keypad on the ticket): hold the way back while a visitor
  // types, let it run again after.
  global.Kiosk = { hold: function () { clearTimeout(backTimer); clearInterval(countdownTimer); },
                   release: function () { if (!overlay.hidden) startCountdown(); } };

  tick();
  touched();
  var connection = Live.connect({ page: 'kiosk', onState: onState, onEvent: onEvent,
                                  onDevice: global.Pairing.onDevice('kiosk', root.dataset.paired === '1') });
  connection.socket.on('printer', onPrinter);
  if (root.dataset.paired === '1' && printMode === 'server') {
    Live.api('GET', '/api/kiosk/printer').then(function (res) { if (res.ok) onPrinter({ printer: res.data }); });
  }
})(window);
