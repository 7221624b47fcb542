// The pages' words in Korean and English: plain JSON catalogues (i18n/en.json, i18n/ko.json), no
// build step. The language is the one chosen with the header switch (remembered in localStorage),
// else the browser's first Korean or English preference, else English. Every text a page shows
// goes through t() (JS) or a data-i18n attribute (HTML); dates and numbers use the locale's format.

const STORAGE_KEY = 'comfygate.lang';
export const LANGUAGES = ['en', 'ko'];

let lang = 'en';
let messages = {};
let fallback = {};

/** The language the browser asks for: the first of its preferences we have, else English. */
export function browserLanguage() {
  const wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  for (const tag of wanted) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

function storedLanguage() {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(stored) ? stored : null;
  } catch (e) {
    return null;
  }
}

async function fetchCatalogue(base, code) {
  const res = await fetch(new URL('i18n/' + code + '.json', base), { credentials: 'same-origin' });
  if (!res.ok) throw new Error('catalogue ' + code + ': HTTP ' + res.status);
  return res.json();
}

/**
 * Loads the page's catalogue (and English, for a key a catalogue lacks) from `base` (the folder
 * holding i18n/), sets <html lang> and translates the static page.
 */
export async function loadLanguage(base) {
  lang = storedLanguage() || browserLanguage();
  fallback = await fetchCatalogue(base, 'en');
  messages = lang === 'en' ? fallback : await fetchCatalogue(base, lang).catch(() => fallback);
  document.documentElement.lang = lang;
  translatePage(document);
  return lang;
}

export function language() {
  return lang;
}

/** Whether the catalogue has `key`. */
export function has(key) {
  return Object.prototype.hasOwnProperty.call(messages, key) || Object.prototype.hasOwnProperty.call(fallback, key);
}

/** The text of `key`, with {name} replaced by vars.name (numbers in the locale's format). */
export function t(key, vars) {
  const template = messages[key] !== undefined ? messages[key] : fallback[key];
  if (template === undefined) return key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!vars || vars[name] === undefined || vars[name] === null) return whole;
    const value = vars[name];
    return typeof value === 'number' ? formatNumber(value) : String(value);
  });
}

/**
 * A text the server sent (a shipped template's description, say): its translation under `key` when
 * it is still the shipped English text, else the text as it is (an operator's own words).
 */
export function fromServer(key, text) {
  return fallback[key] !== undefined && fallback[key] === text ? t(key) : text;
}

export function formatNumber(n, options) {
  return new Intl.NumberFormat(lang, options).format(n);
}

/** A date and time in the page's locale ('' for none). */
export function formatDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/**
 * Sets the texts of the static page: data-i18n="key" sets an element's text, and
 * data-i18n-attr="aria-label:key; placeholder:key" its attributes.
 */
export function translatePage(root) {
  root.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.dataset.i18n); });
  root.querySelectorAll('[data-i18n-attr]').forEach((node) => {
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) node.setAttribute(attr, t(key));
    }
  });
}

/**
 * The header switch (a <select id="lang">): shows the page's language; choosing another remembers
 * it and loads the page again in it.
 */
export function setupLanguageSwitch(select) {
  select.replaceChildren(...LANGUAGES.map((code) => {
    const option = document.createElement('option');
    option.value = code;
    option.textContent = t('lang.' + code);
    return option;
  }));
  select.value = lang;
  select.addEventListener('change', () => {
    try {
      localStorage.setItem(STORAGE_KEY, select.value);
    } catch (e) {
      // storage refused: the switch still works for this page load
    }
    location.reload();
  });
}
