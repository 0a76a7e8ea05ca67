// Open a ticket. What is typed is kept as a draft until the ticket exists; an Idempotency-Key
// makes a retry after a lost response return the same ticket instead of a second one.
import { h, replace, keepDraft, saveDraft, draft } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { field, counter, errorBox, select, resolutionSnippet } from './common.js';
import { filePicker } from './files.js';

const SUBJECT_MAX = 200;
const BODY_MAX = 32000;
const SUGGEST_DELAY_MS = 400; // typing pauses this long before the portal asks
const SUGGESTIONS = 3;

/**
 * Deflection: while the subject is typed, the customer's own closed tickets that share its words,
 * each with the answer that solved it. Debounced; an answer that arrives after newer typing is
 * dropped; the count is announced politely; each suggestion is a link (keyboard reachable).
 */
function suggestions(subject) {
  const headingId = 'suggestions-title';
  const status = h('p', { class: 'suggestions-status', 'aria-live': 'polite' });
  const list = h('ul', { class: 'ticket-list', 'aria-labelledby': headingId });
  const panel = h('section', { class: 'suggestions', 'aria-labelledby': headingId, hidden: true },
    h('h2', { id: headingId }, t('new.suggestions.title')), status, list);
  let timer = null;
  let asked = 0;
  const show = (items) => {
    replace(list, items.map((ticket) => h('li', { class: 'ticket-row' },
      h('div', { class: 'row-main' },
        h('a', { href: `#/tickets/${encodeURIComponent(ticket.id)}`, class: 'row-subject' }, ticket.subject),
        h('span', { class: 'row-id' }, ticket.id)),
      resolutionSnippet(ticket.resolution))));
    panel.hidden = items.length === 0;
    status.textContent = items.length ? t('new.suggestions.found', { n: items.length }) : '';
  };
  const ask = async (text) => {
    const mine = ++asked;
    try {
      const { data } = await request('GET', '/tickets',
        { query: { q: text, match: 'any', status: 'CLOSED', limit: SUGGESTIONS } });
      if (mine === asked) show(data.items);
    } catch {
      if (mine === asked) show([]); // suggestions are a help: a failure just shows none
    }
  };
  subject.addEventListener('input', () => {
    clearTimeout(timer);
    const text = subject.value.trim();
    if (text.replace(/[^\p{L}\p{N}]/gu, '').length < 3) {
      asked += 1;
      show([]);
      return;
    }
    timer = setTimeout(() => ask(text), SUGGEST_DELAY_MS);
  });
  return panel;
}

export async function newTicketView(root, ctx) {
  const heading = h('h1', {}, t('new.title'));
  const errors = errorBox();
  let departments = [];
  try {
    departments = (await request('GET', '/departments')).data.items;
  } catch (error) {
    replace(root, heading, errors.el);
    errors.show(error);
    return;
  }
  if (!ctx.isCurrent()) return;

  const fields = {
    department: field(t('new.department'), select([['', t('new.chooseDepartment')], ...departments.map((d) => [d.id, d.name])], draft('new.department'), { required: true })),
    subject: field(t('new.subject'), h('input', { type: 'text', required: true, maxlength: SUBJECT_MAX }), { hint: ' ' }),
    body: field(t('new.body'), h('textarea', { rows: 10, required: true, maxlength: BODY_MAX }), { hint: ' ' }),
  };
  fields.department.control.addEventListener('change', (e) => saveDraft('new.department', e.target.value));
  keepDraft(fields.subject.control, 'new.subject');
  keepDraft(fields.body.control, 'new.body');
  counter(fields.subject, SUBJECT_MAX);
  counter(fields.body, BODY_MAX);
  const suggested = suggestions(fields.subject.control);

  // Files are uploaded as they are chosen, for the ticket about to be opened (not kept as a draft).
  const files = filePicker();
  const submit = h('button', { type: 'submit' }, t('new.submit'));
  const onSubmit = async (e) => {
    e.preventDefault();
    errors.clear(fields);
    const body = {
      department: fields.department.control.value,
      subject: fields.subject.control.value.trim(),
      body: fields.body.control.value,
    };
    // Check what we can here, in the UI language; the API checks again.
    const missing = [];
    if (!body.department) missing.push(['department', t('field.department.invalid')]);
    if (!body.subject) missing.push(['subject', t('field.subject.invalid')]);
    if (!body.body.trim()) missing.push(['body', t('field.body.invalid')]);
    if (missing.length) {
      for (const [name, text] of missing) fields[name].setError(text);
      errors.text(h('p', {}, t('new.fixFields')));
      fields[missing[0][0]].control.focus();
      return;
    }
    const uploads = files.ready();
    if (!uploads.ok) {
      errors.text(h('p', {}, uploads.reason));
      errors.el.focus();
      return;
    }
    if (uploads.ids.length) body.attachments = uploads.ids;
    const key = draft('new.key') || crypto.randomUUID();
    saveDraft('new.key', key);
    submit.disabled = true;
    submit.textContent = t('common.sending');
    try {
      const { data } = await request('POST', '/tickets', { body, headers: { 'Idempotency-Key': key } });
      for (const k of ['new.key', 'new.subject', 'new.body', 'new.department']) saveDraft(k, '');
      files.clear();
      ctx.navigate(`#/tickets/${encodeURIComponent(data.id)}`, t('new.created', { id: data.id }));
    } catch (error) {
      // Keep the key only when the ticket may exist (no answer): then a retry must not duplicate it.
      if (error.status !== 0 && error.status < 500) saveDraft('new.key', '');
      errors.show(error, fields);
      submit.disabled = false;
      submit.textContent = t('new.submit');
      errors.el.focus();
    }
  };
  replace(root, heading, errors.el,
    h('form', { class: 'card', novalidate: true, onsubmit: onSubmit },
      fields.department.wrap, fields.subject.wrap, suggested, fields.body.wrap, files.wrap,
      h('div', { class: 'actions' }, submit, h('a', { href: '#/tickets', class: 'button secondary' }, t('common.cancel')))));
}
