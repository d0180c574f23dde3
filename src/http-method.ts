/**
 * HTTP request methods, as Istio matches them (upper case; gRPC requests are always `POST`).
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
