// The console's only way to the server: the public REST facade (docs/api.md), same origin,
// the bearer token from sessionStorage in the Authorization header.

const KEY = 'mipo.console.token';
let onUnauthorized = () => {};

export const session = {
  token: () => sessionStorage.getItem(KEY),
  signIn: (token) => sessionStorage.setItem(KEY, token),
  signOut: () => sessionStorage.removeItem(KEY),
  whenUnauthorized: (handler) => { onUnauthorized = handler; },
};

/** A refused call: the HTTP status and the RFC 9457 problem detail (code, detail, errors[]). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  /** The message for one field from errors[], if the server named it. */
  fieldMessage(field) {
    const e = (this.problem.errors || []).find((x) => x.field === field);
    return e ? e.message : null;
  }
}

/**
 * Calls the facade. Options: body (sent as JSON), ifMatch, ifNoneMatch, as ('json' | 'text' | 'blob'),
 * signInCheck (a 401 is the caller's to report).
 * Answers {status, etag, data, headers}; a 304 has data null. Errors throw ApiError; a 401 also
 * signs the user out.
 */
export async function call(method, path, { body, ifMatch, ifNoneMatch, as = 'json', signInCheck = false } = {}) {
  const headers = { Accept: as === 'json' ? 'application/json, application/problem+json' : '*/*' };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  if (ifNoneMatch) headers['If-None-Match'] = ifNoneMatch;
  let response;
  try {
    response = await fetch(path, {
      method, headers, cache: 'no-store', credentials: 'omit',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, { title: 'Network error', detail: `The operator did not answer (${e.message}).` });
  }
  const etag = response.headers.get('ETag');
  if (response.status === 304) return { status: 304, etag, data: null, headers: response.headers };
  if (!response.ok) {
    let problem;
    try {
      problem = await response.json();
    } catch {
      problem = { title: response.statusText, detail: `HTTP ${response.status}` };
    }
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && !signInCheck) onUnauthorized(error);
    throw error;
  }
  let data = null;
  if (response.status !== 204) {
    data = as === 'json' ? await response.json() : as === 'text' ? await response.text() : await response.blob();
  }
  return { status: response.status, etag, data, headers: response.headers };
}

export const SCANNERS = '/api/config/scanners';
export const GROUPS = '/api/config/scanner-groups';
export const HEALTH = '/api/scanners';
export const ACL = '/api/admin/scanner-acl';

/** '/path?a=1&b=2' with the empty values left out. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export const scannerPath = (id, suffix = '') => `${SCANNERS}/${encodeURIComponent(id)}${suffix}`;
export const groupPath = (id, suffix = '') => `${GROUPS}/${encodeURIComponent(id)}${suffix}`;
