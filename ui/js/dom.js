// Small DOM helpers. Text goes in through textContent only: events carry names that clients chose.
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : String(c ?? ''));
  return e;
}

export const td = (text, props = {}) => el('td', props, text ?? '—');
export const num = (text, field) => el('td', { class: 'num', 'data-field': field }, text ?? '—');

// Runs fn now and then `ms` after each run ends (never two at once); returns the stop function.
export function every(ms, fn) {
  let timer = null;
  let stopped = false;
  const tick = async () => {
    try { await fn(); } catch (e) { if (!stopped) console.warn(e); }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  tick();
  return () => { stopped = true; clearTimeout(timer); };
}

// "2026-12-07T02:20:11.123456Z" -> "2026-12-07 02:20:11 UTC"
export function shortTime(rfc3339) {
  if (!rfc3339) return '—';
  return String(rfc3339).replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

// Errors of a view, shown above it (a 401 is handled by the sign-in instead).
export function showError(section, error) {
  let p = section.querySelector('.view-error');
  if (!p) { p = el('p', { class: 'error view-error', role: 'alert' }); section.prepend(p); }
  p.textContent = error ? String(error.message ?? error) : '';
}
