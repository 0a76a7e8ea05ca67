// DOM helpers. SECURITY: h() never parses HTML. Children that are strings/numbers become text
// nodes (createTextNode), so user data (subjects, bodies, names, file names, addresses) can never
// turn into markup. Attributes go through an allow-list: event handlers only as functions
// (addEventListener), never as strings; href/src only with safe schemes. Never use innerHTML
// with data anywhere in the portal.

const SAFE_URL = /^(https?:|mailto:|blob:|#|\/|\.\/|\.\.\/)/i;
const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden']);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) {
      if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
      continue; // string handlers are dropped: they would be inline script
    }
    if (name === 'style' || name === 'srcdoc' || name === 'innerHTML') continue;
    if ((name === 'href' || name === 'src' || name === 'action') && !SAFE_URL.test(String(value))) continue;
    if (name === 'class') el.className = String(value);
    else if (PROPS.has(name)) el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replace an element's content with the given children (text-safe, like h()). */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
/** A unique id for label/aria-describedby pairs. */
export const newId = (prefix = 'f') => `${prefix}-${++uid}`;

// Drafts survive re-renders, language switches, navigation and a sign-in round trip
// (sessionStorage), so nothing a person typed is lost because of an error or a reload.
const DRAFTS = 'nz.drafts';
function readDrafts() {
  try { return JSON.parse(sessionStorage.getItem(DRAFTS) || '{}'); } catch { return {}; }
}
export function draft(key) { return readDrafts()[key] ?? ''; }
export function saveDraft(key, value) {
  const all = readDrafts();
  if (value) all[key] = value; else delete all[key];
  try { sessionStorage.setItem(DRAFTS, JSON.stringify(all)); } catch { /* storage full: keep in DOM only */ }
}
/** Bind a field to a draft key: restores its value now, saves on every input. */
export function keepDraft(el, key) {
  el.value = draft(key);
  el.addEventListener('input', () => saveDraft(key, el.value));
  return el;
}

// SVG for the charts, under the same rules as h(): text only as text nodes, attributes from an
// allow-list of presentation attributes (no href, no event handlers, no style).
const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_ATTRS = new Set(['viewBox', 'width', 'height', 'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r',
  'points', 'd', 'class', 'role', 'aria-label', 'aria-hidden', 'focusable', 'text-anchor', 'dominant-baseline',
  'preserveAspectRatio', 'id', 'aria-labelledby']);

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false || !SVG_ATTRS.has(name)) continue;
    el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}
