import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _hostSubsetOf } from './_naming';
import { _invalid, _sortedRecord, _validateDnsLabel, _validateDnsSubdomain, _validateHost, _validateLabels, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as gw from './imports/gwapi-gateway.networking.k8s.io';

/**
 * Listener protocols of a Gateway API `Gateway` (standard channel).
 */
export enum ListenerProtocol {
  /** Plain-text HTTP. */
  HTTP = 'HTTP',
  /** HTTPS, terminated at the gateway. */
  HTTPS = 'HTTPS',
  /** TLS: terminated, or passed through and routed by SNI. */
  TLS = 'TLS',
  /**
   * Opaque TCP. Refused by `addListener()`: a TCP listener only accepts TCPRoutes, which are in Gateway
   * API's experimental channel, not in the standard v1.5.1 CRDs this library targets.
   */
  TCP = 'TCP',
}

/**
 * Which namespaces may attach routes to a listener.
 */
export enum AllowedRoutes {
  /** Routes in the gateway's namespace only. */
  SAME_NAMESPACE = 'Same',
  /** Routes in any namespace. */
  ALL_NAMESPACES = 'All',
}

/**
 * A Secret holding a certificate, possibly in another namespace (then a ReferenceGrant is needed in it).
 */
export interface CertificateSecretRef {
  /** The Secret name. */
  readonly name: string;
  /**
   * The Secret namespace.
   *
   * @default - the Gateway's namespace
   */
  readonly namespace?: string;
}

/**
 * A listener of a Gateway API `Gateway`.
 */
export interface ListenerOptions {
  /** The port (1–65535). */
  readonly port: number;
  /** The protocol. */
  readonly protocol: ListenerProtocol;
  /**
   * The host name the listener serves (exact or `*.` wildcard). Not allowed for TCP.
   *
   * @default - every host
   */
  readonly hostname?: string;
  /**
   * Certificates to terminate TLS with (HTTPS, or TLS without `tlsPassthrough`).
   *
   * @default - none
   */
  readonly certificates?: CertificateSecretRef[];
  /**
   * Pass TLS through unterminated (TLS listeners only).
   *
   * @default false
   */
  readonly tlsPassthrough?: boolean;
  /**
   * Which namespaces may attach routes.
   *
   * @default AllowedRoutes.SAME_NAMESPACE (unless a namespace selector is given)
   */
  readonly allowedRoutes?: AllowedRoutes;
  /**
   * Routes in the namespaces with these labels may attach (`allowedRoutes.namespaces.from: Selector`,
   * `matchLabels`). Not together with `allowedRoutes`.
   *
   * @default - no label selector
   */
  readonly allowedRoutesNamespaceLabels?: { [key: string]: string };
  /**
   * Routes in these namespaces may attach (`from: Selector` on the `kubernetes.io/metadata.name` label
   * every namespace carries). Not together with `allowedRoutes`.
   *
   * @default - no namespace list
   */
  readonly allowedRoutesNamespaces?: string[];
  /**
   * The listener name, unique per Gateway (routes attach to it as `sectionName`).
   *
   * @default - `<protocol>-<port>`, e.g. `https-443`
   */
  readonly name?: string;
}

/**
 * A listener defined on a KubernetesGateway.
 */
export interface ListenerInfo {
  /** The listener name. */
  readonly name: string;
  /** The port. */
  readonly port: number;
  /** The protocol. */
  readonly protocol: ListenerProtocol;
  /**
   * The hostname, if restricted.
   *
   * @default - every host
   */
  readonly hostname?: string;
}

/**
 * Props for `KubernetesGateway`.
 */
export interface KubernetesGatewayProps extends IstioResourceProps {
  /**
   * The GatewayClass: `istio` deploys an Envoy gateway for this object, `istio-waypoint` a waypoint.
   *
   * @default "istio"
   */
  readonly gatewayClassName?: string;
  /**
   * Listeners. More can be added with `addListener()`.
   *
   * @default - none; at least one is required at synth
   */
  readonly listeners?: ListenerOptions[];
}

/** `allowedRoutes`: Same (default, not rendered), All, or a Selector from labels or namespace names. */
function renderAllowedRoutes(options: ListenerOptions): gw.GatewaySpecListenersAllowedRoutes | undefined {
  const labels = options.allowedRoutesNamespaceLabels;
  const names = options.allowedRoutesNamespaces;
  const From = gw.GatewaySpecListenersAllowedRoutesNamespacesFrom;
  if (labels === undefined && names === undefined) {
    const allowed = options.allowedRoutes ?? AllowedRoutes.SAME_NAMESPACE;
    if (!Object.values(AllowedRoutes).includes(allowed)) throw _invalid('allowedRoutes', allowed, 'it is not an AllowedRoutes member', 'use AllowedRoutes.SAME_NAMESPACE or ALL_NAMESPACES');
    return allowed === AllowedRoutes.SAME_NAMESPACE ? undefined : { namespaces: { from: From.ALL } };
  }
  if (options.allowedRoutes !== undefined) {
    throw _invalid('allowedRoutes', options.allowedRoutes, 'a listener takes either allowedRoutes or a namespace selector', 'drop allowedRoutes, or the selector');
  }
  if (labels !== undefined) {
    _validateLabels('allowedRoutesNamespaceLabels', labels);
    if (Object.keys(labels).length === 0) throw _invalid('allowedRoutesNamespaceLabels', labels, 'an empty selector selects every namespace', 'use allowedRoutes: AllowedRoutes.ALL_NAMESPACES, or give labels');
  }
  if (names !== undefined) {
    if (!Array.isArray(names) || names.length === 0) throw _invalid('allowedRoutesNamespaces', names, 'it is empty', 'list namespaces, or leave it out');
    names.forEach((n) => _validateDnsLabel('allowedRoutesNamespaces', n));
  }
  return {
    namespaces: {
      from: From.SELECTOR,
      selector: {
        matchLabels: labels === undefined ? undefined : _sortedRecord(labels),
        matchExpressions: names === undefined ? undefined
          : [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...new Set(names)].sort() }],
      },
    },
  };
}

/**
 * A Gateway API `Gateway` (`gateway.networking.k8s.io/v1`), for Istio's Kubernetes Gateway API support.
 * Enforces the CRD's CEL rules for listeners at construction.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/gateway-api/
 */
export class KubernetesGateway extends IstioResource {
  public readonly apiObject: ApiObject;
  /** The GatewayClass name. */
  public readonly gatewayClassName: string;
  private readonly _listeners: Array<{ info: ListenerInfo; spec: gw.GatewaySpecListeners }> = [];

  /**
   * Defines a Gateway API Gateway, to which listeners can be added later with `addListener()` (at least
   * one is needed by synth). With class `istio`, Istio deploys and configures an Envoy gateway for it.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props `gatewayClassName` (default `istio`) and listeners
   */
  constructor(scope: Construct, id: string, props: KubernetesGatewayProps = {}) {
    super(scope, id, props);
    this.gatewayClassName = props.gatewayClassName ?? 'istio';
    _validateDnsSubdomain('gatewayClassName', this.gatewayClassName);
    this.apiObject = this._createApiObject(gw.Gateway, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => gw.toJson_GatewaySpec(this._toSpec()) }),
    });
    for (const l of props.listeners ?? []) this.addListener(l);
    this.node.addValidation({
      validate: () => this._listeners.length === 0
        ? [`KubernetesGateway '${this.node.path}' has no listeners. Fix: call addListener() or pass listeners`]
        : [],
    });
  }

  /** The listeners, in order. */
  public get listeners(): ListenerInfo[] {
    return this._listeners.map((l) => l.info);
  }

  /**
   * Adds a listener, checked against the Gateway API CEL rules (TLS only on HTTPS/TLS, HTTPS terminates,
   * certificates when terminating, no hostname on TCP, unique names and port/protocol/hostname).
   *
   * Renders one entry of `spec.listeners`; a terminating HTTPS/TLS listener gets `tls.mode: Terminate`
   * with `certificateRefs` to Secrets, `tlsPassthrough` gives `tls.mode: Passthrough`.
   *
   * @param options port, protocol, name (default `<protocol>-<port>`), hostname, certificates,
   * passthrough and which namespaces' routes may attach (`allowedRoutes`, default the Gateway's own)
   * @returns what was added (name, port, protocol, hostname), for `parentRefs` of routes
   */
  public addListener(options: ListenerOptions): ListenerInfo {
    const { port, protocol } = options;
    _validatePort('port', port, 'use e.g. 443 or 80');
    if (!Object.values(ListenerProtocol).includes(protocol)) {
      throw _invalid('protocol', protocol, 'it is not a standard Gateway API listener protocol', 'use a ListenerProtocol member');
    }
    if (protocol === ListenerProtocol.TCP) {
      throw _invalid('protocol', protocol, 'a TCP listener only accepts TCPRoutes, which are in Gateway API\'s experimental channel (not in the standard v1.5.1 CRDs this library targets)',
        'route TCP with an Istio Gateway and a VirtualService TCP route, or use ListenerProtocol.TLS with a KubernetesTlsRoute');
    }
    const name = options.name ?? `${protocol.toLowerCase()}-${port}`;
    _validateDnsLabel('name', name);
    if (this._listeners.some((l) => l.info.name === name)) {
      throw _invalid('name', name, 'listener names must be unique within the Gateway', 'give the listener another name');
    }
    if (options.hostname !== undefined) {
      _validateHost('hostname', options.hostname, true, true);
      if (options.hostname !== options.hostname.toLowerCase()) {
        throw _invalid('hostname', options.hostname, 'Gateway API hostnames are lowercase', `use "${options.hostname.toLowerCase()}"`);
      }
    }
    if (this._listeners.some((l) => l.info.port === port && l.info.protocol === protocol && l.info.hostname === options.hostname)) {
      throw _invalid('port', port, `another ${protocol} listener on port ${port} already serves hostname ${options.hostname ?? '(any)'}`,
        'give the listener a different hostname or port');
    }
    const certs = options.certificates ?? [];
    const passthrough = options.tlsPassthrough ?? false;
    let tls: gw.GatewaySpecListenersTls | undefined;
    if (protocol === ListenerProtocol.HTTP) {
      if (certs.length > 0 || passthrough) {
        throw _invalid('certificates', certs.map((c) => c.name), 'TLS must not be specified for HTTP listeners', 'use ListenerProtocol.HTTPS or TLS');
      }
    } else if (protocol === ListenerProtocol.HTTPS && passthrough) {
      throw _invalid('tlsPassthrough', passthrough, 'HTTPS listeners terminate TLS', 'use ListenerProtocol.TLS for passthrough');
    } else if (passthrough) {
      if (certs.length > 0) throw _invalid('certificates', certs.map((c) => c.name), 'a passthrough listener does not use certificates', 'remove certificates or tlsPassthrough');
      tls = { mode: gw.GatewaySpecListenersTlsMode.PASSTHROUGH };
    } else {
      if (certs.length === 0) {
        throw _invalid('certificates', certs, `a terminating ${protocol} listener needs certificateRefs`, 'pass certificates: [{ name: "<tls-secret>" }]');
      }
      for (const c of certs) {
        _validateDnsSubdomain('certificates.name', c.name);
        if (c.namespace !== undefined) _validateDnsLabel('certificates.namespace', c.namespace);
      }
      tls = {
        mode: gw.GatewaySpecListenersTlsMode.TERMINATE,
        certificateRefs: certs.map((c) => ({ kind: 'Secret', group: '', name: c.name, namespace: c.namespace })),
      };
    }
    const allowedRoutes = renderAllowedRoutes(options);
    const info: ListenerInfo = { name, port, protocol, hostname: options.hostname };
    this._listeners.push({
      info,
      spec: {
        name,
        port,
        protocol,
        hostname: options.hostname,
        tls,
        allowedRoutes,
      },
    });
    return info;
  }

  /**
   * Whether a listener named `sectionName` (or any listener) serves `hostname` (exact or by wildcard).
   *
   * A listener without `hostname` serves every host; `*.example.com` serves `a.example.com`.
   *
   * @param hostname the route's hostname, e.g. `shop.example.com`
   * @param sectionName the listener name to look at (a route's `parentRefs[].sectionName`); any listener
   * when not given
   */
  public servesHostname(hostname: string, sectionName?: string): boolean {
    return this._listeners
      .filter((l) => sectionName === undefined || l.info.name === sectionName)
      .some((l) => {
        const h = l.info.hostname;
        return h === undefined || _hostSubsetOf(hostname, h);
      });
  }

  private _toSpec(): gw.GatewaySpec {
    return { gatewayClassName: this.gatewayClassName, listeners: this._listeners.map((l) => l.spec) };
  }
}
