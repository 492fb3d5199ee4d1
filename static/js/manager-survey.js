/* Manager console: Survei Kepuasan Masyarakat. The IKM report (GET /api/survey/report) with a
 * bar per element (the weakest highlighted) and the trend by month, both plain SVG built here;
 * agencies and counters with their respondents against the minimum sample; the free texts to
 * read, mark as followed up and answer; CSV; a printable report laid out like the regulation's
 * tables; and for managers the questionnaire's wording, the elements hidden per agency and the
 * display switch. Text from visitors goes on the page with textContent only. */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;
  var SVG = 'http://www.w3.org/2000/svg';
  var report = null, settings = null;

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  /** 82.64 -> "82,64" in Indonesian, "82.64" in English; null -> "—". */
  function dec(value, places) {
    if (value === null || value === undefined) return '—';
    return Number(value).toLocaleString(Live.locale, { minimumFractionDigits: places, maximumFractionDigits: places });
  }

  function gradeClass(mutu) { return mutu ? 'is-grade-' + mutu.toLowerCase() : 'is-grade-none'; }
  function kinerja(unit) { return Live.lang === 'en' ? unit.kinerja_en : unit.kinerja; }
  function label(code) {
    var e = (report.elements || []).filter(function (x) { return x.code === code; })[0];
    return e ? (Live.lang === 'en' ? e.label_en : e.label) : code;
  }
  function uNum(code) {
    var e = (report.elements || []).filter(function (x) { return x.code === code; })[0];
    return e ? e.u : '';
  }

  // ---- the filter --------------------------------------------------------------------------
  function form() { return M.$('sv-form'); }

  function query() {
    var f = form().elements, q = ['period=' + encodeURIComponent(f.period.value)];
    if (f.period.value === 'range') {
      if (f.from.value) q.push('from=' + encodeURIComponent(f.from.value));
      if (f.to.value) q.push('to=' + encodeURIComponent(f.to.value));
    } else if (f.date.value) q.push('date=' + encodeURIComponent(f.date.value));
    if (f.service.value) q.push('service=' + encodeURIComponent(f.service.value));
    return '?' + q.join('&');
  }

  function syncPeriod() {
    var range = form().elements.period.value === 'range';
    Array.prototype.forEach.call(document.querySelectorAll('.sv-range'), function (n) { n.hidden = !range; });
    document.querySelector('.sv-date').hidden = range;
  }

  function fillScope() {
    var select = form().elements.service, keep = select.value;
    Live.clear(select);
    if (M.isManager) select.appendChild(el('option', { value: '', text: t('m_whole_hall') }));
    M.data.services.filter(function (sv) { return M.isManager || sv.code === M.ownCode; }).forEach(function (sv) {
      select.appendChild(el('option', { value: sv.code, text: sv.code + ' · ' + sv.name }));
    });
    if (keep) select.value = keep;
  }

  // ---- charts --------------------------------------------------------------------------------
  function drawElements(unit) {
    var box = Live.clear(M.$('sv-elements'));
    var rows = unit.elements || [];
    if (!rows.length || unit.ikm === null) { box.appendChild(el('p', { class: 'm-hint', text: t('m_no_responses') })); return; }
    var W = 860, rowH = 34, left = 340, right = 70, top = 8, H = top + rows.length * rowH + 26;
    var plot = W - left - right;
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'm-chart-svg sv-bars', role: 'img', 'aria-label': t('m_elements') });
    [1, 2, 3, 4].forEach(function (v) {
      var x = left + (v / 4) * plot;
      chart.appendChild(svg('line', { x1: x, x2: x, y1: top, y2: H - 22, class: 'm-grid' }));
      chart.appendChild(svg('text', { x: x, y: H - 6, class: 'm-tick', 'text-anchor': 'middle' }, v));
    });
    rows.forEach(function (e, i) {
      var y = top + i * rowH;
      var g = svg('g', { class: 'sv-bar' + (e.weakest ? ' is-weakest' : '') + (e.nrr === null ? ' is-empty' : ''),
                         'data-element': e.code, 'data-nrr': e.nrr === null ? '' : e.nrr });
      g.appendChild(svg('title', {}, uNum(e.code) + ' ' + label(e.code) + ': ' + dec(e.nrr, 3)));
      g.appendChild(svg('text', { x: left - 10, y: y + rowH / 2 + 5, class: 'sv-bar-label', 'text-anchor': 'end' },
                        uNum(e.code) + '  ' + label(e.code)));
      var w = e.nrr === null ? 0 : (e.nrr / 4) * plot;
      g.appendChild(svg('rect', { x: left, y: y + 6, width: w, height: rowH - 12, rx: 4 }));
      g.appendChild(svg('text', { x: left + w + 6, y: y + rowH / 2 + 5, class: 'm-bar-value' },
                        e.nrr === null ? '—' : dec(e.nrr, 2) + (e.weakest ? '  ▼ ' + t('m_weakest') : '')));
      chart.appendChild(g);
    });
    box.appendChild(chart);
  }

  function drawTrend(trend) {
    var box = Live.clear(M.$('sv-trend'));
    var W = 760, H = 300, left = 44, right = 10, top = 24, bottom = 40;
    var plotW = W - left - right, plotH = H - top - bottom;
    var chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'm-chart-svg sv-trend', role: 'img', 'aria-label': t('m_trend') });
    function yOf(v) { return top + plotH - ((v - 25) / 75) * plotH; }
    [25, 50, 65, 76.61, 88.31, 100].forEach(function (v) {
      chart.appendChild(svg('line', { x1: left, x2: W - right, y1: yOf(v), y2: yOf(v),
                                      class: [65, 76.61, 88.31].indexOf(v) >= 0 ? 'sv-threshold' : 'm-grid' }));
      chart.appendChild(svg('text', { x: left - 6, y: yOf(v) + 4, class: 'm-tick', 'text-anchor': 'end' }, Math.floor(v)));
    });
    var slot = plotW / trend.length, barW = Math.min(40, slot * 0.6);
    trend.forEach(function (m, i) {
      var x = left + i * slot + (slot - barW) / 2;
      var g = svg('g', { class: 'sv-month ' + gradeClass(m.mutu), 'data-month': m.month, 'data-ikm': m.ikm === null ? '' : m.ikm });
      g.appendChild(svg('title', {}, m.month + ': ' + (m.ikm === null ? '—' : dec(m.ikm, 2) + ' (' + m.mutu + ')') +
                                     ' · ' + m.respondents + ' ' + t('d_respondents')));
      if (m.ikm !== null) {
        g.appendChild(svg('rect', { x: x, y: yOf(m.ikm), width: barW, height: yOf(25) - yOf(m.ikm), rx: 4 }));
        g.appendChild(svg('text', { x: x + barW / 2, y: yOf(m.ikm) - 6, class: 'm-bar-value', 'text-anchor': 'middle' }, dec(m.ikm, 1)));
      }
      g.appendChild(svg('text', { x: x + barW / 2, y: H - 22, class: 'm-tick', 'text-anchor': 'middle' }, m.month.slice(5) + '/' + m.month.slice(2, 4)));
      g.appendChild(svg('text', { x: x + barW / 2, y: H - 6, class: 'm-tick sv-n', 'text-anchor': 'middle' }, 'n=' + m.respondents));
      chart.appendChild(g);
    });
    box.appendChild(chart);
  }

  // ---- tables ----------------------------------------------------------------------------------
  function sampleCell(unit) {
    return el('td', {}, [M.pill(unit.sample_ok ? 'open' : 'closed', unit.sample_ok ? t('m_sample_ok') : t('m_sample_short'))]);
  }

  function unitCells(unit) {
    return [
      el('td', { class: 'm-right num m-strong', text: dec(unit.ikm, 2), dataset: { col: 'ikm' } }),
      el('td', {}, [el('span', { class: 'sv-grade sv-grade-sm ' + gradeClass(unit.mutu), text: unit.mutu || '—' })]),
      el('td', { class: 'm-right num', text: String(unit.respondents), dataset: { col: 'respondents' } }),
      el('td', { class: 'm-right num', text: String(unit.population) }),
      el('td', { class: 'm-right num', text: String(unit.min_sample) }),
      sampleCell(unit)
    ];
  }

  function render(data) {
    report = data;
    var s = data.summary;
    Live.setText(M.$('sv-ikm'), dec(s.ikm, 2));
    var mutu = M.$('sv-mutu');
    mutu.className = 'sv-grade ' + gradeClass(s.mutu);
    Live.setText(mutu, s.mutu || '—');
    Live.setText(M.$('sv-kinerja'), s.mutu ? kinerja(s) : t('m_no_responses'));
    Live.setText(M.$('sv-respondents'), String(s.respondents));
    var sample = M.$('sv-sample');
    sample.className = 'm-kpi-sub' + (s.sample_ok ? '' : ' is-bad');
    Live.setText(sample, t('m_min_sample') + ' ' + s.min_sample + ' / ' + t('m_population') + ' ' + s.population +
                 (s.sample_ok ? '' : ' · ' + t('m_sample_short')));
    Live.setText(M.$('sv-index'), dec(s.index, 4));
    Live.setText(M.$('sv-weight'), s.weight ? t('m_nrr_weighted') + ' = NRR × ' + dec(s.weight, 4) : '');
    var scope = data.scope;
    Live.setText(M.$('sv-scope-name'), (scope.service_name || scope.hall) + ' · ' + data.from + ' – ' + data.to);
    drawElements(s);
    drawTrend(data.trend || []);

    var body = Live.clear(M.$('sv-services'));
    data.services.forEach(function (row) {
      var sv = M.serviceByCode(row.code) || { code: row.code, name: row.name };
      body.appendChild(el('tr', { dataset: { service: row.code } }, [el('td', {}, [M.svcCell(sv)])].concat(unitCells(row))));
    });
    if (!data.services.length) M.empty(body, 7);
    var cbody = Live.clear(M.$('sv-counters'));
    data.counters.forEach(function (row) {
      cbody.appendChild(el('tr', { dataset: { counter: String(row.id) } }, [el('td', { class: 'm-strong', text: row.name })].concat(unitCells(row))));
    });
    if (!data.counters.length) M.empty(cbody, 7);
    M.$('sv-csv').setAttribute('href', '/api/survey/report.csv' + query());
    buildPrint(data);
  }

  function load() {
    M.clearError('survey-error');
    if (!M.isManager && !M.serviceId) { M.showError('survey-error', t('m_no_agency')); return Promise.resolve(); }
    var mine = ++reportAsked;
    return Promise.all([
      M.api('GET', '/api/survey/report' + query()).then(function (r) {
        if (mine !== reportAsked) return;
        if (!r.ok) { M.showError('survey-error', r.data && r.data.error); return; }
        render(r.data);
      }),
      loadComments()
    ]);
  }

  // ---- free texts --------------------------------------------------------------------------------
  var commentsAsked = 0, reportAsked = 0;     // only the newest answer is drawn

  function loadComments() {
    var q = query() + (M.$('sv-open-only').checked ? '&status=open' : '');
    var mine = ++commentsAsked;
    return M.api('GET', '/api/survey/comments' + q).then(function (r) {
      if (mine !== commentsAsked) return;
      if (!r.ok) { M.showError('survey-comment-error', r.data && r.data.error); return; }
      M.clearError('survey-comment-error');
      var list = Live.clear(M.$('sv-comments'));
      list.dataset.query = q;
      r.data.comments.forEach(function (c) { list.appendChild(commentItem(c)); });
      if (!r.data.comments.length) list.appendChild(el('li', { class: 'm-hint', text: t('m_no_comments') }));
    });
  }

  function commentItem(c) {
    var followed = !!c.followed_up_at;
    var reply = el('textarea', { class: 'm-input sv-reply-input', rows: '2', maxlength: '1000', 'aria-label': t('m_reply'),
                                 dataset: { testid: 'survey-reply-input' } });
    reply.value = c.reply || '';
    function patch(body) {
      return M.api('PATCH', '/api/survey/comments/' + c.id, body).then(function (r) {
        if (!r.ok) { M.showError('survey-comment-error', r.data && r.data.error); return; }
        M.saved();
        item.parentNode.replaceChild(commentItem(r.data), item);
      });
    }
    var item = el('li', { class: 'sv-comment card' + (followed ? ' is-followed' : ''), dataset: { comment: String(c.id) } }, [
      el('div', { class: 'sv-comment-meta' }, [
        el('span', { class: 'num', text: c.day }),
        M.letter(c.service, (M.serviceByCode(c.service) || {}).color),
        el('span', { text: c.service_name }),
        c.counter ? el('span', { class: 'm-muted', text: c.counter }) : null,
        c.score !== null ? el('span', { class: 'm-muted num', text: t('m_score') + ' ' + dec(c.score, 2) }) : null,
        followed ? M.pill('open', t('m_followed_up') + (c.followed_up_by ? ' · ' + c.followed_up_by : ''), 'survey-followed') : null
      ]),
      el('p', { class: 'sv-comment-text', text: c.comment, dataset: { testid: 'survey-comment-text' } }),
      el('div', { class: 'sv-comment-actions' }, [
        reply,
        el('div', { class: 'm-actions' }, [
          el('button', { type: 'button', class: 'btn btn-small', text: t('m_send_reply'), dataset: { testid: 'survey-send-reply' },
                         onclick: function () { patch({ reply: reply.value.trim() || null }); } }),
          el('button', { type: 'button', class: 'btn btn-outline btn-small', dataset: { testid: 'survey-mark' },
                         text: followed ? t('m_unmark_followed') : t('m_mark_followed'),
                         onclick: function () { patch({ followed_up: !followed }); } })
        ])
      ])
    ]);
    return item;
  }

  // ---- settings (managers) ---------------------------------------------------------------------------
  function loadSettings() {
    if (!M.isManager || !M.$('sv-questions')) return Promise.resolve();
    return M.api('GET', '/api/survey/settings').then(function (r) {
      if (!r.ok) { M.showError('survey-settings-error', r.data && r.data.error); return; }
      settings = r.data;
      renderQuestions();
      renderHidden();
      renderDisplays();
    });
  }

  function renderQuestions() {
    var box = Live.clear(M.$('sv-questions'));
    settings.elements.forEach(function (e) {
      var q = el('input', { class: 'm-input', maxlength: '300', value: e.question, 'aria-label': t('m_question'),
                            dataset: { testid: 'survey-question-' + e.code } });
      var qEn = el('input', { class: 'm-input', maxlength: '300', value: e.question_en, lang: 'en', 'aria-label': t('m_question') + ' (English)' });
      var answers = e.answers.map(function (a, i) { return el('input', { class: 'm-input', maxlength: '80', value: a, 'aria-label': String(i + 1) }); });
      var answersEn = e.answers_en.map(function (a, i) { return el('input', { class: 'm-input', maxlength: '80', value: a, lang: 'en', 'aria-label': String(i + 1) + ' (English)' }); });
      var details = el('details', { class: 'm-details sv-question', dataset: { element: e.code } }, [
        el('summary', {}, [el('strong', { text: e.u + ' ' + e.label }), el('span', { class: 'm-muted', text: ' — ' + e.question })]),
        el('label', { class: 'm-field' }, [el('span', { text: t('m_question') }), q]),
        el('div', { class: 'm-field' }, [el('span', { text: t('m_answers') }), el('div', { class: 'sv-answers' }, answers)]),
        el('label', { class: 'm-field' }, [el('span', { text: t('m_question') + ' (English)' }), qEn]),
        el('div', { class: 'm-field' }, [el('span', { text: t('m_answers') + ' (English)' }), el('div', { class: 'sv-answers' }, answersEn)]),
        el('div', { class: 'm-actions' }, [el('button', {
          type: 'button', class: 'btn btn-small', text: t('m_save'), dataset: { testid: 'survey-question-save-' + e.code },
          onclick: function () {
            M.clearError('survey-settings-error');
            M.api('PUT', '/api/survey/questions/' + e.code, {
              question: q.value, answers: answers.map(function (i) { return i.value; }),
              question_en: qEn.value.trim() || null, answers_en: answersEn.map(function (i) { return i.value; })
            }).then(function (r) {
              if (r.ok) { M.saved(); loadSettings(); } else M.showError('survey-settings-error', r.data && r.data.error);
            });
          }
        })])
      ]);
      box.appendChild(details);
    });
  }

  function renderHidden() {
    var head = Live.clear(M.$('sv-hidden-head')), body = Live.clear(M.$('sv-hidden'));
    head.appendChild(el('tr', {}, [el('th', { text: t('service') })].concat(settings.elements.map(function (e) {
      return el('th', { class: 'sv-center', text: e.u, title: e.label });
    }))));
    M.data.services.forEach(function (sv) {
      var hidden = settings.hidden[sv.code] || [];
      var boxes = settings.elements.map(function (e) {
        var box = el('input', { type: 'checkbox', 'aria-label': sv.code + ' ' + e.label, dataset: { testid: 'survey-hide-' + sv.code + '-' + e.code } });
        box.checked = hidden.indexOf(e.code) >= 0;
        box.addEventListener('change', function () {
          var chosen = settings.elements.filter(function (x, i) { return boxes[i].checked; }).map(function (x) { return x.code; });
          M.clearError('survey-settings-error');
          M.api('PUT', '/api/survey/hidden/' + sv.code, { hidden: chosen }).then(function (r) {
            if (r.ok) { settings.hidden[sv.code] = r.data.hidden; M.saved(); load(); }
            else { box.checked = !box.checked; M.showError('survey-settings-error', r.data && r.data.error); }
          });
        });
        return box;
      });
      body.appendChild(el('tr', { dataset: { service: sv.code } }, [el('td', {}, [M.svcCell(sv)])].concat(boxes.map(function (b) {
        return el('td', { class: 'sv-center' }, [b]);
      }))));
    });
  }

  function renderDisplays() {
    var body = Live.clear(M.$('sv-displays'));
    if (!settings.displays.length) { M.empty(body, 2, t('m_no_profiles')); return; }
    settings.displays.forEach(function (d) {
      var select = el('select', { class: 'm-input', dataset: { testid: 'survey-display-' + d.profile_id } },
        ['off', 'ticker', 'panel'].map(function (mode) { return el('option', { value: mode, text: t('m_mode_' + mode) }); }));
      select.value = d.mode;
      select.addEventListener('change', function () {
        M.api('PUT', '/api/survey/displays/' + d.profile_id, { mode: select.value }).then(function (r) {
          if (r.ok) M.saved(); else { select.value = d.mode; M.showError('survey-settings-error', r.data && r.data.error); }
        });
      });
      body.appendChild(el('tr', {}, [el('td', { class: 'm-strong', text: d.name }), el('td', {}, [select])]));
    });
  }

  // ---- the printable report, laid out like the regulation's tables ---------------------------------
  function buildPrint(data) {
    var box = Live.clear(M.$('sv-print')), s = data.summary, scope = data.scope;
    function table(head, rows, foot) {
      return el('table', { class: 'sv-print-table' }, [
        el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', { text: h }); }))]),
        el('tbody', {}, rows.map(function (r) { return el('tr', {}, r.map(function (c) { return el('td', { text: c }); })); })),
        foot ? el('tfoot', {}, foot.map(function (r) {
          return el('tr', {}, [el('th', { colspan: String(head.length - 1), text: r[0] }), el('td', { text: r[1] })]);
        })) : null
      ]);
    }
    box.appendChild(el('h1', { text: t('m_official_title').toUpperCase() }));
    box.appendChild(el('p', { class: 'sv-print-sub', text: scope.hall + (scope.service_name ? ' — ' + scope.service_name : '') }));
    box.appendChild(el('p', { class: 'sv-print-sub', text: t('m_period') + ': ' + data.from + ' – ' + data.to }));
    box.appendChild(table(['No', t('m_element'), t('m_respondents'), t('m_total_score'), 'NRR', t('m_nrr_weighted')],
      s.elements.map(function (e) {
        return [e.code ? uNum(e.code) : '', label(e.code), String(e.respondents), String(e.total), dec(e.nrr, 3), dec(e.weighted, 3)];
      }),
      [[t('m_index'), dec(s.index, 4)], ['IKM (' + t('m_index') + ' × 25)', dec(s.ikm, 2)],
       [t('m_mutu'), s.mutu || '—'], [t('m_kinerja'), s.mutu ? kinerja(s) : '—']]));
    box.appendChild(table([t('m_respondents'), t('m_population'), t('m_min_sample') + ' (Krejcie–Morgan)', ''],
      [[String(s.respondents), String(s.population), String(s.min_sample), s.sample_ok ? t('m_sample_ok') : t('m_sample_short')]]));
    if (data.services.length > 1) {
      box.appendChild(el('h2', { text: t('m_per_agency') }));
      box.appendChild(table([t('service'), t('m_respondents'), t('m_ikm'), t('m_mutu'), t('m_kinerja')],
        data.services.map(function (r) { return [r.code + ' · ' + r.name, String(r.respondents), dec(r.ikm, 2), r.mutu || '—', r.mutu ? kinerja(r) : '—']; })));
    }
    box.appendChild(el('h2', { text: t('m_profile') }));
    var profileRows = [];
    var words = data.profile_labels || {};
    Object.keys(s.profile || {}).forEach(function (field) {
      var counts = s.profile[field], spec = words[field] || { label: field, options: {} };
      Object.keys(counts).forEach(function (option) {
        var pct = s.respondents ? dec(100 * counts[option] / s.respondents, 1) + ' %' : '—';
        profileRows.push([Live.lang === 'en' ? spec.label_en : spec.label, option ? (spec.options[option] || option) : t('s_not_given', '—'),
                          String(counts[option]), pct]);
      });
    });
    box.appendChild(table([t('m_profile'), '', t('m_respondents'), '%'], profileRows));
    box.appendChild(el('p', { class: 'sv-print-sign', text: Live.fmtDate(Live.now()) }));
  }

  M.section('survey', {
    init: function () {
      if (!M.$('sv-form')) return;
      form().elements.period.addEventListener('change', syncPeriod);
      form().addEventListener('submit', function (e) { e.preventDefault(); load(); });
      M.$('sv-open-only').addEventListener('change', loadComments);
      M.$('sv-print-btn').addEventListener('click', function () { global.print(); });
      try {     // today in hall time, as the date the period is around
        form().elements.date.value = new Intl.DateTimeFormat('en-CA', { timeZone: Live.timezone() }).format(Live.now());
      } catch (e) { /* an old browser: the server takes today */ }
      syncPeriod();
    },
    show: function () {
      fillScope();
      return Promise.all([load(), loadSettings()]);
    }
  });
})(window);
