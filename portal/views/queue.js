// Operators: the queue (by department and status; unassigned first, then the most urgent, then
// the customer who has waited longest: the API's sort=queue order) and their own tickets.
// Priority and tags show on each row and filter the list (?priority=, ?tag=). Also: find any
// ticket by its ID.
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { STATUSES, field, errorBox, ticketRow, departmentNames, select, pagedTickets } from './common.js';
import { PRIORITIES, TAG_PATTERN, TAG_LENGTH_MAX, rowAttributes } from './ticket-attributes.js';

export async function queueView(root, ctx) {
  const mine = ctx.mode === 'mine';
  const base = mine ? '#/mine' : '#/queue';
  const status = ctx.query.has('status') ? ctx.query.get('status') : (mine ? '' : 'OPEN');
  const department = ctx.query.get('department') || '';
  const q = ctx.query.get('q') || '';
  const priority = ctx.query.get('priority') || '';
  const tag = ctx.query.get('tag') || '';
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
  const priorityField = field(t('attributes.priority'), select([['', t('queue.allPriorities')], ...PRIORITIES.map((p) => [p, t(`priority.${p}`)])], priority));
  const tagField = field(t('queue.tag'), h('input', { type: 'text', value: tag, maxlength: TAG_LENGTH_MAX, autocomplete: 'off', spellcheck: 'false' }));
  const filters = h('form', { class: 'filters', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    tagField.setError(null);
    const typedTag = tagField.control.value.trim().toLowerCase();
    if (typedTag && !TAG_PATTERN.test(typedTag)) { tagField.setError(t('attributes.tagCharacters')); tagField.control.focus(); return; }
    // status is always written (even empty) so "all statuses" is not replaced by the default.
    const params = new URLSearchParams({ status: statusField.control.value });
    if (deptField.control.value) params.set('department', deptField.control.value);
    if (priorityField.control.value) params.set('priority', priorityField.control.value);
    if (typedTag) params.set('tag', typedTag);
    if (qField.control.value.trim()) params.set('q', qField.control.value.trim());
    ctx.navigate(`${base}?${params}`);
  } }, mine ? null : deptField.wrap, statusField.wrap, priorityField.wrap, tagField.wrap, qField.wrap, h('button', { type: 'submit' }, t('list.apply')));

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
      // The queue comes in its order from the API (sort=queue), page after page; never re-sorted here.
      const query = { status, department: mine ? '' : department, priority, tag, q, cursor, limit: 50 };
      if (mine) query.assignee = ctx.session.id;
      else query.sort = 'queue';
      const { data } = await request('GET', '/tickets', { query });
      return data;
    },
    row: (ticket) => ticketRow(ticket, { departments: names, showAssignee: true, extra: rowAttributes(ticket) }),
    emptyText: () => t('queue.empty'),
  });
}
