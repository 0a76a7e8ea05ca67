// The customer's account: the language of the mail the help desk sends, and the e-mail
// addresses authorized to open and answer tickets by mail.
import { h, replace, keepDraft, saveDraft } from '../dom.js';
import { t, formatTime } from '../i18n/index.js';
import { request } from '../api.js';
import { field, errorBox, select } from './common.js';

export async function accountView(root, ctx) {
  const langErrors = errorBox();
  const emailErrors = errorBox();
  const langField = field(t('account.mailLanguage'), select([['es', t('lang.es')], ['en', t('lang.en')]], 'es'), { hint: t('account.mailLanguageHint') });
  const saveLang = h('button', { type: 'submit' }, t('common.save'));
  const langForm = h('form', { class: 'card', onsubmit: async (e) => {
    e.preventDefault();
    langErrors.clear({ language: langField });
    saveLang.disabled = true;
    try {
      await request('PUT', '/account', { body: { language: langField.control.value } });
      ctx.announce(t('account.languageSaved'));
    } catch (error) {
      langErrors.show(error, { language: langField });
    } finally {
      saveLang.disabled = false;
    }
  } }, h('h2', {}, t('account.mailTitle')), langField.wrap, langErrors.el, saveLang);

  const list = h('ul', { class: 'emails' });
  const emailField = field(t('account.addEmail'), h('input', { type: 'email', autocomplete: 'email', maxlength: 254 }));
  keepDraft(emailField.control, 'account.email');
  const add = h('button', { type: 'submit' }, t('account.add'));
  const emailForm = h('form', { class: 'inline-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    emailErrors.clear({ email: emailField });
    const email = emailField.control.value.trim();
    if (!email.includes('@')) { emailField.setError(t('field.email.invalid')); emailField.control.focus(); return; }
    add.disabled = true;
    try {
      const { status } = await request('POST', '/account/emails', { body: { email } });
      emailField.control.value = '';
      saveDraft('account.email', '');
      await loadEmails();
      ctx.announce(status === 201 ? t('account.added', { email }) : t('account.alreadyAdded', { email }));
    } catch (error) {
      emailErrors.show(error, { email: emailField });
      emailField.control.focus();
    } finally {
      add.disabled = false;
    }
  } }, emailField.wrap, add);

  async function remove(email, button) {
    const yes = await ctx.confirm({
      title: t('account.confirmRemoveTitle'),
      text: t('account.confirmRemove', { email }),
      confirmLabel: t('account.remove'),
    });
    if (!yes) return;
    button.disabled = true;
    try {
      await request('DELETE', `/account/emails/${encodeURIComponent(email)}`);
      await loadEmails();
      ctx.announce(t('account.removed', { email }));
      emailField.control.focus(); // the removed row's button is gone
    } catch (error) {
      emailErrors.show(error);
      button.disabled = false;
    }
  }

  async function loadEmails() {
    const { data } = await request('GET', '/account/emails');
    replace(list, data.items.length ? data.items.map((item) => h('li', {},
      h('span', { class: 'address' }, item.email),
      item.primary ? h('span', { class: 'badge badge-primary' }, t('account.primary')) : null,
      h('span', { class: 'hint' }, t('account.addedAt', { when: formatTime(item.added_at) })),
      h('button', { type: 'button', class: 'secondary small', 'aria-label': t('account.removeLabel', { email: item.email }), onclick: (e) => remove(item.email, e.currentTarget) }, t('account.remove'))))
      : h('li', {}, t('account.noEmails')));
  }

  replace(root, 
    h('h1', {}, t('account.title')),
    h('p', {}, t('account.accountId', { id: ctx.session.accountId || '—' })),
    langForm,
    h('section', { class: 'card', 'aria-labelledby': 'emails-title' },
      h('h2', { id: 'emails-title' }, t('account.emailsTitle')),
      h('p', { class: 'hint' }, t('account.emailsHint')),
      emailErrors.el, list, emailForm));

  try {
    const { data } = await request('GET', '/account');
    langField.control.value = data.language;
  } catch (error) {
    langErrors.show(error);
  }
  try {
    await loadEmails();
  } catch (error) {
    emailErrors.show(error);
  }
}
