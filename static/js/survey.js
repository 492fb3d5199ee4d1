/*
 * Survei Kepuasan Masyarakat, the visitor's side. Two ways in, one form:
 * - phone (/survey/t/TOKEN): the token in the page is the proof of service;
 * - counter tablet (/survey?counter=N, a paired "survey" device): it hears `finished` for its
 *   counter on the live socket, fetches that ticket's token and shows the form; a minute without
 *   a touch, or a sent answer, brings it back to the idle screen.
 * Everything is put on the page with textContent (Live.el), never as HTML.
 */
(function (global) {
  'use strict';

  var Live = global.Live;
  var el = Live.el, t = Live.t;
  var $ = function (id) { return document.getElementById(id); };
  var data = Live.readJSON('survey-data', {});
  var IDLE_MS = 60 * 1000;
  var DONE_MS = 6000;

  var current = null;          // {token, ticket, service, questions}
  var dismissed = {};          // tokens the tablet let go (answered or left alone)
  var idleTimer = null, doneTimer = null, sending = false;

  function show(which) {
    ['s-idle', 's-form', 's-done'].forEach(function (id) { if ($(id)) $(id).hidden = id !== which; });
    global.scrollTo(0, 0);
  }

  function showError(message) {
    var box = $('s-error');
    Live.setText(box, message || '');
    box.hidden = !message;
  }

  // ---- the form -------------------------------------------------------------------------------
  function buildForm(ticket) {
    current = ticket;
    Live.setText($('s-ticket'), ticket.ticket);
    Live.setText($('s-service'), ticket.service_name ? '· ' + ticket.service_name : '');
    var box = Live.clear($('s-questions'));
    ticket.questions.forEach(function (q, index) {
      var options = q.answers.map(function (label, i) {
        var score = i + 1;
        var input = el('input', { type: 'radio', name: 'q-' + q.code, value: String(score), class: 'visually-hidden',
                                  id: 'q-' + q.code + '-' + score, dataset: { testid: 'answer-' + q.code + '-' + score } });
        input.addEventListener('change', function () { answered(q.code, index); });
        return el('label', { class: 's-option is-' + score, for: 'q-' + q.code + '-' + score }, [
          input, el('span', { class: 's-score num', text: String(score) }), el('span', { class: 's-option-text', text: label })]);
      });
      box.appendChild(el('fieldset', { class: 's-card card s-question', dataset: { element: q.code }, id: 'fs-' + q.code }, [
        el('legend', { class: 's-qtext' }, [el('span', { class: 's-qnum num', text: String(index + 1) }),
                                             el('span', { text: q.question })]),
        el('div', { class: 's-options' }, options)
      ]));
    });
    var profile = Live.clear($('s-profile'));
    (data.profile || []).forEach(function (spec) {
      var field = spec.field;
      var select = el('select', { class: 's-select', name: field, id: 'p-' + field, dataset: { testid: 'profile-' + field } },
        [el('option', { value: '', text: '— ' + t('s_not_given') + ' —' })].concat(spec.options.map(function (o) {
          return el('option', { value: o[0], text: o[1] });
        })));
      profile.appendChild(el('label', { class: 's-field', for: 'p-' + field }, [el('span', { text: spec.label }), select]));
    });
    $('s-comment').value = '';
    showError('');
    show('s-form');
    touched();
  }

  function answered(code, index) {
    var fs = $('fs-' + code);
    fs.classList.remove('is-missing');
    fs.classList.add('is-answered');
    if (!document.querySelector('.s-question.is-missing')) showError('');
    if (data.mode === 'tablet') {            // the next question comes up by itself
      var next = current.questions[index + 1];
      var target = next ? $('fs-' + next.code) : $('s-profile');
      if (target && target.scrollIntoView) target.scrollIntoView({ behavior: 'smooth', block: 'center' });
    }
  }

  function collect() {
    var answers = {}, missing = [];
    current.questions.forEach(function (q) {
      var chosen = document.querySelector('input[name="q-' + q.code + '"]:checked');
      if (chosen) answers[q.code] = Number(chosen.value);
      else missing.push(q.code);
    });
    var body = { token: current.token, answers: answers };
    (data.profile || []).forEach(function (spec) {
      body[spec.field] = $('p-' + spec.field).value || null;
    });
    var comment = $('s-comment').value.trim();
    body.comment = comment || null;
    return { body: body, missing: missing };
  }

  function submit(e) {
    e.preventDefault();
    if (sending || !current) return;
    var got = collect();
    if (got.missing.length) {
      got.missing.forEach(function (code) { $('fs-' + code).classList.add('is-missing'); });
      showError(t('s_missing'));
      var first = $('fs-' + got.missing[0]);
      if (first.scrollIntoView) first.scrollIntoView({ behavior: 'smooth', block: 'center' });
      return;
    }
    sending = true;
    var button = document.querySelector('.s-submit');
    button.disabled = true;
    Live.api('POST', '/api/survey/responses', got.body, { retries: 1 }).then(function (r) {
      sending = false;
      button.disabled = false;
      if (r.ok) { done(t('s_thanks')); return; }
      if (r.status === 409) { done((r.data && r.data.error) || t('s_answered')); return; }
      showError((r.data && r.data.error) || t('server_error'));
    });
  }

  function done(message, reply) {
    if (current) dismissed[current.token] = true;
    current = null;
    Live.setText($('s-done-text'), message);
    $('s-reply').hidden = !reply;
    Live.setText($('s-reply-text'), reply || '');
    show('s-done');
    clearTimeout(idleTimer);
    if (data.mode === 'tablet') {
      clearTimeout(doneTimer);
      doneTimer = setTimeout(function () { show('s-idle'); }, DONE_MS);
    }
  }

  // ---- the tablet: a minute without a touch resets it -----------------------------------------
  function touched() {
    if (data.mode !== 'tablet') return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () {
      if (current) dismissed[current.token] = true;
      current = null;
      show('s-idle');
    }, IDLE_MS);
  }

  function fetchCurrent() {
    Live.api('GET', '/api/survey/counters/' + data.counter + '/current').then(function (r) {
      if (!r.ok || !r.data || !r.data.ticket || !r.data.token) return;
      if (dismissed[r.data.token] || (current && current.token === r.data.token)) return;
      var q = (data.questionnaires || {})[r.data.service];
      if (!q) return;
      clearTimeout(doneTimer);
      buildForm({ token: r.data.token, ticket: r.data.ticket, service_name: r.data.service_name,
                  questions: q.questions });
    });
  }

  function startTablet() {
    var root = $('survey');
    if ($('pairing-code')) {               // not paired yet: show the code, reload once paired
      var live = Live.connect({ page: 'survey', onDevice: global.Pairing.onDevice('survey', false) });
      global.Pairing.start('survey', $('pairing-code'), live);
      return;
    }
    if (!data.counter) return;             // the counter chooser
    show('s-idle');
    ['pointerdown', 'keydown', 'input', 'scroll'].forEach(function (name) {
      root.addEventListener(name, touched, { passive: true });
    });
    var live = Live.connect({
      page: 'survey',
      onState: function () { fetchCurrent(); },
      onEvent: function (ev) {
        if (ev.type === 'finished' && ev.counter && ev.counter.id === data.counter) fetchCurrent();
      },
      onDevice: global.Pairing.onDevice('survey', true)
    });
    // The questionnaire changed (wording, an element hidden): take the new one while nobody answers.
    var stale = false;
    live.socket.on('survey', function (info) {
      if (info && info.settings) stale = true;
      if (stale && !current) global.location.reload();
    });
    global.setInterval(function () { if (stale && !current) global.location.reload(); }, 5000);
  }

  function startPhone() {
    var ticket = data.ticket;
    if (ticket.answered) { done(t('s_answered'), ticket.reply); return; }
    if (ticket.expired) { done(t('s_expired')); return; }
    buildForm({ token: data.token, ticket: ticket.ticket, service_name: ticket.service_name,
                questions: ticket.questions });
  }

  if ($('s-form')) $('s-form').addEventListener('submit', submit);
  if (data.mode === 'tablet') startTablet();
  else if (data.mode === 'phone') startPhone();
})(window);
