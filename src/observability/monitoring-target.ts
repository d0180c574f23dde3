import { IConstruct } from 'constructs';
import { _K8sObject } from '../_k8s';
import { _invalid, _removedFactory, _validateDnsLabel } from '../_utils';
import { ServiceHost } from '../host';

/**
 * The canary part of a monitoring target: which `version` labels are stable and canary, and the
 * current traffic split.
 */
export interface CanaryMonitoringConfig {
  /** The stable pods' `version` label (Istio's `destination_version`), e.g. `v1`. */
  readonly stableVersion: string;
  /** The canary pods' `version` label, e.g. `v2`. */
  readonly canaryVersion: string;
  /** The stable share of traffic, 0–100. */
  readonly stableWeight: number;
  /** The canary share of traffic, 0–100. */
  readonly canaryWeight: number;
  /**
   * The rollout schedule (canary percentages ending at 100), for `cdk8s-istio canary advance`.
   *
   * @default - no schedule: the weight is moved by hand
   */
  readonly steps?: number[];
  /**
   * The current index into `steps`.
   *
   * @default - no schedule, or the canary was rolled back
   */
  readonly step?: number;
  /**
   * The canary state file the step is read from (and `cdk8s-istio canary advance` writes).
   *
   * @default - the step is not read from a state file (a prop or context value fixes it)
   */
  readonly stateFile?: string;
  /**
   * The stable version's own Service, when each version has one (Gateway API routing: the route splits
   * between per-version Services, and Istio's metrics name them as `destination_service_name`). Set
   * together with `canaryServiceName`.
   *
   * @default - one Service for both versions: `destination_version` tells them apart
   */
  readonly stableServiceName?: string;
  /**
   * The canary version's own Service (see `stableServiceName`).
   *
   * @default - one Service for both versions: `destination_version` tells them apart
   */
  readonly canaryServiceName?: string;
}

/**
 * What to monitor: one Kubernetes Service, as Istio's metrics label it, and optionally its canary.
 */
export interface MonitoringTargetConfig {
  /** The Service name (`destination_service_name`). */
  readonly serviceName: string;
  /** The Service namespace (`destination_service_namespace`). */
  readonly namespace: string;
  /**
   * The canary split, for a service that runs a canary.
   *
   * @default - not a canary
   */
  readonly canary?: CanaryMonitoringConfig;
}

/**
 * Something `MeshObservability.monitor()` can watch: a Service, or a canary release of one.
 *
 * Implemented by `MonitoringTarget` and (at merge) by `CanaryService`. It is read at synth, so a
 * canary's weights shifted after `monitor()` reach the dashboard.
 */
export interface IMonitoringTarget {
  /** Renders the target. */
  toMonitoringTarget(): MonitoringTargetConfig;
}

/**
 * Options of a canary monitoring target given by hand.
 */
export interface CanaryMonitoringTargetOptions {
  /** The Service name in front of both versions. */
  readonly serviceName: string;
  /** The Service namespace. */
  readonly namespace: string;
  /** The stable pods' `version` label. */
  readonly stableVersion: string;
  /** The canary pods' `version` label. */
  readonly canaryVersion: string;
  /** The canary share of traffic, 0–100 (the stable share is the rest). */
  readonly canaryWeight: number;
  /**
   * The stable version's own Service (Gateway API routing, e.g. `catalog-v1`); set together with
   * `canaryServiceName`.
   *
   * @default - one Service for both versions (told apart by `destination_version`)
   */
  readonly stableServiceName?: string;
  /**
   * The canary version's own Service (Gateway API routing, e.g. `catalog-v2`).
   *
   * @default - one Service for both versions (told apart by `destination_version`)
   */
  readonly canaryServiceName?: string;
}

/**
 * Monitoring targets for services that are not (yet) L3 constructs.
 *
 * @example
 * MonitoringTarget.fromService(frontendService);
 * MonitoringTarget.inNamespace('shop', 'catalog');
 * MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 });
 */
export class MonitoringTarget implements IMonitoringTarget {
  /**
   * The Service `name` in `namespace`, in Istio's `namespace/name` order (as `ServiceHost.inNamespace()`).
   *
   * @param namespace the Service's namespace
   * @param name the Service name
   */
  public static inNamespace(namespace: string, name: string): MonitoringTarget {
    return new MonitoringTarget({ serviceName: _validateDnsLabel('name', name), namespace: _validateDnsLabel('namespace', namespace) });
  }

  /**
   * A Service object of the app (it must have a namespace, its own or its chart's).
   *
   * @param service the Service: a cdk8s-plus object of any version (27 through 33), a plain `ApiObject`, or
   *   an object imported with `cdk8s import k8s`
   */
  public static fromService(service: IConstruct): MonitoringTarget {
    const obj = _K8sObject.of('service', service, ['Service'], 'pass the Service, or use MonitoringTarget.inNamespace(namespace, name)');
    const ns = obj.requireNamespace('service', 'its metrics cannot be selected', 'or use MonitoringTarget.inNamespace(namespace, name)');
    return MonitoringTarget.inNamespace(ns, obj.name);
  }

  /**
   * An in-cluster `ServiceHost` (external hosts have no destination service metrics of their own).
   *
   * @param host an in-cluster host (`ServiceHost.inNamespace()` / `ServiceHost.fromService()`)
   */
  public static fromHost(host: ServiceHost): MonitoringTarget {
    if (host.serviceName === undefined || host.serviceNamespace === undefined) {
      throw _invalid('host', host.fqdn, 'an external host is not a Service of this cluster', 'monitor the calling workloads instead, or use MonitoringTarget.inNamespace()');
    }
    return MonitoringTarget.inNamespace(host.serviceNamespace, host.serviceName);
  }

  /**
   * A canary release given by hand (until it is a `CanaryService`).
   *
   * @param options the service, its namespace, the two versions and the canary's weight
   */
  public static canary(options: CanaryMonitoringTargetOptions): MonitoringTarget {
    const w = options.canaryWeight;
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 100) {
      throw _invalid('canaryWeight', w, 'a weight is between 0 and 100', 'give the canary\'s share of traffic, e.g. 10');
    }
    return new MonitoringTarget({
      serviceName: _validateDnsLabel('serviceName', options.serviceName),
      namespace: _validateDnsLabel('namespace', options.namespace),
      canary: {
        stableVersion: options.stableVersion,
        canaryVersion: options.canaryVersion,
        stableWeight: 100 - w,
        canaryWeight: w,
        stableServiceName: options.stableServiceName,
        canaryServiceName: options.canaryServiceName,
      },
    });
  }

  private constructor(private readonly config: MonitoringTargetConfig) {}

  public toMonitoringTarget(): MonitoringTargetConfig {
    return this.config;
  }
}

/**
 * Validates a target's config (it may come from any implementation) and returns it.
 * @internal
 */
export function _readTarget(prop: string, target: IMonitoringTarget): MonitoringTargetConfig {
  const c = target.toMonitoringTarget();
  _validateDnsLabel(`${prop}.serviceName`, c.serviceName);
  _validateDnsLabel(`${prop}.namespace`, c.namespace);
  if (c.canary) {
    for (const [k, v] of [['stableVersion', c.canary.stableVersion], ['canaryVersion', c.canary.canaryVersion]]) {
      if (typeof v !== 'string' || v.length === 0) {
        throw _invalid(`${prop}.canary.${k}`, v, 'a version label is needed to tell stable from canary', 'give the pods\' `version` label, e.g. "v2"');
      }
    }
    if (c.canary.stableVersion === c.canary.canaryVersion) {
      throw _invalid(`${prop}.canary.canaryVersion`, c.canary.canaryVersion, 'stable and canary have the same version, so their metrics cannot be told apart',
        'label the canary pods with another `version`');
    }
    for (const [k, w] of [['stableWeight', c.canary.stableWeight], ['canaryWeight', c.canary.canaryWeight]] as Array<[string, number]>) {
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0 || w > 100) {
        throw _invalid(`${prop}.canary.${k}`, w, 'a weight is between 0 and 100', 'fix the canary\'s weights');
      }
    }
    checkVersionServices(prop, c.serviceName, c.canary);
  }
  return c;
}

/** Per-version Services: both or neither, DNS labels, distinct from each other and from the main Service. */
function checkVersionServices(prop: string, service: string, c: CanaryMonitoringConfig): void {
  const { stableServiceName: stable, canaryServiceName: canary } = c;
  if (stable === undefined && canary === undefined) return;
  if (stable === undefined || canary === undefined) {
    throw _invalid(`${prop}.canary.${stable === undefined ? 'stableServiceName' : 'canaryServiceName'}`, undefined,
      'per-version Services tell the versions apart only when both are named', 'name both (e.g. "catalog-v1" and "catalog-v2"), or neither');
  }
  _validateDnsLabel(`${prop}.canary.stableServiceName`, stable);
  _validateDnsLabel(`${prop}.canary.canaryServiceName`, canary);
  if (new Set([service, stable, canary]).size < 3) {
    throw _invalid(`${prop}.canary.canaryServiceName`, canary, `the main Service and the two per-version Services must differ (got "${service}", "${stable}", "${canary}")`,
      'name each version\'s Service after it, e.g. "catalog-v1" and "catalog-v2"');
  }
}

/**
 * The per-version Services of a canary target, keyed by version (for `_ServiceQueries`), or undefined
 * when one Service serves both versions.
 * @internal
 */
export function _versionServices(target: MonitoringTargetConfig): { [version: string]: string } | undefined {
  const c = target.canary;
  if (!c || c.stableServiceName === undefined || c.canaryServiceName === undefined) return undefined;
  return { [c.stableVersion]: c.stableServiceName, [c.canaryVersion]: c.canaryServiceName };
}

// MonitoringTarget.service(name, namespace) took its arguments in the opposite order of every other factory;
// removed rather than reordered (see ServiceHost.inNamespace).
_removedFactory(MonitoringTarget, 'service', 'MonitoringTarget.service(name, namespace)', 'MonitoringTarget.inNamespace(namespace, name)');
