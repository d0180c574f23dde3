import { ApiObject, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _K8sObject } from '../_k8s';
import { _hostSubsetOf, _isWildcarded, _versionServiceName, _versionedName } from '../_naming';
import { _checkProps, _invalid, _isDnsSubdomain, _namespaceOf, _sortedRecord, _validateDnsLabel, _validateLabels, _validatePort } from '../_utils';
import { _CONTAINER_SECURITY, _clusterIpServiceSpec, _plainDeployment } from '../_workloads';
import { DestinationRule, DestinationRuleSubset } from '../destination-rule';
import { GatewayBinding, IGatewayBinding } from '../gateway-binding';
import { IMeshDestination, MeshDestinationConfig, ServiceHost } from '../host';
import { HttpFault, HttpRetry, HttpRoute, HttpRouteOptions, RouteDestination } from '../http-route';
import { IMeshIdentity, MeshIdentity } from '../identity';
import { KubernetesHttpRoute, KubernetesHttpRouteBackend } from '../k8s-http-route';
import { HttpMatch, StringMatch, _validateHeaderName } from '../match';
import { INamespaceRef, _namespaceName } from '../namespace-ref';
import { IMonitoringTarget, MonitoringTargetConfig } from '../observability/monitoring-target';
import { TrafficDialect } from '../traffic-dialect';
import { ConsistentHashKey, LoadBalancer, OutlierDetection, TrafficPolicy } from '../traffic-policy';
import { ITrafficSplit } from '../traffic-split';
import { SecureNamespace } from './secure-namespace';
import { _renderSharing } from '../validation/_render-share';
import { VirtualService } from '../virtual-service';
import { _validateWeight } from '../weight';
import { IMeshWorkload } from '../workload';
import { _meshRoute, _refuseSidecarOnlyOptions, _versionDestinationRule, _versionService } from './_canary-gateway-api';
import { _CanaryStep, _ROLLBACK, _readStateFile, _stateKey } from './_canary-state';

/**
 * One version of a canary release.
 */
export interface CanaryVersion {
  /** The value of the version label of its pods (e.g. `v1`, `1.2.0`); not the subset name. */
  readonly version: string;
  /**
   * Container image. When both versions give one, CanaryService creates their Deployments.
   *
   * @default - the Deployment exists elsewhere (pods labelled `app` + `version`)
   */
  readonly image?: string;
  /**
   * Replicas of the created Deployment.
   *
   * @default 1
   */
  readonly replicas?: number;
}

/**
 * A request header that always routes to the canary.
 */
export interface CanaryHeader {
  /** Header name (lowercase), e.g. `x-canary`. */
  readonly name: string;
  /** Exact value, e.g. `true`. */
  readonly value: string;
}

/**
 * A cookie (`name=value`) that always routes to the canary.
 */
export interface CanaryCookie {
  /** Cookie name. */
  readonly name: string;
  /** Cookie value. */
  readonly value: string;
}

/**
 * Props of a CanaryService.
 */
export interface CanaryServiceProps {
  /**
   * The API the routing is rendered with. `TrafficDialect.SIDECAR`: DestinationRule subsets `stable` and
   * `canary` plus a VirtualService. `TrafficDialect.GATEWAY_API`: one Service per version (named like its
   * Deployment, `catalog-v1`) plus an HTTPRoute whose parent is the Service (`catalog`): the same weights,
   * header/cookie override, mirror and timeout; retries, session affinity, fault injection, edge `gateways`
   * and extra `hosts` have no standard Gateway API equivalent and are refused, with what to use instead.
   * Traffic policies (`outlierDetection`, `trafficPolicy`) become a DestinationRule without subsets on each
   * version's Service, where the route sends the traffic. A canary in an ambient namespace needs the
   * namespace's waypoint, in either dialect.
   *
   * @default - TrafficDialect.GATEWAY_API when the namespace is an ambient `SecureNamespace` of the app
   * (define it before the canary), else TrafficDialect.SIDECAR
   */
  readonly routing?: TrafficDialect;
  /** The stable version (subset `stable`). */
  readonly stable: CanaryVersion;
  /**
   * The canary version (subset `canary`). Leave it out between releases: the stable version then gets
   * all traffic through the same DestinationRule and VirtualService, ready for the next canary (its
   * Deployment, subset, override rule and split appear when a canary is given again).
   *
   * @default - no canary: stable only
   */
  readonly canary?: CanaryVersion;
  /**
   * The Service in front of both versions (a cdk8s-plus Service of any version, a plain `ApiObject`, or one
   * imported with `cdk8s import k8s`). Its selector must not include the version label. Its name, namespace
   * and first port are used.
   *
   * @default - a Service named `serviceName` is created, selecting `appLabels`
   */
  readonly service?: IConstruct;
  /**
   * Create the Service (named `serviceName`, selecting `appLabels`) when `service` is not given. Set
   * false when the Service is defined elsewhere: the canary then only needs `serviceName`, `namespace`
   * and `port`.
   *
   * @default true
   */
  readonly createService?: boolean;
  /**
   * The Service name (when `service` is not given).
   *
   * @default - the construct id
   */
  readonly serviceName?: string;
  /**
   * The namespace of the Service, Deployments and Istio objects: a `SecureNamespace`,
   * `NamespaceRef.fromNamespace(namespace)` or `NamespaceRef.named('shop')`.
   *
   * @default - the namespace of `service`, else the chart's
   */
  readonly namespace?: INamespaceRef;
  /**
   * The service (and container) port.
   *
   * @default - the port of `service`; 80 when the Service is created
   */
  readonly port?: number;
  /**
   * Labels common to both versions' pods (the Service selector).
   *
   * @default { app: <service name> }
   */
  readonly appLabels?: { [key: string]: string };
  /**
   * The pod label carrying the version.
   *
   * @default "version"
   */
  readonly versionLabel?: string;
  /**
   * Percent of traffic sent to the canary (integer 0..100). Not with `steps`.
   *
   * @default 10
   */
  readonly canaryWeight?: number;
  /**
   * A rollout schedule: canary percentages, strictly increasing, ending at 100 (e.g. `[10, 25, 50, 100]`).
   * The current step is `step`, else the context value `cdk8s-istio/canary-step/<service name>`, else the
   * entry `<namespace>/<service name>` of the state file named by the context value
   * `cdk8s-istio/canary-state-file` (written by `cdk8s-istio canary advance`; `"rollback"` there sends all
   * traffic to stable), else `cdk8s-istio/canary-step`, else 0.
   *
   * @default - a single weight (`canaryWeight`)
   */
  readonly steps?: number[];
  /**
   * Index of the current step in `steps`.
   *
   * @default - from the context (see `steps`), else 0
   */
  readonly step?: number;
  /**
   * Requests with this header always reach the canary (rendered as the first route).
   *
   * @default - no header override
   */
  readonly canaryHeader?: CanaryHeader;
  /**
   * Requests with this cookie always reach the canary (rendered in the override route).
   *
   * @default - no cookie override
   */
  readonly canaryCookie?: CanaryCookie;
  /**
   * Mirror this percent of the split route's traffic to the canary (responses are discarded).
   *
   * @default - no mirroring
   */
  readonly mirrorPercentage?: number;
  /**
   * Session affinity: consistent hashing within each subset (Istio does not keep a user on one
   * subset across a weighted split; use `canaryCookie` for that).
   *
   * @default - no affinity
   */
  readonly sessionAffinity?: ConsistentHashKey;
  /**
   * Retries of every route.
   *
   * @default - Istio's default retry policy
   */
  readonly retries?: HttpRetry;
  /**
   * Request timeout of every route.
   *
   * @default - no timeout
   */
  readonly timeout?: Duration;
  /**
   * Fault injection (delay, abort, each for a percentage of requests) on every route of the service, e.g. to
   * test how its callers cope (Istio's fault-injection task).
   *
   * @default - no fault injected
   */
  readonly fault?: HttpFault;
  /**
   * Outlier detection for both subsets.
   *
   * @default - none
   */
  readonly outlierDetection?: OutlierDetection;
  /**
   * Further traffic policy for both subsets (TLS, connection pool, ...). Its `outlierDetection` and
   * `loadBalancer` must be left out when `outlierDetection` / `sessionAffinity` are given.
   *
   * @default - none
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * Edge gateways that also route to this service (the mesh gateway is always included).
   *
   * @default - the mesh only
   */
  readonly gateways?: IGatewayBinding[];
  /**
   * Extra hosts of the VirtualService (e.g. `shop.example.com` for edge traffic).
   *
   * @default - the Service FQDN only
   */
  readonly hosts?: string[];
  /**
   * Service account the versions' pods run as (a cdk8s-plus ServiceAccount of any version, also
   * `ServiceAccount.fromServiceAccountName()`, a plain `ApiObject`, or one imported with `cdk8s import k8s`):
   * created Deployments use it, and the canary's identity is derived from it.
   *
   * @default - one named like the Service is created (when Deployments are created); else unknown
   */
  readonly serviceAccount?: IConstruct;
}

interface CanarySubsetInit {
  readonly subsetName: string;
  readonly version: string;
  readonly subset?: DestinationRuleSubset;
  readonly versionService?: ApiObject;
  readonly versionHost?: ServiceHost;
  readonly destinationRule?: DestinationRule;
  readonly workloadKey: string;
  readonly workloadNamespace?: string;
  readonly workloadIdentity?: IMeshIdentity;
  readonly labels: { [key: string]: string };
  readonly deployment?: ApiObject;
  readonly port: number;
}

/**
 * One side of a canary (`catalog.stable`, `catalog.canary`): a destination (host + subset, or in the Gateway
 * API dialect the version's own Service) and a workload (app labels + version label).
 */
export class CanarySubset implements IMeshDestination, IMeshWorkload {
  /** @internal */
  public static _of(init: CanarySubsetInit): CanarySubset {
    return new CanarySubset(init);
  }

  /** `stable` or `canary`. */
  public readonly subsetName: string;
  /** The version label value. */
  public readonly version: string;
  /** The DestinationRule subset (sidecar dialect); undefined in the Gateway API dialect. */
  public readonly subset?: DestinationRuleSubset;
  /**
   * The version's own Service (`catalog-v2`, selecting app + version), in the Gateway API dialect: the
   * HTTPRoute's backend. A plain `ApiObject`.
   */
  public readonly versionService?: ApiObject;
  /** The host of `versionService` (Gateway API dialect). */
  public readonly versionHost?: ServiceHost;
  /** The DestinationRule carrying the traffic policy to this version's Service (Gateway API dialect, with a policy). */
  public readonly destinationRule?: DestinationRule;
  /** A DNS-safe key (`<service>-stable`). */
  public readonly workloadKey: string;
  /** The namespace of the pods. */
  public readonly workloadNamespace?: string;
  /** The identity of the pods, when known. */
  public readonly workloadIdentity?: IMeshIdentity;
  /**
   * The Deployment, when the CanaryService created it: a plain `ApiObject` (`addJsonPatch()` reaches any
   * field). For Deployments you build with cdk8s-plus, leave out the images.
   */
  public readonly deployment?: ApiObject;
  /** The service port (both subsets are behind the same Service port). */
  public readonly port: number;
  private readonly labels: { [key: string]: string };

  private constructor(init: CanarySubsetInit) {
    this.subsetName = init.subsetName;
    this.version = init.version;
    this.subset = init.subset;
    this.versionService = init.versionService;
    this.versionHost = init.versionHost;
    this.destinationRule = init.destinationRule;
    this.workloadKey = init.workloadKey;
    this.workloadNamespace = init.workloadNamespace;
    this.workloadIdentity = init.workloadIdentity;
    this.deployment = init.deployment;
    this.labels = init.labels;
    this.port = init.port;
  }

  public toMeshDestination(): MeshDestinationConfig {
    // Gateway API: the version's Service (HTTPRoute backends cannot name subsets)
    return this.subset ? this.subset.toMeshDestination() : { host: this.versionHost!.fqdn, port: this.port };
  }

  public toSelectorLabels(): { [key: string]: string } {
    return _sortedRecord(this.labels) ?? {};
  }
}

/**
 * What CanaryService puts into a version's Deployment (`createVersionDeployment()`, a subclass's extension point).
 */
export interface CanaryDeploymentSpec {
  /** The Deployment name (`versionName()`: `catalog-v1`). */
  readonly name: string;
  /** The namespace. */
  readonly namespace: string;
  /** The selector and pod labels: the app labels plus the version label (keep them: the Services and subsets select them). */
  readonly labels: { [key: string]: string };
  /** The container name (the service name). */
  readonly containerName: string;
  /** The image of the version. */
  readonly image: string;
  /** The container port (the service port). */
  readonly port: number;
  /** Replicas (`CanaryVersion.replicas`, default 1). */
  readonly replicas: number;
  /** The service account the pods run as. */
  readonly serviceAccountName: string;
}

/**
 * A created Deployment, rendered as a plain object with the defaults cdk8s-plus-27 gives a Deployment of
 * one container (a drift test compares the two): a non-root container with a read-only root file system
 * and no privilege escalation, resource requests and limits, a TCP startup probe on the port, no
 * service account token mounted, rolling updates of 25%. The pods also carry cdk8s-plus' address label
 * (`cdk8s.io/metadata.addr`), so the output is the one cdk8s-plus renders for the same construct path.
 * Plain, because rendering thousands of them through cdk8s-plus' generated converters cost a large share
 * of a big mesh's synth (BENCHMARKS.md).
 */
function createDeployment(scope: Construct, id: string, d: CanaryDeploymentSpec): ApiObject {
  const labels = _sortedRecord(d.labels)!;
  return _plainDeployment(scope, id, {
    metadata: { name: d.name, namespace: d.namespace, labels },
    replicas: d.replicas,
    selector: labels,
    podLabels: labels,
    serviceAccountName: d.serviceAccountName,
    containers: [{
      image: d.image,
      imagePullPolicy: 'Always',
      name: d.containerName,
      ports: [{ containerPort: d.port }],
      resources: { limits: { cpu: '1500m', memory: '2048Mi' }, requests: { cpu: '1000m', memory: '512Mi' } },
      securityContext: _CONTAINER_SECURITY,
      startupProbe: { failureThreshold: 3, tcpSocket: { port: d.port } },
    }],
  });
}

type Side = 'stable' | 'canary';

/** The versions given (stable, then canary when there is one), each checked; nothing is created before. */
function validateVersions(props: CanaryServiceProps, versionLabel: string): Array<[Side, CanaryVersion]> {
  const versions: Array<[Side, CanaryVersion]> = [['stable', props.stable]];
  if (props.canary !== undefined) versions.push(['canary', props.canary]);
  for (const [side, v] of versions) {
    if (!v || typeof v.version !== 'string' || v.version.length === 0) {
      throw _invalid(`${side}.version`, v?.version, 'the version label value is empty', 'give it, e.g. "v1"');
    }
    _validateLabels(`${side}.version (label "${versionLabel}")`, { [versionLabel]: v.version });
    if (v.image !== undefined && v.image.trim().length === 0) throw _invalid(`${side}.image`, v.image, 'the image is empty', 'give e.g. "ghcr.io/acme/catalog:2.0.0"');
    if (v.replicas !== undefined && (!Number.isInteger(v.replicas) || v.replicas < 0)) {
      throw _invalid(`${side}.replicas`, v.replicas, 'replicas is a whole number of pods, 0 or more', 'give e.g. 2');
    }
  }
  if (props.canary && props.stable.version === props.canary.version) {
    throw _invalid('canary.version', props.canary.version, 'stable and canary have the same version, so both subsets select the same pods', 'give the canary its own version, e.g. "v2"');
  }
  return versions;
}

/** The labels common to every version; the version label must not be among them. */
function validateAppLabels(labels: { [key: string]: string }, versionLabel: string): { [key: string]: string } {
  const copy = { ...labels };
  if (Object.keys(copy).length === 0) throw _invalid('appLabels', {}, 'the labels common to both versions are empty', 'give e.g. { app: "catalog" }');
  _validateLabels('appLabels', copy);
  if (versionLabel in copy) {
    throw _invalid('appLabels', copy, `it contains the version label "${versionLabel}", so the Service would select one version only`, `remove "${versionLabel}" from appLabels`);
  }
  return copy;
}

/** Whether Deployments are created: every version gives an image, or none does. */
function validateImages(versions: Array<[Side, CanaryVersion]>): boolean {
  const withImage = versions.filter(([, v]) => v.image !== undefined);
  if (withImage.length > 0 && withImage.length < versions.length) {
    const missing = versions.find(([, v]) => v.image === undefined)![0];
    throw _invalid(`${missing}.image`, undefined, 'Deployments are created only when every version gives an image', 'give every image, or none (Deployments defined elsewhere)');
  }
  return withImage.length > 0;
}

/** The DestinationRule traffic policy from `trafficPolicy`, `outlierDetection` and `sessionAffinity`. */
function trafficPolicyOf(props: CanaryServiceProps): TrafficPolicy | undefined {
  if (props.trafficPolicy?.outlierDetection && props.outlierDetection) {
    throw _invalid('trafficPolicy.outlierDetection', 'set twice', 'outlierDetection is also given', 'give it once');
  }
  if (props.trafficPolicy?.loadBalancer && props.sessionAffinity) {
    throw _invalid('trafficPolicy.loadBalancer', 'set twice', 'sessionAffinity also sets the load balancer', 'give one of them');
  }
  return props.trafficPolicy || props.outlierDetection || props.sessionAffinity ? {
    ...props.trafficPolicy,
    outlierDetection: props.outlierDetection ?? props.trafficPolicy?.outlierDetection,
    loadBalancer: props.sessionAffinity ? LoadBalancer.consistentHash(props.sessionAffinity) : props.trafficPolicy?.loadBalancer,
  } : undefined;
}

/**
 * The RE2 the Cookie header of an override request matches (`<name>=<value>` as one of its cookies), the
 * same in both dialects and at the edge.
 * @internal
 */
export function _cookieRegex(c: CanaryCookie): string {
  if (!/^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/.test(c.name)) throw _invalid('canaryCookie.name', c.name, 'it is not a valid cookie name', 'use letters, digits and "-", e.g. "canary"');
  if (!/^[A-Za-z0-9!#$%&'()*+\-./:<=>?@[\]^_`{|}~]*$/.test(c.value)) throw _invalid('canaryCookie.value', c.value, 'it is not a valid cookie value', 'use letters and digits, e.g. "always"');
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `^(.*?;\\s*)?${esc(c.name)}=${esc(c.value)}(;.*)?$`;
}

/** The matches that always route to the canary (`canaryHeader`, `canaryCookie`). */
function overrideMatches(props: CanaryServiceProps): HttpMatch[] {
  const overrides: HttpMatch[] = [];
  if (props.canaryHeader) {
    _validateHeaderName('canaryHeader.name', props.canaryHeader.name);
    overrides.push(HttpMatch.header(props.canaryHeader.name, StringMatch.exact(props.canaryHeader.value)));
  }
  if (props.canaryCookie) overrides.push(HttpMatch.header('cookie', StringMatch.regex(_cookieRegex(props.canaryCookie))));
  return overrides;
}

/**
 * Why the canary's routing cannot work in its namespace, if it cannot: a canary in an ambient namespace
 * without a waypoint (ztunnel is L4 only: no weights, no header rule; stable only needs no routing), or
 * (at synth) an ambient SecureNamespace defined after the canary, so the default dialect and the
 * per-version Services' waypoint label were chosen without it.
 */
function ambientProblem(ns: string, secure: SecureNamespace | undefined, routing: TrafficDialect,
  defaulted: boolean, late: boolean, hasCanary: boolean): Error | undefined {
  if (!secure || !secure.enrolment.isAmbient) return undefined;
  // stable only: the Service alone reaches the one version, no routing needed (ztunnel suffices)
  if (!secure.enrolment.hasWaypoint && hasCanary) {
    return _invalid('routing', routing, `namespace "${ns}" runs in ambient mode without a waypoint: ztunnel handles L4 only, so the canary's weights and override rule would never apply`,
      `enrol it with MeshEnrolment.ambient({ waypoint: true }) (SecureNamespace ${secure.node.path})`);
  }
  if (late) {
    return _invalid('routing', routing, `namespace "${ns}" runs in ambient mode, but its SecureNamespace (${secure.node.path}) is defined after this canary, so ${defaulted ? 'the default dialect and ' : ''}the per-version Services were chosen without knowing it`,
      'define the SecureNamespace (or call SecureNamespace.of()) before the CanaryService');
  }
  return undefined;
}

/** Extra VirtualService hosts: none may cover the Service FQDN, which is always the first host. */
function validateExtraHosts(fqdn: string, hosts: string[]): string[] {
  hosts.forEach((h, i) => {
    if (typeof h === 'string' && _isWildcarded(h) && _hostSubsetOf(fqdn, h)) {
      throw _invalid(`hosts[${i}]`, h, `a canary's VirtualService always routes its Service FQDN (${fqdn}), and this wildcard covers it and other services' traffic too`,
        'list the extra hosts by name, e.g. ["shop.example.com"] for edge traffic');
    }
  });
  return hosts;
}

function validateSteps(steps: number[]): number[] {
  if (steps.length === 0) throw _invalid('steps', steps, 'the schedule is empty', 'give e.g. [10, 25, 50, 100]');
  steps.forEach((s, i) => _validateWeight(`steps[${i}]`, s));
  for (let i = 1; i < steps.length; i++) {
    if (steps[i] <= steps[i - 1]) {
      throw _invalid('steps', steps, `step ${i} (${steps[i]}%) does not increase on step ${i - 1} (${steps[i - 1]}%)`, 'give strictly increasing percentages, e.g. [10, 25, 50, 100]');
    }
  }
  if (steps[steps.length - 1] !== 100) {
    throw _invalid('steps', steps, `the schedule ends at ${steps[steps.length - 1]}%, so the canary is never fully promoted`, 'end the schedule with 100');
  }
  return [...steps];
}

/**
 * A canary release of one service: a DestinationRule with subsets `stable` and `canary` (selected by
 * the version label) and a VirtualService splitting traffic by a validated, GitOps-clean weight —
 * `canaryWeight` (default 10) or a `steps` schedule moved by one value. Optionally creates both
 * Deployments and the Service from one container spec.
 *
 * In the Gateway API dialect (`routing: TrafficDialect.GATEWAY_API`, the default in an ambient namespace)
 * the same props give one Service per version and an HTTPRoute with the Service as parent instead of the
 * subsets and the VirtualService. Platform subclasses adapt it through protected extension points:
 * `versionName()`, `createVersionDeployment()`, `objectLabels` and `objectAnnotations`.
 *
 * A release's whole life is a series of small changes that a cluster applies in place: created
 * Deployments are named by version (`catalog-v1`, `catalog-v2`), never by side, so promoting the canary
 * ("v2 is the new stable") keeps its Deployment and running pods and deletes the old version's; between
 * releases leave out `canary` (stable only, same DestinationRule and VirtualService); the next canary adds
 * its Deployment, subset and routes. `cdk8s-istio diff OLD NEW` reviews each step and fails on changes a
 * cluster refuses.
 *
 * @example
 * const catalog = new CanaryService(chart, 'catalog', {
 *   port: 8080,
 *   stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
 *   canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
 *   canaryWeight: 10,
 *   canaryHeader: { name: 'x-canary', value: 'true' },
 * });
 */
export class CanaryService extends Construct implements IMeshDestination, IMeshWorkload, ITrafficSplit, IMonitoringTarget {
  /** Context key of the current step of every CanaryService (`<key>/<service name>` for one service). */
  public static readonly STEP_CONTEXT_KEY = 'cdk8s-istio/canary-step';
  /**
   * Context key naming the canary state file (JSON, `{"<namespace>/<service>": <step> | "rollback"}`, a
   * path relative to the directory synth runs in) that `cdk8s-istio canary advance` writes: the step of
   * every CanaryService with `steps` and no `step` prop or per-service context value comes from it.
   */
  public static readonly STATE_FILE_CONTEXT_KEY = 'cdk8s-istio/canary-state-file';

  /** The API the routing is rendered with (`props.routing`, or the default for the namespace). */
  public readonly routing: TrafficDialect;
  /** The DestinationRule defining `stable` and `canary` (sidecar dialect); undefined in the Gateway API dialect. */
  public readonly destinationRule?: DestinationRule;
  /** The VirtualService splitting the traffic (sidecar dialect); undefined in the Gateway API dialect. */
  public readonly virtualService?: VirtualService;
  /**
   * The HTTPRoute splitting the traffic, with the Service as parent (Gateway API dialect); undefined in the
   * sidecar dialect.
   */
  public readonly httpRoute?: KubernetesHttpRoute;
  /**
   * The Service object: the created one, or the given cdk8s-plus Service's `ApiObject`.
   *
   * A created Service is a plain `ApiObject`: `addJsonPatch()` reaches any field.
   *
   * @default - undefined when `createService` is false (the Service is defined elsewhere)
   */
  public readonly service?: ApiObject;
  /** The Service host. */
  public readonly serviceHost: ServiceHost;
  /** The stable subset. */
  public readonly stable: CanarySubset;
  /** The canary subset; undefined between releases (no `canary` given). */
  public readonly canary?: CanarySubset;
  /** The stable version label value. */
  public readonly stableVersion: string;
  /** The canary version label value; undefined between releases. */
  public readonly canaryVersion?: string;
  /** The service port. */
  public readonly port: number;
  /** The namespace. */
  public readonly workloadNamespace?: string;
  /** The identity of the pods, when known. */
  public readonly workloadIdentity?: IMeshIdentity;
  /** A DNS-safe key (the service name). */
  public readonly workloadKey: string;
  /** The schedule, when `steps` was given. */
  public readonly steps?: number[];
  /** The header that always routes to the canary (`props.canaryHeader`), also at the edge (`MeshGateway.expose()`). */
  public readonly canaryHeader?: CanaryHeader;
  /** The cookie that always routes to the canary (`props.canaryCookie`), also at the edge (`MeshGateway.expose()`). */
  public readonly canaryCookie?: CanaryCookie;
  /**
   * The ServiceAccount object of the pods: the one created (when Deployments are created and none is
   * given) or the one given; undefined when unknown or given as a reference without an object.
   */
  public readonly serviceAccount?: ApiObject;

  private _canaryWeight: number;
  private readonly appLabels: { [key: string]: string };
  private splitRoute?: HttpRoute;
  private splitRule?: object;
  private readonly shiftListeners: Array<() => void> = [];
  private splitOptions?: HttpRouteOptions;
  /** The current step of the schedule (undefined without steps or after a rollback) and the state file it is advanced in. */
  private readonly stepState: { step?: number; stateFile?: string; fromFile?: boolean } = {};

  /**
   * Creates the routing (DestinationRule + VirtualService, or per-version Services + HTTPRoute) and
   * (optionally) the Deployments, ServiceAccount and Service.
   *
   * @param scope the parent construct (usually a Chart with the service's namespace)
   * @param id the construct id, unique within `scope` (also the default service name)
   * @param props the versions, the weight or step schedule, the Service, the routing dialect and the traffic options
   */
  constructor(scope: Construct, id: string, props: CanaryServiceProps) {
    super(scope, id);
    _checkProps('props', props, true, '{ stable: { version: "v1" }, canary: { version: "v2" } }');
    const versionLabel = props.versionLabel ?? 'version';
    const service = props.service === undefined ? undefined
      : _K8sObject.of('service', props.service, ['Service'], 'pass the Service in front of both versions, or give serviceName');
    const givenSa = props.serviceAccount === undefined ? undefined
      : _K8sObject.of('serviceAccount', props.serviceAccount, ['ServiceAccount'], 'pass the ServiceAccount the pods run as, or leave it out');
    const ns = (props.namespace !== undefined ? _namespaceName('namespace', props.namespace) : undefined) ?? service?.namespace ?? _namespaceOf(this);
    if (!ns) throw _invalid('namespace', ns, 'a canary needs the namespace of its Service to derive the host', 'set namespace, or a namespace on the Chart');
    if (service && props.serviceName !== undefined) throw _invalid('serviceName', props.serviceName, 'the name comes from the given service', 'give service or serviceName, not both');
    const name = service?.name ?? _validateDnsLabel('serviceName', props.serviceName ?? id);
    this.workloadKey = name;
    this.workloadNamespace = ns;
    const versions = validateVersions(props, versionLabel);
    this.routing = this.routingFor(ns, props.routing, props.canary !== undefined);
    this.checkVersionNames(name, versions);
    if (this.routing === TrafficDialect.GATEWAY_API) _refuseSidecarOnlyOptions(props);
    this.stableVersion = props.stable.version;
    this.canaryVersion = props.canary?.version;
    this.appLabels = validateAppLabels(props.appLabels ?? { app: name }, versionLabel);
    this.canaryHeader = props.canaryHeader ? { ...props.canaryHeader } : undefined;
    this.canaryCookie = props.canaryCookie ? { ...props.canaryCookie } : undefined;
    this.steps = props.steps ? validateSteps(props.steps) : undefined;
    this._canaryWeight = props.canary ? this.initialWeight(name, props) : 0;

    // workloads and Service
    const create = validateImages(versions);
    const port = props.port ?? service?.servicePorts()[0]?.port ?? 80;
    _validatePort('port', port);
    this.port = port;
    this.serviceAccount = givenSa ? givenSa.apiObject : create ? new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns }, automountServiceAccountToken: false,
    }) : undefined;
    const saName = givenSa?.name ?? this.serviceAccount?.name;
    this.workloadIdentity = saName ? MeshIdentity.of(ns, saName) : undefined;
    const labelsOf = (v: CanaryVersion) => ({ ...this.appLabels, [versionLabel]: v.version });
    // one Deployment per version, named and addressed by the version: promotion never changes a selector
    const deployments = versions.map(([, v]) => create ? this.createVersionDeployment(v, {
      name: this.versionName(name, v.version),
      namespace: ns,
      labels: labelsOf(v),
      containerName: name,
      image: v.image!,
      port,
      replicas: v.replicas ?? 1,
      serviceAccountName: saName!,
    }) : undefined);
    this.service = this.serviceObject(service, props.createService, { name, namespace: ns }, port);
    this.serviceHost = ServiceHost.inNamespace(ns, name);

    // the sides (subsets, or per-version Services), then the routes
    const gatewayApi = this.routing === TrafficDialect.GATEWAY_API;
    const policy = trafficPolicyOf(props);
    if (!gatewayApi) {
      this.destinationRule = new DestinationRule(this, 'DestinationRule', { metadata: { name, namespace: ns }, host: this.serviceHost, trafficPolicy: policy });
    }
    const sides = versions.map(([side, v], i) => {
      const versionHost = gatewayApi ? ServiceHost.inNamespace(ns, this.versionName(name, v.version)) : undefined;
      return CanarySubset._of({
        subsetName: side,
        version: v.version,
        subset: this.destinationRule?.addSubset(side, { [versionLabel]: v.version }),
        versionHost,
        versionService: versionHost ? _versionService(this, `VersionService-${v.version}`, {
          name: versionHost.serviceName!, namespace: ns, port, selector: labelsOf(v), ingressUseWaypoint: this.usesWaypoint(ns),
        }) : undefined,
        destinationRule: versionHost && policy ? _versionDestinationRule(this, `DestinationRule-${v.version}`, versionHost, policy) : undefined,
        workloadKey: `${name}-${side}`,
        workloadNamespace: ns,
        workloadIdentity: this.workloadIdentity,
        labels: labelsOf(v),
        deployment: deployments[i],
        port,
      });
    });
    this.stable = sides[0];
    this.canary = sides[1];
    if (gatewayApi) this.httpRoute = this.gatewayApiRoutes(props);
    else this.virtualService = this.sidecarRoutes(props);
    this.applyObjectMetadata();
  }

  /** The percent of traffic the canary receives. */
  public get canaryWeight(): number {
    return this._canaryWeight;
  }

  /** The percent of traffic the stable version receives (`100 - canaryWeight`). */
  public get stableWeight(): number {
    return 100 - this._canaryWeight;
  }

  /** Sends all traffic to the canary (canary 100%, stable 0%). */
  public promote(): void {
    this.shiftTo(100);
  }

  /** Sends all traffic to the stable version (stable 100%, canary 0%). */
  public rollback(): void {
    this.shiftTo(0);
  }

  /**
   * Moves the split: the canary gets `canaryWeight` percent (integer 0..100), stable the rest.
   *
   * @param canaryWeight the canary's share of traffic in percent, an integer from 0 to 100
   */
  public shiftTo(canaryWeight: number): void {
    const weight = _validateWeight('canaryWeight', canaryWeight);
    if (!this.canary && weight !== 0) {
      throw _invalid('canaryWeight', canaryWeight, `${this.workloadKey} has no canary version now, so all traffic goes to stable`, 'give props.canary (the next version) before shifting traffic to it');
    }
    this._canaryWeight = weight;
    if (this.virtualService) {
      this.splitRoute = this.virtualService.replaceHttpRoute(this.splitRoute!, { ...this.splitOptions, destinations: this.splitDestinations() });
    } else {
      this.httpRoute!._replaceBackends(this.splitRule!, this.splitBackends());
    }
    this.shiftListeners.forEach((l) => l());
  }

  public toMeshDestination(): MeshDestinationConfig {
    return this.serviceHost.toMeshDestination();
  }

  /**
   * What observability monitors: the service, and stable vs canary by `destination_version` with the
   * current weights (read at synth, so promote()/shiftTo() after monitor() show on the dashboard).
   */
  public toMonitoringTarget(): MonitoringTargetConfig {
    return {
      serviceName: this.workloadKey,
      namespace: this.workloadNamespace!,
      canary: this.canaryVersion === undefined ? undefined : {
        stableVersion: this.stableVersion,
        canaryVersion: this.canaryVersion,
        stableWeight: this.stableWeight,
        canaryWeight: this.canaryWeight,
        steps: this.steps,
        step: this.stepState.step,
        stateFile: this.stepState.stateFile,
        // Gateway API dialect: each version has its own Service, which metrics name (waypoints report them)
        stableServiceName: this.stable.versionHost?.serviceName,
        canaryServiceName: this.canary?.versionHost?.serviceName,
      },
    };
  }

  /** The current split (stable, canary) with their weights: routes elsewhere (e.g. at the edge) reuse it. */
  public toRouteDestinations(): RouteDestination[] {
    return this.splitDestinations();
  }

  /**
   * Registers a callback run after every weight change (promote, rollback, shiftTo), so routes that
   * reuse this split (MeshGateway.expose) stay in step with it.
   *
   * @internal
   */
  public _onShift(listener: () => void): void {
    this.shiftListeners.push(listener);
  }

  /**
   * The per-version Services the HTTPRoute sends traffic to (Gateway API dialect; none in the sidecar
   * dialect): an ambient namespace's L7 policies for this service attach to them too.
   *
   * @internal
   */
  public _versionServiceNames(): string[] {
    return [this.stable, this.canary].flatMap((s) => s?.versionHost ? [s.versionHost.serviceName!] : []);
  }

  /** The labels common to both versions (e.g. `{ app: 'catalog' }`). */
  public toSelectorLabels(): { [key: string]: string } {
    return _sortedRecord(this.appLabels) ?? {};
  }

  private splitDestinations(): RouteDestination[] {
    const stable = { destination: this.stable, weight: this.stableWeight };
    return this.canary ? [stable, { destination: this.canary, weight: this._canaryWeight }] : [stable];
  }

  /** The canary's weight at construction: `canaryWeight`, or the current step of the `steps` schedule. */
  private initialWeight(name: string, props: CanaryServiceProps): number {
    if (this.steps && props.canaryWeight !== undefined) throw _invalid('canaryWeight', props.canaryWeight, 'the weight comes from the steps schedule', 'give canaryWeight or steps, not both');
    if (!this.steps && props.step !== undefined) throw _invalid('step', props.step, 'a step needs a steps schedule', 'give steps, e.g. [10, 25, 50, 100], or use canaryWeight');
    if (!this.steps) return _validateWeight('canaryWeight', props.canaryWeight ?? 10);
    const step = this.resolveStep(name, props.step);
    if (step === _ROLLBACK) return 0;
    this.stepState.step = step;
    if (!Number.isInteger(step) || step < 0 || step >= this.steps.length) {
      const prop = this.stepState.fromFile ? `canary state file ${this.stepState.stateFile} entry "${_stateKey(this.workloadNamespace!, name)}"` : 'step';
      throw _invalid(prop, step, `the schedule has ${this.steps.length} steps (0..${this.steps.length - 1})`, `use a step from 0 to ${this.steps.length - 1}`);
    }
    return this.steps[step];
  }

  /**
   * The name of a version's objects: its Deployment and, in the Gateway API dialect, its Service.
   * Default: `<service>-<version>`, lowercase and DNS-safe (`catalog-v1`, `catalog-1.2.0`; in the Gateway API
   * dialect a DNS label, as Service names are: `catalog-1-2-0`).
   *
   * An extension point for a platform's own naming scheme: it is called during construction, so it must
   * depend only on its arguments; the name must stay a DNS label and differ between versions (checked),
   * and it must not depend on the side (stable or canary), or promotion would replace running pods.
   *
   * @param serviceName the Service name, e.g. `catalog`
   * @param version the version label value, e.g. `v1`
   */
  protected versionName(serviceName: string, version: string): string {
    // a Service name is a DNS label: no dots (the Deployment is named the same)
    return this.routing === TrafficDialect.GATEWAY_API ? _versionServiceName(serviceName, version) : _versionedName(serviceName, version);
  }

  /**
   * Creates the Deployment of one version (when images are given): a plain `ApiObject` with cdk8s-plus'
   * secure defaults (see the class). An extension point for the pod spec: a subclass calls
   * `super.createVersionDeployment(version, spec)` (with the spec it wants) and patches the result
   * (`addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', {...}))`). Keep the selector and the
   * pod labels of `spec.labels`: the Service and the routing select them.
   *
   * @param version the version (as given in props)
   * @param spec the name, namespace, labels, container, port, replicas and service account of the Deployment
   */
  protected createVersionDeployment(version: CanaryVersion, spec: CanaryDeploymentSpec): ApiObject {
    return createDeployment(this, `Version-${version.version}`, spec);
  }

  /**
   * Labels added to the metadata of every object this canary creates (Deployments, Services, ServiceAccount,
   * DestinationRules, VirtualService or HTTPRoute; not the pod templates, whose labels the selectors use).
   * Default: none. An extension point for a platform's conventions (team, cost centre); called during
   * construction, so it must not read fields of the subclass.
   */
  protected get objectLabels(): { [key: string]: string } {
    return {};
  }

  /**
   * Annotations added to the metadata of every object this canary creates (see `objectLabels`). Default: none.
   */
  protected get objectAnnotations(): { [key: string]: string } {
    return {};
  }

  /** Adds `objectLabels` / `objectAnnotations` to every object created by this construct. */
  private applyObjectMetadata(): void {
    const labels = this.objectLabels;
    const annotations = this.objectAnnotations;
    if (Object.keys(labels).length === 0 && Object.keys(annotations).length === 0) return;
    _validateLabels('objectLabels', labels);
    for (const child of this.node.findAll()) {
      if (!ApiObject.isApiObject(child)) continue;
      for (const k of Object.keys(labels).sort()) child.metadata.addLabel(k, labels[k]);
      for (const k of Object.keys(annotations).sort()) child.metadata.addAnnotation(k, annotations[k]);
    }
  }

  /** Per-version names must be distinct DNS labels (a subclass may rename them). */
  private checkVersionNames(service: string, versions: Array<[Side, CanaryVersion]>): void {
    const names = versions.map(([side, v]) => {
      const n = this.versionName(service, v.version);
      const serviceToo = this.routing === TrafficDialect.GATEWAY_API;
      if (typeof n !== 'string' || !_isDnsSubdomain(n) || n.length > 63 || (serviceToo && n.includes('.'))) {
        throw _invalid(`versionName(${JSON.stringify(service)}, ${JSON.stringify(v.version)})`, n,
          `the ${side} version's ${serviceToo ? 'Service and Deployment name must be a DNS label' : 'Deployment name must be a DNS subdomain of at most 63 characters'}`,
          `return lowercase letters, digits${serviceToo ? '' : ', "."'} and "-", at most 63 characters`);
      }
      return n;
    });
    if (names.length === 2 && names[0] === names[1]) {
      throw _invalid('canary.version', versions[1][1].version, `its Deployment name would be the same as stable's ("${versions[0][1].version}"): names are DNS-safe, lowercase and at most 63 characters`,
        'give versions that differ in more than case and punctuation, e.g. "v2"');
    }
  }

  /** The dialect: the given one, else Gateway API in an ambient SecureNamespace of the app, else sidecar. */
  private routingFor(ns: string, given: TrafficDialect | undefined, hasCanary: boolean): TrafficDialect {
    if (given !== undefined && !Object.values(TrafficDialect).includes(given)) {
      throw _invalid('routing', given, 'it is not a traffic dialect', 'use TrafficDialect.SIDECAR or TrafficDialect.GATEWAY_API');
    }
    const secure = SecureNamespace._lookup(this, ns);
    const routing = given ?? (secure?.enrolment.isAmbient ? TrafficDialect.GATEWAY_API : TrafficDialect.SIDECAR);
    const problem = ambientProblem(ns, secure, routing, given === undefined, false, hasCanary);
    if (problem) throw problem;
    // a SecureNamespace defined after the canary: checked at synth
    if (!secure) {
      this.node.addValidation({
        validate: () => {
          const late = ambientProblem(ns, SecureNamespace._lookup(this, ns), routing, given === undefined, true, hasCanary);
          return late ? [late.message] : [];
        },
      });
    }
    return routing;
  }

  /** Whether the namespace is an ambient SecureNamespace with a waypoint (known at construction). */
  private usesWaypoint(ns: string): boolean {
    return SecureNamespace._lookup(this, ns)?.enrolment.hasWaypoint ?? false;
  }

  /** Sidecar dialect: the override route (while there is a canary), then the split, in a VirtualService. */
  private sidecarRoutes(props: CanaryServiceProps): VirtualService {
    const vs = new VirtualService(this, 'VirtualService', {
      metadata: { name: this.workloadKey, namespace: this.workloadNamespace },
      hosts: [this.serviceHost.fqdn, ...validateExtraHosts(this.serviceHost.fqdn, props.hosts ?? [])],
      gateways: [GatewayBinding.mesh(), ...(props.gateways ?? []).filter((g) => g.gatewayRef !== GatewayBinding.MESH_GATEWAY_NAME)],
    });
    const overrides = overrideMatches(props);
    if (this.canary && overrides.length > 0) {
      vs.addHttpRoute({
        name: 'canary-override', match: overrides, destinations: [{ destination: this.canary }], retries: props.retries, timeout: props.timeout, fault: props.fault,
      });
    }
    this.splitOptions = {
      name: 'canary-split',
      retries: props.retries,
      timeout: props.timeout,
      fault: props.fault,
      mirrors: this.canary && props.mirrorPercentage !== undefined ? [{ destination: this.canary, percentage: props.mirrorPercentage }] : undefined,
      destinations: this.splitDestinations(),
    };
    this.splitRoute = vs.addHttpRoute(this.splitOptions);
    return vs;
  }

  /** Gateway API dialect: an HTTPRoute with the Service as parent, to the per-version Services. */
  private gatewayApiRoutes(props: CanaryServiceProps): KubernetesHttpRoute {
    const mesh = _meshRoute(this, 'HttpRoute', {
      serviceName: this.workloadKey,
      namespace: this.workloadNamespace!,
      port: this.port,
      header: props.canaryHeader,
      cookie: props.canaryCookie,
      cookieRegex: props.canaryCookie ? _cookieRegex(props.canaryCookie) : undefined,
      canaryService: this.canary?.versionHost!.serviceName,
      mirrorPercent: props.mirrorPercentage,
      timeout: props.timeout,
    }, this.splitBackends());
    this.splitRule = mesh.splitRule;
    return mesh.route;
  }

  /** The split as HTTPRoute backends: the per-version Services, weighted while there is a canary. */
  private splitBackends(): KubernetesHttpRouteBackend[] {
    return this.splitDestinations().map((d) => ({
      serviceName: (d.destination as CanarySubset).versionHost!.serviceName!,
      port: this.port,
      weight: this.canary ? d.weight : undefined,
    }));
  }

  /** The Service object: the given one's, a created one (selecting every version), or none. */
  private serviceObject(given: _K8sObject | undefined, createService: boolean | undefined,
    metadata: { name: string; namespace: string }, port: number): ApiObject | undefined {
    if (given && createService === false) {
      throw _invalid('createService', false, 'a service is given, so nothing would be created anyway', 'leave createService out');
    }
    if (given) {
      if (!given.apiObject) throw _invalid('service', given.description, 'it is a reference without a Service object', 'pass the Service object, or give serviceName with createService: false');
      return given.apiObject;
    }
    if (!(createService ?? true)) return undefined;
    // the checks render Services for the mesh rules: the output takes that render (one render per synth)
    return new (_renderSharing(ApiObject, true))(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: _clusterIpServiceSpec([{ name: 'http', port, targetPort: port }], _sortedRecord(this.appLabels)),
    });
  }

  private resolveStep(name: string, prop: number | undefined): _CanaryStep {
    if (prop !== undefined) return prop;
    let raw = this.node.tryGetContext(`${CanaryService.STEP_CONTEXT_KEY}/${name}`);
    const stateFile = this.node.tryGetContext(CanaryService.STATE_FILE_CONTEXT_KEY);
    if (raw === undefined && stateFile !== undefined) {
      if (typeof stateFile !== 'string' || stateFile.length === 0) {
        throw _invalid(`context "${CanaryService.STATE_FILE_CONTEXT_KEY}"`, stateFile, 'it names the canary state file', 'set it to a path such as "canary-state.json"');
      }
      this.stepState.stateFile = stateFile;
      const fromFile = _readStateFile(stateFile)[_stateKey(this.workloadNamespace!, name)];
      if (fromFile !== undefined) {
        this.stepState.fromFile = true;
        return fromFile;
      }
    }
    raw = raw ?? this.node.tryGetContext(CanaryService.STEP_CONTEXT_KEY);
    if (raw === undefined) return 0;
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isInteger(n)) {
      throw _invalid(`context "${CanaryService.STEP_CONTEXT_KEY}"`, raw, 'the step must be an integer index into steps', 'set it to e.g. 1');
    }
    return n;
  }
}

/**
 * A version's Deployment as CanaryService creates it, for sibling constructs built from the same pieces
 * (MultiVersionService).
 * @internal
 */
export function _createVersionDeployment(scope: Construct, id: string, d: CanaryDeploymentSpec): ApiObject {
  return createDeployment(scope, id, d);
}

/** The labels common to every version, checked as CanaryService checks them. @internal */
export function _checkAppLabels(labels: { [key: string]: string }, versionLabel: string): { [key: string]: string } {
  return validateAppLabels(labels, versionLabel);
}
