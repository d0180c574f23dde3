import { IConstruct } from 'constructs';
import { _K8sObject, _ServicePort } from './_k8s';
import { _CLUSTER_DOMAIN, _serviceFqdn } from './_naming';
import { _invalid, _removedFactory, _validateDnsLabel, _validateHost, _validatePort } from './_utils';

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
  /**
   * The destination port, rendered in every destination made from this host (`withPort()` and
   * `withPortNamed()` give the same for an existing host). From `fromService()`, it must be one of the
   * Service's ports.
   *
   * @default - none: the host's only port (Istio's default); name it when the Service has several
   */
  readonly port?: number;
}

/**
 * A service host: a Kubernetes Service (rendered as its FQDN, which is unambiguous in every namespace)
 * or an external FQDN.
 *
 * @example
 * ServiceHost.fromService(frontendService);    // frontend.shop.svc.cluster.local
 * ServiceHost.inNamespace('bookinfo', 'reviews'); // reviews.bookinfo.svc.cluster.local
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
    const obj = _K8sObject.of('service', service, ['Service'], 'pass the Service, or use ServiceHost.inNamespace(namespace, name)');
    const ns = obj.requireNamespace('service', 'its FQDN cannot be derived', 'or use ServiceHost.inNamespace(namespace, name)');
    const { port, ...rest } = options;
    const host = ServiceHost.inNamespace(ns, obj.name, rest);
    const known = new ServiceHost(host.fqdn, host.serviceName, host.serviceNamespace, undefined, obj.servicePorts());
    return port === undefined ? known : known.withPort(port);
  }

  /**
   * The Service `name` in `namespace`: `<name>.<namespace>.svc.<clusterDomain>`. Arguments in Istio's
   * `namespace/name` order, as `MeshIdentity.of()` and `GatewayBinding.of()` take them.
   * @param namespace the Service's namespace
   * @param name the Service name
   * @param options the cluster's DNS domain
   */
  public static inNamespace(namespace: string, name: string, options: ServiceHostOptions = {}): ServiceHost {
    _validateDnsLabel('namespace', namespace);
    _validateDnsLabel('name', name);
    const domain = options.clusterDomain ?? _CLUSTER_DOMAIN;
    _validateHost('clusterDomain', domain, false, false);
    const port = options.port === undefined ? undefined : _validatePort('port', options.port, 'give the Service port, e.g. 9080');
    return new ServiceHost(_serviceFqdn(name, namespace, domain), name, namespace, port, undefined);
  }

  /**
   * A host outside the cluster (or any host by FQDN), e.g. `api.stripe.com` or `*.googleapis.com`.
   * @param fqdn the host name, optionally with a leading `*.` wildcard label
   */
  public static external(fqdn: string): ServiceHost {
    _validateHost('fqdn', fqdn, true, true);
    return new ServiceHost(fqdn, undefined, undefined, undefined, undefined);
  }

  private constructor(
    /** The fully qualified host name. */
    public readonly fqdn: string,
    /** The Kubernetes Service name, for in-cluster hosts. */
    public readonly serviceName: string | undefined,
    /** The Kubernetes Service namespace, for in-cluster hosts. */
    public readonly serviceNamespace: string | undefined,
    /** The destination port, when one was given (`port` option, `withPort()`, `withPortNamed()`). */
    public readonly port: number | undefined,
    /** The Service's ports, when the host was made from the Service object (`fromService()`). */
    private readonly servicePorts: _ServicePort[] | undefined,
  ) {}

  /**
   * The same host with a destination port; from `fromService()`, the port must be one of the Service's.
   *
   * @param port the Service port (1-65535), e.g. 9080
   */
  public withPort(port: number): ServiceHost {
    _validatePort('port', port, 'give the Service port, e.g. 9080');
    if (this.servicePorts && this.servicePorts.length > 0 && !this.servicePorts.some((p) => p.port === port)) {
      throw _invalid('port', port, `Service ${this.fqdn} has no such port (it has: ${this.servicePorts.map((p) => p.port).join(', ')})`,
        `use one of its ports${this.servicePorts.some((p) => p.name) ? ', or withPortNamed(name)' : ''}`);
    }
    return new ServiceHost(this.fqdn, this.serviceName, this.serviceNamespace, port, this.servicePorts);
  }

  /**
   * The same host with the destination port of the Service's port called `name`, read from the Service
   * object (so no port number is written by hand). Only for hosts made with `fromService()`.
   *
   * @param name the Service port's name, e.g. `http`
   */
  public withPortNamed(name: string): ServiceHost {
    if (!this.servicePorts) {
      throw _invalid('name', name, `host ${this.fqdn} was not made from a Service object, so its port names are unknown`,
        'use ServiceHost.fromService(service).withPortNamed(name), or withPort(number)');
    }
    const found = this.servicePorts.find((p) => p.name === name);
    if (!found) {
      const names = this.servicePorts.map((p) => p.name).filter((n): n is string => n !== undefined);
      throw _invalid('name', name, `Service ${this.fqdn} has no port of this name (named ports: ${names.join(', ') || 'none'})`,
        names.length > 0 ? `use one of ${names.map((n) => `"${n}"`).join(', ')}` : 'name the Service\'s ports, or use withPort(number)');
    }
    return this.withPort(found.port);
  }

  /** True when the host is not a Kubernetes Service of this cluster. */
  public get isExternal(): boolean {
    return this.serviceName === undefined;
  }

  public toMeshDestination(): MeshDestinationConfig {
    return this.port === undefined ? { host: this.fqdn } : { host: this.fqdn, port: this.port };
  }

  public toString(): string {
    return this.fqdn;
  }
}

// ServiceHost.of(name, namespace) took its arguments in the opposite order of every other factory; it was
// removed rather than reordered, so that no existing call silently swaps the two. TypeScript callers get a
// compile error; JavaScript callers get this message.
_removedFactory(ServiceHost, 'of', 'ServiceHost.of(name, namespace)', 'ServiceHost.inNamespace(namespace, name)');
