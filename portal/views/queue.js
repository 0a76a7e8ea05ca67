// Operators: the queue (by department and status; unassigned first, then the customer who has
// waited longest) and their own tickets. Also: find any ticket by its ID.
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { STATUSES, field, errorBox, ticketRow, departmentNames, select, pagedTickets } from './common.js';

// The API pages by newest activity; the queue order is applied within each page.
const queueOrder = (a, b) =>
  (a.assignee === null) !== (b.assignee === null) ? (a.assignee === null ? -1 : 1)
    : String(a.updated_at).localeCompare(String(b.updated_at));

export async function queueView(root, ctx) {
  const mine = ctx.mode === 'mine';
  const base = mine ? '#/mine' : '#/queue';
  const status = ctx.query.has('status') ? ctx.query.get('status') : (mine ? '' : 'OPEN');
  const department = ctx.query.get('department') || '';
  const q = ctx.query.get('q') || '';
  const { list: departments, names } = await departmentNames(request);
  if (!ctx.isCurrent()) return;

  // Find by ID: the API accepts "nz-12345678" or "12345678"; open the canonical ID it answers.
  const idErrors = errorBox();
  const idField = field(t('queue.findId'), h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 40 }), { hint: t('queue.findIdHint') });
  const idForm = h('form', { class: 'find-id', role: 'search', onsubmit: async (e) => {
    e.preventDefault();
    idErrors.clear({ id: idField });
    const typed = idField.control.value.trim();
    if (!typed) { idField.setError(t('queue.findIdEmpty')); idField.control.focus(); return; }
    try {
      const { data } = await request('GET', `/tickets/${encodeURIComponent(typed)}`);
      ctx.navigate(`#/tickets/${encodeURIComponent(data.id)}`);
    } catch (error) {
      idErrors.show(error);
      idField.control.focus();
    }
  } }, idField.wrap, h('button', { type: 'submit' }, t('queue.open')), idErrors.el);

  const statusField = field(t('list.status'), select([['', t('list.allStatuses')], ...STATUSES.map((s) => [s, t(`status.${s}`)])], status));
  const deptField = field(t('queue.department'), select([['', t('queue.allDepartments')], ...departments.map((d) => [d.id, d.name])], department));
  const qField = field(t('list.search'), h('input', { type: 'search', value: q, maxlength: 200 }));
  const filters = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    // status is always written (even empty) so "all statuses" is not replaced by the default.
    const params = new URLSearchParams({ status: statusField.control.value });
    if (deptField.control.value) params.set('department', deptField.control.value);
    if (qField.control.value.trim()) params.set('q', qField.control.value.trim());
    ctx.navigate(`${base}?${params}`);
  } }, mine ? null : deptField.wrap, statusField.wrap, qField.wrap, h('button', { type: 'submit' }, t('list.apply')));

  const errors = errorBox();
  const list = h('ul', { class: 'ticket-list', 'aria-label': t('list.resultsLabel') });
  const more = h('div', { class: 'more' });
  replace(root, 
    h('h1', {}, mine ? t('queue.mineTitle') : t('queue.title')),
    mine ? null : h('p', { class: 'hint' }, t('queue.orderHint')),
    idForm, filters, errors.el, list, more);

  await pagedTickets(ctx, {
    list, more, errors,
    page: async (cursor) => {
      const query = { status, department: mine ? '' : department, q, cursor, limit: 50 };
      if (mine) query.assignee = ctx.session.id;
      const { data } = await request('GET', '/tickets', { query });
      return { ...data, items: [...data.items].sort(queueOrder) };
    },
    row: (ticket) => ticketRow(ticket, { departments: names, showAssignee: true }),
    emptyText: () => t('queue.empty'),
  });
}
