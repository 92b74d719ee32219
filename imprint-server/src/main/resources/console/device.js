// Imprint web console: one device. Every section calls the admin API's own routes (under the console's
// base), so the role table decides what shows; a refused section says why instead of failing the page.
'use strict';
let deviceChart = null;

function may(permission) { return !!(session && session.permissions.includes(permission)); }

function param(name) { return new URLSearchParams(location.hash.split('?')[1] || '').get(name) || ''; }

function pre(value, id) { return el('pre', id ? { id, class: 'json' } : { class: 'json' }, JSON.stringify(value, null, 2)); }

// a section whose content comes from one or more calls; a refusal (403 ROLE_FORBIDDEN ...) shows in place
function section(id, title, load) {
  const body = el('div', { class: 'body' }, el('p', { class: 'muted' }, 'loading…'));
  const s = el('section', { id, class: 'panel', 'aria-labelledby': id + '-title' }, el('h3', { id: id + '-title' }, title), body);
  load().then(children => { body.replaceChildren(...children); s.dataset.loaded = 'true'; })
    .catch(e => { body.replaceChildren(el('p', { class: 'error refused' }, e.message)); s.dataset.loaded = 'true'; });
  return s;
}

function labelled(id, label, control) { control.id = id; return el('div', { class: 'field' }, el('label', { for: id }, label), control); }

// the console's scripts share one global scope: a function named as in admin.js would replace this one
function deviceButton(id, label, run) {
  const b = el('button', { type: 'button', id, onclick: async () => {
    b.disabled = true;
    try { message(await run(), 'ok'); } catch (e) { message(e.message, 'error'); } finally { b.disabled = false; }
  } }, label);
  return b;
}

function searchForm(prefix) {
  const input = el('input', { type: 'search', value: prefix, placeholder: 'e.g. dev-00' });
  return el('form', { class: 'filter', role: 'search', onsubmit: (e) => { e.preventDefault(); location.hash = 'device?prefix=' + encodeURIComponent(input.value.trim()); } },
    labelled('device-search', 'Device ID starts with ', input), ' ', el('button', { type: 'submit', id: 'device-search-go' }, 'Search'));
}

function numericFields(records) {
  const fields = new Set();
  for (const r of records) if (r.body && typeof r.body === 'object') for (const [k, v] of Object.entries(r.body)) if (typeof v === 'number') fields.add(k);
  return [...fields].sort();
}

function telemetrySection(id) {
  return section('device-telemetry', 'Last telemetry', async () => {
    const records = await call('GET', '/devices/' + encodeURIComponent(id) + '/telemetry?last=200');
    const fields = numericFields(records);
    const box = el('div', { id: 'telemetry-chart', class: 'plot' });
    const select = el('select', {}, ...fields.map(f => el('option', { value: f }, f)));
    const draw = () => {
      if (deviceChart) { deviceChart.destroy(); deviceChart = null; }
      box.replaceChildren();
      const f = select.value;
      if (!f) return;
      const pts = records.filter(r => r.body && typeof r.body[f] === 'number').map(r => [Date.parse(r.receivedAt) / 1000, r.body[f]]).sort((a, b) => a[0] - b[0]);
      deviceChart = new uPlot({ width: Math.max(280, box.clientWidth || 560), height: 180, scales: { x: { time: true } },
        series: [{}, { label: f, stroke: '#1f6fd1', width: 2 }], legend: { live: false } }, [pts.map(p => p[0]), pts.map(p => p[1])], box);
    };
    select.addEventListener('change', draw);
    setTimeout(draw, 0);
    const rows = records.slice(0, 5).map(r => ({ receivedAt: r.receivedAt, hub: r.hub, body: r.body ?? r.bodyBase64, properties: r.properties }));
    return [fields.length ? labelled('telemetry-field', 'Chart of the numeric field ', select) : el('p', { class: 'muted' }, 'no numeric field in the last messages'),
      box, table(rows, [['receivedAt', 'Received'], ['hub', 'Hub'], ['body', 'Body', 'mono'], ['properties', 'Properties', 'mono']])];
  });
}

function twinSection(id) {
  return section('device-twin', 'Twin', async () => {
    const twin = await call('GET', '/devices/' + encodeURIComponent(id) + '/twin');
    const out = [el('div', { class: 'twin' }, el('div', {}, el('h4', {}, 'Desired'), pre(twin.desired, 'twin-desired')),
      el('div', {}, el('h4', {}, 'Reported'), pre(twin.reported, 'twin-reported')))];
    if (may('DEVICES_MANAGE')) {
      const patch = el('textarea', { rows: '3', cols: '50', spellcheck: 'false' }, '{"interval": 30}');
      out.push(labelled('twin-patch', 'Desired properties patch (JSON merge patch) ', patch), deviceButton('twin-update', 'Update desired', async () => {
        let body;
        try { body = JSON.parse(patch.value); } catch (e) { throw new Error('BAD_REQUEST: the patch is not JSON: ' + e.message); }
        const t = await call('PATCH', '/devices/' + encodeURIComponent(id) + '/twin/desired', body);
        document.getElementById('twin-desired').textContent = JSON.stringify(t.desired, null, 2);
        return 'desired properties now at version ' + t.desired.$version;
      }));
    }
    return out;
  });
}

function messagingSection(id) {
  const base = '/devices/' + encodeURIComponent(id);
  const c2dBody = el('textarea', { rows: '2', cols: '50' }, 'hello device');
  const methodName = el('input', { value: 'reboot' });
  const payload = el('textarea', { rows: '2', cols: '50', spellcheck: 'false' }, '{}');
  const timeout = el('input', { type: 'number', min: '1', max: '300', value: '10' });
  const result = el('pre', { id: 'method-result', class: 'json', 'aria-live': 'polite' });
  return el('section', { id: 'device-messaging', class: 'panel', 'aria-labelledby': 'device-messaging-title' },
    el('h3', { id: 'device-messaging-title' }, 'Cloud-to-device message and direct method'),
    labelled('c2d-body', 'Message body ', c2dBody), deviceButton('c2d-send', 'Send message', async () => {
      const m = await call('POST', base + '/c2d', { body: c2dBody.value });
      return 'message ' + m.messageId + ' queued (expires ' + m.expiresAt + ')';
    }),
    el('div', { class: 'row' }, labelled('method-name', 'Method ', methodName), labelled('method-timeout', 'Timeout (s) ', timeout)),
    labelled('method-payload', 'Payload (JSON) ', payload), deviceButton('method-invoke', 'Invoke method', async () => {
      let p;
      try { p = JSON.parse(payload.value); } catch (e) { throw new Error('BAD_REQUEST: the payload is not JSON: ' + e.message); }
      result.textContent = 'waiting for the device…';
      try {
        const r = await call('POST', base + '/methods/' + encodeURIComponent(methodName.value.trim()), { payload: p, timeoutSeconds: Number(timeout.value) });
        result.textContent = 'status ' + r.status + '\n' + JSON.stringify(r.payload, null, 2);
        return 'method ' + methodName.value + ' answered ' + r.status;
      } catch (e) { result.textContent = e.message; throw e; }
    }), result);
}

function actionsSection(id) {
  const base = '/devices/' + encodeURIComponent(id);
  const out = [];
  if (may('DEVICES_MANAGE')) {
    out.push(deviceButton('device-enable', 'Enable', async () => { await call('POST', base + '/enable'); render(); return id + ' enabled'; }),
      deviceButton('device-disable', 'Disable', async () => { await call('POST', base + '/disable'); render(); return id + ' disabled: its session ends'; }),
      deviceButton('device-reprovision', 'Reprovision', async () => {
        if (!confirm('Delete the registration of ' + id + '? It must register again through DPS.')) return 'not reprovisioned';
        await call('POST', base + '/reprovision'); render(); return id + ' must register again';
      }));
  }
  if (may('CERTIFICATES_REVOKE')) {
    const reason = el('select', {}, ...REASONS.map(r => el('option', { value: r }, r)));
    out.push(labelled('device-revoke-reason', ' Reason ', reason), deviceButton('device-revoke', 'Revoke all its certificates', async () => {
      if (!confirm('Revoke every certificate of ' + id + '?')) return 'not revoked';
      const r = await call('POST', base + '/revoke', { reason: reason.value }); render(); return 'revoked: ' + JSON.stringify(r);
    }));
  }
  if (!out.length) out.push(el('p', { class: 'muted' }, 'your role (' + session.role + ') may not change devices'));
  return el('section', { id: 'device-actions', class: 'panel', 'aria-labelledby': 'device-actions-title' }, el('h3', { id: 'device-actions-title' }, 'Actions'), ...out);
}

views.device = async () => {
  if (deviceChart) { deviceChart.destroy(); deviceChart = null; }
  const id = param('id');
  const prefix = param('prefix');
  const out = [el('h2', {}, id ? 'Device ' + id : 'Find a device'), searchForm(prefix || id)];
  if (!id) {
    if (prefix || location.hash.includes('prefix=')) {
      const list = await call('GET', '/devices?limit=100&prefix=' + encodeURIComponent(prefix));
      out.push(el('p', {}, list.length + ' device(s)' + (list.length === 100 ? ' (first 100)' : '')),
        el('ul', { id: 'device-results' }, ...list.map(d => el('li', {}, el('a', { href: '#device?id=' + encodeURIComponent(d.deviceId) }, d.deviceId),
          ' ', d.hub || '', d.enabled ? '' : ' (disabled)'))));
    }
    return out;
  }
  const enc = encodeURIComponent(id);
  out.push(el('div', { class: 'panels' },
    section('device-summary', 'Hub and session', async () => {
      const [d, s] = await Promise.all([call('GET', '/devices/' + enc), call('GET', '/devices/' + enc + '/session')]);
      const rows = [['Assigned hub', d.assignedHub], ['Enabled', d.enabled], ['Connected', s.connected ? 'yes' : 'no'],
        ['Connected since', s.connectedAt], ['Hub of the session', s.hub || d.connectedTo], ['Node', s.node], ['Address', s.address || (s.connected ? '(on another node)' : '')],
        ['Certificate of the session', s.certSerial], ['Last seen', d.lastSeen]];
      return [el('dl', { id: 'device-session' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, fmt(v))]))];
    }),
    actionsSection(id), ...(may('DEVICES_MANAGE') ? [messagingSection(id)] : []),
    section('device-certificates', 'Certificates and rotations', async () => {
      const certs = await call('GET', '/certificates?limit=200&device=' + enc);
      certs.sort((a, b) => String(b.issuedAt).localeCompare(String(a.issuedAt)));
      const rows = certs.map(c => Object.assign({}, c, { state: c.revoked ? 'revoked (' + (c.revocationReason || '') + ')' : 'valid' }));
      return [el('p', { class: 'muted' }, 'manufacturing: the factory certificate; operational: issued at registration and at each rotation (newest first)'),
        table(rows, [['ca', 'Issued by'], ['serial', 'Serial', 'mono'], ['issuedAt', 'Issued'], ['notAfter', 'Not after'],
        ['state', 'State'], ['requestedBy', 'Requested by']])];
    }),
    section('device-registrations', 'Registration history', async () => {
      const list = await call('GET', '/registrations?limit=50&device=' + enc);
      return [table(list, [['at', 'At'], ['status', 'Status'], ['substatus', 'Substatus'], ['hub', 'Hub'], ['errorCode', 'Error'], ['message', 'Message']])];
    }),
    telemetrySection(id), twinSection(id)));
  return out;
};

// the device list links each device to its page
const deviceList = views.devices;
views.devices = async () => {
  const out = await deviceList();
  for (const td of out[1].querySelectorAll('tbody td:first-child')) {
    const id = td.textContent;
    td.replaceChildren(el('a', { href: '#device?id=' + encodeURIComponent(id) }, id));
  }
  return out;
};
