// The prompt assistant beside the prompt field: "Translate" (into an English image prompt) and
// "Improve" (a richer prompt from a short idea) ask POST /api/v1/prompt/assist; the answer is a
// suggestion the user takes (it replaces the prompt; Undo brings the old one back) or dismisses.
// Shown only when the server has an LLM configured (GET /api/v1/prompt/assist).
import { api, el, button, messageOf, show } from './common.js';
import { t } from './i18n.js';

// the server waits at most LLM_TIMEOUT_SECONDS for the LLM; this is a little longer than its default
const ASSIST_TIMEOUT_MS = 30000;

export class PromptAssistant {
  constructor(apiRoot) {
    this.apiRoot = apiRoot;
    this.enabled = false;
    this.field = null;
  }

  /** Asks whether the assistant is offered. */
  async load() {
    const result = await api(this.apiRoot, 'GET', 'v1/prompt/assist');
    this.enabled = result.status === 200 && !!result.body && result.body.enabled === true;
  }

  reset() {
    this.enabled = false;
    this.field = null;
  }

  /** Puts the buttons under the prompt field `field` (a form.js Field), once per field. */
  attach(field) {
    if (!this.enabled || !field || field === this.field || field.node.querySelector('.assist')) return;
    this.field = field;
    const box = el('div', 'assist');
    const translate = button(t('assist.translate'), () => this.ask(field, 'translate', box), 'assist-translate');
    const expand = button(t('assist.expand'), () => this.ask(field, 'expand', box), 'assist-expand');
    const status = el('span', 'assist-status muted');
    status.setAttribute('aria-live', 'polite');
    const row = el('div', 'assist-buttons');
    row.append(translate, expand, status);

    const suggestion = el('div', 'assist-suggestion');
    suggestion.hidden = true;
    suggestion.setAttribute('role', 'group');
    suggestion.setAttribute('aria-label', t('assist.suggestion'));
    const text = el('p', 'assist-text');
    const accept = button(t('assist.accept'), () => this.accept(field, box), 'assist-accept primary');
    const dismiss = button(t('assist.dismiss'), () => this.clear(box), 'assist-dismiss');
    const actions = el('div', 'actions');
    actions.append(accept, dismiss);
    suggestion.append(el('small', 'muted', t('assist.suggestion')), text, actions);

    const undo = button(t('assist.undo'), () => this.undo(field, box), 'assist-undo');
    undo.hidden = true;
    row.append(undo);
    box.append(row, suggestion);
    field.node.querySelector('.field-below').prepend(box);
  }

  async ask(field, mode, box) {
    const prompt = field.control.value;
    const status = box.querySelector('.assist-status');
    this.clear(box);
    if (!prompt.trim()) {
      status.textContent = t('assist.empty');
      return;
    }
    const buttons = box.querySelectorAll('.assist-buttons button');
    buttons.forEach((b) => { b.disabled = true; });
    status.textContent = t(mode === 'translate' ? 'assist.translating' : 'assist.expanding');
    const result = await api(this.apiRoot, 'POST', 'v1/prompt/assist', { prompt, mode }, ASSIST_TIMEOUT_MS);
    buttons.forEach((b) => { b.disabled = false; });
    if (result.status !== 200 || !result.body || typeof result.body.prompt !== 'string') {
      status.textContent = messageOf(result);
      return;
    }
    status.textContent = '';
    box.querySelector('.assist-text').textContent = result.body.prompt;
    show(box.querySelector('.assist-suggestion'), true);
  }

  /** The suggestion replaces the prompt; Undo keeps the prompt it replaced. */
  accept(field, box) {
    box.dataset.before = field.control.value;
    field.control.value = box.querySelector('.assist-text').textContent;
    field.control.dispatchEvent(new Event('input', { bubbles: true }));
    this.clear(box);
    box.querySelector('.assist-status').textContent = t('assist.replaced');
    show(box.querySelector('.assist-undo'), true);
    field.control.focus();
  }

  undo(field, box) {
    if (box.dataset.before === undefined) return;
    field.control.value = box.dataset.before;
    field.control.dispatchEvent(new Event('input', { bubbles: true }));
    delete box.dataset.before;
    show(box.querySelector('.assist-undo'), false);
    box.querySelector('.assist-status').textContent = t('assist.restored');
    field.control.focus();
  }

  clear(box) {
    show(box.querySelector('.assist-suggestion'), false);
    box.querySelector('.assist-text').textContent = '';
    box.querySelector('.assist-status').textContent = '';
    if (box.dataset.before === undefined) show(box.querySelector('.assist-undo'), false);
  }
}
