// The dashboard's shell: sign-in, the tabs (#teams, #events, #alerts, #prices), one live view at a time.
import { get, token, whenUnauthorized, Unauthorized } from './api.js';
import * as teams from './teams.js';
import * as events from './events.js';
import * as alerts from './alerts.js';
import * as prices from './prices.js';

const views = { teams, events, alerts, prices };
const $ = (id) => document.getElementById(id);
let current = null;

function stopView() {
  if (current) current.stop();
  current = null;
  for (const s of document.querySelectorAll('.view')) s.hidden = true;
}

function showLogin(message) {
  stopView();
  $('tabs').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

function showView() {
  if (!token.get()) return showLogin('');
  const name = views[location.hash.slice(1)] ? location.hash.slice(1) : 'teams';
  stopView();
  $('login').hidden = true;
  $('tabs').hidden = false;
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === name);
  const section = $(`view-${name}`);
  section.hidden = false;
  current = views[name];
  current.start(section);
}

whenUnauthorized((message) => showLogin(message ? `Signed out: ${message}` : ''));

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const t = $('token').value.trim();
  if (!t) return;
  token.set(t);
  try {
    await get('/v1/wallets');  // checks the token once before any view starts
  } catch (err) {
    if (!(err instanceof Unauthorized)) {
      token.clear();
      showLogin(String(err.message ?? err));
    }
    return;
  }
  showView();
});

$('logout').addEventListener('click', () => {
  token.clear();
  showLogin('');
});

window.addEventListener('hashchange', showView);
showView();
