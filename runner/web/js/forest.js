// forest.js: a forest plot (d3): one row per benchmark/variant, a dot at the estimate and
// a bar over its confidence interval, rows grouped by benchmark, an optional reference
// line (0% overhead). Redrawn whole on every update: a suite has tens of rows, not
// thousands.

const ROW = 22, TOP = 24, LEFT = 230, RIGHT = 24, BOTTOM = 8;

// rows: [{group, label, value, lo, hi}] (lo/hi may be null: no interval yet)
// opts: {tick: v -> text, reference: number|null, empty: text}
export function forest(el, rows, opts) {
  const d3 = window.d3;
  const root = d3.select(el);
  root.selectAll('*').remove();
  rows = rows.filter((r) => r.value !== null && isFinite(r.value));
  if (!rows.length) {
    root.append('p').attr('class', 'empty').text(opts.empty || 'No values yet.');
    return;
  }
  const width = Math.max(360, el.clientWidth || 640);
  const height = TOP + rows.length * ROW + BOTTOM;
  const lo = d3.min(rows, (r) => (r.lo ?? r.value));
  const hi = d3.max(rows, (r) => (r.hi ?? r.value));
  const domain = [Math.min(lo, opts.reference ?? lo), Math.max(hi, opts.reference ?? hi)];
  const pad = (domain[1] - domain[0]) * 0.08 || Math.abs(domain[0]) * 0.05 || 1;
  const x = d3.scaleLinear().domain([domain[0] - pad, domain[1] + pad]).range([LEFT, width - RIGHT]).nice();
  const svg = root.append('svg').attr('width', width).attr('height', height).attr('class', 'forest-svg');
  svg.append('g').attr('transform', `translate(0,${TOP - 4})`)
    .call(d3.axisTop(x).ticks(Math.max(2, Math.floor((width - LEFT) / 90))).tickFormat(opts.tick));
  if (opts.reference !== null && opts.reference !== undefined)
    svg.append('line').attr('class', 'reference')
      .attr('x1', x(opts.reference)).attr('x2', x(opts.reference))
      .attr('y1', TOP - 4).attr('y2', height - BOTTOM);
  const row = svg.selectAll('g.row').data(rows).join('g')
    .attr('class', 'row').attr('data-instance', (r) => `${r.group}/${r.label}`)
    .attr('transform', (r, i) => `translate(0,${TOP + i * ROW + ROW / 2})`);
  row.append('text').attr('class', 'group').attr('x', 6).attr('dy', '0.35em')
    .text((r, i) => (i === 0 || rows[i - 1].group !== r.group ? r.group : ''));
  row.append('text').attr('class', 'label').attr('x', LEFT - 8).attr('dy', '0.35em')
    .attr('text-anchor', 'end').text((r) => r.label);
  row.filter((r) => r.lo !== null && r.hi !== null).append('line').attr('class', 'ci')
    .attr('x1', (r) => x(r.lo)).attr('x2', (r) => x(r.hi));
  row.filter((r) => r.lo !== null && r.hi !== null).selectAll('line.cap')
    .data((r) => [r.lo, r.hi]).join('line').attr('class', 'cap')
    .attr('x1', (v) => x(v)).attr('x2', (v) => x(v)).attr('y1', -5).attr('y2', 5);
  row.append('circle').attr('class', 'estimate').attr('r', 4).attr('cx', (r) => x(r.value))
    .append('title').text((r) => `${r.group}/${r.label}: ${opts.tick(r.value)}` +
      (r.lo !== null && r.hi !== null ? ` [${opts.tick(r.lo)}, ${opts.tick(r.hi)}]` : ''));
}
