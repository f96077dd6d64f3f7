// Small SVG charts for the drill-downs: bars (units) with an optional line on its own axis
// (stock), labels thinned to fit, values in <title> for hover. Plain SVG on purpose: the
// appliance may have no internet, and these few shapes need no library.
import { html } from './dom.js';
import { formatNumber } from './format.js';

const niceMax = (v) => {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
};

// bars: numbers; line: numbers or null (gaps); labels: x labels; barClass(i) → CSS class;
// tips(i) → tooltip text. Left axis for the bars, right axis for the line.
export function barLineChart({ labels, bars, line = null, barClass = () => 'bar', tips = () => '', aria, width = 680, height = 230, avg = null }) {
  const W = width; const H = height;
  const pad = { l: 44, r: line ? 48 : 12, t: 12, b: 28 };
  const n = Math.max(1, labels.length);
  const bmax = niceMax(Math.max(0, ...bars, avg || 0));
  const lvals = line ? line.filter((v) => v !== null && v !== undefined) : [];
  const lmax = niceMax(Math.max(0, ...lvals));
  const lmin = Math.min(0, ...lvals);
  const iw = W - pad.l - pad.r; const ih = H - pad.t - pad.b;
  const bw = iw / n;
  const yb = (v) => pad.t + ih - (Math.max(0, v) / bmax) * ih;
  const yl = (v) => pad.t + ih - ((v - lmin) / (lmax - lmin || 1)) * ih;
  const every = Math.max(1, Math.ceil(n / Math.floor(iw / 46)));
  const grid = [0, 0.25, 0.5, 0.75, 1].map((k) => {
    const y = pad.t + ih - k * ih;
    return html`<line x1="${pad.l}" x2="${W - pad.r}" y1="${y}" y2="${y}" class="grid-line"></line>
      <text x="${pad.l - 6}" y="${y + 4}" text-anchor="end" class="axis">${formatNumber(k * bmax, bmax < 10 ? 1 : 0)}</text>
      ${line ? html`<text x="${W - pad.r + 6}" y="${y + 4}" class="axis axis-line">${formatNumber(lmin + k * (lmax - lmin), 0)}</text>` : ''}`;
  });
  let path = '';
  if (line) {
    let pen = false;
    line.forEach((v, i) => {
      if (v === null || v === undefined) { pen = false; return; }
      const x = pad.l + i * bw + bw / 2;
      path += `${pen ? 'L' : 'M'}${x.toFixed(1)},${yl(v).toFixed(1)} `;
      pen = true;
    });
  }
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${aria}">
    ${grid}
    ${bars.map((v, i) => html`<rect x="${pad.l + i * bw + Math.min(2, bw * 0.15)}" y="${yb(v)}" width="${Math.max(1, bw - 2 * Math.min(2, bw * 0.15))}" height="${pad.t + ih - yb(v)}" class="${barClass(i)}"><title>${tips(i)}</title></rect>`)}
    ${avg !== null ? html`<line x1="${pad.l}" x2="${W - pad.r}" y1="${yb(avg)}" y2="${yb(avg)}" class="avg-line"><title>Promedio ${formatNumber(avg, 1)}</title></line>` : ''}
    ${line ? html`<path d="${path}" class="stock-line"></path>` : ''}
    ${labels.map((l, i) => (i % every === 0 ? html`<text x="${pad.l + i * bw + bw / 2}" y="${H - 8}" text-anchor="middle" class="axis">${l}</text>` : ''))}
  </svg>`;
}

// A legend under a chart: [[cssClass, label], …].
export function legend(items) {
  return html`<p class="chart-legend">${items.map(([cls, label]) => html`<span class="${`key ${cls}`}"></span>${label}`)}</p>`;
}
