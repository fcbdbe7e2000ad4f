// nova-host console: plain JavaScript on the public HTTP API (openapi.yaml), no framework, no build.

const API = '/api/v1';
const TOKEN_KEY = 'nova-host.token';
const MAX_LOG = 2000;           // log lines kept in memory and on screen
const MAX_VIOLATIONS = 200;     // violation groups shown; the rest are counted in a note
const POLL_MS = 5000;           // state refresh when nothing happens on the stream

// openapi.yaml's Chipset enum, by architecture (Pascal is creatable but nova-core's probe rejects it).
const CHIPSETS = {
  Pascal: ['GP102', 'GP104'],
  Turing: ['TU102', 'TU104', 'TU106', 'TU117', 'TU116'],
  Ampere: ['GA100', 'GA102', 'GA103', 'GA104', 'GA106', 'GA107'],
  Hopper: ['GH100'],
  Ada: ['AD102', 'AD103', 'AD104', 'AD106', 'AD107'],
  Blackwell: ['GB100', 'GB102', 'GB202', 'GB203', 'GB205', 'GB206', 'GB207'],
};
// Keyed by the wire words of kernel/novacore/Fault.java, labelled with its descriptions (FaultTest holds them equal).
const FAULTS = {
  forgetTimerCancel: 'remove() forgets hrtimer_cancel',
  forgetWorkCancel: 'remove() forgets cancel_work_sync',
  forgetFileDisconnect: 'remove() forgets to disconnect open files',
  forgetIrqFree: 'remove() forgets free_irq',
  leakRegion: 'remove() forgets pci_release_region',
  wrongCancelOrder: 'remove() cancels work before the timer that queues it',
  cancelUnderLock: 'remove() holds &nd->lock across hrtimer_cancel',
  cancelWorkFromItself: 'the work function calls cancel_work_sync on itself',
  flushOwnQueue: 'the work function flushes the workqueue it runs on',
  freeIrqUnderLock: 'remove() holds &nd->lock across free_irq',
};
// openapi.yaml's Policy: the driver's lifecycle policies, in the order the API lists them
const POLICIES = ['revocable', 'fenced', 'srcu'];
const PROBE_ERRNOS = ['ENOMEM', 'EIO', 'ENODEV', 'EBUSY', 'EINVAL', 'ENXIO', 'ETIMEDOUT', 'EPROBE_DEFER'];
// Log lines after which the tables may have changed (timer.fired and friends do not change them).
const STATEFUL = /^(pci|driver|module|host|violation|file|devres|journal|task|lockdep)\./;

const state = {
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  role: null,
  rendered: {},                 // what each panel last showed, to skip needless re-renders
  devices: [],
  log: [],                      // kernel log lines, by seq
  logDevices: new Set(),
  selectedViolation: null,
  scenarios: null,
};

// ---- small DOM helpers -----------------------------------------------------------------------

const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Replaces a container's content, keeping keyboard focus on the element with the same data-key. */
function render(container, key, data, build) {
  const json = JSON.stringify([data, state.role]);
  if (state.rendered[key] === json) return;
  state.rendered[key] = json;
  const focused = container.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  container.replaceChildren(...[build()].flat());
  if (focused) container.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

const isOperator = () => state.role === 'operator';
const dash = (value) => value ?? '—';

function duration(ns) {
  const s = Math.floor(ns / 1e9);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function clock(wall) {
  const d = new Date(wall);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

// ---- the API -----------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, problem) {
    const p = problem && typeof problem === 'object' ? problem : {};
    super(p.detail || p.title || `HTTP ${status}`);
    this.status = status;
    this.errno = p.errno || null;
    this.title = p.title || null;
    this.detail = p.detail || (typeof problem === 'string' && problem ? problem : null);
  }
}

/** As api(), with the response headers a list's page travels with (X-Total-Count...). */
async function apiPage(path) {
  let headers = null;
  const items = await api('GET', path, undefined, (h) => { headers = h; });
  return { items, total: Number(headers?.get('X-Total-Count') ?? items.length),
    dropped: Number(headers?.get('X-Nova-Violations-Dropped') ?? 0) };
}

async function api(method, path, body, onHeaders) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    setLive('offline');
    throw new ApiError(0, { title: 'The service cannot be reached', detail: String(e.message || e) });
  }
  const role = response.headers.get('X-Nova-Role');
  if (role) setRole(role);
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (response.ok && onHeaders) onHeaders(response.headers);
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401) needToken(error);
    throw error;
  }
  return data;
}

// ---- role, token, notices ----------------------------------------------------------------------

function setRole(role) {
  if (state.role === role) return;
  state.role = role;
  document.body.dataset.role = role || 'none';
  $('#role').textContent = role || 'no token';
  for (const input of document.querySelectorAll('#faults input, #faults select')) input.disabled = !isOperator();
  renderAll();
}

function setToken(token) {
  state.token = token.trim();
  if (state.token) sessionStorage.setItem(TOKEN_KEY, state.token);
  else sessionStorage.removeItem(TOKEN_KEY);
  $('#token').value = state.token;
  state.role = null;
  state.rendered = {};
  connectStream();
  refreshAll();
}

function needToken(error) {
  setRole(null);
  const dialog = $('#token-dialog');
  if (dialog.open) return;
  $('#token-dialog-detail').textContent = state.token
    ? `The token given was refused (${error.errno || error.status}): ${error.detail}`
    : 'Every API call needs a viewer token (read only) or an operator token (may change state).';
  $('#token-dialog-input').value = '';
  dialog.showModal();
}

let noticeTimer;
function notify(text, kind = 'ok') {
  const notice = $('#notice');
  clearTimeout(noticeTimer);
  notice.className = `notice ${kind}`;
  notice.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  notice.replaceChildren(...[text].flat(),
    el('button', { type: 'button', class: 'dismiss', 'aria-label': 'Dismiss message', onclick: () => { notice.hidden = true; } }, '×'));
  notice.hidden = false;
  if (kind !== 'error') noticeTimer = setTimeout(() => { notice.hidden = true; }, 4000);
}

function showError(what, error) {
  const parts = [el('strong', {}, `${what} failed`), ' '];
  if (error.errno) parts.push(el('code', { class: 'errno' }, error.errno), ' ');
  if (error.title) parts.push(el('span', { class: 'title' }, `${error.title}${error.detail ? ':' : ''}`), ' ');
  if (error.detail) parts.push(el('span', { class: 'detail' }, error.detail));
  if (!error.errno && !error.title && !error.detail) parts.push(error.message || `HTTP ${error.status}`);
  notify(parts, 'error');
}

/** Runs an operator action: the button is busy meanwhile, the outcome is announced, the state refreshed. */
async function act(what, call, button) {
  if (button) button.disabled = true;
  try {
    const result = await call();
    if (result?.state === 'D' || result?.state === 'running') {   // 202: the kernel still works on it
      notify(`${what}: still waiting in the kernel as task ${result.id}${result.blockedOn ? ` on ${result.blockedOn}` : ''}`);
    } else {
      notify(`${what}: done`);
    }
  } catch (error) {
    if (error.status !== 401) showError(what, error);
  } finally {
    if (button) button.disabled = false;
    await refreshState();
  }
}

// ---- state: host, devices, modules, drivers, faults, violations ----------------------------------

async function refreshState() {
  const results = await Promise.allSettled([
    api('GET', '/host').then(renderHost),
    api('GET', '/devices').then(renderDevices),
    api('GET', '/modules').then(renderModules),
    api('GET', '/drivers').then(renderDrivers),
    // the injection points are shown once read; if they cannot be (yet), the faults are shown without them
    api('GET', '/drivers/nova-core/faults').then((faults) => loadInjectable().catch(() => {}).then(() => renderFaults(faults))),
    apiPage(`/violations?limit=${MAX_VIOLATIONS}`).then(renderViolations),
    api('GET', '/tasks').then(renderTasks),
    api('GET', '/lockdep').then(renderLockdep),
  ]);
  for (const r of results) {
    if (r.status === 'rejected' && !(r.reason instanceof ApiError)) console.error(r.reason);   // a bug of the console
  }
  const failed = results.find((r) => r.status === 'rejected' && r.reason.status !== 401);
  if (failed && !state.refreshErrorShown) {
    state.refreshErrorShown = true;
    showError('Reading the host', failed.reason);
  } else if (!failed) {
    state.refreshErrorShown = false;
  }
  if (state.selectedViolation != null) showViolation(state.selectedViolation, false);
}

let refreshTimer = null;
function scheduleRefresh(delay = 400) {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => { refreshTimer = null; refreshState(); }, delay);
}

function renderAll() {
  state.rendered = {};
  if (state.last) {
    for (const [fn, data] of Object.entries(state.last)) RENDERERS[fn](data);
  }
}

function remember(name, data) {
  state.last ??= {};
  state.last[name] = data;
}

function renderHost(host) {
  remember('host', host);
  const summary = $('#host-summary');
  const taints = host.taints.length
    ? el('span', { class: 'taint' }, `tainted: ${host.taints.join(', ')}`)
    : el('span', { class: 'clean' }, 'not tainted');
  summary.replaceChildren(
    `up ${duration(host.uptimeNs)} · ${host.devices} device${host.devices === 1 ? '' : 's'}, ${host.boundDevices} bound · `,
    taints,
    ...(host.panicked ? [' · ', el('span', { class: 'taint' }, 'panicked (hung task) until reset')] : []));
}

function renderDevices(devices) {
  remember('devices', devices);
  state.devices = devices;
  $('#devices-empty').hidden = devices.length > 0;
  updateLogDevices();
  render($('#devices'), 'devices', devices, () => devices.map((d) => {
    const button = (action, label, enabled, call) => el('button', {
      type: 'button', class: `small ${action}`, dataset: { action, address: d.address, key: `${action}:${d.address}` },
      'aria-label': `${label} ${d.address}`, disabled: !enabled,
      onclick: (e) => act(`${label} ${d.address}`, call, e.currentTarget),
    }, label);
    return el('tr', { dataset: { address: d.address } },
      el('th', { scope: 'row', class: 'mono' }, d.address),
      el('td', {}, d.chipset, ' ', el('span', { class: 'muted' }, d.architecture)),
      el('td', { class: 'device-state' }, el('span', { class: `badge ${d.state}` }, d.state)),
      el('td', { class: 'device-driver' }, dash(d.driver)),
      el('td', { class: 'device-policy' }, d.policy ? el('span', { class: `badge ${d.policy}` }, d.policy) : '—'),
      el('td', { class: 'op' }, el('div', { class: 'actions' },
        button('bind', 'Bind', !d.driver && d.state === 'present',
          () => api('POST', '/drivers/nova-core/bind', { device: d.address })),
        button('unbind', 'Unbind', !!d.driver,
          () => api('POST', `/drivers/${d.driver}/unbind`, { device: d.address })),
        button('surprise-remove', 'Surprise-remove', d.state === 'present',
          () => api('POST', `/devices/${d.address}/surprise-removal`)),
        button('delete', 'Delete', true, () => api('DELETE', `/devices/${d.address}`)))));
  }));
}

function renderModules(modules) {
  remember('modules', modules);
  render($('#modules'), 'modules', modules, () => modules.map((m) => {
    const live = m.state === 'live';
    const button = (action, label, enabled, query) => el('button', {
      type: 'button', class: `small ${action}`, dataset: { action, module: m.name, key: `${action}:${m.name}` },
      'aria-label': `${label} ${m.name}`, disabled: !enabled,
      onclick: (e) => act(`${label} ${m.name}`, () => api('POST', `/modules/${m.name}/${query}`), e.currentTarget),
    }, label);
    return el('tr', { dataset: { module: m.name } },
      el('th', { scope: 'row', class: 'mono' }, m.name),
      el('td', { class: 'module-state' }, el('span', { class: `badge ${m.state}` }, m.state)),
      el('td', { class: 'num' }, m.generation),
      el('td', { class: 'num' }, m.refcount),
      el('td', { class: 'op' }, el('div', { class: 'actions' },
        button('load', 'Load', !live && m.state !== 'going', 'load'),
        button('unload', 'Unload', live, 'unload'),
        button('unload-disassociate', 'Unload, disassociate files', live, 'unload?mode=disassociate'),
        button('unload-force', 'Force unload', live, 'unload?force=true'))));
  }));
}

function renderDrivers(drivers) {
  remember('drivers', drivers);
  render($('#drivers'), 'drivers', drivers, () => drivers.map((d) => {
    const policy = isOperator()
      ? el('select', {
        id: `policy-${d.name}`, dataset: { key: `policy:${d.name}`, driver: d.name },
        onchange: (e) => act(`Set ${d.name} policy to ${e.target.value}`,
          () => api('PUT', `/drivers/${d.name}/policy`, { policy: e.target.value })),
      }, POLICIES.map((p) => el('option', { value: p, selected: p === d.policy }, p)))
      : el('span', { id: `policy-${d.name}`, class: `badge ${d.policy}` }, d.policy);
    return el('div', { class: 'driver-row', dataset: { driver: d.name } },
      el('span', { class: 'mono name' }, d.name),
      el('span', { class: 'muted' }, d.registered ? 'registered' : 'not registered (module not loaded)'),
      isOperator() ? el('label', { for: `policy-${d.name}` }, 'Policy for the next probe') : el('span', {}, 'Policy for the next probe'),
      policy,
      el('span', { class: 'muted' }, d.devices.length ? `bound: ${d.devices.join(', ')}` : 'nothing bound'));
  }));
}

// A fault's attributes (kernel/fault/FaultAttr.java), with the values `true` stands for.
const FAULT_ATTRS = { probability: 100, interval: 1, times: -1, space: 0, verbose: 1 };
const FAULT_ATTR_RANGES = { probability: [0, 100], interval: [1], times: [-1], space: [0], verbose: [0, 2] };
// openapi.yaml's CallSite enum (kernel/fault/CallSite.java): a fault's or injection point's `site`.
const CALL_SITES = ['probe', 'remove', 'module_exit', 'callback'];

/**
 * The attribute inputs of one fault (prefix `fault`) or injection point (prefix `inject`): the numbers,
 * the device filter and the call site, with ids `${prefix}-${key}-${attr}`.
 */
function attrInputs(prefix, key, dataset, disabled) {
  const id = (attr) => `${prefix}-${key}-${attr}`;
  const attrs = Object.entries(FAULT_ATTRS).map(([attr, value]) => {
    const [min, max] = FAULT_ATTR_RANGES[attr];
    return el('label', { class: 'attr' }, attr, ' ',
      el('input', { type: 'number', id: id(attr), class: 'attr-input', value, min, max, step: 1,
        dataset: { ...dataset, attr }, disabled, 'aria-label': `${key} ${attr}` }));
  });
  attrs.push(el('label', { class: 'attr' }, 'device ',
    el('input', { type: 'text', id: id('device'), class: 'attr-device', placeholder: 'every device',
      dataset: { ...dataset, attr: 'device' }, disabled, 'aria-label': `${key} device` })));
  attrs.push(el('label', { class: 'attr' }, 'site ',
    el('select', { id: id('site'), class: 'attr-site', dataset: { ...dataset, attr: 'site' }, disabled,
      'aria-label': `${key} site` },
      el('option', { value: '' }, 'every site'), ...CALL_SITES.map((site) => el('option', { value: site }, site)))));
  return attrs;
}

function setupFaults() {
  const flags = $('#fault-flags');
  for (const [flag, label] of Object.entries(FAULTS)) {
    flags.append(el('div', { class: 'flag' },
      el('label', {},
        el('input', { type: 'checkbox', id: `fault-${flag}`, dataset: { fault: flag }, disabled: true }),
        ' ', el('code', {}, flag), ' ', el('span', { class: 'muted' }, label)),
      el('div', { class: 'attrs' }, attrInputs('fault', flag, { fault: flag }, true))));
  }
  const probe = $('#fault-probeFailure');
  probe.disabled = true;
  probe.append(el('option', { value: '' }, 'no failure'), ...PROBE_ERRNOS.map((e) => el('option', { value: e }, e)));
  $('#fault-seed').disabled = true;
  $('#faults').addEventListener('change', (e) => {
    const faults = {};
    for (const flag of Object.keys(FAULTS)) faults[flag] = $(`#fault-${flag}`).checked ? attrsOf('fault', flag) : false;
    faults.probeFailure = probe.value || null;
    const seed = $('#fault-seed').value.trim();
    if (seed !== '') faults.seed = Number(seed);
    faults.inject = state.injectable ? injectList() : state.last?.faults?.inject ?? {}; // not yet shown: kept
    faults.remove = state.last?.faults?.remove ?? []; // a written remove() order (API, scenarios): kept
    const name = e.target.dataset.fault ?? e.target.dataset.inject;
    const attr = e.target.dataset.attr;
    const value = e.target.type === 'checkbox' ? (e.target.checked ? 'on' : 'off') : (e.target.value || 'none');
    act(`Set fault ${name}${attr ? ' ' + attr : ''} ${value}`, () => api('PUT', '/drivers/nova-core/faults', faults));
  });
}

/**
 * fail_function's injection points (GET /drivers/nova-core/injectable), in probe order, each on/off with
 * its retval (one of the errnos the real call returns) and the attributes: read once, then kept.
 */
async function loadInjectable() {
  if (state.injectable) return;
  const points = await api('GET', '/drivers/nova-core/injectable');
  if (state.injectable) return;
  state.injectable = points;
  const disabled = !isOperator();
  $('#inject-points').replaceChildren(...points.map((p) => el('div', { class: 'flag', dataset: { point: p.name } },
    el('label', {},
      el('input', { type: 'checkbox', id: `inject-${p.name}`, dataset: { inject: p.name }, disabled }),
      ' ', el('code', {}, p.name), ' ', el('span', { class: 'muted' }, p.description)),
    el('div', { class: 'attrs' },
      el('label', { class: 'attr' }, 'retval ',
        el('select', { id: `inject-${p.name}-retval`, class: 'attr-retval', dataset: { inject: p.name, attr: 'retval' },
          disabled, 'aria-label': `${p.name} retval` }, ...p.errnos.map((e) => el('option', { value: e }, e)))),
      attrInputs('inject', p.name, { inject: p.name }, disabled)))));
}

/** The inject list the inputs say: each point that is on, with its retval and attributes. */
function injectList() {
  const inject = {};
  for (const p of state.injectable) {
    if ($(`#inject-${p.name}`).checked) inject[p.name] = { retval: $(`#inject-${p.name}-retval`).value, ...attrsOf('inject', p.name) };
  }
  return inject;
}

/** The attributes the inputs of one fault or injection point say; an empty field takes true's value. */
function attrsOf(prefix, key) {
  const attrs = {};
  for (const [attr, value] of Object.entries(FAULT_ATTRS)) {
    const said = $(`#${prefix}-${key}-${attr}`).value.trim();
    attrs[attr] = said === '' ? value : Number(said);
  }
  const device = $(`#${prefix}-${key}-device`).value.trim();
  if (device) attrs.device = device;
  const site = $(`#${prefix}-${key}-site`).value;
  if (site) attrs.site = site;
  return attrs;
}

/** Shows one fault's or injection point's attributes: `true`'s values when it is `true` or off. */
function showAttrs(prefix, key, value) {
  const attrs = typeof value === 'object' && value ? value : FAULT_ATTRS;
  for (const attr of Object.keys(FAULT_ATTRS)) show($(`#${prefix}-${key}-${attr}`), attrs[attr] ?? FAULT_ATTRS[attr]);
  show($(`#${prefix}-${key}-device`), attrs.device ?? '');
  show($(`#${prefix}-${key}-site`), attrs.site ?? '');
}

/**
 * Shows the kernel's value in an input, unless the user is in it: the panel is painted again from every answer
 * (the last change's, a refresh's), and that paint must not overwrite what is being typed; leaving the input
 * saves it and paints it again.
 */
function show(input, value) {
  if (input !== document.activeElement) input.value = value;
}

function renderFaults(faults) {
  remember('faults', faults);
  for (const flag of Object.keys(FAULTS)) {
    const value = faults[flag];
    $(`#fault-${flag}`).checked = !!value;
    showAttrs('fault', flag, value);
  }
  for (const p of state.injectable ?? []) {
    const value = faults.inject?.[p.name];
    $(`#inject-${p.name}`).checked = !!value;
    show($(`#inject-${p.name}-retval`), value?.retval ?? p.errnos[0]);
    showAttrs('inject', p.name, value);
  }
  const probe = $('#fault-probeFailure');
  if (faults.probeFailure && ![...probe.options].some((o) => o.value === faults.probeFailure)) {
    probe.append(el('option', { value: faults.probeFailure }, faults.probeFailure));
  }
  show(probe, faults.probeFailure || '');
  show($('#fault-seed'), faults.seed ?? '');
}

function renderViolations(page) {
  remember('violations', page);
  const { items: violations, total, dropped } = page;
  const groups = new Map();
  for (const v of violations) {
    const key = `${v.kind}/${v.outcome}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(v);
  }
  render($('#violations'), 'violations', [violations.map((v) => [v.id, v.count]), state.selectedViolation, total, dropped], () => {
    if (!violations.length && !dropped) return el('p', { class: 'empty' }, 'None caught.');
    const notes = [];
    if (total > violations.length) notes.push(`the first ${violations.length} of ${total} groups`);
    if (dropped) notes.push(`${dropped} report${dropped === 1 ? '' : 's'} not kept: the store is full (the metrics count them)`);
    const note = notes.length ? [el('p', { class: 'muted', id: 'violations-note' }, `Showing ${notes.join('; ')}.`)] : [];
    return [...note, ...[...groups.values()].map((list) => {
      const { kind, outcome } = list[0];
      const total = list.reduce((n, v) => n + v.count, 0);
      return el('section', { class: `vgroup ${outcome}`, dataset: { kind, outcome } },
        el('h3', {}, el('code', {}, kind), ' ', el('span', { class: `badge ${outcome}` }, outcome),
          ' ', el('span', { class: 'muted' }, `${total} report${total === 1 ? '' : 's'}`)),
        el('ul', {}, list.map((v) => el('li', {},
          el('button', {
            type: 'button', class: 'violation', 'aria-pressed': String(state.selectedViolation === v.id),
            dataset: { id: v.id, kind: v.kind, key: `violation:${v.id}` },
            onclick: () => showViolation(v.id, true),
          },
          el('span', { class: 'vhead' }, el('span', { class: 'mono' }, `${v.object} @ ${v.device || 'host'}`),
            ' ', el('span', { class: `badge ${v.policy}` }, v.policy), ' ', el('span', { class: 'muted' }, `×${v.count}`)),
          el('span', { class: 'vmsg' }, v.message))))));
    })];
  });
}

async function showViolation(id, fromClick) {
  if (fromClick) {
    state.selectedViolation = id;
    for (const b of document.querySelectorAll('button.violation')) b.setAttribute('aria-pressed', String(b.dataset.id === String(id)));
  }
  let v;
  try {
    v = await api('GET', `/violations/${id}`);
  } catch (error) {
    if (error.status === 404) {                 // forgotten by a host reset
      state.selectedViolation = null;
      $('#timeline-panel').hidden = true;
    } else if (fromClick && error.status !== 401) {
      showError(`Reading violation ${id}`, error);
    }
    return;
  }
  const panel = $('#timeline-panel');
  panel.hidden = false;
  $('#timeline-h').textContent = `Timeline of ${v.kind} (${v.outcome})`;
  $('#timeline-summary').replaceChildren(
    el('span', { class: 'mono' }, `${v.object} @ ${v.device || 'host'}`), ` · ${v.policy} · `,
    `${v.count} report${v.count === 1 ? '' : 's'} · first ${clock(v.firstSeenWall)} · `, v.message);
  const start = v.timeline.length ? v.timeline[0].at : v.firstSeen;
  const ms = (at) => `+${((at - start) / 1e6).toFixed(3)} ms`;
  render($('#timeline'), 'timeline', [v.id, v.timeline.map((t) => t.seq), v.count], () => [
    ...collapseRepeats(v.timeline).map((s) => timelineStep(s, `step ${s.event.split('.')[0]}`, ms)),
    timelineStep({ at: v.firstSeen, event: `violation.${v.kind}`, object: v.object, message: `${v.outcome}: ${v.message}`, times: 1 },
      `step violation ${v.outcome}`, ms),
  ]);
  if (fromClick) panel.scrollIntoView({ block: 'nearest' });
}

/** Repeats in a row (a periodic timer firing) collapse into one step: "timer.fired ×8". */
function collapseRepeats(timeline) {
  const steps = [];
  for (const t of timeline) {
    const last = steps[steps.length - 1];
    if (last && last.event === t.event && last.object === t.object && last.message === t.message) {
      last.times++;
      last.lastSeq = t.seq;
      last.lastAt = t.at;
    } else {
      steps.push({ ...t, times: 1, lastSeq: t.seq, lastAt: t.at });
    }
  }
  return steps;
}

/** One step of a vertical time line: when (as `when` writes an instant), the event, its object, seq and message. */
function timelineStep(s, cls, when) {
  return el('li', { class: cls, dataset: { event: s.event } },
    el('span', { class: 'when' }, when(s.at)),
    el('span', { class: 'what' }, el('code', { class: 'event' }, s.event),
      s.object ? el('span', { class: 'muted' }, ` ${s.object}`) : null,
      s.times > 1 ? el('strong', { class: 'times' }, ` ×${s.times}`) : null,
      s.seq ? el('span', { class: 'seq' }, s.times > 1 ? ` #${s.seq}–#${s.lastSeq}` : ` #${s.seq}`) : null),
    el('span', { class: 'msg' }, s.times > 1 ? `${s.message} (until ${when(s.lastAt)})` : s.message));
}

// ---- tasks in D, lockdep's cycles -------------------------------------------------------------------

/** The tasks not done yet (a 202's unbind, unload or unplug): what each waits for, and since when. */
function renderTasks(tasks) {
  remember('tasks', tasks);
  const waiting = tasks.filter((t) => t.state !== 'done');
  $('#tasks-empty').hidden = waiting.length > 0;
  render($('#tasks'), 'tasks', waiting, () => waiting.map((t) => el('tr', { dataset: { task: t.id, state: t.state } },
    el('th', { scope: 'row', class: 'mono' }, t.id),
    el('td', { class: 'task-name mono' }, t.name),
    el('td', { class: 'task-state' }, el('span', { class: `badge task-${t.state}` }, t.state)),
    el('td', { class: 'task-blocked mono' }, dash(t.blockedOn)),
    el('td', { class: 'task-since' }, el('time', { datetime: t.since }, clock(t.since))))));
}

/** Each cycle lockdep found, as a timeline: its report lines in order, and how often it was seen. */
function renderLockdep(lockdep) {
  remember('lockdep', lockdep);
  $('#lockdep-summary').textContent = lockdep.enabled
    ? `${lockdep.classes.length} lock classes, ${lockdep.dependencies.length} orders seen, ${lockdep.cycles.length} cycle${lockdep.cycles.length === 1 ? '' : 's'}`
    : 'Lock tracking is off: nothing is recorded.';
  render($('#lockdep'), 'lockdep', lockdep.cycles, () => {
    if (!lockdep.cycles.length) return el('p', { class: 'empty' }, 'No cycle in the lock orders seen.');
    return lockdep.cycles.map((c, i) => el('section', { class: 'cycle', dataset: { cycle: i, recursive: String(c.recursive) } },
      el('h3', {}, el('code', {}, c.recursive ? 'lockdep.recursive' : 'lockdep.circular'), ' ',
        el('span', { class: 'mono' }, c.task), ' ',
        el('span', { class: 'muted cycle-times' }, `seen ×${c.times}`)),
      el('p', { class: 'cycle-classes mono muted' }, [...c.classes, c.classes[0]].join(' → ')),
      el('ol', { class: 'chain' }, c.report.map((line) => el('li', { class: 'mono' }, line)))));
  });
}

const RENDERERS = { host: renderHost, devices: renderDevices, modules: renderModules, drivers: renderDrivers,
  faults: renderFaults, violations: renderViolations, tasks: renderTasks, lockdep: renderLockdep };

// ---- the live kernel log -----------------------------------------------------------------------

let source = null;
let reconnectTimer = null;

function setLive(text) {
  const live = $('#live');
  live.textContent = text;
  live.className = `live ${text === 'live' ? 'on' : 'off'}`;
}

function connectStream() {
  clearTimeout(reconnectTimer);
  source?.close();
  const url = new URL(`${API}/events/stream`, location.href);
  if (state.token) url.searchParams.set('access_token', state.token);
  setLive('connecting');
  const resumeFrom = lastSeq();     // a new stream starts at the newest line: fetch what it would miss
  source = new EventSource(url);
  const mine = source;
  let opened = false;
  source.onopen = () => {
    setLive('live');
    if (!opened) backfill(resumeFrom);        // the browser's own reconnects resume with Last-Event-ID
    opened = true;
  };
  source.onmessage = (e) => { try { addEvents([JSON.parse(e.data)]); } catch { /* not a log line */ } };
  source.addEventListener('dropped', () => setLive('fell behind, resuming'));
  source.addEventListener('reset', () => {   // the service restarted: its log starts again at 1
    state.log = [];
    state.clearedAt = 0;
    fullRender = true;
  });
  source.onerror = () => {
    if (mine !== source) return;
    if (source.readyState === EventSource.CLOSED) {   // refused (401, 503 EUSERS) or gone: try again later
      setLive('offline');
      reconnectTimer = setTimeout(connectStream, 3000);
    } else {
      setLive('reconnecting');                        // the browser resumes with Last-Event-ID
    }
  };
}

/** The lines logged before the stream (or between two streams), through GET /events. */
async function backfill(since) {
  try {
    for (let page = 0; page < 20; page++) {
      const lines = await api('GET', `/events?since=${since}&limit=1000`);
      addEvents(lines);
      if (lines.length < 1000) break;
      since = lines[lines.length - 1].seq;
    }
  } catch { /* the stream goes on; the state refresh reports errors */ }
}

const lastSeq = () => (state.log.length ? state.log[state.log.length - 1].seq : state.clearedAt || 0);

let pending = [];
let fullRender = false;
let flushQueued = false;
function addEvents(lines) {
  let stateful = false;
  for (const line of lines) {
    if (line.device) state.logDevices.add(line.device);
    if (STATEFUL.test(line.type)) stateful = true;
    if (line.seq > lastSeq()) {
      state.log.push(line);
      pending.push(line);
    } else if (line.seq > (state.clearedAt || 0) && !state.log.some((l) => l.seq === line.seq)) {
      state.log.push(line);
      fullRender = true;
    }
  }
  if (fullRender) state.log.sort((a, b) => a.seq - b.seq);
  if (state.log.length > MAX_LOG) state.log.splice(0, state.log.length - MAX_LOG);
  if (pending.length > MAX_LOG) {            // a background tab paints nothing: redraw once it shows
    pending = [];
    fullRender = true;
  }
  if (stateful) scheduleRefresh();
  updateLogDevices();
  if (!flushQueued) {
    flushQueued = true;
    requestAnimationFrame(flushLog);
  }
}

function logFilter() {
  const device = $('#log-device').value;
  const text = $('#log-text').value.trim().toLowerCase();
  return (line) => (!device || line.device === device)
    && (!text || line.type.includes(text) || line.message.toLowerCase().includes(text) || line.object.toLowerCase().includes(text));
}

function logLine(line) {
  const subsystem = line.type.split('.')[0];
  return el('li', { class: `line ${subsystem}`, dataset: { seq: line.seq, type: line.type } },
    el('span', { class: 'seq' }, line.seq),
    el('time', { datetime: line.wall }, clock(line.wall)),
    el('span', { class: 'dev' }, line.device),
    el('code', { class: 'type' }, line.type),
    el('span', { class: 'msg' }, line.message));
}

function flushLog() {
  flushQueued = false;
  const log = $('#log');
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const keep = logFilter();
  if (fullRender) {
    log.replaceChildren(...state.log.filter(keep).map(logLine));
  } else if (pending.length) {
    log.append(...pending.filter(keep).map(logLine));
    while (log.childElementCount > MAX_LOG) log.firstElementChild.remove();
  }
  pending = [];
  fullRender = false;
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function updateLogDevices() {
  const select = $('#log-device');
  const all = new Set([...state.devices.map((d) => d.address), ...state.logDevices]);
  const have = new Set([...select.options].map((o) => o.value).filter(Boolean));
  if (all.size === have.size && [...all].every((a) => have.has(a))) return;
  const chosen = select.value;
  select.replaceChildren(el('option', { value: '' }, 'all devices'),
    ...[...all].sort().map((a) => el('option', { value: a, selected: a === chosen }, a)));
  select.value = all.has(chosen) ? chosen : '';
}

// ---- scenarios ---------------------------------------------------------------------------------

async function loadScenarios() {
  if ($('#scenario-select').options.length) return;
  try {
    state.scenarios ??= await api('GET', '/scenarios');
  } catch (error) {
    if (error.status !== 401) showError('Listing the scenarios', error);
    return;
  }
  const select = $('#scenario-select');
  select.replaceChildren(...state.scenarios.map((s) => el('option', { value: s.name }, `${s.name} — ${s.title}`)));
  describeScenario();
}

function describeScenario() {
  const s = state.scenarios?.find((x) => x.name === $('#scenario-select').value);
  $('#scenario-description').textContent = s ? `${s.description} (${s.steps} steps)` : '';
}

async function runScenario(event) {
  event.preventDefault();
  const name = $('#scenario-select').value;
  if (!name) return;
  const button = $('#scenario-run');
  const out = $('#scenario-result');
  button.disabled = true;
  out.setAttribute('aria-busy', 'true');
  try {
    const result = await api('POST', '/scenarios/run', { name, policies: POLICIES });
    out.replaceChildren(...comparison(name, result));
  } catch (error) {
    if (error.status !== 401) showError(`Running ${name}`, error);
  } finally {
    button.disabled = false;
    out.removeAttribute('aria-busy');
  }
}

function comparison(name, result) {
  const policies = Object.keys(result.runs);
  const keys = [...new Set(policies.flatMap((p) => Object.keys(result.violations[p] || {})))].sort();
  const head = el('tr', {}, el('th', { scope: 'col' }, 'violation / outcome'),
    policies.map((p) => el('th', { scope: 'col' }, el('span', { class: `badge ${p}` }, p))));
  const rows = keys.map((key) => {
    const [kind, outcome] = key.split('/');
    return el('tr', {}, el('th', { scope: 'row' }, el('code', {}, kind), ' ', el('span', { class: `badge ${outcome}` }, outcome)),
      policies.map((p) => el('td', { class: 'num' }, result.violations[p]?.[key] ?? '—')));
  });
  if (!keys.length) rows.push(el('tr', {}, el('th', { scope: 'row' }, 'no violation'), policies.map(() => el('td', {}, '—'))));
  const run = (label, cell) => el('tr', {}, el('th', { scope: 'row' }, label), policies.map((p) => el('td', {}, cell(result.runs[p]))));
  rows.push(
    run('expectations', (r) => el('span', { class: `badge ${r.passed ? 'passed' : 'failed'}` },
      `${r.passed ? 'passed' : 'failed'} ${r.expectationsPassed}/${r.expectationsPassed + r.expectationsFailed}`)),
    run('digest', (r) => el('code', { class: 'digest', title: r.digest }, `${r.digest.slice(0, 16)}…`)));
  const table = el('table', { class: 'comparison', id: 'scenario-comparison' },
    el('caption', {}, `${name}: ${policies.join(' against ')}`), el('thead', {}, head), el('tbody', {}, rows));
  const steps = policies.map((p) => {
    const r = result.runs[p];
    return el('details', { class: 'steps' }, el('summary', {}, `Steps under ${p} (${r.steps.length})`),
      el('ol', { start: 0 }, r.steps.map((s) => el('li', { class: s.ok ? 'ok' : 'err' },
        el('code', {}, s.op), ' ', s.ok ? 'ok' : el('code', { class: 'errno' }, s.errno),
        s.value ? el('span', { class: 'muted' }, ` ${s.value}`) : null,
        s.expectation ? el('span', { class: s.expectation === 'passed' ? 'pass' : 'fail' }, ` — expectation ${s.expectation}`) : null,
        s.blockedUntil != null ? el('span', { class: 'muted' }, ` (blocked until step ${s.blockedUntil})`) : null))));
  });
  return [table, ...steps];
}

// ---- explore: every schedule of a teardown, per policy -------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.setAttribute('class', value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child != null) node.append(child instanceof Node ? child : String(child));
  return node;
}

/**
 * openapi.yaml's Policy enum, read from the contract the service serves (anyone may read it), so that a
 * policy added to the contract appears here with nothing to change; its flow (`[a, b]`) or block form.
 */
async function contractPolicies() {
  const response = await fetch('/openapi.yaml');
  if (!response.ok) return null;
  const schema = (await response.text()).match(/\n {4}Policy:\n((?: {6}.*\n| *\n)+)/);
  const flow = schema?.[1].match(/^ {6}enum: *\[([^\]]*)\]/m);
  const block = schema?.[1].match(/^ {6}enum:\n((?: {8}- .*\n)+)/m);
  const words = flow ? flow[1].split(',') : block ? block[1].split('\n').map((l) => l.replace(/^\s*- /, '')) : [];
  const policies = words.map((w) => w.trim().replace(/^['"]|['"]$/g, '')).filter(Boolean);
  return policies.length ? policies : null;
}

async function loadExplore() {
  const select = $('#explore-select');
  if (select.options.length) return;
  let policies;
  try {
    [state.scenarios, policies] = await Promise.all([state.scenarios ?? api('GET', '/scenarios'),
      contractPolicies().catch(() => null)]);
  } catch (error) {
    if (error.status !== 401) showError('Listing the scenarios', error);
    return;
  }
  if (select.options.length) return;
  $('#explore-policies').append(...(policies ?? ['revocable', 'fenced']).map((p) => el('label', { class: 'policy-choice' },
    el('input', { type: 'checkbox', id: `explore-policy-${p}`, value: p, checked: true }), ' ',
    el('span', { class: `badge ${p}` }, p))));
  select.replaceChildren(...state.scenarios.map((s) => el('option', { value: s.name }, `${s.name} — ${s.title}`)));
  describeExploration();
}

function describeExploration() {
  const s = state.scenarios?.find((x) => x.name === $('#explore-select').value);
  $('#explore-description').textContent = s ? s.description : '';
}

async function explore(event) {
  event.preventDefault();
  const name = $('#explore-select').value;
  if (!name) return;
  const policies = [...document.querySelectorAll('#explore-policies input:checked')].map((i) => i.value);
  if (!policies.length) {
    notify('Choose at least one policy to explore', 'error');
    return;
  }
  const body = { name, policies, bound: Number($('#explore-bound').value), budget: Number($('#explore-budget').value) };
  const button = $('#explore-run');
  const out = $('#explore-result');
  button.disabled = true;
  out.setAttribute('aria-busy', 'true');
  out.replaceChildren(el('p', { class: 'muted' }, `Exploring ${name}…`));
  $('#replay-panel').hidden = true;
  try {
    const exploration = await api('POST', '/scenarios/explore', body);
    out.replaceChildren(...explorationView(exploration));
  } catch (error) {
    out.replaceChildren();
    if (error.status !== 401) showError(`Exploring ${name}`, error);
  } finally {
    button.disabled = false;
    out.removeAttribute('aria-busy');
  }
}

function explorationView(x) {
  return [
    el('p', { class: 'headline', id: 'explore-headline' }, x.headline),
    el('p', { class: 'muted explore-facts' }, `${x.scenario}: ${x.teardown}, preemption bound ${x.bound}, budget ${x.budget} schedules per policy.`),
    countsChart(x),
    el('details', { class: 'steps' }, el('summary', {}, 'Reduction'), el('p', { class: 'muted' }, x.reduction)),
    ...x.policies.map(outcomesTable),
  ];
}

/** A policy's explored schedules split three ways: violating, not violating, infeasible (never run to an outcome). */
function counts(p) {
  return { violating: p.violating, clean: p.explored - p.infeasible - p.violating, infeasible: p.infeasible };
}

function countsSentence(p) {
  const c = counts(p);
  const of = p.complete ? `all ${p.schedules}` : `${p.explored} of ${p.schedules} (the budget)`;
  return `${c.violating} violating, ${c.clean} not violating, ${c.infeasible} infeasible: ${of} schedules explored`;
}

/** Per policy one horizontal bar of its explored schedules, the infeasible ones apart, with the numbers written out. */
function countsChart(x) {
  const width = 760, label = 120, bar = 600 - label, gap = 8, row = 54;
  const most = Math.max(1, ...x.policies.map((p) => p.explored));
  const scale = (n) => (n * bar) / most;
  const height = row * x.policies.length + 4;
  const summary = x.policies.map((p) => `${p.policy}: ${countsSentence(p)}`).join('; ');
  const rows = x.policies.map((p, i) => {
    const c = counts(p);
    const y = i * row + 4;
    let at = label;
    const segment = (kind, n, offset = 0) => {
      at += offset;
      const rect = svg('rect', { class: `seg ${kind}`, x: at, y, width: scale(n), height: 20, rx: 2, dataset: { kind, n } },
        svg('title', {}, `${p.policy}: ${n} ${kind === 'clean' ? 'not violating' : kind}`));
      at += scale(n);
      return n ? rect : null;
    };
    return svg('g', { class: 'bar', dataset: { policy: p.policy, explored: p.explored, schedules: p.schedules, ...c } },
      svg('text', { class: 'bar-label', x: 0, y: y + 15 }, p.policy),
      svg('rect', { class: 'seg track', x: label, y, width: bar + gap, height: 20, rx: 2 }),
      segment('violating', c.violating), segment('clean', c.clean), segment('infeasible', c.infeasible, gap),
      svg('text', { class: 'bar-numbers', x: label, y: y + 38 }, countsSentence(p)));
  });
  return el('figure', { class: 'explore-chart' },
    svg('svg', { id: 'explore-chart', role: 'img', 'aria-label': summary, viewBox: `0 0 ${width} ${height}`, width, height },
      svg('title', {}, `Schedules explored per policy: ${summary}`), rows),
    el('figcaption', { class: 'legend' },
      el('span', { class: 'key violating' }, 'violating'), el('span', { class: 'key clean' }, 'not violating'),
      el('span', { class: 'key infeasible' }, 'infeasible (apart)')));
}

/** A policy's distinct outcomes; a violating one has its shortest schedule, its timeline and its scenario. */
function outcomesTable(p) {
  const rows = p.outcomes.map((o, i) => el('tr', { dataset: { outcome: o.outcome, violating: String(o.violating) } },
    el('th', { scope: 'row' }, o.outcome.split(' + ').flatMap((part, j) => {
      const [kind, outcome] = part.split(':');
      return [j ? ' + ' : null, el('code', {}, kind), ...(outcome ? [' ', el('span', { class: `badge ${outcome}` }, outcome)] : [])];
    })),
    el('td', { class: 'num' }, o.schedules),
    el('td', {}, el('span', { class: `badge ${o.violating ? 'failed' : 'passed'}` }, o.violating ? 'violating' : 'no')),
    el('td', {}, o.violating ? reproducerCell(p.policy, o, i) : '—')));
  return el('section', { class: 'policy-outcomes', dataset: { policy: p.policy } },
    el('h3', {}, el('span', { class: `badge ${p.policy}` }, p.policy), ' ', el('span', { class: 'muted' }, countsSentence(p))),
    p.points.length ? el('p', { class: 'muted points' }, `The teardown's points: ${p.points.join(' → ')}`) : null,
    el('table', { class: 'outcomes', id: `explore-outcomes-${p.policy}` },
      el('caption', { class: 'sr-only' }, `Distinct outcomes under ${p.policy}`),
      el('thead', {}, el('tr', {}, ['Outcome', 'Schedules', 'Violating', 'Shortest schedule'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows)));
}

function reproducerCell(policy, o, i) {
  const json = JSON.stringify(o.reproducer, null, 2);
  const key = `${policy}:${i}`;
  return [
    el('ol', { class: 'schedule' }, o.schedule.map((line) => el('li', {}, line))),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'small replay', dataset: { key: `replay:${key}`, policy },
        'aria-label': `Timeline of ${o.outcome} under ${policy}`, onclick: (e) => replay(policy, o, e.currentTarget) }, 'Timeline'),
      el('button', { type: 'button', class: 'small copy', dataset: { key: `copy:${key}` },
        'aria-label': `Copy the scenario of ${o.outcome} under ${policy}`, onclick: () => copyScenario(o.reproducer.name, json) }, 'Copy scenario'),
      el('a', { class: 'small button-link', download: `${o.reproducer.name}.json`,
        href: `data:application/json;charset=utf-8,${encodeURIComponent(json + '\n')}` }, 'Download')),
  ];
}

async function copyScenario(name, json) {
  try {
    await navigator.clipboard.writeText(json);
    notify(`Scenario ${name} copied`);
  } catch (e) {   // no clipboard outside a secure context (http to another host): the download still works
    notify(`Copying failed (${e.message || e}): use Download`, 'error');
  }
}

/** Replays a reproducer through POST /scenarios/run and shows its kernel log as a time line, in virtual ns. */
async function replay(policy, o, button) {
  button.disabled = true;
  try {
    const run = await api('POST', '/scenarios/run', { scenario: o.reproducer });
    const outcomeOf = new Map(run.violations.map((v) => [v.kind, v.outcome]));
    const panel = $('#replay-panel');
    panel.hidden = false;
    $('#replay-h').textContent = `Timeline of ${o.outcome} under ${policy}`;
    $('#replay-summary').replaceChildren(el('span', { class: 'mono' }, o.reproducer.name), ` · ${run.events.length} events · `,
      run.digest === o.digest
        ? el('span', { class: 'pass', id: 'replay-digest' }, 'replays to the exploration\'s digest')
        : el('span', { class: 'errno', id: 'replay-digest' }, `digest ${run.digest.slice(0, 16)}… differs from the exploration's`));
    const ns = (at) => `${at.toLocaleString('en-US')} ns`;
    $('#replay').replaceChildren(...collapseRepeats(run.events.map((e) => ({ ...e, event: e.type }))).map((s) => {
      const [subsystem, kind] = s.event.split('.');
      return timelineStep(s, subsystem === 'violation' ? `step violation ${outcomeOf.get(kind) ?? ''}` : `step ${subsystem}`, ns);
    }));
    panel.scrollIntoView({ block: 'nearest' });
  } catch (error) {
    if (error.status !== 401) showError(`Replaying ${o.reproducer.name}`, error);
  } finally {
    button.disabled = false;
  }
}

// ---- tabs, forms, start ------------------------------------------------------------------------

function selectTab(name, focus = false) {
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const selected = tab.id === `tab-${name}`;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`#${tab.getAttribute('aria-controls')}`).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  if (name === 'scenarios') loadScenarios();
  if (name === 'explore') loadExplore();
  history.replaceState(null, '', name === 'host' ? location.pathname : `#${name}`);
}

function setupForms() {
  const chipset = $('#create-chipset');
  for (const [arch, chips] of Object.entries(CHIPSETS)) {
    chipset.append(el('optgroup', { label: arch === 'Pascal' ? 'Pascal (nova-core rejects it)' : arch },
      chips.map((c) => el('option', { value: c, selected: c === 'GA102' }, c))));
  }
  $('#create-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { chipset: chipset.value };
    const address = $('#create-address').value.trim().toLowerCase();
    if (address) body.address = address;
    act(`Create ${body.chipset}`, async () => {
      const device = await api('POST', '/devices', body);
      $('#create-address').value = '';
      return device;
    }, $('#create-device'));
  });

  $('#token').value = state.token;
  $('#token-form').addEventListener('submit', (e) => { e.preventDefault(); setToken($('#token').value); });
  $('#token-forget').addEventListener('click', () => setToken(''));
  $('#token-dialog-form').addEventListener('submit', () => setToken($('#token-dialog-input').value));
  $('#token-dialog-cancel').addEventListener('click', () => $('#token-dialog').close());

  $('#log-device').addEventListener('change', () => { fullRender = true; flushLog(); });
  $('#log-text').addEventListener('input', () => { fullRender = true; flushLog(); });
  $('#log-clear').addEventListener('click', () => {
    state.clearedAt = lastSeq();
    state.log = [];
    fullRender = true;
    flushLog();
  });

  const tabs = [...document.querySelectorAll('[role=tab]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => selectTab(tab.id.slice(4)));
    tab.addEventListener('keydown', (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      selectTab(next.id.slice(4), true);
    });
  }
  $('#scenario-select').addEventListener('change', describeScenario);
  $('#scenario-form').addEventListener('submit', runScenario);
  $('#explore-select').addEventListener('change', describeExploration);
  $('#explore-form').addEventListener('submit', explore);
}

async function refreshAll() {
  await refreshState();
  if (!$('#page-scenarios').hidden) loadScenarios();
  if (!$('#page-explore').hidden) loadExplore();
}

setupForms();
setupFaults();
document.body.dataset.role = 'none';
selectTab(['#scenarios', '#explore'].includes(location.hash) ? location.hash.slice(1) : 'host');
connectStream();
refreshAll();
setInterval(() => { if (!document.hidden) scheduleRefresh(0); }, POLL_MS);
