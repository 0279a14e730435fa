// A team's burn-down for its period: what remained at the end of each day (budget minus the spend
// so far, by UTC day), then the forecast from now at the period's pace down to the projected
// exhaustion (or to the period's end when the budget lasts). Figures are plotted as numbers; the
// exact amounts are in the tables beside it.
import uPlot from '../vendor/uplot/uPlot.esm.js';

const DAY = 86400;
const seconds = (rfc3339) => (rfc3339 ? Date.parse(rfc3339) / 1000 : null);

export function burndownSeries(wallet, dayRows, nowSeconds) {
  const budget = Number(wallet.budget);
  const start = seconds(wallet.period_starts_at) ?? (dayRows.length ? seconds(`${dayRows[0].key}T00:00:00Z`) : nowSeconds);
  const end = seconds(wallet.period_ends_at);
  const points = [[start, budget]];
  let spent = 0;
  for (const r of [...dayRows].sort((a, b) => a.key.localeCompare(b.key))) {
    spent += Number(r.cost);
    points.push([Math.min(seconds(`${r.key}T00:00:00Z`) + DAY, nowSeconds), budget - spent]);
  }
  const left = wallet.forecast ? Number(wallet.forecast.left) : budget - Number(wallet.spent) - Number(wallet.reserved);
  points.push([nowSeconds, left]);
  const forecast = [[nowSeconds, left]];
  const f = wallet.forecast;
  const exhausts = f ? seconds(f.exhausts_at) : null;
  const perDay = f && f.pace_per_day !== null ? Number(f.pace_per_day) : 0;
  if (exhausts !== null && (end === null || exhausts <= end)) forecast.push([exhausts, 0]);
  else if (end !== null) forecast.push([end, left - (perDay * (end - nowSeconds)) / DAY]);
  else forecast.push([nowSeconds + 7 * DAY, left - 7 * perDay]);
  return { points, forecast, end };
}

// uPlot wants one x array: the union of both lines' times, each line null where it has no point.
function aligned({ points, forecast }) {
  const xs = [...new Set([...points, ...forecast].map((p) => p[0]))].sort((a, b) => a - b);
  const at = (list) => { const m = new Map(list); return xs.map((x) => (m.has(x) ? m.get(x) : null)); };
  return [xs, at(points), at(forecast)];
}

export function drawBurndown(container, series, previous) {
  if (previous) previous.destroy();
  const width = Math.max(320, container.clientWidth - 16);
  const opts = {
    width, height: 300,
    scales: { x: { time: true } },
    series: [
      {},
      { label: 'remaining', stroke: '#2f6fde', width: 2, spanGaps: true, value: (u, v) => (v === null ? '—' : `$${v.toFixed(2)}`) },
      { label: 'forecast', stroke: '#c4320a', dash: [6, 4], width: 2, spanGaps: true, value: (u, v) => (v === null ? '—' : `$${v.toFixed(2)}`) },
    ],
    axes: [{}, { values: (u, ticks) => ticks.map((t) => `$${t}`) }],
  };
  return new uPlot(opts, aligned(series), container);
}
