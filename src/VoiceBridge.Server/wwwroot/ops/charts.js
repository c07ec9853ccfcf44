// Small time-series charts drawn as inline SVG (no chart library): one or two lines over the last minutes, an optional
// threshold (the SLO) as a dashed line, the latest value's scale at the top. Missing points (null) leave a gap.

const NS = 'http://www.w3.org/2000/svg';

function node(name, attributes = {}, text) {
  const element = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) {
    element.setAttribute(key, String(value));
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

// A "nice" top for the axis: 1, 2 or 5 times a power of ten, at least the largest value.
function niceMax(value) {
  if (!(value > 0)) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) {
      return step * power;
    }
  }
  return 10 * power;
}

/**
 * @param {{ times: number[], series: { values: (number|null)[], cls: string, label?: string }[],
 *           threshold?: number, unit?: string, area?: boolean, spanMs: number, width?: number, height?: number }} chart
 */
export function lineChart(chart) {
  const width = chart.width ?? 220;
  const height = chart.height ?? 64;
  const top = 12;
  const bottom = height - 12;
  const now = chart.times.length ? chart.times[chart.times.length - 1] : Date.now();
  const start = now - chart.spanMs;
  const values = chart.series.flatMap(s => s.values).filter(v => v !== null && v !== undefined);
  const max = niceMax(Math.max(...values, chart.threshold ?? 0, 0));
  const x = t => ((t - start) / chart.spanMs) * width;
  const y = v => bottom - (v / max) * (bottom - top);

  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  svg.append(node('line', { x1: 0, x2: width, y1: bottom, y2: bottom, class: 'axis' }));
  svg.append(node('text', { x: 2, y: 9, class: 'scale' }, `${max}${chart.unit ?? ''}`));
  svg.append(node('text', { x: width - 2, y: height - 1, class: 'scale end' }, 'now'));
  svg.append(node('text', { x: 2, y: height - 1, class: 'scale' }, `−${Math.round(chart.spanMs / 60000)} min`));
  if (chart.threshold !== undefined) {
    svg.append(node('line', { x1: 0, x2: width, y1: y(chart.threshold), y2: y(chart.threshold), class: 'threshold' }));
  }

  for (const series of chart.series) {
    let path = '';
    let pen = false;
    let first = null;
    let last = null;
    series.values.forEach((value, i) => {
      const t = chart.times[i];
      if (value === null || value === undefined || t < start) {
        pen = false;
        return;
      }
      const px = x(t).toFixed(1);
      const py = y(value).toFixed(1);
      path += `${pen ? 'L' : 'M'}${px} ${py} `;
      pen = true;
      first ??= px;
      last = px;
    });
    if (!path) {
      continue;
    }
    if (chart.area && first !== null) {
      svg.append(node('path', { d: `${path}L${last} ${bottom} L${first} ${bottom} Z`, class: `area ${series.cls}` }));
    }
    svg.append(node('path', { d: path, class: `line ${series.cls}` }));
  }
  return svg;
}

/**
 * A call's timeline as a strip: each event a mark at its time, turns coloured by their latency against the SLO.
 * @param {{ durationMs: number, entries: { atMs: number, kind: string, ms?: number, text: string }[], classify: (ms:number)=>string }} strip
 */
export function timelineStrip(strip) {
  const width = 600;
  const height = 34;
  const span = Math.max(strip.durationMs, 1000);
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, class: 'strip-chart', role: 'img', preserveAspectRatio: 'none' });
  svg.append(node('line', { x1: 0, x2: width, y1: height / 2, y2: height / 2, class: 'axis' }));
  for (const entry of strip.entries) {
    const cx = Math.min(width - 3, Math.max(3, (entry.atMs / span) * width));
    let mark;
    switch (entry.kind) {
      case 'turn':
        mark = node('circle', { cx, cy: height / 2, r: 5, class: `mark ${strip.classify(entry.ms ?? 0)}` });
        break;
      case 'tool': {
        const w = Math.max(3, ((entry.ms ?? 0) / span) * width);
        mark = node('rect', { x: Math.max(0, cx - w), y: 4, width: w, height: 7, class: `mark tool ${entry.outcome ?? ''}` });
        break;
      }
      case 'barge_in':
        mark = node('path', { d: `M${cx} ${height - 4} l-5 -9 l10 0 Z`, class: 'mark barge' });
        break;
      case 'error':
      case 'reconnect':
        mark = node('path', { d: `M${cx - 4} ${height / 2 - 4} l8 8 M${cx + 4} ${height / 2 - 4} l-8 8`, class: `mark ${entry.kind}` });
        break;
      default:
        mark = node('rect', { x: cx - 1, y: 2, width: 2, height: height - 4, class: `mark ${entry.kind}` });
        break;
    }
    mark.append(node('title', {}, entry.text));
    svg.append(mark);
  }
  return svg;
}
