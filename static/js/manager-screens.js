/* Manager console: what the screens show (running text, media playlist, display profiles) and
 * what the hall says (call sentence, sample, free announcement, daily schedule). */
(function (global) {
  'use strict';

  var Live = global.Live, M = global.Mgr;
  var el = Live.el, t = Live.t;
  // signage/speech/hall_speaker.py DEFAULTS: used when no speech settings were saved yet.
  var SPEECH_DEFAULTS = { template: 'Nomor antrian {nomor}, silakan menuju {loket}.', service_templates: {},
                          style: 'whole', chime: true, repeat: 1, volume: 100, engine: 'espeak',
                          rush_short_after: 2, rush_fast_after: 1, rush_rate: 1.15 };

  /** A delete button that asks once more by changing its own label (no native dialogs). */
  function confirmButton(label, testid, action) {
    var armed = null;
    var button = el('button', { type: 'button', class: 'btn btn-outline btn-small m-del', text: label,
                                dataset: testid ? { testid: testid } : undefined });
    button.addEventListener('click', function () {
      if (!armed) {
        button.textContent = t('m_confirm_delete');
        button.classList.add('is-armed');
        armed = setTimeout(function () { armed = null; button.textContent = label; button.classList.remove('is-armed'); }, 3500);
        return;
      }
      clearTimeout(armed); armed = null;
      action(button);
    });
    return button;
  }

  function fmtSize(bytes) {
    if (!bytes && bytes !== 0) return '';
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + ' MB';
    return Math.max(1, Math.round(bytes / 1024)) + ' KB';
  }

  // ================================================================================================
  // Running text
  // ================================================================================================
  function lineItem(text) {
    var input = el('input', { class: 'm-input', maxlength: '200', 'aria-label': t('m_line'), dataset: { testid: 'running-line' } });
    input.value = text;
    var li = el('li', { class: 'm-line' });
    function move(delta) {
      var sibling = delta < 0 ? li.previousElementSibling : li.nextElementSibling;
      if (!sibling) return;
      li.parentNode.insertBefore(li, delta < 0 ? sibling : sibling.nextElementSibling);
      input.focus();
    }
    li.appendChild(el('span', { class: 'm-line-grip', 'aria-hidden': 'true', text: '⋮⋮' }));
    li.appendChild(input);
    li.appendChild(el('button', { type: 'button', class: 'm-icon-btn', title: t('m_move_up'), 'aria-label': t('m_move_up'), text: '↑', onclick: function () { move(-1); } }));
    li.appendChild(el('button', { type: 'button', class: 'm-icon-btn', title: t('m_move_down'), 'aria-label': t('m_move_down'), text: '↓', onclick: function () { move(1); } }));
    li.appendChild(el('button', { type: 'button', class: 'm-icon-btn is-danger', title: t('m_remove'), 'aria-label': t('m_remove'), text: '×',
                                  dataset: { testid: 'running-remove' }, onclick: function () { li.parentNode.removeChild(li); } }));
    return li;
  }

  function renderRunning() {
    var s = M.data.settings || {};
    var list = Live.clear(M.$('rt-lines'));
    (s.running_text || []).forEach(function (line) { list.appendChild(lineItem(line)); });
    var form = M.$('rt-form');
    form.elements.speed.value = String(s.running_text_speed || 60);
    form.elements.speed_range.value = String(s.running_text_speed || 60);
  }

  function saveRunning(e) {
    e.preventDefault();
    var form = M.$('rt-form');
    var lines = Array.prototype.map.call(M.$('rt-lines').querySelectorAll('input'), function (i) { return i.value; });
    M.submit(form, 'running-error', 'PUT', '/api/running-text', { lines: lines, speed: M.intOrNull(form.elements.speed.value) })
      .then(function (r) {
        if (!r.ok) return;
        M.saved();
        M.data.settings = M.data.settings || {};
        M.data.settings.running_text = r.data.lines;
        M.data.settings.running_text_speed = r.data.speed;
        renderRunning();
      });
  }

  // ================================================================================================
  // Media playlist
  // ================================================================================================
  function loadMedia() {
    return M.api('GET', '/api/media').then(function (r) {
      if (!r.ok) { M.showError('media-error', r.data.error); return; }
      var list = Live.clear(M.$('media-list'));
      (r.data.media || []).forEach(function (m) {
        var thumb = m.kind === 'video'
          ? el('video', { class: 'm-thumb', src: m.url, muted: true, preload: 'metadata' })
          : el('img', { class: 'm-thumb', src: m.url, alt: '' });
        list.appendChild(el('li', { class: 'm-media-item', dataset: { mediaId: String(m.id) } }, [
          thumb,
          el('div', { class: 'm-media-body' }, [
            el('div', { class: 'm-strong', text: m.title || t('m_untitled') }),
            el('div', { class: 'm-muted m-small', text: (m.kind === 'video' ? t('m_video') : t('m_image') + ' · ' + m.seconds + ' ' + t('seconds_short')) +
                                                        ' · ' + fmtSize(m.size) })]),
          confirmButton(t('m_remove'), 'media-delete-' + m.id, function (button) {
            button.disabled = true;
            M.api('DELETE', '/api/manage/media/' + m.id).then(function (d) {
              if (!d.ok) { button.disabled = false; M.showError('media-error', d.data.error); return; }
              M.toast(t('m_deleted'), 'ok');
              loadMedia();
            });
          })
        ]));
      });
      if (!(r.data.media || []).length) list.appendChild(el('li', { class: 'm-empty', text: t('m_no_media') }));
    });
  }

  function uploadMedia(e) {
    e.preventDefault();
    var form = M.$('media-form');
    M.clearError('media-error');
    var file = form.elements.file.files[0];
    if (!file) { M.showError('media-error', t('m_choose_file')); return; }
    var data = new FormData();
    data.append('file', file);
    data.append('title', form.elements.title.value);
    data.append('seconds', form.elements.seconds.value);
    var bar = M.$('media-progress'), button = form.querySelector('button[type=submit]');
    bar.hidden = false; bar.value = 0; button.disabled = true;
    M.upload('/api/manage/media', data, function (p) { bar.value = p; }).then(function (r) {
      bar.hidden = true; button.disabled = false;
      if (!r.ok) { M.showError('media-error', r.data.error); return; }
      form.reset();
      form.elements.seconds.value = '10';
      M.saved();
      loadMedia();
    });
  }

  // ================================================================================================
  // Display profiles
  // ================================================================================================
  var profileServices = null;

  function profileUrl(name) {
    return global.location.origin + '/display?profile=' + encodeURIComponent(name);
  }

  function copy(text, input) {
    function fallback() {
      input.focus(); input.select();
      try { document.execCommand('copy'); M.toast(t('m_copied'), 'ok'); } catch (e) { M.toast(t('m_copy_manual')); }
    }
    if (global.navigator.clipboard && global.isSecureContext) {
      global.navigator.clipboard.writeText(text).then(function () { M.toast(t('m_copied'), 'ok'); }, fallback);
    } else fallback();
  }

  function fillProfile(p) {
    var form = M.$('profile-form');
    form.elements.name.value = p ? p.name : '';
    form.elements.layout.value = p ? p.layout : 'calls_media';
    form.elements.sound.checked = p ? !!p.sound : false;
    profileServices = M.checkList(M.$('profile-services'), M.data.services.map(function (sv) {
      return { value: sv.code, label: '', title: sv.name, color: sv.color, letter: sv.code };
    }), p ? p.services : [], { testPrefix: 'profile-service-' });
  }

  function loadProfiles() {
    return M.api('GET', '/api/manage/displays').then(function (r) {
      if (!r.ok) { M.showError('profile-error', r.data.error); return; }
      var body = Live.clear(M.$('profile-rows'));
      (r.data.profiles || []).forEach(function (p) {
        var url = profileUrl(p.name);
        var input = el('input', { class: 'm-input m-url', readonly: true, value: url, 'aria-label': t('m_address'),
                                  dataset: { testid: 'profile-url' } });
        body.appendChild(el('tr', { dataset: { profile: p.name }, onclick: function () { fillProfile(p); } }, [
          el('td', { class: 'm-strong', text: p.name }),
          el('td', {}, p.services.length ? p.services.map(function (code) {
            var sv = M.serviceByCode(code); return M.letter(code, sv && sv.color, 'm-letter-sm');
          }) : [el('span', { class: 'm-muted', text: t('m_all_services') })]),
          el('td', { text: p.layout === 'calls_only' ? t('m_layout_calls_only') : t('m_layout_calls_media') }),
          el('td', { text: p.sound ? t('m_yes') : t('m_no') }),
          el('td', { class: 'm-url-cell' }, [input, el('button', { type: 'button', class: 'btn btn-outline btn-small', text: t('m_copy'),
            onclick: function (e) { e.stopPropagation(); copy(url, input); } }),
            el('a', { class: 'btn btn-outline btn-small', href: '/display?profile=' + encodeURIComponent(p.name), target: '_blank', rel: 'noopener',
                      text: t('m_open_link'), onclick: function (e) { e.stopPropagation(); } })])
        ]));
      });
      if (!(r.data.profiles || []).length) M.empty(body, 5, t('m_no_profiles'));
    });
  }

  function saveProfile(e) {
    e.preventDefault();
    var form = M.$('profile-form');
    M.submit(form, 'profile-error', 'POST', '/api/manage/displays', {
      name: form.elements.name.value, services: profileServices.get(), layout: form.elements.layout.value,
      sound: form.elements.sound.checked
    }).then(function (r) {
      if (!r.ok) return;
      M.saved();
      loadProfiles();
    });
  }

  M.section('screens', {
    init: function () {
      if (!M.$('rt-form')) return;
      var form = M.$('rt-form');
      form.addEventListener('submit', saveRunning);
      M.$('rt-add').addEventListener('click', function () {
        var li = lineItem('');
        M.$('rt-lines').appendChild(li);
        li.querySelector('input').focus();
      });
      form.elements.speed_range.addEventListener('input', function () { form.elements.speed.value = form.elements.speed_range.value; });
      form.elements.speed.addEventListener('input', function () { form.elements.speed_range.value = form.elements.speed.value; });
      M.$('media-form').addEventListener('submit', uploadMedia);
      M.$('profile-form').addEventListener('submit', saveProfile);
    },
    show: function () {
      return Promise.all([M.loadSettings(), M.loadServices()]).then(function () {
        renderRunning();
        fillProfile(null);
        loadMedia();
        loadProfiles();
      });
    }
  });

  // ================================================================================================
  // Announcements: call sentence, sample, speak now, schedule
  // ================================================================================================
  var serviceTemplateInputs = {};

  function speech() {
    var saved = (M.data.settings && M.data.settings.speech) || {};
    var out = {};
    Object.keys(SPEECH_DEFAULTS).forEach(function (k) { out[k] = saved[k] !== undefined ? saved[k] : SPEECH_DEFAULTS[k]; });
    return out;
  }

  function renderSpeech() {
    var form = M.$('speech-form');
    if (!form) return;
    var s = speech();
    form.elements.template.value = s.template;
    form.elements.style.value = s.style;
    form.elements.chime.checked = !!s.chime;
    form.elements.repeat.value = String(s.repeat);
    form.elements.volume.value = String(s.volume);
    Live.setText(M.$('speech-volume-out'), s.volume + '%');
    form.elements.engine.value = s.engine;
    ['rush_short_after', 'rush_fast_after', 'rush_rate'].forEach(function (k) { form.elements[k].value = String(s[k]); });
    var box = Live.clear(M.$('speech-service-templates'));
    serviceTemplateInputs = {};
    M.data.services.forEach(function (sv) {
      var input = el('input', { class: 'm-input', placeholder: t('m_use_hall_template'), autocomplete: 'off',
                                dataset: { testid: 'speech-template-' + sv.code } });
      input.value = (s.service_templates || {})[sv.code] || '';
      serviceTemplateInputs[sv.code] = input;
      box.appendChild(el('label', { class: 'm-svc-template' }, [M.svcCell(sv), input]));
    });
  }

  function speechBody() {
    var form = M.$('speech-form');
    var templates = {};
    Object.keys(serviceTemplateInputs).forEach(function (code) { templates[code] = serviceTemplateInputs[code].value; });
    return { template: form.elements.template.value, service_templates: templates, style: form.elements.style.value,
             chime: form.elements.chime.checked, repeat: Number(form.elements.repeat.value),
             volume: Number(form.elements.volume.value), engine: form.elements.engine.value,
             rush_short_after: Number(form.elements.rush_short_after.value),
             rush_fast_after: Number(form.elements.rush_fast_after.value),
             rush_rate: Number(form.elements.rush_rate.value) };
  }

  function saveSpeech(e) {
    e.preventDefault();
    M.submit(M.$('speech-form'), 'speech-error', 'PUT', '/api/manage/speech', speechBody()).then(function (r) {
      if (!r.ok) return;
      M.saved();
      M.data.settings = M.data.settings || {};
      M.data.settings.speech = r.data;
      renderSpeech();
    });
  }

  function playSample() {
    var body = speechBody();
    var audio = M.$('speech-audio');
    M.submit(M.$('speech-form'), 'speech-error', 'POST', '/api/manage/speech/sample',
             { template: body.template, style: body.style }).then(function (r) {
      if (!r.ok) return;
      M.$('speech-sample-box').hidden = false;
      Live.setText(M.$('speech-sample-text'), '“' + r.data.text + '”');
      audio.src = r.data.audio;
      audio.volume = Math.max(0, Math.min(1, body.volume / 100));
      var played = audio.play();
      if (played && played.catch) played.catch(function () { /* the controls stay for a manual play */ });
    });
  }

  function loadSchedule() {
    return M.api('GET', '/api/manage/schedule').then(function (r) {
      var body = Live.clear(M.$('schedule-rows'));
      if (!r.ok) { M.showError('schedule-error', r.data.error); return; }
      (r.data.schedule || []).forEach(function (a) {
        body.appendChild(el('tr', { dataset: { scheduleId: String(a.id) } }, [
          el('td', { class: 'num m-strong', text: a.at }),
          el('td', { text: a.text }),
          el('td', { class: 'm-small', text: (a.days && a.days.length
            ? a.days.map(function (d) { return t('m_dshort_' + d); }).join(', ') : t('m_every_day')) +
            (a.zone === null || a.zone === undefined ? '' : ' · ' + t('m_zone') + ': ' + (a.zone || t('m_zone_main'))) }),
          el('td', { class: 'm-right' }, [M.isManager ? confirmButton(t('m_remove'), 'schedule-delete-' + a.id, function (button) {
            button.disabled = true;
            M.api('DELETE', '/api/manage/schedule/' + a.id).then(function (d) {
              if (!d.ok) { button.disabled = false; M.showError('schedule-error', d.data.error); return; }
              M.toast(t('m_deleted'), 'ok');
              loadSchedule();
            });
          }) : null])
        ]));
      });
      if (!(r.data.schedule || []).length) M.empty(body, 4, t('m_no_schedule'));
    });
  }

  M.section('voice', {
    init: function () {
      var form = M.$('speech-form');
      if (form) {
        form.addEventListener('submit', saveSpeech);
        form.elements.volume.addEventListener('input', function () {
          Live.setText(M.$('speech-volume-out'), form.elements.volume.value + '%');
        });
        M.$('speech-sample').addEventListener('click', playSample);
      }
      if (M.$('announce-form')) M.$('announce-form').addEventListener('submit', function (e) {
        e.preventDefault();
        var f = e.target;
        var zone = f.elements.zone ? f.elements.zone.value : '*';     // '*': every speaker zone
        M.submit(f, 'announce-error', 'POST', '/api/manage/announce',
                 zone === '*' ? { text: f.elements.text.value } : { text: f.elements.text.value, zone: zone }).then(function (r) {
          if (!r.ok) return;
          f.reset();
          M.toast(t('m_announced'), 'ok');
        });
      });
      if (M.$('schedule-form')) M.$('schedule-form').addEventListener('submit', function (e) {
        e.preventDefault();
        var f = e.target;
        var days = Array.prototype.filter.call(f.querySelectorAll('input[name=days]'), function (b) { return b.checked; })
          .map(function (b) { return b.value; });
        var body = { text: f.elements.text.value, at: f.elements.at.value.trim().replace('.', ':'), days: days };
        if (f.elements.zone && f.elements.zone.value !== '*') body.zone = f.elements.zone.value;   // '*': every zone
        M.submit(f, 'schedule-error', 'POST', '/api/manage/schedule', body).then(function (r) {
          if (!r.ok) return;
          f.reset();
          M.saved();
          loadSchedule();
        });
      });
    },
    show: function () {
      return Promise.all([M.loadSettings(), M.loadServices()]).then(function () {
        renderSpeech();
        loadSchedule();
      });
    }
  });
})(window);
