/* Manager console, API tokens for machines (kiosks, counter tablets, other systems), a block of
 * the screens section: the list (never the tokens themselves), a new token shown once, revoke.
 * Text goes in with textContent (Live.el) or an input's value, never as HTML. */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;
  var ROLES = { kiosk: 'm_token_role_kiosk', counter: 'm_token_role_counter', manager: 'm_token_role_manager' };

  function when(iso) { return iso ? Live.fmtShortDate(iso) + ' ' + Live.fmtTime(iso) : '—'; }

  /** A revoke button that asks once more by changing its own label (no native dialogs). */
  function revokeButton(token) {
    var armed = null;
    var button = el('button', { type: 'button', class: 'btn btn-outline btn-small m-del', text: t('m_token_revoke'),
                                dataset: { testid: 'token-revoke-' + token.id } });
    button.addEventListener('click', function () {
      if (!armed) {
        button.textContent = t('m_confirm_delete');
        button.classList.add('is-armed');
        armed = setTimeout(function () { armed = null; button.textContent = t('m_token_revoke'); button.classList.remove('is-armed'); }, 3500);
        return;
      }
      clearTimeout(armed); armed = null;
      button.disabled = true;
      M.clearError('tokens-error');
      M.api('DELETE', '/api/manage/tokens/' + encodeURIComponent(token.id)).then(function (r) {
        if (!r.ok) {
          button.disabled = false;
          M.showError('tokens-error', (r.data && r.data.error) || ('HTTP ' + r.status));
          return;
        }
        M.toast(t('m_token_revoked'), 'ok');
        load();
      });
    });
    return button;
  }

  function render(tokens) {
    var body = Live.clear(M.$('token-rows'));
    tokens.forEach(function (tk) {
      body.appendChild(el('tr', { dataset: { tokenId: String(tk.id), testid: 'token-row' } }, [
        el('td', { class: 'm-strong', text: tk.label || '—' }),
        el('td', { text: t(ROLES[tk.role] || '', tk.role) }),
        el('td', { text: tk.counter || '—' }),
        el('td', { class: 'num', text: when(tk.created_at) }),
        el('td', { class: 'num', text: tk.expires_at ? when(tk.expires_at) : t('m_token_never') }),
        el('td', { class: 'num', text: when(tk.last_used_at) }),
        el('td', { dataset: { testid: 'token-state' } }, [
          M.pill(tk.state === 'active' ? 'open' : 'closed', t('m_token_state_' + tk.state, tk.state))]),
        el('td', { class: 'm-right' }, [tk.state === 'revoked' ? null : revokeButton(tk)])
      ]));
    });
    if (!tokens.length) M.empty(body, 8, t('m_no_tokens'));
  }

  function load() {
    return M.api('GET', '/api/manage/tokens').then(function (r) {
      if (r.ok) render(r.data.tokens || []);
      else M.showError('tokens-error', (r.data && r.data.error) || ('HTTP ' + r.status));
    });
  }

  function fillCounters() {
    var select = M.$('token-form').elements.counter;
    var chosen = select.value;
    Live.clear(select);
    M.data.counters.forEach(function (c) {
      select.appendChild(el('option', { value: String(c.id), text: c.name }));
    });
    if (chosen) select.value = chosen;
  }

  function syncRole() {
    var form = M.$('token-form');
    M.$('token-counter-field').hidden = form.elements.role.value !== 'counter';
  }

  function forgetNewToken() {
    M.$('token-new-value').value = '';
    M.$('token-new').hidden = true;
  }

  function create(e) {
    e.preventDefault();
    var form = M.$('token-form');
    var body = { role: form.elements.role.value, label: form.elements.label.value };
    if (body.role === 'counter') body.counter = M.intOrNull(form.elements.counter.value);
    var days = M.intOrNull(form.elements.expires_days.value);
    if (days !== null) body.expires_days = days;
    forgetNewToken();
    M.submit(form, 'token-error', 'POST', '/api/manage/tokens', body).then(function (r) {
      if (!r.ok) return;
      M.$('token-new-value').value = r.data.token;    // shown this once; the server keeps only a hash
      M.$('token-new').hidden = false;
      M.$('token-new-value').select();
      form.reset();
      syncRole();
      M.saved();
      load();
    });
  }

  M.section('screens/tokens', {
    init: function () {
      var form = M.$('token-form');
      if (!form) return;                               // not a manager: no block on the page
      form.addEventListener('submit', create);
      form.elements.role.addEventListener('change', syncRole);
      M.$('token-new-value').addEventListener('focus', function (e) { e.target.select(); });
      syncRole();
    },
    show: function () {
      if (!M.$('token-form')) return null;
      forgetNewToken();
      return M.loadCounters().then(function () { fillCounters(); return load(); });
    }
  });
})(window);
