// Finds the web and mail addresses in a text a person wrote, as tokens a view turns into DOM
// nodes: [{text}, {text, href}, ...]. No markup is ever parsed or produced here. Only http:,
// https: and mailto: addresses written out with their scheme become links, and each one must
// parse as a URL (the browser's own URL parser decides), so "javascript:", "data:" and look-alikes
// stay text. Sentence punctuation after an address ("see https://x.example/a.") is not part of it.

const CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi;
const SCHEMES = new Set(['http:', 'https:', 'mailto:']);
const PAIRS = { ')': '(', ']': '[', '}': '{' };

const count = (text, ch) => text.split(ch).length - 1;

/** Drop trailing punctuation, and a closing bracket that has no opening one inside the address. */
function trim(candidate) {
  let s = candidate;
  for (;;) {
    const last = s.at(-1);
    if ('.,;:!?*'.includes(last)) s = s.slice(0, -1);
    else if (PAIRS[last] && count(s, PAIRS[last]) < count(s, last)) s = s.slice(0, -1);
    else return s;
  }
}

/** The address as a link target, or null when it is not one we link. */
export function safeHref(text) {
  let url;
  try { url = new URL(text); } catch { return null; }
  if (!SCHEMES.has(url.protocol)) return null;
  if (url.protocol === 'mailto:') return /^[^@\s]+@[^@\s]+$/.test(decodeURIComponentSafe(url.pathname)) ? url.href : null;
  // "https:///x" parses as https://x/: link only what reads as the host it goes to.
  return url.hostname && /^https?:\/\/[^/\\]/i.test(text) ? url.href : null;
}

function decodeURIComponentSafe(s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

export function linkify(text) {
  const source = String(text ?? '');
  const tokens = [];
  let at = 0;
  for (const match of source.matchAll(CANDIDATE)) {
    const address = trim(match[0]);
    const href = safeHref(address);
    if (!href) continue;
    if (match.index > at) tokens.push({ text: source.slice(at, match.index) });
    tokens.push({ text: address, href });
    at = match.index + address.length;
  }
  if (at < source.length || !tokens.length) tokens.push({ text: source.slice(at) });
  return tokens;
}
