// Sign-in. The token lives in sessionStorage (gone when the tab closes). Two modes from /config.json:
// "local" (devstack's POST /_local/token) and "cognito" (Authorization Code + PKCE against the
// Cognito hosted UI; the API wants the ID token, which carries custom:account_id and the groups).

const KEY = 'nz.session';
const PKCE = 'nz.pkce';
const OPERATORS_GROUP = 'operators';

function decodeClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '=')), (c) => c.charCodeAt(0)));
    return JSON.parse(json);
  } catch {
    return {};
  }
}

function groups(claim) {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim === 'string') return claim.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
  return [];
}

function store(token, claims = decodeClaims(token)) {
  sessionStorage.setItem(KEY, JSON.stringify({ token, claims }));
}

/** The signed-in person ({token, claims, role, email, id, name, accountId}), or null (none or expired). */
export function session() {
  let saved;
  try { saved = JSON.parse(sessionStorage.getItem(KEY) || 'null'); } catch { saved = null; }
  if (!saved?.token) return null;
  const claims = saved.claims || {};
  if (claims.exp && claims.exp * 1000 < Date.now()) return null;
  return {
    token: saved.token,
    claims,
    role: groups(claims['cognito:groups']).includes(OPERATORS_GROUP) ? 'operator' : 'customer',
    email: claims.email || claims['cognito:username'] || '',
    id: claims.sub || '', // what the API stores as an assignee
    name: claims.name || claims.email || '',
    accountId: claims['custom:account_id'] || null,
  };
}

export function forget() { sessionStorage.removeItem(KEY); }

/** Local mode: ask devstack for a token. Throws Error(message) when it refuses. */
export async function localSignIn(apiBase, { role, account_id, email }, language = 'es') {
  const body = { role, email };
  if (role === 'customer') body.account_id = account_id;
  const response = await fetch(`${apiBase}/_local/token`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept-Language': language }, body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok || !data?.token) throw new Error(data?.error?.message || response.statusText);
  store(data.token, data.claims);
}

// ---------------------------------------------------------------- Cognito hosted UI, PKCE
const origin = (domain) => (/^https?:\/\//.test(domain) ? domain : `https://${domain}`).replace(/\/+$/, '');

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
const randomString = (n = 32) => base64url(crypto.getRandomValues(new Uint8Array(n)));

/** Send the browser to the hosted UI; it comes back to redirectUri with ?code=&state=. */
export async function cognitoSignIn(auth) {
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL(`${origin(auth.domain)}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: auth.clientId, redirect_uri: auth.redirectUri,
    scope: 'openid email profile', state, code_challenge_method: 'S256', code_challenge: challenge,
  });
  location.assign(url);
}

/**
 * On return from the hosted UI: exchange ?code for tokens (checking state), keep the ID token,
 * and clean the URL. Returns the hash to go back to, or null when this is not a callback.
 * Throws Error on a refused or forged callback.
 */
export async function cognitoCallback(auth) {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PKCE) || 'null');
  sessionStorage.removeItem(PKCE);
  history.replaceState(null, '', location.pathname + (pending?.hash || ''));
  if (params.has('error')) throw new Error(params.get('error_description') || params.get('error'));
  if (!pending || params.get('state') !== pending.state) throw new Error('state mismatch');
  const response = await fetch(`${origin(auth.domain)}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', client_id: auth.clientId, code: params.get('code'),
      redirect_uri: auth.redirectUri, code_verifier: pending.verifier,
    }),
  });
  const tokens = await response.json().catch(() => null);
  if (!response.ok || !tokens?.id_token) throw new Error(tokens?.error || response.statusText);
  store(tokens.id_token);
  return pending.hash || '';
}

/** Sign out; with Cognito also end the hosted-UI session (logout_uri must be an allowed sign-out URL). */
export function signOut(auth) {
  forget();
  if (auth?.mode === 'cognito') {
    const url = new URL(`${origin(auth.domain)}/logout`);
    url.search = new URLSearchParams({ client_id: auth.clientId, logout_uri: auth.redirectUri });
    location.assign(url);
  }
}
