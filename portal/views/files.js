// Files on a new ticket or a reply: a file input whose files are uploaded at once, each straight
// to storage with the form POST /uploads hands out (the API never carries the file), with its
// progress and, when refused, the reason in the portal's language. The message then names the
// upload ids. Also the previews of pictures in the thread: only PNG, JPEG, GIF and WebP (never
// SVG), shown with <img> from a short-lived link.
import { h, replace, newId } from '../dom.js';
import { t, formatSize } from '../i18n/index.js';
import { request, errorText, attachmentLink } from '../api.js';

export const PREVIEW_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
// The form field S3 reads the file from comes last (fields after it are ignored).
const FILE_FIELD = 'file';

/**
 * The file picker. `ticketId()` answers the ticket the files are for (null for a new ticket).
 * Returns { wrap, ready(): {ok, ids}, clear() }.
 */
export function filePicker({ ticketId = () => null, label = t('files.label') } = {}) {
  const id = newId('files');
  const hintId = `${id}-hint`;
  const input = h('input', { type: 'file', id, multiple: true, 'aria-describedby': hintId });
  const list = h('ul', { class: 'uploads', 'aria-label': t('files.listLabel') });
  const items = [];

  input.addEventListener('change', () => {
    for (const file of input.files) items.push(uploadItem(file));
    input.value = ''; // choosing the same file again adds it again
  });

  function uploadItem(file) {
    const item = { file, uploadId: null, state: 'uploading' };
    const status = h('span', { class: 'upload-status', role: 'status' }, t('files.uploading'));
    const progress = h('progress', { max: 100, value: 0, 'aria-label': t('files.progress', { name: file.name }) });
    const remove = h('button', { type: 'button', class: 'secondary small', 'aria-label': t('files.remove', { name: file.name }), onclick: () => {
      item.state = 'removed';
      items.splice(items.indexOf(item), 1);
      li.remove();
      input.focus();
    } }, t('files.removeShort'));
    const li = h('li', { class: 'upload' },
      h('span', { class: 'upload-name' }, file.name), ' ',
      h('span', { class: 'size' }, `(${formatSize(file.size)})`), progress, status, remove);
    list.append(li);
    upload(file, (percent) => { progress.value = percent; }).then((uploadId) => {
      if (item.state === 'removed') return;
      item.uploadId = uploadId;
      item.state = 'done';
      progress.value = 100;
      status.textContent = t('files.uploaded');
    }, (error) => {
      if (item.state === 'removed') return;
      item.state = 'failed';
      progress.remove();
      li.classList.add('failed');
      status.textContent = error instanceof Error && error.name === 'StorageRefused' ? error.message : errorText(error);
    });
    return item;
  }

  async function upload(file, onProgress) {
    const { data } = await request('POST', '/uploads', {
      body: { name: file.name, content_type: file.type || 'application/octet-stream', size: file.size, ticket_id: ticketId() ?? undefined },
    });
    await postForm(data.url, data.fields, file, onProgress);
    return data.upload_id;
  }

  return {
    wrap: h('div', { class: 'field files' },
      h('label', { for: id }, label),
      h('p', { class: 'hint', id: hintId }, t('files.hint')),
      input, list),
    /** {ok: true, ids} when every file is uploaded; otherwise why not, as a sentence. */
    ready() {
      if (items.some((i) => i.state === 'uploading')) return { ok: false, reason: t('files.stillUploading') };
      if (items.some((i) => i.state === 'failed')) return { ok: false, reason: t('files.removeFailed') };
      return { ok: true, ids: items.map((i) => i.uploadId) };
    },
    clear() { items.length = 0; list.replaceChildren(); },
    focus() { input.focus(); },
  };
}

/** POST the form to storage with progress (fetch cannot report upload progress; XHR can). */
function postForm(url, fields, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append(FILE_FIELD, file);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)); });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(storageRefused(xhr.responseText));
    });
    xhr.addEventListener('error', () => reject(storageRefused('')));
    xhr.send(form);
  });
}

/** S3's XML error as a sentence: too large or small have their own; anything else is generic. */
function storageRefused(xml) {
  const code = /<Code>([^<]+)<\/Code>/.exec(xml || '')?.[1] || '';
  const key = { EntityTooLarge: 'files.tooLarge', EntityTooSmall: 'files.empty' }[code] || 'files.storageFailed';
  const error = new Error(t(key));
  error.name = 'StorageRefused';
  return error;
}

/** A picture attachment shown in the thread; its link is fetched when it is about to be seen. */
export function preview(attachment, onError) {
  if (!attachment.preview || !PREVIEW_TYPES.includes(String(attachment.content_type).toLowerCase())) return null;
  const img = h('img', { class: 'preview', alt: t('files.previewAlt', { name: attachment.name }), decoding: 'async' });
  const figure = h('figure', { class: 'preview-frame' }, img);
  attachmentLink(attachment.download_path).then((url) => { if (/^https?:/i.test(url)) img.src = url; }, (error) => {
    replace(figure, h('p', { class: 'hint' }, errorText(error)));
    onError?.(error);
  });
  return figure;
}
