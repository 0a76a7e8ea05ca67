// One ticket: tracking ID (copyable), status, auto-close time, the whole thread, attachments,
// reply / internal note, close, reopen, take, hand over to a colleague by name or unassign; for
// operators also its priority and tags (editable) and the customer panel beside the thread. Every
// change sends If-Match with the version we loaded; on version_conflict the typed text stays and
// the person can reload the thread.
import { h, replace, keepDraft, saveDraft } from '../dom.js';
import { t, has, formatTime, formatSize } from '../i18n/index.js';
import { request, versionFromEtag, downloadAttachment } from '../api.js';
import { statusBadge, slaBadge, field, counter, errorBox, departmentNames, linked, select } from './common.js';
import { fillPlaceholders } from './canned.js';
import { filePicker, preview } from './files.js';
import { ratingForm, ratingsSummary } from './rating.js';
import { attributesEditor, priorityBadge, tagBadges } from './ticket-attributes.js';
import { customerPanel } from './customer-panel.js';

const BODY_MAX = 32000;

export async function ticketView(root, ctx) {
  const typedId = ctx.params[0];
  const me = ctx.session;
  const isOperator = me.role === 'operator';
  let ticket = null;
  let version = null;

  const heading = h('h1', {}, t('ticket.title'));
  const summary = h('section', { class: 'summary card', 'aria-label': t('ticket.summary') });
  const actions = h('div', { class: 'actions ticket-actions' });
  const ratingSlot = h('div', { class: 'rating-slot' });
  const attributes = h('div', { class: 'attributes' });
  const errors = errorBox();
  const conflict = h('div', { class: 'alert warning', role: 'alert', tabindex: '-1', hidden: true });
  const threadHeading = h('h2', {}, t('ticket.thread'));
  const thread = h('ol', { class: 'thread' });

  // ----------------------------------------------------------------- composer (built once)
  const draftKey = `reply.${typedId.toUpperCase()}`;
  const bodyField = field(t('ticket.replyLabel'), h('textarea', { rows: 6, maxlength: BODY_MAX }), { hint: ' ' });
  keepDraft(bodyField.control, draftKey);
  counter(bodyField, BODY_MAX);
  const noteBox = h('input', { type: 'checkbox', id: 'note-toggle' });
  const noteToggle = isOperator
    ? h('div', { class: 'check' }, noteBox, h('label', { for: 'note-toggle' }, t('ticket.noteToggle')))
    : null;
  const composerHint = h('p', { class: 'hint' });
  const files = filePicker({ ticketId: () => ticket?.id ?? null });
  const send = h('button', { type: 'submit' }, t('ticket.send'));
  const composerErrors = errorBox();
  // Operators: a canned reply goes into the box with its placeholders filled, still editable.
  const cannedField = isOperator ? field(t('ticket.canned'), select([['', t('ticket.cannedNone')]], '')) : null;
  const cannedPicker = isOperator
    ? h('div', { class: 'canned-picker' }, cannedField.wrap,
      h('button', { type: 'button', class: 'secondary', onclick: () => insertCanned() }, t('ticket.cannedInsert')))
    : null;
  let cannedReplies = [];
  const composer = h('form', { class: 'composer card', novalidate: true, onsubmit: (e) => { e.preventDefault(); reply(); } },
    h('h2', {}, t('ticket.replyTitle')), composerHint, noteToggle, cannedPicker, bodyField.wrap, files.wrap, composerErrors.el, send);
  const syncComposer = () => {
    const closed = ticket?.status === 'CLOSED';
    if (isOperator && closed) noteBox.checked = true; // operators reopen before answering the customer
    noteBox.disabled = isOperator && closed;
    const note = isOperator && noteBox.checked;
    composer.classList.toggle('is-note', note);
    send.textContent = note ? t('ticket.sendNote') : t('ticket.send');
    let hint = '';
    if (isOperator && closed) hint = `${t('ticket.noteHint')} ${t('ticket.reopenToReply')}`;
    else if (note) hint = t('ticket.noteHint');
    else if (closed) hint = t('ticket.replyReopens');
    composerHint.textContent = hint;
    composerHint.hidden = !hint;
  };
  noteBox.addEventListener('change', syncComposer);

  // ----------------------------------------------------------------- loading and rendering
  const { names } = await departmentNames(request);
  let operators = [];
  if (isOperator) {
    try {
      operators = (await request('GET', '/operators')).data.items;
    } catch {
      operators = []; // the picker then offers only "nobody"; taking the ticket still works
    }
  }
  async function load() {
    const { data, etag } = await request('GET', `/tickets/${encodeURIComponent(typedId)}`);
    ticket = data;
    version = versionFromEtag(etag) ?? data.version;
    // Show the canonical ID in the address bar without another navigation.
    const canonical = `#/tickets/${encodeURIComponent(data.id)}`;
    if (location.hash !== canonical) history.replaceState(null, '', canonical);
    render();
  }

  function render() {
    heading.textContent = ticket.subject;
    document.title = `${ticket.subject} · ${t('app.name')}`;
    const copied = h('span', { class: 'copied', role: 'status' });
    const copy = h('button', { type: 'button', class: 'secondary small', onclick: async () => {
      try {
        await navigator.clipboard.writeText(ticket.id);
        copied.textContent = t('ticket.copied');
      } catch {
        copied.textContent = t('ticket.copyFailed');
      }
      setTimeout(() => { copied.textContent = ''; }, 4000);
    } }, t('ticket.copy'));
    const rows = [
      [t('ticket.status'), statusBadge(ticket.status)],
      [t('ticket.department'), names[ticket.department] || ticket.department],
      (isOperator || ticket.assignee_name) ? [t('ticket.assignee'), ticket.assignee_name || t('ticket.unassigned')] : null,
      isOperator && slaBadge(ticket.sla) ? [t('ticket.sla'), slaBadge(ticket.sla)] : null,
      isOperator ? [t('attributes.priority'), priorityBadge(ticket.priority)] : null,
      isOperator ? [t('attributes.tags'), tagBadges(ticket.tags) || t('attributes.noTags')] : null,
      isOperator ? [t('ticket.account'), ticket.account_id] : null,
      [t('ticket.created'), formatTime(ticket.created_at)],
      [t('ticket.updated'), formatTime(ticket.updated_at)],
    ].filter(Boolean);
    let notice = null;
    if (ticket.merged_into) {
      notice = h('p', { class: 'notice merged' }, t('ticket.mergedInto'), ' ',
        h('a', { href: `#/tickets/${encodeURIComponent(ticket.merged_into)}` }, ticket.merged_into), '.');
    } else if (ticket.status === 'WAITING' && ticket.auto_close_at) {
      notice = h('p', { class: 'notice' }, t(isOperator ? 'ticket.autoCloseOperator' : 'ticket.autoClose', { when: formatTime(ticket.auto_close_at) }));
    } else if (ticket.status === 'CLOSED') {
      notice = h('p', { class: 'notice' }, t('ticket.closedOn', { when: formatTime(ticket.closed_at) }),
        ticket.closed_reason ? ` ${t(`ticket.closedReason.${ticket.closed_reason}`)}` : '');
    }
    // Operators: the customer's addresses our mail no longer reaches (replies are not mailed there).
    const bounces = isOperator && ticket.customer_undeliverable && ticket.customer_undeliverable.length
      ? h('div', { class: 'alert warning customer-undeliverable', role: 'note' },
        h('p', {}, t('ticket.customerUndeliverable')),
        h('ul', {}, ticket.customer_undeliverable.map((u) => h('li', {},
          h('span', { class: 'address' }, u.email), ' — ',
          t(`ticket.undeliverable.${u.undeliverable.reason}`, { when: formatTime(u.undeliverable.since) })))))
      : null;
    replace(summary,
      h('div', { class: 'tracking' },
        h('span', { class: 'tracking-label', id: 'tracking-label' }, t('ticket.trackingId')),
        h('code', { class: 'tracking-id', 'aria-labelledby': 'tracking-label' }, ticket.id),
        copy, copied),
      h('dl', {}, rows.map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value)))),
      bounces,
      notice,
      isOperator ? suppressedMail(ticket.suppressed_mail) : null);

    const closed = ticket.status === 'CLOSED';
    if (ticket.merged_into) {
      replace(actions); // a merged ticket changes no more: its conversation goes on where it went
    } else {
      replace(actions,
        isOperator && !closed && ticket.assignee !== me.id
          ? h('button', { type: 'button', onclick: () => act('assign', t('ticket.taken')) }, t('ticket.take')) : null,
        isOperator && !closed ? assignPicker() : null,
        closed
          ? h('button', { type: 'button', onclick: () => act('reopen', t('ticket.reopened')) }, t('ticket.reopen'))
          : h('button', { type: 'button', class: 'secondary', onclick: confirmClose }, t('ticket.close')),
        isOperator ? mergeForm : null);
    }
    composer.hidden = Boolean(ticket.merged_into);
    // Operators: priority and tags, one PATCH with the version loaded (a merged ticket changes no more).
    replace(attributes, isOperator && !ticket.merged_into ? attributesEditor(ticket, {
      version,
      onSaved: async () => {
        await load();
        conflict.hidden = true;
        ctx.announce(t('attributes.saved'));
      },
      onConflict: showConflict,
    }) : null);

    replace(ratingSlot, ratingPart());
    replace(thread, timeline(ticket).map((item) => (item.code ? entryItem(item) : messageItem(item))));
    syncComposer();
  }

  // Operators see every closing's rating; the customer rates the closing the ticket is in.
  function ratingPart() {
    if (isOperator) return ratingsSummary(ticket.ratings);
    if (ticket.status !== 'CLOSED') return null;
    const current = (ticket.ratings || []).find((r) => r.closed_at === ticket.closed_at) || null;
    const path = `/tickets/${encodeURIComponent(ticket.id)}/rating`;
    return ratingForm({
      current,
      announce: ctx.announce,
      save: async (body) => (await request('PUT', path, { body })).data,
    }).el;
  }

  // Messages and history entries in one thread, oldest first; an entry caused by a message (a
  // reply that reopened the ticket) comes after it. The API filters what customers may see.
  function timeline(t) {
    const at = (item) => item.code ? item.at : item.created_at;
    const items = [...t.messages, ...(t.history || [])];
    return items
      .map((item, n) => ({ item, n }))
      .sort((a, b) => (at(a.item) < at(b.item) ? -1 : at(a.item) > at(b.item) ? 1 : a.n - b.n))
      .map(({ item }) => item);
  }

  // The API renders the entry in the portal's language (every call sends it in Accept-Language).
  function entryItem(e) {
    return h('li', { class: `history-entry entry-${e.code}` },
      h('p', {}, h('time', { datetime: e.at }, formatTime(e.at)), ' ', h('span', { class: 'entry-text' }, e.text)));
  }

  function messageItem(m) {
    const who = m.author_role === 'operator' ? t('role.operator') : m.author_role === 'system' ? t('role.system') : t('role.customer');
    // A message of a ticket merged into this one says which ticket it was written on.
    const merged = m.ticket_id !== ticket.id;
    return h('li', { class: `message ${m.author_role === 'operator' ? 'from-operator' : 'from-customer'}${m.internal ? ' internal' : ''}${merged ? ' merged' : ''}` },
      h('article', { 'aria-label': t('ticket.messageFrom', { who: m.author || who }) },
        m.internal ? h('p', { class: 'note-flag' }, t('ticket.internalFlag')) : null,
        merged ? h('p', { class: 'from-ticket' }, t('ticket.fromTicket'), ' ',
          h('a', { href: `#/tickets/${encodeURIComponent(m.ticket_id)}` }, m.ticket_id)) : null,
        h('header', { class: 'message-meta' },
          h('strong', {}, m.author || who), ' ', h('span', { class: 'role' }, `(${who})`),
          h('span', { class: 'channel' }, t(`channel.${m.channel}`)),
          h('time', { datetime: m.created_at }, formatTime(m.created_at))),
        h('div', { class: 'message-body' }, linked(m.body)),
        m.attachments?.length ? h('ul', { class: 'attachments', 'aria-label': t('ticket.attachments') },
          m.attachments.map((a) => h('li', {}, preview(a),
            h('button', { type: 'button', class: 'link', onclick: (e) => download(a, e.currentTarget) },
              t('ticket.download', { name: a.name }), ' ', h('span', { class: 'size' }, `(${formatSize(a.size)})`))))) : null));
  }

  // Hand the ticket to a colleague, by name, or leave it unassigned (operators, open tickets).
  function assignPicker() {
    const options = [['', t('ticket.nobody')], ...operators.map((o) => [o.id, o.name])];
    if (ticket.assignee && !operators.some((o) => o.id === ticket.assignee)) {
      options.push([ticket.assignee, ticket.assignee_name || ticket.assignee]); // no longer an operator
    }
    const picker = field(t('ticket.assignTo'), select(options, ticket.assignee || ''));
    picker.control.name = 'assignee';
    const submit = h('button', { type: 'submit', class: 'secondary' }, t('ticket.assign'));
    return h('form', { class: 'assign-form', onsubmit: (e) => {
      e.preventDefault();
      const chosen = picker.control.value || null;
      const who = chosen ? operators.find((o) => o.id === chosen)?.name || chosen : null;
      act('assign', who ? t('ticket.assignedNow', { who }) : t('ticket.unassignedNow'), { assignee: chosen });
    } }, picker.wrap, submit);
  }

  async function download(attachment, button) {
    button.disabled = true;
    try {
      await downloadAttachment(attachment.download_path);
      ctx.announce(t('ticket.downloaded', { name: attachment.name }));
    } catch (error) {
      errors.show(error);
    } finally {
      button.disabled = false;
    }
  }

  // ----------------------------------------------------------------- changes
  function showConflict() {
    replace(conflict,
      h('p', {}, t('error.version_conflict')),
      h('button', { type: 'button', onclick: async () => {
        try {
          await load();
          conflict.hidden = true;
          ctx.announce(t('ticket.reloaded'));
          thread.lastElementChild?.scrollIntoView({ block: 'nearest' });
          bodyField.control.focus();
        } catch (error) {
          errors.show(error);
        }
      } }, t('ticket.reloadThread')));
    conflict.hidden = false;
    conflict.focus();
  }

  // ----------------------------------------------------------------- merge (operators)
  const mergeErrors = errorBox();
  const intoField = field(t('ticket.mergeInto'), h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 40 }), { hint: t('ticket.mergeHint') });
  const mergeForm = h('form', { class: 'merge-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); confirmMerge(); } },
    intoField.wrap, h('button', { type: 'submit', class: 'secondary' }, t('ticket.merge')), mergeErrors.el);

  async function confirmMerge() {
    mergeErrors.clear({ into: intoField });
    const into = intoField.control.value.trim();
    if (!into) { intoField.setError(t('ticket.mergeIntoEmpty')); intoField.control.focus(); return; }
    const yes = await ctx.confirm({
      title: t('ticket.confirmMergeTitle'),
      text: t('ticket.confirmMerge', { id: ticket.id, into }),
      confirmLabel: t('ticket.confirmMergeYes'),
    });
    if (!yes) return;
    try {
      const { data } = await request('POST', `/tickets/${encodeURIComponent(ticket.id)}/merge`, { body: { into }, version });
      ctx.navigate(`#/tickets/${encodeURIComponent(data.merged_into)}`, t('ticket.merged', { id: data.id, into: data.merged_into }));
    } catch (error) {
      if (error.code === 'version_conflict') { showConflict(); return; }
      mergeErrors.show(error, { into: intoField });
      intoField.control.focus();
    }
  }

  // ----------------------------------------------------------------- canned replies (operators)
  async function loadCanned() {
    try {
      const { data } = await request('GET', '/canned-replies', { query: { department: ticket.department } });
      cannedReplies = data.items;
    } catch {
      cannedReplies = []; // the picker is a convenience: the reply box works without it
    }
    replace(cannedField.control, h('option', { value: '' }, t('ticket.cannedNone')),
      cannedReplies.map((r) => h('option', { value: r.id }, r.title)));
  }

  function insertCanned() {
    const chosen = cannedReplies.find((r) => r.id === cannedField.control.value);
    if (!chosen) { cannedField.setError(t('ticket.cannedChoose')); cannedField.control.focus(); return; }
    cannedField.setError(null);
    const customer = ticket.messages.find((m) => m.author_role === 'customer' && m.ticket_id === ticket.id);
    const text = fillPlaceholders(chosen.body, {
      ticket_id: ticket.id,
      customer_name: ticket.customer_name || customer?.author || '',
      // The directory's display name (the token's name claim is the same attribute).
      operator_name: operators.find((o) => o.id === me.id)?.name || me.name || me.email,
    });
    const box = bodyField.control;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.dispatchEvent(new Event('input')); // the counter and the draft follow
    box.focus();
    box.setSelectionRange(start + text.length, start + text.length);
    ctx.announce(t('ticket.cannedInserted', { title: chosen.title }));
  }

  // Closing is the one change a slip of the finger should not make: it asks first.
  async function confirmClose() {
    const yes = await ctx.confirm({
      title: t('ticket.confirmCloseTitle'),
      text: t(isOperator ? 'ticket.confirmCloseOperator' : 'ticket.confirmCloseCustomer', { id: ticket.id }),
      confirmLabel: t('ticket.confirmClose'),
    });
    if (yes) await act('close', t('ticket.closed'));
  }

  async function act(action, done, body) {
    errors.clear();
    for (const b of actions.querySelectorAll('button')) b.disabled = true;
    try {
      await request('POST', `/tickets/${encodeURIComponent(ticket.id)}/${action}`, body ? { body, version } : { version });
      await load();
      conflict.hidden = true;
      ctx.announce(done);
      heading.focus();
    } catch (error) {
      if (error.code === 'version_conflict') showConflict(); else { errors.show(error); errors.el.focus(); }
      for (const b of actions.querySelectorAll('button')) b.disabled = false;
    }
  }

  async function reply() {
    composerErrors.clear({ body: bodyField });
    const text = bodyField.control.value;
    if (!text.trim()) {
      bodyField.setError(t('field.body.invalid'));
      bodyField.control.focus();
      return;
    }
    const internal = isOperator && noteBox.checked;
    const uploads = files.ready();
    if (!uploads.ok) {
      composerErrors.text(h('p', {}, uploads.reason));
      composerErrors.el.focus();
      return;
    }
    send.disabled = true;
    try {
      const body = { body: text, internal, ...(uploads.ids.length ? { attachments: uploads.ids } : {}) };
      await request('POST', `/tickets/${encodeURIComponent(ticket.id)}/replies`, { body, version });
      files.clear();
      bodyField.control.value = '';
      saveDraft(draftKey, '');
      bodyField.control.dispatchEvent(new Event('input'));
      conflict.hidden = true;
      await load();
      ctx.announce(internal ? t('ticket.noteAdded') : t('ticket.replySent'));
    } catch (error) {
      // The typed text stays in the textarea (and in the draft) whatever happened.
      if (error.code === 'version_conflict') showConflict();
      else { composerErrors.show(error, { body: bodyField }); composerErrors.el.focus(); }
    } finally {
      send.disabled = false;
    }
  }

  try {
    await load();
    if (isOperator && !ticket.merged_into) await loadCanned();
  } catch (error) {
    if (!ctx.isCurrent()) return;
    heading.textContent = error.status === 404 ? t('ticket.notFound') : t('error.title');
    replace(root, heading, errors.el, h('p', {}, h('a', { href: isOperator ? '#/queue' : '#/tickets' }, t('ticket.back'))));
    errors.show(error);
    return;
  }
  if (!ctx.isCurrent()) return;
  const conversation = h('div', { class: 'conversation' }, threadHeading, thread, composer);
  replace(root,
    h('p', { class: 'back' }, h('a', { href: isOperator ? '#/queue' : '#/tickets' }, t('ticket.back'))),
    heading, summary, errors.el, conflict, actions, ratingSlot, attributes,
    isOperator ? h('div', { class: 'ticket-columns' }, conversation, customerPanel(ticket)) : conversation);
}


/** Operators: mail about this ticket the desk did not send, and why (the API keeps it on the ticket). */
function suppressedMail(entries) {
  if (!Array.isArray(entries) || entries.length === 0) return null;
  const known = (prefix, code) => (has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code);
  return h('div', { class: 'notice suppressed', role: 'note' },
    h('p', {}, h('strong', {}, t('ticket.suppressed.title'))),
    h('ul', {}, entries.map((entry) => h('li', {}, t('ticket.suppressed.entry', {
      when: formatTime(entry.at),
      kind: known('ticket.suppressed.kind', entry.kind),
      reason: known('ticket.suppressed.reason', entry.reason),
    })))));
}
