// The keys the visitor typed, and fetches that carry them. Session storage rather than local:
// a key should not outlive the tab it was typed into.
const API_KEY = 'morphserve.apiKey';
const ADMIN_KEY = 'morphserve.adminKey';

export const keys = {
  api: () => sessionStorage.getItem(API_KEY) || '',
  admin: () => sessionStorage.getItem(ADMIN_KEY) || '',
  save(api, admin) {
    sessionStorage.setItem(API_KEY, api);
    sessionStorage.setItem(ADMIN_KEY, admin);
  },
  saved: () => sessionStorage.getItem(API_KEY) !== null,
};

/** Thrown for a non-2xx answer; message is the server's own (OpenAI's error shape) when it sent one. */
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function headers(key, extra) {
  const h = { ...extra };
  if (key) h.Authorization = `Bearer ${key}`;
  return h;
}

async function check(response) {
  if (response.ok) return response;
  let message = response.statusText;
  try {
    const body = await response.json();
    message = body?.error?.message || message;
  } catch {
    // not JSON: the status text will do
  }
  throw new HttpError(response.status, message);
}

export async function getJson(path, key = keys.api()) {
  const response = await check(await fetch(path, { headers: headers(key, { Accept: 'application/json' }), cache: 'no-store' }));
  return response.json();
}

export async function getText(path, key = keys.api()) {
  const response = await check(await fetch(path, { headers: headers(key), cache: 'no-store' }));
  return response.text();
}

/** A state change: JSON body and same origin, which is what StateChangeGuard lets through. */
export async function postJson(path, body, key) {
  const response = await check(await fetch(path, {
    method: 'POST',
    headers: headers(key, { 'Content-Type': 'application/json', Accept: 'application/json' }),
    body: JSON.stringify(body),
  }));
  return response.json();
}

/** The opened stream's response; EventSource cannot send an Authorization header, fetch can. */
export async function openStream(path, key, signal) {
  return check(await fetch(path, { headers: headers(key, { Accept: 'text/event-stream' }), signal, cache: 'no-store' }));
}
