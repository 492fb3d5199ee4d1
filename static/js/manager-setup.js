/* Manager console, the hall's set-up: services (agencies), counters, staff, hours and holidays. */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;

  function val(form, name) { return form.elements[name].value; }

  function editButton(label, onclick, testid) {
    return el('button', { type: 'button', class: 'btn btn-outline btn-small', text: label,
                          dataset: testid ? { testid: testid } : undefined,
                          onclick: function (e) { e.stopPropagation(); onclick(); } });
  }

  function markCurrent(tbody, attr, value) {
    Array.prototype.forEach.call(tbody.querySelectorAll('tr'), function (tr) {
      tr.classList.toggle('is-current', value !== null && tr.getAttribute(attr) === String(value));
    });
  }

  // ================================================================================================
  // Services
  // ================================================================================================
  var svc = { editing: null, hoursTouched: false };   // editing: null | 'new' | code
  var svcHours;

  function manualReason(code) {
    var ov = M.data.overview;
    var row = ov && (ov.services || []).filter(function (s) { return s.code === code; })[0];
    // Only a closure a person made can be undone here, not hours, holidays or a used-up quota.
    return row && row.manual_reason ? row.manual_reason : null;
  }

  function renderServices() {
    var body = Live.clear(M.$('svc-rows'));
    M.data.services.forEach(function (sv) {
      var editable = M.mayEditService(sv.code);
      var tr = el('tr', { dataset: { service: sv.code }, class: editable ? '' : 'is-readonly',
                          onclick: editable ? function () { openService(sv.code); } : null }, [
        el('td', {}, [M.svcCell(sv)]),
        el('td', { class: 'm-right num', text: sv.daily_limit ? String(sv.daily_limit) : '—' }),
        el('td', { class: 'svc-state' }, [sv.open ? M.pill('open', t('open'))
          : el('span', { class: 'm-closed' }, [M.pill('closed', t('closed')), el('span', { class: 'm-reason', text: sv.closed_reason || '' })])]),
        el('td', { class: 'm-right' }, [editable ? editButton(t('m_edit'), function () { openService(sv.code); }, 'service-edit-' + sv.code) : null])
      ]);
      body.appendChild(tr);
    });
    markCurrent(body, 'data-service', svc.editing);
    var hallLogo = M.data.snapshot && M.data.snapshot.hall && M.data.snapshot.hall.logo;
    if (M.$('hall-logo-preview')) preview(M.$('hall-logo-preview'), hallLogo);
  }

  function preview(box, url) {
    Live.clear(box);
    if (url && typeof url === 'string' && url.charAt(0) === '/') box.appendChild(el('img', { src: url, alt: '' }));
    else box.appendChild(el('span', { class: 'm-muted', text: t('m_no_logo') }));
  }

  function openService(code) {
    var form = M.$('svc-form');
    var isNew = code === 'new';
    var sv = isNew ? { code: '', name: '', color: '#1f4e9c', daily_limit: null } : M.serviceByCode(code);
    if (!sv) return;
    svc.editing = code;
    svc.hoursTouched = false;
    M.clearError('service-error'); M.clearError('service-status-error'); M.clearError('service-logo-error');
    M.$('svc-editor').hidden = false;
    Live.setText(M.$('svc-editor-title'), isNew ? t('m_add_service') : sv.code + ' · ' + sv.name);
    form.elements.code.value = sv.code;
    form.elements.name.value = sv.name;
    form.elements.short_name.value = sv.short_name || '';
    form.elements.color.value = sv.color || '';
    form.elements.color_pick.value = /^#[0-9a-fA-F]{6}$/.test(sv.color || '') ? sv.color : '#1f4e9c';
    form.elements.daily_limit.value = sv.daily_limit ? String(sv.daily_limit) : '';
    form.elements.own_hours.checked = false;
    M.$('svc-hours').hidden = true;
    svcHours.set((M.data.settings && M.data.settings.hours) || {});
    ['code', 'name', 'short_name', 'color', 'color_pick'].forEach(function (n) { form.elements[n].disabled = !M.isManager; });
    M.$('svc-status').hidden = isNew;
    M.$('svc-logo-box').hidden = isNew;
    M.$('svc-close-form').reset();
    if (!isNew) { renderServiceStatus(); preview(M.$('svc-logo-preview'), sv.logo); }
    markCurrent(M.$('svc-rows'), 'data-service', code);
    (M.isManager ? form.elements.name : form.elements.daily_limit).focus();
  }

  function renderServiceStatus() {
    if (!svc.editing || svc.editing === 'new') return;
    var reason = manualReason(svc.editing);
    M.$('svc-closed-now').hidden = !reason;
    M.$('svc-close-form').hidden = !!reason;
    Live.setText(M.$('svc-closed-reason'), reason || '');
  }

  function closeServiceEditor() {
    svc.editing = null;
    M.$('svc-editor').hidden = true;
    markCurrent(M.$('svc-rows'), 'data-service', null);
  }

  function loadServicesSection() {
    var wants = [M.loadServices(), M.loadOverview()];
    if (!M.data.settings) wants.push(M.loadSettings());
    return Promise.all(wants).then(function () { renderServices(); renderServiceStatus(); });
  }
  var refreshServices = M.debounced(loadServicesSection, 150);

  function saveService(e) {
    e.preventDefault();
    var form = M.$('svc-form');
    var isNew = svc.editing === 'new';
    var body = {};
    if (M.isManager) {
      body.code = val(form, 'code').trim();
      body.name = val(form, 'name');
      body.short_name = val(form, 'short_name').trim() || null;
      body.color = val(form, 'color').trim();
    }
    body.daily_limit = M.intOrNull(val(form, 'daily_limit'));
    if (form.elements.own_hours.checked) body.hours = svcHours.get();
    else if (svc.hoursTouched && !isNew) body.hours = null;
    var url = isNew ? '/api/manage/services' : '/api/manage/services/' + encodeURIComponent(svc.editing);
    M.submit(form, 'service-error', isNew ? 'POST' : 'PATCH', url, body).then(function (r) {
      if (!r.ok) return;
      M.saved();
      var code = r.data.code;
      loadServicesSection().then(function () { openService(code); });
    });
  }

  function closeService(e) {
    e.preventDefault();
    var form = M.$('svc-close-form');
    M.submit(form, 'service-status-error', 'POST', '/api/manage/services/' + encodeURIComponent(svc.editing) + '/close',
             { reason: val(form, 'reason'), rest_of_today: form.elements.rest_of_today.checked }).then(function (r) {
      if (!r.ok) return;
      M.toast(t('m_service_closed'), 'ok');
      form.reset();
      loadServicesSection();
    });
  }

  function openServiceNow() {
    M.submit(M.$('svc-closed-now'), 'service-status-error', 'POST',
             '/api/manage/services/' + encodeURIComponent(svc.editing) + '/open').then(function (r) {
      if (!r.ok) return;
      M.toast(t('m_service_opened'), 'ok');
      loadServicesSection();
    });
  }

  function uploadLogo(form, errorId, code) {
    M.clearError(errorId);
    var file = form.elements.file.files[0];
    if (!file) { M.showError(errorId, t('m_choose_file')); return; }
    var data = new FormData();
    data.append('file', file);
    if (code) data.append('service', code);
    var button = form.querySelector('button');
    button.disabled = true;
    M.upload('/api/manage/logo', data).then(function (r) {
      button.disabled = false;
      if (!r.ok) { M.showError(errorId, r.data.error); return; }
      form.reset();
      M.saved();
      if (!code) preview(M.$('hall-logo-preview'), r.data.url);
      else loadServicesSection().then(function () { preview(M.$('svc-logo-preview'), r.data.url); });
    });
  }

  M.section('services', {
    init: function () {
      svcHours = M.hours('svc');
      var form = M.$('svc-form');
      form.addEventListener('submit', saveService);
      form.elements.color_pick.addEventListener('input', function () { form.elements.color.value = form.elements.color_pick.value; });
      form.elements.color.addEventListener('input', function () {
        if (/^#[0-9a-fA-F]{6}$/.test(form.elements.color.value.trim())) form.elements.color_pick.value = form.elements.color.value.trim();
      });
      form.elements.own_hours.addEventListener('change', function () {
        svc.hoursTouched = true;
        M.$('svc-hours').hidden = !form.elements.own_hours.checked;
      });
      M.$('svc-close-form').addEventListener('submit', closeService);
      M.$('svc-open').addEventListener('click', openServiceNow);
      M.$('svc-logo-form').addEventListener('submit', function (e) { e.preventDefault(); uploadLogo(e.target, 'service-logo-error', svc.editing); });
      if (M.$('hall-logo-form')) M.$('hall-logo-form').addEventListener('submit', function (e) { e.preventDefault(); uploadLogo(e.target, 'hall-logo-error', null); });
      if (M.$('svc-add')) M.$('svc-add').addEventListener('click', function () { openService('new'); });
      M.$('svc-editor').querySelector('[data-close-editor]').addEventListener('click', closeServiceEditor);
    },
    show: loadServicesSection,
    onLive: function (ev) {
      if (M.current === 'services' && ['hall', 'state', 'issued'].indexOf(ev.type) >= 0) refreshServices();
    }
  });

  // ================================================================================================
  // Counters
  // ================================================================================================
  var ctr = { editing: null, services: null };

  function renderCounters() {
    var body = Live.clear(M.$('ctr-rows'));
    var at = M.presenceAtCounters();
    M.data.counters.forEach(function (c) {
      body.appendChild(el('tr', { dataset: { counterId: String(c.id) }, class: M.isManager ? '' : 'is-readonly',
                                  onclick: M.isManager ? function () { openCounter(c.id); } : null }, [
        el('td', { class: 'm-strong', text: c.name }),
        el('td', {}, (c.services || []).map(function (code) {
          var sv = M.serviceByCode(code);
          return M.letter(code, sv && sv.color, 'm-letter-sm');
        })),
        el('td', {}, [M.pill(c.state, M.stateText(c.state))]),
        el('td', { text: (at[c.id] || []).map(M.userName).join(', ') || '—' }),
        el('td', { class: 'm-right' }, [M.isManager ? editButton(t('m_edit'), function () { openCounter(c.id); }, 'counter-edit-' + c.id) : null])
      ]));
    });
    markCurrent(body, 'data-counter-id', ctr.editing);
  }

  function openCounter(id) {
    var isNew = id === 'new';
    var c = isNew ? { name: '', services: [] } : M.counterById(id);
    if (!c) return;
    ctr.editing = id;
    M.clearError('counter-error');
    M.$('ctr-editor').hidden = false;
    Live.setText(M.$('ctr-editor-title'), isNew ? t('m_add_counter') : c.name);
    var form = M.$('ctr-form');
    form.elements.name.value = c.name;
    form.elements.short_name.value = c.short_name || '';
    ctr.services = M.checkList(M.$('ctr-services'), M.data.services.map(function (sv) {
      return { value: sv.code, label: sv.name, letter: sv.code, color: sv.color };
    }), c.services || [], { testPrefix: 'counter-service-' });
    markCurrent(M.$('ctr-rows'), 'data-counter-id', id);
    form.elements.name.focus();
  }

  function saveCounter(e) {
    e.preventDefault();
    var form = M.$('ctr-form');
    var isNew = ctr.editing === 'new';
    var body = { name: val(form, 'name'), short_name: val(form, 'short_name').trim() || null,
                 services: ctr.services.get() };
    M.submit(form, 'counter-error', isNew ? 'POST' : 'PATCH',
             isNew ? '/api/manage/counters' : '/api/manage/counters/' + ctr.editing, body).then(function (r) {
      if (!r.ok) return;
      M.saved();
      loadCountersSection().then(function () { openCounter(r.data.id); });
    });
  }

  function loadCountersSection() {
    var wants = [M.loadCounters(), M.loadOverview()];
    if (!M.data.staff) wants.push(M.loadStaff());
    return Promise.all(wants).then(renderCounters);
  }
  var refreshCounters = M.debounced(loadCountersSection, 150);

  M.section('counters', {
    init: function () {
      M.$('ctr-form').addEventListener('submit', saveCounter);
      if (M.$('ctr-add')) M.$('ctr-add').addEventListener('click', function () { openCounter('new'); });
      M.$('ctr-editor').querySelector('[data-close-editor]').addEventListener('click', function () {
        ctr.editing = null; M.$('ctr-editor').hidden = true; markCurrent(M.$('ctr-rows'), 'data-counter-id', null);
      });
    },
    show: loadCountersSection,
    onLive: function (ev) {
      if (M.current === 'counters' && ['hall', 'state', 'called', 'finished', 'skipped', 'transferred', 'paused', 'resumed'].indexOf(ev.type) >= 0) refreshCounters();
    }
  });

  // ================================================================================================
  // Staff
  // ================================================================================================
  var stf = { editing: null, counters: null };
  var ROLE_KEYS = { manager: 'm_role_manager', supervisor: 'm_role_supervisor', staff: 'm_role_staff' };

  function counterNames(ids) {
    return ids.map(function (id) { var c = M.counterById(id); return c ? c.name : '#' + id; }).join(', ');
  }

  function whereLoggedIn(userId) {
    var at = M.presenceAtCounters(), out = [];
    Object.keys(at).forEach(function (cid) { if (at[cid].indexOf(userId) >= 0) out.push(Number(cid)); });
    return out;
  }

  function renderStaff() {
    var body = Live.clear(M.$('staff-rows'));
    (M.data.staff || []).forEach(function (u) {
      var role = t(ROLE_KEYS[u.role] || u.role);
      if (u.role === 'supervisor') {
        var sv = M.serviceById(u.service_id);
        role += sv ? ' · ' + sv.code : '';
      }
      var here = whereLoggedIn(u.id);
      body.appendChild(el('tr', { dataset: { userId: String(u.id), username: u.username }, class: u.active ? '' : 'is-inactive',
                                  onclick: function () { openStaff(u.id); } }, [
        el('td', {}, [el('div', { class: 'm-strong', text: u.full_name || u.username }),
                      el('div', { class: 'm-muted m-small', text: u.username })]),
        el('td', { text: role }),
        el('td', { text: counterNames(u.counters) || '—' }),
        el('td', {}, [here.length ? el('span', { class: 'm-online-dot' }, [counterNames(here)]) : el('span', { class: 'm-muted', text: '—' })]),
        el('td', {}, [u.active ? M.pill('open', t('m_active')) : M.pill('closed', t('m_inactive'))]),
        el('td', { class: 'm-right' }, [editButton(t('m_edit'), function () { openStaff(u.id); }, 'staff-edit-' + u.username)])
      ]));
    });
    if (!(M.data.staff || []).length) M.empty(body, 6);
    markCurrent(body, 'data-user-id', stf.editing);
  }

  function counterItems() {
    return M.data.counters.filter(M.counterOwned).map(function (c) {
      return { value: c.id, label: c.name + ' (' + c.services.join(', ') + ')' };
    });
  }

  function syncRoleFields() {
    var form = M.$('staff-form');
    M.$('staff-service-field').hidden = form.elements.role.value !== 'supervisor';
  }

  function openStaff(id) {
    var isNew = id === 'new';
    var u = isNew ? { counters: [], active: true } : (M.data.staff || []).filter(function (s) { return s.id === id; })[0];
    if (!u) return;
    stf.editing = id;
    M.clearError('staff-error'); M.clearError('staff-extra-error');
    var form = M.$('staff-form');
    form.reset();
    M.$('staff-editor').hidden = false;
    Live.setText(M.$('staff-editor-title'), isNew ? t('m_add_staff') : (u.full_name || u.username) + ' · ' + u.username);
    Array.prototype.forEach.call(form.querySelectorAll('[data-new-only]'), function (n) { n.hidden = !isNew; });
    var select = form.elements.service;
    Live.clear(select);
    M.data.services.forEach(function (sv) { select.appendChild(el('option', { value: sv.code, text: sv.code + ' · ' + sv.name })); });
    syncRoleFields();
    stf.counters = M.checkList(M.$('staff-counters'), counterItems(), u.counters, { testPrefix: 'staff-counter-' });
    M.$('staff-extra').hidden = isNew;
    if (!isNew) {
      M.$('staff-password-form').reset();
      var toggle = M.$('staff-toggle');
      toggle.hidden = u.id === M.userId;
      toggle.textContent = u.active ? t('m_disable') : t('m_enable');
      toggle.classList.toggle('btn-danger-outline', !!u.active);
    } else {
      form.elements.username.focus();
    }
    markCurrent(M.$('staff-rows'), 'data-user-id', id);
  }

  function saveStaff(e) {
    e.preventDefault();
    var form = M.$('staff-form');
    var isNew = stf.editing === 'new';
    var body, req;
    if (isNew) {
      body = { username: val(form, 'username'), full_name: val(form, 'full_name'), password: val(form, 'password'),
               role: val(form, 'role'), counters: stf.counters.get() };
      if (body.role === 'supervisor') body.service = val(form, 'service');
      req = M.submit(form, 'staff-error', 'POST', '/api/manage/staff', body);
    } else {
      req = M.submit(form, 'staff-error', 'PATCH', '/api/manage/staff/' + stf.editing, { counters: stf.counters.get() });
    }
    req.then(function (r) {
      if (!r.ok) return;
      M.saved();
      var id = r.data.id;
      loadStaffSection().then(function () { openStaff(id); });
    });
  }

  function patchStaff(body, form, message) {
    return M.submit(form, 'staff-extra-error', 'PATCH', '/api/manage/staff/' + stf.editing, body).then(function (r) {
      if (!r.ok) return r;
      M.toast(message, 'ok');
      var id = stf.editing;
      return loadStaffSection().then(function () { openStaff(id); return r; });
    });
  }

  function loadStaffSection() {
    return Promise.all([M.loadStaff(), M.loadCounters(), M.loadOverview()]).then(renderStaff);
  }

  M.section('staff', {
    init: function () {
      var form = M.$('staff-form');
      form.addEventListener('submit', saveStaff);
      form.elements.role.addEventListener('change', syncRoleFields);
      M.$('staff-add').addEventListener('click', function () { openStaff('new'); });
      M.$('staff-password-form').addEventListener('submit', function (e) {
        e.preventDefault();
        patchStaff({ password: e.target.elements.password.value }, e.target, t('m_password_reset_done'));
      });
      M.$('staff-toggle').addEventListener('click', function () {
        var u = (M.data.staff || []).filter(function (s) { return s.id === stf.editing; })[0];
        if (u) patchStaff({ active: !u.active }, M.$('staff-extra'), u.active ? t('m_disabled_done') : t('m_enabled_done'));
      });
      M.$('staff-editor').querySelector('[data-close-editor]').addEventListener('click', function () {
        stf.editing = null; M.$('staff-editor').hidden = true; markCurrent(M.$('staff-rows'), 'data-user-id', null);
      });
    },
    show: loadStaffSection,
    onLive: function (ev) { if (M.current === 'staff' && ev.type === 'visible') loadStaffSection(); }
  });

  // ================================================================================================
  // Hours, holidays, hall settings
  // ================================================================================================
  var hallHours;

  function renderHours() {
    var s = M.data.settings || {};
    hallHours.set(s.hours || {});
    hallHours.readonly(!M.isManager);
    var body = Live.clear(M.$('holiday-rows'));
    var holidays = s.holidays || {};
    Object.keys(holidays).sort().forEach(function (day) {
      body.appendChild(el('tr', { dataset: { day: day } }, [
        el('td', { class: 'num m-nowrap', text: fmtDay(day) }),
        el('td', { text: holidays[day] }),
        el('td', { class: 'm-right' }, [M.isManager ? el('button', {
          type: 'button', class: 'btn btn-outline btn-small', text: t('m_remove'), dataset: { testid: 'holiday-remove-' + day },
          onclick: function () { removeHoliday(day); } }) : null])
      ]));
    });
    if (!Object.keys(holidays).length) M.empty(body, 3, t('m_no_holidays'));
    var hall = M.$('hall-form');
    hall.elements.name.value = s.hall_name || '';
    hall.elements.skip_policy.value = s.skip_policy || 'requeue_once';
    hall.elements.name.disabled = hall.elements.skip_policy.disabled = !M.isManager;
  }

  function fmtDay(iso) {
    var d = new Date(iso + 'T12:00:00Z');
    if (isNaN(d)) return iso;
    try {
      return new Intl.DateTimeFormat(Live.locale, { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
    } catch (e) { return iso; }
  }

  function putHolidays(map, form) {
    return M.submit(form, 'holiday-error', 'PUT', '/api/manage/holidays', { holidays: map }).then(function (r) {
      if (!r.ok) return r;
      M.saved();
      return M.loadSettings().then(function () { renderHours(); return r; });
    });
  }

  function removeHoliday(day) {
    var map = {};
    var current = (M.data.settings || {}).holidays || {};
    Object.keys(current).forEach(function (k) { if (k !== day) map[k] = current[k]; });
    putHolidays(map, M.$('holiday-rows'));
  }

  M.section('hours', {
    init: function () {
      hallHours = M.hours('hall');
      M.$('hours-form').addEventListener('submit', function (e) {
        e.preventDefault();
        M.submit(e.target, 'hours-error', 'PUT', '/api/manage/hours', { hours: hallHours.get() }).then(function (r) {
          if (r.ok) { M.saved(); M.loadSettings().then(renderHours); }
        });
      });
      if (M.$('holiday-form')) M.$('holiday-form').addEventListener('submit', function (e) {
        e.preventDefault();
        var form = e.target, map = {};
        var current = (M.data.settings || {}).holidays || {};
        Object.keys(current).forEach(function (k) { map[k] = current[k]; });
        map[form.elements.date.value || ''] = form.elements.name.value;
        putHolidays(map, form).then(function (r) { if (r.ok) form.reset(); });
      });
      M.$('hall-form').addEventListener('submit', function (e) {
        e.preventDefault();
        var form = e.target;
        M.submit(form, 'hall-error', 'PUT', '/api/manage/hall',
                 { name: form.elements.name.value, skip_policy: form.elements.skip_policy.value }).then(function (r) {
          if (r.ok) { M.saved(); M.loadSettings().then(renderHours); }
        });
      });
    },
    show: function () { return M.loadSettings().then(renderHours); }
  });
})(window);
