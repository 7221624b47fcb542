// The admin page: health banner, queue, images with filters, purge-trash, API keys, webhook deliveries.
import { loadLanguage, setupLanguageSwitch, t } from '../i18n.js';
import { api, messageOf, el, button, show, setupSession, formatTime, formatBytes } from '../common.js';

// the words first: everything below shows text
await loadLanguage(new URL('../', import.meta.url));
setupLanguageSwitch(document.getElementById('lang'));

const API = new URL('../api/', document.baseURI).pathname;
const $ = (id) => document.getElementById(id);
const IMG_SIZE = 20;

setupSession(API, {
  onSignedIn(session) {
    $('who').textContent = t('session.signedInAs', { user: session.user });
    show($('signout'), true);
    show($('signin'), false);
    show($('not-admin'), !session.admin);
    show($('workspace'), session.admin);
    if (session.admin) {
      loadStatus();
      loadQueue();
      loadImages();
      loadKeys();
      loadDeliveries();
    }
  },
  onSignedOut() {
    $('who').textContent = '';
    show($('signout'), false);
    show($('not-admin'), false);
    show($('workspace'), false);
    show($('signin'), true);
  },
});

// ---------- health banner ----------

$('refresh').addEventListener('click', () => { loadStatus(); loadQueue(); });

async function loadStatus() {
  const refresh = $('refresh');
  refresh.disabled = true;
  const result = await api(API, 'GET', 'v1/admin/status', undefined, 10000);
  refresh.disabled = false;
  const banner = $('banner');
  const checks = $('banner-checks');
  checks.replaceChildren();
  if (result.status !== 200 || !result.body) {
    banner.className = 'banner fail';
    $('banner-status').textContent = 'FAIL';
    $('banner-summary').textContent = messageOf(result);
    return;
  }
  const health = result.body;
  const ok = health.status === 'OK';
  banner.className = 'banner ' + (ok ? 'ok' : 'fail');
  $('banner-status').textContent = ok ? 'OK' : 'FAIL';
  // the summary may repeat the verdict ("FAIL: …"); the badge already says it
  const summary = (health.summary || '').replace(/^(OK|FAIL)\s*[:\u2013-]?\s*/, '');
  $('banner-summary').textContent = (summary ? '\u2013 ' + summary + ' ' : '') + t('admin.checkedAt', { time: formatTime(health.checked_at) });
  for (const check of health.checks || []) {
    if (check.status === 'DOWN') {
      checks.append(el('li', 'failing-check', check.name + ': ' + (check.reason || t('admin.down'))));
    }
  }
  showCluster(health.cluster);
}

// The instances sharing the database (shown when it can be shared: PostgreSQL), and which dispatches.
function showCluster(cluster) {
  show($('cluster'), Boolean(cluster && cluster.shared));
  if (!cluster || !cluster.shared) return;
  show($('no-dispatcher'), !cluster.dispatcher);
  $('instances').replaceChildren(...cluster.instances.map((i) => {
    const row = el('tr', i.stopped_at ? 'muted' : '');
    row.dataset.instance = i.id;
    row.append(
      el('td', '', i.self ? t('admin.thisInstance', { id: i.id }) : i.id),
      el('td', '', i.host),
      el('td', '', i.version),
      el('td', '', i.stopped_at ? t('admin.stoppedAt', { time: formatTime(i.stopped_at) }) : t('role.' + i.role)),
      el('td', '', formatTime(i.last_heartbeat)));
    return row;
  }));
}

// ---------- queue ----------

$('queue-refresh').addEventListener('click', loadQueue);

async function loadQueue() {
  const result = await api(API, 'GET', 'v1/admin/queue');
  $('queue-error').textContent = result.status === 200 ? '' : messageOf(result);
  if (result.status !== 200) return;
  const backends = $('backends');
  backends.replaceChildren(...result.body.backends.map((b) => {
    const box = el('div', 'backend');
    const title = el('h3', null, b.name + ' ');
    title.append(el('span', 'badge ' + (b.healthy ? 'state-succeeded' : 'state-failed'), t(b.healthy ? 'admin.healthy' : 'admin.down')));
    box.append(title);
    if (!b.healthy && b.reason) box.append(el('p', 'error', b.reason));
    if (b.jobs.length === 0) {
      box.append(el('p', 'muted', t('admin.noRunning')));
    } else {
      const table = el('table');
      const head = el('tr');
      ['col.job', 'col.user', 'col.prompt', 'col.progress', 'col.started'].forEach((h) => head.append(el('th', null, t(h))));
      head.append(el('th'));
      table.append(head);
      for (const job of b.jobs) {
        const row = el('tr');
        row.append(el('td', null, job.id), el('td', null, job.user_id), el('td', null, (job.params && job.params.prompt) || ''),
          el('td', null, job.progress && job.progress.node
            ? t('admin.progressNode', { percent: job.progress.percent, node: String(job.progress.node) })
            : t('job.percent', { percent: job.progress ? job.progress.percent : 0 })),
          el('td', null, formatTime(job.started_at)));
        const cell = el('td');
        cell.append(cancelButton(job));
        row.append(cell);
        table.append(row);
      }
      const wrap = el('div', 'table-wrap');
      wrap.append(table);
      box.append(wrap);
    }
    return box;
  }));
  const waiting = result.body.waiting;
  $('waiting').replaceChildren(...(waiting.length ? waiting.map((job) => {
    const row = el('tr');
    row.append(el('td', null, job.position), el('td', null, job.user_id), el('td', null, (job.params && job.params.prompt) || ''),
      el('td', null, job.eta_seconds == null ? '' : t('admin.seconds', { seconds: job.eta_seconds })), el('td', null, formatTime(job.created_at)));
    const cell = el('td');
    cell.append(cancelButton(job));
    row.append(cell);
    return row;
  }) : [emptyRow(6, t('admin.nothingWaiting'))]));
}

function cancelButton(job) {
  return button(t('job.cancel'), async (event) => {
    event.target.disabled = true;
    const result = await api(API, 'POST', 'v1/admin/queue/' + encodeURIComponent(job.id) + '/cancel');
    if (result.status !== 200) $('queue-error').textContent = messageOf(result);
    loadQueue();
  });
}

/**
 * Previous/next buttons and "Page N of M (T nouns)" (catalogue key `noun`) for a paged list; load() reads pager.page.
 * show(page) takes the answer's page object; past the last page (the list shrank since) it asks
 * for the last page instead and returns false.
 */
function pager(prefix, noun, load) {
  const state = { page: 1, pages: 1 };
  $(prefix + '-prev').addEventListener('click', () => { if (state.page > 1) { state.page--; load(); } });
  $(prefix + '-next').addEventListener('click', () => { if (state.page < state.pages) { state.page++; load(); } });
  state.show = (page) => {
    state.pages = Math.max(1, page.total_pages);
    if (state.page > state.pages) {
      state.page = state.pages;
      load();
      return false;
    }
    $(prefix + '-page-info').textContent = t(noun, { page: state.page, pages: state.pages, total: page.total });
    $(prefix + '-prev').disabled = state.page <= 1;
    $(prefix + '-next').disabled = state.page >= state.pages;
    return true;
  };
  return state;
}

function emptyRow(columns, text) {
  const row = el('tr');
  const cell = el('td', 'muted', text);
  cell.colSpan = columns;
  row.append(cell);
  return row;
}

// ---------- images ----------

const images = pager('img', 'pager.images', loadImages);
$('image-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  images.page = 1;
  loadImages();
});

async function loadImages() {
  const form = $('image-filters');
  const query = new URLSearchParams({ page: images.page, size: IMG_SIZE, include: form.include.value });
  if (form.user_id.value.trim()) query.set('user_id', form.user_id.value.trim());
  if (form.from_date.value) query.set('from_date', form.from_date.value);
  if (form.to_date.value) query.set('to_date', form.to_date.value);
  const result = await api(API, 'GET', 'v1/admin/images?' + query);
  $('images-error').textContent = result.status === 200 ? '' : messageOf(result);
  if (result.status !== 200) return;
  const page = result.body;
  if (!images.show(page)) return;
  $('images').replaceChildren(...(page.items.length ? page.items.map((image) => {
    const row = el('tr');
    const thumbCell = el('td');
    const link = el('a');
    link.href = image.url;
    link.target = '_blank';
    link.rel = 'noopener';
    const thumb = el('img');
    thumb.src = image.url;
    thumb.alt = t('admin.imageAlt', { id: image.id });
    thumb.loading = 'lazy';
    link.append(thumb);
    thumbCell.append(link);
    const state = el('td');
    state.append(image.deleted ? el('span', 'badge deleted-label', t('image.deleted')) : el('span', 'badge', t('include.active')));
    row.append(thumbCell, el('td', null, image.user_id), el('td', null, (image.params && image.params.prompt) || ''),
      el('td', null, image.width + '\u00d7' + image.height + ', ' + formatBytes(image.size_bytes)),
      el('td', null, formatTime(image.created_at)), state);
    return row;
  }) : [emptyRow(6, t('admin.noImages'))]));
}

// ---------- purge trash ----------

$('purge').addEventListener('click', () => $('purge-dialog').showModal());
$('purge-cancel').addEventListener('click', () => $('purge-dialog').close());
$('purge-confirm').addEventListener('click', async () => {
  $('purge-dialog').close();
  $('purge-result').textContent = t('purge.working');
  const result = await api(API, 'POST', 'v1/admin/purge-trash', undefined, 60000);
  if (result.status !== 200) {
    $('purge-result').textContent = messageOf(result);
    return;
  }
  const r = result.body;
  const failures = Array.isArray(r.failures) ? r.failures.length : (r.failures || 0);
  $('purge-result').textContent = t(failures ? 'purge.doneFailures' : 'purge.done',
    { purged: r.purged, bytes: formatBytes(r.bytes_freed), failures });
  loadImages();
});

// ---------- API keys ----------

$('key-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = $('key-form');
  $('key-error').textContent = '';
  const result = await api(API, 'POST', 'v1/admin/api-keys',
    { user_id: form.user_id.value.trim(), name: form.name.value.trim(), admin: form.admin.checked,
      webhook_url: form.webhook_url.value.trim() || null });
  if (result.status !== 201 && result.status !== 200) {
    $('key-error').textContent = messageOf(result);
    return;
  }
  form.reset();
  $('key-secret').textContent = result.body.key;
  $('key-webhook-secret').textContent = result.body.webhook_secret;
  show($('key-issued'), true);
  loadKeys();
});
$('key-dismiss').addEventListener('click', () => {
  $('key-secret').textContent = '';
  $('key-webhook-secret').textContent = '';
  show($('key-issued'), false);
});

async function loadKeys() {
  const result = await api(API, 'GET', 'v1/admin/api-keys');
  if (result.status !== 200) {
    $('key-error').textContent = messageOf(result);
    return;
  }
  $('keys').replaceChildren(...(result.body.length ? result.body.map((key) => {
    const row = el('tr');
    row.append(el('td', null, key.id), el('td', null, key.user_id), el('td', null, key.name), el('td', null, t(key.admin ? 'keys.yes' : 'keys.no')),
      el('td', null, formatTime(key.created_at)), el('td', null, key.revoked_at ? formatTime(key.revoked_at) : ''));
    const cell = el('td');
    if (!key.revoked_at) {
      cell.append(button(t('keys.revoke'), async () => {
        const r = await api(API, 'POST', 'v1/admin/api-keys/' + encodeURIComponent(key.id) + '/revoke');
        if (r.status !== 200) $('key-error').textContent = messageOf(r);
        loadKeys();
      }));
    }
    row.append(cell);
    return row;
  }) : [emptyRow(7, t('keys.none'))]));
}

// ---------- webhook deliveries ----------

const HOOK_SIZE = 20;
// the largest page the API gives: a job has far fewer events
const HOOK_JOB_SIZE = 100;
const HOOK_COLUMNS = ['col.event', 'col.job', 'col.type', 'col.state', 'col.attempts', 'col.last', 'col.next', 'col.receiver', 'col.action'];
// after "Send again", the row is read again this often while it is pending, at most this many times
const HOOK_FOLLOW_MS = 1500;
const HOOK_FOLLOW_TIMES = 20;

const deliveries = pager('hook', 'pager.deliveries', loadDeliveries);
$('hook-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  deliveries.page = 1;
  loadDeliveries();
});
// Refresh stays on the page shown (new events push older ones further back)
$('hooks-refresh').addEventListener('click', loadDeliveries);

async function loadDeliveries() {
  const refresh = $('hooks-refresh');
  refresh.disabled = true;
  const query = new URLSearchParams({ page: deliveries.page, size: HOOK_SIZE });
  const state = $('hook-state').value;
  const jobId = $('hook-job').value.trim();
  if (state) query.set('state', state);
  if (jobId) query.set('job_id', jobId);
  const result = await api(API, 'GET', 'v1/admin/webhooks?' + query);
  refresh.disabled = false;
  $('hooks-error').textContent = result.status === 200 ? '' : messageOf(result);
  if (result.status !== 200) {
    $('hooks').replaceChildren(emptyRow(HOOK_COLUMNS.length, t('hooks.loadFailed')));
    return;
  }
  if (!deliveries.show(result.body)) return;
  const list = result.body.items;
  $('hooks').replaceChildren(...(list.length ? list.map(deliveryRow) : [emptyRow(HOOK_COLUMNS.length, t('hooks.none'))]));
}

function deliveryRow(d) {
  const row = el('tr');
  row.dataset.eventId = d.event_id;
  row.dataset.state = d.state;
  const event = el('td', 'hook-event', shortId(d.event_id));
  event.title = d.event_id;
  const state = el('td');
  state.append(el('span', 'badge state-' + d.state, t('hook.' + d.state)));
  const action = el('td');
  if (d.state !== 'pending') action.append(button(t('hooks.sendAgain'), () => redeliver(d, row)));
  row.append(event, el('td', 'hook-job', d.job_id), el('td', 'hook-type', d.type), state, el('td', null, d.attempts),
    el('td', 'hook-last', lastOutcome(d)), el('td', null, d.state === 'pending' ? formatTime(d.next_attempt_at) : ''),
    el('td', 'hook-host', hostOf(d.url)), action);
  // the column names, for the stacked rows of a narrow screen (app.css .stack-narrow)
  [...row.children].forEach((cell, i) => { cell.dataset.label = t(HOOK_COLUMNS[i]); });
  return row;
}

function shortId(id) {
  return id && id.length > 12 ? id.slice(0, 4) + '\u2026' + id.slice(-6) : id;
}

function lastOutcome(d) {
  const status = d.last_status == null ? '' : 'HTTP ' + d.last_status;
  if (d.last_error) return status && !d.last_error.includes(String(d.last_status)) ? status + ': ' + d.last_error : d.last_error;
  return status || (d.attempts ? '' : t('hooks.notTried'));
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch (e) {
    return url || '';
  }
}

async function redeliver(d, row) {
  row.querySelectorAll('button').forEach((b) => { b.disabled = true; });
  const result = await api(API, 'POST', 'v1/admin/webhooks/' + encodeURIComponent(d.event_id) + '/redeliver');
  if (result.status !== 200) {
    $('hooks-error').textContent = messageOf(result);
    row.querySelectorAll('button').forEach((b) => { b.disabled = false; });
    return;
  }
  $('hooks-error').textContent = '';
  let current = deliveryRow(result.body);
  row.replaceWith(current);
  // follow the row until the new attempt is over (or the row is gone: a reload replaced it)
  for (let i = 0; i < HOOK_FOLLOW_TIMES && current.isConnected && current.dataset.state === 'pending'; i++) {
    await new Promise((resolve) => setTimeout(resolve, HOOK_FOLLOW_MS));
    if (!current.isConnected) return;
    const again = await api(API, 'GET', 'v1/admin/webhooks?size=' + HOOK_JOB_SIZE + '&job_id=' + encodeURIComponent(d.job_id));
    const fresh = again.status === 200 ? again.body.items.find((x) => x.event_id === d.event_id) : null;
    if (!fresh || !current.isConnected) return;
    const next = deliveryRow(fresh);
    current.replaceWith(next);
    current = next;
  }
}
