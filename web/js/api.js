// fetch wrapper: JSON in/out, cookie session, server errors as ApiError.
// Server error shape (spec 50 §10.1): {"detail": "<español>", "code": "<snake_case>"}.

export class ApiError extends Error {
  constructor(status, code, detail, errors) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = errors || [];
  }
}

const FALLBACK_DETAIL = {
  0: 'No se pudo conectar con el servidor. Verifique la red e intente de nuevo.',
  400: 'La solicitud no es válida.',
  401: 'Su sesión expiró. Ingrese de nuevo.',
  403: 'Acceso denegado.',
  404: 'El recurso solicitado no existe.',
  409: 'La operación entra en conflicto con el estado actual.',
  422: 'Hay datos inválidos en la solicitud.',
  429: 'Demasiados intentos. Espere un momento e intente de nuevo.',
  500: 'Ocurrió un error interno en el servidor.',
  503: 'El servicio no está disponible en este momento.',
};

let unauthorizedHandler = null;

// The shell registers this to clear the session and show the login screen.
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

async function parseError(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON (proxy page, empty body) */ }
  let detail = body && body.detail;
  // Tolerate list-shaped details (validation errors) by joining their messages.
  if (Array.isArray(detail)) detail = detail.map((e) => e.msg || e.message || String(e)).join(' · ');
  if (typeof detail !== 'string' || !detail) {
    detail = FALLBACK_DETAIL[res.status] || FALLBACK_DETAIL[res.status >= 500 ? 500 : 400];
  }
  return new ApiError(res.status, (body && body.code) || `http_${res.status}`, detail, body && body.errors);
}

// opts: {signal, skipAuthRedirect} — skipAuthRedirect lets the caller handle
// 401 itself (session probe, login form) instead of bouncing to the login screen.
export async function request(method, path, body, opts = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    signal: opts.signal,
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', FALLBACK_DETAIL[0]);
  }
  if (!res.ok) {
    const err = await parseError(res);
    if (res.status === 401 && !opts.skipAuthRedirect && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

// POSTs `body` and saves the file the server answers with (its Content-Disposition name, else
// `fallbackName`); returns the name. Errors speak the API's format, as `request` does.
export async function postForDownload(path, body, fallbackName) {
  const res = await fetch(path, {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!res.ok) throw await parseError(res);
  const name = (/filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '') || [])[1] || fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url; a.download = name; document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

export const apiGet = (path, opts) => request('GET', path, undefined, opts);
export const apiPost = (path, body, opts) => request('POST', path, body ?? {}, opts);
export const apiPut = (path, body, opts) => request('PUT', path, body ?? {}, opts);
export const apiDelete = (path, opts) => request('DELETE', path, undefined, opts);

export function isAbort(e) {
  return e && e.name === 'AbortError';
}
