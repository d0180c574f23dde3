import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _envoyHeaderValueProblem } from './_envoy';
import { _hostsMatch, _resolveShortname, _validateExportTo } from './_naming';
import { _invalid, _renderDuration, _show, _sortedRecord, _validateDnsLabel, _validateHost, _validateLabels, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import { DestinationRule } from './destination-rule';
import { GatewayBinding, IGatewayBinding } from './gateway-binding';
import { IMeshDestination, MeshDestinationConfig } from './host';
import { HttpMethod, _checkHttpMethod } from './http-method';
import * as net from './imports/istio-networking.istio.io';
import { HttpMatch, StringMatch, _validateHeaderName, _validateRegex } from './match';
import { MeshValidation } from './validation/mesh-validation';
import { _validatePercentage, _validateWeight, _validateWeightSplit } from './weight';

/**
 * The retry conditions Istio 1.30 accepts in `retryOn` (Envoy `x-envoy-retry-on` and
 * `x-envoy-retry-grpc-on`), besides HTTP status codes.
 */
const RETRY_ON = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);
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
  public static _of(options: HttpRouteOptions, rendered: any): HttpRoute {
    return new HttpRoute(options, rendered);
  }

  private constructor(
    /** The route's options. */
    public readonly options: HttpRouteOptions,
    /** @internal */
    public readonly _rendered: any,
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

/**
 * Props of a VirtualService.
 */
export interface VirtualServiceProps extends IstioResourceProps {
  /**
   * Hosts the routes apply to: FQDNs (`catalog.shop.svc.cluster.local`, `shop.example.com`),
   * wildcards (`*.example.com`) or short Service names. `*` is not allowed on the mesh gateway.
   * More with `addHost()`.
   *
   * @default - none; add at least one
   */
  readonly hosts?: string[];
  /**
   * Gateways the routes apply to.
   *
   * @default [GatewayBinding.mesh()] - the sidecars of the mesh
   */
  readonly gateways?: IGatewayBinding[];
  /**
   * HTTP routes in evaluation order (also `addHttpRoute()`).
   *
   * @default - none
   */
  readonly http?: HttpRouteOptions[];
  /**
   * TCP routes (also `addTcpRoute()`).
   *
   * @default - none
   */
  readonly tcp?: TcpRouteOptions[];
  /**
   * TLS routes (also `addTlsRoute()`).
   *
   * @default - none
   */
  readonly tls?: TlsRouteOptions[];
  /**
   * Namespaces the VirtualService is visible to (`.`, `*` or names).
   *
   * @default - all namespaces (Istio default)
   */
  readonly exportTo?: string[];
  /**
   * Check at synth that every subset routed to is defined by a DestinationRule of this app.
   * Turn off when the DestinationRules live outside the app.
   *
   * @default true
   */
  readonly checkSubsets?: boolean;
}

function validateGatewayRef(prop: string, ref: string): void {
  if (ref === GatewayBinding.MESH_GATEWAY_NAME) return;
  const parts = ref.split('/');
  if (parts.length !== 2 || parts.some((p) => p.length === 0)) {
    throw _invalid(prop, ref, 'a gateway reference is "mesh" or "<namespace>/<name>"', 'use GatewayBinding.of(namespace, name) or a gateway construct');
  }
  _validateDnsLabel(`${prop} namespace`, parts[0]);
  _validateDnsLabel(`${prop} name`, parts[1]);
}

function validPort(prop: string, p: number): number {
  _validatePort(prop, p);
  return p;
}

/** Renders the retry policy of an HTTP route, checked as Istio checks it. */
function renderRetries(where: string, r: HttpRetry): net.VirtualServiceSpecHttpRetries {
  if (!Number.isInteger(r.attempts) || r.attempts < 0) {
    throw _invalid(`${where} retries.attempts`, r.attempts, 'attempts must be a non-negative integer', 'use e.g. 3, or 0 to disable retries');
  }
  if (r.attempts === 0 && (r.perTryTimeout || (r.retryOn ?? []).length > 0 || r.retryRemoteLocalities !== undefined || r.backoff)) {
    throw _invalid(`${where} retries`, { attempts: 0, perTryTimeout: r.perTryTimeout?.toHumanString(), retryOn: r.retryOn },
      'attempts 0 disables retries, so the other retry settings are contradictory (Istio rejects them)', 'set attempts > 0, or give only { attempts: 0 }');
  }
  for (const cond of r.retryOn ?? []) {
    const code = /^[0-9]{3}$/.test(cond) ? Number(cond) : NaN;
    if (!RETRY_ON.has(cond) && !(code >= 100 && code <= 599)) {
      throw _invalid(`${where} retries.retryOn`, cond, 'it is not a retry condition Istio accepts', `use HTTP status codes or one of ${[...RETRY_ON].join(', ')}`);
    }
  }
  return {
    attempts: r.attempts,
    perTryTimeout: r.perTryTimeout ? _renderDuration(`${where} retries.perTryTimeout`, r.perTryTimeout) : undefined,
    retryOn: r.retryOn && r.retryOn.length > 0 ? r.retryOn.join(',') : undefined,
    retryRemoteLocalities: r.retryRemoteLocalities,
    backoff: r.backoff ? _renderDuration(`${where} retries.backoff`, r.backoff) : undefined,
  };
}

/** Renders the fault injection of an HTTP route, checked as Istio checks it. */
function renderFault(where: string, f: HttpFault): net.VirtualServiceSpecHttpFault {
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

/** Renders the rewrite of an HTTP route, checked as Istio checks it. */
function renderRewrite(where: string, w: HttpRewrite): net.VirtualServiceSpecHttpRewrite {
  if (w.uri !== undefined && w.uriRegex) throw _invalid(`${where} rewrite`, w, 'uri and uriRegex are mutually exclusive', 'give one of them');
  if (w.uri === undefined && !w.uriRegex && w.authority === undefined) throw _invalid(`${where} rewrite`, w, 'a rewrite needs uri, uriRegex or authority', 'give one, or leave rewrite out');
  if (w.uriRegex) {
    _validateRegex(`${where} rewrite.uriRegex.match`, w.uriRegex.match);
    if (!w.uriRegex.rewrite) throw _invalid(`${where} rewrite.uriRegex.rewrite`, w.uriRegex.rewrite, 'the replacement is empty', 'give a replacement such as "/\\1"');
  }
  const uriRegexRewrite = w.uriRegex ? { match: w.uriRegex.match, rewrite: w.uriRegex.rewrite } : undefined;
  return { uri: w.uri, authority: w.authority, uriRegexRewrite };
}

/** Renders the redirect of an HTTP route, checked as Istio checks it. */
function renderRedirect(where: string, d: HttpRedirect): net.VirtualServiceSpecHttpRedirect {
  if (d.uri === undefined && d.authority === undefined && d.port === undefined && d.scheme === undefined) {
    throw _invalid(`${where} redirect`, d, 'a redirect must change the uri, authority, scheme or port', 'give at least one of them');
  }
  if (d.redirectCode !== undefined && (!Number.isInteger(d.redirectCode) || d.redirectCode < 300 || d.redirectCode > 399)) {
    throw _invalid(`${where} redirect.redirectCode`, d.redirectCode, 'it is not a 3xx status', 'use e.g. 301 or 308');
  }
  if (d.scheme !== undefined && d.scheme !== 'http' && d.scheme !== 'https') {
    throw _invalid(`${where} redirect.scheme`, d.scheme, 'Istio accepts "http" or "https"', 'use "https"');
  }
  if (d.port !== undefined) validPort(`${where} redirect.port`, d.port);
  return { uri: d.uri, authority: d.authority, port: d.port, scheme: d.scheme, redirectCode: d.redirectCode };
}

/** Renders the CORS policy of an HTTP route, checked as Istio checks it. */
function renderCors(where: string, c: CorsPolicy): net.VirtualServiceSpecHttpCorsPolicy {
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

function headerOps(where: string, ops: HeaderOperations | undefined): any {
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

/**
 * A VirtualService (`networking.istio.io/v1`): ordered HTTP, TCP and TLS routes for a set of hosts.
 * HTTP routes are first-match: they render in the order they were added (`insertHttpRoute()` puts
 * one at an explicit position), and a catch-all route before more specific ones is an error.
 *
 * @example
 * const dr = new DestinationRule(chart, 'reviews-subsets', { host: ServiceHost.of('reviews', 'bookinfo') });
 * const v1 = dr.addSubset('v1', { version: 'v1' });
 * const v2 = dr.addSubset('v2', { version: 'v2' });
 * const vs = new VirtualService(chart, 'reviews', { hosts: ['reviews.bookinfo.svc.cluster.local'] });
 * vs.addHttpRoute({
 *   match: [HttpMatch.header('end-user', StringMatch.exact('jason'))],
 *   destinations: [{ destination: v2 }],
 * });
 * vs.addHttpRoute({ destinations: [{ destination: v1 }] });
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */
export class VirtualService extends IstioResource {
  public readonly apiObject: ApiObject;
  private readonly _hosts: string[] = [];
  private readonly _gateways: IGatewayBinding[];
  private readonly _http: HttpRoute[] = [];
  private readonly _tcp: any[] = [];
  private readonly _tls: any[] = [];
  private readonly _subsetRefs: Array<{ where: string; dest: MeshDestinationConfig }> = [];
  private readonly exportTo?: string[];

  /**
   * Defines a VirtualService, to which hosts, gateways and routes can be added later.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props hosts, gateways (default `mesh`: the sidecars), HTTP, TCP and TLS routes, `exportTo`,
   * and `checkSubsets` (default true: routes to a subset no DestinationRule defines fail synth)
   */
  constructor(scope: Construct, id: string, props: VirtualServiceProps = {}) {
    super(scope, id, props);
    this._gateways = [...(props.gateways ?? [GatewayBinding.mesh()])];
    if (this._gateways.length === 0) {
      throw _invalid('gateways', [], 'an empty list would still mean "mesh" to Istio', 'leave gateways out for the mesh, or list the gateways');
    }
    for (const g of this._gateways) {
      validateGatewayRef('gateways', g.gatewayRef);
      this.declareIfExternal(g);
    }
    for (const h of props.hosts ?? []) this.addHost(h);
    this.apiObject = this._createApiObject(net.VirtualService, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => net.toJson_VirtualServiceSpec(this._toIstio()) }),
    });
    // after the L1 exists: `.` and the resource's own namespace are the same entry
    this.exportTo = props.exportTo ? _validateExportTo(props.exportTo, { namespace: this.namespace }) : undefined;
    for (const r of props.http ?? []) this.addHttpRoute(r);
    for (const r of props.tcp ?? []) this.addTcpRoute(r);
    for (const r of props.tls ?? []) this.addTlsRoute(r);
    const checkSubsets = props.checkSubsets ?? true;
    this.node.addValidation({ validate: () => this.validateAtSynth(checkSubsets) });
  }


  /** The hosts. */
  public get hosts(): string[] {
    return [...this._hosts];
  }

  /** The gateway references (`mesh`, `<ns>/<name>`). */
  public get gateways(): string[] {
    return this._gateways.map((g) => g.gatewayRef);
  }

  /** The HTTP routes in evaluation order. */
  public get httpRoutes(): HttpRoute[] {
    return [...this._http];
  }

  /**
   * Adds a host to `spec.hosts`: the names clients call that these routes apply to.
   *
   * @param host a short Service name (`reviews`, resolved in the VirtualService's namespace), an FQDN, a
   * `*.` wildcard or `*`; it may not repeat or overlap a host already listed
   */
  public addHost(host: string): void {
    if (host !== '*') _validateHost('hosts', host, true, false);
    if (this._hosts.includes(host)) throw _invalid('hosts', host, 'the host is listed twice', 'list each host once');
    // Istio's validation rejects two hosts that `Matches` (wildcards included: "*.com" and "*.example.com")
    const overlap = this._hosts.find((h) => _hostsMatch(h, host));
    if (overlap !== undefined) {
      throw _invalid('hosts', host, `it overlaps "${overlap}" (Istio rejects duplicate hosts, wildcards included)`, 'keep only the wider host, or split them into two VirtualServices');
    }
    this._hosts.push(host);
  }

  /**
   * A `GatewayBinding.external(ns, name)` names a gateway managed outside this app on purpose: declare it
   * to the app's synth-time checks (IST0101 then accepts its absence). `GatewayBinding.of()` declares
   * nothing: a gateway it names must be in the app, else IST0101 reports the reference.
   */
  private declareIfExternal(gateway: IGatewayBinding): void {
    if (gateway instanceof GatewayBinding && gateway.isExternal) MeshValidation.of(this).declareExternalGateways([gateway.gatewayRef]);
  }

  /**
   * Adds a gateway the routes apply to (the mesh gateway is kept unless it was left out explicitly).
   *
   * @param gateway a `Gateway` or `MeshGateway` of the app (or `GatewayBinding.of(namespace, name)` for one
   * of the app), `GatewayBinding.external(namespace, name)` for one managed elsewhere, or
   * `GatewayBinding.mesh()`; rendered in `spec.gateways`, a repeat is ignored
   */
  public addGateway(gateway: IGatewayBinding): void {
    validateGatewayRef('gateways', gateway.gatewayRef);
    this.declareIfExternal(gateway);
    if (!this._gateways.some((g) => g.gatewayRef === gateway.gatewayRef)) this._gateways.push(gateway);
  }

  /**
   * Appends an HTTP route (evaluated after the routes added before it).
   *
   * Istio uses the first route whose match fits, so add specific routes before catch-alls.
   *
   * @param options the route: `match` conditions (ORed, default every request), weighted `destinations`
   * or a `redirect`, rewrite, timeout, retries, fault injection, mirrors, header changes, CORS, name
   * @returns the route, for `replaceHttpRoute()`
   */
  public addHttpRoute(options: HttpRouteOptions): HttpRoute {
    return this.insertHttpRoute(this._http.length, options);
  }

  /**
   * Inserts an HTTP route at `index` (0 = evaluated first).
   *
   * @param index the position in `spec.http`, from 0 to the number of routes (that number appends)
   * @param options the route: `match` conditions (ORed, default every request), weighted `destinations`
   * or a `redirect`, rewrite, timeout, retries, fault injection, mirrors, header changes, CORS, name
   * @returns the route, for `replaceHttpRoute()`
   */
  public insertHttpRoute(index: number, options: HttpRouteOptions): HttpRoute {
    if (!Number.isInteger(index) || index < 0 || index > this._http.length) {
      throw _invalid('index', index, `there are ${this._http.length} HTTP routes`, `use 0..${this._http.length}`);
    }
    const where = `http route ${options.name ? `"${options.name}"` : `#${index}`}`;
    const route = HttpRoute._of({ ...options }, this.renderHttpRoute(where, options));
    this._http.splice(index, 0, route);
    return route;
  }

  /**
   * Replaces `existing` (keeping its position in the evaluation order) with a route built from `options`.
   *
   * @param existing a route returned by `addHttpRoute()` or `insertHttpRoute()` of this VirtualService
   * @param options the route: `match` conditions (ORed, default every request), weighted `destinations`
   * or a `redirect`, rewrite, timeout, retries, fault injection, mirrors, header changes, CORS, name
   * @returns the new route
   */
  public replaceHttpRoute(existing: HttpRoute, options: HttpRouteOptions): HttpRoute {
    const index = this._http.indexOf(existing);
    if (index < 0) throw _invalid('existing', existing.name ?? '(unnamed route)', `it is not an HTTP route of VirtualService '${this.node.path}'`, 'pass a route returned by addHttpRoute() of this VirtualService');
    const where = `http route ${options.name ? `"${options.name}"` : `#${index}`}`;
    const route = HttpRoute._of({ ...options }, this.renderHttpRoute(where, options));
    this._http.splice(index, 1, route);
    return route;
  }

  /**
   * Adds a TCP route (one entry of `spec.tcp`), for opaque TCP traffic.
   *
   * @param options L4 `match` conditions (port, destination subnets, source labels and namespace,
   * gateways, default all traffic) and weighted `destinations`
   */
  public addTcpRoute(options: TcpRouteOptions): void {
    const where = `tcp route #${this._tcp.length}`;
    this._tcp.push({
      match: (options.match ?? []).length > 0 ? options.match!.map((m, i) => this.renderL4Match(`${where} match[${i}]`, m)) : undefined,
      route: this.renderDestinations(where, options.destinations, true),
    });
  }

  /**
   * Adds a TLS (SNI) route (one entry of `spec.tls`), for TLS traffic passed through unterminated.
   *
   * @param options `match` conditions, each with at least one SNI host (plus optional port, subnets,
   * source and gateways), and weighted `destinations`
   */
  public addTlsRoute(options: TlsRouteOptions): void {
    const where = `tls route #${this._tls.length}`;
    if (!options.match || options.match.length === 0) {
      throw _invalid(`${where} match`, options.match, 'a TLS route needs at least one SNI match', 'give match: [{ sniHosts: ["api.example.com"] }]');
    }
    this._tls.push({
      match: options.match.map((m, i) => {
        if (!m.sniHosts || m.sniHosts.length === 0) {
          throw _invalid(`${where} match[${i}].sniHosts`, m.sniHosts, 'a TLS match needs at least one SNI host', 'give the hosts, e.g. ["api.example.com"]');
        }
        m.sniHosts.forEach((h) => _validateHost(`${where} match[${i}].sniHosts`, h, true, false));
        return { ...this.renderL4Match(`${where} match[${i}]`, m), sniHosts: [...m.sniHosts] };
      }),
      route: this.renderDestinations(where, options.destinations, true),
    });
  }

  private renderL4Match(where: string, m: L4Match): any {
    if (m.port !== undefined) validPort(`${where}.port`, m.port);
    if (m.sourceLabels) _validateLabels(`${where}.sourceLabels`, m.sourceLabels);
    if (m.sourceNamespace !== undefined) _validateDnsLabel(`${where}.sourceNamespace`, m.sourceNamespace);
    for (const s of m.destinationSubnets ?? []) {
      if (!/^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/.test(s)) throw _invalid(`${where}.destinationSubnets`, s, 'it is not an IP address or CIDR', 'use e.g. "10.0.0.0/16"');
    }
    for (const g of m.gateways ?? []) validateGatewayRef(`${where}.gateways`, g.gatewayRef);
    return {
      port: m.port,
      destinationSubnets: m.destinationSubnets && m.destinationSubnets.length > 0 ? [...m.destinationSubnets] : undefined,
      sourceLabels: _sortedRecord(m.sourceLabels),
      sourceNamespace: m.sourceNamespace,
      gateways: m.gateways && m.gateways.length > 0 ? m.gateways.map((g) => g.gatewayRef) : undefined,
    };
  }


  private renderDestination(where: string, d: IMeshDestination): any {
    const c = d.toMeshDestination();
    if (c.host === '*') throw _invalid(`${where} destination host`, c.host, 'a destination cannot be every host', 'route to one Service host');
    _validateHost(`${where} destination host`, c.host, true, false);
    if (c.subset !== undefined) {
      _validateDnsLabel(`${where} destination subset`, c.subset);
      this._subsetRefs.push({ where, dest: c });
    }
    if (c.port !== undefined) validPort(`${where} destination port`, c.port);
    return { host: c.host, subset: c.subset, port: c.port !== undefined ? { number: c.port } : undefined };
  }

  private renderDestinations(where: string, ds: RouteDestination[] | undefined, required: boolean): any[] | undefined {
    if (!ds || ds.length === 0) {
      if (required) throw _invalid(`${where} destinations`, ds, 'a route needs at least one destination', 'give destinations: [{ destination: host }]');
      return undefined;
    }
    const weights = ds.map((d) => d.weight);
    if (ds.length === 1) {
      if (weights[0] !== undefined && _validateWeight(`${where} destinations[0].weight`, weights[0]) !== 100) {
        throw _invalid(`${where} destinations[0].weight`, weights[0], 'the only destination of a route receives all its traffic', 'leave the weight out or set 100');
      }
    } else {
      weights.forEach((w, i) => {
        if (w === undefined) throw _invalid(`${where} destinations[${i}].weight`, w, 'with several destinations every destination needs a weight', 'give weights that add up to 100');
      });
      _validateWeightSplit(`${where} destinations`, weights as number[]);
    }
    return ds.map((d) => ({
      destination: this.renderDestination(where, d.destination),
      weight: ds.length > 1 ? d.weight : undefined,
    }));
  }


  private renderHttpRoute(where: string, o: HttpRouteOptions): any {
    const hasDest = (o.destinations ?? []).length > 0;
    if (o.redirect && hasDest) throw _invalid(`${where}`, 'destinations + redirect', 'a route cannot both route and redirect', 'give destinations or redirect');
    if (!o.redirect && !hasDest) throw _invalid(`${where} destinations`, o.destinations, 'a route needs destinations or a redirect', 'give destinations: [{ destination: host }]');
    if (o.redirect && o.fault) throw _invalid(`${where}`, 'fault + redirect', 'a redirect route cannot inject faults', 'drop the fault or the redirect');
    if (o.redirect && o.rewrite) throw _invalid(`${where}`, 'rewrite + redirect', 'a redirect route cannot rewrite', 'drop the rewrite or the redirect');

    const retries = o.retries ? renderRetries(where, o.retries) : undefined;
    const fault = o.fault ? renderFault(where, o.fault) : undefined;
    const rewrite = o.rewrite ? renderRewrite(where, o.rewrite) : undefined;
    const redirect = o.redirect ? renderRedirect(where, o.redirect) : undefined;
    const corsPolicy = o.corsPolicy ? renderCors(where, o.corsPolicy) : undefined;

    const req = headerOps(`${where} headers.request`, o.headers?.request);
    const res = headerOps(`${where} headers.response`, o.headers?.response);

    return {
      name: o.name,
      match: (o.match ?? []).length > 0 ? o.match!.map((m) => m._toIstio()) : undefined,
      route: this.renderDestinations(where, o.destinations, false),
      redirect,
      rewrite,
      timeout: o.timeout ? _renderDuration(`${where} timeout`, o.timeout) : undefined,
      retries,
      fault,
      mirrors: (o.mirrors ?? []).length > 0 ? o.mirrors!.map((m, i) => ({
        destination: this.renderDestination(`${where} mirrors[${i}]`, m.destination),
        percentage: m.percentage !== undefined ? { value: _validatePercentage(`${where} mirrors[${i}].percentage`, m.percentage) } : undefined,
      })) : undefined,
      headers: req || res ? { request: req, response: res } : undefined,
      corsPolicy,
    };
  }

  private validateAtSynth(checkSubsets: boolean): string[] {
    const errors: string[] = [];
    if (this._hosts.length === 0) {
      errors.push(_invalid('hosts', [], 'a VirtualService needs at least one host', 'give hosts or call addHost()').message);
    }
    if (this._hosts.includes('*') && this._gateways.some((g) => g.gatewayRef === GatewayBinding.MESH_GATEWAY_NAME)) {
      errors.push(_invalid('hosts', '*', 'wildcard host * is not allowed for virtual services bound to the mesh gateway',
        'list the hosts, or bind the VirtualService only to edge gateways (gateways without GatewayBinding.mesh())').message);
    }
    if (this._http.length + this._tcp.length + this._tls.length === 0) {
      errors.push(_invalid('routes', [], 'a VirtualService needs at least one http, tcp or tls route', 'call addHttpRoute(), addTcpRoute() or addTlsRoute()').message);
    }
    const catchAll = this._http.findIndex((r) => r.isCatchAll);
    if (catchAll >= 0 && catchAll < this._http.length - 1) {
      const shadowed = this._http.slice(catchAll + 1).map((r, i) => r.name ?? `#${catchAll + 1 + i}`);
      errors.push(_invalid(`http route ${this._http[catchAll].name ? `"${this._http[catchAll].name}"` : `#${catchAll}`}`, 'catch-all',
        `it matches every request, so the routes after it (${shadowed.join(', ')}) are never used (routes are first-match)`,
        'add the catch-all route last, or insert the specific routes before it with insertHttpRoute(0, ...)').message);
    }
    if (checkSubsets) {
      for (const ref of this._subsetRefs) {
        const known = DestinationRule._subsetsFor(this, _resolveShortname(ref.dest.host, this.namespace ?? 'default'));
        if (!known || !known.has(ref.dest.subset!)) {
          errors.push(_invalid(`${ref.where} destination subset`, ref.dest.subset,
            known
              ? `no DestinationRule of this app for host ${ref.dest.host} defines it (defined: ${[...known].sort().join(', ') || 'none'})`
              : `no DestinationRule of this app is for host ${ref.dest.host}, so Envoy has no such subset and returns 503`,
            `define it with new DestinationRule(...).addSubset(${_show(ref.dest.subset)}, labels), or set checkSubsets: false when the rule lives outside this app`).message);
        }
      }
    }
    return errors;
  }

  private _toIstio(): net.VirtualServiceSpec {
    const gw = this._gateways.map((g) => g.gatewayRef);
    const onlyMesh = gw.length === 1 && gw[0] === GatewayBinding.MESH_GATEWAY_NAME;
    return {
      hosts: [...this._hosts],
      gateways: onlyMesh ? undefined : gw,
      http: this._http.length > 0 ? this._http.map((r) => r._rendered) : undefined,
      tcp: this._tcp.length > 0 ? [...this._tcp] : undefined,
      tls: this._tls.length > 0 ? [...this._tls] : undefined,
      exportTo: this.exportTo,
    };
  }
}
