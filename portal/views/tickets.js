// A customer's tickets: newest activity first (the API's order), filter by status, search words.
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { STATUSES, field, errorBox, ticketRow, departmentNames, select, pagedTickets } from './common.js';

export async function ticketsView(root, ctx) {
  const status = ctx.query.get('status') || '';
  const q = ctx.query.get('q') || '';
  const statusField = field(t('list.status'), select([['', t('list.allStatuses')], ...STATUSES.map((s) => [s, t(`status.${s}`)])], status));
  const qField = field(t('list.search'), h('input', { type: 'search', value: q, maxlength: 200 }));
  const form = h('form', { class: 'filters', role: 'search', onsubmit: (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    if (statusField.control.value) params.set('status', statusField.control.value);
    if (qField.control.value.trim()) params.set('q', qField.control.value.trim());
    ctx.navigate(`#/tickets${params.size ? `?${params}` : ''}`);
  } }, statusField.wrap, qField.wrap, h('button', { type: 'submit' }, t('list.apply')));

  const errors = errorBox();
  const list = h('ul', { class: 'ticket-list', 'aria-label': t('list.resultsLabel') });
  const more = h('div', { class: 'more' });
  replace(root, 
    h('div', { class: 'heading-row' }, h('h1', {}, t('list.title')), h('a', { class: 'button', href: '#/new' }, t('nav.new'))),
    form, errors.el, list, more);

  const { names } = await departmentNames(request);
  await pagedTickets(ctx, {
    list, more, errors,
    page: async (cursor) => (await request('GET', '/tickets', { query: { status, q, cursor, limit: 20 } })).data,
    row: (ticket) => ticketRow(ticket, { departments: names }),
    emptyText: () => (q || status ? t('list.noMatches') : t('list.empty')),
  });
}
