import { Duration } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _hostsMatch, _isWildcarded, _matchRuleName, _parseServiceFqdn, _versionServiceName } from '../_naming';
import { _checkProps, _invalid, _sortedRecord, _suggestName, _validateDnsLabel, _validateDnsSubdomain, _validateHost, _validatePort } from '../_utils';
import { AuthorizationAction, AuthorizationPolicy } from '../authorization-policy';
import { Gateway, GatewayProtocol, GatewayTls, GatewayTlsMode } from '../gateway';
import { IMeshDestination, MeshDestinationConfig } from '../host';
import { HttpRetry, HttpRoute, RouteDestination } from '../http-route';
import { IMeshIdentity } from '../identity';
import { KubernetesGateway, ListenerProtocol } from '../k8s-gateway';
import { KubernetesHttpRoute, KubernetesHttpRouteBackend } from '../k8s-http-route';
import { HttpMatch, StringMatch } from '../match';
import { INamespaceRef, _namespaceName } from '../namespace-ref';
import { PolicyTargetRef } from '../policy-target';
import { ReferenceGrant } from '../reference-grant';
import { JwtRule, RequestAuthentication } from '../request-authentication';
import { RouteParent } from '../route-parent';
import { _versionService } from './_canary-gateway-api';
import { CanaryService, CanarySubset, _cookieRegex } from './canary-service';
import { _EdgeCertificates } from './edge-certificates';
import { _BoundGatewayWorkload, _resolveGatewayWorkload, GatewayWorkload } from './gateway-workload';
import { SecureNamespace } from './secure-namespace';
import { ITrafficSplit } from '../traffic-split';
import { _field } from '../validation/_json';
import { VirtualService } from '../virtual-service';
import { IMeshWorkload } from '../workload';

/**
 * Which API the edge is rendered with.
 */
export enum EdgeApi {
  /** Istio `Gateway` + `VirtualService` (`networking.istio.io/v1`). */
  ISTIO = 'ISTIO',
  /** Kubernetes Gateway API `Gateway` + `HTTPRoute` (+ `ReferenceGrant`), class `istio`. */
  GATEWAY_API = 'GATEWAY_API',
}

/**
 * Props for `MeshGateway`.
 */
export interface MeshGatewayProps {
  /**
   * The namespace of the gateway workload; the Gateway and the edge routes are created there: a
   * `SecureNamespace`, `NamespaceRef.fromNamespace(namespace)` or `NamespaceRef.named('istio-ingress')`.
   */
  readonly namespace: INamespaceRef;
  /**
   * Name of the gateway object.
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * TLS of the HTTPS (443) server. The mode is explicit; `GatewayTls.simple()` defaults to TLS 1.2+.
   *
   * @default - none: then `plaintext: true` is required
   */
  readonly tls?: GatewayTls;
  /**
   * More HTTPS certificates, each for its own hosts (`GatewayTls.certificate({ hosts })`, cert-manager):
   * every entry becomes an HTTPS server on port 443 for exactly its hosts (chosen by SNI) with its own
   * Secret and Certificate (Gateway API flavour: one HTTPS listener per host); `tls` covers the other hosts.
   *
   * @default - `tls` covers every host
   */
  readonly certificates?: GatewayTls[];
  /**
   * Serve plain HTTP only (port 80, no TLS). Off by default: an edge should terminate TLS.
   *
   * @default false
   */
  readonly plaintext?: boolean;
  /**
   * Answer plain HTTP on port 80 with a 301 redirect to HTTPS. With `false` (and no `plainHttpRoutes`),
   * the Istio flavour has no port-80 server at all.
   *
   * @default true (when `tls` is set and `plainHttpRoutes` is not)
   */
  readonly httpsRedirect?: boolean;
  /**
   * Serve the routes over plain HTTP on port 80 as well as over HTTPS: only for a gateway behind a load
   * balancer that terminates TLS and forwards plain HTTP (`AlbIngress` with `AlbBackendProtocol.HTTP`).
   * Needs `tls`; replaces the HTTPS redirect.
   *
   * @default false
   */
  readonly plainHttpRoutes?: boolean;
  /**
   * The hosts the gateway serves. When given, `expose()` refuses other hosts (Istio IST0132).
   *
   * @default - the hosts passed to `expose()` and its siblings
   */
  readonly hosts?: string[];
  /**
   * The gateway pods (Istio flavour): an existing install (`GatewayWorkload.helmChart()`,
   * `GatewayWorkload.istioctlDefault()`, `GatewayWorkload.existing()`) or pods the library deploys with
   * Istio's gateway injection (`GatewayWorkload.injected()`). Replaces `selector` and `serviceAccountName`.
   * The Gateway API flavour always uses Istio's automated deployment.
   *
   * @default - the `istio/gateway` Helm chart released as `istio-ingressgateway` in `namespace`
   * (pods `istio: ingressgateway`, service account and Service `istio-ingressgateway`), unless `selector` is set
   */
  readonly workload?: GatewayWorkload;
  /**
   * The gateway pods (Istio flavour). Prefer `workload`, which also names the Service and service account.
   *
   * @default - the standard ingress gateway (`istio: ingressgateway`)
   */
  readonly selector?: IMeshWorkload;
  /**
   * Render with the Istio API or the Kubernetes Gateway API.
   *
   * @default EdgeApi.ISTIO
   */
  readonly api?: EdgeApi;
  /**
   * GatewayClass (Gateway API flavour).
   *
   * @default "istio"
   */
  readonly gatewayClassName?: string;
  /**
   * Namespace of the certificate Secret, when it is not the gateway's (Gateway API flavour only: a
   * ReferenceGrant is created there; Istio Gateways read credentials from the gateway workload's namespace).
   *
   * @default - the gateway's namespace
   */
  readonly certificateNamespace?: string;
  /**
   * The service account the gateway pods run as: the identity to allow into secure namespaces
   * (`shop.allow(edge.identity).to(catalog)`).
   *
   * @default - "istio-ingressgateway" (Istio flavour), "<name>-istio" (Gateway API flavour, auto-deployed)
   */
  readonly serviceAccountName?: string;
}

/**
 * Options of `MeshGateway.requireJwt()`.
 */
export interface EdgeJwtOptions extends JwtRule {
  /**
   * Hosts that require a token.
   *
   * @default - every host of the gateway
   */
  readonly hosts?: string[];
  /**
   * Path prefixes that require a token (`/api/*` style, Istio path syntax).
   *
   * @default - every path
   */
  readonly paths?: string[];
}

/**
 * What `MeshGateway.requireJwt()` created.
 */
export interface EdgeJwtRequirement {
  /** Validates tokens at the gateway (rejects invalid ones). */
  readonly requestAuthentication: RequestAuthentication;
  /** Rejects requests without a valid token. */
  readonly authorizationPolicy: AuthorizationPolicy;
}

/**
 * How a request is matched and handled at the edge.
 */
export interface ExposeOptions {
  /**
   * Path prefix to match.
   *
   * @default "/" (every path), unless `pathExact` is given
   */
  readonly pathPrefix?: string;
  /**
   * Exact path to match instead of a prefix.
   *
   * @default - none
   */
  readonly pathExact?: string;
  /**
   * Request headers that must have these exact values (e.g. `{ 'x-beta': 'true' }`).
   *
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * Replace the matched path prefix before forwarding (e.g. `/catalog/x` -> `/x` with "/").
   *
   * @default - path unchanged
   */
  readonly rewritePrefix?: string;
  /**
   * The destination port, needed when the Service has several ports (and always for Gateway API backends).
   *
   * @default - the destination's port
   */
  readonly port?: number;
  /**
   * Request timeout.
   *
   * @default - none
   */
  readonly timeout?: Duration;
  /**
   * Retry policy (Istio flavour).
   *
   * @default - Istio's default retries
   */
  readonly retries?: HttpRetry;
}

/**
 * A route defined at the edge by `expose()`, `split()` or `redirect()`.
 */
export class EdgeRoute {
  /**
   * A route of `MeshGateway` (its constructor is not part of the API).
   * @internal
   */
  public static _create(host: string, match: string, virtualService?: VirtualService, kubernetesHttpRoute?: KubernetesHttpRoute,
    route?: HttpRoute, rule?: object): EdgeRoute {
    return new EdgeRoute(host, match, virtualService, kubernetesHttpRoute, route, rule);
  }

  private constructor(
    /** The host the route serves. */
    public readonly host: string,
    /** A readable description of the match (e.g. `prefix /catalog, header x-beta=true`). */
    public readonly match: string,
    /** The VirtualService holding the route (Istio flavour). */
    public readonly virtualService?: VirtualService,
    /** The HTTPRoute holding the route (Gateway API flavour). */
    public readonly kubernetesHttpRoute?: KubernetesHttpRoute,
    /** @internal */
    public _route?: HttpRoute,
    /** @internal */
    public readonly _rule?: object,
  ) {}

  /** The VirtualService route (Istio flavour); its position is the first-match order. */
  public get httpRoute(): HttpRoute | undefined {
    return this._route;
  }
}

interface Exposure {
  readonly key: string;
  readonly specificity: number[];
  readonly targetKey: string;
  readonly route: EdgeRoute;
}

/**
 * An edge entry point of the mesh: an Istio ingress Gateway (or a Gateway API Gateway) with HTTPS, an
 * HTTP→HTTPS redirect and the routes that expose services at the edge — by host and path, by header, with
 * weighted splits (a CanaryService's weights are reused) — so edge traffic gets the mesh's mTLS, telemetry
 * and routing logic.
 *
 * Routes of one host are ordered by specificity (header matches first, then exact paths, then longer
 * prefixes), so first-match never lets a catch-all shadow a narrower route.
 *
 * @example
 * const edge = new MeshGateway(chart, 'edge', {
 *   namespace: NamespaceRef.named('istio-ingress'),
 *   tls: GatewayTls.simple({ credentialName: 'shop-example-com-cert' }),
 * });
 * edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
 * edge.expose('shop.example.com', catalog.canary!, { pathPrefix: '/catalog', headers: { 'x-beta': 'true' } });
 */
export class MeshGateway extends Construct {
  private static isSplit(t: IMeshDestination): t is ITrafficSplit {
    return typeof _field(t, 'toRouteDestinations') === 'function';
  }

  private static targetKey(t: IMeshDestination | Array<{ destination: IMeshDestination; weight?: number }>): string {
    const ds = Array.isArray(t) ? t
      : MeshGateway.isSplit(t) ? t.toRouteDestinations().map((d) => ({ destination: d.destination })) : [{ destination: t }];
    return ds.map((d: { destination: IMeshDestination; weight?: number }) => {
      const c = d.destination.toMeshDestination();
      return `${c.host}|${c.subset ?? ''}|${c.port ?? ''}|${d.weight ?? ''}`;
    }).join(',');
  }

  private static validateEdgeHost(prop: string, host: string, api: EdgeApi): void {
    if (host === '*') {
      throw _invalid(prop, host, 'a bare "*" lets this gateway answer for any domain', 'list the FQDNs you serve');
    }
    _validateHost(prop, host, true, true, api === EdgeApi.ISTIO); // Istio hosts take "*foo.example.com"; Gateway API hostnames do not
  }

  private static checkCertificates(props: MeshGatewayProps, passthroughOnly: boolean): void {
    if (!props.certificates || props.certificates.length === 0) return;
    if (!props.tls || passthroughOnly || !props.tls.terminates) {
      throw _invalid('certificates', props.certificates.length, 'per-host certificates need a gateway that terminates TLS',
        'set tls: GatewayTls.simple() or GatewayTls.certificate() for the other hosts');
    }
  }

  private static checkPlainHttpRoutes(props: MeshGatewayProps, passthroughOnly: boolean): boolean {
    if (!props.plainHttpRoutes) return false;
    if (!props.tls || passthroughOnly) {
      throw _invalid('plainHttpRoutes', props.plainHttpRoutes, props.tls ? 'a passthrough-only gateway has no HTTP routes' : 'without tls every route is plain HTTP already',
        props.tls ? 'leave plainHttpRoutes out' : 'use plaintext: true for an HTTP-only gateway');
    }
    if (props.httpsRedirect) {
      throw _invalid('plainHttpRoutes', props.plainHttpRoutes, 'httpsRedirect is also set: port 80 either redirects or serves the routes',
        'leave httpsRedirect out with plainHttpRoutes: true');
    }
    return true;
  }

  private static compare(a: number[], b: number[]): number {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  }

  /** The port of a destination that knows it (CanaryService and its subsets expose `port`). */
  private static knownPort(d: IMeshDestination): number | undefined {
    const p = d.toMeshDestination().port ?? (d as any).port;
    return typeof p === 'number' ? p : undefined;
  }

  private static withPort(d: IMeshDestination, port: number | undefined): IMeshDestination {
    if (port === undefined) return d;
    return { toMeshDestination: (): MeshDestinationConfig => ({ ...d.toMeshDestination(), port }) };
  }

  /** The Istio Gateway (Istio flavour). */
  public readonly gateway?: Gateway;
  /** The Gateway API Gateway (Gateway API flavour). */
  public readonly kubernetesGateway?: KubernetesGateway;
  /** The namespace of the gateway and its routes. */
  public readonly namespace: string;
  /** The API used. */
  public readonly api: EdgeApi;
  /** The identity of the gateway pods, to allow edge traffic into secure namespaces. */
  public readonly identity: IMeshIdentity;
  /**
   * The gateway pods: namespace, selector, identity and Service.
   * @internal
   */
  public readonly _workload: _BoundGatewayWorkload;
  private readonly fixedHosts?: string[];
  /** Hosts of the exposed routes, in order (the Gateway's hosts unless fixed). */
  private readonly hostList: string[] = [];
  private readonly tls?: GatewayTls;
  private readonly httpsRedirect: boolean;
  private readonly plainHttpRoutes: boolean;
  /** The HTTPS servers' certificates (terminating gateways). */
  private readonly certs?: _EdgeCertificates;
  /** Gateway API flavour: host -> its own HTTPS listener (hosts of `certificates` entries). */
  private readonly httpsListeners = new Map<string, string>();
  private readonly exposures = new Map<string, Exposure[]>();
  private readonly virtualServices = new Map<string, VirtualService>();
  private readonly httpRoutes = new Map<string, KubernetesHttpRoute>();
  private readonly grants = new Set<string>();
  /** Namespace -> an exposed host there, for the default-deny check. */
  private readonly exposedNamespaces = new Map<string, string>();
  private readonly gatewayName: string;
  /** Passed-through SNI hosts (the live list of the gateway's TLS server), and as a set for lookups. */
  private readonly passthroughHosts: string[] = [];
  private readonly passthroughSet = new Set<string>();
  private readonly followed = new Set<EdgeRoute>();
  /** `tls: GatewayTls.passthrough()`: no terminating server, only passthrough() routes. */
  private readonly passthroughOnly: boolean;

  /**
   * Creates the gateway (Istio `Gateway` or Gateway API `Gateway`) with its servers; routes are added with `expose()`, `split()`, `redirect()`.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the gateway's namespace, API flavour (Istio or Gateway API), TLS and redirect
   */
  constructor(scope: Construct, id: string, props: MeshGatewayProps) {
    super(scope, id);
    _checkProps('props', props, true, '{ namespace: NamespaceRef.named("istio-ingress"), tls: GatewayTls.simple({ credentialName: "shop-cert" }) }');
    this.namespace = _namespaceName('namespace', props.namespace);
    this.api = props.api ?? EdgeApi.ISTIO;
    this.gatewayName = props.name !== undefined ? _validateDnsLabel('name', props.name) : _suggestName(id);
    if (!props.tls && !props.plaintext) {
      throw _invalid('tls', props.tls, 'an edge gateway should terminate TLS',
        'pass tls: GatewayTls.simple({ credentialName: "<tls-secret>" }), or set plaintext: true for an HTTP-only gateway');
    }
    if (props.tls && props.plaintext) {
      throw _invalid('plaintext', props.plaintext, 'tls is also set', 'use tls or plaintext, not both');
    }
    if (props.tls?.mode === GatewayTlsMode.AUTO_PASSTHROUGH) {
      throw _invalid('tls', props.tls.mode, 'AUTO_PASSTHROUGH is for east-west (multi-cluster) gateways, not an edge',
        'use GatewayTls.passthrough() for a passthrough-only edge, or the Gateway L2 for an east-west gateway');
    }
    // tls: GatewayTls.passthrough(): a passthrough-only edge (no terminating server; routes by SNI with passthrough())
    this.passthroughOnly = props.tls?.mode === GatewayTlsMode.PASSTHROUGH;
    if (this.passthroughOnly && (props.api ?? EdgeApi.ISTIO) !== EdgeApi.ISTIO) {
      throw _invalid('tls', props.tls!.mode, 'SNI passthrough is rendered with the Istio API only in this version (Gateway API TLSRoute is not emitted yet)',
        'use api: EdgeApi.ISTIO for a passthrough-only gateway');
    }
    if (props.certificateNamespace !== undefined) {
      _validateDnsLabel('certificateNamespace', props.certificateNamespace);
      if (this.api === EdgeApi.ISTIO) {
        throw _invalid('certificateNamespace', props.certificateNamespace, 'Istio Gateways read credentialName from the gateway workload\'s namespace',
          'put the Secret in the gateway namespace, or use api: EdgeApi.GATEWAY_API');
      }
    }
    this._workload = _resolveGatewayWorkload(this, { ...props, gatewayApi: this.api !== EdgeApi.ISTIO }, this.gatewayName, this.namespace);
    this.identity = this._workload.identity;
    this.node.addValidation({ validate: () => this.edgeAccessErrors() });
    this.tls = props.tls;
    this.plainHttpRoutes = MeshGateway.checkPlainHttpRoutes(props, this.passthroughOnly);
    this.httpsRedirect = props.tls && !this.passthroughOnly ? (props.httpsRedirect ?? !this.plainHttpRoutes) : false;
    if (props.hosts) {
      if (props.hosts.length === 0) throw _invalid('hosts', props.hosts, 'an empty host list serves nothing', 'list the hosts, or leave hosts out');
      props.hosts.forEach((h) => MeshGateway.validateEdgeHost('hosts', h, this.api));
      this.fixedHosts = [...props.hosts];
    }
    const hosts = this.fixedHosts ? [...this.fixedHosts] : this.hostList;
    MeshGateway.checkCertificates(props, this.passthroughOnly);

    if (this.api === EdgeApi.ISTIO) {
      this.gateway = new Gateway(this, 'Gateway', { metadata: { name: this.gatewayName, namespace: this.namespace }, selector: props.workload ? this._workload.selector : props.selector });
      if (this.passthroughOnly) {
        // servers come with passthrough(): port 443, TLS, by SNI
      } else if (this.tls) {
        this.certs = new _EdgeCertificates(this, this._workload.namespace, this.gatewayRef, this.tls, props.certificates ?? [], this.fixedHosts);
        for (const server of this.certs.servers) {
          this.gateway._addServerWithHosts({ port: 443, protocol: GatewayProtocol.HTTPS, name: server.name, tls: server.tls }, server.hosts);
        }
        // port 80 redirects to HTTPS, or serves the routes when asked explicitly (plainHttpRoutes), or is closed
        if (this.httpsRedirect || this.plainHttpRoutes) {
          this.gateway._addServerWithHosts({ port: 80, protocol: GatewayProtocol.HTTP, name: 'http', httpsRedirect: this.httpsRedirect }, hosts);
        }
      } else {
        this.gateway._addServerWithHosts({ port: 80, protocol: GatewayProtocol.HTTP, name: 'http' }, hosts);
      }
    } else {
      if (props.selector) {
        throw _invalid('selector', props.selector.workloadKey, 'a Gateway API Gateway deploys its own pods', 'leave selector out with api: EdgeApi.GATEWAY_API');
      }
      this.kubernetesGateway = new KubernetesGateway(this, 'Gateway', {
        metadata: { name: this.gatewayName, namespace: this.namespace },
        gatewayClassName: props.gatewayClassName,
      });
      if (this.tls) {
        this.certs = this.gatewayApiHttpsListeners(this.kubernetesGateway, this.tls, props);
      }
      this.kubernetesGateway.addListener({ name: 'http', port: 80, protocol: ListenerProtocol.HTTP });
      if (this.httpsRedirect) {
        new KubernetesHttpRoute(this, 'HttpsRedirect', {
          metadata: { name: `${this.gatewayName}-https-redirect`, namespace: this.namespace },
          parents: [RouteParent.fromGateway(this.kubernetesGateway, { sectionName: 'http' })],
          rules: [{ name: 'https-redirect', redirect: { scheme: 'https', statusCode: 301 } }],
        });
      }
    }
  }

  /**
   * The HTTPS listeners of the Gateway API flavour: `https` (every host not in `certificates`) and one per host
   * of each `certificates` entry (hostname + its Secret; routes of those hosts attach to it), the cert-manager
   * Certificates, and the ReferenceGrant when the Secrets live in `certificateNamespace`.
   */
  private gatewayApiHttpsListeners(gateway: KubernetesGateway, tls: GatewayTls, props: MeshGatewayProps): _EdgeCertificates {
    if (!tls.credentialName) {
      throw _invalid('tls', tls.mode, 'the Gateway API flavour terminates TLS with a certificate Secret', 'use GatewayTls.simple({ credentialName })');
    }
    const certNamespace = props.certificateNamespace;
    // GatewayTls.certificate(): the cert-manager Certificates write the listeners' Secrets
    const certs = new _EdgeCertificates(this, certNamespace ?? this.namespace, this.gatewayRef, tls, props.certificates ?? [], this.fixedHosts);
    for (const server of certs.servers) {
      const certificates = [{ name: server.tls.credentialName!, namespace: certNamespace }];
      if (server.name === 'https') {
        gateway.addListener({ name: 'https', port: 443, protocol: ListenerProtocol.HTTPS, certificates });
        continue;
      }
      server.hosts.forEach((hostname, k) => {
        const name = `${server.name}-${k + 1}`;
        gateway.addListener({ name, port: 443, protocol: ListenerProtocol.HTTPS, hostname, certificates });
        this.httpsListeners.set(hostname, name);
      });
    }
    if (certNamespace && certNamespace !== this.namespace) {
      new ReferenceGrant(this, 'CertificateGrant', {
        metadata: { name: `${this.gatewayName}-certificate`, namespace: certNamespace },
        from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: this.namespace }],
        to: certs.servers.map((sv) => ({ group: '', kind: 'Secret', name: sv.tls.credentialName })),
      });
    }
    return certs;
  }

  /** True when the gateway terminates TLS on port 443 and serves its HTTP routes there. @internal */
  public get _servesHttps(): boolean {
    return this.tls !== undefined && this.tls.terminates && !this.passthroughOnly;
  }

  /** True when the gateway serves its HTTP routes over plain HTTP on port 80. @internal */
  public get _servesPlainHttp(): boolean {
    return this.tls === undefined || this.plainHttpRoutes;
  }

  /** The TLS mode of the terminating server, if any. @internal */
  public get _tlsMode(): GatewayTlsMode | undefined {
    return this.tls?.mode;
  }

  /**
   * Whether `host` is (or will be, with fixed hosts) served by this gateway's HTTP routes.
   * @internal
   */
  public _serves(host: string): boolean {
    return this.fixedHosts ? this.fixedHosts.some((h) => _hostsMatch(h, host)) : this.exposures.has(host);
  }

  /** True when the hosts are fixed by props (known at construction), false when expose() adds them. @internal */
  public get _hostsFixed(): boolean {
    return this.fixedHosts !== undefined;
  }

  /** The hosts the gateway serves. */
  public get hosts(): string[] {
    return this.fixedHosts ? [...this.fixedHosts] : [...this.hostList];
  }

  /** The reference VirtualServices use to bind to this gateway (`<namespace>/<name>`). */
  public get gatewayRef(): string {
    return `${this.namespace}/${this.gatewayName}`;
  }

  /**
   * The VirtualService of a host (Istio flavour), once something was exposed on it.
   *
   * @param host an exposed host, e.g. `shop.example.com`
   */
  public virtualServiceFor(host: string): VirtualService | undefined {
    return this.virtualServices.get(host);
  }

  /**
   * The HTTPRoute of a host (Gateway API flavour), once something was exposed on it.
   *
   * @param host an exposed host, e.g. `shop.example.com`
   */
  public kubernetesHttpRouteFor(host: string): KubernetesHttpRoute | undefined {
    return this.httpRoutes.get(host);
  }

  /**
   * Admits only clients from `cidrs` at the edge: a DENY policy with `notRemoteIpBlocks` on the gateway
   * (DENY composes with other policies; an ALLOW list would also have to admit everything else). The
   * client address is the one Envoy sees, so the gateway's Service needs `externalTrafficPolicy: Local`
   * or trusted proxies configured (`numTrustedProxies`).
   * @param cidrs the client address ranges to admit, e.g. `["203.0.113.0/24"]` (IPv4/IPv6 CIDRs or addresses)
   */
  public allowOnlyFromIpBlocks(cidrs: string[]): AuthorizationPolicy {
    if (!cidrs || cidrs.length === 0) {
      throw _invalid('cidrs', cidrs, 'an empty allow-list would admit nobody', 'list the client CIDRs, e.g. ["203.0.113.0/24"]');
    }
    if (this.node.tryFindChild('IpAllowList')) {
      throw _invalid('allowOnlyFromIpBlocks', cidrs, 'the gateway already has an IP allow-list', 'pass all CIDRs in one call');
    }
    return new AuthorizationPolicy(this, 'IpAllowList', {
      metadata: { name: `${this.gatewayName}-ip-allow-list`, namespace: this.namespace },
      action: AuthorizationAction.DENY,
      ...this.policyTarget(),
      rules: [{ notRemoteIpBlocks: [...cidrs] }],
    });
  }

  /**
   * Requires a valid JWT at the edge: a RequestAuthentication on the gateway, plus the DENY policy for
   * requests without a token (a RequestAuthentication alone lets token-less requests through),
   * optionally only for some hosts or paths.
   * @param options the issuer, its JWKS and, optionally, the hosts or paths that need a token
   */
  public requireJwt(options: EdgeJwtOptions): EdgeJwtRequirement {
    const id = `Jwt-${_suggestName(options.issuer, 40)}`;
    if (this.node.tryFindChild(`${id}-authn`)) {
      throw _invalid('issuer', options.issuer, 'a JWT requirement for this issuer already exists on the gateway', 'call requireJwt() once per issuer');
    }
    for (const h of options.hosts ?? []) MeshGateway.validateEdgeHost('hosts', h, this.api);
    const { hosts, paths, ...rule } = options;
    const name = `${this.gatewayName}-${_suggestName(options.issuer, 40)}`;
    const requestAuthentication = new RequestAuthentication(this, `${id}-authn`, {
      metadata: { name: `${name}-jwt`, namespace: this.namespace },
      ...(this.api === EdgeApi.ISTIO ? { selector: this.gateway!.selector } : { targetRefs: [PolicyTargetRef.gateway(this.gatewayName)] }),
      jwtRules: [rule],
    });
    const authorizationPolicy = new AuthorizationPolicy(this, `${id}-authz`, {
      metadata: { name: `${name}-require-jwt`, namespace: this.namespace },
      action: AuthorizationAction.DENY,
      ...this.policyTarget(),
      rules: [{ notRequestPrincipals: ['*'], hosts: hosts && hosts.length > 0 ? [...hosts] : undefined, paths: paths && paths.length > 0 ? [...paths] : undefined }],
    });
    return { requestAuthentication, authorizationPolicy };
  }

  private policyTarget(): { selector?: IMeshWorkload; targetRefs?: PolicyTargetRef[] } {
    return this.api === EdgeApi.ISTIO ? { selector: this.gateway!.selector } : { targetRefs: [PolicyTargetRef.gateway(this.gatewayName)] };
  }

  /**
   * Exposes `target` on `host`: a Service (`ServiceHost`), a subset (`catalog.canary`) or a split
   * (a `CanaryService`: its stable/canary weights are reused at the edge, and its `canaryHeader` and `canaryCookie` route
   * to the canary at the edge too). Exposing the same match with
   * the same target again is a no-op; with another target it is an error.
   * @param host the public host, e.g. `shop.example.com` (must be one of the gateway's hosts)
   * @param target where the traffic goes: a `ServiceHost`, a subset (`catalog.canary`) or a `CanaryService` (its weights are followed)
   * @param options the match (path prefix or exact path, headers), port, timeout and retries
   */
  public expose(host: string, target: IMeshDestination, options: ExposeOptions = {}): EdgeRoute {
    const parts = () => MeshGateway.isSplit(target)
      ? target.toRouteDestinations()
      : [{ destination: target, weight: undefined as number | undefined }];
    const route = this.addRoute(host, parts(), options, MeshGateway.targetKey(target));
    if (target instanceof CanaryService && target.canary && target.canaryHeader) {
      // testers sending the canary header through the edge reach the canary, as inside the mesh
      const h = target.canaryHeader;
      const headers = { ...options.headers, [h.name]: h.value };
      this.addRoute(host, [{ destination: target.canary }], { ...options, headers }, MeshGateway.targetKey(target.canary));
    }
    if (target instanceof CanaryService && target.canary && target.canaryCookie) {
      // and so do those sending the canary cookie (a regex on the Cookie header, the same as in the mesh)
      this.addRoute(host, [{ destination: target.canary }], options, MeshGateway.targetKey(target.canary), _cookieRegex(target.canaryCookie));
    }
    if (target instanceof CanaryService && !this.followed.has(route)) {
      // the edge split follows the canary: promote()/rollback()/shiftTo() after expose() update it too
      this.followed.add(route);
      target._onShift(() => this.refreshRoute(route, parts(), options));
    }
    return route;
  }

  /**
   * Splits `host` traffic at the edge over weighted destinations (weights sum to 100).
   * @param host the public host, e.g. `shop.example.com`
   * @param destinations the weighted destinations (weights are integers summing to 100)
   * @param options the match (path prefix or exact path, headers), port, timeout and retries
   */
  public split(host: string, destinations: RouteDestination[], options: ExposeOptions = {}): EdgeRoute {
    if (!destinations || destinations.length < 2) {
      throw _invalid('destinations', destinations?.length, 'a split needs at least two destinations', 'use expose() for a single destination');
    }
    const total = destinations.reduce((s, d) => s + (d.weight ?? 0), 0);
    if (destinations.some((d) => d.weight === undefined) || total !== 100) {
      throw _invalid('destinations weights', destinations.map((d) => d.weight), `a split needs a weight on every destination summing to 100 (got ${total})`, 'e.g. 90 and 10');
    }
    const parts = destinations.map((d) => ({ destination: d.destination, weight: d.weight }));
    return this.addRoute(host, parts, options, MeshGateway.targetKey(destinations));
  }

  /**
   * Passes TLS for `sniHost` through the gateway unterminated (port 443, routed by SNI) to `target`,
   * which terminates TLS itself. Istio flavour only.
   * @param sniHost the TLS server name (SNI) to route, e.g. `legacy.example.com`
   * @param target the Service that terminates TLS itself
   * @param port the target's TLS port, e.g. 8443
   */
  public passthrough(sniHost: string, target: IMeshDestination, port: number): void {
    if (this.api !== EdgeApi.ISTIO) {
      throw _invalid('api', this.api, 'SNI passthrough is rendered with the Istio API only in this version (Gateway API TLSRoute is not emitted yet)',
        'use api: EdgeApi.ISTIO for passthrough routes');
    }
    MeshGateway.validateEdgeHost('sniHost', sniHost, this.api);
    if (_isWildcarded(sniHost)) {
      throw _invalid('sniHost', sniHost, 'a passthrough route needs the exact SNI host', 'name the host, e.g. "db.example.com"');
    }
    _validatePort('port', port, 'use the backend\'s TLS port, e.g. 443');
    if (this.exposures.has(sniHost) || this.passthroughSet.has(sniHost)) {
      throw _invalid('sniHost', sniHost, 'the host is already routed at this gateway (HTTP routes terminate TLS; passthrough does not)', 'use another host for the TLS backend');
    }
    if (this.passthroughHosts.length === 0) {
      this.gateway!._addServerWithHosts({ port: 443, protocol: GatewayProtocol.TLS, name: 'tls-passthrough', tls: GatewayTls.passthrough() }, this.passthroughHosts);
    }
    this.passthroughHosts.push(sniHost);
    this.passthroughSet.add(sniHost);
    const vs = this.virtualServiceOf(sniHost);
    vs.addTlsRoute({ match: [{ sniHosts: [sniHost] }], destinations: [{ destination: MeshGateway.withPort(target, port) }] });
  }

  private addRoute(
    host: string, split: Array<{ destination: IMeshDestination; weight?: number }>, options: ExposeOptions, targetKey: string,
    cookieRegex?: string,
  ): EdgeRoute {
    MeshGateway.validateEdgeHost('host', host, this.api);
    if (this.passthroughOnly) {
      throw _invalid('host', host, 'this gateway passes TLS through unterminated (tls: GatewayTls.passthrough()), so it cannot route HTTP',
        'use passthrough(sniHost, target, port), or a second MeshGateway that terminates TLS for HTTP routes');
    }
    if (this.fixedHosts && !this.fixedHosts.some((h) => _hostsMatch(h, host))) {
      throw _invalid('host', host, `gateway '${this.gatewayRef}' does not serve it (Istio IST0132: the route would never receive traffic)`,
        `add it to hosts (now ${JSON.stringify(this.fixedHosts)}) or expose a served host`);
    }
    if (options.pathPrefix !== undefined && options.pathExact !== undefined) {
      throw _invalid('pathExact', options.pathExact, 'pathPrefix is also set', 'use one of pathPrefix or pathExact');
    }
    const pathPrefix = options.pathExact === undefined ? (options.pathPrefix ?? '/') : undefined;
    for (const [prop, p] of [['pathPrefix', pathPrefix], ['pathExact', options.pathExact], ['rewritePrefix', options.rewritePrefix]] as Array<[string, string | undefined]>) {
      if (p !== undefined && !p.startsWith('/')) throw _invalid(prop, p, 'a path starts with "/"', `use "/${p}"`);
    }
    const headers = options.headers ?? {};
    const headerNames = Object.keys(headers).sort();
    const matchKey = `${pathPrefix !== undefined ? `prefix ${pathPrefix}` : `exact ${options.pathExact}`}${headerNames.map((h) => `, header ${h}=${headers[h]}`).join('')}`
      + (cookieRegex !== undefined ? `, cookie ~${cookieRegex}` : '');
    const headerCount = headerNames.length + (cookieRegex !== undefined ? 1 : 0);
    if (this.passthroughSet.has(host)) {
      throw _invalid('host', host, 'the host is already passed through as TLS at this gateway', 'use another host for HTTP routes');
    }
    const list = this.exposures.get(host) ?? [];
    const existing = list.find((e) => e.key === matchKey);
    if (existing) {
      if (existing.targetKey === targetKey) return existing.route;
      throw _invalid('expose', `${host} ${matchKey}`, 'this host and match are already routed to another target: the routes would conflict (Istio IST0109)',
        'change the match (path or headers), or remove the other exposure');
    }

    // specificity: headers first, then exact paths, then longer prefixes; insertion order breaks ties
    const specificity = [headerCount > 0 ? 0 : 1, options.pathExact !== undefined ? 0 : 1, -(pathPrefix ?? options.pathExact ?? '').length, list.length];
    const index = list.filter((e) => MeshGateway.compare(e.specificity, specificity) < 0).length;

    for (const d of split) {
      const service = _parseServiceFqdn(d.destination.toMeshDestination().host);
      if (service && !this.exposedNamespaces.has(service.namespace)) this.exposedNamespaces.set(service.namespace, `${service.name}.${service.namespace}`);
    }
    let route: EdgeRoute;
    if (this.api === EdgeApi.ISTIO) {
      const vs = this.virtualServiceOf(host);
      const match = HttpMatch.of({
        uri: pathPrefix !== undefined ? StringMatch.prefix(pathPrefix) : StringMatch.exact(options.pathExact!),
        headers: headerCount > 0 ? {
          ...Object.fromEntries(headerNames.map((h) => [h, StringMatch.exact(headers[h])])),
          ...(cookieRegex !== undefined ? { cookie: StringMatch.regex(cookieRegex) } : {}),
        } : undefined,
      });
      const r = vs.insertHttpRoute(index, {
        match: [match],
        destinations: split.map((d) => ({ destination: MeshGateway.withPort(d.destination, options.port), weight: d.weight })),
        rewrite: options.rewritePrefix !== undefined ? { uri: options.rewritePrefix } : undefined,
        timeout: options.timeout,
        retries: options.retries,
      });
      route = EdgeRoute._create(host, matchKey, vs, undefined, r);
    } else {
      const hr = this.httpRouteOf(host);
      const rule = hr._insertRule(index, {
        // named after the match, so a rule keeps its name when others are added (diff, status, metrics)
        name: _matchRuleName(pathPrefix !== undefined ? 'prefix' : 'exact', pathPrefix ?? options.pathExact!,
          [...headerNames.map((h) => h.toLowerCase()), ...(cookieRegex !== undefined ? ['cookie'] : [])], matchKey),
        matches: [{
          pathPrefix,
          pathExact: options.pathExact,
          headers: headerNames.length > 0 ? { ...headers } : undefined,
          headerMatches: cookieRegex !== undefined ? { cookie: StringMatch.regex(cookieRegex) } : undefined,
        }],
        backends: split.map((d) => this.backendFor(d.destination, d.weight, options.port)),
        rewrite: options.rewritePrefix !== undefined ? { replacePrefixMatch: options.rewritePrefix } : undefined,
        timeout: options.timeout,
      });
      route = EdgeRoute._create(host, matchKey, undefined, hr, undefined, rule);
    }
    // the first route of a host adds it to the Gateway (once the route exists)
    if (!this.exposures.has(host)) this.certs?.hostAdded(host);
    if (!this.fixedHosts && !this.exposures.has(host)) this.hostList.push(host);
    list.splice(index, 0, { key: matchKey, specificity, targetKey, route });
    this.exposures.set(host, list);
    return route;
  }

  private refreshRoute(route: EdgeRoute, split: Array<{ destination: IMeshDestination; weight?: number }>, options: ExposeOptions): void {
    if (route.virtualService && route._route) {
      route._route = route.virtualService.replaceHttpRoute(route._route, {
        ...route._route.options,
        destinations: split.map((d) => ({ destination: MeshGateway.withPort(d.destination, options.port), weight: d.weight })),
      });
    } else if (route.kubernetesHttpRoute && route._rule) {
      route.kubernetesHttpRoute._replaceBackends(route._rule, split.map((d) => this.backendFor(d.destination, d.weight, options.port)));
    }
  }

  /**
   * The name of the route object of one host (its VirtualService, or HTTPRoute in the Gateway API flavour).
   * Default: `<gateway name>-<host>`, DNS-safe (`edge-shop-example-com`; `*.` becomes `wildcard.`).
   *
   * An extension point for a platform's naming scheme: a subclass returns another DNS subdomain name
   * (checked); it must depend only on the host (the route of a host is named once, when it is first exposed)
   * and differ between hosts.
   *
   * @param host the exposed host, e.g. `shop.example.com`
   */
  protected routeName(host: string): string {
    return `${this.gatewayName}-${_suggestName(host.replace(/^\*\./, 'wildcard.'), 200)}`.slice(0, 253);
  }

  private checkedRouteName(host: string): string {
    return _validateDnsSubdomain(`routeName(${JSON.stringify(host)})`, this.routeName(host));
  }

  private virtualServiceOf(host: string): VirtualService {
    let vs = this.virtualServices.get(host);
    if (!vs) {
      vs = new VirtualService(this, `Route-${host}`, {
        metadata: { name: this.checkedRouteName(host), namespace: this.namespace },
        hosts: [host],
        gateways: [this.gateway!],
      });
      this.virtualServices.set(host, vs);
    }
    return vs;
  }

  /** The HTTPS listener serving `host` (Gateway API flavour): its own, with a certificate of `certificates`. */
  private httpsListenerOf(host: string): string {
    return this.httpsListeners.get(host) ?? 'https';
  }

  private httpRouteOf(host: string): KubernetesHttpRoute {
    let hr = this.httpRoutes.get(host);
    if (!hr) {
      hr = new KubernetesHttpRoute(this, `Route-${host}`, {
        metadata: { name: this.checkedRouteName(host), namespace: this.namespace },
        parents: this.tls && this.plainHttpRoutes
          ? [RouteParent.fromGateway(this.kubernetesGateway!, { sectionName: this.httpsListenerOf(host) }),
            RouteParent.fromGateway(this.kubernetesGateway!, { sectionName: 'http' })]
          : [RouteParent.fromGateway(this.kubernetesGateway!, { sectionName: this.tls ? this.httpsListenerOf(host) : 'http' })],
        hostnames: [host],
        referenceGrants: false, // one grant per backend namespace for all of the gateway's routes (grantBackend)
      });
      this.httpRoutes.set(host, hr);
    }
    return hr;
  }

  /** Gateway API backends are Services: subsets become per-version Services selecting the subset's pods. */
  private backendFor(d: IMeshDestination, weight: number | undefined, portOverride: number | undefined): KubernetesHttpRouteBackend {
    const c = d.toMeshDestination();
    const service = _parseServiceFqdn(c.host);
    if (!service) {
      throw _invalid('target', c.host, 'Gateway API backends must be Kubernetes Services of this cluster', 'expose a ServiceHost.inNamespace()/fromService() or a CanaryService');
    }
    const { name: svc, namespace: ns } = service;
    const port = portOverride ?? MeshGateway.knownPort(d);
    if (port === undefined) {
      throw _invalid('port', port, `the HTTPRoute backend ${c.host} needs a port`, 'pass options.port, or expose a destination that knows its port');
    }
    let name = svc;
    if (c.subset) {
      const labels = typeof (d as any).toSelectorLabels === 'function' ? (d as unknown as IMeshWorkload).toSelectorLabels() : undefined;
      if (!labels || Object.keys(labels).length === 0) {
        throw _invalid('target', `${c.host} subset ${c.subset}`, 'HTTPRoute cannot target DestinationRule subsets, and the subset\'s pod labels are unknown',
          'expose a CanaryService subset (catalog.canary), or use api: EdgeApi.ISTIO');
      }
      // named by version (a CanaryService's or MultiVersionService's; else the subset name), as the Gateway API dialect names them
      name = this.versionService(svc, ns, d instanceof CanarySubset ? d.version : c.subset, port, labels);
    }
    if (ns !== this.namespace) this.grantBackends(ns);
    return { serviceName: name, namespace: ns !== this.namespace ? ns : undefined, port, weight };
  }

  /**
   * The Service of one version of `svc` (a subset routed at the edge), as CanaryService's Gateway API dialect
   * makes it (`_versionService`, named `_versionServiceName`: `catalog-v2`); once per app, shared by every
   * gateway that routes to that version.
   */
  private versionService(svc: string, ns: string, version: string, port: number, labels: { [k: string]: string }): string {
    const name = _versionServiceName(svc, version);
    const selector = JSON.stringify(_sortedRecord(labels));
    const made = versionServicesOf(this);
    const existing = made.get(`${ns}/${name}`);
    if (existing) {
      if (existing.port !== port || existing.selector !== selector) {
        throw _invalid('target', `${svc}.${ns} version ${version}`, `its per-version Service ${ns}/${name} already routes port ${existing.port} to ${existing.selector}`
          + ` (made for ${existing.by}); a Service of that name cannot also route port ${port} to ${selector}`, 'expose the version on the same port');
      }
      return name;
    }
    _versionService(this, `VersionService-${ns}-${name}`, {
      name, namespace: ns, port, selector: labels, ingressUseWaypoint: SecureNamespace._lookup(this, ns)?.enrolment.hasWaypoint ?? false,
    });
    made.set(`${ns}/${name}`, { port, selector, by: this.node.path });
    return name;
  }

  /**
   * Edge traffic enters a default-deny SecureNamespace of the app only through an intent that allows the
   * gateway's identity: without one every exposed route of that namespace is silently denied (RBAC 403).
   */
  private edgeAccessErrors(): string[] {
    const errors: string[] = [];
    for (const [ns, service] of this.exposedNamespaces) {
      const secure = SecureNamespace._lookup(this, ns);
      if (!secure || secure._admits(this.identity)) continue;
      errors.push(_invalid('expose', service, `namespace "${ns}" denies by default and no intent lets the gateway's identity (${this.identity}) in, so edge traffic would get 403`,
        `allow it on that SecureNamespace (${secure.node.path}): .allow(edge.identity).to(<the exposed workload>)`).message);
    }
    return errors;
  }

  private grantBackends(ns: string): void {
    if (this.grants.has(ns)) return;
    this.grants.add(ns);
    new ReferenceGrant(this, `BackendGrant-${ns}`, {
      metadata: { name: `${this.gatewayName}-routes`, namespace: ns },
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: this.namespace }],
      to: [{ group: '', kind: 'Service' }],
    });
  }
}

/** A per-version Service a MeshGateway made: its port, selector (sorted JSON) and the gateway's path. */
interface MadeVersionService {
  readonly port: number;
  readonly selector: string;
  readonly by: string;
}

/** Per app: the per-version Services the gateways made (`namespace/name`), so two gateways share one. */
const VERSION_SERVICES = new WeakMap<IConstruct, Map<string, MadeVersionService>>();

function versionServicesOf(scope: IConstruct): Map<string, MadeVersionService> {
  const root = scope.node.root;
  let made = VERSION_SERVICES.get(root);
  if (!made) {
    made = new Map();
    VERSION_SERVICES.set(root, made);
  }
  return made;
}
