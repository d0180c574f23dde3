import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _MESH_GATEWAY, _clientHostToFqdn, _hostSubsetOf, _resolveGatewayRef, _resolveShortname } from '../_naming';
import { HttpMethod, _checkHttpMethod } from '../http-method';
import * as net from '../imports/istio-networking.istio.io';
import { _toJsRegExp } from '../match';
import { _evaluateHttpRoutes } from './_http-route-eval';

/**
 * A request to evaluate against the VirtualServices and HTTPRoutes of an app.
 */
export interface RouteRequest {
  /** The host called: a short Service name (`reviews`), `name.namespace`, an FQDN or an external host. */
  readonly host: string;
  /**
   * The path, optionally with a query string (`/api?user=jason`).
   *
   * @default "/"
   */
  readonly path?: string;
  /**
   * The HTTP method.
   *
   * @default HttpMethod.GET
   */
  readonly method?: HttpMethod;
  /**
   * Request headers (names are case-insensitive).
   *
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * The gateway the request arrives through: `mesh` (a sidecar, or ztunnel and a waypoint in ambient: HTTPRoutes
   * with a Service parent apply) or `<namespace>/<name>` (an Istio Gateway, or a Gateway API Gateway).
   *
   * @default "mesh"
   */
  readonly gateway?: string;
  /**
   * The destination port.
   *
   * @default - any port matches
   */
  readonly port?: number;
  /**
   * The scheme.
   *
   * @default "http"
   */
  readonly scheme?: string;
  /**
   * Labels of the calling workload.
   *
   * @default - none
   */
  readonly sourceLabels?: { [key: string]: string };
  /**
   * Namespace of the calling workload (HTTPRoutes in that namespace with a Service parent in another one,
   * "consumer routes", replace the Service's own routes for its requests).
   *
   * @default - unknown
   */
  readonly sourceNamespace?: string;
  /**
   * Namespace used to resolve a short `host` when the VirtualService's hosts are FQDNs.
   *
   * @default - the namespace of each VirtualService evaluated
   */
  readonly namespace?: string;
}

/**
 * A destination a request is routed to, with its share of the traffic.
 */
export interface RoutedDestination {
  /** The host as the route names it. */
  readonly host: string;
  /**
   * The host as Istio resolves it in the VirtualService's namespace: a name without a dot becomes
   * `<name>.<namespace>.svc.cluster.local`; any other host (`reviews.bookinfo` included) is kept.
   */
  readonly fqdn: string;
  /**
   * The subset.
   *
   * @default - all endpoints
   */
  readonly subset?: string;
  /**
   * The port.
   *
   * @default - the only port
   */
  readonly port?: number;
  /** Percent of the matching requests (0..100). */
  readonly weight: number;
}

/**
 * The outcome of evaluating a request.
 */
export interface RouteResult {
  /** Whether a route of some VirtualService (or a rule of some HTTPRoute) matched. */
  readonly matched: boolean;
  /**
   * The VirtualService that routed the request, as `<namespace>/<name>`.
   *
   * @default - no VirtualService for the host and gateway
   */
  readonly virtualService?: string;
  /**
   * The HTTPRoute that routed the request, as `<namespace>/<name>` (when no VirtualService serves the host).
   *
   * @default - no HTTPRoute for the host and gateway
   */
  readonly httpRoute?: string;
  /**
   * Index of the matching HTTP route of the VirtualService (first match wins), or of the matching rule of
   * the HTTPRoute (Gateway API precedence).
   *
   * @default - no route matched
   */
  readonly routeIndex?: number;
  /**
   * Name of the matching route.
   *
   * @default - unnamed or no match
   */
  readonly routeName?: string;
  /** Weighted destinations of the matching route (empty for redirects and no match). */
  readonly destinations: RoutedDestination[];
  /** True when the route redirects instead of forwarding. */
  readonly redirect: boolean;
  /** A one-line description, for error messages. */
  readonly description: string;
}

/**
 * An expected destination and its weight.
 */
export interface ExpectedDestination {
  /** The host: as the route writes it, or as a client in the VirtualService's namespace names a Service (short, `name.namespace`, FQDN). */
  readonly host: string;
  /**
   * The subset.
   *
   * @default - no subset
   */
  readonly subset?: string;
  /** Expected percent of traffic. */
  readonly weight: number;
}

/**
 * Does the VirtualService host `vsHost` (in namespace `ns`) take a request for `reqHost`? The VirtualService
 * host is resolved as configuration (`_resolveShortname`); the request host is tried as sent and as the
 * Service a client in `reqNs` reaches with it (`_clientHostToFqdn`); Envoy's domain match is `SubsetOf`.
 */
function hostMatches(vsHost: string, reqHost: string, ns: string, reqNs: string | undefined): boolean {
  const vs = _resolveShortname(vsHost, ns);
  return [reqHost, _clientHostToFqdn(reqHost, reqNs ?? ns)].some((h) => _hostSubsetOf(h, vs));
}

/** A rendered Istio StringMatch (`uri`, `headers.<name>`, ...). */
interface StringMatchJson {
  readonly exact?: string;
  readonly prefix?: string;
  readonly regex?: string;
}

function stringMatches(m: StringMatchJson | undefined, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  if (!m || Object.keys(m).length === 0) return true; // presence
  const v = ignoreCase ? value.toLowerCase() : value;
  if (m.exact !== undefined) return v === (ignoreCase ? m.exact.toLowerCase() : m.exact);
  if (m.prefix !== undefined) return v.startsWith(ignoreCase ? m.prefix.toLowerCase() : m.prefix);
  if (m.regex !== undefined) return _toJsRegExp(String(m.regex)).test(value);
  return false;
}

interface NormalizedRequest {
  host: string;
  path: string;
  query: { [k: string]: string };
  method: string;
  headers: { [k: string]: string };
  gateway: string;
  port?: number;
  scheme: string;
  sourceLabels: { [k: string]: string };
  sourceNamespace?: string;
  namespace?: string;
}

function normalize(r: RouteRequest): NormalizedRequest {
  const raw = r.path ?? '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query: { [k: string]: string } = {};
  if (q >= 0) {
    for (const kv of raw.slice(q + 1).split('&').filter((s) => s.length > 0)) {
      const eq = kv.indexOf('=');
      query[decodeURIComponent(eq >= 0 ? kv.slice(0, eq) : kv)] = decodeURIComponent(eq >= 0 ? kv.slice(eq + 1) : '');
    }
  }
  const headers: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    host: r.host,
    path,
    query,
    method: r.method === undefined ? HttpMethod.GET : _checkHttpMethod('method', r.method),
    headers,
    gateway: r.gateway ?? _MESH_GATEWAY,
    port: r.port,
    scheme: r.scheme ?? 'http',
    sourceLabels: r.sourceLabels ?? {},
    sourceNamespace: r.sourceNamespace,
    namespace: r.namespace,
  };
}

function matchApplies(m: net.VirtualServiceSpecHttpMatch, req: NormalizedRequest, ns: string, vsGateways: string[]): boolean {
  const gateways: string[] = (m.gateways ?? vsGateways).map((g: string) => _resolveGatewayRef(g, ns));
  if (!gateways.includes(req.gateway)) return false;
  if (m.uri && !stringMatches(m.uri, req.path, m.uri.regex === undefined && !!m.ignoreUriCase)) return false;
  if (m.scheme && !stringMatches(m.scheme, req.scheme)) return false;
  if (m.method && !stringMatches(m.method, req.method)) return false;
  if (m.authority && !stringMatches(m.authority, req.host)) return false;
  for (const [k, sm] of Object.entries(m.headers ?? {})) if (!stringMatches(sm, req.headers[k.toLowerCase()])) return false;
  for (const [k, sm] of Object.entries(m.withoutHeaders ?? {})) if (stringMatches(sm, req.headers[k.toLowerCase()])) return false;
  for (const [k, sm] of Object.entries(m.queryParams ?? {})) if (!stringMatches(sm, req.query[k])) return false;
  if (m.port !== undefined && req.port !== undefined && m.port !== req.port) return false;
  if (m.port !== undefined && req.port === undefined) return false;
  for (const [k, v] of Object.entries(m.sourceLabels ?? {})) if (req.sourceLabels[k] !== v) return false;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== req.sourceNamespace) return false;
  return true;
}

function describeRequest(r: RouteRequest): string {
  const h = Object.keys(r.headers ?? {}).length > 0 ? ` with headers ${JSON.stringify(r.headers)}` : '';
  return `${r.method ?? 'GET'} ${r.host}${r.path ?? '/'}${h} via ${r.gateway ?? _MESH_GATEWAY}`;
}

function describeDestinations(ds: RoutedDestination[]): string {
  return ds.map((d) => `${d.fqdn}${d.subset ? ` subset ${d.subset}` : ''} ${d.weight}%`).join(', ');
}

function evaluate(manifests: any[], request: RouteRequest): RouteResult {
  const req = normalize(request);
  for (const obj of manifests) {
    if (!obj || obj.kind !== 'VirtualService' || !String(obj.apiVersion ?? '').startsWith('networking.istio.io/')) continue;
    const ns: string = obj.metadata?.namespace ?? 'default';
    const spec = obj.spec ?? {};
    const vsGateways: string[] = (spec.gateways && spec.gateways.length > 0 ? spec.gateways : [_MESH_GATEWAY])
      .map((g: string) => _resolveGatewayRef(g, ns));
    if (!vsGateways.includes(req.gateway)) continue;
    if (!(spec.hosts ?? []).some((h: string) => hostMatches(h, req.host, ns, req.namespace))) continue;
    const vsName = `${ns}/${obj.metadata?.name}`;
    const http: net.VirtualServiceSpecHttp[] = spec.http ?? [];
    for (let i = 0; i < http.length; i++) {
      const route = http[i];
      const matches: net.VirtualServiceSpecHttpMatch[] = route.match ?? [];
      if (matches.length > 0 && !matches.some((m) => matchApplies(m, req, ns, vsGateways))) continue;
      const rs: net.VirtualServiceSpecHttpRoute[] = route.route ?? [];
      const destinations: RoutedDestination[] = rs.map((d) => ({
        host: d.destination.host,
        fqdn: _resolveShortname(d.destination.host, ns),
        subset: d.destination.subset,
        port: d.destination.port?.number,
        weight: rs.length === 1 ? (d.weight === undefined || d.weight > 0 ? 100 : 0) : (d.weight ?? 0),
      }));
      const redirect = route.redirect !== undefined;
      return {
        matched: true,
        virtualService: vsName,
        routeIndex: i,
        routeName: route.name,
        destinations,
        redirect,
        description: `VirtualService ${vsName} route #${i}${route.name ? ` "${route.name}"` : ''} ${redirect ? 'redirects' : `sends: ${describeDestinations(destinations)}`}`,
      };
    }
    return { matched: false, virtualService: vsName, destinations: [], redirect: false, description: `no route of VirtualService ${vsName} matches` };
  }
  const viaHttpRoute = _evaluateHttpRoutes(manifests, req);
  if (viaHttpRoute) {
    return {
      matched: viaHttpRoute.route !== undefined,
      httpRoute: viaHttpRoute.route,
      routeIndex: viaHttpRoute.ruleIndex,
      routeName: viaHttpRoute.ruleName,
      destinations: viaHttpRoute.destinations,
      redirect: viaHttpRoute.redirect,
      description: viaHttpRoute.description,
    };
  }
  return { matched: false, destinations: [], redirect: false, description: `no VirtualService or HTTPRoute for host ${request.host} on gateway ${req.gateway}` };
}

function manifestsOf(scope: IConstruct): any[] {
  const charts = scope.node.findAll().filter((c) => Chart.isChart(c)) as Chart[];
  const list = charts.length > 0 ? charts : [Chart.of(scope)];
  return list.flatMap((c) => c.toJson());
}

/**
 * The result of `MeshRouting.expectRoute()`: assertions that throw with a clear description.
 */
export class RouteExpectation {
  /** @internal */
  public static _of(request: RouteRequest, result: RouteResult): RouteExpectation {
    return new RouteExpectation(request, result);
  }

  private constructor(
    /** The request evaluated. */
    public readonly request: RouteRequest,
    /** The evaluation result. */
    public readonly result: RouteResult,
  ) {}

  /**
   * Asserts that all matching traffic (100%) reaches `host` (and `subset`, when given).
   *
   * @param host the destination host: a short name (resolved in the VirtualService's namespace),
   * `name.namespace` or an FQDN
   * @param subset the DestinationRule subset, e.g. `v2`; when left out, the destination must have none
   */
  public toReach(host: string, subset?: string): void {
    this.toSplit([{ host, subset, weight: 100 }]);
  }

  /**
   * Asserts the exact weighted destinations (in any order, and 0% destinations may be left out).
   *
   * @param expected host, subset and weight (percent) of each destination, e.g.
   * `[{ host: 'catalog', subset: 'stable', weight: 90 }, { host: 'catalog', subset: 'canary', weight: 10 }]`
   */
  public toSplit(expected: ExpectedDestination[]): void {
    const ns = (this.result.virtualService ?? this.result.httpRoute)?.split('/')[0] ?? this.request.namespace ?? 'default';
    // an expected host names a destination as the route writes it, or as a client in `ns` names a Service
    const routed = new Set(this.result.destinations.map((d) => d.fqdn));
    const fqdn = (h: string) => (routed.has(h) ? h : _clientHostToFqdn(h, ns));
    const key = (h: string, s?: string) => `${h}|${s ?? ''}`;
    const actual = new Map<string, number>();
    for (const d of this.result.destinations) actual.set(key(d.fqdn, d.subset), (actual.get(key(d.fqdn, d.subset)) ?? 0) + d.weight);
    const want = new Map<string, number>();
    for (const e of expected) want.set(key(fqdn(e.host), e.subset), (want.get(key(fqdn(e.host), e.subset)) ?? 0) + e.weight);
    const keys = new Set([...actual.keys(), ...want.keys()]);
    const ok = this.result.matched && !this.result.redirect && [...keys].every((k) => (actual.get(k) ?? 0) === (want.get(k) ?? 0));
    if (!ok) {
      const exp = expected.map((e) => `${fqdn(e.host)}${e.subset ? ` subset ${e.subset}` : ''} ${e.weight}%`).join(', ');
      throw new Error(`Expected ${describeRequest(this.request)} to reach ${exp}; but ${this.result.description}`);
    }
  }

  /**
   * Asserts which HTTP route (index in the VirtualService, or rule index in the HTTPRoute) matches.
   *
   * @param index the 0-based index of the route in the VirtualService's `http` list, or of the rule in the
   * HTTPRoute's `rules`
   */
  public toMatchRoute(index: number): void {
    if (this.result.routeIndex !== index) {
      throw new Error(`Expected ${describeRequest(this.request)} to match route #${index}; but ${this.result.description}`);
    }
  }

  /** Asserts that no route matches (Istio would answer 404 at a gateway, or pass through in the mesh). */
  public toMatchNothing(): void {
    if (this.result.matched) throw new Error(`Expected ${describeRequest(this.request)} to match no route; but ${this.result.description}`);
  }
}

/**
 * Evaluates the routing of synthesized VirtualServices in-process, with Istio's first-match
 * semantics, and of HTTPRoutes (Gateway or Service parents) with Gateway API's precedence (exact path over
 * prefix over regex, the longer path, a method match, more header matches, more query matches, then the
 * older route and `namespace/name`), so routing can be unit-tested in jest, for either data plane.
 *
 * @example
 * MeshRouting.expectRoute(app, { host: 'reviews', headers: { 'end-user': 'jason' } }).toReach('reviews', 'v2');
 * const r = MeshRouting.evaluate(chart, { host: 'catalog.shop.svc.cluster.local', path: '/items' });
 * r.destinations; // [{ subset: 'stable', weight: 90, ... }, { subset: 'canary', weight: 10, ... }]
 */
export class MeshRouting {
  /**
   * Synthesizes the charts in `scope` (an App, a Chart, or any construct in a chart) and evaluates
   * `request` against their VirtualServices, else their HTTPRoutes. Runs the app's validations.
   *
   * @param scope an App, a Chart, or any construct in a chart (all charts under it are synthesized)
   * @param request the request: host (short name, `name.namespace` or FQDN), path, method, headers, gateway
   * (default `mesh`), port, scheme, source labels and namespace
   * @returns whether a route matched, which VirtualService and route, and the weighted destinations
   */
  public static evaluate(scope: IConstruct, request: RouteRequest): RouteResult {
    return evaluate(manifestsOf(scope), request);
  }

  /**
   * Evaluates `request` against already synthesized manifests (e.g. parsed YAML files).
   *
   * @param manifests Kubernetes objects as JSON (VirtualServices and HTTPRoutes are used, everything else is ignored),
   * e.g. `YAML.parseAllDocuments(text).map((d) => d.toJSON())`
   * @param request the request: host (short name, `name.namespace` or FQDN), path, method, headers, gateway
   * (default `mesh`), port, scheme, source labels and namespace
   * @returns whether a route matched, which VirtualService and route, and the weighted destinations
   */
  public static evaluateManifests(manifests: any[], request: RouteRequest): RouteResult {
    return evaluate(manifests, request);
  }

  /**
   * Evaluates `request` and returns assertions about where it goes.
   *
   * @param scope an App, a Chart, or any construct in a chart (all charts under it are synthesized)
   * @param request the request: host (short name, `name.namespace` or FQDN), path, method, headers, gateway
   * (default `mesh`), port, scheme, source labels and namespace
   */
  public static expectRoute(scope: IConstruct, request: RouteRequest): RouteExpectation {
    return RouteExpectation._of(request, MeshRouting.evaluate(scope, request));
  }

  /**
   * Like `expectRoute()`, on already synthesized manifests.
   *
   * @param manifests Kubernetes objects as JSON (VirtualServices and HTTPRoutes are used, everything else is ignored)
   * @param request the request: host (short name, `name.namespace` or FQDN), path, method, headers, gateway
   * (default `mesh`), port, scheme, source labels and namespace
   */
  public static expectManifestRoute(manifests: any[], request: RouteRequest): RouteExpectation {
    return RouteExpectation._of(request, MeshRouting.evaluateManifests(manifests, request));
  }

  private constructor() {}
}
