// Operators: the desk's canned replies (title, optional department, body with placeholders),
// listed by title; create, change (If-Match: the version loaded) and delete (asks first). The
// ticket screen's reply box inserts them with the placeholders filled (fillPlaceholders).
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { field, counter, errorBox, departmentNames, select } from './common.js';

const TITLE_MAX = 120;
const BODY_MAX = 10000;
export const PLACEHOLDERS = ['ticket_id', 'customer_name', 'operator_name'];

/** A canned reply's body with {{ticket_id}}, {{customer_name}} and {{operator_name}} filled in (as text). */
export function fillPlaceholders(body, values) {
  return String(body).replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (whole, name) =>
    (PLACEHOLDERS.includes(name) && values[name] ? values[name] : whole));
}

export async function cannedView(root, ctx) {
  const { list: departments, names } = await departmentNames(request);
  if (!ctx.isCurrent()) return;
  let editing = null; // the reply being changed, or null for a new one

  const heading = h('h1', {}, t('canned.title'));
  const errors = errorBox();
  const list = h('ul', { class: 'canned-list', 'aria-label': t('canned.listLabel') });

  const formHeading = h('h2', {}, t('canned.new'));
  const titleField = field(t('canned.titleLabel'), h('input', { type: 'text', maxlength: TITLE_MAX, autocomplete: 'off' }), { hint: ' ' });
  counter(titleField, TITLE_MAX);
  const deptField = field(t('canned.department'), select([['', t('canned.allDepartments')], ...departments.map((d) => [d.id, d.name])], ''));
  const bodyField = field(t('canned.body'), h('textarea', { rows: 8, maxlength: BODY_MAX }), { hint: ' ' });
  counter(bodyField, BODY_MAX);
  const placeholders = h('p', { class: 'hint' }, t('canned.placeholders', { list: PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ') }));
  const formErrors = errorBox();
  const save = h('button', { type: 'submit' }, t('canned.save'));
  const cancelEdit = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => startNew() }, t('canned.cancelEdit'));
  const form = h('form', { class: 'canned-form card', novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } },
    formHeading, titleField.wrap, deptField.wrap, placeholders, bodyField.wrap, formErrors.el, h('div', { class: 'actions' }, save, cancelEdit));
  const fields = { title: titleField, body: bodyField, department: deptField };

  function startNew() {
    editing = null;
    formHeading.textContent = t('canned.new');
    titleField.control.value = '';
    bodyField.control.value = '';
    deptField.control.value = '';
    for (const f of [titleField, bodyField]) f.control.dispatchEvent(new Event('input'));
    cancelEdit.hidden = true;
    formErrors.clear(fields);
  }

  function startEdit(reply) {
    editing = reply;
    formHeading.textContent = t('canned.editing', { title: reply.title });
    titleField.control.value = reply.title;
    bodyField.control.value = reply.body;
    deptField.control.value = reply.department || '';
    for (const f of [titleField, bodyField]) f.control.dispatchEvent(new Event('input'));
    cancelEdit.hidden = false;
    formErrors.clear(fields);
    titleField.control.focus();
  }

  async function submit() {
    formErrors.clear(fields);
    const body = {
      title: titleField.control.value.trim(),
      body: bodyField.control.value,
      department: deptField.control.value || null,
    };
    let invalid = false;
    if (!body.title) { titleField.setError(t('canned.titleEmpty')); invalid = true; }
    if (!body.body.trim()) { bodyField.setError(t('canned.bodyEmpty')); invalid = true; }
    if (invalid) { (body.title ? bodyField : titleField).control.focus(); return; }
    save.disabled = true;
    try {
      if (editing) {
        await request('PUT', `/canned-replies/${encodeURIComponent(editing.id)}`, { body, version: editing.version });
      } else {
        await request('POST', '/canned-replies', { body });
      }
      const done = editing ? t('canned.changed', { title: body.title }) : t('canned.created', { title: body.title });
      startNew();
      await load();
      ctx.announce(done);
    } catch (error) {
      if (error.code === 'version_conflict') formErrors.text(h('p', {}, t('canned.conflict')));
      else formErrors.show(error, fields);
      formErrors.el.focus();
    } finally {
      save.disabled = false;
    }
  }

  async function remove(reply) {
    const yes = await ctx.confirm({
      title: t('canned.confirmDeleteTitle'),
      text: t('canned.confirmDelete', { title: reply.title }),
      confirmLabel: t('canned.confirmDeleteYes'),
    });
    if (!yes) return;
    try {
      await request('DELETE', `/canned-replies/${encodeURIComponent(reply.id)}`);
      if (editing?.id === reply.id) startNew();
      await load();
      ctx.announce(t('canned.deleted', { title: reply.title }));
      heading.focus();
    } catch (error) {
      errors.show(error);
      errors.el.focus();
    }
  }

  function item(reply) {
    return h('li', { class: 'canned card' },
      h('h3', {}, reply.title),
      h('p', { class: 'meta' }, reply.department ? names[reply.department] || reply.department : t('canned.allDepartments')),
      h('p', { class: 'canned-body' }, reply.body),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary small', 'aria-label': t('canned.editLabel', { title: reply.title }), onclick: () => startEdit(reply) }, t('canned.edit')),
        h('button', { type: 'button', class: 'secondary small', 'aria-label': t('canned.deleteLabel', { title: reply.title }), onclick: () => remove(reply) }, t('canned.delete'))));
  }

  async function load() {
    const { data } = await request('GET', '/canned-replies');
    replace(list, data.items.length ? data.items.map(item) : h('li', { class: 'empty' }, t('canned.empty')));
  }

  try {
    await load();
  } catch (error) {
    errors.show(error);
  }
  if (!ctx.isCurrent()) return;
  replace(root, heading, h('p', { class: 'hint' }, t('canned.intro')), errors.el, list, form);
}
