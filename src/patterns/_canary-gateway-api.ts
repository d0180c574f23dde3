/**
 * CanaryService in the Gateway API dialect (`routing: TrafficDialect.GATEWAY_API`): one Service per version
 * and an HTTPRoute whose parent is the Service callers address (mesh routing, GAMMA), instead of
 * DestinationRule subsets and a VirtualService. What ambient waypoints support.
 *
 * - which options have no standard Gateway API v1.5.1 equivalent (refused with the alternative);
 * - the per-version Services (named like the Deployments, so promotion never changes a selector);
 * - the per-version DestinationRules carrying the traffic policy (the route's backends are the per-version
 *   Services, so that is where the policy must apply);
 * - the HTTPRoute: the override rule (header, cookie) first, then the weighted split (with the mirror).
 *
 * Internal: CanaryService calls these.
 */
import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { _invalid, _sortedRecord } from '../_utils';
import { _clusterIpServiceSpec } from '../_workloads';
import { DestinationRule } from '../destination-rule';
import { ServiceHost } from '../host';
import { KubernetesHttpRoute, KubernetesHttpRouteBackend, KubernetesHttpRouteMatch, KubernetesHttpRouteMirror } from '../k8s-http-route';
import { StringMatch, _validateHeaderName } from '../match';
import { RouteParent } from '../route-parent';
import { TrafficPolicy } from '../traffic-policy';
import type { CanaryCookie, CanaryHeader, CanaryServiceProps } from './canary-service';

/**
 * Options of the sidecar dialect that Gateway API v1.5.1's standard channel cannot express: refused, with
 * what to use instead.
 * @internal
 */
export function _refuseSidecarOnlyOptions(props: CanaryServiceProps): void {
  const fix = 'or set routing: TrafficDialect.SIDECAR (DestinationRule subsets + VirtualService)';
  if (props.retries !== undefined) {
    throw _invalid('retries', props.retries, 'an HTTPRoute of the Gateway API standard channel (v1.5.1) has no retry policy (HTTPRouteRetry is experimental)',
      `leave retries out (Istio's default retry policy applies to HTTPRoute backends too), ${fix}`);
  }
  if (props.sessionAffinity !== undefined) {
    throw _invalid('sessionAffinity', props.sessionAffinity, 'the Gateway API standard channel (v1.5.1) has no session persistence (sessionPersistence is experimental)',
      `use canaryCookie to keep testers on the canary, or trafficPolicy: { loadBalancer: LoadBalancer.consistentHash(...) } (a DestinationRule on each version's Service), ${fix}`);
  }
  if (props.fault !== undefined) {
    throw _invalid('fault', props.fault, 'the Gateway API standard channel (v1.5.1) has no fault injection filter',
      `leave fault out in this dialect, ${fix}`);
  }
  if (props.gateways !== undefined && props.gateways.length > 0) {
    throw _invalid('gateways', props.gateways.map((g) => g.gatewayRef), 'an HTTPRoute with a Service parent routes mesh traffic only; edge gateways bind routes of their own',
      `expose the canary at the edge with MeshGateway.expose(host, canary) (it routes to the per-version Services), ${fix}`);
  }
  if (props.hosts !== undefined && props.hosts.length > 0) {
    throw _invalid('hosts', props.hosts, 'a mesh HTTPRoute serves the Service it is attached to; extra hosts belong to an edge route',
      `expose the canary at the edge with MeshGateway.expose(host, canary), ${fix}`);
  }
}

/** What a per-version Service needs. @internal */
export interface _VersionServiceSpec {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  /** The app labels plus the version label. */
  readonly selector: { [key: string]: string };
  /**
   * In an ambient namespace with a waypoint: `istio.io/ingress-use-waypoint: "true"`, so edge traffic to the
   * version also passes the waypoint (and its L7 policies) instead of reaching the pods directly.
   */
  readonly ingressUseWaypoint: boolean;
}

/**
 * The Service of one version (`catalog-v1`): selects the app and version labels. Named by version, like the
 * Deployment, so a release only ever creates and deletes these, never changes one.
 * @internal
 */
export function _versionService(scope: Construct, id: string, s: _VersionServiceSpec): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: s.ingressUseWaypoint ? { 'istio.io/ingress-use-waypoint': 'true' } : undefined,
    },
    spec: _clusterIpServiceSpec([{ name: 'http', port: s.port, targetPort: s.port }], _sortedRecord(s.selector)),
  });
}

/**
 * The traffic policy (outlier detection, connection pool, TLS, load balancing) of one version: a
 * DestinationRule without subsets on the version's Service host, since that is where the route sends traffic
 * (a DestinationRule on the parent Service's host would apply to no request).
 * @internal
 */
export function _versionDestinationRule(scope: Construct, id: string, host: ServiceHost, policy: TrafficPolicy): DestinationRule {
  return new DestinationRule(scope, id, {
    metadata: { name: host.serviceName!, namespace: host.serviceNamespace! },
    host,
    trafficPolicy: policy,
  });
}

/** The matches that always reach the canary: the header (exact) and the cookie (a regex on the Cookie header). */
function overrideMatches(header: CanaryHeader | undefined, cookie: CanaryCookie | undefined,
  cookieRegex: string | undefined): KubernetesHttpRouteMatch[] {
  const matches: KubernetesHttpRouteMatch[] = [];
  if (header) {
    _validateHeaderName('canaryHeader.name', header.name);
    matches.push({ headers: { [header.name]: header.value } });
  }
  if (cookie && cookieRegex) matches.push({ headerMatches: { cookie: StringMatch.regex(cookieRegex) } });
  return matches;
}

/**
 * The RequestMirror of `percent` (0..100) of the requests: a whole percent as `percent`, finer steps (the
 * sidecar dialect takes any double) as a `fraction` of a million, reduced.
 */
function mirrorOf(service: string, port: number, percent: number): KubernetesHttpRouteMirror {
  const backend = { serviceName: service, port };
  if (Number.isInteger(percent)) return { backend, percent };
  if (typeof percent !== 'number' || !(percent >= 0 && percent <= 100)) {
    throw _invalid('mirrorPercentage', percent, 'a mirror percentage is from 0 to 100', 'give e.g. 5 or 0.5');
  }
  let [numerator, denominator] = [Math.round(percent * 10000), 1000000];
  if (numerator === 0) throw _invalid('mirrorPercentage', percent, 'it is below one in a million requests, so nothing would be mirrored', 'give at least 0.0001');
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const d = gcd(numerator, denominator);
  [numerator, denominator] = [numerator / d, denominator / d];
  return { backend, fraction: { numerator, denominator } };
}

/** What the mesh route of a canary needs. @internal */
export interface _MeshRouteSpec {
  readonly serviceName: string;
  readonly namespace: string;
  readonly port: number;
  readonly header?: CanaryHeader;
  readonly cookie?: CanaryCookie;
  /** The RE2 the sidecar dialect matches the Cookie header with (the same one, so both dialects agree). */
  readonly cookieRegex?: string;
  /** The per-version Service of the canary, when there is one. */
  readonly canaryService?: string;
  readonly mirrorPercent?: number;
  readonly timeout?: Duration;
}

/** The route and the handle of its split rule (its backends follow `shiftTo()`). @internal */
export interface _MeshRoute {
  readonly route: KubernetesHttpRoute;
  readonly splitRule: object;
}

/**
 * The HTTPRoute `<service>` with the Service as parent: `canary-override` (header or cookie -> the canary's
 * Service; Gateway API ranks a rule with header matches above one without, whatever the order), then
 * `canary-split` (weighted per-version backends, the mirror, the timeout).
 * @internal
 */
export function _meshRoute(scope: Construct, id: string, s: _MeshRouteSpec, split: KubernetesHttpRouteBackend[]): _MeshRoute {
  const route = new KubernetesHttpRoute(scope, id, {
    metadata: { name: s.serviceName, namespace: s.namespace },
    parents: [RouteParent.service(s.serviceName)],
  });
  const overrides = overrideMatches(s.header, s.cookie, s.cookieRegex);
  const withOverride = s.canaryService !== undefined && overrides.length > 0;
  if (withOverride) {
    route.addRule({ name: 'canary-override', matches: overrides, backends: [{ serviceName: s.canaryService!, port: s.port }], timeout: s.timeout });
  }
  const splitRule = route._insertRule(withOverride ? 1 : 0, {
    name: 'canary-split',
    backends: split,
    mirrors: s.canaryService && s.mirrorPercent !== undefined ? [mirrorOf(s.canaryService, s.port, s.mirrorPercent)] : undefined,
    timeout: s.timeout,
  });
  return { route, splitRule };
}
