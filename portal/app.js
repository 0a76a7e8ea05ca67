// Boot and hash router. Every view is `async (root, ctx)`: it fills `root` (starting with an <h1>);
// after it resolves the app moves focus to that heading, so screen-reader and keyboard users land
// on the new page's title.
import { h, replace } from './dom.js';
import { t, getLang, setLang, languages } from './i18n/index.js';
import { setBaseUrl, setUnauthorizedHandler } from './api.js';
import { session, signOut, cognitoCallback, forget } from './auth.js';
import { resolve, home, signinFor } from './router.js';
import { notFoundView } from './views/not-found.js';
import { confirmDialog } from './views/common.js';
import { signinView } from './views/signin.js';
import { ticketsView } from './views/tickets.js';
import { ticketView } from './views/ticket.js';
import { newTicketView } from './views/new-ticket.js';
import { accountView } from './views/account.js';
import { confirmView } from './views/confirm.js';
import { rateView } from './views/rating.js';
import { queueView } from './views/queue.js';
import { cannedView } from './views/canned.js';
import { reportsView } from './views/reports.js';
import { settingsView } from './views/settings.js';
import { newForCustomerView } from './views/new-for-customer.js';

const main = document.getElementById('main');
const live = document.getElementById('live');
const nav = document.getElementById('nav');
let config = { apiUrl: '', auth: { mode: 'local' } };
let pendingMessage = null;

let spoken = 0;
/** Say something in the polite live region (also visible). */
export function announce(text) {
  const mine = ++spoken;
  live.textContent = '';
  // A fresh text change after clearing is what makes screen readers read it again.
  setTimeout(() => { if (mine === spoken) live.textContent = text; }, 30);
}
/** Empty the live region, and drop a message still on its way to it. */
function quiet() {
  spoken += 1;
  live.textContent = '';
}

export function navigate(hash, message) {
  pendingMessage = message || null;
  if (location.hash === hash) render(); else location.hash = hash;
}

const VIEWS = { signin: signinView, tickets: ticketsView, ticket: ticketView, new: newTicketView, account: accountView, confirm: confirmView, rate: rateView, queue: queueView, canned: cannedView, reports: reportsView, settings: settingsView, newForCustomer: newForCustomerView, notFound: notFoundView };

function renderNav(who, path) {
  const links = !who ? [] : who.role === 'operator'
    ? [['#/queue', t('nav.queue')], ['#/mine', t('nav.mine')], ['#/new-for', t('nav.newForCustomer')], ['#/canned', t('nav.canned')], ['#/reports', t('nav.reports')], ['#/settings', t('nav.settings')]]
    : [['#/tickets', t('nav.tickets')], ['#/new', t('nav.new')], ['#/account', t('nav.account')]];
  const langId = 'ui-lang';
  replace(nav,
    h('ul', { class: 'nav-links' }, links.map(([href, label]) =>
      h('li', {}, h('a', { href, 'aria-current': path === href ? 'page' : null }, label)))),
    h('div', { class: 'nav-tools' },
      h('label', { for: langId }, t('nav.language')),
      h('select', { id: langId, onchange: (e) => { setLang(e.target.value); render(); } },
        languages().map((code) => h('option', { value: code, selected: code === getLang() }, t(`lang.${code}`)))),
      who ? h('span', { class: 'who' }, t('nav.signedInAs', { email: who.email })) : null,
      who ? h('button', { type: 'button', class: 'secondary', onclick: () => { signOut(config.auth); navigate('#/signin', t('signin.signedOut')); } }, t('nav.signOut')) : null));
}

let renderCount = 0;
async function render() {
  const who = session();
  const hash = location.hash || '';
  const found = resolve(hash, who);
  if (found.redirect && found.redirect !== hash) { location.replace(found.redirect); return; }
  const view = VIEWS[found.view] || VIEWS.notFound;
  const { params = [], query = new URLSearchParams(), mode } = found;
  // A message belongs to the action that caused it: a new screen starts with an empty live region
  // (the message an action passed to navigate() is said once the new screen is there).
  quiet();
  renderNav(who, found.path);
  document.getElementById('app-name').textContent = t('app.name'); // follows a language switch
  document.getElementById('skip').textContent = t('nav.skip');
  const root = h('div', { class: 'view' }, h('p', { class: 'loading' }, t('common.loading')));
  replace(main, root);
  const message = pendingMessage;
  pendingMessage = null;
  const mine = ++renderCount;
  const ctx = { config, session: who, params, query, mode, home: home(who), announce, navigate, confirm: confirmDialog, isCurrent: () => mine === renderCount };
  try {
    await view(root, ctx);
  } catch (error) {
    console.error(error);
    replace(root, h('h1', {}, t('error.title')), h('p', { role: 'alert' }, t('error.unexpected')));
  }
  if (mine !== renderCount) return;
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    document.title = `${heading.textContent} · ${t('app.name')}`;
  }
  if (message) announce(message);
}

async function boot() {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (response.ok) config = await response.json();
  } catch { /* keep the local defaults */ }
  setBaseUrl(config.apiUrl);
  // An expired session goes to sign-in and comes back to the screen it was on.
  setUnauthorizedHandler(() => { forget(); navigate(signinFor(location.hash), t('error.not_authenticated')); });
  // The skip link moves focus to the content; as a hash change it would be a route.
  document.getElementById('skip').addEventListener('click', (event) => { event.preventDefault(); main.focus(); });
  if (config.auth?.mode === 'cognito') {
    try {
      const back = await cognitoCallback(config.auth);
      if (back !== null) pendingMessage = t('signin.welcome');
    } catch (error) {
      pendingMessage = t('signin.failed', { reason: error.message });
    }
  }
  window.addEventListener('hashchange', render);
  render();
}

boot();
