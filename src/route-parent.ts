import { IConstruct } from 'constructs';
import { _K8sObject } from './_k8s';
import { _invalid, _validateDnsLabel, _validateDnsSubdomain, _validatePort } from './_utils';
import * as gw from './imports/gwapi-gateway.networking.k8s.io';
import type { KubernetesGateway } from './k8s-gateway';

/**
 * Options of a Gateway parent.
 */
export interface GatewayParentOptions {
  /**
   * One listener of the Gateway, by name (`parentRefs[].sectionName`).
   *
   * @default - every listener whose hostname and allowedRoutes accept the route
   */
  readonly sectionName?: string;
}

/**
 * Options of a Gateway parent given by name.
 */
export interface GatewayRefOptions extends GatewayParentOptions {
  /**
   * The Gateway's namespace.
   *
   * @default - the route's namespace
   */
  readonly namespace?: string;
}

/**
 * Options of a Service parent (mesh routing).
 */
export interface ServiceParentOptions {
  /**
   * One port of the Service (`parentRefs[].port`): the route then applies to traffic to that port only.
   *
   * @default - every port of the Service
   */
  readonly port?: number;
}

/**
 * Options of a Service parent given by name.
 */
export interface ServiceRefOptions extends ServiceParentOptions {
  /**
   * The Service's namespace. A route in another namespace than its parent Service is a "consumer
   * route": it applies only to requests from clients in the route's namespace.
   *
   * @default - the route's namespace
   */
  readonly namespace?: string;
}

/** The API group of Gateway API kinds. */
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * What a Gateway API route attaches to (`spec.parentRefs[]`): a Gateway (ingress or egress traffic through
 * that gateway, optionally one listener) or a Service (mesh routing, "GAMMA": the route applies to every
 * request for that Service inside the mesh, optionally for one port).
 *
 * @example
 * declare const gateway: KubernetesGateway;
 * RouteParent.fromGateway(gateway, { sectionName: 'https-443' });
 * RouteParent.gateway('edge', { namespace: 'istio-ingress' }); // a Gateway managed elsewhere
 * RouteParent.fromService(frontendService);                     // mesh routing for the frontend Service
 * RouteParent.service('catalog', { port: 8080 });               // a Service by name
 * RouteParent.serviceEntry('cnn');                              // egress: the hosts of a ServiceEntry
 *
 * @see https://gateway-api.sigs.k8s.io/mesh/
 */
export class RouteParent {
  /**
   * A Gateway of this app.
   *
   * @param gateway the Gateway API Gateway
   * @param options one listener of it (`sectionName`, checked against its listeners)
   */
  public static fromGateway(gateway: KubernetesGateway, options: GatewayParentOptions = {}): RouteParent {
    if (typeof (gateway as { servesHostname?: unknown } | undefined)?.servesHostname !== 'function') {
      throw _invalid('gateway', gateway, 'it is not a KubernetesGateway', 'pass a KubernetesGateway, or use RouteParent.gateway(name, { namespace })');
    }
    const section = options.sectionName;
    if (section !== undefined && !gateway.listeners.some((l) => l.name === section)) {
      throw _invalid('sectionName', section, `gateway '${gateway.node.path}' has no listener of that name`,
        `use one of ${JSON.stringify(gateway.listeners.map((l) => l.name))}`);
    }
    return new RouteParent(GATEWAY_GROUP, 'Gateway', gateway.name, gateway.namespace, section, undefined, gateway);
  }

  /**
   * A Gateway by name, e.g. one managed outside this app (a shared ingress gateway).
   *
   * @param name the Gateway's `metadata.name`
   * @param options its namespace (default the route's) and one listener (`sectionName`)
   */
  public static gateway(name: string, options: GatewayRefOptions = {}): RouteParent {
    _validateDnsSubdomain('name', name);
    if (options.namespace !== undefined) _validateDnsLabel('namespace', options.namespace);
    if (options.sectionName !== undefined) _validateDnsLabel('sectionName', options.sectionName);
    return new RouteParent(GATEWAY_GROUP, 'Gateway', name, options.namespace, options.sectionName, undefined, undefined);
  }

  /**
   * A Service of the app, for mesh routing: the route applies to requests for that Service.
   *
   * @param service the Service: a cdk8s-plus object of any version (27 through 33), a plain `ApiObject`, or
   *   an object imported with `cdk8s import k8s`
   * @param options one port of it (default every port)
   */
  public static fromService(service: IConstruct, options: ServiceParentOptions = {}): RouteParent {
    const obj = _K8sObject.of('service', service, ['Service'], 'pass the Service, or use RouteParent.service(name)');
    return RouteParent.service(obj.name, { namespace: obj.namespace, port: options.port });
  }

  /**
   * A Service by name, for mesh routing (e.g. one managed outside this app).
   *
   * @param name the Service's `metadata.name`
   * @param options its namespace (default the route's) and one port of it (default every port)
   */
  public static service(name: string, options: ServiceRefOptions = {}): RouteParent {
    _validateDnsLabel('name', name);
    if (options.namespace !== undefined) _validateDnsLabel('namespace', options.namespace);
    if (options.port !== undefined) _validatePort('port', options.port, 'use the Service port, e.g. 8080, or leave it out for every port');
    return new RouteParent('', 'Service', name, options.namespace, undefined, options.port, undefined);
  }

  /**
   * An Istio ServiceEntry by name, for mesh routing of an external host (e.g. egress through an egress
   * gateway): the route applies to requests for the ServiceEntry's hosts.
   *
   * @param name the ServiceEntry's `metadata.name`
   * @param options its namespace (default the route's) and one port of it (default every port)
   */
  public static serviceEntry(name: string, options: ServiceRefOptions = {}): RouteParent {
    _validateDnsSubdomain('name', name);
    if (options.namespace !== undefined) _validateDnsLabel('namespace', options.namespace);
    if (options.port !== undefined) _validatePort('port', options.port, 'use a port of the ServiceEntry, e.g. 443, or leave it out for every port');
    return new RouteParent('networking.istio.io', 'ServiceEntry', name, options.namespace, undefined, options.port, undefined);
  }

  private constructor(
    /** API group of the parent (`gateway.networking.k8s.io`, or `""` for a Service). */
    public readonly group: string,
    /** Kind of the parent: `Gateway`, `Service` or `ServiceEntry`. */
    public readonly kind: string,
    /** Name of the parent. */
    public readonly name: string,
    /** Namespace of the parent, when known (undefined: the route's). */
    public readonly namespace: string | undefined,
    /** The listener of a Gateway parent, if one. */
    public readonly sectionName: string | undefined,
    /** The port of a Service parent, if one. */
    public readonly port: number | undefined,
    /** The Gateway construct, for parents made with `fromGateway()`. */
    public readonly kubernetesGateway: KubernetesGateway | undefined,
  ) {}

  /** True for a Service or ServiceEntry parent (mesh routing). */
  public get isService(): boolean {
    return this.kind === 'Service' || this.kind === 'ServiceEntry';
  }

  /** A readable key, e.g. `Service/shop/catalog:8080` or `Gateway/istio-ingress/edge#https-443`. */
  public toString(): string {
    const where = `${this.kind}/${this.namespace ? this.namespace + '/' : ''}${this.name}`;
    return `${where}${this.port !== undefined ? ':' + this.port : ''}${this.sectionName !== undefined ? '#' + this.sectionName : ''}`;
  }

  /**
   * The `parentRefs[]` entry of a route in `routeNamespace` (namespace only when it differs).
   *
   * @internal
   */
  public _render(routeNamespace: string | undefined): gw.HttpRouteSpecParentRefs {
    return {
      group: this.group,
      kind: this.kind,
      name: this.name,
      namespace: this.namespace !== undefined && this.namespace !== routeNamespace ? this.namespace : undefined,
      sectionName: this.sectionName,
      port: this.port,
    };
  }
}
