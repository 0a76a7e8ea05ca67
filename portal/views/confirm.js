// The page the confirmation mail links to (#/confirm?token=…): the owner of an address confirms
// that an account may use it. Open to anyone, signed in or not: the token (or the address with
// the code from the mail) is the proof. Nothing happens until the person presses the button, so a
// mail scanner that opens links confirms nothing.
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { field, errorBox } from './common.js';

export async function confirmView(root, ctx) {
  const errors = errorBox();
  const token = ctx.query.get('token');
  const done = h('div', { role: 'status' });

  async function confirm(body, button, fields = {}) {
    errors.clear(fields);
    button.disabled = true;
    try {
      const { data } = await request('POST', '/account/emails/confirm', { body });
      replace(done, h('p', { class: 'notice' }, t('confirm.done', { email: data.email })),
        h('p', {}, h('a', { href: ctx.home }, t('confirm.home'))));
      for (const form of root.querySelectorAll('form')) form.remove();
      ctx.announce(t('confirm.done', { email: data.email }));
    } catch (error) {
      errors.show(error, fields);
      button.disabled = false;
    }
  }

  const linkButton = h('button', { type: 'submit' }, t('confirm.button'));
  const linkForm = token ? h('form', { class: 'card', onsubmit: (e) => { e.preventDefault(); confirm({ token }, linkButton); } },
    linkButton) : null;

  const emailField = field(t('confirm.email'), h('input', { type: 'email', autocomplete: 'email', maxlength: 254 }));
  const codeField = field(t('confirm.code'), h('input', { type: 'text', autocomplete: 'one-time-code', maxlength: 16, spellcheck: 'false' }));
  const codeButton = h('button', { type: token ? 'button' : 'submit', class: token ? 'secondary' : '' }, t('confirm.codeButton'));
  const byCode = () => {
    const fields = { email: emailField, code: codeField };
    errors.clear(fields);
    const email = emailField.control.value.trim();
    const code = codeField.control.value.trim();
    if (!email.includes('@')) { emailField.setError(t('field.email.invalid')); emailField.control.focus(); return; }
    if (code.length < 4) { codeField.setError(t('field.code.required')); codeField.control.focus(); return; }
    confirm({ email, code }, codeButton, fields);
  };
  codeButton.addEventListener('click', (e) => { if (token) { e.preventDefault(); byCode(); } });
  const codeForm = h('form', { class: 'card', novalidate: true, onsubmit: (e) => { e.preventDefault(); byCode(); } },
    h('p', { class: 'hint' }, t('confirm.codeIntro')), emailField.wrap, codeField.wrap, codeButton);

  replace(root,
    h('h1', {}, t('confirm.title')),
    h('p', {}, t('confirm.intro')),
    errors.el, done, linkForm, codeForm);
}
