import { IConstruct } from 'constructs';
import { _K8sObject } from './_k8s';
import { _CLUSTER_DOMAIN, _serviceFqdn } from './_naming';
import { _validateDnsLabel, _validateHost } from './_utils';

/**
 * Where traffic goes, as a VirtualService or DestinationRule sees it.
 */
export interface MeshDestinationConfig {
  /** The host: a Kubernetes service FQDN (`catalog.shop.svc.cluster.local`) or an external FQDN. */
  readonly host: string;
  /**
   * A DestinationRule subset of the host.
   *
   * @default - all endpoints of the host
   */
  readonly subset?: string;
  /**
   * The destination port, needed when the host exposes several ports.
   *
   * @default - the host's only port
   */
  readonly port?: number;
}

/**
 * Where traffic goes: a Service host, optionally narrowed to a subset or port.
 *
 * Implemented by `ServiceHost` and by the library's L3s (and their subsets).
 */
export interface IMeshDestination {
  /** Renders the destination. */
  toMeshDestination(): MeshDestinationConfig;
}

/**
 * Options for in-cluster service hosts.
 */
export interface ServiceHostOptions {
  /**
   * The cluster's DNS domain.
   *
   * @default "cluster.local"
   */
  readonly clusterDomain?: string;
}

/**
 * A service host: a Kubernetes Service (rendered as its FQDN, which is unambiguous in every namespace)
 * or an external FQDN.
 *
 * @example
 * ServiceHost.fromService(frontendService);    // frontend.shop.svc.cluster.local
 * ServiceHost.of('reviews', 'bookinfo');       // reviews.bookinfo.svc.cluster.local
 * ServiceHost.external('api.stripe.com');
 */
export class ServiceHost implements IMeshDestination {
  /**
   * The host of a Service. The Service must have a namespace (its own or its chart's).
   *
   * @param service the Service: a cdk8s-plus object of any version (27 through 33), a plain `ApiObject`, or
   *   an object imported with `cdk8s import k8s`
   * @param options the cluster's DNS domain
   */
  public static fromService(service: IConstruct, options: ServiceHostOptions = {}): ServiceHost {
    const obj = _K8sObject.of('service', service, ['Service'], 'pass the Service, or use ServiceHost.of(name, namespace)');
    const ns = obj.requireNamespace('service', 'its FQDN cannot be derived', 'or use ServiceHost.of(name, namespace)');
    return ServiceHost.of(obj.name, ns, options);
  }

  /**
   * The Service `name` in `namespace`: `<name>.<namespace>.svc.<clusterDomain>`.
   * @param name the Service name
   * @param namespace the Service's namespace
   * @param options the cluster's DNS domain
   */
  public static of(name: string, namespace: string, options: ServiceHostOptions = {}): ServiceHost {
    _validateDnsLabel('name', name);
    _validateDnsLabel('namespace', namespace);
    const domain = options.clusterDomain ?? _CLUSTER_DOMAIN;
    _validateHost('clusterDomain', domain, false, false);
    return new ServiceHost(_serviceFqdn(name, namespace, domain), name, namespace);
  }

  /**
   * A host outside the cluster (or any host by FQDN), e.g. `api.stripe.com` or `*.googleapis.com`.
   * @param fqdn the host name, optionally with a leading `*.` wildcard label
   */
  public static external(fqdn: string): ServiceHost {
    _validateHost('fqdn', fqdn, true, true);
    return new ServiceHost(fqdn, undefined, undefined);
  }

  private constructor(
    /** The fully qualified host name. */
    public readonly fqdn: string,
    /** The Kubernetes Service name, for in-cluster hosts. */
    public readonly serviceName: string | undefined,
    /** The Kubernetes Service namespace, for in-cluster hosts. */
    public readonly serviceNamespace: string | undefined,
  ) {}

  /** True when the host is not a Kubernetes Service of this cluster. */
  public get isExternal(): boolean {
    return this.serviceName === undefined;
  }

  public toMeshDestination(): MeshDestinationConfig {
    return { host: this.fqdn };
  }

  public toString(): string {
    return this.fqdn;
  }
}
