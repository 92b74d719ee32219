// Imprint web console: the admin forms (enrollments, hubs, stations, operators) and logout.
// Loaded after console.js and uses its helpers (el, call, table, message, render, views). Every
// form checks what it can before sending, then calls the same admin API routes as the CLI under
// /console/api; the server decides (roles, validation) and its refusal is shown as CODE: message.
'use strict';

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const ROLES = ['admin', 'security', 'operator', 'factory', 'auditor'];
const ALLOCATIONS = ['hashed', 'static', 'region', 'webhook'];
const REPROVISION = ['reprovisionAndMigrate', 'reprovisionAndReset', 'never'];
/** Rows per page of the long lists (certificates, devices): the server pages with limit and offset. */
const PAGE = 50;

/** A labelled input; the input's id is the form's prefix + name, so tests and labels find it. */
function field(prefix, name, label, input, hint) {
  input.id = prefix + '-' + name;
  input.name = name;
  return el('div', { class: 'field' }, el('label', { for: input.id }, label), input, hint ? el('small', {}, hint) : '');
}

function select(options, value) {
  const s = el('select', {}, ...options.map(o => el('option', { value: o }, o)));
  if (value) s.value = value;
  return s;
}

/**
 * A form that validates with {@code check(values) -> [problems]} before it sends; the errors go in
 * its own alert region, next to the fields, not in the page-wide message.
 */
function adminForm(id, title, fields, submitLabel, check, send) {
  // not class 'error' (the page's failed-load marker): it is there, empty, on every page with a form
  const errors = el('p', { class: 'form-error', id: id + '-error', role: 'alert' });
  const button = el('button', { type: 'submit', id: id + '-submit' }, submitLabel);
  const form = el('form', { class: 'admin-form', id, novalidate: '' }, el('h3', {}, title), ...fields, button, errors);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.textContent = '';
    const values = Object.fromEntries([...form.elements].filter(x => x.name).map(x => [x.name, x.type === 'checkbox' ? x.checked : x.value.trim()]));
    const problems = check(values);
    if (problems.length) { errors.textContent = problems.join('; '); return; }
    button.disabled = true;
    try {
      await send(values);
    } catch (err) {
      errors.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function list(text) {
  return text ? text.split(',').map(s => s.trim()).filter(Boolean) : [];
}

function json(text, what, problems) {
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) { problems.push(what + ' must be a JSON object'); return {}; }
    return v;
  } catch (e) {
    problems.push(what + ' is not valid JSON');
    return {};
  }
}

/** A one-time credential as a file to save: PEM certificate, chain and key in one file. */
function credentialDownload(id, fileName, r) {
  const pem = [r.certificate, r.chain, r.key].filter(Boolean).join('');
  const url = URL.createObjectURL(new Blob([pem], { type: 'application/x-pem-file' }));
  return el('div', { class: 'credential', id }, el('p', { class: 'ok' }, 'Credential issued. It is shown once: save it now.'),
    el('a', { href: url, download: fileName, id: id + '-link' }, 'Download ' + fileName));
}

function actionButton(cls, label, confirmText, run) {
  const b = el('button', { class: cls, type: 'button', onclick: async () => {
    if (confirmText && !window.confirm(confirmText)) return;
    b.disabled = true;
    try { await run(); } catch (e) { message(e.message, 'error'); b.disabled = false; }
  } }, label);
  return b;
}

/** Previous / next links over {@code offset}: the server pages (limit + offset), the page only asks. */
function pager(view, params, offset, count) {
  const go = (o) => { params.set('offset', String(Math.max(0, o))); location.hash = view + '?' + params.toString(); };
  return el('p', { class: 'pager' },
    el('button', { type: 'button', id: 'page-prev', ...(offset > 0 ? {} : { disabled: '' }), onclick: () => go(offset - PAGE) }, 'Previous'),
    ' rows ' + (count ? (offset + 1) + '-' + (offset + count) : 'none') + ' ',
    el('button', { type: 'button', id: 'page-next', ...(count === PAGE ? {} : { disabled: '' }), onclick: () => go(offset + PAGE) }, 'Next'));
}

/** Creates a station or operator, re-renders the list, then offers its one-time credential. */
async function issued(kind, name, path, body) {
  const r = await call('POST', path, body);
  await render();
  message(kind + ' ' + name + ' created', 'ok');
  document.getElementById(kind + '-credential').replaceChildren(credentialDownload(kind + '-download', name + '-' + kind + '.pem', r));
}

/** The revoke button of a station or operator row (path /KINDs/NAME/revoke), or "revoked". */
function revokeAction(kind, r, consequence) {
  if (r.revoked) return el('span', { class: 'revoked' }, 'revoked');
  return el('span', { ['data-' + kind]: r.name }, actionButton('revoke', 'Revoke', 'Revoke ' + kind + ' ' + r.name + '? ' + consequence, async () => {
    await call('POST', '/' + kind + 's/' + encodeURIComponent(r.name) + '/revoke');
    await render();
    message(kind + ' ' + r.name + ' revoked', 'ok');
  }));
}

Object.assign(views, {
  async enrollments() {
    const rows = await call('GET', '/enrollments');
    const f = (n, l, i, h) => field('enrollment', n, l, i, h);
    const form = adminForm('enrollment-form', 'Create or edit an enrollment (same name: edit)', [
      f('name', 'Name', el('input', { placeholder: 'line-a', autocomplete: 'off' })),
      f('kind', 'Kind', select(['group', 'individual'])),
      // a textarea: a PEM keeps its line breaks (an input would drop them)
      f('ca', 'CA (group)', el('textarea', { rows: '1' }, 'manufacturing'), 'manufacturing, operational, or a PEM certificate'),
      f('idPattern', 'Registration IDs (group, regex)', el('input', { placeholder: 'dev-[0-9]+' })),
      f('deviceId', 'Device (individual)', el('input', {})),
      f('allocation', 'Allocation', select(ALLOCATIONS)),
      f('allocationSettings', 'Allocation settings (JSON)', el('textarea', { rows: '2', placeholder: '{"hub":"hub-1"} for static' })),
      f('hubs', 'Hubs (comma-separated, empty = all)', el('input', {})),
      f('reprovision', 'Reprovisioning', select(REPROVISION)),
      f('awsPolicy', 'AWS topic policy (JSON, empty = default)', el('textarea', { rows: '2', placeholder: '{"publish":["factory/${thing}/#"],"subscribe":[]}' })),
      f('enabled', 'Enabled', el('input', { type: 'checkbox', checked: '' })),
    ], 'Save enrollment', (v) => {
      const p = [];
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(v.name)) p.push('name: 1-128 of A-Z a-z 0-9 . _ : -');
      if (v.kind === 'group' && !v.ca) p.push('a group enrollment needs a CA');
      if (v.kind === 'individual' && !v.deviceId) p.push('an individual enrollment needs a device');
      if (v.idPattern) { try { new RegExp(v.idPattern); } catch (e) { p.push('registration IDs: not a regular expression'); } }
      json(v.allocationSettings, 'allocation settings', p);
      json(v.awsPolicy, 'AWS topic policy', p);
      if (v.allocation === 'static' && !json(v.allocationSettings, 'allocation settings', []).hub) p.push('static allocation needs {"hub": NAME} in its settings');
      return p;
    }, async (v) => {
      const body = { name: v.name, kind: v.kind, ca: v.kind === 'group' ? v.ca : null, idPattern: v.idPattern || null,
        deviceId: v.kind === 'individual' ? v.deviceId : null, allocation: v.allocation,
        allocationSettings: json(v.allocationSettings, '', []), hubs: list(v.hubs), reprovision: v.reprovision, enabled: v.enabled,
        awsPolicy: v.awsPolicy ? json(v.awsPolicy, '', []) : null };
      const saved = await call('POST', '/enrollments', body);
      await render();
      message('enrollment ' + saved.name + ' saved', 'ok');
    });
    const edit = (r) => {
      const set = (n, val) => { document.getElementById('enrollment-' + n).value = val == null ? '' : val; };
      set('name', r.name); set('kind', r.kind); set('idPattern', r.idPattern); set('deviceId', r.deviceId);
      set('allocation', r.allocation); set('allocationSettings', JSON.stringify(r.allocationSettings || {}));
      set('hubs', (r.hubs || []).join(',')); set('reprovision', r.reprovision);
      set('awsPolicy', r.awsPolicy ? JSON.stringify(r.awsPolicy) : '');
      set('ca', r.caPem || 'manufacturing');
      document.getElementById('enrollment-enabled').checked = !!r.enabled;
      document.getElementById('enrollment-name').focus();
    };
    const actions = (r) => el('span', { 'data-enrollment': r.name },
      el('button', { type: 'button', class: 'edit', onclick: () => edit(r) }, 'Edit'), ' ',
      actionButton(r.enabled ? 'disable' : 'enable', r.enabled ? 'Disable' : 'Enable', null, async () => {
        await call('POST', '/enrollments/' + encodeURIComponent(r.name) + '/' + (r.enabled ? 'disable' : 'enable'));
        await render();
        message('enrollment ' + r.name + (r.enabled ? ' disabled' : ' enabled'), 'ok');
      }));
    return [el('h2', {}, 'Enrollments'), table(rows, [['name', 'Name'], ['kind', 'Kind'], ['ca', 'CA'], ['idPattern', 'IDs'],
      ['deviceId', 'Device'], ['enabled', 'Enabled'], ['allocation', 'Allocation'], ['allocationSettings', 'Settings', 'mono'], ['hubs', 'Hubs'],
      ['createdAt', 'Created']], actions), form];
  },

  async hubs() {
    const rows = await call('GET', '/hubs');
    const f = (n, l, i, h) => field('hub', n, l, i, h);
    const form = adminForm('hub-form', 'Add or edit a hub (same name: edit)', [
      f('name', 'Name', el('input', { placeholder: 'hub-3' })),
      f('hostname', 'Hostname devices connect to', el('input', { placeholder: 'hub-3.example.com' })),
      f('mqtt', 'MQTT endpoint', el('input', {}), 'default mqtts://HOSTNAME:8883'),
      f('region', 'Region', el('input', {})),
      f('weight', 'Weight (hashed allocation share)', el('input', { type: 'number', min: '1', max: '1000', value: '100' }), '1-1000'),
    ], 'Save hub', (v) => {
      const p = [];
      if (!NAME_PATTERN.test(v.name)) p.push('name: 1-64 of A-Z a-z 0-9 . _ -');
      if (!v.hostname) p.push('hostname is required');
      if (!/^\d+$/.test(v.weight) || +v.weight < 1 || +v.weight > 1000) p.push('weight: a whole number from 1 to 1000');
      return p;
    }, async (v) => {
      const body = { name: v.name, hostname: v.hostname, weight: +v.weight };
      if (v.mqtt) body.mqtt = v.mqtt;
      if (v.region) body.region = v.region;
      await call('POST', '/hubs', body);
      await render();
      message('hub ' + v.name + ' saved', 'ok');
    });
    const actions = (r) => el('span', { 'data-hub': r.name },
      el('button', { type: 'button', class: 'edit', onclick: () => {
        for (const k of ['name', 'hostname', 'mqtt', 'region', 'weight']) document.getElementById('hub-' + k).value = r[k] == null ? '' : r[k];
      } }, 'Edit'), ' ',
      actionButton('remove', 'Remove', 'Remove hub ' + r.name + '? Devices assigned to it stay assigned until they register again.', async () => {
        await call('POST', '/hubs/' + encodeURIComponent(r.name) + '/remove');
        await render();
        message('hub ' + r.name + ' removed', 'ok');
      }));
    return [el('h2', {}, 'Hubs'), table(rows, [['name', 'Name'], ['hostname', 'Hostname'], ['mqtt', 'MQTT'], ['region', 'Region'], ['weight', 'Weight']], actions), form];
  },

  async stations() {
    const rows = await call('GET', '/stations');
    const f = (n, l, i, h) => field('station', n, l, i, h);
    const out = el('div', { id: 'station-credential' });
    const form = adminForm('station-form', 'Create a station', [
      f('name', 'Name', el('input', { placeholder: 'line1' })),
      f('idPattern', 'Device IDs it may certify (regex)', el('input', { placeholder: 'dev-[0-9]+' })),
      f('quota', 'Quota (0 = unlimited)', el('input', { type: 'number', min: '0', value: '0' })),
      f('rate', 'Issuances per second (0 = unlimited)', el('input', { type: 'number', min: '0', value: '0' })),
    ], 'Create station', (v) => {
      const p = [];
      if (!NAME_PATTERN.test(v.name)) p.push('name: 1-64 of A-Z a-z 0-9 . _ -');
      if (!v.idPattern) p.push('device IDs: a regular expression is required');
      else { try { new RegExp(v.idPattern); } catch (e) { p.push('device IDs: not a regular expression'); } }
      if (!/^\d+$/.test(v.quota)) p.push('quota: a whole number >= 0');
      if (!/^\d+$/.test(v.rate)) p.push('rate: a whole number >= 0');
      return p;
    }, (v) => issued('station', v.name, '/stations', { name: v.name, idPattern: v.idPattern, quota: +v.quota, rate: +v.rate }));
    const actions = (r) => revokeAction('station', r, 'Its credential stops working at once.');
    return [el('h2', {}, 'Stations'), table(rows, [['name', 'Name'], ['idPattern', 'IDs'], ['quota', 'Quota'], ['rate', 'Rate/s'],
      ['issued', 'Issued'], ['revoked', 'Revoked'], ['createdAt', 'Created']], actions), form, out];
  },

  async operators() {
    const rows = await call('GET', '/operators');
    const f = (n, l, i, h) => field('operator', n, l, i, h);
    const form = adminForm('operator-form', 'Add an operator', [
      f('name', 'Name', el('input', { placeholder: 'alice' })),
      f('role', 'Role', select(ROLES, 'auditor')),
      f('stations', 'Stations (factory role; comma-separated)', el('input', {})),
    ], 'Add operator', (v) => {
      const p = [];
      if (!NAME_PATTERN.test(v.name)) p.push('name: 1-64 of A-Z a-z 0-9 . _ -');
      if (v.role === 'factory' && !list(v.stations).length) p.push('a factory account needs at least one station');
      return p;
    }, (v) => issued('operator', v.name, '/operators', { name: v.name, role: v.role, stations: list(v.stations) }));
    const actions = (r) => revokeAction('operator', r, 'Its holder loses access at once.');
    return [el('h2', {}, 'Operators'), table(rows, [['name', 'Name'], ['role', 'Role'], ['stations', 'Stations'], ['certSerial', 'Certificate', 'mono'],
      ['createdAt', 'Created'], ['createdBy', 'Created by'], ['revokedAt', 'Revoked']], actions), form, el('div', { id: 'operator-credential' })];
  },
});

async function logout() {
  try {
    await call('POST', '/logout');
  } catch (e) {
    // a session that is already gone is logged out too
  }
  csrf = null;
  document.getElementById('who').textContent = '';
  document.getElementById('logout').hidden = true;
  showLogin();
  message('logged out', 'ok');
}

document.addEventListener('DOMContentLoaded', () => {
  const b = document.getElementById('logout');
  if (b) b.addEventListener('click', logout);
  // shown once the session is known (console.js fills #who then)
  new MutationObserver(() => { if (b) b.hidden = !document.getElementById('who').textContent; })
    .observe(document.getElementById('who'), { childList: true, characterData: true, subtree: true });
});
