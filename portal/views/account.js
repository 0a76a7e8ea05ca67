// The customer's account: the language of the mail the help desk sends, and the e-mail
// addresses that may open and answer tickets by mail: pending until their owner confirms them
// from our mail (views/confirm.js), then confirmed; a pending one can be sent its mail again. An
// address our mail no longer reaches (it bounced for good, or our mail was marked as spam) says
// so, and the customer who fixed it confirms it again (a new confirmation mail).
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
      ctx.announce(status === 202 ? t('account.added', { email }) : t('account.alreadyAdded', { email }));
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

  async function resend(email, button) {
    button.disabled = true;
    try {
      await request('POST', '/account/emails', { body: { email } });
      await loadEmails();
      ctx.announce(t('account.resent', { email }));
    } catch (error) {
      emailErrors.show(error);
      button.disabled = false;
    }
  }

  async function reconfirm(email, button) {
    button.disabled = true;
    try {
      await request('POST', `/account/emails/${encodeURIComponent(email)}/reconfirm`);
      await loadEmails();
      ctx.announce(t('account.reconfirmSent', { email }));
    } catch (error) {
      emailErrors.show(error);
      button.disabled = false;
    }
  }

  function undeliverableNote(item) {
    const mark = item.undeliverable;
    if (!mark) return null;
    // The receiving server's words are data: textContent only (h() never parses markup).
    return h('p', { class: 'alert warning undeliverable' },
      t(`account.undeliverable.${mark.reason}`, { when: formatTime(mark.since) }),
      mark.detail ? h('span', { class: 'hint' }, ` ${t('account.undeliverableDetail', { detail: mark.detail })}`) : null);
  }

  async function loadEmails() {
    const { data } = await request('GET', '/account/emails');
    replace(list, data.items.length ? data.items.map((item) => {
      const pending = item.status === 'pending';
      return h('li', { class: pending ? 'pending' : 'confirmed' },
        h('span', { class: 'address' }, item.email),
        h('span', { class: pending ? 'badge badge-pending' : 'badge badge-confirmed' }, t(pending ? 'account.pending' : 'account.confirmed')),
        item.primary ? h('span', { class: 'badge badge-primary' }, t('account.primary')) : null,
        item.sign_in ? h('span', { class: 'badge' }, t('account.signIn')) : null,
        h('span', { class: 'hint' }, pending && item.expires_at
          ? t('account.pendingUntil', { when: formatTime(item.expires_at) })
          : t('account.addedAt', { when: formatTime(item.added_at) })),
        pending ? h('button', { type: 'button', class: 'secondary small', 'aria-label': t('account.resendLabel', { email: item.email }), onclick: (e) => resend(item.email, e.currentTarget) }, t('account.resend')) : null,
        !pending && item.undeliverable ? h('button', { type: 'button', class: 'small', 'aria-label': t('account.reconfirmLabel', { email: item.email }), onclick: (e) => reconfirm(item.email, e.currentTarget) }, t('account.reconfirm')) : null,
        item.sign_in ? null : h('button', { type: 'button', class: 'secondary small', 'aria-label': t('account.removeLabel', { email: item.email }), onclick: (e) => remove(item.email, e.currentTarget) }, t('account.remove')),
        undeliverableNote(item));
    }) : h('li', {}, t('account.noEmails')));
  }

  replace(root, 
    h('h1', {}, t('account.title')),
    h('p', {}, t('account.accountId', { id: ctx.session.accountId || '—' })),
    langForm,
    h('section', { class: 'card', 'aria-labelledby': 'emails-title' },
      h('h2', { id: 'emails-title' }, t('account.emailsTitle')),
      h('p', { class: 'hint' }, t('account.emailsHint')),
      emailErrors.el, list, emailForm),
    exportSection(ctx));

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

/**
 * "Download my tickets": every page of GET /account/export joined into one JSON file (a ticket
 * too large for one page comes back on the next with its following messages: they are joined),
 * handed to the browser as a download. Their data, so everything public, nothing internal.
 */
function exportSection(ctx) {
  const errors = errorBox();
  const button = h('button', { type: 'button', onclick: async () => {
    errors.clear();
    button.disabled = true;
    button.textContent = t('account.exporting');
    try {
      const byId = new Map();
      let cursor;
      let accountId = '';
      do {
        const { data } = await request('GET', '/account/export', { query: { cursor } });
        accountId = data.account_id;
        for (const ticket of data.tickets) {
          const seen = byId.get(ticket.id);
          if (seen) seen.messages.push(...ticket.messages);
          else byId.set(ticket.id, { ...ticket, first_message: undefined });
        }
        cursor = data.next_cursor || undefined;
      } while (cursor);
      const file = { account_id: accountId, exported_at: new Date().toISOString(), tickets: [...byId.values()] };
      const blob = new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' });
      const link = document.createElement('a'); // an object URL of our own making, never user text
      link.href = URL.createObjectURL(blob);
      link.download = `netz0-tickets-${accountId}.json`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      ctx.announce(t('account.exported', { n: byId.size }));
    } catch (error) {
      errors.show(error);
    } finally {
      button.disabled = false;
      button.textContent = t('account.export');
    }
  } }, t('account.export'));
  return h('section', { class: 'card', 'aria-labelledby': 'export-title' },
    h('h2', { id: 'export-title' }, t('account.exportTitle')),
    h('p', { class: 'hint' }, t('account.exportHint')),
    errors.el, button);
}
