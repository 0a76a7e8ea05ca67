// Operators: the customer beside the thread. The account's confirmed addresses (GET
// /accounts/lookup?account_id=) and its other tickets, most recent first (GET /tickets?account_id=,
// the customer's own listing), with a way to open a new ticket for this customer. Each part
// says so when it cannot be loaded; the thread works without it.
import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n/index.js';
import { request, errorText } from '../api.js';
import { statusBadge } from './common.js';
import { rowAttributes } from './ticket-attributes.js';

const OTHER_TICKETS = 10;

export function customerPanel(ticket) {
  const addresses = h('div', { class: 'panel-part' }, h('p', { class: 'loading' }, t('common.loading')));
  const others = h('div', { class: 'panel-part' }, h('p', { class: 'loading' }, t('common.loading')));
  const panel = h('aside', { class: 'customer-panel card', 'aria-labelledby': 'customer-panel-title' },
    h('h2', { id: 'customer-panel-title' }, t('panel.title')),
    h('p', { class: 'panel-account' }, t('panel.account', { account: ticket.account_id })),
    h('h3', {}, t('panel.addresses')), addresses,
    h('h3', {}, t('panel.otherTickets')), others,
    h('p', {}, h('a', { href: `#/new-for?${new URLSearchParams({ account: ticket.account_id })}` }, t('panel.newTicket'))));
  load(ticket, addresses, others);
  return panel;
}

async function load(ticket, addresses, others) {
  const [card, page] = await Promise.allSettled([
    request('GET', '/accounts/lookup', { query: { account_id: ticket.account_id } }),
    request('GET', '/tickets', { query: { account_id: ticket.account_id, limit: OTHER_TICKETS + 1 } }),
  ]);
  if (card.status === 'fulfilled') {
    replace(addresses, h('ul', { class: 'panel-addresses' }, card.value.data.emails.map((e) =>
      h('li', {}, h('a', { href: `mailto:${e.email}` }, e.email), e.primary ? ` (${t('panel.primary')})` : ''))));
  } else {
    // 404: no address is confirmed on the account (the desk cannot mail it).
    replace(addresses, h('p', {}, card.reason.status === 404 ? t('panel.noAddresses') : errorText(card.reason)));
  }
  if (page.status === 'fulfilled') {
    const items = page.value.data.items.filter((x) => x.id !== ticket.id).slice(0, OTHER_TICKETS);
    replace(others, items.length
      ? h('ul', { class: 'panel-tickets' }, items.map((x) => h('li', {},
        h('a', { href: `#/tickets/${encodeURIComponent(x.id)}` }, x.subject), ' ',
        h('span', { class: 'row-id' }, x.id), ' ', statusBadge(x.status), ...rowAttributes(x),
        h('span', { class: 'panel-when' }, t('list.updated', { when: formatTime(x.updated_at) })))))
      : h('p', {}, t('panel.noOtherTickets')));
  } else {
    replace(others, h('p', {}, errorText(page.reason)));
  }
}
