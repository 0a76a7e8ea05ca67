// Customer satisfaction. The rate page (#/rate?token=…&rating=good|bad) is what the close mail's
// one-click links open: it works signed out (the link's signed token, scoped to the ticket and
// that closing, is the proof), records the rating the link carries at once, and lets the person
// change it or add a comment. A signed-in customer rates a closed ticket from its page with the
// same form. Everything shown comes back from the API as data (text nodes only).
import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n/index.js';
import { request } from '../api.js';
import { field, errorBox } from './common.js';

const COMMENT_MAX = 2000;
const VALUES = ['good', 'bad'];

/** The rating form: good / bad (a pressed button shows the current one), an optional comment,
 *  and `save({ rating, comment })`, which returns the rating as recorded. */
export function ratingForm({ current, save, announce }) {
  const errors = errorBox();
  const status = h('p', { class: 'rating-current', role: 'status' });
  const comment = field(t('rating.comment'), h('textarea', { rows: 3, maxlength: COMMENT_MAX }), { hint: t('rating.commentHint') });
  comment.control.value = current?.comment || '';
  let chosen = current?.rating || null;
  const buttons = VALUES.map((value) => h('button', {
    type: 'button', class: `rating-choice rating-${value}`, 'aria-pressed': String(chosen === value),
    onclick: () => submit(value),
  }, t(`rating.${value}`)));
  const saveComment = h('button', { type: 'submit', class: 'secondary' }, t('rating.saveComment'));

  function show(rating) {
    chosen = rating?.rating || null;
    for (const [i, value] of VALUES.entries()) buttons[i].setAttribute('aria-pressed', String(chosen === value));
    status.textContent = rating ? t('rating.yours', { rating: t(`rating.${rating.rating}`), when: formatTime(rating.rated_at) }) : t('rating.none');
    saveComment.disabled = !chosen;
  }

  async function submit(value) {
    errors.clear({ comment });
    for (const b of [...buttons, saveComment]) b.disabled = true;
    try {
      const rating = await save({ rating: value, comment: comment.control.value.trim() || null });
      show(rating);
      announce(t('rating.thanks'));
    } catch (error) {
      errors.show(error, { comment });
    } finally {
      for (const b of buttons) b.disabled = false;
      saveComment.disabled = !chosen;
    }
  }

  show(current);
  const form = h('form', { class: 'rating card', novalidate: true, onsubmit: (e) => { e.preventDefault(); if (chosen) submit(chosen); } },
    h('h2', {}, t('rating.title')),
    h('p', {}, t('rating.ask')),
    h('div', { class: 'actions', role: 'group', 'aria-label': t('rating.title') }, buttons),
    status, comment.wrap, errors.el, saveComment);
  return { el: form, submit };
}

export async function rateView(root, ctx) {
  const token = ctx.query.get('token') || '';
  const wanted = ctx.query.get('rating');
  const errors = errorBox();
  const heading = h('h1', {}, t('rating.pageTitle'));
  let found;
  try {
    found = (await request('POST', '/ratings/lookup', { body: { token } })).data;
  } catch (error) {
    if (!ctx.isCurrent()) return;
    replace(root, heading, errors.el, h('p', {}, h('a', { href: ctx.home }, t('confirm.home'))));
    errors.show(error);
    return;
  }
  if (!ctx.isCurrent()) return;
  const form = ratingForm({
    current: found.rating,
    announce: ctx.announce,
    save: async (body) => (await request('PUT', '/ratings', { body: { token, ...body } })).data,
  });
  replace(root, heading,
    h('section', { class: 'summary card', 'aria-label': t('ticket.summary') },
      h('p', {}, h('strong', {}, found.subject)),
      h('dl', {},
        h('div', {}, h('dt', {}, t('ticket.trackingId')), h('dd', {}, found.ticket_id)),
        h('div', {}, h('dt', {}, t('rating.closedOn')), h('dd', {}, formatTime(found.closed_at))),
        h('div', {}, h('dt', {}, t('rating.until')), h('dd', {}, formatTime(found.expires_at))))),
    errors.el, form.el,
    h('p', {}, h('a', { href: `#/tickets/${encodeURIComponent(found.ticket_id)}` }, t('rating.seeTicket'))));
  // One click in the mail is the rating: record what the link says (again is harmless).
  if (VALUES.includes(wanted) && found.rating?.rating !== wanted) await form.submit(wanted);
}

/** What operators see of a ticket's ratings: one line per closing rated. */
export function ratingsSummary(ratings) {
  if (!ratings?.length) return null;
  return h('section', { class: 'card ratings', 'aria-label': t('rating.operatorTitle') },
    h('h2', {}, t('rating.operatorTitle')),
    h('ul', {}, ratings.map((r) => h('li', { class: `rating-${r.rating}` },
      t('rating.line', { rating: t(`rating.${r.rating}`), when: formatTime(r.closed_at) }),
      r.comment ? h('q', {}, r.comment) : null))));
}
