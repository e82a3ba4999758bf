// flamedraw.js: draws a frame tree (stacks.js) with d3-flame-graph into a container,
// replacing what was there: click a frame to zoom, hover for its samples and share. The
// chart is kept on the container (el.chart) for search. With opts.differential, frames
// are coloured by their delta (red: a larger share in the profiled run, blue: smaller).

export function drawFlame(el, detailsEl, tree, opts) {
  const fg = window.flamegraph;
  const width = Math.max(480, el.clientWidth || 960);
  const total = tree.value || 1;
  const pct = (v) => `${(100 * v).toFixed(2)}%`;
  const label = opts.differential
    ? (d) => `${d.data.name}: ${pct(d.data.share)} of the profiled samples, ${pct(d.data.baseShare)} ` +
      `of the baseline's (${d.data.share >= d.data.baseShare ? '+' : ''}${(100 * (d.data.share - d.data.baseShare)).toFixed(2)} points)`
    : (d) => `${d.data.name}: ${d.value} samples, ${pct(d.value / total)}`;
  const chart = fg.default()
    .width(width)
    .cellHeight(18)
    .transitionDuration(0)
    .minFrameSize(1)
    .sort(true)
    .title('')
    .selfValue(false)
    .setLabelHandler(label)
    .setDetailsElement(detailsEl);
  if (opts.differential) chart.setColorMapper(fg.colorMapper.differentialColorMapper);
  el.replaceChildren();
  window.d3.select(el).datum(tree).call(chart);
  el.chart = chart;
  el.dataset.frames = String(el.querySelectorAll('g').length);
  return chart;
}
