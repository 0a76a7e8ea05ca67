// Operators: a ticket for a customer who called or chatted. First find the account, by an address
// confirmed on it or by its id (GET /accounts/lookup); then choose how they asked (phone or chat)
// and write it down (POST /tickets with account_id and channel). The ticket is the customer's own:
// they get the receipt with the tracking ID, and its thread says who opened it and how.
import { h, replace, keepDraft, saveDraft, draft } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { field, counter, errorBox, select } from './common.js';

const SUBJECT_MAX = 200;
const BODY_MAX = 32000;
const CHANNELS = ['phone', 'chat'];

export async function newForCustomerView(root, ctx) {
  const heading = h('h1', {}, t('forCustomer.title'));
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

  // ---------------------------------------------------------------- 1. the account
  const findErrors = errorBox();
  const whoField = field(t('forCustomer.find'), h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 254 }),
    { hint: t('forCustomer.findHint') });
  const found = h('div', { class: 'found', 'aria-live': 'polite' });
  let account = null;
  const find = async (typed) => {
    findErrors.clear({ email: whoField, account_id: whoField });
    account = null;
    found.replaceChildren();
    syncForm();
    if (!typed) { whoField.setError(t('forCustomer.findEmpty')); whoField.control.focus(); return; }
    const query = typed.includes('@') ? { email: typed } : { account_id: typed };
    try {
      const { data } = await request('GET', '/accounts/lookup', { query });
      account = data;
      replace(found, h('div', { class: 'account-card card' },
        h('h2', {}, t('forCustomer.account', { account: data.account_id })),
        h('ul', {}, data.emails.map((e) => h('li', {}, e.email, e.primary ? ` (${t('panel.primary')})` : '')))));
      syncForm();
      fields.department.control.focus();
    } catch (error) {
      // 404: no account has that address confirmed (a pending one never counts), or no such account.
      if (error.status === 404) {
        findErrors.text(h('p', {}, query.email ? t('forCustomer.noAccountForEmail', { email: typed }) : t('forCustomer.noSuchAccount', { account: typed })));
      } else {
        findErrors.show(error, { email: whoField, account_id: whoField });
      }
      whoField.control.focus();
    }
  };
  const findForm = h('form', { class: 'find-id', role: 'search', novalidate: true, onsubmit: (e) => { e.preventDefault(); find(whoField.control.value.trim()); } },
    whoField.wrap, h('button', { type: 'submit' }, t('forCustomer.findButton')), findErrors.el);

  // ---------------------------------------------------------------- 2. the ticket
  const channelName = 'for-customer-channel';
  const chosen = draft('forCustomer.channel') || 'phone';
  const channels = h('fieldset', { class: 'channel-choice' }, h('legend', {}, t('forCustomer.channel')),
    CHANNELS.map((c) => h('div', { class: 'check' },
      h('input', { type: 'radio', name: channelName, id: `channel-${c}`, value: c, checked: c === chosen,
        onchange: () => saveDraft('forCustomer.channel', c) }),
      h('label', { for: `channel-${c}` }, t(`channel.${c}`)))));
  const fields = {
    department: field(t('new.department'), select([['', t('new.chooseDepartment')], ...departments.map((d) => [d.id, d.name])], draft('forCustomer.department'), { required: true })),
    subject: field(t('new.subject'), h('input', { type: 'text', required: true, maxlength: SUBJECT_MAX }), { hint: ' ' }),
    body: field(t('forCustomer.body'), h('textarea', { rows: 8, required: true, maxlength: BODY_MAX }), { hint: ' ' }),
  };
  fields.department.control.addEventListener('change', (e) => saveDraft('forCustomer.department', e.target.value));
  keepDraft(fields.subject.control, 'forCustomer.subject');
  keepDraft(fields.body.control, 'forCustomer.body');
  counter(fields.subject, SUBJECT_MAX);
  counter(fields.body, BODY_MAX);
  const submit = h('button', { type: 'submit' }, t('forCustomer.submit'));
  const ticketForm = h('form', { class: 'card', novalidate: true, 'aria-label': t('forCustomer.formLabel'), onsubmit: async (e) => {
    e.preventDefault();
    errors.clear(fields);
    if (!account) { whoField.setError(t('forCustomer.findFirst')); whoField.control.focus(); return; }
    const channel = channels.querySelector('input:checked')?.value || 'phone';
    const body = {
      account_id: account.account_id,
      channel,
      department: fields.department.control.value,
      subject: fields.subject.control.value.trim(),
      body: fields.body.control.value,
    };
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
    // The same key for a retry after a lost answer: one ticket, not two.
    const key = draft('forCustomer.key') || crypto.randomUUID();
    saveDraft('forCustomer.key', key);
    submit.disabled = true;
    try {
      const { data } = await request('POST', '/tickets', { body, headers: { 'Idempotency-Key': key } });
      for (const k of ['forCustomer.key', 'forCustomer.subject', 'forCustomer.body', 'forCustomer.department', 'forCustomer.channel']) saveDraft(k, '');
      ctx.navigate(`#/tickets/${encodeURIComponent(data.id)}`, t('forCustomer.created', { id: data.id, account: data.account_id }));
    } catch (error) {
      if (error.status !== 0 && error.status < 500) saveDraft('forCustomer.key', '');
      errors.show(error, fields);
      submit.disabled = false;
      errors.el.focus();
    }
  } }, channels, fields.department.wrap, fields.subject.wrap, fields.body.wrap, errors.el,
  h('div', { class: 'actions' }, submit, h('a', { href: '#/queue', class: 'button secondary' }, t('common.cancel'))));
  const syncForm = () => { ticketForm.hidden = !account; };
  syncForm();

  replace(root, heading, h('p', { class: 'hint' }, t('forCustomer.intro')), findForm, found, ticketForm);
  // Opened from a customer panel: the account is known already.
  const given = ctx.query.get('account');
  if (given) {
    whoField.control.value = given;
    await find(given);
  }
}
