// One file sent to POST /v1/uploads (API.md, "Attachments"): the raw bytes as the body, the
// name in the query. XMLHttpRequest rather than fetch, because only it reports upload
// progress. Each failure gets a message that fits where it is shown: on the file itself.
import { session } from './session.js';

/** The readable reason of a refused or failed upload. */
function failureMessage(status, payload, retryAfter) {
  switch (status) {
    case 0: return 'Upload failed: the connection was lost.';
    case 413: return 'This file is too large to upload.';
    case 429: return `Too many uploads: try again${retryAfter ? ` in ${retryAfter} s` : ' in a moment'}.`;
    case 503: return `The server is busy: try again${retryAfter ? ` in ${retryAfter} s` : ' in a moment'}.`;
    default: return payload?.error?.message ?? `The upload failed (${status}).`;
  }
}

function parseJSON(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * An upload of `file`. `state` is 'uploading', 'done' (then `result` is the API's answer),
 * 'failed' (then `error` says why, `status` is the HTTP status) or 'cancelled'; `loaded` and `total` count bytes sent.
 * `onChange(upload)` runs on every change of state or progress.
 */
export class Upload {
  #request = null;

  constructor(file, onChange) {
    this.file = file;
    this.onChange = onChange;
    this.state = 'uploading';
    this.loaded = 0;
    this.total = file.size;
    this.result = null;
    this.status = null; // the HTTP status of a failure (0: no answer)
    this.error = null;
  }

  /** The fraction sent, 0 to 1. */
  get progress() {
    return this.total > 0 ? Math.min(1, this.loaded / this.total) : 0;
  }

  /** Sends the file (again, after a failure). */
  start() {
    const request = new XMLHttpRequest();
    this.#request = request;
    this.state = 'uploading';
    this.loaded = 0;
    this.error = null;
    request.open('POST', `/v1/uploads?filename=${encodeURIComponent(this.file.name || 'file')}`);
    request.setRequestHeader('Accept', 'application/json');
    if (session.token) request.setRequestHeader('Authorization', `Bearer ${session.token}`);
    request.upload.addEventListener('progress', (event) => {
      if (request !== this.#request) return;
      this.loaded = event.loaded;
      if (event.lengthComputable) this.total = event.total;
      this.onChange(this);
    });
    request.addEventListener('load', () => this.#finished(request));
    request.addEventListener('error', () => this.#failed(request, 0, null, null));
    request.addEventListener('timeout', () => this.#failed(request, 0, null, null));
    request.send(this.file);
    this.onChange(this);
  }

  /** Stops a running upload; the server discards what it received. */
  cancel() {
    const request = this.#request;
    this.#request = null;
    this.state = 'cancelled';
    request?.abort();
    this.onChange(this);
  }

  #finished(request) {
    if (request !== this.#request) return;
    const payload = parseJSON(request.responseText);
    if (request.status === 201 && payload?.id) {
      this.state = 'done';
      this.result = payload;
      this.loaded = this.total;
      this.#request = null;
      this.onChange(this);
      return;
    }
    this.#failed(request, request.status, payload, request.getResponseHeader('Retry-After'));
  }

  #failed(request, status, payload, retryAfter) {
    if (request !== this.#request) return;
    this.#request = null;
    this.state = 'failed';
    this.status = status;
    this.error = failureMessage(status, payload, retryAfter);
    this.onChange(this);
  }
}
