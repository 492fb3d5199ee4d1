/* Manager console: the visitor's phone. The public address ticket links use, the typical service
 * time per agency (the estimate's fallback), and WhatsApp: the sender, the gateway (URL, token
 * header, token, body template), "N lagi", when to give up; counts and failures (numbers masked).
 * Text as text only. */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;

  function renderTypical(minutes, fallback) {
    var box = Live.clear(M.$('phone-typical'));
    (M.data.services || []).forEach(function (sv) {
      var input = el('input', { class: 'm-input', type: 'number', min: '1', max: '240', step: '0.5',
                                name: 'typical-' + sv.code, placeholder: String(fallback),
                                dataset: { code: sv.code, testid: 'typical-' + sv.code } });
      input.value = minutes[sv.code] === undefined ? '' : String(minutes[sv.code]);
      box.appendChild(el('label', { class: 'm-field m-row' }, [M.svcCell(sv), input]));
    });
  }

  function renderNotify(data) {
    var form = M.$('wa-form');
    ['sender', 'url', 'header', 'template', 'near', 'give_up_minutes'].forEach(function (name) {
      if (document.activeElement !== form.elements[name]) form.elements[name].value = data[name];
    });
    form.elements.token.value = '';
    form.elements.token.placeholder = data.token_set ? '••••••' : '';
    var c = data.counts || {};
    Live.setText(M.$('wa-counts'), t('m_wa_counts').replace('{sent}', c.sent || 0)
      .replace('{pending}', c.pending || 0).replace('{failed}', c.failed || 0).replace('{contacts}', data.contacts || 0));
    var body = Live.clear(M.$('wa-failures'));
    var rows = (data.failures || []).concat((data.retrying || []).map(function (r) {
      return Object.assign({}, r, { retrying: true });
    }));
    rows.forEach(function (r) {
      body.appendChild(el('tr', { class: r.retrying ? '' : 'is-blocked' }, [
        el('td', { class: 'num m-strong', text: r.number }), el('td', { text: r.kind }),
        el('td', { class: 'num', text: r.phone }),
        el('td', { class: 'num', text: String(r.attempts) + (r.retrying ? ' · ' + t('m_wa_retrying') : '') }),
        el('td', { text: r.error })]));
    });
    if (!rows.length) M.empty(body, 5, t('m_wa_none'));
  }

  function load() {
    M.api('GET', '/api/manage/visitor').then(function (r) {
      if (!r.ok) return;
      M.loadServices().then(function () { renderTypical(r.data.minutes || {}, r.data.default); });
      var url = M.$('phone-form').elements.public_url;
      if (document.activeElement !== url) url.value = r.data.public_url || '';
    });
    M.api('GET', '/api/manage/notify').then(function (r) { if (r.ok) renderNotify(r.data); });
  }

  M.section('phone', {
    init: function () {
      if (!M.$('sec-phone')) return;
      M.$('phone-form').addEventListener('submit', function (e) {
        e.preventDefault();
        var minutes = {};
        Array.prototype.forEach.call(M.$('phone-typical').querySelectorAll('input'), function (input) {
          minutes[input.dataset.code] = input.value === '' ? null : Number(input.value);
        });
        M.submit(M.$('phone-form'), 'phone-error', 'PUT', '/api/manage/visitor',
                 { public_url: M.$('phone-form').elements.public_url.value.trim(), minutes: minutes })
          .then(function (r) { if (r.ok) { M.saved(); load(); } });
      });
      M.$('wa-form').addEventListener('submit', function (e) {
        e.preventDefault();
        var f = M.$('wa-form').elements;
        var body = { sender: f.sender.value, url: f.url.value.trim(), header: f.header.value.trim(),
                     template: f.template.value, near: Number(f.near.value), give_up_minutes: Number(f.give_up_minutes.value) };
        if (f.token.value) body.token = f.token.value;
        M.submit(M.$('wa-form'), 'wa-error', 'PUT', '/api/manage/notify', body)
          .then(function (r) { if (r.ok) { M.saved(); renderNotify(r.data); } });
      });
    },
    show: function () { if (M.$('sec-phone')) load(); }
  });
})(window);
