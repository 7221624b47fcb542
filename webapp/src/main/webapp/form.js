// The prompt form, built from the declared parameters of a workflow template (GET /api/v1/templates):
// one field per parameter with the input its type calls for, checks that mirror the server's (so a
// bad value is named before anything is sent), the params object of a job, and the values a user
// chose last (localStorage). Every text from the server is set as text.
import { api, el, messageOf } from './common.js';
import { t, has, fromServer } from './i18n.js';

const UPLOAD_TIMEOUT_MS = 120000;
const STORAGE_PREFIX = 'comfygate.form.';
/** Strings longer than this (or unbounded) get a textarea. */
const SHORT_TEXT = 120;

/** "negative_prompt" -> "Negative prompt"; short vowel-less names are acronyms ("cfg" -> "CFG"). */
export function labelOf(name) {
  const words = name.split(/[_.-]+/).filter(Boolean)
    .map((w) => (w.length <= 3 && !/[aeiouy]/i.test(w) ? w.toUpperCase() : w.toLowerCase()));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A parameter's label in the page's language: the catalogue's word for a known name, else labelOf(name). */
export function paramLabel(name) {
  return has('param.' + name) ? t('param.' + name) : labelOf(name);
}

/** Where an upload's file is served (owner or admin). */
export function uploadFileUrl(apiRoot, id) {
  return apiRoot + 'v1/uploads/' + encodeURIComponent(id) + '/file';
}

function isNumeric(param) {
  return param.type === 'int' || param.type === 'float';
}

/** A number as the server writes it in its messages (plain digits). */
function plain(n) {
  return String(n);
}

/**
 * The problem with one raw value, in the server's words ("must be at most 150 (got 500)"), or null.
 * `raw` is the input's text (strings, numbers, choices), a boolean (bool) or an upload id (image).
 */
export function problemOf(param, raw, badInput) {
  switch (param.type) {
    case 'string': {
      if (param.required && raw.trim() === '') return t('problem.blank');
      const length = [...raw].length;
      if (param.max_length != null && length > param.max_length) {
        return t('problem.tooLong', { length: plain(length), max: plain(param.max_length) });
      }
      return null;
    }
    case 'int':
    case 'float': {
      if (badInput) return t('problem.number');
      if (raw.trim() === '') return param.required ? t('problem.given') : null;
      const n = Number(raw);
      const got = raw.trim();
      if (!Number.isFinite(n)) return t('problem.numberGot', { got });
      if (param.type === 'int' && !Number.isInteger(n)) return t('problem.whole', { got });
      if (param.min != null && n < param.min) return t('problem.min', { min: plain(param.min), got });
      if (param.max != null && n > param.max) return t('problem.max', { max: plain(param.max), got });
      if (param.multiple_of != null && n % param.multiple_of !== 0) {
        return t('problem.multiple', { step: plain(param.multiple_of), got });
      }
      return null;
    }
    case 'choice':
      return (param.choices || []).includes(raw) ? null : t('problem.choice', { choices: (param.choices || []).join(', ') });
    case 'image':
      return raw ? null : (param.required ? t('problem.image') : null);
    default:
      return null;
  }
}

/** The value a raw input gives the job, or undefined when the parameter is left to its default. */
function valueOf(param, raw) {
  if (isNumeric(param)) return raw.trim() === '' ? undefined : Number(raw);
  if (param.type === 'image') return raw || undefined;
  return raw;
}

/** The hint under a field: its description, the allowed range, what an empty field means. */
function hintOf(param) {
  const parts = [];
  if (param.description && param.type !== 'image') parts.push(fromServer('paramhint.' + param.name, param.description));
  if (isNumeric(param) && (param.min != null || param.max != null)) {
    let range = param.min != null && param.max != null ? plain(param.min) + '\u2013' + plain(param.max)
      : param.min != null ? t('hint.atLeast', { min: plain(param.min) }) : t('hint.atMost', { max: plain(param.max) });
    if (param.multiple_of != null) range += t('hint.steps', { step: plain(param.multiple_of) });
    parts.push(range);
  }
  if (param.default === 'random') parts.push(t('hint.random'));
  if (param.type === 'image') parts.push(t('hint.imageTypes'));
  return parts.join('; ');
}

/** One parameter's field: its wrapper node, the control, and how to read, set and mark it. */
class Field {
  constructor(param, apiRoot) {
    this.param = param;
    this.apiRoot = apiRoot;
    this.id = 'f-' + param.name;
    this.upload = null; // image: {file, promise, id}
    const wide = param.type === 'image'
      || (param.type === 'string' && (param.max_length == null || param.max_length > SHORT_TEXT));
    this.node = el('div', 'field' + (wide ? ' wide' : '') + ' type-' + param.type);
    this.node.dataset.param = param.name;

    const label = el('label', null, paramLabel(param.name));
    label.htmlFor = this.id;
    if (param.required) {
      const mark = el('span', 'required-mark', ' *');
      mark.setAttribute('aria-hidden', 'true');
      label.append(mark);
    }
    this.control = this.buildControl(wide);
    this.control.id = this.id;
    this.control.name = param.name;
    if (param.required) {
      this.control.required = true;
      this.control.setAttribute('aria-required', 'true');
    }
    const below = el('div', 'field-below');
    const described = [];
    const hint = hintOf(param);
    if (hint) {
      const h = el('small', 'hint', hint);
      h.id = 'h-' + param.name;
      below.append(h);
      described.push(h.id);
    }
    if (param.type === 'image') {
      this.status = el('small', 'upload-status');
      this.status.id = 's-' + param.name;
      this.status.setAttribute('aria-live', 'polite');
      this.preview = el('img', 'upload-preview');
      this.preview.alt = t('upload.chosenAlt');
      this.preview.hidden = true;
      below.append(this.status, this.preview);
      described.push(this.status.id);
    }
    this.error = el('span', 'field-error');
    this.error.id = 'e-' + param.name;
    this.error.dataset.field = param.name;
    below.append(this.error);
    described.push(this.error.id);
    this.control.setAttribute('aria-describedby', described.join(' '));

    if (param.type === 'bool') {
      // the box sits before its label, both in the input's row
      const row = el('div', 'check-row');
      row.append(this.control, label);
      this.node.append(el('span', 'check-spacer'), row, below);
    } else {
      this.node.append(label, this.control, below);
    }
  }

  buildControl(wide) {
    const p = this.param;
    switch (p.type) {
      case 'string': {
        const c = el(wide ? 'textarea' : 'input');
        if (wide) c.rows = p.required ? 3 : 2;
        else c.type = 'text';
        if (p.max_length != null) c.maxLength = p.max_length;
        return c;
      }
      case 'int':
      case 'float': {
        const c = el('input');
        c.type = 'number';
        c.inputMode = p.type === 'int' ? 'numeric' : 'decimal';
        if (p.min != null) c.min = p.min;
        if (p.max != null) c.max = p.max;
        if (p.type === 'int') c.step = p.multiple_of != null ? p.multiple_of : 1;
        else c.step = p.min != null && p.max != null && p.max - p.min <= 1 ? '0.05' : '0.5';
        if (p.default === 'random') c.placeholder = t('hint.randomPlaceholder');
        return c;
      }
      case 'bool': {
        const c = el('input');
        c.type = 'checkbox';
        return c;
      }
      case 'choice': {
        const c = el('select');
        for (const choice of p.choices || []) {
          const option = el('option', null, choice);
          option.value = choice;
          c.append(option);
        }
        return c;
      }
      case 'image': {
        const c = el('input');
        c.type = 'file';
        c.accept = 'image/png,image/jpeg,image/webp';
        c.addEventListener('change', () => this.startUpload());
        return c;
      }
      default: {
        const c = el('input');
        c.type = 'text';
        return c;
      }
    }
  }

  /** The control's raw value: text, a boolean (bool) or an upload id (image, '' when none). */
  raw() {
    if (this.param.type === 'bool') return this.control.checked;
    if (this.param.type === 'image') return (this.upload && this.upload.id) || '';
    return this.control.value;
  }

  /** Sets a raw value (images cannot be set: a file input only takes what the user chooses). */
  set(raw) {
    if (raw === undefined || raw === null || this.param.type === 'image') return;
    if (this.param.type === 'bool') this.control.checked = raw === true;
    else if (this.param.type === 'choice' && !(this.param.choices || []).includes(String(raw))) return;
    else this.control.value = String(raw);
  }

  /** The declared default as a raw value ('' for none and for "random"). */
  defaultRaw() {
    const d = this.param.default;
    if (this.param.type === 'bool') return d === true;
    if (d === undefined || d === null || d === 'random') return '';
    return String(d);
  }

  /**
   * Sets an earlier job's value; returns what the template now refuses about it (the field keeps
   * what it can show: a choice no longer offered leaves the current one), or null. A missing value
   * gives the declared default.
   */
  fill(value) {
    if (value === undefined || value === null) {
      this.set(this.defaultRaw());
      return null;
    }
    if (this.param.type === 'bool') {
      if (typeof value !== 'boolean') return t('problem.bool', { got: String(value) });
      this.set(value);
      return null;
    }
    const raw = String(value);
    this.set(raw);
    return problemOf(this.param, raw, false);
  }

  /**
   * Takes an earlier job's input image again if its upload can still be used (it is the caller's
   * and not yet removed); otherwise returns why it must be chosen again.
   */
  async useUpload(id) {
    this.upload = null;
    this.status.textContent = '';
    this.clearPreview();
    delete this.control.dataset.uploadId;
    if (typeof id !== 'string' || id === '') return null;
    const result = await api(this.apiRoot, 'GET', 'v1/uploads/' + encodeURIComponent(id));
    if (result.status !== 200 || !result.body || result.body.id !== id) {
      return result.status === 404 ? t('upload.earlierGone') : t('upload.earlierUnchecked', { reason: messageOf(result) });
    }
    this.upload = { file: null, id, problem: null, promise: Promise.resolve() };
    this.control.dataset.uploadId = id;
    this.status.textContent = t('upload.usingEarlier', { size: result.body.width + '\u00d7' + result.body.height });
    this.preview.src = uploadFileUrl(this.apiRoot, id);
    this.preview.hidden = false;
    return null;
  }

  mark(reason) {
    this.error.textContent = reason || '';
    if (reason) this.control.setAttribute('aria-invalid', 'true');
    else this.control.removeAttribute('aria-invalid');
  }

  /** Hides the image preview and lets go of the chosen file it showed, if any. */
  clearPreview() {
    if (this.preview.src) URL.revokeObjectURL(this.preview.src); // no-op for a served upload's URL
    this.preview.removeAttribute('src');
    this.preview.hidden = true;
  }

  /** Uploads the chosen file at once; a submit waits for it (see settle). */
  startUpload() {
    this.mark('');
    this.clearPreview();
    const file = this.control.files && this.control.files[0];
    if (!file) {
      this.upload = null;
      this.status.textContent = '';
      return;
    }
    this.preview.src = URL.createObjectURL(file);
    this.preview.hidden = false;
    this.status.textContent = t('upload.uploading', { name: file.name });
    const data = new FormData();
    data.append('image', file, file.name);
    const upload = { file, id: null, problem: null };
    upload.promise = api(this.apiRoot, 'POST', 'v1/uploads', data, UPLOAD_TIMEOUT_MS).then((result) => {
      if (this.upload !== upload) return; // another file was chosen meanwhile
      if (result.status === 201 && result.body && result.body.id) {
        upload.id = result.body.id;
        this.status.textContent = t('upload.uploaded', { name: file.name, size: result.body.width + '\u00d7' + result.body.height });
        this.control.dataset.uploadId = upload.id;
      } else {
        upload.problem = messageOf(result);
        this.status.textContent = '';
        this.mark(upload.problem);
      }
    });
    this.upload = upload;
  }

  /** Waits for the upload under way (the latest, if another file is chosen meanwhile); its refusal is this field's problem. */
  async settle() {
    let current;
    do {
      current = this.upload;
      if (!current) return null;
      await current.promise;
    } while (current !== this.upload);
    return current.problem;
  }

  clear() {
    if (this.preview && this.preview.src) URL.revokeObjectURL(this.preview.src);
  }
}

/** Storage of the last-chosen template and values, per user; silent where storage is refused. */
function loadStored(user) {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_PREFIX + user) || 'null');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch (e) {
    return {};
  }
}

function saveStored(user, stored) {
  try {
    localStorage.setItem(STORAGE_PREFIX + user, JSON.stringify(stored));
  } catch (e) {
    // storage full or refused: remembering is only a convenience
  }
}

/**
 * The form's generated part. `fieldsHost` receives one node per parameter; `picker` is the
 * template select (its wrapper `pickerField` is shown only when there is a choice).
 */
export class TemplateForm {
  constructor(apiRoot, { fieldsHost, picker, pickerField, description, onChange }) {
    this.apiRoot = apiRoot;
    this.fieldsHost = fieldsHost;
    this.picker = picker;
    this.pickerField = pickerField;
    this.description = description;
    this.onChange = onChange || (() => {});
    this.templates = [];
    this.template = null;
    this.fields = [];
    this.user = null;
    this.drafts = {}; // template name -> {param: raw}, kept while signed in
    picker.addEventListener('change', () => this.choose(picker.value));
  }

  /**
   * Loads the templates for `user` and builds the last-chosen (or the default) one's form; resolves
   * to null, or to the sentence saying why there is no form.
   */
  async load(user) {
    this.user = user;
    const result = await api(this.apiRoot, 'GET', 'v1/templates');
    if (this.user !== user) return null; // signed out meanwhile
    if (result.status !== 200 || !Array.isArray(result.body) || result.body.length === 0) {
      return result.status === 200 ? t('form.noTemplates') : t('form.templatesFailed', { reason: messageOf(result) });
    }
    this.templates = result.body;
    const stored = loadStored(user);
    this.drafts = stored.values && typeof stored.values === 'object' ? stored.values : {};
    this.picker.replaceChildren(...this.templates.map((t) => {
      const option = el('option', null, t.name);
      option.value = t.name;
      return option;
    }));
    this.pickerField.hidden = this.templates.length < 2;
    const wanted = this.templates.find((t) => t.name === stored.template)
      || this.templates.find((t) => t.default) || this.templates[0];
    this.choose(wanted.name);
    return null;
  }

  /** Shows the form of template `name`; values of same-named fields carry over from the last one. */
  choose(name) {
    const template = this.templates.find((t) => t.name === name);
    if (!template) return;
    const carried = {};
    for (const f of this.fields) {
      if (f.param.type !== 'image') carried[f.param.name] = { type: f.param.type, raw: f.raw() };
    }
    if (this.template) this.drafts[this.template.name] = this.raws();
    this.fields.forEach((f) => f.clear());
    this.template = template;
    this.picker.value = template.name;
    this.description.textContent = template.description ? fromServer('template.' + template.name, template.description) : '';
    const own = this.drafts[template.name] || {};
    this.fields = template.params.map((p) => {
      const field = new Field(p, this.apiRoot);
      field.set(field.defaultRaw());
      field.set(own[p.name]);
      const c = carried[p.name];
      if (c && c.type === p.type) field.set(c.raw);
      return field;
    });
    this.fieldsHost.replaceChildren(...this.fields.map((f) => f.node));
    this.fieldsHost.dataset.template = template.name;
    if (this.user) saveStored(this.user, { ...loadStored(this.user), template: template.name });
    this.onChange(template);
  }

  /** The offered template named `name`, or undefined. */
  templateNamed(name) {
    return this.templates.find((t) => t.name === name);
  }

  /**
   * Fills the form with an earlier job's settings: shows template `name` and sets every declared
   * field from `params` (fields it lacks get their defaults; params no longer declared are
   * ignored). What the template now refuses is marked on its field, as a refused submit is.
   * Resolves to {offered: false} when no such template is offered, else {offered: true, problems}.
   */
  async apply(name, params) {
    if (!this.templateNamed(name)) return { offered: false, problems: [] };
    this.choose(name);
    const template = this.template;
    const given = params && typeof params === 'object' ? params : {};
    const problems = [];
    for (const f of this.fields) {
      const value = given[f.param.name];
      const reason = f.param.type === 'image' ? await f.useUpload(value) : f.fill(value);
      if (this.template !== template) return { offered: true, problems: [] }; // another template chosen meanwhile
      if (reason) problems.push({ field: f.param.name, reason });
    }
    this.showProblems(problems);
    return { offered: true, problems };
  }

  /** Raw values of the shown fields, images left out. */
  raws() {
    const raws = {};
    for (const f of this.fields) if (f.param.type !== 'image') raws[f.param.name] = f.raw();
    return raws;
  }

  /**
   * Checks every field (waiting for uploads under way) and returns {params, problems}: problems
   * as the server words them, [{field, reason}], each also shown next to its field.
   */
  async collect() {
    const params = {};
    const problems = [];
    for (const f of this.fields) {
      const uploadProblem = f.param.type === 'image' ? await f.settle() : null;
      const raw = f.raw();
      const reason = uploadProblem || problemOf(f.param, raw, f.control.validity && f.control.validity.badInput);
      if (reason) {
        problems.push({ field: f.param.name, reason });
        continue;
      }
      const value = valueOf(f.param, raw);
      if (value !== undefined) params[f.param.name] = value;
    }
    this.showProblems(problems);
    return { params, problems };
  }

  /** Marks each problem's field; returns the problems that name no field of this form. */
  showProblems(problems) {
    const byName = new Map(this.fields.map((f) => [f.param.name, f]));
    this.fields.forEach((f) => f.mark(''));
    const unplaced = [];
    for (const p of problems) {
      const field = byName.get(p.field);
      if (field) field.mark(p.reason);
      else unplaced.push(p);
    }
    const first = problems.map((p) => byName.get(p.field)).find(Boolean);
    if (first) first.control.focus();
    return unplaced;
  }

  clearProblems() {
    this.fields.forEach((f) => f.mark(''));
  }

  /** Remembers the template and values of a job that was accepted. */
  remember() {
    if (!this.user || !this.template) return;
    this.drafts[this.template.name] = this.raws();
    saveStored(this.user, { template: this.template.name, values: this.drafts });
  }

  /** Forgets the shown form (sign-out); storage stays for the user's next visit. */
  reset() {
    this.user = null;
    this.fields.forEach((f) => f.clear());
    this.fields = [];
    this.template = null;
    this.templates = [];
    this.drafts = {};
    this.fieldsHost.replaceChildren();
    delete this.fieldsHost.dataset.template;
  }
}
