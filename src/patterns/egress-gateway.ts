import { Construct } from 'constructs';
import { _serviceFqdn } from '../_naming';
import { _invalid, _suggestName, _validateDnsLabel, _validateLabels, _validatePort } from '../_utils';
import { AuthorizationPolicy } from '../authorization-policy';
import { DestinationRule } from '../destination-rule';
import { Gateway, GatewayProtocol, GatewayTls } from '../gateway';
import { GatewayBinding } from '../gateway-binding';
import { IMeshDestination, MeshDestinationConfig, ServiceHost } from '../host';
import { IMeshIdentity } from '../identity';
import { HttpMatch } from '../match';
import { PortProtocol } from '../protocol';
import { ServiceEntry, ServiceEntryPort, ServiceEntryResolution } from '../service-entry';
import { ClientTlsMode } from '../traffic-policy';
import { VirtualService } from '../virtual-service';
import { MeshWorkload } from '../workload';

/**
 * Where an egress gateway runs: its namespace, Service and pods.
 */
export interface EgressGatewayProps {
  /**
   * The gateway's namespace (its Service, pods, and the Gateway, routes and policy defined for it).
   *
   * @default "istio-system"
   */
  readonly namespace?: string;
  /**
   * The gateway's Service name.
   *
   * @default "istio-egressgateway"
   */
  readonly serviceName?: string;
  /**
   * The labels of the gateway's pods (the Gateway's `selector`, the AuthorizationPolicy's `selector`).
   *
   * @default { istio: "egressgateway" }
   */
  readonly selector?: { [key: string]: string };
  /**
   * The gateway Service port the sidecars send to, over mutual TLS with the mesh certificates (the Gateway
   * server's port, as in Istio's egress-gateway TLS-origination task).
   *
   * @default 80
   */
  readonly port?: number;
}

/**
 * An egress gateway install (Istio's `istio-egressgateway` by default): the exit that
 * `ExternalService...throughEgressGateway()` routes external calls through.
 *
 * @example
 * EgressGateway.istio();                                               // istio-system/istio-egressgateway, istio: egressgateway
 * EgressGateway.istio({ namespace: 'istio-egress', serviceName: 'egress', selector: { app: 'egress' } });
 */
export class EgressGateway {
  /**
   * The egress gateway of an Istio install (the defaults match `istioctl install --set
   * components.egressGateways[0].enabled=true` and the `istio/gateway` Helm chart installed as
   * `istio-egressgateway` in `istio-system` with label `istio: egressgateway`).
   *
   * @param props namespace, Service name, pod labels and the port the sidecars send to
   */
  public static istio(props: EgressGatewayProps = {}): EgressGateway {
    const namespace = _validateDnsLabel('namespace', props.namespace ?? 'istio-system');
    const serviceName = _validateDnsLabel('serviceName', props.serviceName ?? 'istio-egressgateway');
    const selector = { ...(props.selector ?? { istio: 'egressgateway' }) };
    if (Object.keys(selector).length === 0) {
      throw _invalid('selector', selector, 'an empty selector matches every pod of the namespace', 'give the gateway pods\' labels, e.g. { istio: "egressgateway" }');
    }
    _validateLabels('selector', selector);
    const port = _validatePort('port', props.port ?? 80, 'give a port of the gateway Service, e.g. 80');
    return new EgressGateway(namespace, serviceName, selector, port);
  }

  private constructor(
    /** The gateway's namespace. */
    public readonly namespace: string,
    /** The gateway's Service name. */
    public readonly serviceName: string,
    /** The gateway pods' labels. */
    public readonly selector: { [key: string]: string },
    /** The gateway Service port the sidecars send to. */
    public readonly port: number,
  ) {}

  /** The gateway Service's FQDN, e.g. `istio-egressgateway.istio-system.svc.cluster.local`. */
  public get serviceHost(): string {
    return _serviceFqdn(this.serviceName, this.namespace);
  }

  /** @internal */
  public _key(): string {
    return `${this.namespace}/${this.serviceName}:${this.port}`;
  }
}

/** What the egress renderers need of an external service. @internal */
export interface _EgressTarget {
  readonly host: string;
  /** The plain HTTP port the app calls. */
  readonly httpPort: number;
  /** The TLS port the gateway originates TLS to; undefined: plain HTTP leaves the gateway. */
  readonly tlsPort?: number;
  readonly caCertificates?: string;
  readonly credentialName?: string;
}

/** The names of one external service's egress objects (derived from the host, the task's naming). */
function names(host: string) {
  const base = _suggestName(host, 40);
  return {
    entry: _suggestName(host, 200),
    subset: base,
    gateway: _suggestName(`egress-${host}`, 63),
    meshRoute: _suggestName(`direct-${host}-through-egress-gateway`, 253),
    gatewayRoute: _suggestName(`${host}-from-egress-gateway`, 253),
    gatewayRule: _suggestName(`egressgateway-for-${host}`, 253),
    tlsRule: _suggestName(`originate-tls-for-${host}`, 253),
    policy: _suggestName(`allow-egress-${host}`, 253),
  };
}

/** The external host's ServiceEntry: the HTTP port the app calls, plus the TLS port when the gateway originates TLS. */
function serviceEntry(scope: Construct, id: string, namespace: string, t: _EgressTarget): ServiceEntry {
  const ports: ServiceEntryPort[] = [{ number: t.httpPort, protocol: PortProtocol.HTTP, name: 'http-port' }];
  if (t.tlsPort !== undefined) ports.push({ number: t.tlsPort, protocol: PortProtocol.HTTPS, name: 'https' });
  return new ServiceEntry(scope, id, {
    metadata: { name: names(t.host).entry, namespace },
    hosts: [t.host],
    ports,
    resolution: ServiceEntryResolution.DNS,
    exportTo: ['.'],
  });
}

/** A destination with host, subset and port (the gateway subset on the gateway's port). */
function destination(config: MeshDestinationConfig): IMeshDestination {
  return { toMeshDestination: () => config };
}

/**
 * The caller namespace's half of Istio's egress-gateway task, all exported to the namespace only: the
 * ServiceEntry, the first hop of the two-hop VirtualService (`mesh`, port `httpPort` -> the gateway subset
 * on the gateway port) and the DestinationRule for the gateway host, whose subset (no labels: every gateway
 * pod) sends with mutual TLS and the external host as SNI.
 * @internal
 */
export function _renderEgressCallerSide(scope: Construct, id: string, namespace: string, t: _EgressTarget, gw: EgressGateway): void {
  const n = names(t.host);
  serviceEntry(scope, `${id}-ServiceEntry`, namespace, t);
  const rule = new DestinationRule(scope, `${id}-EgressGatewayRule`, {
    metadata: { name: n.gatewayRule, namespace },
    host: ServiceHost.inNamespace(gw.namespace, gw.serviceName),
    exportTo: ['.'],
  });
  rule.addSubset(n.subset, {}, { portLevelSettings: [{ port: gw.port, tls: { mode: ClientTlsMode.ISTIO_MUTUAL, sni: t.host } }] });
  const mesh = GatewayBinding.mesh();
  new VirtualService(scope, `${id}-EgressRoute`, {
    metadata: { name: n.meshRoute, namespace },
    hosts: [t.host],
    gateways: [mesh],
    exportTo: ['.'],
    http: [{
      match: [HttpMatch.of({ gateways: [mesh], port: t.httpPort })],
      destinations: [{ destination: destination({ host: gw.serviceHost, subset: n.subset, port: gw.port }) }],
    }],
  });
}

/**
 * The gateway namespace's half, defined once per external service and gateway: the ServiceEntry (so the
 * gateway knows the host), the Gateway (an HTTPS server in ISTIO_MUTUAL mode for the host: only mesh
 * workloads reach it, and their identities are known), the second hop (the gateway -> the external host,
 * on its TLS port when the gateway originates TLS, with the DestinationRule that does it), and an ALLOW
 * AuthorizationPolicy on the gateway pods to which `_allowThroughEgress` adds each caller.
 * @internal
 */
export function _renderEgressGatewaySide(scope: Construct, id: string, t: _EgressTarget, gw: EgressGateway): AuthorizationPolicy {
  const n = names(t.host);
  const ns = gw.namespace;
  serviceEntry(scope, `${id}-ServiceEntry`, ns, t);
  new Gateway(scope, `${id}-Gateway`, {
    metadata: { name: n.gateway, namespace: ns },
    selector: MeshWorkload.labels(gw.selector),
    servers: [{
      port: gw.port,
      protocol: GatewayProtocol.HTTPS,
      name: t.tlsPort !== undefined ? 'https-port-for-tls-origination' : 'https-mtls',
      hosts: [t.host],
      tls: GatewayTls.istioMutual(),
    }],
  });
  const binding = GatewayBinding.of(ns, n.gateway);
  new VirtualService(scope, `${id}-Route`, {
    metadata: { name: n.gatewayRoute, namespace: ns },
    hosts: [t.host],
    gateways: [binding],
    exportTo: ['.'],
    http: [{
      match: [HttpMatch.of({ gateways: [binding], port: gw.port })],
      destinations: [{ destination: ServiceHost.external(t.host).withPort(t.tlsPort ?? t.httpPort) }],
    }],
  });
  if (t.tlsPort !== undefined) {
    new DestinationRule(scope, `${id}-OriginateTls`, {
      metadata: { name: n.tlsRule, namespace: ns },
      host: ServiceHost.external(t.host),
      exportTo: ['.'],
      trafficPolicy: {
        portLevelSettings: [{
          port: t.tlsPort,
          tls: { mode: ClientTlsMode.SIMPLE, sni: t.host, caCertificates: t.caCertificates, credentialName: t.credentialName },
        }],
      },
    });
  }
  return new AuthorizationPolicy(scope, `${id}-Allow`, {
    metadata: { name: n.policy, namespace: ns },
    selector: MeshWorkload.labels(gw.selector, { namespace: ns }),
  });
}

/**
 * Lets `caller` leave through the egress gateway toward `t.host`: one ALLOW rule with the caller's
 * principal (known at the gateway thanks to the mutual-TLS hop) and the host, with and without the port.
 * @internal
 */
export function _allowThroughEgress(policy: AuthorizationPolicy, caller: IMeshIdentity, t: _EgressTarget): void {
  policy.addRule({ from: [caller], hosts: [t.host, `${t.host}:${t.httpPort}`] });
}
