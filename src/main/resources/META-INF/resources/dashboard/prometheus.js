// Recent latencies from the Prometheus histograms at /q/metrics: the server keeps only running
// totals, so the page keeps timed snapshots and reads a window as the difference of two of them.

/**
 * The cumulative buckets, sum and count of one histogram in Prometheus's text format. Absent means
 * nothing observed yet (the server registers its request meters on the first request), so zeros.
 */
export function parseHistogram(text, name) {
  const buckets = [];
  let sum = null;
  let count = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (m[1] === `${name}_bucket`) {
      const le = /le="([^"]+)"/.exec(m[2] || '');
      if (le) buckets.push({ le: le[1] === '+Inf' ? Infinity : Number(le[1]), count: value });
    } else if (m[1] === `${name}_sum`) {
      sum = value;
    } else if (m[1] === `${name}_count`) {
      count = value;
    }
  }
  if (count === null || sum === null) return { buckets: [], sum: 0, count: 0 };
  buckets.sort((a, b) => a.le - b.le);
  return { buckets, sum, count };
}

/** Mean and a quantile of what was observed between two snapshots (histogram_quantile's interpolation). */
export function windowStats(older, newer, q = 0.9) {
  const n = newer.count - older.count;
  if (!(n > 0)) return { n: 0, mean: null, quantile: null };
  const mean = (newer.sum - older.sum) / n;
  const before = new Map(older.buckets.map((b) => [b.le, b.count]));
  const rank = q * n;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const b of newer.buckets) {
    const cumulative = b.count - (before.get(b.le) ?? 0);
    if (cumulative >= rank) {
      if (b.le === Infinity) return { n, mean, quantile: lowerLe };
      const inBucket = cumulative - lowerCount;
      const quantile = inBucket > 0 ? lowerLe + (b.le - lowerLe) * ((rank - lowerCount) / inBucket) : b.le;
      return { n, mean, quantile };
    }
    lowerLe = b.le;
    lowerCount = cumulative;
  }
  return { n, mean, quantile: null };
}

/** Snapshots of the last windowMs (and one before it), so that stats() covers the whole window. */
export class HistogramWindow {
  constructor(windowMs) {
    this.windowMs = windowMs;
    this.snapshots = [];
  }

  add(timeMs, histogram) {
    this.snapshots.push({ timeMs, histogram });
    while (this.snapshots.length > 2 && this.snapshots[1].timeMs <= timeMs - this.windowMs) this.snapshots.shift();
  }

  stats() {
    if (this.snapshots.length < 2) return { n: 0, mean: null, quantile: null };
    return windowStats(this.snapshots[0].histogram, this.snapshots[this.snapshots.length - 1].histogram);
  }
}
