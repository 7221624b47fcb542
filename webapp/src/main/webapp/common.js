// Shared by the user page and the admin page: API calls, sign-in, small DOM helpers.
// Every string that comes from the server or a user is set with textContent, never as HTML.
import { t, has, language, formatNumber, formatDateTime } from './i18n.js';

let csrfToken = null;

/** Sets the CSRF token sent as X-CSRF-Token on every change. */
export function setCsrf(token) {
  csrfToken = token || null;
}

/**
 * Calls the API at `path` (relative to the API root `apiRoot`); resolves to {status, body}
 * (body is the parsed JSON or null). A FormData `body` goes as multipart/form-data, anything else
 * as JSON. Network failures and timeouts resolve with status 0.
 */
export async function api(apiRoot, method, path, body, timeoutMs = 15000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers = { Accept: 'application/json' };
  const multipart = body instanceof FormData;
  // the browser writes a multipart body's Content-Type itself, boundary included
  if (body !== undefined && !multipart) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  try {
    const res = await fetch(apiRoot + path, {
      method, headers, credentials: 'same-origin', signal: controller.signal,
      body: body === undefined || multipart ? body : JSON.stringify(body),
    });
    let json = null;
    const type = res.headers.get('Content-Type') || '';
    if (type.includes('json')) {
      try { json = await res.json(); } catch (e) { json = null; }
    }
    return { status: res.status, body: json, headers: res.headers };
  } catch (e) {
    const timedOut = e && e.name === 'AbortError';
    return { status: 0, body: { error: timedOut ? 'timeout' : 'network',
      message: t(timedOut ? 'error.timeout' : 'error.network') } };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The error sentence of a failed call, in the page's language: a known error code's sentence from
 * the catalogue (English pages keep the server's own sentence, which is the more specific one), else
 * the server's message, else the status.
 */
export function messageOf(result) {
  const body = result.body || {};
  if (body.error && language() !== 'en' && has('error.' + body.error)) {
    return t('error.' + body.error, { limit: body.limit, seconds: body.retry_after_seconds, id: body.error_id });
  }
  if (body.message) return body.message;
  return t('error.http', { status: result.status });
}

/** Creates an element with a class and text (as text). */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function button(text, onClick, className) {
  const b = el('button', className, text);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export function show(node, visible) {
  node.hidden = !visible;
}

export function formatBytes(n) {
  if (n == null) return '';
  const one = { maximumFractionDigits: 1, minimumFractionDigits: 1 };
  if (n < 1024) return formatNumber(n) + ' B';
  if (n < 1024 * 1024) return formatNumber(n / 1024, one) + ' KiB';
  return formatNumber(n / 1024 / 1024, one) + ' MiB';
}

/** A date and time in the page's locale. */
export const formatTime = formatDateTime;

/**
 * Wires the sign-in form and the sign-out button: resumes a session on load, then calls
 * onSignedIn(session) or onSignedOut().
 */
export function setupSession(apiRoot, { onSignedIn, onSignedOut }) {
  const form = document.getElementById('signin-form');
  const error = document.getElementById('signin-error');
  const signOut = document.getElementById('signout');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const data = new FormData(form);
    const result = await api(apiRoot, 'POST', 'v1/session',
      { username: data.get('username'), password: data.get('password') });
    if (result.status === 200) {
      form.reset();
      setCsrf(result.body.csrf_token);
      onSignedIn(result.body);
    } else {
      error.textContent = result.status === 401 ? t('signin.wrong') : messageOf(result);
    }
  });

  signOut.addEventListener('click', async () => {
    await api(apiRoot, 'DELETE', 'v1/session');
    setCsrf(null);
    onSignedOut();
  });

  (async () => {
    const result = await api(apiRoot, 'GET', 'v1/session');
    if (result.status === 200) {
      setCsrf(result.body.csrf_token);
      onSignedIn(result.body);
    } else {
      onSignedOut();
    }
  })();
}
