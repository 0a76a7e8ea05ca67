// Pieces shared by the views: status badge, labelled fields, error boxes, ticket list rows and pages.
import { h, replace, newId } from '../dom.js';
import { t, formatTime } from '../i18n/index.js';
import { errorText, fieldErrors } from '../api.js';
import { linkify } from '../linkify.js';

export const STATUSES = ['OPEN', 'WAITING', 'CLOSED'];

/** Status as a word (Abierto, Espera, Cerrado), never as colour alone. */
export const statusBadge = (status) =>
  h('span', { class: `badge badge-${String(status).toLowerCase()}` }, t(`status.${status}`));

/**
 * The SLA clock operators see (customers never get `sla`): the target running, business minutes
 * left and the due time, or how late it is, or paused while the ticket waits for the customer.
 * Words, never colour alone; nothing for a closed ticket.
 */
export function slaBadge(sla) {
  if (!sla || sla.state === 'stopped') return null;
  if (sla.state === 'paused') return h('span', { class: 'badge badge-sla' }, t('sla.paused'));
  const target = t(`sla.target.${sla.target}`);
  const text = sla.breached
    ? t('sla.breached', { target, minutes: -sla.minutes_left })
    : t('sla.left', { target, minutes: sla.minutes_left, when: formatTime(sla.due_at) });
  return h('span', { class: `badge badge-sla${sla.breached ? ' badge-sla-breached' : ''}` }, text);
}

/**
 * A labelled control with an optional hint and an error slot, wired with aria-describedby.
 * Returns { wrap, control, setError(text|null) }.
 */
export function field(label, control, { hint } = {}) {
  const id = control.id || newId();
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errorEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const describe = () => control.setAttribute('aria-describedby', [hintEl && hintEl.id, !errorEl.hidden && errorEl.id].filter(Boolean).join(' '));
  describe();
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, control, errorEl);
  return {
    wrap, control, hintEl,
    setError(text) {
      errorEl.hidden = !text;
      errorEl.textContent = text || '';
      if (text) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
      describe();
    },
  };
}

/** A character counter for a length-limited field ("12 / 200"), in its hint. */
export function counter(f, max) {
  const update = () => { f.hintEl.textContent = t('common.counter', { n: f.control.value.length, max }); };
  f.control.addEventListener('input', update);
  update();
}

/** An alert box that shows an API error as a sentence (and the fields it names). */
export function errorBox() {
  const el = h('div', { class: 'alert', role: 'alert', tabindex: '-1', hidden: true });
  return {
    el,
    show(error, fields = {}) {
      const perField = fieldErrors(error);
      for (const [name, text] of Object.entries(perField)) fields[name]?.setError(text);
      const unplaced = Object.entries(perField).filter(([name]) => !fields[name]).map(([, text]) => text);
      replace(el, h('p', {}, errorText(error)), unplaced.length ? h('ul', {}, unplaced.map((x) => h('li', {}, x))) : null);
      el.hidden = false;
    },
    text(...children) { replace(el, ...children); el.hidden = false; },
    clear(fields = {}) { el.hidden = true; el.replaceChildren(); for (const f of Object.values(fields)) f.setError(null); },
  };
}

/** One ticket in a list: subject as the link, tracking ID, status, department, last activity
 * (`extra`: more badges, e.g. the operators' priority and tags). */
export function ticketRow(ticket, { departments = {}, showAssignee = false, extra = [] } = {}) {
  return h('li', { class: 'ticket-row' },
    h('div', { class: 'row-main' },
      h('a', { href: `#/tickets/${encodeURIComponent(ticket.id)}`, class: 'row-subject' }, ticket.subject),
      h('span', { class: 'row-id' }, ticket.id)),
    h('div', { class: 'row-meta' },
      statusBadge(ticket.status),
      h('span', {}, departments[ticket.department] || ticket.department),
      showAssignee ? h('span', {}, ticket.assignee ? t('ticket.assignedTo', { who: ticket.assignee_name || ticket.assignee }) : t('ticket.unassigned')) : null,
      slaBadge(ticket.sla),
      ...extra,
      h('span', {}, t('list.updated', { when: formatTime(ticket.updated_at) }))),
    resolutionSnippet(ticket.resolution));
}

/**
 * How a closed ticket was solved (search results): the API sends the answer as text segments,
 * the words asked flagged; each becomes a text node, a flagged one inside <mark>. No markup
 * ever comes from the server.
 */
export function resolutionSnippet(resolution) {
  if (!resolution || !Array.isArray(resolution.segments)) return null;
  return h('p', { class: 'resolution' },
    h('span', { class: 'resolution-label' }, t('list.resolution', { when: formatTime(resolution.created_at) })),
    ' ',
    resolution.segments.map((segment) => (segment.marked ? h('mark', {}, segment.text) : String(segment.text))));
}

/** Departments as { id: name }; an empty map when the request fails (ids are shown instead). */
export async function departmentNames(request) {
  try {
    const { data } = await request('GET', '/departments');
    return { list: data.items, names: Object.fromEntries(data.items.map((d) => [d.id, d.name])) };
  } catch {
    return { list: [], names: {} };
  }
}

export function select(options, value, attrs = {}) {
  return h('select', attrs, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

/**
 * A ticket list that grows page by page: fetches a page, renders its rows into `list`, and offers
 * "load more" while the API returns a cursor (focus then goes to the first new ticket).
 * `page(cursor)` returns the API's {items, next_cursor}; `emptyText()` is shown when nothing matched.
 */
export async function pagedTickets(ctx, { list, more, errors, page, row, emptyText }) {
  const load = async (cursor) => {
    try {
      const data = await page(cursor);
      if (!ctx.isCurrent()) return;
      list.append(...data.items.map(row));
      if (!list.children.length) replace(more, h('p', {}, emptyText()));
      else if (data.next_cursor) {
        replace(more, h('button', { type: 'button', class: 'secondary', onclick: async (e) => {
          e.target.disabled = true;
          const before = list.children.length;
          await load(data.next_cursor);
          // The button is gone: put focus on the first ticket that just arrived.
          list.children[before]?.querySelector('a')?.focus();
          ctx.announce(t('list.loadedMore'));
        } }, t('list.more')));
      } else more.replaceChildren();
    } catch (error) {
      errors.show(error);
    }
  };
  await load();
}

/** A person's text with its web and mail addresses as links (DOM nodes, never markup). */
export function linked(text) {
  return linkify(text).map((token) => (token.href
    ? h('a', { href: token.href, rel: 'noopener noreferrer', class: 'message-link' }, token.text)
    : token.text));
}

/**
 * Ask before an action that is hard to undo: a modal <dialog> (focus moves into it and stays there,
 * Escape cancels, the page behind is inert), labelled by its title and described by its text.
 * Focus starts on the safe choice and goes back where it was. Resolves true when confirmed.
 */
export function confirmDialog({ title, text, confirmLabel, cancelLabel = t('common.cancel') }) {
  return new Promise((resolve) => {
    const titleId = newId('dialog-title');
    const textId = newId('dialog-text');
    const opener = document.activeElement;
    let confirmed = false;
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId, 'aria-describedby': textId });
    const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, cancelLabel);
    const ok = h('button', { type: 'button', class: 'danger', onclick: () => { confirmed = true; dialog.close(); } }, confirmLabel);
    replace(dialog, h('h2', { id: titleId }, title), h('p', { id: textId }, text), h('div', { class: 'actions' }, ok, cancel));
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
