// Operators: a ticket's priority and tags. The rules repeat the layer's (domain/attributes.py,
// domain/limits.py); tests/unit/test_shared_rules.py fails when they disagree.
import { h } from '../dom.js';
import { t } from '../i18n/index.js';
import { request } from '../api.js';
import { errorBox, field, select } from './common.js';

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'];
export const TAGS_MAX = 10;
export const TAG_LENGTH_MAX = 30;
export const TAG_PATTERN = /^[a-z0-9-]+$/;

// A typed list of tags ("vip, dns  correo") as the API keeps them: each once, sorted.
export function parseTags(text) {
  return [...new Set(String(text).split(/[\s,]+/).filter(Boolean))].sort();
}

// The i18n key of what is wrong with the tags, or null.
export function tagsProblem(tags) {
  if (tags.some((tag) => tag.length > TAG_LENGTH_MAX)) return 'attributes.tagTooLong';
  if (tags.some((tag) => !TAG_PATTERN.test(tag))) return 'attributes.tagCharacters';
  if (tags.length > TAGS_MAX) return 'attributes.tooManyTags';
  return null;
}

// ----------------------------------------------------------------- shown (operators only)

/** The priority as a word (never colour alone); nothing when the API sent none (customers). */
export function priorityBadge(priority) {
  if (!priority) return null;
  return h('span', { class: `badge badge-priority priority-${priority}` }, t('attributes.priorityBadge', { priority: t(`priority.${priority}`) }));
}

/** The tags as small labels; nothing when there are none (or the reader may not see them). */
export function tagBadges(tags) {
  if (!tags?.length) return null;
  return h('ul', { class: 'tags', 'aria-label': t('attributes.tags') }, tags.map((tag) => h('li', { class: 'tag' }, tag)));
}

/**
 * The operators' editor of a ticket's priority and tags: one PATCH with If-Match (the version the
 * page loaded). `onSaved(ticket, etag)` gets the changed ticket; `onConflict()` a version conflict.
 */
export function attributesEditor(ticket, { version, onSaved, onConflict }) {
  const errors = errorBox();
  const priorityField = field(t('attributes.priority'),
    select(PRIORITIES.map((p) => [p, t(`priority.${p}`)]), ticket.priority || 'normal'));
  const tagsField = field(t('attributes.tags'),
    h('input', { type: 'text', value: (ticket.tags || []).join(', '), autocomplete: 'off', spellcheck: 'false', maxlength: 400 }),
    { hint: t('attributes.tagsHint') });
  const save = h('button', { type: 'submit', class: 'secondary' }, t('attributes.save'));
  const form = h('form', { class: 'attributes-form', novalidate: true, 'aria-label': t('attributes.title'), onsubmit: async (e) => {
    e.preventDefault();
    errors.clear({ priority: priorityField, tags: tagsField });
    const tags = parseTags(tagsField.control.value);
    const problem = tagsProblem(tags);
    if (problem) { tagsField.setError(t(problem)); tagsField.control.focus(); return; }
    save.disabled = true;
    try {
      const { data, etag } = await request('PATCH', `/tickets/${encodeURIComponent(ticket.id)}`, {
        body: { priority: priorityField.control.value, tags }, version,
      });
      await onSaved(data, etag);
    } catch (error) {
      if (error.code === 'version_conflict') onConflict();
      else { errors.show(error, { priority: priorityField, tags: tagsField }); errors.el.focus(); }
    } finally {
      save.disabled = false;
    }
  } }, h('h2', {}, t('attributes.title')), priorityField.wrap, tagsField.wrap, save, errors.el);
  return form;
}

/** Shown in a list row: the priority unless normal, and the tags. */
export function rowAttributes(ticket) {
  return [ticket.priority && ticket.priority !== 'normal' ? priorityBadge(ticket.priority) : null, tagBadges(ticket.tags)];
}
