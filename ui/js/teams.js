// Teams: every wallet's budget, spent, reserved, leased, remaining and status as the API gives them
// (GET /v1/wallets?forecast=true, refreshed every 2 s); a team's row opens its burn-down and its
// spend by model, day and consumer group (GET /v1/spend?team=X&by=day|group).
import { get } from './api.js';
import { el, td, num, every, shortTime, showError } from './dom.js';
import { burndownSeries, drawBurndown } from './burndown.js';

let stopPolling = null;
let section = null;
let selected = null;   // team_id
let chart = null;
let shownDetail = '';  // the detail's data last drawn, to redraw only on change

function walletRow(w) {
  const exhausts = w.forecast && w.forecast.exhausts_at ? shortTime(w.forecast.exhausts_at) : '—';
  const tr = el('tr', { class: `selectable ${w.team_id === selected ? 'selected' : ''}`, 'data-team': w.team_id },
    td(w.team_id, { 'data-field': 'team_id' }), td(w.period),
    num(w.budget, 'budget'), num(w.spent, 'spent'), num(w.reserved, 'reserved'), num(w.leased, 'leased'),
    num(w.remaining, 'remaining'), num(`${w.usage_percent}%`, 'usage_percent'),
    td(w.status, { class: `status-${w.status}`, 'data-field': 'status' }),
    td(exhausts, { 'data-field': 'exhausts_at' }));
  tr.addEventListener('click', () => { selected = w.team_id; shownDetail = ''; refresh(); });
  return tr;
}

function breakdown(table, rows, keyTitle) {
  const head = el('tr', {}, el('th', {}, keyTitle), el('th', { class: 'num' }, 'Cost'), el('th', { class: 'num' }, 'Requests'),
    el('th', { class: 'num' }, 'Prompt'), el('th', { class: 'num' }, 'Completion'));
  const body = rows.length
    ? rows.map((r) => el('tr', { 'data-key': r.key }, td(r.key), num(r.cost, 'cost'), num(r.requests, 'requests'),
        num(r.prompt_tokens, 'prompt_tokens'), num(r.completion_tokens, 'completion_tokens')))
    : [el('tr', {}, el('td', { colSpan: 5 }, 'no spend this period'))];
  table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
}

async function refreshDetail(team) {
  const q = encodeURIComponent(team);
  const [byDay, byGroup] = await Promise.all([get(`/v1/spend?team=${q}&by=day`), get(`/v1/spend?team=${q}&by=group`)]);
  const data = JSON.stringify([byDay.body, byGroup.body.rows]);
  if (data === shownDetail) return;
  shownDetail = data;
  const wallet = byDay.body.wallet;
  section.querySelector('#team-detail').hidden = false;
  section.querySelector('#team-title').textContent = `${byDay.body.team} — period ${wallet.period}`;
  const f = wallet.forecast;
  section.querySelector('#team-forecast').textContent = f
    ? `${f.summary}.${f.exhausts_at ? ` Projected exhaustion: ${shortTime(f.exhausts_at)}.` : ''}`
    : 'No forecast for this period.';
  const models = byDay.body.models.map((m) => ({ key: m.model, ...m }));
  breakdown(section.querySelector('#by-model'), models, 'Model');
  breakdown(section.querySelector('#by-day'), byDay.body.rows, 'Day');
  breakdown(section.querySelector('#by-group'), byGroup.body.rows, 'Group');
  const series = burndownSeries(wallet, byDay.body.rows, Date.now() / 1000);
  chart = drawBurndown(section.querySelector('#burndown'), series, chart);
}

async function refresh() {
  const { body } = await get('/v1/wallets?forecast=true');
  section.querySelector('#teams-table tbody').replaceChildren(...body.map(walletRow));
  if (!selected && body.length) selected = body[0].team_id;
  if (selected && body.some((w) => w.team_id === selected)) await refreshDetail(selected);
  showError(section, null);
}

export function start(s) {
  section = s;
  shownDetail = '';
  stopPolling = every(2000, () => refresh().catch((e) => showError(section, e)));
}

export function stop() {
  if (stopPolling) stopPolling();
  stopPolling = null;
  if (chart) chart.destroy();
  chart = null;
}
