/* Manager console: paired devices (pair by the code a TV or kiosk shows, revoke), whether unpaired
 * devices may take tickets, and log-in locks (lift). Text goes on the page as text only. */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;

  function when(iso) { return iso ? Live.fmtShortDate(iso) + ' ' + Live.fmtTime(iso) : '—'; }

  function renderDevices(devices) {
    var body = M.$('device-rows');
    Live.clear(body);
    if (!devices.length) { M.empty(body, 5, t('m_no_devices')); return; }
    devices.forEach(function (d) {
      var revoked = d.state === 'revoked';
      var action = revoked ? el('span') : el('button', {
        type: 'button', class: 'btn btn-outline btn-small', text: t('m_revoke'),
        dataset: { testid: 'revoke-device' },
        onclick: function () {
          M.api('DELETE', '/api/manage/devices/' + d.id).then(function (r) {
            if (r.ok) { M.saved(); loadDevices(); } else M.showError('pair-error', r.data && r.data.error);
          });
        }
      });
      body.appendChild(el('tr', { dataset: { device: String(d.id) } }, [
        el('td', { class: 'm-strong', text: d.name }),
        el('td', { text: t('m_kind_' + d.kind) }),
        el('td', { class: 'num', text: when(d.last_seen_at) }),
        el('td', {}, [M.pill(revoked ? 'closed' : 'open', revoked ? t('m_revoked') : t('m_paired'))]),
        el('td', { class: 'm-right' }, [action])
      ]));
    });
  }

  function loadDevices() {
    return M.api('GET', '/api/manage/devices').then(function (r) { if (r.ok) renderDevices(r.data.devices || []); });
  }

  function renderLocks(locks) {
    var body = M.$('lockout-rows');
    Live.clear(body);
    if (!locks.length) { M.empty(body, 4, t('m_no_lockouts')); return; }
    locks.forEach(function (lock) {
      body.appendChild(el('tr', { dataset: { lock: lock.key } }, [
        el('td', { class: 'm-strong', text: lock.value }),
        el('td', { class: 'num', text: String(lock.failures) }),
        el('td', { class: 'num', text: Live.fmtTime(lock.locked_until) }),
        el('td', { class: 'm-right' }, [el('button', {
          type: 'button', class: 'btn btn-outline btn-small', text: t('m_unlock'),
          dataset: { testid: 'unlock' },
          onclick: function () {
            M.api('POST', '/api/manage/lockouts/lift', { key: lock.key }).then(function (r) {
              if (r.ok) { M.saved(); loadLocks(); } else M.showError('lockout-error', r.data && r.data.error);
            });
          }
        })])
      ]));
    });
  }

  function loadLocks() {
    return M.api('GET', '/api/manage/lockouts').then(function (r) { if (r.ok) renderLocks(r.data.lockouts || []); });
  }

  function pair(e) {
    e.preventDefault();
    var form = M.$('pair-form');
    M.submit(form, 'pair-error', 'POST', '/api/manage/devices/pair',
             { code: form.elements.code.value, name: form.elements.name.value })
      .then(function (r) {
        if (!r.ok) return;
        form.reset();
        M.saved();
        loadDevices();
      });
  }

  M.section('access', {
    init: function () {
      if (!M.$('pair-form')) return;
      M.$('pair-form').addEventListener('submit', pair);
      M.$('public-tickets').addEventListener('change', function (e) {
        M.clearError('public-error');
        M.api('PUT', '/api/manage/hall', { public_tickets: e.target.checked }).then(function (r) {
          if (r.ok) M.saved();
          else { e.target.checked = !e.target.checked; M.showError('public-error', r.data && r.data.error); }
        });
      });
    },
    show: function () {
      M.data.settings = null;
      return Promise.all([loadDevices(), loadLocks(), M.loadSettings()]).then(function () {
        M.$('public-tickets').checked = !!(M.data.settings && M.data.settings.public_tickets);
      });
    },
    onLive: function (ev) {
      if (M.current === 'access' && (ev.type === 'presence' || ev.type === 'visible')) { loadDevices(); loadLocks(); }
    }
  });
})(window);
