// Drives the dashboard at GET / in headless Chromium (Debian's, through playwright-core) against a
// running server, and prints one JSON line of what it measured. Run by DashboardBrowserIT:
//   node dashboard-check.mjs <baseUrl> <apiKey> <adminKey> <screenshot.png>
// Exits non-zero, with the reason, when the page logs an error, misses a layer, or shows a manual
// swap later than a second after the server answered it.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [baseUrl, apiKey, adminKey, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error('usage: node dashboard-check.mjs <baseUrl> <apiKey> <adminKey> <screenshot.png>');
  process.exit(2);
}
const SWAP_VISIBLE_MS = 1000;

async function api(path, key, body) {
  const response = await fetch(baseUrl + path, {
    method: body ? 'POST' : 'GET',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${body ? 'POST' : 'GET'} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function complete(i) {
  return api('/v1/completions', apiKey, { prompt: `Once upon a time ${i}`, max_tokens: 48, temperature: 0.8 });
}

const precisionOf = (page, layer) => page.getAttribute(`#layers .cell[data-layer="${layer}"]`, 'data-precision');

async function swapAndWatch(page, layer) {
  const before = await precisionOf(page, layer);
  const event = await api('/v1/morph', adminKey, { action: 'swap_down', layer });
  const answered = performance.now();
  await page.waitForFunction(([l, p]) => document.querySelector(`#layers .cell[data-layer="${l}"]`)?.dataset.precision !== p,
    [layer, before], { timeout: 5000, polling: 'raf' });
  const visibleAfterMs = performance.now() - answered;
  const after = await precisionOf(page, layer);
  return { layer, before, after, toType: event.to_type, outcome: event.outcome ?? event.status, visibleAfterMs };
}

// A fresh profile each run: nothing cached or stored from an earlier one.
const profile = mkdtempSync(join(tmpdir(), 'morphserve-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const problems = [];
let result;
try {
  const page = browser.pages()[0] ?? await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

  const response = await page.goto(`${baseUrl}/`);
  if (response.status() !== 200) throw new Error(`GET / answered ${response.status()}`);
  await page.fill('#api-key', apiKey);
  await page.fill('#admin-key', adminKey);
  await page.click('#connect');

  const state = await api('/v1/morph', apiKey);
  const layerCount = state.layers.length;
  if (layerCount === 0) throw new Error('GET /v1/morph lists no layers: is morphing enabled?');
  await page.waitForFunction((n) => document.querySelectorAll('#layers .cell[data-precision]').length === n, layerCount, { timeout: 10000 });
  const cells = await page.$$eval('#layers .cell', (els) => els.map((e) => ({ layer: Number(e.dataset.layer), precision: e.dataset.precision })));
  const shown = cells.map((c) => `${c.layer}:${c.precision}`).join(' ');
  const served = state.layers.map((l) => `${l.layer}:${l.precision}`).join(' ');
  if (shown !== served) throw new Error(`cells ${shown} differ from GET /v1/morph ${served}`);

  // The mode switch, through the page: the controller then leaves the manual swaps below alone.
  await page.selectOption('#mode-select', 'manual');
  await page.click('#mode-apply');
  await page.waitForFunction(() => document.getElementById('mode-result').textContent === 'mode is now manual', null, { timeout: 5000 });
  await page.waitForFunction(() => document.getElementById('mode').textContent === 'manual', null, { timeout: 2000 });

  const load = Promise.all(Array.from({ length: 6 }, (_, i) => complete(i)));
  const swap = await swapAndWatch(page, Math.floor(layerCount / 2));
  if (swap.visibleAfterMs > SWAP_VISIBLE_MS) throw new Error(`layer ${swap.layer}'s cell changed ${swap.visibleAfterMs.toFixed(0)} ms after the swap's answer`);
  if (swap.after !== swap.toType) throw new Error(`layer ${swap.layer}'s cell shows ${swap.after}, the swap went to ${swap.toType}`);
  // Two more steps down on the last layer, so that the screenshot shows every level.
  const last = layerCount - 1;
  const extra = [await swapAndWatch(page, last), await swapAndWatch(page, last)];
  await load;
  // A few more seconds of light load, so that the charts in the screenshot have a history.
  for (let round = 0; round < 4; round++) {
    await Promise.all(Array.from({ length: 3 }, (_, i) => complete(10 + 3 * round + i)));
  }

  await page.waitForFunction(() => Number(document.getElementById('ttft-n').textContent) > 0, null, { timeout: 8000 });
  await page.waitForFunction((l) => [...document.querySelectorAll('#events li')].some((li) => li.textContent.includes(`layer ${l} `)),
    swap.layer, { timeout: 5000 });
  const ttft = await page.textContent('#ttft-p90');
  const tpot = await page.textContent('#tpot-p90');
  await page.waitForTimeout(1500); // one more chart point after the load
  await page.screenshot({ path: screenshot, fullPage: true });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  result = { layers: layerCount, swap, extra, ttftP90: ttft, tpotP90: tpot, screenshot };
} catch (e) {
  console.error(problems.concat([String(e?.stack ?? e)]).join('\n'));
  process.exitCode = 1;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
if (result) console.log(JSON.stringify(result));
