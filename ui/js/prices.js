// The price book: the versions in force now and those scheduled (GET /v1/model-pricing?include=scheduled).
import { get } from './api.js';
import { el, td, num, every, shortTime, showError } from './dom.js';

let stopPolling = null;

function row(p) {
  return el('tr', { 'data-model': p.model, 'data-version': p.version, class: p.scheduled ? 'scheduled' : '' },
    td(p.model), td(p.provider), num(p.input_cost_per_1k_tokens, 'input'), num(p.cached_input_cost_per_1k_tokens, 'cached_input'),
    num(p.output_cost_per_1k_tokens, 'output'), num(p.version, 'version'), td(shortTime(p.effective_from)),
    td(p.scheduled ? 'scheduled' : 'in force'));
}

export function start(section) {
  stopPolling = every(10000, async () => {
    try {
      const { body } = await get('/v1/model-pricing?include=scheduled');
      section.querySelector('#prices-table tbody').replaceChildren(...body.map(row));
      showError(section, null);
    } catch (e) { showError(section, e); }
  });
}

export function stop() {
  if (stopPolling) stopPolling();
  stopPolling = null;
}
