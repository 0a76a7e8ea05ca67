// The hash router as a pure function (no DOM): which screen a hash shows to whom. Every hash
// resolves to something to show — a view, a redirect, or "not found" — and nothing a person can
// type or paste (malformed escapes such as %E0%A4%A, unknown paths, stray query strings) throws.

export const ROUTES = [
  { re: /^#\/signin$/, view: 'signin', public: true },
  // Opened from the confirmation mail by the address's owner, signed in or not (they may have no
  // login on the account that added it): the link's token is the proof.
  { re: /^#\/confirm$/, view: 'confirm', open: true },
  // Opened from the close mail's rating links, signed in or not: the signed token is the proof.
  { re: /^#\/rate$/, view: 'rate', open: true },
  { re: /^#\/tickets$/, view: 'tickets', role: 'customer' },
  { re: /^#\/tickets\/([^/?]+)$/, view: 'ticket' },
  { re: /^#\/new$/, view: 'new', role: 'customer' },
  { re: /^#\/account$/, view: 'account', role: 'customer' },
  { re: /^#\/queue$/, view: 'queue', role: 'operator', mode: 'queue' },
  { re: /^#\/mine$/, view: 'queue', role: 'operator', mode: 'mine' },
  { re: /^#\/canned$/, view: 'canned', role: 'operator' },
  { re: /^#\/reports$/, view: 'reports', role: 'operator' },
  { re: /^#\/settings$/, view: 'settings', role: 'operator' },
  { re: /^#\/new-for$/, view: 'newForCustomer', role: 'operator' },
];

export const SIGNIN = '#/signin';
export const home = (who) => (!who ? SIGNIN : who.role === 'operator' ? '#/queue' : '#/tickets');

function decode(part) {
  try { return decodeURIComponent(part); } catch { return null; }
}

function parse(hash) {
  const text = String(hash || '');
  const cut = text.indexOf('?');
  const path = cut < 0 ? text : text.slice(0, cut);
  const search = cut < 0 ? '' : text.slice(cut + 1);
  for (const route of ROUTES) {
    const m = route.re.exec(path);
    if (!m) continue;
    const params = m.slice(1).map(decode);
    return { route, path, params, query: new URLSearchParams(search), malformed: params.includes(null) };
  }
  return { route: null, path, params: [], query: new URLSearchParams(), malformed: false };
}

/** The hash to come back to after signing in (`next`), when it is a screen someone signed in can see. */
export function safeNext(next) {
  const hash = String(next || '');
  if (!hash.startsWith('#/')) return null;
  const { route } = parse(hash);
  return route && !route.public ? hash : null;
}

/** The sign-in screen, remembering where the person was going. */
export function signinFor(hash) {
  const next = safeNext(hash);
  return next ? `${SIGNIN}?${new URLSearchParams({ next })}` : SIGNIN;
}

/**
 * resolve(hash, who) → one of
 *   { redirect: hash }                      go there instead (location.replace)
 *   { notFound: true, path }                 show "page not found"
 *   { view, params, query, mode, path }      show that view
 * `who` is the session ({role}) or null.
 */
export function resolve(hash, who) {
  const raw = String(hash || '');
  if (raw === '' || raw === '#' || raw === '#/') return { redirect: home(who) };
  const { route, path, params, query, malformed } = parse(raw);
  if (!route) return who ? { notFound: true, path } : { redirect: SIGNIN };
  if (route.open) return { view: route.view, params, query, mode: route.mode, path };
  if (route.public) {
    // Signed in already: go where the sign-in was meant to lead, or home.
    if (who) return { redirect: allowed(safeNext(query.get('next')), who) || home(who) };
    return { view: route.view, params, query, mode: route.mode, path };
  }
  if (!who) return { redirect: signinFor(raw) };
  if (route.role && route.role !== who.role) return { redirect: home(who) };
  if (malformed) return { notFound: true, path };
  return { view: route.view, params, query, mode: route.mode, path };
}

/** `hash` if who may see it (a customer's deep link is no use to an operator), else null. */
function allowed(hash, who) {
  if (!hash) return null;
  const { route } = parse(hash);
  return route && (!route.role || route.role === who.role) ? hash : null;
}
