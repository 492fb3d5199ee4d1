/* Manager console: the kiosks and their ticket printers. Each paired kiosk's printer (network,
 * USB, serial, the browser's, or none), its paper width, a test print, the footer printed under
 * every ticket; and, for the live view, which kiosks are up, their printer and paper state and
 * their last ticket (MgrKiosks.renderLive, called by manager-live.js). Text as text only. */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;
  var KINDS = ['network', 'usb', 'serial', 'browser', 'none'];
  var SERVER_KINDS = ['network', 'usb', 'serial'];
  var BAD = ['paper_out', 'cover_open', 'offline'];

  function when(iso) { return iso ? Live.fmtShortDate(iso) + ' ' + Live.fmtTime(iso) : ''; }

  function statePill(printer) {
    if (SERVER_KINDS.indexOf(printer.kind) < 0) {
      return el('span', { class: 'm-muted', text: t('m_printer_kind_' + printer.kind) });
    }
    var state = printer.state || 'unknown';
    var kind = BAD.indexOf(state) >= 0 ? 'closed' : (state === 'ok' ? 'open' : 'paused');
    return el('span', { class: 'm-kiosk-state' }, [
      M.pill(kind, t('pstate_' + state), 'printer-state'),
      printer.detail && BAD.indexOf(state) >= 0 ? el('span', { class: 'm-reason', text: printer.detail }) : null]);
  }

  function upPill(k) {
    return M.pill(k.up ? 'open' : 'closed', k.up ? t('m_kiosk_up') : t('m_kiosk_down'), 'kiosk-up');
  }

  function lastTicket(k) {
    if (!k.last_ticket) return el('span', { class: 'm-muted', text: '—' });
    return el('span', {}, [el('strong', { class: 'num', text: k.last_ticket }), ' ',
                           el('span', { class: 'm-muted num', text: when(k.last_ticket_at) })]);
  }

  /** The live view's table of kiosks (overview.kiosks). */
  function renderLive(kiosks) {
    var body = M.$('live-kiosks');
    if (!body) return;
    Live.clear(body);
    kiosks = (kiosks || []).slice().sort(function (a, b) {   // problems first
      var pa = (!a.up || BAD.indexOf(a.printer.state) >= 0) ? 0 : 1, pb = (!b.up || BAD.indexOf(b.printer.state) >= 0) ? 0 : 1;
      return (pa - pb) || String(a.name).localeCompare(String(b.name));
    });
    kiosks.forEach(function (k) {
      var printer = k.printer || {};
      body.appendChild(el('tr', { dataset: { kiosk: String(k.id), state: printer.state || '' },
                                  class: BAD.indexOf(printer.state) >= 0 && SERVER_KINDS.indexOf(printer.kind) >= 0 ? 'is-blocked' : '' }, [
        el('td', { class: 'm-strong', text: k.name }),
        el('td', {}, [upPill(k)]),
        el('td', { text: t('m_printer_kind_' + printer.kind) + (printer.paper ? ' · ' + printer.paper + ' mm' : '') }),
        el('td', {}, [statePill(printer), k.pending_prints ? el('span', { class: 'm-muted', text: ' · ' + t('m_pending_prints') + ': ' + k.pending_prints }) : null]),
        el('td', {}, [lastTicket(k)])
      ]));
    });
    if (!kiosks.length) M.empty(body, 5, t('m_no_kiosks'));
  }

  function option(value, label, selected) {
    return el('option', { value: value, text: label, selected: selected ? true : undefined });
  }

  function kioskRow(k) {
    var printer = k.printer || {};
    var kind = el('select', { class: 'm-input', name: 'kind', dataset: { testid: 'printer-kind' } },
                  KINDS.map(function (x) { return option(x, t('m_printer_kind_' + x), x === printer.kind); }));
    var address = el('input', { class: 'm-input', name: 'address', maxlength: '120', autocomplete: 'off',
                                value: printer.address || '', placeholder: '192.168.1.50:9100',
                                dataset: { testid: 'printer-address' } });
    var paper = el('select', { class: 'm-input m-short', name: 'paper', dataset: { testid: 'printer-paper' } },
                   [option('80', '80 mm', printer.paper !== 58), option('58', '58 mm', printer.paper === 58)]);
    var errorId = 'kiosk-error-' + k.id;
    function sync() { address.disabled = SERVER_KINDS.indexOf(kind.value) < 0; }
    kind.addEventListener('change', sync);
    sync();
    var save = el('button', { type: 'submit', class: 'btn btn-small', text: t('m_save'), dataset: { testid: 'printer-save' } });
    var test = el('button', { type: 'button', class: 'btn btn-outline btn-small', text: t('m_test_print'),
                              dataset: { testid: 'printer-test' },
                              onclick: function () {
                                M.clearError(errorId);
                                M.api('POST', '/api/manage/kiosks/' + k.id + '/test-print').then(function (r) {
                                  if (r.ok) M.toast(t('m_test_sent'), 'ok'); else M.showError(errorId, r.data && r.data.error);
                                });
                              } });
    var form = el('form', { class: 'm-form m-kiosk-form', novalidate: true, dataset: { kiosk: String(k.id) } }, [
      el('div', { class: 'm-row' }, [
        el('label', { class: 'm-field' }, [el('span', { text: t('m_printer_kind') }), kind]),
        el('label', { class: 'm-field m-grow' }, [el('span', { text: t('m_printer_address') }), address]),
        el('label', { class: 'm-field' }, [el('span', { text: t('m_paper') }), paper]),
        el('div', { class: 'm-self-end m-row' }, [save, test])
      ]),
      el('p', { class: 'm-error', id: errorId, role: 'alert', hidden: true, dataset: { testid: 'printer-error' } })
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      M.submit(form, errorId, 'PUT', '/api/manage/kiosks/' + k.id + '/printer',
               { kind: kind.value, address: address.disabled ? '' : address.value, paper: Number(paper.value) })
        .then(function (r) { if (r.ok) { M.saved(); load(); } });
    });
    return el('div', { class: 'm-kiosk card m-panel', dataset: { kiosk: String(k.id), testid: 'kiosk-' + k.id } }, [
      el('div', { class: 'm-kiosk-head' }, [
        el('h2', { class: 'm-title', text: k.name }), upPill(k), statePill(printer),
        el('span', { class: 'm-kiosk-last' }, [t('m_last_ticket') + ': ', lastTicket(k)])]),
      form
    ]);
  }

  function render(data) {
    var list = Live.clear(M.$('kiosk-list'));
    var kiosks = data.kiosks || [];
    kiosks.forEach(function (k) { list.appendChild(kioskRow(k)); });
    if (!kiosks.length) list.appendChild(el('p', { class: 'm-hint', text: t('m_no_kiosks') }));
    var footer = M.$('slip-footer');
    if (document.activeElement !== footer) footer.value = data.footer || '';
  }

  function load() {
    return M.api('GET', '/api/manage/kiosks').then(function (r) { if (r.ok) render(r.data); });
  }

  global.MgrKiosks = { renderLive: renderLive };

  M.section('kiosks', {
    init: function () {
      if (!M.$('sec-kiosks')) return;
      M.$('slip-form').addEventListener('submit', function (e) {
        e.preventDefault();
        M.submit(M.$('slip-form'), 'slip-error', 'PUT', '/api/manage/slip', { footer: M.$('slip-footer').value })
          .then(function (r) { if (r.ok) M.saved(); });
      });
    },
    show: function () { if (M.$('sec-kiosks')) load(); },
    onLive: function (ev) {
      if (M.current === 'kiosks' && (ev.type === 'presence' || ev.type === 'visible')) load();
    }
  });
})(window);
