import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _isKubernetesServiceHost, _isWildcarded, _parseServiceFqdn, _serviceFqdn } from '../_naming';
import { _invalid, _suggestName, _validateHost, _validatePort } from '../_utils';
import { AuthorizationPolicy } from '../authorization-policy';
import { DestinationRule } from '../destination-rule';
import { IMeshDestination, ServiceHost } from '../host';
import { IMeshIdentity } from '../identity';
import { INamespaceRef, _namespaceName } from '../namespace-ref';
import { PolicyTargetRef } from '../policy-target';
import { PortProtocol } from '../protocol';
import { ServiceEntry, ServiceEntryResolution } from '../service-entry';
import { OutboundTrafficMode, Sidecar } from '../sidecar';
import { ClientTlsMode } from '../traffic-policy';
import { WaypointTrafficType } from '../waypoint';
import { IMeshWorkload } from '../workload';
import { AccessOptions, AccessRule } from './access-intent';
import { EgressGateway, _EgressTarget, _allowThroughEgress, _renderEgressCallerSide, _renderEgressGatewaySide } from './egress-gateway';
import { SecureNamespace } from './secure-namespace';

/**
 * How a workload talks to an external service.
 */
export enum ExternalProtocol {
  /** The app speaks TLS itself, and the proxy passes it through, routed by SNI. */
  TLS_PASSTHROUGH = 'TLS_PASSTHROUGH',
  /** The app speaks plain HTTP to port `httpPort`, and the proxy originates TLS to the real port. */
  TLS_ORIGINATION = 'TLS_ORIGINATION',
  /** Plain HTTP. */
  HTTP = 'HTTP',
  /** Opaque TCP. */
  TCP = 'TCP',
}

/**
 * Options for TLS origination to an external service.
 */
export interface TlsOriginationOptions {
  /**
   * The TLS port of the service.
   *
   * @default 443
   */
  readonly port?: number;
  /**
   * The plain-HTTP port the app calls (`http://api.stripe.com:80`).
   *
   * @default 80
   */
  readonly httpPort?: number;
  /**
   * CA bundle file in the proxy to verify the server (e.g. `/etc/ssl/certs/ca-certificates.crt`).
   * Either this or `credentialName` is required: origination without verification is refused.
   *
   * @default - none
   */
  readonly caCertificates?: string;
  /**
   * A Secret (`ca.crt`) in the caller's namespace with the CA bundle (and client certificate for mTLS).
   *
   * @default - none
   */
  readonly credentialName?: string;
}

/**
 * A service outside the mesh that workloads depend on. Rendered as a ServiceEntry (plus a
 * DestinationRule when the proxy originates TLS) in each caller namespace, visible only there; or, with
 * `throughEgressGateway()`, routed through an egress gateway that lets only the declared callers out.
 *
 * @example
 * ExternalService.tls('api.stripe.com');
 * ExternalService.originateTls('api.stripe.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' });
 * ExternalService.originateTls('edition.cnn.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' })
 *   .throughEgressGateway(EgressGateway.istio());   // TLS originated at the gateway
 */
export class ExternalService {
  /**
   * The app speaks TLS to `host:port`; the proxy passes it through (SNI).
   *
   * Renders a ServiceEntry port of protocol `TLS`.
   *
   * @param host the external host name, e.g. `api.stripe.com` (not a cluster Service), or a `*.` wildcard such as
   *   `*.wikipedia.org` (matched by SNI; rendered with resolution NONE)
   * @param port the TLS port
   */
  public static tls(host: string, port: number = 443): ExternalService {
    return new ExternalService(host, ExternalProtocol.TLS_PASSTHROUGH, _validatePort('port', port), undefined, {});
  }

  /**
   * The app speaks HTTP; the sidecar originates TLS to `host` and verifies it against a CA.
   *
   * Renders a ServiceEntry port `httpPort` (HTTP, `targetPort` the TLS `port`) and a DestinationRule
   * whose `portLevelSettings` for it set `tls.mode: SIMPLE` and `sni: <host>`.
   *
   * @param host the external host name, e.g. `api.stripe.com` (not a cluster Service)
   * @param options the TLS port (default 443), the plain port the app calls (default 80), and the CA to
   * verify the server with (`caCertificates` or `credentialName`, one is required)
   */
  public static originateTls(host: string, options: TlsOriginationOptions): ExternalService {
    if (!options || (!options.caCertificates && !options.credentialName)) {
      throw _invalid('caCertificates', options?.caCertificates, 'TLS origination without CA verification accepts any certificate (a man in the middle would go unnoticed)',
        'set caCertificates: "/etc/ssl/certs/ca-certificates.crt" (the proxy image\'s system CAs) or credentialName: "<secret with ca.crt>"');
    }
    const port = _validatePort('port', options.port ?? 443);
    const httpPort = _validatePort('httpPort', options.httpPort ?? 80);
    if (port === httpPort) throw _invalid('httpPort', httpPort, 'it equals the TLS port', 'use 80 for the plain side and 443 for TLS');
    return new ExternalService(host, ExternalProtocol.TLS_ORIGINATION, port, httpPort, options);
  }

  /**
   * Plain HTTP to `host:port` (a ServiceEntry port of protocol `HTTP`).
   *
   * @param host the external host name, e.g. `example.com` (not a cluster Service)
   * @param port the HTTP port
   */
  public static http(host: string, port: number = 80): ExternalService {
    return new ExternalService(host, ExternalProtocol.HTTP, _validatePort('port', port), undefined, {});
  }

  /**
   * Opaque TCP to `host:port` (a ServiceEntry port of protocol `TCP`).
   *
   * @param host the external host name, e.g. `db.example.com` (not a cluster Service)
   * @param port the TCP port, e.g. 5432
   */
  public static tcp(host: string, port: number): ExternalService {
    return new ExternalService(host, ExternalProtocol.TCP, _validatePort('port', port), undefined, {});
  }

  private constructor(
    /** The external host. */
    public readonly host: string,
    /** How the app talks to it. */
    public readonly protocol: ExternalProtocol,
    /** The service port. */
    public readonly port: number,
    /** The plain port the app calls (TLS origination). */
    public readonly httpPort: number | undefined,
    private readonly tlsOptions: TlsOriginationOptions,
    /** The egress gateway the calls leave through (`throughEgressGateway()`); undefined: straight from the caller's proxy. */
    public readonly egressGateway?: EgressGateway,
  ) {
    _validateHost('host', host, true, true);
    if (_isKubernetesServiceHost(host)) {
      throw _invalid('host', host, 'it is a Service of the cluster, not an external service', 'use dependsOn(caller, ServiceHost.inNamespace(namespace, name))');
    }
    if (this.isWildcard && (protocol === ExternalProtocol.TCP || protocol === ExternalProtocol.TLS_ORIGINATION)) {
      throw _invalid('host', host, protocol === ExternalProtocol.TCP
        ? 'plain TCP carries no host name, so a wildcard host cannot tell the allowed hosts apart'
        : 'TLS origination resolves one host name by DNS, which a wildcard is not',
      'name the host (e.g. "en.wikipedia.org"); wildcard hosts work with ExternalService.tls() (by SNI) and http() (by Host header)');
    }
  }

  /**
   * The same external service, reached through an egress gateway (Istio's egress-gateway task): the caller's
   * sidecar sends to the gateway over mutual TLS, and the gateway sends to the host, originating TLS itself
   * for `originateTls()` services. `MeshDependencies.dependsOnExternal()` then renders, in the caller's
   * namespace, the ServiceEntry, the mesh hop of the two-hop VirtualService and the DestinationRule for the
   * gateway subset; in the gateway's namespace, the ServiceEntry, the Gateway, the gateway hop, the
   * TLS-originating DestinationRule, and an AuthorizationPolicy on the gateway pods that lets only the
   * declared callers (their identities) out to the host.
   *
   * HTTP services only (`http()`, `originateTls()`): the gateway checks the caller's identity on the mutual
   * TLS hop and routes by the HTTP host.
   *
   * @param gateway the egress gateway install
   */
  public throughEgressGateway(gateway: EgressGateway = EgressGateway.istio()): ExternalService {
    if (!(gateway instanceof EgressGateway)) {
      throw _invalid('gateway', gateway, 'it is not an EgressGateway', 'use EgressGateway.istio() or EgressGateway.istio({ namespace, serviceName, selector })');
    }
    if (this.protocol !== ExternalProtocol.HTTP && this.protocol !== ExternalProtocol.TLS_ORIGINATION) {
      throw _invalid('external', this.host, `an egress gateway route is for HTTP (the gateway checks the caller's identity on a mutual-TLS hop and routes by HTTP host), not ${this.protocol}`,
        `let the app speak HTTP and the gateway originate TLS: ExternalService.originateTls('${this.host}', { caCertificates }).throughEgressGateway()`);
    }
    if (this.isWildcard) {
      throw _invalid('external', this.host, 'the egress gateway serves, routes and authorizes one named host', 'name the host (e.g. "en.wikipedia.org")');
    }
    return new ExternalService(this.host, this.protocol, this.port, this.httpPort, this.tlsOptions, gateway);
  }

  /** True for a `*.` wildcard host (rendered with resolution NONE: the original destination is kept). */
  private get isWildcard(): boolean {
    return _isWildcarded(this.host);
  }

  /** @internal */
  public _key(): string {
    return `${this.host}:${this.port}:${this.protocol}${this.egressGateway ? `:via:${this.egressGateway._key()}` : ''}`;
  }

  /** What the egress-gateway renderers need. @internal */
  public get _egressTarget(): _EgressTarget {
    const originate = this.protocol === ExternalProtocol.TLS_ORIGINATION;
    return {
      host: this.host,
      httpPort: originate ? this.httpPort! : this.port,
      tlsPort: originate ? this.port : undefined,
      caCertificates: this.tlsOptions.caCertificates,
      credentialName: this.tlsOptions.credentialName,
    };
  }

  /** True when the proxy originates TLS (needs an Envoy on the path: a sidecar or a waypoint). @internal */
  public get _originatesTls(): boolean {
    return this.protocol === ExternalProtocol.TLS_ORIGINATION;
  }

  /** @internal */
  public _render(scope: Construct, id: string, namespace: string, labels?: { [key: string]: string }): ServiceEntry {
    const name = _suggestName(this.isWildcard ? `wildcard-${this.host.slice(2)}` : this.host, 200);
    const portProtocol = {
      [ExternalProtocol.TLS_PASSTHROUGH]: PortProtocol.TLS,
      [ExternalProtocol.TLS_ORIGINATION]: PortProtocol.HTTP,
      [ExternalProtocol.HTTP]: PortProtocol.HTTP,
      [ExternalProtocol.TCP]: PortProtocol.TCP,
    }[this.protocol];
    const number = this.protocol === ExternalProtocol.TLS_ORIGINATION ? this.httpPort! : this.port;
    const serviceEntry = new ServiceEntry(scope, `${id}-ServiceEntry`, {
      metadata: { name, namespace, labels },
      hosts: [this.host],
      ports: [{ number, protocol: portProtocol, targetPort: this.protocol === ExternalProtocol.TLS_ORIGINATION ? this.port : undefined }],
      resolution: this.isWildcard ? ServiceEntryResolution.NONE : ServiceEntryResolution.DNS,
      exportTo: ['.'],
    });
    if (this.protocol === ExternalProtocol.TLS_ORIGINATION) {
      new DestinationRule(scope, `${id}-DestinationRule`, {
        metadata: { name: `${name}-tls`, namespace },
        host: ServiceHost.external(this.host),
        exportTo: ['.'],
        trafficPolicy: {
          portLevelSettings: [{
            port: number,
            tls: {
              mode: ClientTlsMode.SIMPLE,
              sni: this.host,
              caCertificates: this.tlsOptions.caCertificates,
              credentialName: this.tlsOptions.credentialName,
            },
          }],
        },
      });
    }
    return serviceEntry;
  }
}

/**
 * Options of `dependsOn()`: what the caller may do on the callee (rendered into the callee namespace's
 * AuthorizationPolicy when it is a SecureNamespace of the app).
 */
export interface DependencyOptions extends AccessOptions {
  /**
   * The callee's pods, when the callee destination is not itself a workload (e.g. a `ServiceHost`).
   *
   * @default - the callee, when it is a workload (a CanaryService)
   */
  readonly workload?: IMeshWorkload;
}

/**
 * Props for `MeshDependencies`.
 */
export interface MeshDependenciesProps {
  /**
   * Namespaces whose callers may reach only their declared dependencies (`REGISTRY_ONLY` egress): a
   * `SecureNamespace`, `NamespaceRef.fromNamespace(namespace)` or `NamespaceRef.named(name)`.
   *
   * @default - none: unknown hosts stay reachable (the mesh default)
   */
  readonly registryOnlyNamespaces?: INamespaceRef[];
  /**
   * Hosts every sidecar keeps in scope (the control plane and telemetry backends).
   *
   * @default ["istio-system/*"]
   */
  readonly alwaysVisible?: string[];
}

/**
 * Dependencies as code: one graph per app. Each `dependsOn(caller, callee)` renders, consistently:
 * the caller's `Sidecar` egress scope (its dependencies plus `istio-system/*`, so its proxy carries a
 * fraction of the mesh's configuration), the callee's AuthorizationPolicy allow rule (through the callee
 * namespace's SecureNamespace, so the two sides never drift), and, with `dependsOnExternal()`,
 * ServiceEntries for external services.
 *
 * Ambient namespaces (a SecureNamespace enrolled with `MeshEnrolment.ambient()`, defined before the
 * dependency) get no Sidecar: it has no effect there (istioctl analyze IST0167). The callee's rule is then
 * enforced by ztunnel (a `selector` policy with sources and ports only) or, when the callee namespace has
 * a waypoint, by the waypoint (`targetRefs` to the callee's Service), which ztunnel lets through. An
 * ambient caller's external services are routed through its namespace waypoint when it has one (the
 * ServiceEntry is labelled `istio.io/use-waypoint`), and allowed there for the caller when the namespace
 * denies by default; TLS origination needs that waypoint (ztunnel forwards bytes, it does not originate TLS).
 *
 * @example
 * const deps = new MeshDependencies(chart, 'deps', { registryOnlyNamespaces: [NamespaceRef.named('shop')] });
 * deps.dependsOn(MeshWorkload.fromWorkload(frontend), catalog, { methods: [HttpMethod.GET] });
 * deps.dependsOnExternal(catalog, ExternalService.tls('api.stripe.com'));
 */
export class MeshDependencies extends Construct {
  private readonly registryOnly: Set<string>;
  private readonly alwaysVisible: string[];
  private readonly sidecars = new Map<string, Sidecar>();
  private readonly externals = new Map<string, ServiceEntry>();
  private readonly egressPolicies = new Map<string, AuthorizationPolicy>();
  /** Caller namespaces (with the external service) whose egress-gateway objects are rendered. */
  private readonly viaGateway = new Set<string>();
  /** The egress gateway's AuthorizationPolicy per external service and gateway. */
  private readonly egressGatewayPolicies = new Map<string, AuthorizationPolicy>();
  private readonly internalHosts: Array<{ host: string; where: string }> = [];
  /** The data plane each caller namespace was rendered for (true: ambient), checked again at synth. */
  private readonly renderedFor = new Map<string, boolean>();

  /**
   * Starts an empty dependency graph (declare edges with `dependsOn()` and `dependsOnExternal()`).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props namespaces whose callers may reach only registered hosts (`outboundTrafficPolicy:
   * REGISTRY_ONLY`, default none) and hosts every caller sees (default `istio-system/*`)
   */
  constructor(scope: Construct, id: string, props: MeshDependenciesProps = {}) {
    super(scope, id);
    this.registryOnly = new Set((props.registryOnlyNamespaces ?? []).map((n) => _namespaceName('registryOnlyNamespaces', n)));
    this.alwaysVisible = [...(props.alwaysVisible ?? ['istio-system/*'])];
    for (const h of this.alwaysVisible) Sidecar._validateEgressHost(h);
    this.node.addValidation({ validate: () => [...this.validateTargets(), ...this.validateDataPlanes()] });
  }

  /**
   * Declares that `caller` calls `callee` (a CanaryService, a `ServiceHost.inNamespace()` Service of the app).
   * Repeating a dependency is a no-op; cycles are fine.
   *
   * @param caller the calling workload, with a known namespace and service account (e.g.
   * `MeshWorkload.fromWorkload(deployment)`); its Sidecar gets the callee in `egress[].hosts` (none in an
   * ambient namespace)
   * @param callee the called Service of this cluster (a CanaryService or `ServiceHost.inNamespace(namespace, name)`)
   * @param options what the caller may do (methods, paths, ports, ...) and the callee's pods when the
   * callee is not itself a workload
   * @returns the allow rule added to the callee's SecureNamespace policy, or undefined when the callee
   * namespace is not a SecureNamespace of this app
   */
  public dependsOn(caller: IMeshWorkload, callee: IMeshDestination, options: DependencyOptions = {}): AccessRule | undefined {
    const sidecar = this.isAmbient(this.callerNamespace(caller)) ? undefined : this.sidecarFor(caller);
    const host = callee.toMeshDestination().host;
    const service = _parseServiceFqdn(host);
    if (!service) {
      throw _invalid('callee', host, 'it is not a Service of the cluster', 'declare external services with dependsOnExternal(caller, ExternalService.tls(host))');
    }
    const calleeNs = service.namespace;
    sidecar?.addEgressHosts(`${calleeNs}/${host}`);
    // a callee that is a construct of the app (a CanaryService) exists by definition; only value hosts
    // (ServiceHost.inNamespace) are looked up at synth
    if (!(callee instanceof Construct)) this.internalHosts.push({ host, where: `${caller.workloadKey} -> ${host}` });

    const secure = SecureNamespace._lookup(this, calleeNs);
    if (!secure) return undefined; // the callee namespace is not locked down by this app: nothing to allow
    const workload = options.workload ?? (typeof (callee as any).toSelectorLabels === 'function' ? callee as unknown as IMeshWorkload : undefined);
    if (!workload) {
      throw _invalid('workload', undefined, `namespace ${calleeNs} is a SecureNamespace, so the callee's pods must be known to allow the call`,
        'pass options.workload (e.g. MeshWorkload.fromWorkload(deployment)), or a callee that is a workload (CanaryService)');
    }
    const { workload: _w, ...access } = options;
    // ambient callee: SecureNamespace places the rule at ztunnel (selector, L4 only) or at the waypoint (targetRefs)
    return secure.grantAccess(this.callerIdentity(caller), workload, access);
  }

  /**
   * Declares that `caller` calls an external service: a ServiceEntry (and, for TLS origination, a
   * DestinationRule) in the caller's namespace, and the host in the caller's egress scope.
   *
   * The ServiceEntry has `resolution: DNS` and `exportTo: ["."]`; one per external service and namespace.
   * In an ambient namespace with a waypoint (for service traffic) the ServiceEntry is labelled
   * `istio.io/use-waypoint: <waypoint>`, so the waypoint is the egress proxy (Istio's ambient egress
   * gateway), and, when the namespace denies by default, an AuthorizationPolicy attached to the
   * ServiceEntry (`allow-egress-<entry>`) lets the caller through it.
   *
   * @param caller the calling workload, with a known namespace
   * @param external the external service, e.g. `ExternalService.tls('api.stripe.com')`
   */
  public dependsOnExternal(caller: IMeshWorkload, external: ExternalService): void {
    if (external.egressGateway) return this.dependsThroughEgressGateway(caller, external, external.egressGateway);
    const ns = this.callerNamespace(caller);
    const secure = this.isAmbient(ns) ? SecureNamespace._lookup(this, ns)! : undefined;
    // a waypoint for workload traffic only does not take service (and ServiceEntry) traffic
    const forServices = [WaypointTrafficType.SERVICE, WaypointTrafficType.ALL];
    const waypoint = secure?.waypoint && forServices.includes(secure.waypoint.trafficType) ? secure.waypoint : undefined;
    if (secure && !waypoint && external._originatesTls) {
      throw _invalid('external', external.host, `namespace ${ns} is ambient without a waypoint for service traffic, and ztunnel forwards bytes: it cannot originate TLS`,
        `enrol ${ns} with MeshEnrolment.ambient({ waypoint: true }) (the waypoint originates TLS), or let the app speak TLS with ExternalService.tls('${external.host}')`);
    }
    if (!secure) this.sidecarFor(caller).addEgressHosts(`./${external.host}`);
    const key = `${ns}/${external._key()}`;
    let entry = this.externals.get(key);
    if (!entry) {
      entry = external._render(this, `External-${ns}-${_suggestName(external.host, 60)}-${external.port}`, ns,
        waypoint ? { 'istio.io/use-waypoint': waypoint.name } : undefined);
      this.externals.set(key, entry);
    }
    if (waypoint && secure!.waypointDenyAll) this.allowEgress(entry, this.callerIdentity(caller));
  }

  /**
   * `dependsOnExternal()` for a service reached through an egress gateway: the caller namespace's objects once
   * per namespace, the gateway's once per app, and the caller's identity allowed at the gateway.
   */
  private dependsThroughEgressGateway(caller: IMeshWorkload, external: ExternalService, gateway: EgressGateway): void {
    const ns = this.callerNamespace(caller);
    if (this.isAmbient(ns)) {
      throw _invalid('external', external.host, `namespace ${ns} is ambient: its egress proxy is the namespace waypoint, and an egress gateway route needs the caller's sidecar`,
        'declare the external service without throughEgressGateway(): it is routed through the namespace waypoint (MeshEnrolment.ambient({ waypoint: true }))');
    }
    if (ns === gateway.namespace) {
      throw _invalid('caller', caller.workloadKey, `it runs in the egress gateway's namespace ${ns}, whose objects for ${external.host} are the gateway's`,
        'run the caller in its own namespace');
    }
    const identity = this.callerIdentity(caller); // the gateway lets out only known identities
    const target = external._egressTarget;
    this.sidecarFor(caller).addEgressHosts(`./${external.host}`, `${gateway.namespace}/${gateway.serviceHost}`);
    const id = `${_suggestName(external.host, 60)}-${external.port}`;
    const key = `${ns}/${external._key()}`;
    if (!this.viaGateway.has(key)) {
      this.viaGateway.add(key);
      _renderEgressCallerSide(this, `Egress-${ns}-${id}`, ns, target, gateway);
    }
    const gwKey = external._key();
    let policy = this.egressGatewayPolicies.get(gwKey);
    if (!policy) {
      policy = _renderEgressGatewaySide(this, `EgressGateway-${gateway.namespace}-${gateway.serviceName}-${id}`, target, gateway);
      this.egressGatewayPolicies.set(gwKey, policy);
    }
    _allowThroughEgress(policy, identity, target);
  }

  /**
   * The Sidecar that scopes `caller`'s egress, once it has a dependency (undefined before, and for
   * callers in ambient namespaces, which have no sidecar).
   *
   * @param caller a workload given to `dependsOn()` or `dependsOnExternal()`
   */
  public sidecarOf(caller: IMeshWorkload): Sidecar | undefined {
    return this.sidecars.get(`${caller.workloadNamespace}/${caller.workloadKey}`);
  }

  /** The caller's namespace (required), with its data plane decided once and checked again at synth. */
  private callerNamespace(caller: IMeshWorkload): string {
    const ns = caller.workloadNamespace;
    if (!ns) {
      throw _invalid('caller', caller.workloadKey, 'its namespace is unknown, so its Sidecar cannot be placed',
        'use MeshWorkload.fromWorkload(deployment) in a chart with a namespace, or MeshWorkload.labels(labels, { namespace })');
    }
    const ambient = this.isAmbient(ns);
    if (ambient && this.registryOnly.has(ns)) {
      throw _invalid('registryOnlyNamespaces', ns, 'the namespace is ambient: REGISTRY_ONLY is a Sidecar setting, and ztunnel does not enforce an outbound traffic policy',
        `drop "${ns}" from registryOnlyNamespaces; in ambient, block unknown hosts with a Kubernetes NetworkPolicy (ztunnel passes traffic to hosts without a ServiceEntry straight through)`);
    }
    if (!this.renderedFor.has(ns)) this.renderedFor.set(ns, ambient);
    return ns;
  }

  private isAmbient(namespace: string): boolean {
    return SecureNamespace._lookup(this, namespace)?.enrolment.isAmbient ?? false;
  }

  private callerIdentity(caller: IMeshWorkload) {
    if (!caller.workloadIdentity) {
      throw _invalid('caller', caller.workloadKey, 'its identity (service account) is unknown, so the callee cannot allow it',
        'use MeshWorkload.fromWorkload(deployment) with a namespace, or MeshWorkload.labels(labels, { namespace, serviceAccountName })');
    }
    return caller.workloadIdentity;
  }

  /** The waypoint of a default-deny ambient namespace lets `caller` reach the external `entry`. */
  private allowEgress(entry: ServiceEntry, caller: IMeshIdentity): void {
    const key = `${entry.namespace}/${entry.name}`;
    let policy = this.egressPolicies.get(key);
    if (!policy) {
      policy = new AuthorizationPolicy(this, `AllowEgress-${entry.namespace}-${entry.name}`, {
        metadata: { name: _suggestName(`allow-egress-${entry.name}`, 253), namespace: entry.namespace },
        targetRefs: [PolicyTargetRef.serviceEntry(entry.name)],
      });
      this.egressPolicies.set(key, policy);
    }
    policy.addRule({ from: [caller] }); // a repeated caller is a no-op
  }

  private sidecarFor(caller: IMeshWorkload): Sidecar {
    const key = `${caller.workloadNamespace}/${caller.workloadKey}`;
    let sidecar = this.sidecars.get(key);
    if (!sidecar) {
      sidecar = new Sidecar(this, `Sidecar-${caller.workloadNamespace}-${caller.workloadKey}`, {
        metadata: { name: _suggestName(caller.workloadKey, 253), namespace: caller.workloadNamespace },
        selector: caller,
        outboundTrafficMode: this.registryOnly.has(caller.workloadNamespace!) ? OutboundTrafficMode.REGISTRY_ONLY : undefined,
      });
      sidecar.addEgressHosts(...this.alwaysVisible);
      this.sidecars.set(key, sidecar);
    }
    return sidecar;
  }

  /** A caller namespace whose data plane changed after its dependencies were rendered (a SecureNamespace defined later). */
  private validateDataPlanes(): string[] {
    const errors: string[] = [];
    for (const [ns, ambient] of this.renderedFor) {
      if (this.isAmbient(ns) === ambient) continue;
      errors.push(_invalid('caller', `namespace ${ns}`, ambient
        ? 'its dependencies were rendered for ambient, but it is no longer ambient'
        : 'it is ambient (its SecureNamespace was defined after dependsOn()), but its dependencies were rendered for sidecars: a Sidecar has no effect in an ambient namespace (IST0167)',
      `define the SecureNamespace of "${ns}" (or call SecureNamespace.of(scope, "${ns}", { enrolment })) before declaring its dependencies`).message);
    }
    return errors;
  }

  /** Every internal callee must be a Service (or ServiceEntry) of the app: one pass builds the index. */
  private validateTargets(): string[] {
    if (this.internalHosts.length === 0) return [];
    const known = new Set<string>();
    const visit = (c: IConstruct) => {
      if (ApiObject.isApiObject(c) && c.apiVersion === 'v1' && c.kind === 'Service') {
        // any Service object: created by a CanaryService, a cdk8s-plus Service's, or written raw
        const ns = c.metadata.namespace;
        if (ns) known.add(_serviceFqdn(c.name, ns));
      } else if (c instanceof ServiceEntry) {
        c.hosts.forEach((h) => known.add(h));
      }
      for (const child of c.node.children) visit(child);
    };
    visit(this.node.root);
    const missing = new Map<string, string>();
    for (const { host, where } of this.internalHosts) if (!known.has(host) && !missing.has(host)) missing.set(host, where);
    return [...missing.entries()].map(([host, where]) =>
      `Invalid dependency ${where}: "${host}" is neither a Service of this app nor declared external. Fix: define the Service in the app, or declare it with dependsOnExternal(caller, ExternalService...)`);
  }
}
