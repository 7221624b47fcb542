// The user page: sign in, generate, follow jobs live, gallery and trash.
import { loadLanguage, setupLanguageSwitch, t } from './i18n.js';
import { api, messageOf, el, button, show, setupSession, formatTime, formatBytes } from './common.js';
import { TemplateForm } from './form.js';
import { showSettings, inputImageIds, inputImages } from './settings.js';
import { PromptAssistant } from './assist.js';

// the words first: everything below shows text
await loadLanguage(new URL('./', import.meta.url));
setupLanguageSwitch(document.getElementById('lang'));

const API = new URL('api/', document.baseURI).pathname;
const LIVE_URL = (() => {
  const u = new URL('api/v1/live', document.baseURI);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
})();
const TERMINAL = new Set(['succeeded', 'failed', 'timeout', 'cancelled']);
const PAGE_SIZE = 12;
const PRECHECK_MS = 1500;
const POLL_MS = 2000;

const $ = (id) => document.getElementById(id);
const jobs = new Map(); // id -> {job, card, etaAt}
let signedIn = false;
let currentUser = null;
let socket = null;
let reconnectDelay = 1000;
let reconnectTimer = null;
let pollTimer = null;
let gallery = { trash: false, page: 1, totalPages: 1 };
const form = new TemplateForm(API, {
  fieldsHost: $('param-fields'),
  picker: $('template-picker'),
  pickerField: $('template-field'),
  description: $('template-description'),
  onChange(template) {
    $('template-name').textContent = '(' + template.name + ')';
    clearErrors();
    assistant.attach(form.fields.find((f) => f.param.name === 'prompt'));
  },
});
const assistant = new PromptAssistant(API);

// ---------- session ----------

setupSession(API, {
  onSignedIn(session) {
    signedIn = true;
    currentUser = session.user;
    $('who').textContent = t('session.signedInAs', { user: session.user });
    show($('signout'), true);
    show($('signin'), false);
    show($('workspace'), true);
    loadForm(session.user);
    connectLive();
    loadGallery();
    showDemoBanner();
  },
  onSignedOut() {
    signedIn = false;
    currentUser = null;
    $('who').textContent = '';
    show($('signout'), false);
    show($('workspace'), false);
    show($('signin'), true);
    disconnectLive();
    form.reset();
    $('template-name').textContent = '';
    jobs.clear();
    $('job-list').replaceChildren();
    show($('jobs-empty'), true);
    show($('demo-banner'), false);
    assistant.reset();
    $('gallery-grid').replaceChildren();
  },
});

// ---------- generate ----------

async function loadForm(user) {
  const generate = $('generate');
  generate.disabled = true;
  show($('form-retry'), false);
  show($('form-loading'), true);
  $('form-error').textContent = '';
  const [problem] = await Promise.all([form.load(user), assistant.load()]);
  if (!signedIn || currentUser !== user) return; // signed out (or in as another user) meanwhile
  show($('form-loading'), false);
  if (problem) {
    $('form-error').textContent = problem;
    show($('form-retry'), true);
    return;
  }
  generate.disabled = false;
  assistant.attach(form.fields.find((f) => f.param.name === 'prompt'));
  jobs.forEach(renderCard); // cards shown before the templates came: their settings now with the declared names
}

$('form-retry').addEventListener('click', () => { if (signedIn) loadForm(currentUser); });

function clearErrors() {
  form.clearProblems();
  notice('');
}

function notice(text) {
  $('notice').textContent = text;
  show($('notice'), !!text);
}

const describe = (problems) => problems.map((p) => p.field + ': ' + p.reason).join('; ');

/** The banner saying the simulated ComfyUI serves (placeholder images), as the launcher's console does. */
async function showDemoBanner() {
  const check = await api(API, 'GET', 'v1/precheck', undefined, PRECHECK_MS);
  show($('demo-banner'), signedIn && check.status === 200 && !!check.body && check.body.simulated === true);
}

/**
 * "Use these settings": fills the form with a job's or image's template and params (nothing is
 * sent) and takes the user there, to the first field, or to the first value that needs changing.
 */
async function useSettings(template, params) {
  if ($('viewer').open) $('viewer').close();
  clearErrors();
  const { offered, problems } = await form.apply(template, params);
  $('generate-title').scrollIntoView({ block: 'start' });
  if (!offered) {
    notice(t('reuse.notOffered', { template }));
  } else if (problems.length) {
    notice(t('reuse.problems', { problems: describe(problems) }));
  } else if (form.fields.length) {
    form.fields[0].control.focus({ preventScroll: true });
  }
}

$('prompt-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const generate = $('generate');
  if (generate.disabled) return; // a submit under way, or no form yet
  clearErrors();
  generate.disabled = true;
  try {
    // first what the template declares (no request is made for a value it refuses) ...
    const { params, problems } = await form.collect();
    if (problems.length) {
      notice(t('form.nothingSent', { problems: describe(problems) }));
      return;
    }
    // ... then the 1.5 s pre-check
    const check = await api(API, 'GET', 'v1/precheck', undefined, PRECHECK_MS);
    if (check.status !== 200 || !check.body || check.body.status !== 'OK') {
      notice(check.status === 200 && check.body
        ? t('precheck.unavailable', { reason: String(check.body.summary || t('precheck.someCheck')).replace(/^FAIL\s*:\s*/, '') })
        : t('precheck.failed', { reason: messageOf(check) }));
      return;
    }
    const result = await api(API, 'POST', 'v1/jobs', { template: form.template.name, params });
    if (result.status === 202 || result.status === 200) {
      form.remember();
      upsertJob(result.body);
      schedulePoll();
      // the job just started is in view: on a phone the cards follow the form
      const entry = jobs.get(result.body.id);
      if (entry) entry.card.scrollIntoView({ block: 'nearest' });
    } else if (result.status === 400 && result.body && Array.isArray(result.body.problems)) {
      // the server's message names every bad parameter; each also goes next to its field
      form.showProblems(result.body.problems);
      notice(messageOf(result));
    } else if (result.status === 401) {
      notice(t('session.ended'));
    } else {
      notice(messageOf(result)); // 429: the sentence about the limit
    }
  } finally {
    generate.disabled = !form.template;
  }
});

// ---------- job cards ----------

function buildCard(id) {
  const card = el('article', 'card job');
  card.dataset.jobId = id;
  const head = el('div', 'job-head');
  head.append(el('span', 'job-state badge'), el('span', 'job-position'), el('span', 'job-eta'));
  const prompt = el('p', 'job-prompt');
  const settings = el('p', 'job-settings settings');
  const input = el('div', 'job-input');
  const bar = el('progress', 'job-progress');
  bar.max = 100;
  bar.value = 0;
  const node = el('span', 'job-node muted');
  const preview = el('img', 'job-preview');
  preview.alt = t('job.previewAlt');
  preview.hidden = true;
  const error = el('p', 'job-error error');
  const outputs = el('div', 'job-images');
  const cancel = button(t('job.cancel'), () => cancelJob(id, cancel), 'job-cancel');
  const reuse = button(t('settings.reuse'), () => {
    const { job } = jobs.get(id);
    useSettings(job.template, job.params);
  }, 'job-reuse');
  reuse.hidden = true;
  const progress = el('div', 'job-progress-row');
  progress.append(bar, node);
  card.append(head, prompt, progress, preview, outputs, error, settings, input, cancel, reuse);
  return card;
}

function upsertJob(job) {
  if (!job || !job.id) return;
  let entry = jobs.get(job.id);
  const known = !!entry;
  const wasTerminal = known && TERMINAL.has(entry.job.state);
  if (!entry) {
    entry = { job, card: buildCard(job.id), etaAt: null };
    jobs.set(job.id, entry);
    insertCard(entry);
    show($('jobs-empty'), false);
  }
  if (wasTerminal && !TERMINAL.has(job.state)) return; // never go back from a final state
  entry.job = job;
  entry.etaAt = job.eta_seconds == null ? null : Date.now() + job.eta_seconds * 1000;
  renderCard(entry);
  // a job seen finishing adds images (jobs that arrive already finished, as in a snapshot, do not)
  if (known && !wasTerminal && job.state === 'succeeded') loadGallery();
}

function insertCard(entry) {
  const list = $('job-list');
  // newest first by created_at
  const created = entry.job.created_at || '';
  for (const other of list.children) {
    const o = jobs.get(other.dataset.jobId);
    if (o && (o.job.created_at || '') < created) {
      list.insertBefore(entry.card, other);
      return;
    }
  }
  list.append(entry.card);
}

function renderCard(entry) {
  const { job, card } = entry;
  card.dataset.state = job.state;
  const state = card.querySelector('.job-state');
  state.textContent = t('state.' + job.state);
  state.className = 'job-state badge state-' + job.state;
  card.querySelector('.job-position').textContent =
    job.state === 'queued' && job.position > 0 ? t('job.position', { n: job.position }) : '';
  card.querySelector('.job-prompt').textContent = (job.params && job.params.prompt) || '';
  const template = form.templateNamed(job.template);
  showSettings(card.querySelector('.job-settings'), job.template, job.params, template);
  const input = card.querySelector('.job-input');
  if (!input.childElementCount) input.replaceChildren(...inputImages(API, inputImageIds(job.params, template)));
  const percent = job.progress ? job.progress.percent : 0;
  const bar = card.querySelector('.job-progress');
  bar.value = job.state === 'succeeded' ? 100 : percent;
  bar.textContent = t('job.percent', { percent: bar.value });
  bar.setAttribute('aria-label', t('job.progress'));
  const node = job.progress && job.progress.node;
  card.querySelector('.job-node').textContent =
    job.state === 'running' ? (node ? t('job.node', { percent, node: String(node) }) : t('job.percent', { percent })) : '';
  // a plain "cancelled" repeats the badge; other reasons (failed, timed out) are worth the line
  card.querySelector('.job-error').textContent = job.state === 'cancelled' && job.error === 'cancelled' ? '' : (job.error || '');
  const cancel = card.querySelector('.job-cancel');
  cancel.hidden = TERMINAL.has(job.state);
  card.querySelector('.job-reuse').hidden = !TERMINAL.has(job.state);
  const outputs = card.querySelector('.job-images');
  if (job.images && job.images.length && outputs.childElementCount !== job.images.length) {
    outputs.replaceChildren(...job.images.map((img) => {
      const thumb = el('img', 'thumb');
      thumb.src = img.url;
      thumb.alt = t('job.resultAlt');
      return thumb;
    }));
  }
  if (TERMINAL.has(job.state)) {
    // a job that ended without images keeps its last preview, if it had one; an empty one never shows
    const preview = card.querySelector('.job-preview');
    preview.hidden = !preview.getAttribute('src') || (job.state === 'succeeded' && !!job.images && job.images.length > 0);
  }
  renderEta(entry);
}

function renderEta(entry) {
  const eta = entry.card.querySelector('.job-eta');
  if (TERMINAL.has(entry.job.state) || entry.etaAt == null) {
    eta.textContent = '';
    return;
  }
  const left = Math.max(0, Math.round((entry.etaAt - Date.now()) / 1000));
  eta.textContent = left >= 120 ? t('job.etaMinutes', { minutes: Math.round(left / 60) }) : t('job.eta', { seconds: left });
}

setInterval(() => jobs.forEach(renderEta), 1000);

function onProgress(msg) {
  const entry = jobs.get(msg.job_id);
  if (!entry || TERMINAL.has(entry.job.state)) return;
  const job = { ...entry.job, state: 'running', progress: { percent: msg.percent, node: msg.node } };
  if (msg.position != null) job.position = msg.position;
  if (msg.eta_seconds !== undefined) job.eta_seconds = msg.eta_seconds;
  upsertJob(job);
}

function onPreview(msg) {
  const entry = jobs.get(msg.job_id);
  if (!entry || TERMINAL.has(entry.job.state)) return;
  if (msg.mime !== 'image/png' && msg.mime !== 'image/jpeg') return;
  const img = entry.card.querySelector('.job-preview');
  img.src = 'data:' + msg.mime + ';base64,' + msg.data;
  img.hidden = false;
}

async function cancelJob(id, cancelButton) {
  cancelButton.disabled = true;
  const result = await api(API, 'POST', 'v1/jobs/' + encodeURIComponent(id) + '/cancel');
  cancelButton.disabled = false;
  if (result.status === 200) upsertJob(result.body);
  else notice(messageOf(result));
}

// ---------- live updates (WebSocket, polling as the fallback) ----------

function connectLive() {
  if (!signedIn || socket) return;
  let ws;
  try {
    ws = new WebSocket(LIVE_URL);
  } catch (e) {
    scheduleReconnect();
    return;
  }
  socket = ws;
  ws.addEventListener('open', () => {
    reconnectDelay = 1000;
    $('live-state').textContent = t('live.on');
  });
  ws.addEventListener('message', (event) => {
    let msg;
    try { msg = JSON.parse(event.data); } catch (e) { return; }
    if (msg.type === 'snapshot') (msg.jobs || []).slice().reverse().forEach(upsertJob);
    else if (msg.type === 'job') upsertJob(msg.job);
    else if (msg.type === 'progress') onProgress(msg);
    else if (msg.type === 'preview') onPreview(msg);
  });
  ws.addEventListener('close', () => {
    if (socket === ws) socket = null;
    $('live-state').textContent = signedIn ? t('live.polling') : '';
    scheduleReconnect();
    schedulePoll();
  });
}

function scheduleReconnect() {
  if (!signedIn || reconnectTimer) return;
  const delay = reconnectDelay;
  reconnectDelay = Math.min(reconnectDelay * 2, 30000);
  reconnectTimer = setTimeout(() => { reconnectTimer = null; connectLive(); }, delay);
}

function disconnectLive() {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  clearTimeout(pollTimer);
  pollTimer = null;
  reconnectDelay = 1000;
  if (socket) {
    const ws = socket;
    socket = null;
    ws.close(1000);
  }
}

function liveOpen() {
  return socket && socket.readyState === WebSocket.OPEN;
}

function schedulePoll() {
  if (pollTimer || !signedIn) return;
  pollTimer = setTimeout(poll, POLL_MS);
}

async function poll() {
  pollTimer = null;
  if (!signedIn || liveOpen()) return;
  const active = [...jobs.values()].filter((e) => !TERMINAL.has(e.job.state));
  for (const entry of active) {
    const result = await api(API, 'GET', 'v1/jobs/' + encodeURIComponent(entry.job.id));
    if (result.status === 200) upsertJob(result.body);
  }
  if (active.length) schedulePoll();
}

// ---------- gallery and trash ----------

$('show-gallery').addEventListener('click', () => switchView(false));
$('show-trash').addEventListener('click', () => switchView(true));
$('page-prev').addEventListener('click', () => { if (gallery.page > 1) { gallery.page--; loadGallery(); } });
$('page-next').addEventListener('click', () => { if (gallery.page < gallery.totalPages) { gallery.page++; loadGallery(); } });

function switchView(trash) {
  gallery = { trash, page: 1, totalPages: 1 };
  $('show-gallery').setAttribute('aria-pressed', String(!trash));
  $('show-trash').setAttribute('aria-pressed', String(trash));
  loadGallery();
}

let galleryRequest = 0;
async function loadGallery() {
  if (!signedIn) return;
  const mine = ++galleryRequest;
  const query = '?page=' + gallery.page + '&size=' + PAGE_SIZE + (gallery.trash ? '&include=deleted' : '');
  const result = await api(API, 'GET', 'v1/images' + query);
  if (mine !== galleryRequest) return; // a newer request is under way
  const grid = $('gallery-grid');
  $('gallery-error').textContent = '';
  if (result.status !== 200) {
    $('gallery-error').textContent = messageOf(result);
    return;
  }
  const page = result.body;
  if (page.items.length === 0 && gallery.page > 1 && page.total > 0) {
    gallery.page = Math.max(1, page.total_pages);
    loadGallery();
    return;
  }
  gallery.totalPages = Math.max(1, page.total_pages);
  grid.dataset.view = gallery.trash ? 'trash' : 'gallery';
  grid.replaceChildren(...page.items.map(imageCard));
  if (page.items.length === 0) grid.append(el('p', 'muted empty', t(gallery.trash ? 'gallery.trashEmpty' : 'gallery.empty')));
  $('page-info').textContent = t('pager.images', { page: gallery.page, pages: gallery.totalPages, total: page.total });
  $('page-prev').disabled = gallery.page <= 1;
  $('page-next').disabled = gallery.page >= gallery.totalPages;
}

function imageCard(image) {
  const card = el('figure', 'card image' + (image.deleted ? ' is-deleted' : ''));
  card.dataset.imageId = image.id;
  const open = el('button', 'thumb-button');
  open.type = 'button';
  open.setAttribute('aria-label', t('image.view'));
  const thumb = el('img', 'thumb');
  thumb.src = image.url;
  thumb.alt = (image.params && image.params.prompt) || t('image.alt');
  thumb.loading = 'lazy';
  open.append(thumb);
  open.addEventListener('click', () => view(image));
  const caption = el('figcaption');
  if (image.deleted) caption.append(el('span', 'badge deleted-label', t('image.deleted')), ' ');
  caption.append(el('span', 'image-prompt', (image.params && image.params.prompt) || ''));
  caption.append(el('span', 'muted image-meta', image.width + '\u00d7' + image.height + ', ' + formatBytes(image.size_bytes)
    + ', ' + formatTime(image.created_at)));
  const actions = el('div', 'actions');
  const download = el('a', 'download', t('image.download'));
  download.href = image.url;
  download.download = 'comfygate-' + image.id + '.png';
  actions.append(download);
  if (image.deleted) {
    actions.append(button(t('image.restore'), () => change(image, 'restore'), 'restore'));
  } else {
    actions.append(button(t('image.delete'), () => change(image, 'delete'), 'delete'));
  }
  card.append(open, caption, actions);
  return card;
}

async function change(image, action) {
  const result = await api(API, 'POST', 'v1/images/' + encodeURIComponent(image.id) + '/' + action);
  if (result.status !== 200 && result.status !== 204) {
    $('gallery-error').textContent = messageOf(result);
    return;
  }
  loadGallery();
}

let viewed = null; // the image the viewer shows

function view(image) {
  viewed = image;
  const template = form.templateNamed(image.template);
  $('viewer-img').src = image.url;
  $('viewer-img').alt = (image.params && image.params.prompt) || t('image.alt');
  $('viewer-caption').textContent = (image.params && image.params.prompt) || '';
  showSettings($('viewer-settings'), image.template, image.params, template);
  $('viewer-input').replaceChildren(...inputImages(API, inputImageIds(image.params, template)));
  $('viewer-download').href = image.url;
  $('viewer-download').download = 'comfygate-' + image.id + '.png';
  $('viewer').showModal();
}
$('viewer-close').addEventListener('click', () => $('viewer').close());
$('viewer-reuse').addEventListener('click', () => { if (viewed) useSettings(viewed.template, viewed.params); });
