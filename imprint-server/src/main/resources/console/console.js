// Imprint web console: plain DOM, no build step. Text goes in with textContent only (never innerHTML).
'use strict';
const API = '/console/api';
const REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn'];
let csrf = null;
let session = null; // GET /session: role and permissions, for the views that hide what the role may not do

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

async function call(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (method !== 'GET') { headers['Content-Type'] = 'application/json'; headers['X-Imprint-CSRF'] = csrf; }
  const r = await fetch(API + path, { method, headers, credentials: 'same-origin', body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => ({}));
  if (r.status === 401) { showLogin(); }
  if (!r.ok) { throw new Error((data.code || ('HTTP_' + r.status)) + ': ' + (data.message || '')); }
  return data;
}

function message(text, cls) {
  const m = document.getElementById('message');
  m.textContent = text || '';
  m.className = cls || '';
}

function showLogin() {
  document.getElementById('login').hidden = false;
  document.getElementById('nav').hidden = true;
  document.getElementById('view').replaceChildren();
}

function table(rows, columns, extra) {
  const head = el('tr', {}, ...columns.map(c => el('th', {}, c[1])), ...(extra ? [el('th', {}, '')] : []));
  const body = rows.map(r => el('tr', r.serial ? { 'data-serial': r.serial } : {},
    ...columns.map(c => el('td', { class: c[2] || '' }, fmt(r[c[0]]))), ...(extra ? [el('td', {}, extra(r))] : [])));
  return el('table', {}, el('thead', {}, head), el('tbody', {}, ...body));
}

function fmt(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const views = {
  async overview() {
    const o = await call('GET', '/overview');
    const names = [['devices', 'Devices'], ['certificates', 'Certificates'], ['hubs', 'Hubs'], ['enrollments', 'Enrollments'],
      ['stations', 'Stations'], ['auditEntries', 'Audit entries']];
    return [el('h2', {}, 'Overview'), el('div', { class: 'cards' },
      ...names.map(([k, label]) => el('div', { class: 'card' }, el('div', { class: 'n', id: 'count-' + k }, o[k]), label)))];
  },

  async certificates() {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const device = params.get('device') || '';
    const offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
    const input = el('input', { id: 'device-filter', placeholder: 'device ID', value: device });
    const form = el('form', { class: 'filter', onsubmit: (e) => { e.preventDefault(); location.hash = 'certificates?device=' + encodeURIComponent(input.value.trim()); } },
      input, ' ', el('button', { type: 'submit', id: 'filter' }, 'Filter'));
    const list = await call('GET', '/certificates?limit=' + PAGE + '&offset=' + offset + (device ? '&device=' + encodeURIComponent(device) : ''));
    const revokeCell = (c) => {
      if (c.revoked) return el('span', { class: 'revoked' }, 'revoked (' + (c.revocationReason || '') + ')');
      const reason = el('select', { class: 'reason' }, ...REASONS.map(r => el('option', { value: r }, r)));
      const button = el('button', { class: 'revoke', onclick: async () => {
        button.disabled = true;
        try {
          await call('POST', '/certificates/' + encodeURIComponent(c.serial) + '/revoke', { reason: reason.value });
          message('revoked ' + c.serial, 'ok');
          render();
        } catch (e) { message(e.message, 'error'); button.disabled = false; }
      } }, 'Revoke');
      return el('span', {}, reason, ' ', button);
    };
    return [el('h2', {}, 'Certificates'), form, table(list, [['serial', 'Serial', 'mono'], ['deviceId', 'Device'], ['kind', 'Kind'],
      ['ca', 'CA'], ['issuedAt', 'Issued'], ['notAfter', 'Not after'], ['requestedBy', 'Requested by']], revokeCell),
      pager('certificates', params, offset, list.length)];
  },

  async devices() {
    const params = new URLSearchParams(location.hash.split('?')[1] || '');
    const offset = Math.max(0, parseInt(params.get('offset') || '0', 10) || 0);
    const list = await call('GET', '/dps/devices?limit=' + PAGE + '&offset=' + offset);
    return [el('h2', {}, 'Devices'), table(list, [['deviceId', 'Device'], ['hub', 'Assigned hub'], ['status', 'Status'], ['substatus', 'Substatus'],
      ['enabled', 'Enabled'], ['enrollment', 'Enrollment'], ['certSerial', 'Certificate', 'mono'], ['updatedAt', 'Updated']]),
      pager('devices', params, offset, list.length)];
  },

  async registrations() {
    const list = await call('GET', '/registrations?limit=200');
    return [el('h2', {}, 'Registration history'), table(list, [['at', 'At'], ['registrationId', 'Device'], ['status', 'Status'],
      ['substatus', 'Substatus'], ['hub', 'Hub'], ['errorCode', 'Error'], ['message', 'Message']])];
  },

  async enrollments() {
    const list = await call('GET', '/enrollments');
    return [el('h2', {}, 'Enrollments'), table(list, [['name', 'Name'], ['kind', 'Kind'], ['ca', 'CA'], ['idPattern', 'IDs'],
      ['deviceId', 'Device'], ['enabled', 'Enabled'], ['allocation', 'Allocation'], ['hubs', 'Hubs'], ['createdAt', 'Created']])];
  },

  async hubs() {
    const list = await call('GET', '/hubs');
    return [el('h2', {}, 'Hubs'), table(list, [['name', 'Name'], ['hostname', 'Hostname'], ['mqtt', 'MQTT'], ['region', 'Region'], ['weight', 'Weight']])];
  },

  async stations() {
    const list = await call('GET', '/stations');
    return [el('h2', {}, 'Stations'), table(list, [['name', 'Name'], ['idPattern', 'IDs'], ['quota', 'Quota'], ['rate', 'Rate/s'],
      ['issued', 'Issued'], ['revoked', 'Revoked'], ['createdAt', 'Created']])];
  },

  async ledger() {
    const batch = new URLSearchParams(location.hash.split('?')[1] || '').get('batch') || '';
    const input = el('input', { id: 'batch-filter', placeholder: 'batch', value: batch });
    const form = el('form', { class: 'filter', onsubmit: (e) => { e.preventDefault(); location.hash = 'ledger?batch=' + encodeURIComponent(input.value.trim()); } },
      input, ' ', el('button', { type: 'submit' }, 'Show batch'));
    const r = await call('GET', '/ledger?limit=500' + (batch ? '&batch=' + encodeURIComponent(batch) : ''));
    const entries = r.entries || [];
    return [el('h2', {}, 'Factory ledger'), form, el('p', {}, 'total: ' + fmt(r.total)), table(entries,
      Object.keys(entries[0] || { batch: 0, deviceId: 0, serial: 0 }).map(k => [k, k]))];
  },

  async audit() {
    const [verify, latest] = await Promise.all([call('GET', '/audit/verify'), call('GET', '/audit')]);
    const status = verify.intact ? el('p', { id: 'audit-verify', class: 'ok' }, 'hash chain intact')
      : el('p', { id: 'audit-verify', class: 'error' }, 'hash chain BROKEN at entry ' + verify.firstBrokenSeq + ': ' + verify.why);
    return [el('h2', {}, 'Audit log'), status, table(latest, [['seq', 'Seq'], ['at', 'At'], ['type', 'Type'], ['actor', 'Actor'],
      ['subject', 'Subject', 'mono'], ['details', 'Details', 'mono']])];
  },
};

async function render() {
  const name = (location.hash.slice(1).split('?')[0]) || 'overview';
  const view = views[name] || views.overview;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name);
  const target = document.getElementById('view');
  try {
    target.replaceChildren(...await view());
    target.dataset.loaded = name;
  } catch (e) {
    target.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

async function start() {
  try {
    const s = await call('GET', '/session');
    csrf = s.csrf;
    session = s;
    document.getElementById('who').textContent = s.actor + ' (role ' + s.role + ', session until ' + s.expiresAt + ')';
    document.getElementById('nav').hidden = false;
    window.addEventListener('hashchange', () => { message(''); render(); });
    render();
  } catch (e) {
    showLogin();
  }
}

document.addEventListener('DOMContentLoaded', start);
