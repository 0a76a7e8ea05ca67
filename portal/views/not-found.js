// What any address the portal does not know shows (mistyped, cut off, or with a malformed escape
// such as #/tickets/%E0%A4%A): a page that says so and leads home, never a blank page.
import { h, replace } from '../dom.js';
import { t } from '../i18n/index.js';

export async function notFoundView(root, ctx) {
  replace(root,
    h('h1', {}, t('notFound.title')),
    h('p', {}, t('notFound.text')),
    h('p', {}, h('a', { href: ctx.home }, t('notFound.home'))));
}
