// Recent decision events, newest first, following new ones live: GET /v1/events each second from the
// newest sequence number seen (X-Kt-Last-Seq), as `kt events tail --follow` does. Filters apply in
// the page, to what is shown and to what arrives.
import { get } from './api.js';
import { el, td, num, every, shortTime, showError } from './dom.js';

const KEEP = 1000;           // events held in the page
const VERDICTS = { allow: 'allowed', block: 'refused', redact: 'redacted', error: 'error' };
let stopPolling = null;
let all = [];                // oldest first
let lastSeq = null;
let section = null;

function filters() {
  const f = new FormData(section.querySelector('#event-filters'));
  return {
    team: String(f.get('team') || '').trim(),
    verdict: String(f.get('verdict') || ''),
    reason: String(f.get('reason') || '').trim().toLowerCase(),
    model: String(f.get('model') || '').trim().toLowerCase(),
  };
}

function matches(ev, f) {
  if (f.team && ev.team_id !== f.team && ev.consumer_group !== f.team) return false;
  if (f.verdict && ev.decision !== f.verdict) return false;
  if (f.reason && !String(ev.reason ?? '').toLowerCase().includes(f.reason)) return false;
  if (f.model && !String(ev.model ?? '').toLowerCase().includes(f.model)) return false;
  return true;
}

function row(ev, fresh) {
  const refused = ev.decision === 'block';
  const tokens = ev.usage ? ev.usage.total_tokens : null;
  return el('tr', { class: `${refused ? 'refused' : ''} ${fresh ? 'fresh' : ''}`.trim(), 'data-id': ev.id, 'data-request': ev.request_id,
                    'data-verdict': ev.decision, 'data-status': ev.status },
    td(shortTime(ev.timestamp)), td(ev.id), td(ev.team_id), td(ev.consumer_group), td(ev.model),
    td(VERDICTS[ev.decision] ?? ev.decision, { class: 'verdict', 'data-field': 'verdict' }),
    td(ev.status, { 'data-field': 'status' }), td(ev.reason),
    num(tokens, 'tokens'), num(ev.cost, 'cost'));
}

function render(freshIds = new Set()) {
  const f = filters();
  const rows = [];
  for (let i = all.length - 1; i >= 0; --i)
    if (matches(all[i], f)) rows.push(row(all[i], freshIds.has(all[i].id)));
  section.querySelector('#events-table tbody').replaceChildren(...rows);
  const teams = new Set(all.flatMap((e) => [e.team_id, e.consumer_group]).filter(Boolean));
  section.querySelector('#team-names').replaceChildren(...[...teams].sort().map((t) => el('option', { value: t })));
}

async function poll() {
  const first = lastSeq === null;
  const query = first ? 'type=decision&last=200' : `type=decision&last=1000&after_seq=${lastSeq}`;
  const { body, headers } = await get(`/v1/events?${query}`);
  lastSeq = headers.get('X-Kt-Last-Seq') ?? lastSeq ?? '0';
  showError(section, null);
  if (!first && body.length === 0) return;
  const known = new Set(all.map((e) => e.id));
  const added = body.filter((e) => !known.has(e.id));
  all = all.concat(added).sort((a, b) => String(a.timestamp).localeCompare(String(b.timestamp))).slice(-KEEP);
  render(first ? new Set() : new Set(added.map((e) => e.id)));
}

export function start(s) {
  section = s;
  all = [];
  lastSeq = null;
  section.querySelector('#event-filters').oninput = () => render();
  stopPolling = every(1000, () => poll().catch((e) => showError(section, e)));
}

export function stop() {
  if (stopPolling) stopPolling();
  stopPolling = null;
}
