/**
 * The parts of VirtualService routes: destinations, HTTP route options (retries, faults, mirrors,
 * rewrites, redirects, header operations, CORS) and their rendering as Istio checks them, plus the TCP
 * and TLS route options. `VirtualService` (virtual-service.ts) assembles them.
 */
import { Duration } from 'cdk8s';
import { _envoyHeaderValueProblem } from './_envoy';
import { _RETRY_ON, _retryOnProblem } from './_istio-values';
import { _invalid, _renderDuration, _sortedRecord, _validatePort } from './_utils';
import { IGatewayBinding } from './gateway-binding';
import { IMeshDestination } from './host';
import { HttpMethod, _checkHttpMethod } from './http-method';
import * as net from './imports/istio-networking.istio.io';
import { HttpMatch, StringMatch, _validateHeaderName, _validateRegex } from './match';
import { _validatePercentage } from './weight';

const GRPC_STATUS = new Set(['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL',
  'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED']);

/**
 * A weighted destination of a route.
 */
export interface RouteDestination {
  /** Where the traffic goes: a Service host, a subset (`catalog.canary`, `dr.addSubset(...)`), an external host. */
  readonly destination: IMeshDestination;
  /**
   * Percent of the route's traffic (integer 0..100; the weights of one route sum to 100).
   *
   * @default - 100 when it is the only destination; required otherwise
   */
  readonly weight?: number;
}

/**
 * Header operations on requests or responses. Pseudo-headers (`:authority`, `:path`, ...) and `Host`
 * cannot be manipulated here (use `rewrite.authority`).
 */
export interface HeaderOperations {
  /**
   * Headers to overwrite.
   *
   * @default - none
   */
  readonly set?: { [name: string]: string };
  /**
   * Headers to append.
   *
   * @default - none
   */
  readonly add?: { [name: string]: string };
  /**
   * Headers to remove.
   *
   * @default - none
   */
  readonly remove?: string[];
}

/**
 * Header manipulation of an HTTP route.
 */
export interface HeaderManipulation {
  /**
   * Operations on the request before forwarding.
   *
   * @default - none
   */
  readonly request?: HeaderOperations;
  /**
   * Operations on the response before returning it.
   *
   * @default - none
   */
  readonly response?: HeaderOperations;
}

/**
 * Retry policy of an HTTP route.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
 */
export interface HttpRetry {
  /** Number of retries (0 disables retries, and then no other field may be set). */
  readonly attempts: number;
  /**
   * Timeout of each attempt (at least 1ms).
   *
   * @default - the route timeout
   */
  readonly perTryTimeout?: Duration;
  /**
   * Retry conditions: Envoy conditions (`5xx`, `gateway-error`, `connect-failure`, `refused-stream`,
   * `reset`, `retriable-4xx`, `unavailable`, ...) or HTTP status codes (`503`).
   *
   * @default - Istio's default conditions (connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes)
   */
  readonly retryOn?: string[];
  /**
   * Retry to other localities.
   *
   * @default false
   */
  readonly retryRemoteLocalities?: boolean;
  /**
   * Base interval between retries.
   *
   * @default Duration.millis(25)
   */
  readonly backoff?: Duration;
}

/**
 * Delay injection.
 */
export interface HttpFaultDelay {
  /** The delay. */
  readonly fixedDelay: Duration;
  /** Percent of requests delayed (0..100). */
  readonly percentage: number;
}

/**
 * Abort injection. Give exactly one of `httpStatus` and `grpcStatus`.
 */
export interface HttpFaultAbort {
  /**
   * HTTP status to return (200..599).
   *
   * @default - gRPC status instead
   */
  readonly httpStatus?: number;
  /**
   * gRPC status to return (e.g. `UNAVAILABLE`).
   *
   * @default - HTTP status instead
   */
  readonly grpcStatus?: string;
  /** Percent of requests aborted (0..100). */
  readonly percentage: number;
}

/**
 * Fault injection of an HTTP route (retries and timeouts do not apply to injected faults).
 */
export interface HttpFault {
  /**
   * Delay some requests.
   *
   * @default - no delay
   */
  readonly delay?: HttpFaultDelay;
  /**
   * Abort some requests.
   *
   * @default - no abort
   */
  readonly abort?: HttpFaultAbort;
}

/**
 * A mirror (shadow) destination: a copy of requests is sent, responses are ignored.
 */
export interface HttpMirror {
  /** Where copies go. */
  readonly destination: IMeshDestination;
  /**
   * Percent of requests mirrored (0..100).
   *
   * @default 100
   */
  readonly percentage?: number;
}

/**
 * Regex-based URI rewrite.
 */
export interface RegexRewrite {
  /** RE2 regex of the path. */
  readonly match: string;
  /** Replacement (`\1` for capture groups). */
  readonly rewrite: string;
}

/**
 * Rewrite of the request before forwarding.
 */
export interface HttpRewrite {
  /**
   * Replaces the matched path prefix (or the whole path for exact matches).
   *
   * @default - path unchanged
   */
  readonly uri?: string;
  /**
   * Regex rewrite of the path (not with `uri`).
   *
   * @default - path unchanged
   */
  readonly uriRegex?: RegexRewrite;
  /**
   * Replaces the authority (Host) header.
   *
   * @default - unchanged
   */
  readonly authority?: string;
}

/**
 * An HTTP redirect response (instead of routing).
 */
export interface HttpRedirect {
  /**
   * New path.
   *
   * @default - unchanged
   */
  readonly uri?: string;
  /**
   * New authority.
   *
   * @default - unchanged
   */
  readonly authority?: string;
  /**
   * New port.
   *
   * @default - unchanged
   */
  readonly port?: number;
  /**
   * New scheme (`http` or `https`).
   *
   * @default - unchanged
   */
  readonly scheme?: string;
  /**
   * Redirect status (3xx).
   *
   * @default 301
   */
  readonly redirectCode?: number;
}

/**
 * CORS policy.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#CorsPolicy
 */
export interface CorsPolicy {
  /**
   * Allowed origins.
   *
   * @default - none
   */
  readonly allowOrigins?: StringMatch[];
  /**
   * Allowed methods.
   *
   * @default - none
   */
  readonly allowMethods?: HttpMethod[];
  /**
   * Allowed request headers.
   *
   * @default - none
   */
  readonly allowHeaders?: string[];
  /**
   * Headers browsers may read.
   *
   * @default - none
   */
  readonly exposeHeaders?: string[];
  /**
   * How long preflight results are cached (whole seconds).
   *
   * @default - not cached
   */
  readonly maxAge?: Duration;
  /**
   * Allow credentials.
   *
   * @default false
   */
  readonly allowCredentials?: boolean;
}

/**
 * An HTTP route. Routes are evaluated in order; the first matching route wins.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
 */
export interface HttpRouteOptions {
  /**
   * Name of the route (logs, stats).
   *
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Matches (ORed). A route without matches catches every request and must come last.
   *
   * @default - every request
   */
  readonly match?: HttpMatch[];
  /**
   * Weighted destinations. Either this or `redirect`.
   *
   * @default - none (then `redirect` is required)
   */
  readonly destinations?: RouteDestination[];
  /**
   * Redirect instead of routing.
   *
   * @default - no redirect
   */
  readonly redirect?: HttpRedirect;
  /**
   * Rewrite before forwarding.
   *
   * @default - no rewrite
   */
  readonly rewrite?: HttpRewrite;
  /**
   * Request timeout.
   *
   * @default - no timeout (Istio's default)
   */
  readonly timeout?: Duration;
  /**
   * Retry policy.
   *
   * @default - Istio's default retry policy (2 attempts)
   */
  readonly retries?: HttpRetry;
  /**
   * Fault injection.
   *
   * @default - none
   */
  readonly fault?: HttpFault;
  /**
   * Mirrors.
   *
   * @default - none
   */
  readonly mirrors?: HttpMirror[];
  /**
   * Header manipulation.
   *
   * @default - none
   */
  readonly headers?: HeaderManipulation;
  /**
   * CORS policy.
   *
   * @default - none
   */
  readonly corsPolicy?: CorsPolicy;
}

/**
 * An HTTP route of a VirtualService (returned by `addHttpRoute()`).
 */
export class HttpRoute {
  /** @internal */
  public static _of(options: HttpRouteOptions, rendered: net.VirtualServiceSpecHttp): HttpRoute {
    return new HttpRoute(options, rendered);
  }

  private constructor(
    /** The route's options. */
    public readonly options: HttpRouteOptions,
    /** @internal */
    public readonly _rendered: net.VirtualServiceSpecHttp,
  ) {}

  /** The route's name, if any. */
  public get name(): string | undefined {
    return this.options.name;
  }

  /** True when the route matches every request (no match, or a match with no narrowing condition). */
  public get isCatchAll(): boolean {
    const m = this.options.match ?? [];
    return m.length === 0 || m.some((x) => x.isCatchAll);
  }
}

/**
 * L4 match of a TCP route.
 */
export interface L4Match {
  /**
   * Destination port.
   *
   * @default - any port
   */
  readonly port?: number;
  /**
   * Destination IP subnets (CIDR).
   *
   * @default - any
   */
  readonly destinationSubnets?: string[];
  /**
   * Labels of the calling workload.
   *
   * @default - any caller
   */
  readonly sourceLabels?: { [key: string]: string };
  /**
   * Namespace of the calling workload.
   *
   * @default - any
   */
  readonly sourceNamespace?: string;
  /**
   * Restrict the match to these gateways.
   *
   * @default - the VirtualService's gateways
   */
  readonly gateways?: IGatewayBinding[];
}

/**
 * A TCP route.
 */
export interface TcpRouteOptions {
  /**
   * Matches (ORed).
   *
   * @default - all TCP traffic
   */
  readonly match?: L4Match[];
  /** Weighted destinations. */
  readonly destinations: RouteDestination[];
}

/**
 * A TLS (SNI) match.
 */
export interface TlsMatch {
  /** SNI names to match (wildcards allowed). */
  readonly sniHosts: string[];
  /**
   * Destination port.
   *
   * @default - any port
   */
  readonly port?: number;
  /**
   * Destination IP subnets.
   *
   * @default - any
   */
  readonly destinationSubnets?: string[];
  /**
   * Labels of the calling workload.
   *
   * @default - any caller
   */
  readonly sourceLabels?: { [key: string]: string };
  /**
   * Namespace of the calling workload.
   *
   * @default - any
   */
  readonly sourceNamespace?: string;
  /**
   * Restrict the match to these gateways.
   *
   * @default - the VirtualService's gateways
   */
  readonly gateways?: IGatewayBinding[];
}

/**
 * A TLS passthrough route, by SNI.
 */
export interface TlsRouteOptions {
  /** Matches (ORed), at least one. */
  readonly match: TlsMatch[];
  /** Weighted destinations. */
  readonly destinations: RouteDestination[];
}

/** Renders the retry policy of an HTTP route, checked as Istio checks it. @internal */
export function _renderRetries(where: string, r: HttpRetry): net.VirtualServiceSpecHttpRetries {
  if (!Number.isInteger(r.attempts) || r.attempts < 0) {
    throw _invalid(`${where} retries.attempts`, r.attempts, 'attempts must be a non-negative integer', 'use e.g. 3, or 0 to disable retries');
  }
  if (r.attempts === 0 && (r.perTryTimeout || (r.retryOn ?? []).length > 0 || r.retryRemoteLocalities !== undefined || r.backoff)) {
    throw _invalid(`${where} retries`, { attempts: 0, perTryTimeout: r.perTryTimeout?.toHumanString(), retryOn: r.retryOn },
      'attempts 0 disables retries, so the other retry settings are contradictory (Istio rejects them)', 'set attempts > 0, or give only { attempts: 0 }');
  }
  for (const cond of r.retryOn ?? []) {
    const problem = _retryOnProblem(cond);
    if (problem) throw _invalid(`${where} retries.retryOn`, cond, problem, `use HTTP status codes or one of ${[..._RETRY_ON].join(', ')}`);
  }
  return {
    attempts: r.attempts,
    perTryTimeout: r.perTryTimeout ? _renderDuration(`${where} retries.perTryTimeout`, r.perTryTimeout) : undefined,
    retryOn: r.retryOn && r.retryOn.length > 0 ? r.retryOn.join(',') : undefined,
    retryRemoteLocalities: r.retryRemoteLocalities,
    backoff: r.backoff ? _renderDuration(`${where} retries.backoff`, r.backoff) : undefined,
  };
}

/** Renders the fault injection of an HTTP route, checked as Istio checks it. @internal */
export function _renderFault(where: string, f: HttpFault): net.VirtualServiceSpecHttpFault {
  if (!f.delay && !f.abort) throw _invalid(`${where} fault`, f, 'fault injection needs a delay and/or an abort', 'give delay or abort');
  let abort: net.VirtualServiceSpecHttpFaultAbort | undefined;
  if (f.abort) {
    const a = f.abort;
    if ((a.httpStatus === undefined) === (a.grpcStatus === undefined)) {
      throw _invalid(`${where} fault.abort`, a, 'give exactly one of httpStatus and grpcStatus', 'e.g. { httpStatus: 503, percentage: 10 }');
    }
    if (a.httpStatus !== undefined && (!Number.isInteger(a.httpStatus) || a.httpStatus < 200 || a.httpStatus > 599)) {
      throw _invalid(`${where} fault.abort.httpStatus`, a.httpStatus, 'Istio accepts HTTP statuses 200..599', 'use e.g. 503');
    }
    if (a.grpcStatus !== undefined && !GRPC_STATUS.has(a.grpcStatus)) {
      throw _invalid(`${where} fault.abort.grpcStatus`, a.grpcStatus, 'it is not a gRPC status name', 'use e.g. "UNAVAILABLE"');
    }
    abort = { httpStatus: a.httpStatus, grpcStatus: a.grpcStatus, percentage: { value: _validatePercentage(`${where} fault.abort.percentage`, a.percentage) } };
  }
  return {
    delay: f.delay ? {
      fixedDelay: _renderDuration(`${where} fault.delay.fixedDelay`, f.delay.fixedDelay),
      percentage: { value: _validatePercentage(`${where} fault.delay.percentage`, f.delay.percentage) },
    } : undefined,
    abort,
  };
}

/** Renders the rewrite of an HTTP route, checked as Istio checks it. @internal */
export function _renderRewrite(where: string, w: HttpRewrite): net.VirtualServiceSpecHttpRewrite {
  if (w.uri !== undefined && w.uriRegex) throw _invalid(`${where} rewrite`, w, 'uri and uriRegex are mutually exclusive', 'give one of them');
  if (w.uri === undefined && !w.uriRegex && w.authority === undefined) throw _invalid(`${where} rewrite`, w, 'a rewrite needs uri, uriRegex or authority', 'give one, or leave rewrite out');
  if (w.uriRegex) {
    _validateRegex(`${where} rewrite.uriRegex.match`, w.uriRegex.match);
    if (!w.uriRegex.rewrite) throw _invalid(`${where} rewrite.uriRegex.rewrite`, w.uriRegex.rewrite, 'the replacement is empty', 'give a replacement such as "/\\1"');
  }
  const uriRegexRewrite = w.uriRegex ? { match: w.uriRegex.match, rewrite: w.uriRegex.rewrite } : undefined;
  return { uri: w.uri, authority: w.authority, uriRegexRewrite };
}

/** Renders the redirect of an HTTP route, checked as Istio checks it. @internal */
export function _renderRedirect(where: string, d: HttpRedirect): net.VirtualServiceSpecHttpRedirect {
  if (d.uri === undefined && d.authority === undefined && d.port === undefined && d.scheme === undefined) {
    throw _invalid(`${where} redirect`, d, 'a redirect must change the uri, authority, scheme or port', 'give at least one of them');
  }
  if (d.redirectCode !== undefined && (!Number.isInteger(d.redirectCode) || d.redirectCode < 300 || d.redirectCode > 399)) {
    throw _invalid(`${where} redirect.redirectCode`, d.redirectCode, 'it is not a 3xx status', 'use e.g. 301 or 308');
  }
  if (d.scheme !== undefined && d.scheme !== 'http' && d.scheme !== 'https') {
    throw _invalid(`${where} redirect.scheme`, d.scheme, 'Istio accepts "http" or "https"', 'use "https"');
  }
  if (d.port !== undefined) _validatePort(`${where} redirect.port`, d.port);
  return { uri: d.uri, authority: d.authority, port: d.port, scheme: d.scheme, redirectCode: d.redirectCode };
}

/** Renders the CORS policy of an HTTP route, checked as Istio checks it. @internal */
export function _renderCors(where: string, c: CorsPolicy): net.VirtualServiceSpecHttpCorsPolicy {
  (c.allowMethods ?? []).forEach((m, i) => _checkHttpMethod(`${where} corsPolicy.allowMethods[${i}]`, m));
  for (const h of [...(c.allowHeaders ?? []), ...(c.exposeHeaders ?? [])]) {
    if (h !== '*') _validateHeaderName(`${where} corsPolicy header`, h);
  }
  let maxAge: string | undefined;
  if (c.maxAge) {
    if (c.maxAge.toMilliseconds() % 1000 !== 0) throw _invalid(`${where} corsPolicy.maxAge`, c.maxAge.toHumanString(), 'it is accurate to seconds only (Istio rejects fractions)', 'use whole seconds');
    maxAge = _renderDuration(`${where} corsPolicy.maxAge`, c.maxAge, 1000);
  }
  return {
    allowOrigins: c.allowOrigins && c.allowOrigins.length > 0 ? c.allowOrigins.map((m) => m._toIstio()) : undefined,
    allowMethods: c.allowMethods && c.allowMethods.length > 0 ? [...c.allowMethods] : undefined,
    allowHeaders: c.allowHeaders && c.allowHeaders.length > 0 ? [...c.allowHeaders] : undefined,
    exposeHeaders: c.exposeHeaders && c.exposeHeaders.length > 0 ? [...c.exposeHeaders] : undefined,
    maxAge,
    allowCredentials: c.allowCredentials,
  };
}

/** Renders the header operations of an HTTP route (names and Envoy values checked). @internal */
export function _renderHeaderOps(where: string, ops: HeaderOperations | undefined): net.VirtualServiceSpecHttpHeadersRequest | undefined {
  if (!ops) return undefined;
  const check = (name: string) => {
    if (name.startsWith(':') || name.toLowerCase() === 'host') {
      throw _invalid(`${where} header`, name, 'pseudo-headers and Host cannot be manipulated (Envoy ignores or rejects it)',
        'use rewrite.authority to change the authority; pick another header otherwise');
    }
    _validateHeaderName(`${where} header`, name);
  };
  const map = (m?: { [k: string]: string }) => {
    if (!m) return undefined;
    for (const [k, v] of Object.entries(m)) {
      check(k);
      const problem = _envoyHeaderValueProblem(v);
      if (problem) {
        throw _invalid(`${where} header "${k}" value`, v, `Istio rejects it: ${problem}`,
          'write "%%" for a literal percent sign (e.g. "100%%"), and %VARIABLE% only for Envoy variables such as %HOSTNAME%; remove control characters');
      }
    }
    return _sortedRecord(m);
  };
  (ops.remove ?? []).forEach(check);
  const out = { set: map(ops.set), add: map(ops.add), remove: ops.remove && ops.remove.length > 0 ? [...ops.remove] : undefined };
  return out.set || out.add || out.remove ? out : undefined;
}
