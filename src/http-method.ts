import { _invalid } from './_utils';

/**
 * HTTP request methods, as Istio matches them (upper case, and gRPC requests are always `POST`).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Operation
 */
export enum HttpMethod {
  /** Read a resource. */
  GET = 'GET',
  /** GET without a body. */
  HEAD = 'HEAD',
  /** Create or process (every gRPC call). */
  POST = 'POST',
  /** Replace a resource. */
  PUT = 'PUT',
  /** Modify a resource. */
  PATCH = 'PATCH',
  /** Delete a resource. */
  DELETE = 'DELETE',
  /** Open a tunnel. */
  CONNECT = 'CONNECT',
  /** Describe the options (CORS preflight). */
  OPTIONS = 'OPTIONS',
  /** Loop-back test. */
  TRACE = 'TRACE',
}

const HTTP_METHODS = new Set<string>(Object.values(HttpMethod));

/**
 * `method` if it is one of the HTTP methods Istio matches, else a clear error naming `prop`.
 * @internal
 */
export function _checkHttpMethod(prop: string, method: string): HttpMethod {
  if (!HTTP_METHODS.has(method)) {
    const upper = typeof method === 'string' ? method.toUpperCase() : '';
    const fix = HTTP_METHODS.has(upper) ? `use HttpMethod.${upper} (Istio matches methods case-sensitively, in upper case)` : `use one of ${[...HTTP_METHODS].join(', ')}`;
    throw _invalid(prop, method, 'it is not an HTTP method Istio matches', fix);
  }
  return method as HttpMethod;
}

/** An HTTP method token (RFC 9110 `token`: tchar). */
const METHOD_TOKEN = /^[!#$%&'+.^_`|~0-9A-Za-z-]+$/;

/**
 * Why an AuthorizationPolicy `methods`/`notMethods` value written in a manifest never matches a request, or
 * undefined when it can. Istio matches the `:method` header case-sensitively (pilot/pkg/security/authz
 * `matcher.HeaderMatcher`): `*` is any method, a leading or trailing `*` a suffix or prefix match, any other
 * `*` a literal. Extension methods in upper case (`PURGE`, `PROPFIND`) are valid HTTP and accepted.
 * @internal
 */
export function _httpMethodMatchProblem(value: string): { problem: string; fix: string } | undefined {
  if (value === '*' || value === '') return undefined; // `*` is any method; "" is the webhook's (empty values)
  const pattern = value.startsWith('*') ? value.slice(1) : value.endsWith('*') ? value.slice(0, -1) : value;
  if (value.includes('/')) {
    return {
      problem: 'it is a gRPC method name (or a path), but the :method of every gRPC request is POST',
      fix: `match the gRPC method with to.operation.paths: ["${value.startsWith('/') ? value : `/${value}`}"] (and methods: ["POST"] if needed)`,
    };
  }
  if (pattern.includes('*')) {
    return { problem: 'Istio matches only a leading or trailing "*"; any other "*" is a literal character no method has', fix: 'use "*", a prefix ("GE*") or a suffix ("*ET")' };
  }
  if (!METHOD_TOKEN.test(pattern)) {
    return { problem: 'it is not an HTTP method token (letters, digits and !#$%&\'+.^_`|~- only)', fix: `use one of ${[...HTTP_METHODS].join(', ')}` };
  }
  if (pattern !== pattern.toUpperCase()) {
    const upper = value.toUpperCase();
    return { problem: 'Istio matches methods case-sensitively and HTTP methods are upper case', fix: `write "${upper}"` };
  }
  return undefined;
}
