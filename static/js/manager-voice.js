/* Manager console, the voice's words and rooms: the pronunciation list (written -> spoken, with
 * "play a sample" beside each entry) and the speaker zones of counters and display profiles;
 * also fills the zone choice of a free announcement. Server side: speech/lexicon.py, zones.py. */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;
  var zoneInputs = { counters: {}, profiles: {} };

  // ---- pronunciation list -------------------------------------------------------------------
  function lexicon() {
    var saved = (M.data.settings && M.data.settings.speech) || {};
    return (saved.lexicon || []).slice();
  }

  function saveLexicon(entries, errorId) {
    return M.submit(M.$('lexicon-form'), errorId, 'PUT', '/api/manage/speech', { lexicon: entries }).then(function (r) {
      if (!r.ok) return r;
      M.data.settings = M.data.settings || {};
      M.data.settings.speech = r.data;
      renderLexicon();
      return r;
    });
  }

  /** Speak `written` as the list (or the entry being typed) says. */
  function sample(written, entries) {
    return M.submit(M.$('lexicon-form'), 'lexicon-error', 'POST', '/api/manage/speech/sample',
                    { text: written, lexicon: entries }).then(function (r) {
      if (!r.ok) return;
      M.$('lexicon-sample-box').hidden = false;
      Live.setText(M.$('lexicon-sample-text'), '“' + r.data.text + '”');
      var audio = M.$('lexicon-audio');
      audio.src = r.data.audio;
      var played = audio.play();
      if (played && played.catch) played.catch(function () { /* the controls stay for a manual play */ });
    });
  }

  function renderLexicon() {
    var body = M.$('lexicon-rows');
    if (!body) return;
    Live.clear(body);
    var entries = lexicon();
    entries.forEach(function (entry, index) {
      body.appendChild(el('tr', { dataset: { written: entry.written } }, [
        el('td', { class: 'm-strong', text: entry.written }),
        el('td', { text: entry.spoken }),
        el('td', { class: 'm-right' }, [
          el('button', { type: 'button', class: 'btn btn-outline btn-small', text: '▶',
                         title: t('m_play_sample'), 'aria-label': t('m_play_sample'),
                         dataset: { testid: 'lexicon-play-' + index },
                         onclick: function () { sample(entry.written, entries); } }),
          el('button', { type: 'button', class: 'btn btn-outline btn-small m-del', text: t('m_remove'),
                         dataset: { testid: 'lexicon-delete-' + index },
                         onclick: function () {
                           saveLexicon(entries.filter(function (_, i) { return i !== index; }), 'lexicon-error');
                         } })
        ])
      ]));
    });
    if (!entries.length) M.empty(body, 3, t('m_no_lexicon'));
  }

  function typed() {
    var f = M.$('lexicon-form');
    return { written: f.elements.written.value.trim(), spoken: f.elements.spoken.value.trim() };
  }

  // ---- speaker zones ------------------------------------------------------------------------
  function zoneInput(kind, key, value) {
    var input = el('input', { class: 'm-input', maxlength: '40', autocomplete: 'off', placeholder: t('m_zone_main'),
                              dataset: { testid: 'zone-' + (kind === 'counters' ? 'counter-' : 'profile-') + key } });
    input.value = value || '';
    zoneInputs[kind][key] = input;
    return input;
  }

  function renderZones(view, profiles) {
    var body = M.$('zone-rows');
    if (!body) return;
    Live.clear(body);
    zoneInputs = { counters: {}, profiles: {} };
    (M.data.counters || []).forEach(function (c) {
      body.appendChild(el('tr', {}, [el('td', { class: 'm-strong', text: c.name }),
                                     el('td', {}, [zoneInput('counters', String(c.id), view.counters[String(c.id)])])]));
    });
    profiles.forEach(function (p) {
      body.appendChild(el('tr', {}, [el('td', { text: '🖵 ' + p.name }),
                                     el('td', {}, [zoneInput('profiles', p.name, view.profiles[p.name])])]));
    });
    ['announce-zone', 'schedule-zone'].forEach(function (id) {   // speak now, and the daily schedule
      var select = M.$(id);
      if (!select) return;
      var chosen = select.value;
      Live.clear(select);
      select.appendChild(el('option', { value: '*', text: t('m_zone_all') }));
      (view.zones || ['']).forEach(function (z) {
        select.appendChild(el('option', { value: z, text: z || t('m_zone_main') }));
      });
      select.value = Array.prototype.some.call(select.options, function (o) { return o.value === chosen; }) ? chosen : '*';
    });
  }

  function loadZones() {
    return Promise.all([M.api('GET', '/api/manage/zones'), M.api('GET', '/api/manage/displays')]).then(function (rs) {
      if (!rs[0].ok) { M.showError('zones-error', rs[0].data.error); return; }
      renderZones(rs[0].data, (rs[1].ok && rs[1].data.profiles) || []);
    });
  }

  function saveZones(e) {
    e.preventDefault();
    var body = { counters: {}, profiles: {} };
    ['counters', 'profiles'].forEach(function (kind) {
      Object.keys(zoneInputs[kind]).forEach(function (key) {
        var zone = zoneInputs[kind][key].value.trim();
        if (zone) body[kind][key] = zone;
      });
    });
    M.submit(M.$('zones-form'), 'zones-error', 'PUT', '/api/manage/zones', body).then(function (r) {
      if (!r.ok) return;
      M.saved();
      loadZones();
    });
  }

  M.section('voice/words', {
    init: function () {
      var form = M.$('lexicon-form');
      if (!form) return;
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var entry = typed();
        var entries = lexicon().filter(function (x) { return x.written.toLowerCase() !== entry.written.toLowerCase(); });
        entries.push(entry);
        saveLexicon(entries, 'lexicon-error').then(function (r) { if (r.ok) { form.reset(); M.saved(); } });
      });
      M.$('lexicon-try').addEventListener('click', function () {
        var entry = typed();
        var others = lexicon().filter(function (x) { return x.written.toLowerCase() !== entry.written.toLowerCase(); });
        sample(entry.written, entry.spoken ? others.concat([entry]) : others);
      });
      M.$('zones-form').addEventListener('submit', saveZones);
    },
    show: function () {
      if (!M.$('lexicon-form')) return null;
      return Promise.all([M.loadSettings(), M.loadCounters()]).then(function () {
        renderLexicon();
        return loadZones();
      });
    }
  });
})(window);
