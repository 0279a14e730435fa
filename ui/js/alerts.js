// Alerts: budget thresholds, projected exhaustion, spend-rate blocks (GET /v1/events?type=alert).
import { get } from './api.js';
import { el, td, every, shortTime, showError } from './dom.js';

const SHOWN = new Set(['id', 'type', 'kind', 'timestamp', 'team_id', 'consumer_group']);
let stopPolling = null;

function detail(a) {
  return Object.entries(a).filter(([k, v]) => !SHOWN.has(k) && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}=${v}`).join('  ');
}

export function start(section) {
  stopPolling = every(5000, async () => {
    try {
      const { body } = await get('/v1/events?type=alert&last=200');
      const rows = [...body].reverse().map((a) => el('tr', { 'data-id': a.id, 'data-kind': a.kind },
        td(shortTime(a.timestamp)), td(a.team_id ?? a.consumer_group), td(a.kind), td(detail(a))));
      section.querySelector('#alerts-table tbody').replaceChildren(
        ...(rows.length ? rows : [el('tr', {}, el('td', { colSpan: 4 }, 'no alerts'))]));
      showError(section, null);
    } catch (e) { showError(section, e); }
  });
}

export function stop() {
  if (stopPolling) stopPolling();
  stopPolling = null;
}
