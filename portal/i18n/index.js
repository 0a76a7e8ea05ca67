// UI language: Spanish by default, English selectable, persisted in localStorage.
import es from './es.js';
import en from './en.js';

const CATALOGUES = { es, en };
const LOCALES = { es: 'es-ES', en: 'en-GB' };
const KEY = 'nz.lang';

let lang = CATALOGUES[localStorage.getItem(KEY)] ? localStorage.getItem(KEY) : 'es';
document.documentElement.lang = lang;

export const languages = () => Object.keys(CATALOGUES);
export const getLang = () => lang;
export function setLang(next) {
  if (!CATALOGUES[next]) return;
  lang = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
}

/** The catalogue string for key, with {name} placeholders filled from params. */
export function t(key, params = {}) {
  const text = CATALOGUES[lang][key] ?? es[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

export const has = (key) => key in CATALOGUES[lang];

const dateFormat = () => new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeStyle: 'short' });
/** An ISO time in the browser's time zone, in the UI language's conventions. */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat().format(date);
}

export function formatSize(bytes) {
  const n = new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${n.format(bytes)} B`;
  if (bytes < 1024 * 1024) return `${n.format(bytes / 1024)} KB`;
  return `${n.format(bytes / 1024 / 1024)} MB`;
}
