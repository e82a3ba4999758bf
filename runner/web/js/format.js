// format.js: numbers as the page prints them (the same conventions as `agentbench
// report`: seconds with 4 significant digits, overheads as signed percentages).

const DASH = '–';

export function seconds(s) {
  if (s === null || s === undefined || !isFinite(s)) return DASH;
  const a = Math.abs(s);
  if (a >= 1 || a === 0) return `${s.toPrecision(4)} s`;
  if (a >= 1e-3) return `${(s * 1e3).toPrecision(4)} ms`;
  return `${(s * 1e6).toPrecision(4)} µs`;
}

// ratio 1.0123 -> "+1.23%"
export function pct(ratio) {
  if (ratio === null || ratio === undefined || !isFinite(ratio)) return DASH;
  const p = (ratio - 1) * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(2)}%`;
}

export function number(v, digits = 4) {
  if (v === null || v === undefined || !isFinite(v)) return DASH;
  if (Number.isInteger(v)) return String(v);
  return Number(v).toPrecision(digits);
}

export function rate(v) {
  if (v === null || v === undefined || !isFinite(v)) return DASH;
  return v >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

// 3725 -> "1 h 02 min", 65 -> "1 min 05 s", 7 -> "7 s", 200000 -> "2 d 07 h"
export function duration(s) {
  if (s === null || s === undefined || !isFinite(s) || s < 0) return DASH;
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (h >= 48) return `${Math.floor(h / 24)} d ${two(h % 24)} h`;
  if (h) return `${h} h ${two(m)} min`;
  if (m) return `${m} min ${two(r)} s`;
  return `${r} s`;
}

export function clock(date) {
  return date.toTimeString().slice(0, 8);
}

export function interval(lo, hi, fmt) {
  if (lo === null || lo === undefined || hi === null || hi === undefined) return DASH;
  return `[${fmt(lo)}, ${fmt(hi)}]`;
}
