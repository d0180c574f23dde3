import { ApiObject, Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _K8sObject } from '../_k8s';
import { _versionedName } from '../_naming';
import { _checkProps, _invalid, _namespaceOf, _sortedRecord, _suggestName, _validateDnsLabel, _validateLabels, _validatePort } from '../_utils';
import { _clusterIpServiceSpec } from '../_workloads';
import { DestinationRule } from '../destination-rule';
import { IMeshDestination, MeshDestinationConfig, ServiceHost } from '../host';
import { HttpFault, HttpRetry, HttpRoute, HttpRouteOptions, RouteDestination } from '../http-route';
import { IMeshIdentity, MeshIdentity } from '../identity';
import { HttpMatch } from '../match';
import { INamespaceRef, _namespaceName } from '../namespace-ref';
import { TrafficPolicy } from '../traffic-policy';
import { VirtualService } from '../virtual-service';
import { _validateWeightSplit } from '../weight';
import { IMeshWorkload } from '../workload';
import { CanarySubset, _checkAppLabels, _createVersionDeployment } from './canary-service';
import { SecureNamespace } from './secure-namespace';

/**
 * One version of a multi-version service.
 */
export interface ServiceVersion {
  /** The version label value (`v1`); the subset is named after it (DNS-safe: `1.2.0` -> `1-2-0`). */
  readonly version: string;
  /**
   * The container image; the version's Deployment is created when every version gives one.
   *
   * @default - no Deployment created (define it yourself with the app and version labels)
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
 * A rule that sends matching requests to one version (Istio's request-routing task: `end-user: jason` -> v2).
 */
export interface VersionRouteOptions {
  /** The version the matching requests go to. */
  readonly version: string;
  /** The matches (any of them), e.g. `HttpMatch.header('end-user', StringMatch.exact('jason'))`. */
  readonly match: HttpMatch[];
  /**
   * Fault injection on these requests (Istio's fault-injection task).
   *
   * @default - none
   */
  readonly fault?: HttpFault;
  /**
   * The route's name.
   *
   * @default - "<version>-rule-<n>"
   */
  readonly name?: string;
}

/**
 * Props of a MultiVersionService.
 */
export interface MultiVersionServiceProps {
  /** The versions (at least two), each a DestinationRule subset selected by the version label. */
  readonly versions: ServiceVersion[];
  /**
   * The version every request no rule matches goes to (pinning). Exclusive with `weights`.
   *
   * @default - the first version
   */
  readonly defaultVersion?: string;
  /**
   * A weighted split of the requests no rule matches, by version (integer percentages adding up to 100).
   * Exclusive with `defaultVersion`.
   *
   * @default - all to `defaultVersion`
   */
  readonly weights?: { [version: string]: number };
  /**
   * Rules sending matching requests to one version, in order, before the default route.
   *
   * @default - none (add with `routeVersion()`)
   */
  readonly rules?: VersionRouteOptions[];
  /**
   * The Service name (and the app label).
   *
   * @default - the construct id
   */
  readonly serviceName?: string;
  /**
   * The namespace of the Service, Deployments and Istio objects: a `SecureNamespace`,
   * `NamespaceRef.fromNamespace(namespace)` or `NamespaceRef.named('shop')`. Sidecar mode only: in an
   * ambient `SecureNamespace` of the app the service is refused (its routing is VirtualService subsets).
   *
   * @default - the Chart's namespace
   */
  readonly namespace?: INamespaceRef;
  /**
   * The service (and container) port.
   *
   * @default 80
   */
  readonly port?: number;
  /**
   * Labels shared by every version (the Service's selector).
   *
   * @default { app: <service name> }
   */
  readonly appLabels?: { [key: string]: string };
  /**
   * The label telling versions apart.
   *
   * @default "version"
   */
  readonly versionLabel?: string;
  /**
   * Create the ClusterIP Service selecting every version.
   *
   * @default true
   */
  readonly createService?: boolean;
  /**
   * The ServiceAccount the pods run as (their mesh identity).
   *
   * @default - one created with the service's name when the Deployments are created, else none known
   */
  readonly serviceAccount?: IConstruct;
  /**
   * The DestinationRule traffic policy of every version.
   *
   * @default - none
   */
  readonly trafficPolicy?: TrafficPolicy;
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
   * Fault injection on the default route (a rule's own `fault` applies to its requests).
   *
   * @default - none
   */
  readonly fault?: HttpFault;
}

/**
 * A service with several versions running side by side (bookinfo's `reviews` v1, v2, v3): one subset per
 * version, header (or any match) rules pinning some requests to a version, and a default route that pins
 * the rest to one version or splits them by weight. Built from CanaryService's pieces: the same
 * per-version Deployments (named `<service>-<version>`), subsets (`CanarySubset` destinations and workloads)
 * and Service.
 *
 * @example
 * const reviews = new MultiVersionService(chart, 'reviews', {
 *   port: 9080,
 *   versions: [{ version: 'v1' }, { version: 'v2' }, { version: 'v3' }],
 *   defaultVersion: 'v1',
 * });
 * reviews.routeVersion({ version: 'v2', match: [HttpMatch.header('end-user', StringMatch.exact('jason'))] });
 */
export class MultiVersionService extends Construct implements IMeshDestination, IMeshWorkload {
  /** The DestinationRule with one subset per version. */
  public readonly destinationRule: DestinationRule;
  /** The VirtualService: the rules, then the default route. */
  public readonly virtualService: VirtualService;
  /** The created Service, if any. */
  public readonly service?: ApiObject;
  /** The Service host. */
  public readonly serviceHost: ServiceHost;
  /** The service port. */
  public readonly port: number;
  /** The service name. */
  public readonly workloadKey: string;
  /** The namespace. */
  public readonly workloadNamespace?: string;
  /** The pods' identity, when the service account is known. */
  public readonly workloadIdentity?: IMeshIdentity;
  /** The created ServiceAccount, or the given one's ApiObject. */
  public readonly serviceAccount?: ApiObject;

  private readonly versionsByName = new Map<string, CanarySubset>();
  private readonly appLabels: { [key: string]: string };
  private readonly routeOptions: Pick<HttpRouteOptions, 'retries' | 'timeout'>;
  private readonly defaultFault?: HttpFault;
  private defaultRoute: HttpRoute;
  private ruleCount = 0;

  /**
   * Creates the DestinationRule, the VirtualService and (optionally) the Deployments, ServiceAccount and Service.
   *
   * @param scope the parent construct (usually a Chart with the service's namespace)
   * @param id the construct id, unique within `scope` (also the default service name)
   * @param props the versions, the default version or weights, rules, the Service and the traffic options
   */
  constructor(scope: Construct, id: string, props: MultiVersionServiceProps) {
    super(scope, id);
    _checkProps('props', props, true, '{ versions: [{ version: "v1" }, { version: "v2" }, { version: "v3" }] }');
    const name = _validateDnsLabel('serviceName', props.serviceName ?? id);
    const ns = props.namespace !== undefined ? _namespaceName('namespace', props.namespace) : _namespaceOf(this);
    if (!ns) throw _invalid('namespace', ns, 'the service needs a namespace to derive its host', 'set namespace, or a namespace on the Chart');
    this.node.addValidation({ validate: () => ambientErrors(this, ns) });
    const versionLabel = props.versionLabel ?? 'version';
    const versions = checkVersions(name, props.versions, versionLabel);
    this.workloadKey = name;
    this.workloadNamespace = ns;
    this.appLabels = _checkAppLabels(props.appLabels ?? { app: name }, versionLabel);
    this.port = _validatePort('port', props.port ?? 80);
    const create = versions.every((v) => v.image !== undefined);
    if (!create && versions.some((v) => v.image !== undefined)) {
      throw _invalid('versions', versions.map((v) => v.version), 'Deployments are created only when every version gives an image', 'give every image, or none (Deployments defined elsewhere)');
    }
    const givenSa = props.serviceAccount === undefined ? undefined
      : _K8sObject.of('serviceAccount', props.serviceAccount, ['ServiceAccount'], 'pass the ServiceAccount the pods run as, or leave it out');
    this.serviceAccount = givenSa ? givenSa.apiObject : create ? new ApiObject(this, 'ServiceAccount', {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns }, automountServiceAccountToken: false,
    }) : undefined;
    const saName = givenSa?.name ?? this.serviceAccount?.name;
    this.workloadIdentity = saName ? MeshIdentity.of(ns, saName) : undefined;
    this.serviceHost = ServiceHost.inNamespace(ns, name);
    this.service = (props.createService ?? true) ? new ApiObject(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: _clusterIpServiceSpec([{ name: 'http', port: this.port, targetPort: this.port }], _sortedRecord(this.appLabels)),
    }) : undefined;

    this.destinationRule = new DestinationRule(this, 'DestinationRule', { metadata: { name, namespace: ns }, host: this.serviceHost, trafficPolicy: props.trafficPolicy });
    for (const v of versions) this.addVersion(v, versionLabel, create ? saName : undefined);

    this.routeOptions = { retries: props.retries, timeout: props.timeout };
    this.defaultFault = props.fault;
    this.virtualService = new VirtualService(this, 'VirtualService', { metadata: { name, namespace: ns }, hosts: [this.serviceHost.fqdn] });
    this.defaultRoute = this.virtualService.addHttpRoute(this.defaultRouteOptions(this.initialDefault(props, versions)));
    for (const r of props.rules ?? []) this.routeVersion(r);
  }

  /** The versions, in the order given. */
  public get versions(): CanarySubset[] {
    return [...this.versionsByName.values()];
  }

  /**
   * One version, as a destination (host + subset) and a workload (app + version labels).
   *
   * @param version the version label value, e.g. `v2`
   */
  public version(version: string): CanarySubset {
    const v = this.versionsByName.get(version);
    if (!v) {
      throw _invalid('version', version, `${this.workloadKey} has no such version (it has: ${[...this.versionsByName.keys()].join(', ')})`, 'use one of its versions');
    }
    return v;
  }

  /**
   * Sends the requests matching `options.match` to one version (inserted after the earlier rules, before
   * the default route).
   *
   * @param options the version, the matches, an optional fault and the route name
   * @returns the route, as rendered
   */
  public routeVersion(options: VersionRouteOptions): HttpRoute {
    _checkProps('options', options, true, '{ version: "v2", match: [HttpMatch.header("end-user", StringMatch.exact("jason"))] }');
    const target = this.version(options.version);
    if (!options.match || options.match.length === 0) {
      throw _invalid('match', options.match, 'a version rule without matches would take every request, and the default route would never apply',
        'give matches, or pin the default route with pin(version)');
    }
    const index = this.ruleCount++;
    return this.virtualService.insertHttpRoute(index, {
      ...this.routeOptions,
      name: options.name ?? `${target.subsetName}-rule-${index}`,
      match: options.match,
      fault: options.fault,
      destinations: [{ destination: target }],
    });
  }

  /**
   * Sends every request no rule matches to one version.
   *
   * @param version the version label value, e.g. `v3`
   */
  public pin(version: string): void {
    this.setDefault([{ destination: this.version(version) }]);
  }

  /**
   * Splits the requests no rule matches by weight.
   *
   * @param weights integer percentages by version, adding up to 100 (versions left out get none)
   */
  public split(weights: { [version: string]: number }): void {
    this.setDefault(this.weightedDestinations(weights));
  }

  public toMeshDestination(): MeshDestinationConfig {
    return this.serviceHost.toMeshDestination();
  }

  /** The labels common to every version (e.g. `{ app: 'reviews' }`). */
  public toSelectorLabels(): { [key: string]: string } {
    return _sortedRecord(this.appLabels) ?? {};
  }

  private addVersion(v: ServiceVersion, versionLabel: string, serviceAccountName: string | undefined): void {
    const subsetName = _suggestName(v.version);
    const labels = { ...this.appLabels, [versionLabel]: v.version };
    const deployment = serviceAccountName === undefined ? undefined : _createVersionDeployment(this, `Version-${v.version}`, {
      name: _versionedName(this.workloadKey, v.version),
      namespace: this.workloadNamespace!,
      labels,
      containerName: this.workloadKey,
      image: v.image!,
      port: this.port,
      replicas: v.replicas ?? 1,
      serviceAccountName,
    });
    this.versionsByName.set(v.version, CanarySubset._of({
      subsetName,
      version: v.version,
      subset: this.destinationRule.addSubset(subsetName, { [versionLabel]: v.version }),
      workloadKey: `${this.workloadKey}-${subsetName}`,
      workloadNamespace: this.workloadNamespace,
      workloadIdentity: this.workloadIdentity,
      labels,
      deployment,
      port: this.port,
    }));
  }

  private initialDefault(props: MultiVersionServiceProps, versions: ServiceVersion[]): RouteDestination[] {
    if (props.weights !== undefined && props.defaultVersion !== undefined) {
      throw _invalid('weights', props.weights, 'the default route either pins one version or splits by weight', 'give defaultVersion or weights, not both');
    }
    if (props.weights !== undefined) return this.weightedDestinations(props.weights);
    return [{ destination: this.version(props.defaultVersion ?? versions[0].version) }];
  }

  private weightedDestinations(weights: { [version: string]: number }): RouteDestination[] {
    const entries = Object.entries(weights ?? {}).filter(([, w]) => w !== 0);
    if (entries.length === 0) throw _invalid('weights', weights, 'no version gets traffic', 'give e.g. { v1: 50, v3: 50 }');
    _validateWeightSplit('weights', entries.map(([, w]) => w));
    return entries.map(([version, weight]) => ({ destination: this.version(version), weight }));
  }

  private defaultRouteOptions(destinations: RouteDestination[]): HttpRouteOptions {
    return { ...this.routeOptions, name: 'default', fault: this.defaultFault, destinations };
  }

  private setDefault(destinations: RouteDestination[]): void {
    this.defaultRoute = this.virtualService.replaceHttpRoute(this.defaultRoute, this.defaultRouteOptions(destinations));
  }
}

/** At least two versions, each with a valid, distinct label value, Deployment name and subset name. */
function checkVersions(service: string, versions: ServiceVersion[], versionLabel: string): ServiceVersion[] {
  if (!Array.isArray(versions) || versions.length < 2) {
    throw _invalid('versions', versions, 'a multi-version service has at least two versions', 'give e.g. [{ version: "v1" }, { version: "v2" }, { version: "v3" }], or use CanaryService for one');
  }
  const seen = new Map<string, string>();
  versions.forEach((v, i) => {
    if (!v || typeof v.version !== 'string' || v.version.length === 0) {
      throw _invalid(`versions[${i}].version`, v?.version, 'the version label value is empty', 'give it, e.g. "v1"');
    }
    _validateLabels(`versions[${i}].version (label "${versionLabel}")`, { [versionLabel]: v.version });
    if (v.replicas !== undefined && (!Number.isInteger(v.replicas) || v.replicas < 0)) {
      throw _invalid(`versions[${i}].replicas`, v.replicas, 'replicas is a whole number of pods, 0 or more', 'give e.g. 2');
    }
    // the subset and Deployment names are DNS-safe renderings of the version: two versions must not share one
    const key = `${_suggestName(v.version)}/${_versionedName(service, v.version)}`;
    const other = seen.get(key);
    if (other !== undefined) {
      throw _invalid(`versions[${i}].version`, v.version, `it gives the same subset and Deployment names as "${other}"`, 'give every version its own value, e.g. "v1", "v2", "v3"');
    }
    seen.set(key, v.version);
  });
  return versions;
}

/**
 * A MultiVersionService routes with DestinationRule subsets and a VirtualService (the sidecar dialect): in an
 * ambient namespace that is Istio's alpha path and needs a waypoint, so it is refused with the supported way.
 */
function ambientErrors(scope: Construct, ns: string): string[] {
  const secure = SecureNamespace._lookup(scope, ns);
  if (!secure?.enrolment.isAmbient) return [];
  return [_invalid('namespace', ns, `namespace "${ns}" runs in ambient mode (SecureNamespace ${secure.node.path}), where MultiVersionService's VirtualService and subsets are not the supported routing`,
    'route the versions with Gateway API: a CanaryService (routing: TrafficDialect.GATEWAY_API) per release, or a KubernetesHttpRoute with RouteParent.service() over a Service per version').message];
}
