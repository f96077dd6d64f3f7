// Called by the headless-browser test: returns [] when every example passes.
import {
  formatNumber, formatInteger, formatDate, formatDateTime, formatRelative,
} from './format.js';

export function runFormatSelfTest() {
  const now = Date.parse('2026-11-25T15:00:00Z');
  const cases = [
    ['formatNumber(1234.56)', () => formatNumber(1234.56), '1.234,56'],
    ['formatNumber(1234.567, 3)', () => formatNumber(1234.567, 3), '1.234,567'],
    ['formatNumber(1234, 2)', () => formatNumber(1234, 2), '1.234,00'],
    ['formatNumber(-1234.5, 1)', () => formatNumber(-1234.5, 1), '-1.234,5'],
    ['formatInteger(1234567.49)', () => formatInteger(1234567.49), '1.234.567'],
    ['formatInteger(999.5)', () => formatInteger(999.5), '1.000'],
    ['formatInteger(-999.5)', () => formatInteger(-999.5), '-1.000'],
    ['formatNumber(null)', () => formatNumber(null), '-'],
    ['formatNumber(undefined)', () => formatNumber(undefined), '-'],
    ['formatNumber(NaN)', () => formatNumber(NaN), '-'],
    ['formatInteger(null)', () => formatInteger(null), '-'],
    ['formatNumber(0.004, 2)', () => formatNumber(0.004, 2), '0,00'],
    ['formatNumber(-0, 2)', () => formatNumber(-0, 2), '0,00'],
    ['formatNumber(-0.004, 2)', () => formatNumber(-0.004, 2), '0,00'],
    ['formatNumber(1.005, 2)', () => formatNumber(1.005, 2), '1,01'],
    ['formatNumber(999999.999, 2)', () => formatNumber(999999.999, 2), '1.000.000,00'],
    ['formatNumber(12, 0)', () => formatNumber(12, 0), '12'],
    ['formatNumber("1234.5")', () => formatNumber('1234.5'), '1.234,50'],
    ['formatDate("2026-11-25")', () => formatDate('2026-11-25'), '25/11/2026'],
    ['formatDate(null)', () => formatDate(null), '-'],
    ['formatDateTime Caracas', () => formatDateTime('2026-11-25T14:05:00Z', 'America/Caracas'), '25/11/2026 10:05'],
    ['formatDateTime día anterior', () => formatDateTime('2026-11-25T02:30:00Z', 'America/Caracas'), '24/11/2026 22:30'],
    ['formatRelative 12 min', () => formatRelative('2026-11-25T14:48:00Z', now), 'hace 12 min'],
    ['formatRelative 3 h', () => formatRelative('2026-11-25T12:00:00Z', now), 'hace 3 h'],
    ['formatRelative 1 día', () => formatRelative('2026-11-24T14:00:00Z', now), 'hace 1 día'],
  ];
  const failures = [];
  for (const [name, fn, expected] of cases) {
    let actual;
    try { actual = fn(); } catch (e) { actual = `excepción: ${e.message}`; }
    if (actual !== expected) failures.push({ name, expected, actual });
  }
  return failures;
}
