// The live operations dashboard (docs/operations-dashboard.md). Everything it shows comes from hub messages:
// `hello` (who we are, which instance we are on), `calls` (an instance's changed rows, chart points and readiness; a
// keyframe replaces everything that instance sent before) and `call` (an opened call's transcript and timeline). So a
// page connected to one instance shows every instance that shares its backplane. Text from the server is only ever
// put into the page as text (textContent), never as markup.

import { HubClient } from '/ops/hub.js';
import { lineChart, timelineStrip } from '/ops/charts.js';

const state = {
  session: null,
  hello: null,
  connection: 'idle',
  instances: new Map(),
  rows: new Map(),
  openCall: null,
  detail: { turns: [], timeline: new Map() },
  errors: [],
  messages: { hello: 0, calls: 0, call: 0 },
  hub: null,
};
// For people debugging the page and for the browser test.
window.voiceBridgeOps = state;

const $ = id => document.getElementById(id);
const CHART_SPAN_MS = 5 * 60000;

function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key === 'class') {
      element.className = value;
    } else if (key === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (key.startsWith('on')) {
      element.addEventListener(key.slice(2), value);
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return element;
}

// ---- formatting ------------------------------------------------------------------------------------------------

const slo = () => state.hello?.instance.sloMs ?? 450;

/** Green within 80 % of the SLO, amber up to it, red over it. */
function latencyClass(ms, budget = slo()) {
  return ms <= budget * 0.8 ? 'good' : ms <= budget ? 'warn' : 'bad';
}

function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

const clock = ms => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const figure = (value, unit = ' ms') => (value === null || value === undefined ? '–' : `${value < 10 ? value.toFixed(1) : Math.round(value)}${unit}`);
const shortId = id => (id.length > 14 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id);
const transportName = t => (t === 'twilio' ? 'phone' : t);
const isOperator = () => state.session?.role === 'operator';

// ---- messages --------------------------------------------------------------------------------------------------

function onHello(hello) {
  state.messages.hello++;
  state.hello = hello;
  state.session = { role: hello.role, keyId: hello.keyId, expiresAt: hello.expiresAt };
  schedule();
}

function onCalls(update) {
  state.messages.calls++;
  const id = update.instance.id;
  let instance = state.instances.get(id);
  if (!instance) {
    instance = { info: update.instance, samples: [], checks: [], lastSeen: 0, keyframeMs: update.keyframeMs };
    state.instances.set(id, instance);
  }
  instance.info = update.instance;
  instance.lastSeen = Date.now();
  instance.keyframeMs = update.keyframeMs;
  if (update.keyframe) {
    for (const [callId, row] of state.rows) {
      if (row.instance === id) {
        state.rows.delete(callId);
      }
    }
    if (update.history) {
      instance.samples = update.history.slice();
    }
  }
  for (const row of update.rows) {
    state.rows.set(row.id, row);
  }
  if (update.sample && !update.keyframe) {
    const samples = instance.samples;
    if (!samples.length || samples[samples.length - 1].at < update.sample.at) {
      samples.push(update.sample);
      while (samples.length && samples[0].at < update.sample.at - CHART_SPAN_MS) {
        samples.shift();
      }
    }
  }
  if (update.checks) {
    instance.checks = update.checks;
  }
  schedule();
}

function onCall(detail) {
  state.messages.call++;
  if (detail.id !== state.openCall) {
    return;
  }
  if (detail.keyframe) {
    state.detail.turns = [];
    state.detail.timeline = new Map();
  }
  for (const turn of detail.turns) {
    const at = state.detail.turns.findIndex(t => t.itemId === turn.itemId);
    if (at >= 0) {
      state.detail.turns[at] = turn;
    } else {
      state.detail.turns.push(turn);
    }
  }
  for (const entry of detail.timeline) {
    state.detail.timeline.set(entry.seq, entry);
  }
  schedule();
}

// ---- connection ------------------------------------------------------------------------------------------------

let retry = 0;

async function connect() {
  setConnection('connecting');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ops/hub`;
  const hub = new HubClient(url);
  hub.on('hello', onHello);
  hub.on('calls', onCalls);
  hub.on('call', onCall);
  hub.onclose = () => {
    if (state.hub !== hub) {
      return;
    }
    state.hub = null;
    setConnection('disconnected');
    // The session may have run out (or the key been withdrawn): ask before reconnecting.
    setTimeout(resume, Math.min(15000, 500 * 2 ** Math.min(retry++, 5)));
  };
  state.hub = hub;
  try {
    await hub.start();
    retry = 0;
    setConnection('live');
    if (state.openCall) {
      await hub.invoke('Watch', state.openCall);
    }
  } catch (error) {
    state.errors.push(`connect: ${error.message}`);
  }
}

async function resume() {
  const response = await fetch('/ops/session', { credentials: 'same-origin' }).catch(() => null);
  if (response?.ok) {
    state.session = await response.json();
    showDashboard();
    await connect();
  } else if (response?.status === 401) {
    showLogin();
  } else {
    setConnection('disconnected');
    setTimeout(resume, Math.min(15000, 500 * 2 ** Math.min(retry++, 5)));
  }
}

function setConnection(value) {
  state.connection = value;
  const badge = $('connection');
  badge.dataset.state = value;
  badge.textContent = { idle: 'not connected', connecting: 'connecting…', live: 'live', disconnected: 'reconnecting…' }[value] ?? value;
}

function showLogin() {
  state.hub?.stop();
  state.hub = null;
  state.session = null;
  setConnection('idle');
  $('login').hidden = false;
  $('dashboard').hidden = true;
  $('detail').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('key').focus();
}

function showDashboard() {
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
}

async function login(event) {
  event.preventDefault();
  const key = $('key').value;
  $('login-error').textContent = '';
  const response = await fetch('/ops/login', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key }),
  }).catch(error => ({ ok: false, status: 0, statusText: error.message }));
  $('key').value = '';
  if (!response.ok) {
    $('login-error').textContent = response.status === 401 ? 'That key is not an operator or viewer key.'
      : response.status === 429 ? 'Too many wrong keys from this address; wait a minute.'
      : `Login failed (${response.status || response.statusText}).`;
    return;
  }
  state.session = await response.json();
  showDashboard();
  await connect();
}

async function logout() {
  await fetch('/ops/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => null);
  closeCall();
  state.rows.clear();
  state.instances.clear();
  showLogin();
}

// ---- the opened call -------------------------------------------------------------------------------------------

async function openCall(callId) {
  if (state.openCall === callId) {
    return;
  }
  const previous = state.openCall;
  state.openCall = callId;
  state.detail = { turns: [], timeline: new Map() };
  $('detail').hidden = false;
  schedule();
  if (state.hub?.connected) {
    if (previous) {
      await state.hub.invoke('Unwatch', previous).catch(() => {});
    }
    await state.hub.invoke('Watch', callId).catch(error => state.errors.push(`watch: ${error.message}`));
  }
}

function closeCall() {
  if (state.openCall && state.hub?.connected) {
    state.hub.invoke('Unwatch', state.openCall).catch(() => {});
  }
  state.openCall = null;
  $('detail').hidden = true;
  schedule();
}

const actions = {
  say: { title: 'Say this now', text: 'The assistant speaks it at once (a reply in progress is cancelled). Audited with your key.', input: true, method: 'Say' },
  instructions: { title: 'New instructions', text: 'A session.update with these instructions for the rest of the call. Audited with your key.', input: true, method: 'Instructions' },
  transfer: { title: 'Transfer the call', text: 'Twilio dials this number and the caller leaves the bridge. Audited with your key.', number: true, method: 'Transfer' },
  hangup: { title: 'Hang up', text: 'The call ends now for the caller. Audited with your key.', method: 'Hangup' },
};

function confirmAction(name) {
  const callId = state.openCall;
  const action = actions[name];
  if (!callId || !action) {
    return;
  }
  const dialog = $('confirm');
  $('confirm-title').textContent = `${action.title} — ${shortId(callId)}`;
  $('confirm-text').textContent = action.text;
  $('confirm-input').hidden = !action.input;
  $('confirm-input').value = '';
  $('confirm-number').hidden = !action.number;
  $('confirm-number').value = '';
  $('confirm-ok').textContent = name === 'hangup' ? 'Hang up' : 'Confirm';
  $('confirm-ok').className = name === 'hangup' ? 'danger' : '';
  dialog.dataset.action = name;
  dialog.dataset.call = callId;
  dialog.showModal();
}

async function onConfirmClosed() {
  const dialog = $('confirm');
  if (dialog.returnValue !== 'ok') {
    return;
  }
  const name = dialog.dataset.action;
  const callId = dialog.dataset.call;
  const action = actions[name];
  const args = action.input ? [$('confirm-input').value] : action.number ? [$('confirm-number').value || null] : [];
  try {
    const result = await state.hub.invoke(action.method, callId, ...args);
    toast(result.ok ? `${action.title}: done (${result.state ?? 'ok'})` : `${action.title}: refused (${result.status}) ${result.message ?? ''}`, !result.ok);
  } catch (error) {
    toast(`${action.title}: ${error.message}`, true);
  }
}

let toastTimer = 0;
function toast(text, bad = false) {
  const box = $('toast');
  box.textContent = text;
  box.classList.toggle('bad', bad);
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 6000);
}

// ---- rendering -------------------------------------------------------------------------------------------------

let frame = 0;
function schedule() {
  if (!frame) {
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
  }
}

function render() {
  forgetSilentInstances();
  const who = state.session ? `${state.session.role} · ${state.session.keyId}` : '';
  $('who').textContent = who;
  renderInstances();
  renderCalls();
  renderDetail();
}

function forgetSilentInstances() {
  const now = Date.now();
  for (const [id, instance] of state.instances) {
    if (id !== state.hello?.instance.id && now - instance.lastSeen > 3 * (instance.keyframeMs || 5000)) {
      state.instances.delete(id);
      for (const [callId, row] of state.rows) {
        if (row.instance === id) {
          state.rows.delete(callId);
        }
      }
    }
  }
}

function tile(label, value, chart, cls = '') {
  return el('div', { class: `tile ${cls}` }, el('span', { class: 'label' }, label), el('span', { class: 'value' }, value), chart);
}

function renderInstances() {
  const box = $('instances');
  const blocks = [];
  for (const instance of state.instances.values()) {
    const samples = instance.samples;
    const last = samples[samples.length - 1];
    const times = samples.map(s => s.at);
    const span = CHART_SPAN_MS;
    const series = key => samples.map(s => s[key] ?? null);
    const budget = instance.info.sloMs;
    const ready = last ? last.ready : null;
    const badges = [el('span', { class: `badge ${ready === null ? '' : ready ? 'ok' : 'bad'}` }, ready === null ? 'readiness –' : ready ? 'ready' : 'not ready')];
    for (const check of instance.checks) {
      badges.push(el('span', { class: `badge ${check.status === 'Healthy' ? 'ok' : 'bad'}`, title: check.description ?? '' }, `${check.name}: ${check.status === 'Healthy' ? 'ok' : check.description ?? check.status}`));
    }
    blocks.push(el('section', { class: 'instance', dataset: { instance: instance.info.id } },
      el('header', {},
        el('h2', {}, instance.info.name, instance.info.id === state.hello?.instance.id ? el('span', { class: 'thin' }, ' (this page\'s instance)') : null),
        el('span', { class: 'meta' }, `${instance.info.provider} · ${instance.info.model} · first-audio SLO ${budget} ms`),
        el('span', { class: 'badges' }, badges)),
      el('div', { class: 'tiles' },
        tile('Calls now', last ? String(last.calls) : '–', lineChart({ times, series: [{ values: series('calls'), cls: 's-calls' }], area: true, spanMs: span })),
        tile('Calls per minute', last ? String(last.callsPerMinute) : '–', lineChart({ times, series: [{ values: series('callsPerMinute'), cls: 's-rate' }], area: true, spanMs: span })),
        tile('Hop p99 (bridge)', last ? figure(last.hopP99Ms === null ? null : last.hopP99Ms, ' ms') : '–',
          lineChart({ times, series: [{ values: series('hopP99Ms'), cls: 's-hop' }], unit: ' ms', spanMs: span })),
        tile('First audio p50 / p95', last ? `${figure(last.firstAudioP50Ms, '')} / ${figure(last.firstAudioP95Ms)}` : '–',
          lineChart({ times, series: [{ values: series('firstAudioP50Ms'), cls: 's-p50' }, { values: series('firstAudioP95Ms'), cls: 's-p95' }], threshold: budget, unit: ' ms', spanMs: span }),
          last?.firstAudioP95Ms !== null && last?.firstAudioP95Ms !== undefined ? `slo-${latencyClass(last.firstAudioP95Ms, budget)}` : ''),
        tile('Audit backlog', last ? String(last.auditBacklog) : '–', lineChart({ times, series: [{ values: series('auditBacklog'), cls: 's-audit' }], area: true, spanMs: span })))));
  }
  box.replaceChildren(...blocks);
}

function latencyChips(row) {
  return el('span', { class: 'chips' }, row.latencies.slice(-6).map(ms => el('span', { class: `chip ${latencyClass(ms)}`, title: `${ms} ms (SLO ${slo()} ms)` }, String(ms))));
}

function speaking(row) {
  return row.speaking ? el('span', { class: `speaking ${row.speaking}` }, row.speaking) : el('span', { class: 'quiet-text' }, '—');
}

function tools(row) {
  const parts = [];
  if (row.toolsRunning > 0) {
    parts.push(el('span', { class: 'running' }, `${row.toolsRunning} running`));
  }
  if (row.lastTool) {
    parts.push(el('span', { class: `tool ${row.lastTool.outcome}` }, `${row.lastTool.name} ${row.lastTool.ms} ms ${row.lastTool.outcome}`));
  }
  return el('span', {}, String(row.toolCalls), parts.length ? ' · ' : '', parts);
}

function renderCalls() {
  const now = Date.now();
  const rows = [...state.rows.values()];
  const live = rows.filter(r => r.endedAt === undefined || r.endedAt === null).sort((a, b) => b.startedAt - a.startedAt);
  const ended = rows.filter(r => r.endedAt).sort((a, b) => b.endedAt - a.endedAt);
  $('live-count').textContent = String(live.length);
  $('ended-count').textContent = String(ended.length);
  $('no-calls').hidden = live.length > 0;
  renderRows($('calls').tBodies[0], live, row => [
    el('td', {}, el('span', { class: `transport ${row.transport}` }, transportName(row.transport)), ' ', el('span', { class: 'id', title: row.id }, shortId(row.id))),
    el('td', {}, row.caller ?? '—'),
    el('td', {}, clock(row.startedAt)),
    el('td', { class: 'num' }, duration(now - row.startedAt)),
    el('td', {}, el('span', { class: `state ${row.state}` }, row.state)),
    el('td', {}, speaking(row)),
    el('td', {}, row.model ?? '—'),
    el('td', {}, latencyChips(row), row.turns > 6 ? el('span', { class: 'quiet-text' }, ` of ${row.turns}`) : null),
    el('td', { class: 'num' }, String(row.bargeIns)),
    el('td', {}, tools(row)),
    el('td', { class: `num ${row.drops ? 'bad-text' : ''}` }, String(row.drops)),
    el('td', { class: `num ${row.reconnects ? 'warn-text' : ''}` }, String(row.reconnects)),
    el('td', { class: `num ${row.errors ? 'bad-text' : ''}` }, String(row.errors)),
  ], row => Math.floor((now - row.startedAt) / 1000));

  renderRows($('ended').tBodies[0], ended, row => [
    el('td', {}, el('span', { class: `transport ${row.transport}` }, transportName(row.transport)), ' ', el('span', { class: 'id', title: row.id }, shortId(row.id))),
    el('td', {}, row.caller ?? '—'),
    el('td', {}, clock(row.startedAt)),
    el('td', { class: 'num' }, duration(row.endedAt - row.startedAt)),
    el('td', {}, el('span', { class: 'reason' }, row.endReason ?? '—')),
    el('td', { class: 'num' }, String(row.turns)),
    el('td', {}, latencyChips(row)),
    el('td', { class: 'links' },
      el('a', { href: `/ops/calls/${encodeURIComponent(row.id)}/transcript`, target: '_blank', rel: 'noopener', onclick: e => e.stopPropagation() }, 'transcript'),
      isOperator() ? [' · ', el('a', { href: `/ops/calls/${encodeURIComponent(row.id)}/audit`, target: '_blank', rel: 'noopener', onclick: e => e.stopPropagation() }, 'trail'),
        ' · ', el('a', { href: `/ops/calls/${encodeURIComponent(row.id)}/recording`, target: '_blank', rel: 'noopener', onclick: e => e.stopPropagation() }, 'recording')] : null),
  ], () => 0);
}

// Rows keep their element while the call is listed, and their cells are rebuilt only when what they show changed: a
// click that lands while an update arrives still reaches its row, and 500 rows cost little to refresh.
function renderRows(body, rows, cells, tick) {
  const existing = new Map([...body.rows].map(tr => [tr.dataset.call, tr]));
  const wanted = rows.map(row => {
    let tr = existing.get(row.id);
    existing.delete(row.id);
    if (!tr) {
      tr = el('tr', { dataset: { call: row.id }, onclick: () => openCall(row.id) });
    }
    const signature = `${JSON.stringify(row)}|${tick(row)}|${state.session?.role}`;
    if (tr.dataset.signature !== signature) {
      tr.dataset.signature = signature;
      tr.replaceChildren(...cells(row));
    }
    tr.classList.toggle('open', row.id === state.openCall);
    return tr;
  });
  for (const stale of existing.values()) {
    stale.remove();
  }
  wanted.forEach((tr, i) => {
    if (body.rows[i] !== tr) {
      body.insertBefore(tr, body.rows[i] ?? null);
    }
  });
}

function renderDetail() {
  const callId = state.openCall;
  document.body.classList.toggle('detail-open', Boolean(callId));
  if (!callId) {
    return;
  }
  const row = state.rows.get(callId);
  const ended = Boolean(row?.endedAt);
  $('detail-title').textContent = row ? `${transportName(row.transport)} call ${shortId(callId)}` : `call ${shortId(callId)}`;
  $('detail-meta').textContent = row
    ? `${row.caller ?? 'no caller id'} · started ${clock(row.startedAt)} · ${ended ? `ended: ${row.endReason}` : `${row.state}, ${duration(Date.now() - row.startedAt)}`} · ${row.turns} turn(s), ${row.bargeIns} barge-in(s)`
    : 'not on the page any more';

  // A call on another instance is acted on through this one: the hub routes the action to the call's owner.
  const canAct = isOperator() && row && !ended;
  for (const button of $('controls').querySelectorAll('button')) {
    const name = button.dataset.action;
    button.disabled = !canAct || (name === 'transfer' && row?.transport !== 'twilio');
  }
  $('controls-note').textContent = !isOperator() ? 'Viewer key: watch only.'
    : ended ? 'The call has ended.'
    : '';

  const entries = [...state.detail.timeline.values()].sort((a, b) => a.seq - b.seq);
  const span = row ? (row.endedAt ?? Date.now()) - row.startedAt : Math.max(0, ...entries.map(e => e.atMs));
  $('timeline-strip').replaceChildren(timelineStrip({ durationMs: span, entries, classify: ms => latencyClass(ms) }));
  $('timeline').replaceChildren(...entries.slice(-40).reverse().map(entry => el('li', { class: entry.kind },
    el('span', { class: 'at' }, duration(entry.atMs)),
    el('span', { class: `kind ${entry.kind === 'turn' ? latencyClass(entry.ms ?? 0) : ''}` }, entry.kind.replace('_', '-')),
    el('span', { class: 'what' }, entry.text))));

  $('transcript').replaceChildren(...state.detail.turns.map(turn => el('li', { class: `${turn.role}${turn.heardMs !== undefined && turn.heardMs !== null ? ' cut' : ''}`, dataset: { item: turn.itemId } },
    el('span', { class: 'who' }, turn.role),
    el('span', { class: 'text' }, turn.text || '…'),
    turn.heardMs !== undefined && turn.heardMs !== null ? el('span', { class: 'meta' }, `cut after ${(turn.heardMs / 1000).toFixed(1)} s: the caller spoke over it`) : null)));
}

// ---- start -----------------------------------------------------------------------------------------------------

window.addEventListener('error', event => state.errors.push(String(event.message)));
window.addEventListener('unhandledrejection', event => state.errors.push(String(event.reason?.message ?? event.reason)));
$('login-form').addEventListener('submit', login);
$('logout').addEventListener('click', logout);
$('detail-close').addEventListener('click', closeCall);
for (const button of $('controls').querySelectorAll('button')) {
  button.addEventListener('click', () => confirmAction(button.dataset.action));
}
$('confirm').addEventListener('close', onConfirmClosed);
setInterval(schedule, 1000);
resume();
