// What made an image or a job: its compact settings line and its input image, read from the
// template name and the bound params the API returns. Everything is set as text or as a URL
// attribute, never as HTML.
import { el } from './common.js';
import { paramLabel, uploadFileUrl } from './form.js';
import { t } from './i18n.js';

/** Types that are not settings: texts (shown as the prompt) and input images (shown as a thumbnail). */
const NOT_SETTINGS = new Set(['string', 'image']);
/** Without the template, strings up to this long with no space pass for a choice (a sampler), not a text. */
const SHORT_WORD = 24;

function shown(value) {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean'
    || (typeof value === 'string' && value !== '');
}

/**
 * The parts of "txt2img · 512×512 · 20 steps · seed 1234 · CFG 7 · Sampler euler". Labels come from the declared
 * parameter names of `template` (the template's order); when the template is not offered any more
 * the params' own names and order are used. Missing, empty and structured values are left out.
 */
export function settingsParts(templateName, params, template) {
  const given = params && typeof params === 'object' ? params : {};
  const names = template
    ? template.params.filter((d) => !NOT_SETTINGS.has(d.type)).map((d) => d.name)
    : Object.keys(given).filter((n) => typeof given[n] !== 'string'
      || (given[n].length <= SHORT_WORD && !/\s/.test(given[n]) && n !== 'image' && !/prompt/i.test(n)));
  const parts = typeof templateName === 'string' && templateName ? [templateName] : [];
  const size = shown(given.width) && shown(given.height) && names.includes('width') && names.includes('height');
  for (const name of names) {
    const value = given[name];
    if (!shown(value)) continue;
    if (size && name === 'width') parts.push(value + '\u00d7' + given.height);
    else if (size && name === 'height') continue;
    else if (name === 'steps') parts.push(t('settings.steps', { n: value }));
    else if (name === 'seed') parts.push(t('settings.seed', { n: String(value) }));
    else if (typeof value === 'boolean') parts.push(t(value ? 'settings.on' : 'settings.off', { name: paramLabel(name) }));
    else parts.push(paramLabel(name) + ' ' + value);
  }
  return parts;
}

/** Shows the settings line in `node`: each part kept whole on one line, the line wrapping between parts. */
export function showSettings(node, templateName, params, template) {
  const parts = settingsParts(templateName, params, template);
  node.replaceChildren(...parts.flatMap((part, i) => (i ? [' \u00b7 ', el('span', 'setting', part)] : [el('span', 'setting', part)])));
}

/** The ids of the uploaded input images in `params` (the template's image parameters, or "image"). */
export function inputImageIds(params, template) {
  const given = params && typeof params === 'object' ? params : {};
  const names = template ? template.params.filter((d) => d.type === 'image').map((d) => d.name) : ['image'];
  return names.map((n) => given[n]).filter((v) => typeof v === 'string' && v !== '');
}

/**
 * A small thumbnail of each input image, captioned; an upload that cannot be fetched any more
 * (removed after its retention time) becomes the words saying so.
 */
export function inputImages(apiRoot, ids) {
  return ids.map((id) => {
    const box = el('span', 'input-image');
    const img = el('img', 'input-thumb');
    img.alt = t('input.alt');
    img.src = uploadFileUrl(apiRoot, id);
    img.addEventListener('error', () => box.replaceChildren(el('span', 'muted', t('input.gone'))), { once: true });
    box.append(img, el('span', 'muted', t('input.caption')));
    return box;
  });
}
