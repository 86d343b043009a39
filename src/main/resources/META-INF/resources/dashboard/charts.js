// Time series over the last few minutes, drawn with uPlot (a global from its vendored IIFE build).
// Each chart keeps its own ring of points, so the page holds a bounded amount however long it is open.

const AXIS = { stroke: '#8b95a7', grid: { stroke: '#232a36', width: 1 }, ticks: { stroke: '#232a36', width: 1 } };
// Wall-clock seconds on one line: uPlot's default adds a date line and crowds sub-second ticks.
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const TIME_AXIS = { ...AXIS, space: 70, values: (u, ticks) => ticks.map((t) => CLOCK.format(new Date(t * 1000))) };

export class TimeChart {
  /**
   * @param element  the container; the chart takes its width
   * @param series   [{label, stroke, fill?, dash?}]
   * @param spanSec  how far back the chart reaches
   * @param yLabel   unit shown on the y axis
   */
  constructor(element, series, spanSec, yLabel) {
    this.element = element;
    this.spanSec = spanSec;
    this.data = [[], ...series.map(() => [])];
    this.plot = new uPlot({
      width: this.width(),
      height: 180,
      legend: { live: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [TIME_AXIS, { ...AXIS, label: yLabel, labelSize: 18, size: 48 }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, fill: s.fill, dash: s.dash, width: 2, spanGaps: true }))],
    }, this.data, element);
    new ResizeObserver(() => this.plot.setSize({ width: this.width(), height: 180 })).observe(element);
  }

  width() {
    return Math.max(200, this.element.clientWidth);
  }

  /** One point per series at timeSec; null leaves a gap. */
  push(timeSec, values) {
    this.data[0].push(timeSec);
    values.forEach((v, i) => this.data[i + 1].push(v));
    while (this.data[0].length > 0 && this.data[0][0] < timeSec - this.spanSec) this.data.forEach((column) => column.shift());
    this.plot.setData(this.data);
  }
}
