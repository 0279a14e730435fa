// Helpers shared by the SDK tests: the SDK client for a consumer group, and exact ledger reads
// through the keeptrusts API. Money is compared as integer nano-dollars (BigInt) parsed from the
// JSON number's own text, never through a double.
import OpenAI from 'openai';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the SDK tests through tests/sdk/run.sh`);
  return v;
};
export const GW_URL = env('GW_URL');
const API_URL = env('KEEPTRUSTS_API_URL');
const API_TOKEN = env('KEEPTRUSTS_API_TOKEN');

export const HAIKU = 'Write a short haiku about cloud computing.';

// run.sh names each group sdk_<name>, key kt_cg_sdk_<name>_key_0123456789, wallet team_sdk_<name>.
export const groupKey = (name) => `kt_cg_sdk_${name}_key_0123456789`;
export const teamOf = (name) => `team_sdk_${name}`;

export function client(apiKey) {
  return new OpenAI({ baseURL: `${GW_URL}/v1`, apiKey, maxRetries: 0, timeout: 10_000 });
}

// "0.0000171" -> 17100n nano-dollars. Exact for up to 9 decimals; more is an error, not a rounding.
export function toNano(text) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
  if (!m) throw new Error(`not a plain decimal: ${text}`);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > 9) throw new Error(`more precision than nano-dollars: ${text}`);
  const nano = BigInt(m[2]) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
  return m[1] === '-' ? -nano : nano;
}

// Raw text of every `"key": <number|null>` in a JSON document, in order.
export function rawNumbers(jsonText, key) {
  const re = new RegExp(`"${key}"\\s*:\\s*(-?[0-9][0-9.eE+-]*|null)`, 'g');
  return [...jsonText.matchAll(re)].map((m) => m[1]);
}

async function apiGet(path) {
  const res = await fetch(`${API_URL}${path}`, { headers: { Authorization: `Bearer ${API_TOKEN}` } });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${text}`);
  return text;
}

// The wallet's balance with spent/reserved/budget as BigInt nano-dollars and as the API's raw text.
export async function balance(team) {
  const text = await apiGet(`/v1/wallets/balance?team_id=${encodeURIComponent(team)}`);
  // The wallet's own figures come before its forecast, whose windows have a "spent" of their own.
  const wallet = text.split('"forecast"')[0];
  const field = (k) => {
    const raw = rawNumbers(wallet, k);
    if (raw.length !== 1) throw new Error(`balance has ${raw.length} '${k}' fields: ${text}`);
    return raw[0];
  };
  return {
    raw: { spent: field('spent'), reserved: field('reserved'), budget: field('budget') },
    spent: toNano(field('spent')),
    reserved: toNano(field('reserved')),
    budget: toNano(field('budget')),
  };
}

// Settlement is asynchronous to the response: wait (bounded) until nothing is reserved any more.
export async function settledBalance(team, { spentAtLeast = 1n, timeoutMs = 5000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let b;
  for (;;) {
    b = await balance(team);
    if (b.reserved === 0n && b.spent >= spentAtLeast) return b;
    if (Date.now() > deadline) return b;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The team's decision events (the API lists them newest last), once `count` of them are there.
export async function decisionEvents(team, count, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await apiGet(`/v1/events?type=decision&last=100&team=${encodeURIComponent(team)}`);
    const events = JSON.parse(text);
    if (events.length >= count || Date.now() > deadline) return { text, events };
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Prices seeded by run.sh (tests/integration/lib.sh seed_pricing + the embedding model), per 1k tokens.
export const PRICES = {
  'gpt-4o-mini': { input: '0.00015', output: '0.0006' },
  'text-embedding-3-small': { input: '0.00002', output: '0.0006' },
};

// Exact cost in nano-dollars of a request's tokens; throws if it is not a whole nano-dollar.
export function expectedCost(model, promptTokens, completionTokens) {
  const p = PRICES[model];
  const per1k = BigInt(promptTokens) * toNano(p.input) + BigInt(completionTokens) * toNano(p.output);
  if (per1k % 1000n !== 0n) throw new Error(`cost of ${promptTokens}/${completionTokens} tokens is not whole nano-dollars`);
  return per1k / 1000n;
}

// Sum of the events' "cost" fields (null counts as 0), from their raw JSON text.
export function sumOfEventCosts(eventsText, eventCount) {
  const raw = rawNumbers(eventsText, 'cost');
  if (raw.length !== eventCount) throw new Error(`expected ${eventCount} cost fields, found ${raw.length}: ${eventsText}`);
  return raw.reduce((sum, c) => sum + (c === 'null' ? 0n : toNano(c)), 0n);
}

export async function mockHits() {
  const res = await fetch(`${env('MOCK_URL')}/_mock/stats`);
  return (await res.json()).hits;
}
