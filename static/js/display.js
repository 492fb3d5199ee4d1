/*
 * Hall display (TV): newest call large, every counter's ticket, last calls, waiting per agency,
 * running text, clock in hall time. ?services=A,B limits counters, calls and waiting.
 *
 * Hooks for speaker.js (loaded first): Display.onCalled(event) for every `called` event this
 * screen shows (recalls too), Display.onAnnounce(event), Display.onSnapshot(snapshot, info).
 * Display.markSpeaking(seq, waiting) lights the call being spoken and those still to be spoken
 * (from this screen's own speaker, or relayed by the server from its zone's speaker: `speaking`).
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var el = Live.el, t = Live.t;
  var HIGHLIGHT_MS = 8000;
  var MAX_CALLS = 10;

  var root = document.getElementById('display');
  var only = [];
  try { only = JSON.parse(root.dataset.services || '[]') || []; } catch (e) { only = []; }
  var speaker = root.dataset.speaker === '1';
  var speakerZone = root.dataset.zone || '';
  var speakingNow = null, speakingWaiting = [];   // seqs: being spoken, still to be spoken
  var screenName = root.dataset.name || '';

  var nodes = {
    hall: document.getElementById('d-hall'),
    time: document.getElementById('d-time'),
    zone: document.getElementById('d-zone'),
    date: document.getElementById('d-date'),
    hero: document.getElementById('hero'),
    heroNumber: document.getElementById('hero-number'),
    heroCounter: document.getElementById('hero-counter'),
    heroService: document.getElementById('hero-service'),
    heroRecall: document.getElementById('hero-recall'),
    heroLabel: document.getElementById('hero-label-call'),
    heroPriority: document.getElementById('hero-priority'),
    calls: document.getElementById('calls'),
    callsEmpty: document.getElementById('calls-empty'),
    counters: document.getElementById('counters'),
    waiting: document.getElementById('waiting'),
    ticker: document.getElementById('ticker'),
    track: document.getElementById('ticker-track')
  };

  var S = { services: [], counters: [], calls: [], running: null, hall: null };
  var highlightTimer = null;
  var newestShownSeq = null;     // the call in the big panel
  var tickerKey = null;

  // ---- scope --------------------------------------------------------------------------------
  function inScope(code) { return !only.length || only.indexOf(code) >= 0; }
  function counterInScope(c) { return !only.length || (c.services || []).some(inScope); }
  function service(code) {
    for (var i = 0; i < S.services.length; i++) if (S.services[i].code === code) return S.services[i];
    return null;
  }
  function colorOf(code) { var sv = service(code); return Live.safeColor(sv && sv.color); }
  /** What the TV calls an agency or a counter: the short name a manager set, else the name. */
  function label(item) { return item ? String(item.short_name || item.name || '') : ''; }
  function serviceLabel(code, fallback) { var sv = service(code); return sv ? label(sv) : (fallback || ''); }
  function counterLabel(counter) {
    if (!counter) return '';
    for (var i = 0; i < S.counters.length; i++) if (S.counters[i].id === counter.id) return label(S.counters[i]);
    return label(counter);
  }
  function visibleCalls() {
    var seen = {};
    return S.calls.filter(function (c) {
      if (!inScope(c.service) || !c.ticket || seen[c.ticket]) return false;
      seen[c.ticket] = true;
      return true;
    });
  }

  // ---- clock --------------------------------------------------------------------------------
  function tick() {
    var n = Live.now();
    Live.setText(nodes.time, Live.fmtTime(n, true));
    Live.setText(nodes.zone, Live.zoneLabel());
    Live.setText(nodes.date, Live.fmtDate(n));
    setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  }

  // ---- rendering ----------------------------------------------------------------------------
  function renderHero(call, fresh) {
    if (!call) {
      Live.setText(nodes.heroNumber, '—');
      Live.setText(nodes.heroCounter, '');
      Live.setText(nodes.heroService, '');
      nodes.heroRecall.hidden = true;
      nodes.heroLabel.hidden = false;
      nodes.heroPriority.hidden = true;
      nodes.hero.classList.add('is-empty');
      scheduleFit();
      return;
    }
    nodes.hero.classList.remove('is-empty');
    nodes.hero.style.setProperty('--svc', colorOf(call.service));
    Live.setText(nodes.heroNumber, call.ticket);
    Live.setText(nodes.heroCounter, counterLabel(call.counter));
    Live.setText(nodes.heroService, serviceLabel(call.service, call.service_name));
    nodes.heroRecall.hidden = !call.recall;
    nodes.heroLabel.hidden = !!call.recall;
    nodes.heroPriority.hidden = !call.priority;
    newestShownSeq = call.seq;
    applySpeaking();
    scheduleFit();
    if (fresh) {
      nodes.hero.classList.remove('is-new');
      void nodes.hero.offsetWidth;              // restart the animation
      nodes.hero.classList.add('is-new');
      clearTimeout(highlightTimer);
      highlightTimer = setTimeout(function () { nodes.hero.classList.remove('is-new'); }, HIGHLIGHT_MS);
    }
  }

  function renderCalls() {
    var calls = visibleCalls();
    var rest = calls.slice(1, 7);
    Live.clear(nodes.calls);
    rest.forEach(function (c) {
      nodes.calls.appendChild(el('li', { class: 'call', style: { '--svc': colorOf(c.service) },
                                         dataset: { ticket: c.ticket, service: c.service, seq: String(c.seq) } }, [
        el('span', { class: 'call-number num', text: c.ticket }),
        el('span', { class: 'call-arrow', 'aria-hidden': 'true', text: '→' }),
        el('span', { class: 'call-counter', text: counterLabel(c.counter) }),
        el('span', { class: 'call-time num', text: c.at ? Live.fmtTime(c.at) : '' })
      ]));
    });
    nodes.callsEmpty.hidden = rest.length > 0;
    applySpeaking();
    scheduleFit();
  }

  // ---- eyes and ears agree: the call being spoken, and those still to be spoken -------------
  function speakingState(seq) {
    if (seq === speakingNow) return 'speaking';
    return speakingWaiting.indexOf(seq) >= 0 ? 'pending' : null;
  }
  function ticketOf(seq) {
    for (var i = 0; i < S.calls.length; i++) if (S.calls[i].seq === seq) return S.calls[i].ticket;
    return null;
  }
  function mark(node, state) {
    if (!node) return;
    node.classList.toggle('is-speaking', state === 'speaking');
    node.classList.toggle('is-pending', state === 'pending');
    if (state) node.dataset.speech = state; else delete node.dataset.speech;
  }
  function applySpeaking() {
    mark(nodes.hero, newestShownSeq === null ? null : speakingState(newestShownSeq));
    Array.prototype.forEach.call(nodes.calls.children, function (li) {
      mark(li, speakingState(Number(li.dataset.seq)));
    });
    var byTicket = {};
    if (speakingNow !== null) byTicket[ticketOf(speakingNow)] = 'speaking';
    speakingWaiting.forEach(function (seq) {
      var ticket = ticketOf(seq);
      if (ticket && !byTicket[ticket]) byTicket[ticket] = 'pending';
    });
    Object.keys(cards).forEach(function (id) {
      mark(cards[id].node, byTicket[cards[id].node.dataset.ticket] || null);
    });
  }
  (global.Display = global.Display || {}).markSpeaking = function (seq, waiting) {
    speakingNow = typeof seq === 'number' ? seq : null;
    speakingWaiting = (waiting || []).filter(function (n) { return typeof n === 'number'; });
    applySpeaking();
  };

  // ---- fitting: as large as the space allows, never below the floor, never a cut word --------
  // Every size is a share of the screen's height (vh), so 1280×720, 1920×1080 and 4K look alike;
  // the floor (--d-min in display.css, 1/40 of the height) is what can be read from the back of
  // the hall. A name too long for its line wraps whole words; if it still does not fit, the type
  // gets smaller, down to the floor, before anything else gives way.
  var vh = function (n) { return (global.innerHeight * n / 100).toFixed(2) + 'px'; };
  function spills(node) {
    return !!node && (node.scrollHeight > node.clientHeight + 1 || node.scrollWidth > node.clientWidth + 1);
  }
  function wider(nodes) {
    for (var i = 0; i < nodes.length; i++) if (nodes[i].scrollWidth > nodes[i].clientWidth + 1) return true;
    return false;
  }

  function fitHall() {
    var sizes = [4.2, 3.8, 3.4, 3.0, 2.6];
    for (var i = 0; i < sizes.length; i++) {
      root.style.setProperty('--d-hall', vh(sizes[i]));
      if (!wider([nodes.hall])) return;
    }
  }

  function fitHero() {
    var hero = nodes.hero;
    for (var scale = 1; scale >= 0.5; scale -= 0.05) {
      hero.style.setProperty('--hero-s', scale.toFixed(2));
      if (!spills(hero) && !wider([nodes.heroNumber, nodes.heroCounter, nodes.heroService])) return;
    }
  }

  /** Columns and type size that make the counter cards as readable as the panel allows. */
  var fitKeys = {};
  /** Fitting measures the page many times: skip it when nothing that sizes the text changed
   *  (the same words in the same box; digits count by their number, not their value). */
  function unchanged(name, box) {
    var key = [box.clientWidth, box.clientHeight, global.innerHeight, box.textContent.replace(/\d/g, '0')].join('|');
    if (fitKeys[name] === key) return true;
    fitKeys[name] = key;
    return false;
  }

  function fitCounters(n) {
    var box = nodes.counters;
    if (!n || !box.clientHeight || unchanged('counters', box)) return;
    var best = null;
    for (var cols = 1; cols <= Math.min(4, n); cols++) {
      var rows = Math.ceil(n / cols);
      box.style.setProperty('--cols', cols);
      box.style.setProperty('--rows', rows);
      for (var step = 0; step <= 14; step++) {
        var num = 6.4 - step * 0.28, name = Math.max(2.5, 3 - step * 0.06);
        if (best && num <= best.num) break;             // cannot beat what another layout gave
        box.style.setProperty('--cc-num', vh(num));
        box.style.setProperty('--cc-name', vh(name));
        if (!countersSpill(box)) { best = { cols: cols, rows: rows, num: num, name: name }; break; }
      }
    }
    best = best || { cols: Math.min(4, n), rows: Math.ceil(n / Math.min(4, n)), num: 2.5, name: 2.5 };
    box.style.setProperty('--cols', best.cols);
    box.style.setProperty('--rows', best.rows);
    box.style.setProperty('--cc-num', vh(best.num));
    box.style.setProperty('--cc-name', vh(best.name));
  }
  function countersSpill(box) {
    var list = box.children;
    for (var i = 0; i < list.length; i++) {
      if (spills(list[i]) || wider(list[i].querySelectorAll('.cc-name, .cc-number, .cc-state'))) return true;
    }
    return box.scrollHeight > box.clientHeight + 1;
  }

  /** The waiting panel: one row per agency, the whole name; two columns only for a big hall. */
  function fitWaiting() {
    var box = nodes.waiting;
    var n = box.children.length;
    if (!n || !box.clientHeight || unchanged('waiting', box)) return;
    for (var cols = n > 12 ? 2 : 1; cols <= 2; cols++) {
      box.style.setProperty('--wcols', cols);
      for (var step = 0; step <= 8; step++) {
        box.style.setProperty('--w-name', vh(3.1 - step * 0.075));
        box.style.setProperty('--w-count', vh(4.4 - step * 0.15));
        if (box.scrollHeight <= box.clientHeight + 1 &&
            !wider(box.querySelectorAll('.wait-name, .wait-count, .wait-estimate, .wait-closed'))) return;
      }
    }
  }

  var fitPending = false;
  function scheduleFit() {          // after the panels have their sizes, size the type
    if (fitPending) return;
    fitPending = true;
    requestAnimationFrame(function () {
      fitPending = false;
      fitAll();
    });
  }
  function fitAll() {
    fitHall();
    fitHero();
    fitCounters(Number(nodes.counters.dataset.count || 0));
    fitWaiting();
    fitCalls();
    root.dataset.fitted = String((Number(root.dataset.fitted) || 0) + 1);   // for the tests
  }

  /** Show only the last calls that fit whole; never a half-cut row at the bottom. */
  function fitCalls() {
    var rows = nodes.calls.children;
    Array.prototype.forEach.call(rows, function (li) { li.hidden = false; });
    Array.prototype.forEach.call(rows, fitCallRow);
    // The newest first, as many as fit whole; the rest (older) wait below the fold.
    var limit = nodes.calls.clientHeight, full = false;
    Array.prototype.forEach.call(rows, function (li) {
      full = full || li.offsetTop + li.offsetHeight > limit + 1;
      li.hidden = full;
    });
  }

  /** A last call on one line (number → counter  time); a counter name too long for that gets a
   *  line of its own under the number, two lines at most if the floor allows. */
  function fitCallRow(li) {
    var name = li.querySelector('.call-counter');
    function lines() {
      var line = parseFloat(getComputedStyle(name).lineHeight) || 1;
      return Math.round(name.offsetHeight / line);
    }
    function tryLayout(long, from, to, most) {
      li.classList.toggle('is-long', long);
      for (var size = from; size >= to - 0.001; size -= 0.1) {
        li.style.setProperty('--call-name', vh(size));
        if (!wider([name]) && lines() <= most) return true;
      }
      return false;
    }
    if (tryLayout(false, 3.2, 2.8, 1) || tryLayout(true, 3.2, 2.5, 2)) return;
    li.style.setProperty('--call-name', vh(2.5));
  }

  var cards = {};      // counter id -> {node, sig}: unchanged cards stay, so a flash runs its course

  function buildCard(c, ticket, state) {
    var main;
    if (state === 'paused') main = el('div', { class: 'cc-state', text: t('paused') });
    else if (ticket) main = el('div', { class: 'cc-number num', text: ticket.number });
    else main = el('div', { class: 'cc-empty', text: '—' });
    return el('div', {
      class: 'counter-card is-' + state,
      style: { '--svc': colorOf(ticket ? ticket.service : (c.services || [])[0]) },
      dataset: { counterId: String(c.id), ticket: ticket ? ticket.number : '' }
    }, [
      el('span', { class: 'cc-name', text: label(c) }),
      el('div', { class: 'cc-main' }, [
        ticket && ticket.priority
          ? el('span', { class: 'cc-priority', title: t('priority_short'), 'aria-label': t('priority_short'), text: '★' })
          : null,
        main
      ])
    ]);
  }

  function renderCounters(changedId) {
    var list = S.counters.filter(counterInScope);
    var seen = {};
    list.forEach(function (c, index) {
      var ticket = c.ticket && inScope(c.ticket.service) ? c.ticket : null;
      var state = c.state === 'paused' ? 'paused' : ticket ? 'serving' : 'idle';
      var sig = JSON.stringify([label(c), state, ticket && ticket.number, ticket && ticket.priority,
                                colorOf(ticket ? ticket.service : (c.services || [])[0])]);
      var entry = cards[c.id];
      if (!entry || entry.sig !== sig) {
        var node = buildCard(c, ticket, state);
        if (entry && entry.node.parentNode) entry.node.parentNode.replaceChild(node, entry.node);
        entry = cards[c.id] = { node: node, sig: sig };
      }
      if (nodes.counters.children[index] !== entry.node) {
        nodes.counters.insertBefore(entry.node, nodes.counters.children[index] || null);
      }
      if (c.id === changedId) {
        entry.node.classList.remove('is-changed');
        void entry.node.offsetWidth;
        entry.node.classList.add('is-changed');
      }
      seen[c.id] = true;
    });
    Object.keys(cards).forEach(function (id) {
      if (!seen[id]) {
        if (cards[id].node.parentNode) cards[id].node.parentNode.removeChild(cards[id].node);
        delete cards[id];
      }
    });
    nodes.counters.dataset.count = String(list.length);
    applySpeaking();
    scheduleFit();
  }

  function renderWaiting() {
    scheduleFit();
    var list = S.services.filter(function (sv) { return inScope(sv.code); });
    Live.clear(nodes.waiting);
    list.forEach(function (sv) {
      nodes.waiting.appendChild(el('div', {
        class: 'wait' + (sv.open ? '' : ' is-closed'),
        style: { '--svc': Live.safeColor(sv.color) },
        dataset: { service: sv.code, waiting: String(sv.waiting || 0) }
      }, [
        el('span', { class: 'letter wait-letter', text: sv.prefix || sv.code }),
        el('span', { class: 'wait-name', text: label(sv) }),
        sv.open
          ? el('span', { class: 'wait-count num', text: String(sv.waiting || 0) })
          : el('span', { class: 'wait-closed', text: t('closed') })
      ]));
    });
  }

  function renderTicker(rt) {
    var lines = ((rt && rt.lines) || []).concat(Display.extraLines ? Display.extraLines() : [])  // e.g. the IKM
      .map(function (l) { return String(l || '').trim(); })
      .filter(function (l) { return l; });
    var speed = Math.max(10, Math.min(600, Number(rt && rt.speed) || 60));
    var key = JSON.stringify([lines, speed]);
    if (key === tickerKey) return;
    tickerKey = key;
    Live.clear(nodes.track);
    nodes.ticker.hidden = !lines.length;
    root.classList.toggle('has-ticker', lines.length > 0);
    scheduleFit();
    if (!lines.length) return;
    function group(hidden) {
      return el('div', { class: 'ticker-group', 'aria-hidden': hidden ? 'true' : null },
                lines.map(function (line) { return el('span', { class: 'ticker-item', text: line }); }));
    }
    var first = group(false);
    nodes.track.appendChild(first);
    nodes.track.appendChild(group(true));
    nodes.track.style.animation = 'none';
    requestAnimationFrame(function () {
      var width = first.getBoundingClientRect().width || global.innerWidth;
      nodes.track.style.animation = '';
      nodes.track.style.animationDuration = (width / speed).toFixed(2) + 's';
    });
  }

  function renderAll() {
    if (S.hall && S.hall.name) Live.setText(nodes.hall, S.hall.name);
    Live.applyLogo(document.querySelector('.d-mark'), S.hall && S.hall.logo);
    var calls = visibleCalls();
    renderHero(calls[0], false);            // a renamed counter or agency shows at once
    renderCalls();
    renderCounters(null);
    renderWaiting();
    renderTicker(S.running);
    renderMedia();
  }

  // ---- media playlist (layout calls_media): images for their seconds, videos to their end ----
  var mediaKey = null, mediaTimer = null, mediaIndex = 0;
  function renderMedia() {
    // The media take the place of the "now serving" cards; the last calls stay beside them.
    var box = document.getElementById('media'), counters = document.getElementById('counters-panel');
    var items = root.getAttribute('data-layout') === 'calls_only' ? [] : (S.media || []);
    var key = JSON.stringify(items.map(function (m) { return m.url; }));
    if (key === mediaKey) return;
    mediaKey = key;
    clearTimeout(mediaTimer);
    Live.clear(box);
    box.hidden = !items.length;
    counters.hidden = !!items.length;
    if (!items.length) { scheduleFit(); return; }
    mediaIndex = 0;
    showMedia(box, items);
    scheduleFit();
  }
  function showMedia(box, items) {
    var item = items[mediaIndex % items.length];
    mediaIndex += 1;
    Live.clear(box);
    var next = function () { showMedia(box, items); };
    if (item.kind === 'video') {
      var video = el('video', { class: 'media-item', src: item.url });
      video.setAttribute('data-playlist', '');
      video.autoplay = true;
      video.playsInline = true;
      video.muted = root.getAttribute('data-speaker') !== '1';   // only the speaker screen has sound
      video.addEventListener('ended', next);
      video.addEventListener('error', function () { mediaTimer = setTimeout(next, 2000); });
      box.appendChild(video);
      var started = video.play();
      if (started && started.catch) started.catch(function () { video.muted = true; video.play(); });
    } else {
      box.appendChild(el('img', { class: 'media-item', src: item.url, alt: item.title || '' }));
      mediaTimer = setTimeout(next, Math.max(3, item.seconds || 10) * 1000);
    }
  }

  // ---- live data ----------------------------------------------------------------------------
  function onState(snap, info) {
    var before = newestShownSeq;
    S.hall = snap.hall;
    S.services = snap.services || [];
    S.counters = snap.counters || [];
    S.calls = (snap.last_calls || []).slice(0, MAX_CALLS);
    S.running = snap.running_text;
    S.media = snap.media || [];
    renderAll();
    hook('onSnapshot', snap, info);
    // A call we only learnt about from a snapshot (after a gap or reconnect): still light it up
    // if it is recent, so nobody misses their number.
    var newest = visibleCalls()[0];
    if (!info.first && newest && newest.seq !== before && (before === null || newest.seq > before) &&
        Live.now() - new Date(newest.at) < 30000) {
      renderHero(newest, true);
      announce(newest);
    }
  }

  function applyWaiting(waiting) {
    if (!waiting) return;
    S.services.forEach(function (sv) {
      if (Object.prototype.hasOwnProperty.call(waiting, sv.code)) sv.waiting = waiting[sv.code];
    });
  }

  function applyCounter(counter) {
    if (!counter) return;
    var found = false;
    S.counters = S.counters.map(function (c) {
      if (c.id !== counter.id) return c;
      found = true;
      return counter;
    });
    if (!found) S.counters.push(counter);
  }

  function onEvent(ev) {
    if (ev.type === 'announce') { hook('onAnnounce', ev); return; }
    applyWaiting(ev.waiting);
    applyCounter(ev.counter);
    if (ev.type === 'called') {
      S.calls.unshift(ev);
      S.calls = S.calls.slice(0, MAX_CALLS);
      if (inScope(ev.service)) {
        renderHero(ev, true);
        renderCalls();
        renderCounters(ev.counter && ev.counter.id);
        renderWaiting();
        announce(ev);
        return;
      }
    }
    renderCounters(null);
    renderWaiting();
  }

  function announce(ev) { hook('onCalled', ev); }

  function hook(name) {
    if (typeof Display[name] !== 'function') return;
    try { Display[name].apply(null, Array.prototype.slice.call(arguments, 1)); }
    catch (e) { if (global.console) console.error(e); }
  }

  var Display = global.Display = global.Display || {};
  /** Hook for display-estimate.js and the like: text changed, size the type again. */
  Display.refit = scheduleFit;
  /** Hook for the speaker: called with every `called` event shown here (recall: ev.recall). */
  Display.state = S;
  /** Hook for display-survey.js: Display.extraLines() adds lines to the running text; call
   *  Display.redrawTicker() when they change. */
  Display.redrawTicker = function () { tickerKey = null; renderTicker(S.running); };

  var resizeTimer = null;
  global.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { tickerKey = null; renderAll(); }, 200);
  });

  tick();
  /** The connection (Display.live.socket for the speaker's `sound`/`played` reports). */
  var pairing = root.dataset.pairing === '1';
  Display.live = Live.connect({ page: 'display', name: screenName, speaker: speaker,
                                onState: onState, onEvent: onEvent,
                                onDevice: global.Pairing.onDevice('display', root.dataset.paired === '1') });
  // A speaker TV that is not paired still shows and speaks the calls, but the hall only counts
  // the reports of paired speakers: it shows the code a manager types in the console.
  if (pairing) global.Pairing.start('display', document.getElementById('pairing-code'), Display.live);
  // A screen without its own voice lights what its zone's (paired) speaker is saying right now.
  if (!speaker && Display.live.socket) {
    Display.live.socket.on('speaking', function (data) {
      // `now`, not `seq`: this relay is no numbered event of the hall's history (live.js)
      if (data && (data.zone || '') === speakerZone) Display.markSpeaking(data.now, data.waiting);
    });
  }
})(window);
