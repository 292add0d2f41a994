/**
 * Draws the charts of index.html with uPlot, from the JSON that core/report/html.ts embeds in
 * the script element "report-data". Plain browser JavaScript without modules: html.ts inlines it after
 * uPlot's IIFE build, which sets the global uPlot. The tables carry every number; if this fails,
 * the page still reads.
 */
(() => {
  const HEIGHT = 260;
  const uPlot = globalThis.uPlot;
  const source = document.getElementById('report-data');
  if (!uPlot || !source) return;
  const charts = JSON.parse(source.textContent || '{}').charts || [];

  /** Three significant digits at most: the tables hold the exact figures. */
  function formatNumber(value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '—';
    const size = Math.abs(value);
    if (size >= 100 || Number.isInteger(value)) return String(Math.round(value));
    if (size >= 10) return value.toFixed(1);
    if (size >= 1) return value.toFixed(2);
    return value.toPrecision(2);
  }

  /** x = log10(1 / (1 − p)) back to "99.9 %", with as many decimals as the nines need. */
  function percentLabel(x) {
    const p = 100 * (1 - 10 ** -x);
    const decimals = Math.max(0, Math.ceil(x - 1e-9) - 2);
    return `${p.toFixed(decimals)} %`;
  }

  const inUnit = (unit) => (_u, value) => (value === null ? '—' : `${formatNumber(value)} ${unit}`.trim());

  function line(series, extra) {
    return {
      label: series.label,
      stroke: series.color,
      width: 2,
      dash: series.dash ? [6, 4] : undefined,
      scale: series.right ? 'right' : 'y',
      spanGaps: true,
      value: inUnit(''),
      ...extra,
    };
  }

  const fromZero = (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1];

  function percentileOptions(spec) {
    const top = Math.max(1, Math.ceil(Math.max(...spec.x) - 1e-9));
    return {
      scales: { x: { time: false, range: [0, top] }, y: { range: fromZero } },
      axes: [
        {
          label: 'percentile',
          splits: () => [0, Math.log10(2), ...Array.from({ length: top }, (_, i) => i + 1)],
          // The minimum (0 %) needs no label, and would crowd 50 % on a narrow chart.
          values: (_u, splits) => splits.map((x) => (x === 0 ? '' : percentLabel(x))),
        },
        { label: spec.units.left, size: 60 },
      ],
      series: [
        { label: 'percentile', value: (_u, x) => (x === null ? '—' : percentLabel(x)) },
        ...spec.series.map((s) => line(s, { value: inUnit(spec.units.left), points: { show: false } })),
      ],
    };
  }

  function secondsOptions(spec) {
    return {
      scales: { x: { time: false }, y: { range: fromZero }, right: { range: fromZero } },
      axes: [
        { label: 'second of the run' },
        { label: spec.units.left, size: 60 },
        { label: spec.units.right, side: 1, scale: 'right', size: 60, grid: { show: false } },
      ],
      series: [
        { label: 's', value: (_u, x) => (x === null ? '—' : `${x} s`) },
        ...spec.series.map((s) => line(s)),
      ],
    };
  }

  /** Category charts (bars and trend): x is the index of a label; long labels are tilted. */
  function categoryAxis(spec) {
    const tilted = spec.labels.some((l) => l.length > 10) && spec.labels.length > 3;
    const every = Math.max(1, Math.ceil(spec.labels.length / 10));
    return {
      splits: () => spec.x.filter((i) => i % every === 0),
      values: (_u, splits) => splits.map((i) => shorten(spec.labels[i] || '')),
      rotate: tilted ? -25 : 0,
      size: tilted ? 90 : 40,
      grid: { show: false },
    };
  }

  const shorten = (text) => (text.length > 22 ? `${text.slice(0, 21)}…` : text);

  function barsOptions(spec) {
    const pair = spec.series.length > 1;
    return {
      scales: { x: { time: false, range: [-0.5, spec.x.length - 0.5] }, y: { range: fromZero } },
      axes: [categoryAxis(spec), { label: spec.units.left, size: 60 }],
      series: [
        { label: 'item', value: (_u, x) => (x === null ? '—' : spec.labels[x] || '') },
        ...spec.series.map((s, i) =>
          line(s, {
            fill: s.color,
            width: 0,
            value: inUnit(spec.units.left),
            points: { show: false },
            // Side by side: the first series left of the tick, the second right of it.
            paths: uPlot.paths.bars({ size: [pair ? 0.35 : 0.6, 48], align: pair ? (i === 0 ? -1 : 1) : 0 }),
          }),
        ),
      ],
    };
  }

  /** Shades the runs that did not pass, under the lines. */
  function shadeMarks(marks) {
    return (u) => {
      const { ctx, bbox } = u;
      const width = Math.max(4, bbox.width / (u.data[0].length * 3));
      ctx.save();
      ctx.fillStyle = 'rgba(198, 40, 40, 0.18)';
      for (const i of marks) {
        const x = u.valToPos(i, 'x', true);
        ctx.fillRect(x - width / 2, bbox.top, width, bbox.height);
      }
      ctx.restore();
    };
  }

  /**
   * Marks each change point: a dashed line in its series' colour at the first run of the new
   * level, with a flag whose title says what changed. Elements in uPlot's overlay (u.over, which
   * covers the plotting area), placed again after every redraw, so they follow a resize.
   */
  function markChanges(changes) {
    return (u) => {
      for (const old of u.over.querySelectorAll('.change-mark')) old.remove();
      const stacked = new Map();
      for (const change of changes) {
        const mark = document.createElement('div');
        mark.className = 'change-mark';
        mark.style.left = `${u.valToPos(change.x, 'x')}px`;
        mark.style.color = change.color;
        const flag = document.createElement('span');
        // Several change points in one run: their flags one under the other.
        const level = stacked.get(change.x) || 0;
        stacked.set(change.x, level + 1);
        flag.style.top = `${level * 10}px`;
        flag.title = change.label;
        flag.setAttribute('role', 'img');
        flag.setAttribute('aria-label', change.label);
        mark.appendChild(flag);
        u.over.appendChild(mark);
      }
    };
  }

  function trendOptions(spec) {
    return {
      scales: { x: { time: false, range: [-0.5, spec.x.length - 0.5] }, y: { range: fromZero } },
      axes: [categoryAxis(spec), { label: spec.units.left, size: 60 }],
      series: [
        { label: 'run', value: (_u, x) => (x === null ? '—' : spec.labels[x] || '') },
        ...spec.series.map((s) =>
          line(s, { value: inUnit(spec.units.left), points: { show: true, size: 5 } }),
        ),
      ],
      hooks: { drawClear: [shadeMarks(spec.marks || [])], draw: [markChanges(spec.changes || [])] },
    };
  }

  /**
   * Curves over a numeric x (the capacity check: offered req/s, or concurrency), two y scales,
   * marks (the knee) as on a trend; a series with `points` shows its measured points only.
   */
  function curveOptions(spec) {
    return {
      scales: { x: { time: false }, y: { range: fromZero }, right: { range: fromZero } },
      axes: [
        { label: spec.xLabel || '' },
        { label: spec.units.left, size: 60 },
        ...(spec.units.right
          ? [{ label: spec.units.right, side: 1, scale: 'right', size: 60, grid: { show: false } }]
          : []),
      ],
      series: [
        { label: spec.xLabel || 'x', value: (_u, x) => (x === null ? '—' : String(x)) },
        ...spec.series.map((s) =>
          line(
            s,
            s.points
              ? { width: 0, spanGaps: false, points: { show: true, size: 7, fill: s.color } }
              : { points: { show: false } },
          ),
        ),
      ],
      hooks: { draw: [markChanges(spec.changes || [])] },
    };
  }

  const OPTIONS = {
    curve: curveOptions,
    percentiles: percentileOptions,
    seconds: secondsOptions,
    bars: barsOptions,
    trend: trendOptions,
  };

  const widthOf = (element) => Math.max(300, element.clientWidth || 600);
  const drawn = [];

  for (const spec of charts) {
    const element = document.getElementById(spec.id);
    const options = OPTIONS[spec.kind];
    if (!element || !options || !spec.x.length) continue;
    const opts = { title: spec.title, width: widthOf(element), height: HEIGHT, ...options(spec) };
    const data = [spec.x, ...spec.series.map((s) => s.values)];
    drawn.push({ element, plot: new uPlot(opts, data, element) });
  }

  let pending = 0;
  window.addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const { element, plot } of drawn) plot.setSize({ width: widthOf(element), height: HEIGHT });
    });
  });
})();
