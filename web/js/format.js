// Number and date formatting for es-VE (spec 50 §9.1).
// Grouping is done by hand: Intl's es-VE output differs between ICU builds
// (some omit the thousands separator below 10.000, some use a space).

let defaultTimeZone = 'America/Caracas';

export function setDefaultTimeZone(tz) {
  if (tz) defaultTimeZone = tz;
}

// The tenant's calendar day now (YYYY-MM-DD), not the browser's: late in the evening in
// Caracas the UTC day (a browser or server clock in UTC) has already turned, and a period
// ending "today" must end on the store's today, as the server counts it.
export function tenantTodayIso(tz = defaultTimeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

// The tenant's today as a local Date at midnight, for calendar arithmetic (setDate, months).
export function tenantToday(tz) {
  const [y, m, d] = tenantTodayIso(tz).split('-').map(Number);
  return new Date(y, m - 1, d);
}

function toNumber(v) {
  if (v === null || v === undefined || v === '' || typeof v === 'boolean') return NaN;
  return typeof v === 'number' ? v : Number(v);
}

// Rounds |x| half away from zero at `d` decimals and returns the digits as a
// "1234.50" string. The exponent-string shift avoids binary artefacts such as
// 1.005 * 100 = 100.49999…, so 1.005 → "1.01" as a person would expect.
function roundedDigits(abs, d) {
  if (abs >= 1e21) return BigInt(Math.round(abs)).toString() + (d > 0 ? `.${'0'.repeat(d)}` : '');
  const s = String(abs);
  if (s.includes('e')) return abs.toFixed(d); // tiny values: no shift trick needed
  const shifted = Math.round(Number(`${s}e${d}`));
  return Number(`${shifted}e-${d}`).toFixed(d);
}

function groupThousands(intDigits) {
  let out = '';
  for (let i = 0; i < intDigits.length; i++) {
    if (i > 0 && (intDigits.length - i) % 3 === 0) out += '.';
    out += intDigits[i];
  }
  return out;
}

export function formatNumber(v, d = 2) {
  const n = toNumber(v);
  if (!Number.isFinite(n)) return '-';
  const digits = roundedDigits(Math.abs(n), d);
  const [intPart, fracPart] = digits.split('.');
  // A value that rounds to zero never gets a sign (-0, -0.004 → "0,00").
  const isZero = /^[0.]*$/.test(digits);
  const sign = n < 0 && !isZero ? '-' : '';
  const grouped = groupThousands(intPart);
  return fracPart ? `${sign}${grouped},${fracPart}` : `${sign}${grouped}`;
}

export function formatInteger(v) {
  return formatNumber(v, 0);
}

export function formatPercent(v, d = 1) {
  const s = formatNumber(v, d);
  return s === '-' ? s : `${s} %`;
}

function zonedParts(date, timeZone) {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: timeZone || defaultTimeZone,
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  });
  const parts = {};
  for (const p of fmt.formatToParts(date)) parts[p.type] = p.value;
  return parts;
}

// "2026-11-25" → "25/11/2026". A plain date is taken literally (no time zone
// shift); a full instant is converted to the tenant's time zone first.
export function formatDate(value, timeZone) {
  if (!value) return '-';
  const s = String(value);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  const date = new Date(s);
  if (Number.isNaN(date.getTime())) return '-';
  const p = zonedParts(date, timeZone);
  return `${p.day}/${p.month}/${p.year}`;
}

// "2026-11-25T14:05:00Z" in America/Caracas → "25/11/2026 10:05".
export function formatDateTime(value, timeZone) {
  if (!value) return '-';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return '-';
  const p = zonedParts(date, timeZone);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

// Freshness stamp: "hace 12 min", "hace 3 h", "hace 2 días".
export function formatRelative(value, now = Date.now()) {
  if (!value) return '-';
  const t = value instanceof Date ? value.getTime() : new Date(value).getTime();
  if (Number.isNaN(t)) return '-';
  const minutes = Math.floor((now - t) / 60000);
  if (minutes < 1) return 'hace un momento';
  if (minutes < 60) return `hace ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `hace ${hours} h`;
  const days = Math.floor(hours / 24);
  if (days <= 30) return days === 1 ? 'hace 1 día' : `hace ${days} días`;
  return formatDate(new Date(t).toISOString());
}
