/* Manager console: statistics (GET /api/stats; Excel and CSV downloads; tickets-per-hour chart
 * in plain SVG; times in minutes) and the audit log as sentences, by person and dates (managers only). */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;
  var SVG = 'http://www.w3.org/2000/svg';
  var QUEUE_EVENTS = ['issued', 'called', 'finished', 'skipped', 'transferred', 'cancelled'];
  var range = { from: null, to: null, today: null };

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  // ---- chart -------------------------------------------------------------------------------------
  function drawChart(perHour) {
    var box = Live.clear(M.$('stats-chart'));
    var counts = {};
    (perHour || []).forEach(function (h) { counts[h.hour] = h.issued; });
    var busy = Object.keys(counts).filter(function (h) { return counts[h] > 0; }).map(Number);
    var first = Math.min.apply(null, [7].concat(busy)), last = Math.max.apply(null, [16].concat(busy));
    var hours = [];
    for (var h = first; h <= last; h++) hours.push(h);
    var max = Math.max.apply(null, [1].concat(hours.map(function (x) { return counts[x] || 0; })));
    var step = niceStep(max);
    var top = Math.ceil(max / step) * step;
    var W = 1200, H = 260, left = 44, right = 12, topPad = 22, bottom = 30;
    var plotW = W - left - right, plotH = H - topPad - bottom;
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'm-chart-svg', role: 'img',
                             'aria-label': t('m_per_hour') });
    for (var v = 0; v <= top; v += step) {
      var y = topPad + plotH - (v / top) * plotH;
      chart.appendChild(svg('line', { x1: left, x2: W - right, y1: y, y2: y, class: v ? 'm-grid' : 'm-axis' }));
      chart.appendChild(svg('text', { x: left - 8, y: y + 4, class: 'm-tick', 'text-anchor': 'end' }, v));
    }
    var slot = plotW / hours.length, barW = Math.min(46, slot * 0.66);
    hours.forEach(function (hour, i) {
      var n = counts[hour] || 0;
      var x = left + i * slot + (slot - barW) / 2;
      var bh = (n / top) * plotH;
      var g = svg('g', { class: 'm-bar' + (n ? '' : ' is-zero'), 'data-hour': hour, 'data-issued': n });
      g.appendChild(svg('title', {}, (hour < 10 ? '0' : '') + hour + ':00 · ' + n + ' ' + t('m_tickets')));
      g.appendChild(svg('rect', { x: x, y: topPad + plotH - bh, width: barW, height: Math.max(bh, 0), rx: 4 }));
      if (n) g.appendChild(svg('text', { x: x + barW / 2, y: topPad + plotH - bh - 6, class: 'm-bar-value', 'text-anchor': 'middle' }, n));
      g.appendChild(svg('text', { x: x + barW / 2, y: H - 10, class: 'm-tick', 'text-anchor': 'middle' }, (hour < 10 ? '0' : '') + hour));
      chart.appendChild(g);
    });
    box.appendChild(chart);
  }

  function niceStep(max) {
    var raw = max / 4, mag = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * mag >= raw) return Math.max(1, steps[i] * mag);
    return 10 * mag;
  }

  // ---- tables ------------------------------------------------------------------------------------
  function num(value, col) { return el('td', { class: 'm-right num', text: String(value), dataset: { col: col } }); }
  // Minutes with one decimal, the decimal comma in Indonesian ("9,5"); no data: a dash.
  function minutes(secs) {
    if (secs === null || secs === undefined) return '—';
    var text = (Math.round(secs / 6) / 10).toFixed(1);
    return Live.lang === 'en' ? text : text.replace('.', ',');
  }
  function dur(value, col) { return el('td', { class: 'm-right num', text: minutes(value), dataset: { col: col } }); }

  function render(data) {
    Live.setText(M.$('st-issued'), String(data.totals.issued));
    Live.setText(M.$('st-served'), String(data.totals.served));
    Live.setText(M.$('st-skipped'), String(data.totals.skipped));
    Live.setText(M.$('st-cancelled'), String(data.totals.cancelled || 0));   // from the visitor's phone
    Live.setText(M.$('st-waiting'), String(data.totals.waiting));
    drawChart(data.per_hour);

    var body = Live.clear(M.$('stats-services'));
    data.services.forEach(function (row) {
      var sv = M.serviceByCode(row.code) || { code: row.code, name: row.code };
      body.appendChild(el('tr', { dataset: { service: row.code } }, [
        el('td', {}, [M.svcCell(sv)]),
        num(row.issued, 'issued'), num(row.served, 'served'), num(row.skipped, 'skipped'), num(row.waiting, 'waiting'),
        dur(row.wait_seconds.avg, 'wait-avg'), dur(row.wait_seconds.p90, 'wait-p90'),
        dur(row.service_seconds.avg, 'service-avg'), dur(row.service_seconds.p90, 'service-p90')
      ]));
    });
    if (!data.services.length) M.empty(body, 9);

    var cbody = Live.clear(M.$('stats-counters'));
    var rows = data.counters.filter(function (row) {
      if (M.isManager || row.called) return true;
      var c = M.data.counters.filter(function (x) { return x.name === row.counter; })[0];
      return c && M.counterInScope(c);
    });
    rows.forEach(function (row) {
      cbody.appendChild(el('tr', { dataset: { counter: row.counter } }, [
        el('td', { class: 'm-strong', text: row.counter }),
        num(row.called, 'called'), num(row.served, 'served'), num(row.skipped, 'skipped'),
        num(row.transferred || 0, 'transferred'), num(row.serving || 0, 'serving'),
        dur(row.service_seconds.avg, 'service-avg'), dur(row.service_seconds.p90, 'service-p90')
      ]));
    });
    if (!rows.length) M.empty(cbody, 8);
  }

  function query() {
    var q = [];
    if (range.from) q.push('from=' + encodeURIComponent(range.from));
    if (range.to) q.push('to=' + encodeURIComponent(range.to));
    return q.length ? '?' + q.join('&') : '';
  }

  function load() {
    M.clearError('stats-error');
    if (!M.isManager && !M.serviceId) {       // a supervisor not linked to any agency sees no figures
      M.showError('stats-error', t('m_no_agency'));
      return Promise.resolve();
    }
    return M.api('GET', '/api/stats' + query()).then(function (r) {
      if (!r.ok) { M.showError('stats-error', r.data.error); return; }
      var form = M.$('stats-form');
      if (!range.from) {        // first load: the server's "today" in hall time
        range.today = r.data.from;
        form.elements.from.value = r.data.from;
        form.elements.to.value = r.data.to;
      }
      var dates = 'from=' + encodeURIComponent(r.data.from) + '&to=' + encodeURIComponent(r.data.to);
      M.$('stats-csv').setAttribute('href', '/api/stats.csv?' + dates);
      Array.prototype.forEach.call(document.querySelectorAll('#stats-form [data-export]'), function (a) {
        var base = a.getAttribute('data-export');
        a.setAttribute('href', base + (base.indexOf('?') < 0 ? '?' : '&') + dates);
      });
      render(r.data);
    });
  }
  var refresh = M.debounced(load, 800);

  M.section('stats', {
    init: function () {
      M.$('stats-form').addEventListener('submit', function (e) {
        e.preventDefault();
        range.from = e.target.elements.from.value || null;
        range.to = e.target.elements.to.value || range.from;
        load();
      });
    },
    show: function () { return M.loadCounters().then(load); },
    onLive: function (ev) {
      if (M.current !== 'stats' || QUEUE_EVENTS.indexOf(ev.type) < 0) return;
      if (!range.to || range.to >= (range.today || '')) refresh();     // the range includes today
    }
  });

  // ================================================================================================
  // Audit log
  // ================================================================================================
  // The server writes each change as a sentence (signage/audit_sentences.py); shown as text, never HTML.
  function auditQuery() {
    var form = M.$('audit-form'), q = [];
    if (!form) return '';
    ['person', 'from', 'to'].forEach(function (k) {
      var v = form.elements[k].value;
      if (v) q.push(k + '=' + encodeURIComponent(v));
    });
    return q.length ? '?' + q.join('&') : '';
  }

  function fillPeople(people) {
    var select = M.$('audit-form') && M.$('audit-form').elements.person;
    if (!select) return;
    var chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    (people || []).forEach(function (name) {
      select.appendChild(el('option', { value: name, text: name }));
    });
    select.value = chosen;
  }

  function loadAudit() {
    return M.api('GET', '/api/manage/audit' + auditQuery()).then(function (r) {
      if (!r.ok) { M.showError('audit-error', r.data.error); return; }
      M.clearError('audit-error');
      fillPeople(r.data.people);
      var body = Live.clear(M.$('audit-rows'));
      (r.data.entries || []).forEach(function (e) {
        body.appendChild(el('tr', { dataset: { action: e.action } }, [
          el('td', { class: 'num m-nowrap', text: Live.fmtShortDate(e.at) + ' ' + Live.fmtTime(e.at, true) }),
          el('td', { class: 'm-strong', text: e.actor }),
          el('td', { class: 'm-detail', text: e.text })
        ]));
      });
      if (!(r.data.entries || []).length) M.empty(body, 3);
    });
  }

  M.section('audit', {
    init: function () {
      if (M.$('audit-refresh')) M.$('audit-refresh').addEventListener('click', loadAudit);
      if (M.$('audit-form')) M.$('audit-form').addEventListener('submit', function (e) { e.preventDefault(); loadAudit(); });
    },
    show: function () { if (M.$('audit-rows')) return loadAudit(); }
  });
})(window);
