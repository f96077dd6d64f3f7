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

// Colours of the series of a multi-series chart (radar, donut), in order.
export const SERIES_COLOURS = ['#059669', '#2563eb', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626', '#475569', '#ca8a04'];

// A radar (spider) chart: axes [label…]; series [{ name, values (0–100 per axis), tip(i) }].
export function radarChart({ axes, series, aria, size = 360 }) {
  // Room on both sides for the axis labels.
  const W = size + 200; const c = W / 2; const cy = size / 2; const r = size / 2 - 40;
  const n = Math.max(3, axes.length);
  const at = (i, v) => {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / n;
    return [c + Math.cos(a) * r * (v / 100), cy + Math.sin(a) * r * (v / 100)];
  };
  const ring = (v) => axes.map((_, i) => at(i, v).map((x) => x.toFixed(1)).join(',')).join(' ');
  return html`<svg class="chart radar" viewBox="0 0 ${W} ${size}" role="img" aria-label="${aria}">
    ${[25, 50, 75, 100].map((v) => html`<polygon points="${ring(v)}" class="grid-line radar-ring"></polygon>`)}
    ${axes.map((label, i) => {
      const [x, y] = at(i, 100); const [lx, ly] = at(i, 122);
      return html`<line x1="${c}" y1="${cy}" x2="${x}" y2="${y}" class="grid-line"></line>
        <text x="${lx}" y="${ly + 4}" text-anchor="${Math.abs(lx - c) < 8 ? 'middle' : lx > c ? 'start' : 'end'}" class="axis radar-label">${label}</text>`;
    })}
    ${series.map((s, k) => html`<polygon points="${s.values.map((v, i) => at(i, v).map((x) => x.toFixed(1)).join(',')).join(' ')}" class="radar-area" data-series="${k}"
      style="${`fill:${SERIES_COLOURS[k % SERIES_COLOURS.length]};stroke:${SERIES_COLOURS[k % SERIES_COLOURS.length]}`}"><title>${s.name}</title></polygon>
      ${s.values.map((v, i) => { const [x, y] = at(i, v); return html`<circle cx="${x}" cy="${y}" r="3" style="${`fill:${SERIES_COLOURS[k % SERIES_COLOURS.length]}`}"><title>${s.name} · ${axes[i]}: ${s.tip ? s.tip(i) : formatNumber(v, 0)}</title></circle>`; })}`)}
  </svg>`;
}

// A donut chart of shares: slices [{ label, value, tip }]; colours in SERIES_COLOURS order.
export function donutChart({ slices, aria, size = 220 }) {
  const c = size / 2; const r = size / 2 - 8; const inner = r * 0.58;
  const total = slices.reduce((s, x) => s + Math.max(0, x.value), 0);
  if (!(total > 0)) return html`<svg class="chart donut" viewBox="0 0 ${size} ${size}" role="img" aria-label="${aria}"><circle cx="${c}" cy="${c}" r="${r}" class="grid-line" fill="none"></circle></svg>`;
  let a0 = -Math.PI / 2;
  const pt = (a, rad) => `${(c + Math.cos(a) * rad).toFixed(2)},${(c + Math.sin(a) * rad).toFixed(2)}`;
  const arcs = slices.map((s, k) => {
    const frac = Math.max(0, s.value) / total;
    const a1 = a0 + frac * 2 * Math.PI - (frac >= 1 ? 1e-4 : 0);
    const big = a1 - a0 > Math.PI ? 1 : 0;
    const d = `M${pt(a0, r)} A${r},${r} 0 ${big} 1 ${pt(a1, r)} L${pt(a1, inner)} A${inner},${inner} 0 ${big} 0 ${pt(a0, inner)} Z`;
    a0 = a1;
    return html`<path d="${d}" data-slice="${k}" style="${`fill:${SERIES_COLOURS[k % SERIES_COLOURS.length]}`}"><title>${s.tip || s.label}</title></path>`;
  });
  return html`<svg class="chart donut" viewBox="0 0 ${size} ${size}" role="img" aria-label="${aria}">${arcs}</svg>`;
}
