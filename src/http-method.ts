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
