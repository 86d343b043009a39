import { keys, getJson, getText, postJson } from './access.js';
import { followEvents } from './events.js';
import { HistogramWindow, parseHistogram } from './prometheus.js';
import { TimeChart } from './charts.js';
import { renderLayers, renderLegend } from './layers.js';

// 500 ms: a swap shows within a second of the server applying it even when the event stream is down.
const STATE_POLL_MS = 500;
// Metrics are a larger answer and their window is 30 s; every 2 s is plenty.
const METRICS_POLL_MS = 2000;
const LATENCY_WINDOW_MS = 30_000;
const CHART_SPAN_SEC = 5 * 60;
const MAX_EVENTS = 100;
// A refused key stays refused until the visitor types another: ask less often meanwhile.
const REFUSED_POLL_MS = 5000;

const $ = (id) => document.getElementById(id);

const kvChart = new TimeChart($('kv-chart'), [
  { label: 'capacity (blocks)', stroke: '#8b95a7', dash: [6, 4] },
  { label: 'used (blocks)', stroke: '#4c8dff', fill: 'rgba(76,141,255,0.15)' },
], CHART_SPAN_SEC, 'blocks');
const queueChart = new TimeChart($('queue-chart'), [
  { label: 'running', stroke: '#3fb8af' },
  { label: 'waiting', stroke: '#e3b341' },
], CHART_SPAN_SEC, 'requests');
const latencyChart = new TimeChart($('latency-chart'), [
  { label: 'TTFT p90 (ms)', stroke: '#f0883e' },
  { label: 'TPOT p90 (ms)', stroke: '#a371f7' },
], CHART_SPAN_SEC, 'ms');

const ttftWindow = new HistogramWindow(LATENCY_WINDOW_MS);
const tpotWindow = new HistogramWindow(LATENCY_WINDOW_MS);

let running = false;
let stopEvents = null;
let modeShown = false;

function setStatus(text, kind) {
  $('status').textContent = text;
  $('status').className = `status ${kind}`;
}

function describe(e) {
  if (e.status === 401) return `401: ${e.message}. Enter an API key.`;
  if (e.status === 403) return `403: ${e.message}`;
  return e.status ? `${e.status}: ${e.message}` : 'server unreachable';
}

// ---- state: layers, KV, queue, mode ---------------------------------------------------------

function showState(state) {
  $('backend').textContent = state.backend ?? '–';
  $('device').textContent = state.device?.device ?? '–';
  $('mode').textContent = state.mode;
  if (!modeShown) {
    $('mode-select').value = state.mode; // the switch starts at the server's mode, not at a guess
    modeShown = true;
  }
  $('levels').textContent = state.enabled ? state.levels : 'morphing off';
  renderLayers($('layers'), state.layers);
  renderLegend($('legend'), state.layers, state.levels);
  state.recent_events.forEach(addEvent);

  const now = Date.now() / 1000;
  const kv = state.kv_cache;
  if (kv) {
    const used = kv.total_blocks - kv.free_blocks;
    kvChart.push(now, [kv.total_blocks, used]);
    $('kv-facts').textContent = `${used} / ${kv.total_blocks} blocks of ${kv.block_tokens} tokens · ${kv.type} · ${mib(kv.bytes)} · ${kv.chunks} chunk${kv.chunks === 1 ? '' : 's'}`;
  }
  const q = state.queue;
  queueChart.push(now, [q.running, q.waiting]);
  $('queue-facts').textContent = `${q.running} running · ${q.waiting} waiting · ${q.preemptions} preemptions`;
}

function mib(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 2 : 0)} MiB`;
}

let stateTimer = null;
let stateInFlight = false;
let stateAgain = false;

/** Polls now; a morph event calls it too, so that a swap shows without waiting for the next tick. */
async function pollState() {
  if (!running) return;
  clearTimeout(stateTimer);
  if (stateInFlight) {
    stateAgain = true; // the answer in flight may predate the event: ask once more after it
    return;
  }
  stateInFlight = true;
  let delay = STATE_POLL_MS;
  try {
    showState(await getJson('/v1/morph'));
    setStatus('live', 'ok');
  } catch (e) {
    setStatus(describe(e), 'error');
    if (e.status === 401 || e.status === 403) delay = REFUSED_POLL_MS;
  } finally {
    stateInFlight = false;
  }
  if (stateAgain) {
    stateAgain = false;
    pollState();
  } else {
    stateTimer = setTimeout(pollState, delay);
  }
}

// ---- latency from /q/metrics ----------------------------------------------------------------

function ms(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  return seconds < 0.01 ? `${(seconds * 1000).toFixed(2)} ms` : `${(seconds * 1000).toFixed(0)} ms`;
}

function showLatency(prefix, stats) {
  $(`${prefix}-mean`).textContent = ms(stats.mean);
  $(`${prefix}-p90`).textContent = ms(stats.quantile);
  $(`${prefix}-n`).textContent = String(stats.n);
}

async function pollMetrics() {
  if (!running) return;
  try {
    const text = await getText('/q/metrics');
    const now = Date.now();
    const ttft = parseHistogram(text, 'morphserve_time_to_first_token_seconds');
    const tpot = parseHistogram(text, 'morphserve_inter_token_latency_seconds');
    ttftWindow.add(now, ttft);
    tpotWindow.add(now, tpot);
    const t = ttftWindow.stats();
    const p = tpotWindow.stats();
    showLatency('ttft', t);
    showLatency('tpot', p);
    latencyChart.push(now / 1000, [t.quantile === null ? null : t.quantile * 1000, p.quantile === null ? null : p.quantile * 1000]);
  } catch (e) {
    $('ttft-mean').textContent = describe(e);
  }
  setTimeout(pollMetrics, METRICS_POLL_MS);
}

// ---- morph events ---------------------------------------------------------------------------

const seenEvents = new Set();

function addEvent(event) {
  const id = `${event.command_id}:${event.action}:${event.outcome}:${event.timestamp_millis}`;
  if (seenEvents.has(id)) return;
  seenEvents.add(id);
  if (seenEvents.size > 10 * MAX_EVENTS) seenEvents.delete(seenEvents.values().next().value); // oldest first: a Set keeps insertion order
  const item = document.createElement('li');
  item.dataset.timestamp = String(event.timestamp_millis);
  item.className = `event ${event.outcome}`;
  const what = event.layer >= 0 ? `layer ${event.layer} ${event.from_type ?? '?'} → ${event.to_type ?? '?'}` : `KV ${signed(event.kv_blocks_delta)} blocks → ${event.total_kv_blocks}`;
  item.innerHTML = '<time></time><span class="action"></span><span class="outcome"></span><span class="what"></span><span class="detail"></span>';
  item.querySelector('time').textContent = new Date(event.timestamp_millis).toLocaleTimeString();
  item.querySelector('.action').textContent = event.action;
  item.querySelector('.outcome').textContent = event.outcome;
  item.querySelector('.what').textContent = `${what} · ${(event.latency_nanos / 1e6).toFixed(1)} ms`;
  item.querySelector('.detail').textContent = event.detail ?? '';
  // Newest first: insert before the first older entry (polled and streamed events may interleave).
  const list = $('events');
  const older = [...list.children].find((li) => Number(li.dataset.timestamp) < event.timestamp_millis);
  list.insertBefore(item, older ?? null);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

function signed(n) {
  return n > 0 ? `+${n}` : String(n);
}

// ---- mode switch ----------------------------------------------------------------------------

async function switchMode() {
  const mode = $('mode-select').value;
  const result = $('mode-result');
  result.className = 'result';
  result.textContent = `switching to ${mode}…`;
  try {
    const state = await postJson('/v1/morph', { mode }, keys.admin() || keys.api());
    result.textContent = `mode is now ${state.mode}`;
    result.className = 'result ok';
  } catch (e) {
    result.textContent = e.status === 403 ? `403 refused: ${e.message}. Enter an admin key above.` : describe(e);
    result.className = 'result error';
  }
}

// ---- connecting -----------------------------------------------------------------------------

async function loadModel() {
  try {
    const models = await getJson('/v1/models');
    $('model').textContent = models.data.map((m) => m.id).join(', ');
  } catch (e) {
    $('model').textContent = '–';
  }
}

function connect() {
  keys.save($('api-key').value.trim(), $('admin-key').value.trim());
  stopEvents?.();
  setStatus('connecting…', 'idle');
  stopEvents = followEvents((event) => { addEvent(event); pollState(); }, (s) => { $('events-status').textContent = `newest first · stream ${s}`; });
  loadModel();
  if (!running) {
    running = true;
    pollMetrics();
  }
  pollState(); // at once, also when a refused key's slower polling is pending
}

$('connect').addEventListener('click', connect);
for (const input of [$('api-key'), $('admin-key')]) {
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') connect(); });
}
$('mode-apply').addEventListener('click', switchMode);

// Nothing is fetched before the visitor connects (a key-protected server would answer 401);
// a key saved earlier in this tab reconnects at once.
if (keys.saved()) {
  $('api-key').value = keys.api();
  $('admin-key').value = keys.admin();
  connect();
}
