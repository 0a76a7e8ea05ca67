// Sign-in. Local mode: demo identities or any account/e-mail, tokens from devstack.
// Cognito mode: one button to the hosted UI.
import { h, replace } from '../dom.js';
import { t, getLang } from '../i18n/index.js';
import { apiUrl } from '../api.js';
import { localSignIn, cognitoSignIn } from '../auth.js';
import { field, errorBox, select } from './common.js';

const DEMO = {
  customer: { role: 'customer', account_id: 'acct-demo', email: 'cliente@demo.netz0.example' },
  operator: { role: 'operator', email: 'operador@netz0.example' },
};

export async function signinView(root, ctx) {
  if (ctx.config.auth?.mode === 'cognito') {
    replace(root, 
      h('h1', {}, t('signin.title')),
      h('p', {}, t('signin.cognitoIntro')),
      h('button', { type: 'button', onclick: () => cognitoSignIn(ctx.config.auth) }, t('signin.cognitoButton')));
    return;
  }
  const errors = errorBox();
  const go = async (identity, button) => {
    errors.clear();
    button.disabled = true;
    try {
      await localSignIn(apiUrl(''), identity, getLang());
      // Rendering this address again, signed in, leads on to the deep link it keeps (?next=) or home.
      ctx.navigate(location.hash, t('signin.welcome'));
    } catch (error) {
      errors.text(h('p', {}, t('signin.failed', { reason: error.message })));
      button.disabled = false;
    }
  };

  const role = field(t('signin.role'), select([['customer', t('role.customer')], ['operator', t('role.operator')]], 'customer'));
  const account = field(t('signin.account'), h('input', { type: 'text', autocomplete: 'off', value: 'acct-demo' }));
  const email = field(t('signin.email'), h('input', { type: 'email', autocomplete: 'email', value: 'cliente@demo.netz0.example' }));
  // An operator has no customer account: hide the field rather than send it.
  role.control.addEventListener('change', () => { account.wrap.hidden = role.control.value !== 'customer'; });
  const submit = h('button', { type: 'submit' }, t('signin.submit'));
  const form = h('form', { class: 'card', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    go({ role: role.control.value, account_id: account.control.value.trim(), email: email.control.value.trim() }, submit);
  } }, h('h2', {}, t('signin.other')), role.wrap, account.wrap, email.wrap, submit);

  const demoButton = (key, label, detail) => {
    const b = h('button', { type: 'button', class: 'demo', onclick: () => go(DEMO[key], b) }, h('strong', {}, label), h('span', {}, detail));
    return b;
  };
  replace(root, 
    h('h1', {}, t('signin.title')),
    h('p', {}, t('signin.localIntro')),
    errors.el,
    h('div', { class: 'demo-choices' },
      demoButton('customer', t('signin.demoCustomer'), `acct-demo · ${DEMO.customer.email}`),
      demoButton('operator', t('signin.demoOperator'), DEMO.operator.email)),
    form);
}
