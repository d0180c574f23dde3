import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _hostNamespaceAllows, _hostsMatch, _splitNamespacedHost } from './_naming';
import { _invalid, _undefinedIfEmpty, _validateDnsLabel, _validateHost, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import { Certificate, CertificateOptions } from './certificate';
import { IGatewayBinding } from './gateway-binding';
import * as net from './imports/istio-networking.istio.io';
import { IMeshWorkload, MeshWorkload } from './workload';

/**
 * The protocol a gateway server accepts.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#Port
 */
export enum GatewayProtocol {
  /** Plain-text HTTP/1.1 (and h2c). */
  HTTP = 'HTTP',
  /** HTTP over TLS terminated (or passed through) at the gateway. */
  HTTPS = 'HTTPS',
  /** Plain-text HTTP/2. */
  HTTP2 = 'HTTP2',
  /** gRPC. */
  GRPC = 'GRPC',
  /** TLS (routed by SNI, with `tls` routes, or terminated). */
  TLS = 'TLS',
  /** Opaque TCP. */
  TCP = 'TCP',
}

/**
 * How the gateway handles TLS for a server.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/#ServerTLSSettings-TLSmode
 */
export enum GatewayTlsMode {
  /** Terminate TLS with the server certificate of `credentialName`. */
  SIMPLE = 'SIMPLE',
  /** Terminate TLS and require a client certificate signed by the configured CA. */
  MUTUAL = 'MUTUAL',
  /** Terminate TLS and verify a client certificate when one is presented. */
  OPTIONAL_MUTUAL = 'OPTIONAL_MUTUAL',
  /** Forward the TLS stream unterminated, routed by SNI. */
  PASSTHROUGH = 'PASSTHROUGH',
  /** Forward unterminated, routed by SNI to the service encoded in it (east-west gateways). */
  AUTO_PASSTHROUGH = 'AUTO_PASSTHROUGH',
  /** Terminate with the mesh's own workload certificates (mTLS from inside the mesh). */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
}

/**
 * TLS protocol versions.
 */
export enum TlsVersion {
  /** Envoy's default. */
  TLS_AUTO = 'TLS_AUTO',
  /** TLS 1.0 (insecure; needs explicit cipher suites). */
  TLSV1_0 = 'TLSV1_0',
  /** TLS 1.1 (insecure; needs explicit cipher suites). */
  TLSV1_1 = 'TLSV1_1',
  /** TLS 1.2. */
  TLSV1_2 = 'TLSV1_2',
  /** TLS 1.3. */
  TLSV1_3 = 'TLSV1_3',
}

const VERSION_ORDER: Record<TlsVersion, number> = {
  [TlsVersion.TLS_AUTO]: -1,
  [TlsVersion.TLSV1_0]: 0,
  [TlsVersion.TLSV1_1]: 1,
  [TlsVersion.TLSV1_2]: 2,
  [TlsVersion.TLSV1_3]: 3,
};

/**
 * Options shared by the terminating TLS modes.
 */
export interface GatewayTlsTerminationOptions {
  /**
   * The Kubernetes Secret (type `kubernetes.io/tls`, or generic with `cert`/`key`) holding the server
   * certificate. It must live in the namespace of the gateway *workload* (e.g. `istio-ingress`).
   */
  readonly credentialName: string;
  /**
   * Minimum TLS version.
   *
   * @default TlsVersion.TLSV1_2
   */
  readonly minProtocolVersion?: TlsVersion;
  /**
   * Maximum TLS version.
   *
   * @default - Envoy's default (TLS 1.3)
   */
  readonly maxProtocolVersion?: TlsVersion;
  /**
   * Cipher suites, in preference order (required for TLS < 1.2).
   *
   * @default - Envoy's default cipher suites
   */
  readonly cipherSuites?: string[];
}

/**
 * Options for TLS that verifies client certificates.
 */
export interface GatewayMutualTlsOptions extends GatewayTlsTerminationOptions {
  /**
   * A Secret holding the CA bundle (`ca.crt`) that client certificates must chain to.
   * Either this or `caInCredential` is required: without a CA, MUTUAL cannot verify clients.
   *
   * @default - none; set `caInCredential` when the CA is inside `credentialName`
   */
  readonly caCertCredentialName?: string;
  /**
   * The CA bundle is the `ca.crt` key of the `credentialName` Secret (or a `<credentialName>-cacert` Secret).
   *
   * @default false
   */
  readonly caInCredential?: boolean;
  /**
   * Accepted client certificate subject alternative names.
   *
   * @default - any certificate signed by the CA
   */
  readonly subjectAltNames?: string[];
}

/**
 * TLS with a certificate that cert-manager issues and renews (`GatewayTls.certificate()`).
 */
export interface GatewayCertificateOptions extends GatewayTlsTerminationOptions, CertificateOptions {
  /**
   * The hosts the certificate covers (its DNS names). Each must be served by the gateway; with a
   * `MeshGateway`, an entry of `certificates` gets its own HTTPS server for exactly these hosts.
   *
   * @default - every host of the gateway's HTTPS server
   */
  readonly hosts?: string[];
}

/**
 * TLS settings of a gateway server. The mode is always explicit: an unset mode means PASSTHROUGH in
 * Istio, which silently ignores the certificate.
 *
 * @example
 * GatewayTls.simple({ credentialName: 'shop-example-com-cert' });
 */
export class GatewayTls {
  /**
   * Terminate TLS with a server certificate (HTTPS). Minimum TLS 1.2 by default.
   *
   * Renders `tls.mode: SIMPLE`.
   *
   * @param options the certificate's Kubernetes Secret (`credentialName`, in the namespace of the gateway
   * workload), TLS versions (minimum 1.2 by default) and cipher suites
   */
  public static simple(options: GatewayTlsTerminationOptions): GatewayTls {
    GatewayTls.validateTermination(GatewayTlsMode.SIMPLE, options);
    return new GatewayTls(GatewayTlsMode.SIMPLE, options);
  }

  /**
   * Terminate TLS (SIMPLE, TLS 1.2+ by default) with a certificate cert-manager issues, renews and writes to
   * `credentialName`: a `MeshGateway` creates the cert-manager `Certificate` for the hosts in the namespace
   * of its gateway pods (where Istio reads the Secret).
   *
   * @param options the Secret (`credentialName`), the issuer, the hosts (default: the server's), validity,
   * key and TLS versions
   */
  public static certificate(options: GatewayCertificateOptions): GatewayTls {
    GatewayTls.validateTermination(GatewayTlsMode.SIMPLE, options);
    Certificate._validateOptions(options);
    if (options.hosts !== undefined) Certificate._validateDnsNames('hosts', options.hosts);
    const tls = new GatewayTls(GatewayTlsMode.SIMPLE, options);
    tls._certificate = { ...options, hosts: options.hosts ? [...options.hosts] : undefined };
    return tls;
  }

  /**
   * Terminate TLS and require client certificates signed by a CA.
   *
   * Renders `tls.mode: MUTUAL`.
   *
   * @param options the server certificate (`credentialName`), where the CA comes from
   * (`caCertCredentialName` or the `ca.crt` key of the same Secret) and accepted `subjectAltNames`
   */
  public static mutual(options: GatewayMutualTlsOptions): GatewayTls {
    GatewayTls.validateMutual(GatewayTlsMode.MUTUAL, options);
    return new GatewayTls(GatewayTlsMode.MUTUAL, options);
  }

  /**
   * Terminate TLS and verify client certificates when presented.
   *
   * Renders `tls.mode: OPTIONAL_MUTUAL`: clients without a certificate are still accepted.
   *
   * @param options the server certificate (`credentialName`), where the CA comes from
   * (`caCertCredentialName` or the `ca.crt` key of the same Secret) and accepted `subjectAltNames`
   */
  public static optionalMutual(options: GatewayMutualTlsOptions): GatewayTls {
    GatewayTls.validateMutual(GatewayTlsMode.OPTIONAL_MUTUAL, options);
    return new GatewayTls(GatewayTlsMode.OPTIONAL_MUTUAL, options);
  }

  /**
   * Forward TLS unterminated, routed by SNI (VirtualService `tls` routes).
   */
  public static passthrough(): GatewayTls {
    return new GatewayTls(GatewayTlsMode.PASSTHROUGH, undefined);
  }

  /**
   * Forward TLS unterminated to the service named in the SNI (east-west / multi-network gateways).
   */
  public static autoPassthrough(): GatewayTls {
    return new GatewayTls(GatewayTlsMode.AUTO_PASSTHROUGH, undefined);
  }

  /**
   * Terminate with the mesh's own certificates: only mesh workloads can connect.
   */
  public static istioMutual(): GatewayTls {
    return new GatewayTls(GatewayTlsMode.ISTIO_MUTUAL, undefined);
  }

  private static validateTermination(mode: GatewayTlsMode, o: GatewayTlsTerminationOptions): void {
    if (!o || typeof o.credentialName !== 'string' || o.credentialName.length === 0) {
      throw _invalid(`GatewayTls.${mode.toLowerCase()}() credentialName`, o?.credentialName, `${mode} TLS terminates at the gateway and needs a server certificate`,
        'name the TLS Secret in the gateway workload\'s namespace, e.g. { credentialName: "shop-example-com-cert" }');
    }
    // credentialName is a Secret name, optionally "namespace/name" for cross-namespace references (not allowed here)
    try {
      _validateDnsLabel('credentialName', o.credentialName.replace(/\./g, '-'));
    } catch {
      throw _invalid('credentialName', o.credentialName, 'it is not a valid Secret name', 'use the name of a Secret in the gateway workload\'s namespace');
    }
    const min = o.minProtocolVersion ?? TlsVersion.TLSV1_2;
    const max = o.maxProtocolVersion;
    if (max !== undefined && max !== TlsVersion.TLS_AUTO && min !== TlsVersion.TLS_AUTO && VERSION_ORDER[max] < VERSION_ORDER[min]) {
      throw _invalid('maxProtocolVersion', max, `it is below minProtocolVersion ${min}, so no TLS version is accepted`, `set maxProtocolVersion to ${min} or higher`);
    }
    if ((min === TlsVersion.TLSV1_0 || min === TlsVersion.TLSV1_1) && (o.cipherSuites ?? []).length === 0) {
      throw _invalid('minProtocolVersion', min, 'TLS versions below 1.2 need explicit cipher suites (the defaults no longer include compatible ones)',
        'use TlsVersion.TLSV1_2, or set cipherSuites');
    }
    const seen = new Set<string>();
    for (const c of o.cipherSuites ?? []) {
      if (!/^[A-Z0-9_-]+$/i.test(c)) {
        throw _invalid('cipherSuites', c, 'it is not a cipher suite name', 'use OpenSSL-style names such as "ECDHE-RSA-AES256-GCM-SHA384"');
      }
      if (seen.has(c)) throw _invalid('cipherSuites', c, 'it is listed twice', 'list each cipher suite once');
      seen.add(c);
    }
  }

  private static validateMutual(mode: GatewayTlsMode, o: GatewayMutualTlsOptions): void {
    GatewayTls.validateTermination(mode, o);
    if (!o.caCertCredentialName && !o.caInCredential) {
      throw _invalid(`GatewayTls.${mode === GatewayTlsMode.MUTUAL ? 'mutual' : 'optionalMutual'}() caCertCredentialName`, o.caCertCredentialName,
        `${mode} TLS must verify client certificates against a CA bundle`,
        'set caCertCredentialName to the Secret holding ca.crt, or caInCredential: true when credentialName contains ca.crt');
    }
    if (o.caCertCredentialName && o.caInCredential) {
      throw _invalid('caCertCredentialName', o.caCertCredentialName, 'caInCredential is also set', 'use one of caCertCredentialName or caInCredential');
    }
  }

  /**
   * The cert-manager certificate to create, for `GatewayTls.certificate()`.
   * @internal
   */
  public _certificate?: GatewayCertificateOptions;

  private constructor(
    /** The TLS mode. */
    public readonly mode: GatewayTlsMode,
    private readonly options: GatewayMutualTlsOptions | undefined,
  ) {}

  /** The server certificate Secret, for terminating modes. */
  public get credentialName(): string | undefined {
    return this.options?.credentialName;
  }

  /** True when the gateway terminates TLS with a certificate of its own (SIMPLE, MUTUAL, OPTIONAL_MUTUAL). */
  public get terminates(): boolean {
    return this.options !== undefined;
  }

  /** @internal */
  public _render(): net.GatewaySpecServersTls {
    const o = this.options;
    return {
      mode: this.mode as unknown as net.GatewaySpecServersTlsMode,
      credentialName: o?.credentialName,
      caCertCredentialName: o?.caCertCredentialName,
      minProtocolVersion: o ? (o.minProtocolVersion ?? TlsVersion.TLSV1_2) as unknown as net.GatewaySpecServersTlsMinProtocolVersion : undefined,
      maxProtocolVersion: o?.maxProtocolVersion as unknown as net.GatewaySpecServersTlsMaxProtocolVersion | undefined,
      cipherSuites: _undefinedIfEmpty(o?.cipherSuites ? [...o.cipherSuites] : undefined),
      subjectAltNames: _undefinedIfEmpty(o?.subjectAltNames ? [...o.subjectAltNames] : undefined),
    };
  }
}

/**
 * A server (listener) of an Istio Gateway.
 */
export interface GatewayServerOptions {
  /** The port the gateway listens on (1–65535). */
  readonly port: number;
  /** The protocol on that port. */
  readonly protocol: GatewayProtocol;
  /**
   * Hosts served: FQDNs (`shop.example.com`), leading wildcards (`*.example.com`), optionally scoped to the
   * namespaces whose VirtualServices may bind (`shop/shop.example.com`, `./x.example.com`, `*\/x.example.com`).
   * A bare `*` needs `allowAnyHost`.
   */
  readonly hosts: string[];
  /**
   * TLS settings: required for HTTPS and TLS.
   *
   * @default - none (plain text)
   */
  readonly tls?: GatewayTls;
  /**
   * Answer plain HTTP requests with a 301 redirect to HTTPS (HTTP servers only).
   *
   * @default false
   */
  readonly httpsRedirect?: boolean;
  /**
   * The port name, unique per gateway.
   *
   * @default - `<protocol>-<port>`, e.g. `https-443`
   */
  readonly name?: string;
  /**
   * Accept `*` (every host) on this server. Off by default: a catch-all host lets any VirtualService in
   * the allowed namespaces capture traffic for any domain.
   *
   * @default false
   */
  readonly allowAnyHost?: boolean;
}

/**
 * A server defined on a Gateway.
 */
export class GatewayServer {
  /**
   * A server of a Gateway, made by `Gateway.addServer()` (and by `MeshGateway`), which validate the values.
   *
   * @internal
   */
  public static _create(port: number, protocol: GatewayProtocol, name: string, hosts: string[], httpsRedirect: boolean,
    tls?: GatewayTls): GatewayServer {
    return new GatewayServer(port, protocol, name, hosts, httpsRedirect, tls);
  }

  private constructor(
    /** The port number. */
    public readonly port: number,
    /** The protocol. */
    public readonly protocol: GatewayProtocol,
    /** The port name. */
    public readonly name: string,
    /** The hosts, as given. */
    public readonly hosts: string[],
    /** Whether HTTP is redirected to HTTPS. */
    public readonly httpsRedirect: boolean,
    /** TLS settings, if any. */
    public readonly tls?: GatewayTls,
  ) {}
}

/**
 * Props for `Gateway`.
 */
export interface GatewayProps extends IstioResourceProps {
  /**
   * The gateway pods that apply this configuration.
   *
   * @default - the standard ingress gateway: `MeshWorkload.labels({ istio: 'ingressgateway' })`
   */
  readonly selector?: IMeshWorkload;
  /**
   * Servers (listeners). More can be added with `addServer()`.
   *
   * @default - none; at least one is required at synth
   */
  readonly servers?: GatewayServerOptions[];
}

const PROTOCOLS_WITH_TLS = new Set([GatewayProtocol.HTTPS, GatewayProtocol.TLS]);

/**
 * An Istio Gateway (`networking.istio.io/v1`): the listeners of an Envoy at the edge of the mesh.
 * VirtualServices bind to it through their `gateways`.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/gateway/
 * @example
 * const gw = new Gateway(chart, 'edge', { metadata: { namespace: 'istio-ingress' } });
 * gw.addServer({ port: 443, protocol: GatewayProtocol.HTTPS, hosts: ['shop.example.com'],
 *   tls: GatewayTls.simple({ credentialName: 'shop-example-com-cert' }) });
 */
export class Gateway extends IstioResource implements IGatewayBinding {
  private static hostMatches(serverHost: string, routeHost: string, routeNs: string, gwNs: string | undefined): boolean {
    const { namespace, host } = _splitNamespacedHost(serverHost);
    // Istio binds a route host to a server host when the two `Matches` (pickMatchingGatewayHosts)
    return _hostNamespaceAllows(namespace, routeNs, gwNs) && _hostsMatch(host, routeHost);
  }

  private static validateServerHost(host: string, allowAnyHost: boolean): void {
    if (typeof host !== 'string' || host.length === 0) {
      throw _invalid('hosts', host, 'the host is empty', 'give an FQDN such as "shop.example.com"');
    }
    const { namespace: ns, host: h, explicit } = _splitNamespacedHost(host);
    if (explicit && ns !== '*' && ns !== '.') {
      try {
        _validateDnsLabel('hosts namespace', ns);
      } catch {
        throw _invalid('hosts', host, `"${ns}" is not a namespace (allowed before "/": a namespace, "." or "*")`, 'use "<namespace>/<host>", "./<host>" or "*/<host>"');
      }
    }
    if (h === '*') {
      if (!allowAnyHost) {
        throw _invalid('hosts', host, 'a bare "*" host serves every domain, so any VirtualService in the allowed namespaces can capture any host',
          'list the FQDNs you serve, or set allowAnyHost: true on this server');
      }
      return;
    }
    _validateHost('hosts', h, true, true);
  }

  public readonly apiObject: ApiObject;
  /** The gateway pods this configuration applies to. */
  public readonly selector: IMeshWorkload;
  private readonly _servers: GatewayServer[] = [];

  /**
   * Defines an Istio Gateway, to which servers can be added later with `addServer()` (at least one is
   * needed by synth).
   *
   * @param scope the parent construct (usually a Chart), which gives the Gateway the namespace it is referenced by
   * @param id the construct id, unique within `scope`
   * @param props the gateway pods (`selector`, default `istio: ingressgateway`) and servers
   */
  constructor(scope: Construct, id: string, props: GatewayProps = {}) {
    super(scope, id, props);
    if (props.metadata?.name !== undefined) {
      // Istio requires gateway names to be DNS labels (no dots): they are referenced as `<ns>/<name>`
      _validateDnsLabel('metadata.name', props.metadata.name);
    }
    this.selector = props.selector ?? MeshWorkload.labels({ istio: 'ingressgateway' });
    this.apiObject = this._createApiObject(net.Gateway, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => net.toJson_GatewaySpec(this._toIstio()) }),
    });
    for (const s of props.servers ?? []) this.addServer(s);
    this.node.addValidation({
      validate: () => this._servers.length === 0
        ? [`Gateway '${this.node.path}' has no servers: a gateway must have at least one server. Fix: call addServer() or pass servers`]
        : this._servers.filter((s) => s.hosts.length === 0)
          .map((s) => `Gateway '${this.node.path}' server '${s.name}' serves no host, which Istio rejects. Fix: expose at least one host through it`),
    });
  }

  /** The servers, in the order they were added. */
  public get servers(): GatewayServer[] {
    return [...this._servers];
  }

  /** Every host served by any server, as given (namespace-scoped forms included). */
  public get hosts(): string[] {
    return [...new Set(this._servers.flatMap((s) => s.hosts))];
  }

  /** The reference VirtualServices use in `gateways`: `<namespace>/<name>`. */
  public get gatewayRef(): string {
    return `${this._requireNamespace('be referenced from VirtualServices as <namespace>/<name>')}/${this.name}`;
  }

  /**
   * Adds a server. Ports are validated as Istio does: 1–65535, unique port names, one protocol per port,
   * TLS for HTTPS/TLS and only `httpsRedirect` on plain HTTP.
   *
   * Renders one entry of `spec.servers`.
   *
   * @param options port, protocol, hosts (FQDNs, `*.suffix` or `ns/host`; a bare `*` needs
   * `allowAnyHost`), TLS settings, `httpsRedirect` and port name (default `<protocol>-<port>`)
   * @returns the server, as rendered
   */
  public addServer(options: GatewayServerOptions): GatewayServer {
    if (!options.hosts || options.hosts.length === 0) {
      throw _invalid('hosts', options.hosts, 'a server must serve at least one host', 'list the FQDNs it serves, e.g. ["shop.example.com"]');
    }
    for (const h of options.hosts) Gateway.validateServerHost(h, options.allowAnyHost ?? false);
    if (new Set(options.hosts).size !== options.hosts.length) {
      throw _invalid('hosts', options.hosts, 'a host is listed twice', 'list each host once');
    }
    return this._addServerWithHosts(options, [...options.hosts]);
  }

  /**
   * Adds a server whose host list is owned by the caller and may grow until synth (used by MeshGateway,
   * which learns its hosts from expose()). The caller validates the hosts.
   *
   * @internal
   */
  public _addServerWithHosts(options: Omit<GatewayServerOptions, 'hosts'>, hosts: string[]): GatewayServer {
    const { port, protocol } = options;
    _validatePort('port', port, 'use e.g. 443 or 80');
    if (!Object.values(GatewayProtocol).includes(protocol)) {
      throw _invalid('protocol', protocol, 'it is not a supported gateway protocol', 'use a GatewayProtocol member');
    }
    const name = options.name ?? `${protocol.toLowerCase()}-${port}`;
    _validateDnsLabel('name', name);
    if (this._servers.some((s) => s.name === name)) {
      throw _invalid('name', name, `port names must be unique in a gateway and "${name}" is already used`, 'give the server another name');
    }
    const tlsFamily = (p: GatewayProtocol) => p === GatewayProtocol.HTTPS || p === GatewayProtocol.TLS;
    // HTTPS and TLS servers may share a port (Envoy tells them apart by SNI); any other mix conflicts
    const samePort = this._servers.find((s) => s.port === port && s.protocol !== protocol && !(tlsFamily(s.protocol) && tlsFamily(protocol)));
    if (samePort) {
      throw _invalid('protocol', protocol, `port ${port} is already served as ${samePort.protocol}; one port carries one protocol`,
        `use ${samePort.protocol} or another port`);
    }
    const tls = options.tls;
    const httpsRedirect = options.httpsRedirect ?? false;
    if (PROTOCOLS_WITH_TLS.has(protocol) && !tls) {
      throw _invalid('tls', tls, `a ${protocol} server needs TLS settings (an unset mode would mean PASSTHROUGH and ignore any certificate)`,
        'pass tls: GatewayTls.simple({ credentialName }) or GatewayTls.passthrough()');
    }
    if (!PROTOCOLS_WITH_TLS.has(protocol) && tls) {
      throw _invalid('tls', tls.mode, `a plain-text ${protocol} server cannot have TLS settings`, `use GatewayProtocol.${protocol === GatewayProtocol.TCP ? 'TLS' : 'HTTPS'} for TLS`);
    }
    if (httpsRedirect && protocol !== GatewayProtocol.HTTP) {
      throw _invalid('httpsRedirect', httpsRedirect, `a redirect to HTTPS only makes sense on a plain HTTP server, not ${protocol}`, 'set httpsRedirect only on the port 80 HTTP server');
    }
    const server = GatewayServer._create(port, protocol, name, hosts, httpsRedirect, tls);
    this._servers.push(server);
    return server;
  }

  /**
   * Whether a VirtualService in namespace `routeNamespace` may bind `host` to this gateway (Istio's
   * host matching: exact, `*.suffix` wildcards, `*`, and namespace scoping `ns/host`, `./host`, `*\/host`).
   *
   * @param host the VirtualService host, e.g. `shop.example.com`
   * @param routeNamespace the namespace of the VirtualService that binds it
   */
  public servesHost(host: string, routeNamespace: string): boolean {
    const gwNs = this.namespace;
    return this._servers.some((s) => s.hosts.some((h) => Gateway.hostMatches(h, host, routeNamespace, gwNs)));
  }

  /** @internal */
  public _toIstio(): net.GatewaySpec {
    return {
      selector: this.selector.toSelectorLabels(),
      servers: this._servers.map((s) => ({
        port: { number: s.port, protocol: s.protocol, name: s.name },
        hosts: [...s.hosts],
        tls: s.tls ? s.tls._render() : (s.httpsRedirect ? { httpsRedirect: true } : undefined),
      })),
    };
  }
}
