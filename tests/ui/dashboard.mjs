// The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core), against
// the kt api serve + gateway + mock upstream that tests/integration/dashboard_test.sh started.
// Env: API_URL, GW_URL, VIEWER (a viewer token), ARTIFACTS (screenshots), CHROMIUM (its path).
// Exits 1 on the first failed check, naming it.
import { chromium } from 'playwright-core';

const { API_URL, GW_URL, VIEWER, ARTIFACTS } = process.env;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const REQUEST = { model: 'gpt-4o-mini', max_tokens: 1000, messages: [{ role: 'user', content: 'ok [mock:completion_tokens=900]' }] };
const FIELDS = ['budget', 'spent', 'reserved', 'leased', 'remaining', 'usage_percent'];

let failures = 0;
const ok = (what) => console.log(`ok: ${what}`);
function check(cond, what, detail = '') {
  if (cond) ok(what);
  else { failures++; console.error(`FAIL: ${what}${detail ? `: ${detail}` : ''}`); }
}

// A field of a flat JSON object as the API wrote it (Node 20's JSON.parse would round money through doubles).
function rawField(text, name) {
  const m = new RegExp(`"${name}":("[^"]*"|-?[0-9][0-9.eE+-]*)`).exec(text);
  return m ? m[1].replace(/^"|"$/g, '') : undefined;
}

async function apiText(path) {
  const res = await fetch(API_URL + path, { headers: { Authorization: `Bearer ${VIEWER}` } });
  return res.text();
}

async function chat(group) {
  const res = await fetch(`${GW_URL}/v1/chat/completions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Consumer-Group': group }, body: JSON.stringify(REQUEST),
  });
  await res.text();
  return { status: res.status, requestId: res.headers.get('x-kt-request-id'), at: Date.now() };
}

async function signIn(page, token) {
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleErrors = [];
  // The browser logs every refused call (the 401s this test provokes) as an error: those are expected.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(API_URL)) outside.push(r.url()); });

  // --- The page needs no token; its data does: the sign-in comes first.
  await page.goto(`${API_URL}/ui/`);
  await page.waitForSelector('#login:not([hidden])', { timeout: 5000 });
  await page.screenshot({ path: `${ARTIFACTS}/login.png` });
  ok('the page loads without a token and asks for one');

  // --- A wrong token: refused, the sign-in again, nothing kept.
  await signIn(page, 'kt_tok_' + '0'.repeat(64));
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0, null, { timeout: 5000 });
  check(await page.isVisible('#login'), 'a wrong token gets the sign-in again');
  check(await page.evaluate(() => sessionStorage.getItem('kt.token')) === null, 'a refused token is not kept');
  await page.screenshot({ path: `${ARTIFACTS}/login-refused.png` });

  // --- Teams: the same figures as GET /v1/wallets/balance, to the nano-dollar.
  await signIn(page, VIEWER);
  await page.waitForSelector('#view-teams:not([hidden]) tr[data-team="team_engineering"]', { timeout: 5000 });
  check(!page.url().includes(VIEWER), 'the token is not in the URL');
  check(await page.evaluate(() => sessionStorage.getItem('kt.token')) === VIEWER, 'the token is kept in the tab (sessionStorage)');
  for (const team of ['team_engineering', 'team_marketing']) {
    const balance = await apiText(`/v1/wallets/balance?team_id=${team}`);
    for (const f of FIELDS) {
      const want = rawField(balance, f) + (f === 'usage_percent' ? '%' : '');
      const sel = `tr[data-team="${team}"] [data-field="${f}"]`;
      const got = await page.textContent(sel);
      check(got === want, `${team} ${f} on the page = the API's (${want})`, `page shows ${got}`);
    }
    const status = rawField(balance, 'status');
    check(await page.textContent(`tr[data-team="${team}"] [data-field="status"]`) === status, `${team} status ${status}`);
  }
  await page.click('tr[data-team="team_engineering"]');
  await page.waitForSelector('#team-detail:not([hidden]) #burndown canvas', { timeout: 5000 });
  const spend = await apiText('/v1/spend?team=team_engineering&by=model');
  const modelCost = rawField(spend.slice(spend.indexOf('"rows"')), 'cost');
  check(await page.textContent('#by-model tr[data-key="gpt-4o-mini"] [data-field="cost"]') === modelCost,
    `spend by model: gpt-4o-mini ${modelCost}`);
  check((await page.$$('#by-day tbody tr[data-key]')).length >= 1, 'spend by day');
  check(await page.textContent('#by-group tr[data-key="engineering"] [data-field="cost"]') === modelCost, 'spend by group: engineering');
  check((await page.textContent('#team-forecast')).length > 0, 'the forecast sentence');
  await page.screenshot({ path: `${ARTIFACTS}/teams.png`, fullPage: true });

  // --- Events: live. A new request shows within 2 s of its answer; a refusal shows as refused.
  await page.click('#tabs a[data-view=events]');
  await page.waitForSelector('#view-events:not([hidden]) #events-table tbody tr', { timeout: 5000 });
  const allowed = await chat('kt_cg_engineering_abc123');
  check(allowed.status === 200, 'a new request answered 200');
  await page.waitForSelector(`tr[data-request="${allowed.requestId}"]`, { timeout: 2000 });
  check(Date.now() - allowed.at <= 2000, `the new request shows in the events view within 2 s (${Date.now() - allowed.at} ms)`);
  const refused = await chat('kt_cg_marketing_def456');
  check(refused.status === 402, 'a request over the budget refused with 402', `got ${refused.status}`);
  await page.waitForSelector(`tr[data-request="${refused.requestId}"]`, { timeout: 2000 });
  const row = `tr[data-request="${refused.requestId}"]`;
  check(await page.textContent(`${row} [data-field="verdict"]`) === 'refused', 'the refusal shows as refused');
  check(await page.textContent(`${row} [data-field="status"]`) === '402', 'with its 402');
  check(await page.$eval(row, (tr) => tr.classList.contains('refused')), 'marked as refused');
  // Filters: verdict refused shows only refusals; a model filter that matches nothing empties the table.
  await page.selectOption('#event-filters select[name=verdict]', 'block');
  const verdicts = await page.$$eval('#events-table tbody tr', (trs) => trs.map((t) => t.dataset.verdict));
  check(verdicts.length > 0 && verdicts.every((v) => v === 'block'), 'the verdict filter keeps only refusals', verdicts.join(','));
  await page.screenshot({ path: `${ARTIFACTS}/events-refused.png`, fullPage: true });
  await page.selectOption('#event-filters select[name=verdict]', '');
  await page.fill('#event-filters input[name=team]', 'marketing');
  const teams = await page.$$eval('#events-table tbody tr', (trs) => trs.map((t) => t.children[3].textContent));
  check(teams.length > 0 && teams.every((t) => t === 'marketing'), 'the team filter', teams.join(','));
  await page.fill('#event-filters input[name=team]', '');
  await page.screenshot({ path: `${ARTIFACTS}/events.png`, fullPage: true });

  // --- Alerts: the 50 % threshold marketing crossed.
  await page.click('#tabs a[data-view=alerts]');
  await page.waitForSelector('#alerts-table tr[data-kind="budget_threshold"]', { timeout: 5000 });
  ok('the budget threshold alert is listed');
  await page.screenshot({ path: `${ARTIFACTS}/alerts.png`, fullPage: true });

  // --- Price book: the version in force and a scheduled one.
  await page.click('#tabs a[data-view=prices]');
  await page.waitForSelector('#prices-table tr[data-model="gpt-4o-mini"]', { timeout: 5000 });
  check(await page.textContent('#prices-table tr[data-model="gpt-4o-mini"]:not(.scheduled) [data-field="input"]') === '0.00015',
    'the price in force, exact');
  check(await page.textContent('#prices-table tr[data-model="gpt-4o-mini"].scheduled [data-field="output"]') === '0.0007',
    'the scheduled version');
  await page.screenshot({ path: `${ARTIFACTS}/prices.png`, fullPage: true });

  // --- A token the API stops accepting mid-session: the next call's 401 brings the sign-in back.
  await page.click('#tabs a[data-view=events]');
  await page.evaluate(() => sessionStorage.setItem('kt.token', 'kt_tok_' + 'f'.repeat(64)));
  await page.waitForSelector('#login:not([hidden])', { timeout: 5000 });
  check(await page.evaluate(() => sessionStorage.getItem('kt.token')) === null, 'a 401 clears the token');
  check(await page.isHidden('#tabs'), 'and hides the views');

  check(outside.length === 0, 'the page fetched nothing from elsewhere', outside.join(' '));
  check(consoleErrors.length === 0, 'no error in the browser console (CSP included)', consoleErrors.join(' | '));
} finally {
  await browser.close();
}
if (failures) {
  console.error(`${failures} browser check(s) failed`);
  process.exit(1);
}
console.log('all browser checks passed');
