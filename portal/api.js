// Fetch wrapper for the help-desk API: base URL from /config.json, the bearer token, JSON bodies,
// ETag/If-Match, and API errors turned into ApiError objects a view can show as a sentence.
import { t, has, getLang } from './i18n/index.js';
import { session } from './auth.js';

let baseUrl = '';
export function setBaseUrl(url) { baseUrl = (url || '').replace(/\/+$/, ''); }
export const apiUrl = (path) => baseUrl + path;

export class ApiError extends Error {
  constructor(status, code, message, details = [], language = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.language = language; // the response's Content-Language: the language its words are in
  }
}

/** Headers every call to the API carries: JSON, and the reader's language for the API's messages. */
const common = () => ({ Accept: 'application/json', 'Accept-Language': getLang() });

/** True when the API's words are in the portal's language (it said so in Content-Language). */
const speaksOurLanguage = (error) =>
  String(error.language || '').split(',').some((tag) => tag.trim().toLowerCase().split('-')[0] === getLang());

let onUnauthorized = () => {};
/** Called when the API says the token is not valid (expired): the app sends the person to sign in. */
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

/**
 * request('GET', '/tickets', { query, body, version, headers }) → { data, etag, status }.
 * `version` becomes If-Match: "<version>", so a change made on a stale thread is refused (409).
 */
export async function request(method, path, { query, body, version, headers = {} } = {}) {
  const url = new URL(apiUrl(path), location.origin);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  const init = { method, headers: { ...common(), ...headers } };
  const token = session()?.token;
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (version !== undefined && version !== null) init.headers['If-Match'] = `"${version}"`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const err = data?.error;
    // API Gateway's own 401/413 bodies are {"message": ...}, not the API's error shape.
    const code = err?.code || { 401: 'not_authenticated', 403: 'forbidden', 404: 'not_found', 413: 'request_too_large' }[response.status] || 'http_error';
    const error = new ApiError(response.status, code, err?.message || data?.message || response.statusText, err?.details || [],
      response.headers.get('Content-Language'));
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }
  return { data, etag: response.headers.get('ETag'), status: response.status };
}

/** The version an ETag carries ("3", W/"3"), or null. */
export function versionFromEtag(etag) {
  const m = /(\d+)/.exec(etag || '');
  return m ? Number(m[1]) : null;
}

// Never two languages on one screen: the API's words are shown when the API says (Content-Language)
// they are in the portal's language — it answers in the language of Accept-Language — and the
// catalogue's otherwise.

/** An API error as a sentence in the UI language: the catalogue's sentence for its code (they say what
 *  to do next in this portal), else the API's words when they are in the UI language. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return t('error.unexpected');
  const key = `error.${error.code}`;
  if (has(key)) return t(key);
  return error.message && speaksOurLanguage(error) ? error.message : t('error.unexpected');
}

/** Field-level messages for a 422: { field: sentence }: the API's detail when it is in the UI
 *  language (it knows the limit that was broken), else the catalogue's sentence for the field. */
export function fieldErrors(error) {
  const out = {};
  const apiWords = error instanceof ApiError && speaksOurLanguage(error);
  for (const d of error?.details || []) {
    // A refused file: the error's sentence already says which one and why.
    if (/^attachments(\.|$)/.test(String(d.field ?? ''))) continue;
    const field = String(d.field ?? '').split('.').pop();
    const key = `field.${field}.invalid`;
    if (apiWords && d.message) out[field] = has(key) ? String(d.message) : `${field}: ${d.message}`;
    else out[field] = has(key) ? t(key) : t('field.invalid', { field });
  }
  return out;
}

/**
 * A short-lived link to an attachment. Asked for JSON, the API answers with the presigned link
 * instead of redirecting to it (fetch cannot follow a redirect to storage's origin). A refusal
 * (held by the virus scan, gone) comes back as the API's error, so it can be shown as a sentence.
 */
export async function attachmentLink(path) {
  try {
    const { data } = await request('GET', path);
    return String(data.url);
  } catch (error) {
    if (error.status === 0) throw new ApiError(0, 'download_failed', 'download failed');
    if (error.status === 404) throw new ApiError(404, 'attachment_not_found', error.message, [], error.language);
    throw error;
  }
}

/**
 * Download an attachment: the browser navigates to its link, which downloads the file under its
 * own name (Content-Disposition: attachment, set by the link) without storage having to allow
 * cross-origin fetches.
 */
export async function downloadAttachment(path) {
  window.location.assign(await attachmentLink(path));
}
