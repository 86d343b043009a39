// The dashboard's recent-latency arithmetic (dashboard/prometheus.js) on known histograms: what
// the page shows as TTFT/TPOT mean and p90 over its window. Run by DashboardLatencyTest.
import assert from 'node:assert/strict';
import { HistogramWindow, parseHistogram, windowStats } from '../../main/resources/META-INF/resources/dashboard/prometheus.js';

const NAME = 'morphserve_time_to_first_token_seconds';

function exposition(counts, sum) {
  const les = ['0.1', '0.25', '0.5', '1.0', '+Inf'];
  return [
    `# HELP ${NAME} Time from request arrival to its first generated token`,
    `# TYPE ${NAME} histogram`,
    ...les.map((le, i) => `${NAME}_bucket{le="${le}"} ${counts[i]}`),
    `${NAME}_count ${counts[counts.length - 1]}`,
    `${NAME}_sum ${sum}`,
    'morphserve_time_to_first_token_seconds_max 0.9',
    'morphserve_inter_token_latency_seconds_count 99.0',
  ].join('\n');
}

// Before the first request the server has not registered the meter: nothing observed, not "unknown".
const empty = parseHistogram('# nothing here\n', NAME);
assert.deepEqual(empty, { buckets: [], sum: 0, count: 0 });

const before = parseHistogram(exposition([1, 1, 1, 1, 1], 0.05), NAME);
assert.equal(before.count, 1);
assert.equal(before.buckets.length, 5);
assert.equal(before.buckets[4].le, Infinity);

// 10 more: 4 under 0.1 s, 4 in (0.25, 0.5], 2 in (0.5, 1]; sum of the 10 is 3 s.
const after = parseHistogram(exposition([5, 5, 9, 11, 11], 3.05), NAME);
const stats = windowStats(before, after);
assert.equal(stats.n, 10);
assert.ok(Math.abs(stats.mean - 0.3) < 1e-12, `mean ${stats.mean}`);
// The 9th of 10 lies halfway into (0.5, 1], the bucket holding the 9th and 10th: 0.75 s.
assert.ok(Math.abs(stats.quantile - 0.75) < 1e-12, `p90 ${stats.quantile}`);

// From zero (meter registered meanwhile): everything observed counts.
assert.equal(windowStats(empty, after).n, 11);

// Only +Inf above the rank: the highest finite bound, as Prometheus's histogram_quantile answers.
const slow = parseHistogram(exposition([1, 1, 1, 1, 11], 100), NAME);
assert.equal(windowStats(before, slow).quantile, 1);

// Nothing new in the window: no figures rather than zeros.
assert.deepEqual(windowStats(after, after), { n: 0, mean: null, quantile: null });

// The window keeps the newest snapshot at or before its start, so it spans all of it.
const window = new HistogramWindow(30_000);
window.add(0, empty);
window.add(10_000, before);
window.add(35_000, after);
assert.equal(window.stats().n, 11, 'the 30 s ending at 35 s start before the snapshot at 10 s: the one at 0 s opens them');
window.add(40_000, after);
assert.equal(window.stats().n, 10, 'the 30 s ending at 40 s start at the snapshot at 10 s');
window.add(70_000, after);
assert.equal(window.stats().n, 0);

console.log('ok');
