// An operator's own settings: the departments they work (new tickets there are mailed to them),
// which staff mails they want, and the language of those mails (GET/PUT /operators/me).
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { field, errorBox, select, departmentNames } from './common.js';

export const NOTICES = ['new_ticket', 'customer_reply', 'assigned', 'note', 'sla_alert'];

function checkboxes(name, legend, items, hint) {
  const boxes = items.map(([value, label]) => {
    const id = `${name}-${value}`;
    const box = h('input', { type: 'checkbox', id, name, value });
    return { value, box, el: h('div', { class: 'check' }, box, h('label', { for: id }, label)) };
  });
  const el = h('fieldset', { class: 'field' }, h('legend', {}, legend), hint ? h('p', { class: 'hint' }, hint) : null,
    boxes.map((b) => b.el));
  return {
    el,
    set(values) { for (const b of boxes) b.box.checked = values.includes(b.value); },
    get() { return boxes.filter((b) => b.box.checked).map((b) => b.value); },
  };
}

export async function settingsView(root, ctx) {
  const errors = errorBox();
  const { list } = await departmentNames(request);
  const departments = checkboxes('departments', t('settings.departments'),
    list.map((d) => [d.id, d.name]), t('settings.departmentsHint'));
  const notices = checkboxes('notifications', t('settings.notifications'),
    NOTICES.map((n) => [n, t(`settings.notice.${n}`)]), t('settings.notificationsHint'));
  const language = field(t('settings.language'), select([['es', t('lang.es')], ['en', t('lang.en')]], 'es'));
  const save = h('button', { type: 'submit' }, t('common.save'));
  const who = h('p', {});
  const form = h('form', { class: 'card', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    errors.clear({ language });
    save.disabled = true;
    try {
      const body = { departments: departments.get(), notifications: notices.get(), language: language.control.value };
      const { data } = await request('PUT', '/operators/me', { body });
      show(data);
      ctx.announce(t('settings.saved'));
    } catch (error) {
      errors.show(error, { language });
      errors.el.focus();
    } finally {
      save.disabled = false;
    }
  } }, h('h2', {}, t('settings.mailTitle')), departments.el, notices.el, language.wrap, errors.el, save);

  function show(data) {
    who.textContent = t('settings.who', { name: data.name, email: data.email });
    departments.set(data.departments);
    notices.set(data.notifications);
    language.control.value = data.language;
  }

  replace(root, h('h1', {}, t('settings.title')), who, form);
  try {
    const { data } = await request('GET', '/operators/me');
    if (!ctx.isCurrent()) return;
    show(data);
  } catch (error) {
    errors.show(error);
  }
}
