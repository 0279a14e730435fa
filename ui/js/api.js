// Every call the page makes to the API: the token comes from this tab's sessionStorage (never a URL),
// JSON numbers are kept as the exact text the API wrote (money is an exact decimal: a double would
// round it), and a 401 from any call forgets the token and brings the sign-in back.
const KEY = 'kt.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

export class Unauthorized extends Error {}

let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

// JSON.parse with source text access (Chromium 114+): every number becomes its literal's text.
export function parseExact(text) {
  return JSON.parse(text, (key, value, context) =>
    typeof value === 'number' ? (context && context.source !== undefined ? context.source : String(value)) : value);
}

export async function get(path) {
  const t = token.get();
  if (!t) {
    onUnauthorized('');
    throw new Unauthorized('not signed in');
  }
  const res = await fetch(path, { headers: { Authorization: `Bearer ${t}` }, cache: 'no-store' });
  const text = await res.text();
  let body = null;
  try { body = text ? parseExact(text) : null; } catch { body = null; }
  if (res.status === 401) {
    token.clear();
    const message = body?.error?.message ?? 'the API refused the token';
    onUnauthorized(message);
    throw new Unauthorized(message);
  }
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status} from ${path}`);
  return { body, headers: res.headers };
}
