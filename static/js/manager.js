/* Manager console (placeholder): a live overview of agencies and counters from the snapshot. */
(function (global) {
  'use strict';

  var Live = global.Live;
  var el = Live.el, t = Live.t;
  var S = { services: [], counters: [] };

  function render() {
    var body = document.getElementById('m-services');
    Live.clear(body);
    S.services.forEach(function (sv) {
      body.appendChild(el('tr', { dataset: { service: sv.code } }, [
        el('td', {}, [el('span', { class: 'm-svc' }, [
          el('span', { class: 'letter', style: { '--svc': Live.safeColor(sv.color) }, text: sv.code }),
          el('span', { text: sv.name })])]),
        el('td', { class: 'm-right m-num num', text: String(sv.waiting || 0) }),
        el('td', {}, [sv.open
          ? el('span', { class: 'm-pill is-open', text: t('open', 'Buka') })
          : el('span', { class: 'm-pill is-closed', text: t('closed') + (sv.closed_reason ? ' · ' + sv.closed_reason : '') })])
      ]));
    });
    var counters = document.getElementById('m-counters');
    Live.clear(counters);
    S.counters.forEach(function (c) {
      counters.appendChild(el('tr', { dataset: { counterId: String(c.id) } }, [
        el('td', { class: 'm-strong', text: c.name }),
        el('td', { text: (c.services || []).join(', ') }),
        el('td', {}, [el('span', { class: 'm-pill is-' + c.state, text: t(c.state, c.state) })]),
        el('td', { class: 'm-strong num', text: c.ticket ? c.ticket.number : '—' })
      ]));
    });
  }

  function onState(snap) {
    S.services = snap.services || [];
    S.counters = snap.counters || [];
    render();
  }

  function onEvent(ev) {
    if (ev.waiting) S.services.forEach(function (sv) {
      if (Object.prototype.hasOwnProperty.call(ev.waiting, sv.code)) sv.waiting = ev.waiting[sv.code];
    });
    if (ev.counter) S.counters = S.counters.map(function (c) { return c.id === ev.counter.id ? ev.counter : c; });
    render();
  }

  Live.connect({ page: 'manager', name: 'manager', onState: onState, onEvent: onEvent });
})(window);
