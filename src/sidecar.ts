import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _splitNamespacedHost } from './_naming';
import { _invalid, _validateDnsLabel, _validateHost, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as net from './imports/istio-networking.istio.io';
import { PortProtocol } from './protocol';
import { IMeshWorkload } from './workload';

/**
 * What a sidecar does with traffic to hosts not in Istio's registry.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/#OutboundTrafficPolicy-Mode
 */
export enum OutboundTrafficMode {
  /** Block calls to hosts without a Service or ServiceEntry (egress allow-listing). */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
  /** Pass calls to unknown hosts through (Istio's default). */
  ALLOW_ANY = 'ALLOW_ANY',
}

/**
 * A port of a Sidecar egress or ingress listener.
 */
export interface SidecarPort {
  /** Port number (1–65535). */
  readonly number: number;
  /** Protocol. */
  readonly protocol: PortProtocol;
  /**
   * Port name.
   *
   * @default - `<protocol>-<number>`
   */
  readonly name?: string;
}

/**
 * An egress listener: the hosts the workload may reach (on a port, or on every port).
 */
export interface SidecarEgressOptions {
  /**
   * Hosts in `namespace/host` form: `shop/catalog.shop.svc.cluster.local`, `./*` (own namespace),
   * `istio-system/*`, `*\/api.stripe.com`, `~/*` (nothing).
   */
  readonly hosts: string[];
  /**
   * Restrict the listener to one port.
   *
   * @default - every port (the catch-all listener; only one, and it comes last)
   */
  readonly port?: SidecarPort;
}

/**
 * An ingress listener (inbound port of the workload).
 */
export interface SidecarIngressOptions {
  /** The inbound port. */
  readonly port: SidecarPort;
  /**
   * Where the sidecar forwards inbound traffic (`127.0.0.1:8080`, `0.0.0.0:8080`, `unix://...`).
   *
   * @default - the port on the pod IP
   */
  readonly defaultEndpoint?: string;
}

/**
 * Props for `Sidecar`.
 */
export interface SidecarProps extends IstioResourceProps {
  /**
   * The workloads this Sidecar applies to.
   *
   * @default - every workload of the namespace without a more specific Sidecar (at most one per namespace)
   */
  readonly selector?: IMeshWorkload;
  /**
   * Egress listeners (more with `addEgress()`/`addEgressHosts()`).
   *
   * @default - none
   */
  readonly egress?: SidecarEgressOptions[];
  /**
   * Ingress listeners (more with `addIngress()`).
   *
   * @default - none
   */
  readonly ingress?: SidecarIngressOptions[];
  /**
   * Outbound policy for unknown hosts.
   *
   * @default - the mesh default (`meshConfig.outboundTrafficPolicy`, ALLOW_ANY unless changed)
   */
  readonly outboundTrafficMode?: OutboundTrafficMode;
}

/**
 * A Sidecar (`networking.istio.io/v1`): scopes what a workload's proxy knows about (egress hosts), so
 * its configuration stays small in a large mesh, and optionally blocks unknown hosts (REGISTRY_ONLY).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/sidecar/
 * @example
 * new Sidecar(chart, 'frontend-scope', {
 *   selector: MeshWorkload.fromWorkload(frontend),
 *   egress: [{ hosts: ['./catalog.shop.svc.cluster.local', 'istio-system/*'] }],
 *   outboundTrafficMode: OutboundTrafficMode.REGISTRY_ONLY,
 * });
 */
export class Sidecar extends IstioResource {
  /**
   * Throws unless `host` is a Sidecar egress host: `<namespace>/<dns name>` with namespace a name, `.`,
   * `*` or `~`, and the name an FQDN, a `*.` wildcard or `*`.
   *
   * @internal
   */
  public static _validateEgressHost(host: string): void {
    const parts = _splitNamespacedHost(typeof host === 'string' ? host : '');
    if (!parts.explicit) {
      throw _invalid('egress hosts', host, 'a Sidecar egress host needs a namespace part ("namespace/host")',
        `write "*/${host}" (any namespace), "./${host}" (own namespace) or "<namespace>/${host}"`);
    }
    const { namespace: ns, host: name } = parts;
    if (ns !== '.' && ns !== '*' && ns !== '~') {
      try {
        _validateDnsLabel('egress hosts namespace', ns);
      } catch {
        throw _invalid('egress hosts', host, `"${ns}" is not a namespace, ".", "*" or "~"`, 'use "<namespace>/<host>"');
      }
    }
    if (name === '*') return;
    _validateHost('egress hosts', name, true, false);
  }

  private static validatePort(prop: string, port: SidecarPort): void {
    _validatePort(`${prop}.number`, port.number);
    if (!Object.values(PortProtocol).includes(port.protocol)) {
      throw _invalid(`${prop}.protocol`, port.protocol, 'it is not a protocol Istio supports', 'use a PortProtocol member');
    }
    if (port.name !== undefined) _validateDnsLabel(`${prop}.name`, port.name);
  }

  public readonly apiObject: ApiObject;
  /** The selected workloads, if any. */
  public readonly selector?: IMeshWorkload;
  /** The outbound traffic mode, if set. */
  public readonly outboundTrafficMode?: OutboundTrafficMode;
  private readonly egress: Array<{ hosts: string[]; port?: SidecarPort }> = [];
  private readonly ingress: SidecarIngressOptions[] = [];

  /**
   * Defines a Sidecar, to which egress and ingress listeners can be added later (an empty one fails synth).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the workload `selector` (default: every workload of the namespace), egress and ingress
   * listeners and `outboundTrafficPolicy.mode` (default: the mesh's, ALLOW_ANY unless configured)
   */
  constructor(scope: Construct, id: string, props: SidecarProps = {}) {
    super(scope, id, props);
    this.selector = props.selector;
    this.outboundTrafficMode = props.outboundTrafficMode;
    for (const e of props.egress ?? []) this.addEgress(e);
    for (const i of props.ingress ?? []) this.addIngress(i);
    this.apiObject = this._createApiObject(net.Sidecar, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => net.toJson_SidecarSpec(this._toIstio()) }),
    });
    this.node.addValidation({
      validate: () => (this.egress.length === 0 && this.ingress.length === 0 && !this.outboundTrafficMode)
        ? [`Sidecar '${this.node.path}' is empty (no egress, ingress or outbound policy), which Istio rejects. Fix: call addEgressHosts() or set outboundTrafficMode`]
        : [],
    });
  }

  /** The hosts of the catch-all egress listener (every port). */
  public get egressHosts(): string[] {
    return [...(this.egress.find((e) => !e.port)?.hosts ?? [])];
  }

  /**
   * Adds hosts to the catch-all egress listener (creating it). Hosts already present are skipped.
   *
   * @param hosts `<namespace>/<host>` entries of `egress[].hosts`: namespace a name, `.` (own), `*` (any)
   * or `~` (none); host an FQDN, a `*.` wildcard or `*`, e.g. `./catalog.shop.svc.cluster.local`,
   * `istio-system/*`
   */
  public addEgressHosts(...hosts: string[]): void {
    for (const h of hosts) Sidecar._validateEgressHost(h);
    let listener = this.egress.find((e) => !e.port);
    if (!listener) {
      listener = { hosts: [] };
      this.egress.push(listener);
    }
    for (const h of hosts) if (!listener.hosts.includes(h)) listener.hosts.push(h);
  }

  /**
   * Adds an egress listener. Port-specific listeners come first in the output, the catch-all last (as Istio requires).
   *
   * @param options the `<namespace>/<host>` hosts (at least one) and, for a port-specific listener, the
   * port (unique among egress listeners), without which the hosts join the catch-all listener
   */
  public addEgress(options: SidecarEgressOptions): void {
    if (!options.hosts || options.hosts.length === 0) {
      throw _invalid('egress hosts', options.hosts, 'an egress listener must contain at least one host', 'list e.g. ["./*", "istio-system/*"]');
    }
    if (!options.port) {
      this.addEgressHosts(...options.hosts);
      return;
    }
    Sidecar.validatePort('egress port', options.port);
    if (this.egress.some((e) => e.port?.number === options.port!.number)) {
      throw _invalid('egress port', options.port.number, 'ports of egress listeners must be unique', 'merge the hosts into one listener');
    }
    for (const h of options.hosts) Sidecar._validateEgressHost(h);
    this.egress.push({ hosts: [...new Set(options.hosts)], port: options.port });
  }

  /**
   * Adds an ingress listener: how the proxy accepts inbound traffic on one port (`spec.ingress[]`).
   *
   * @param options the port (unique among ingress listeners) and `defaultEndpoint` the traffic is
   * forwarded to (`127.0.0.1:<port>`, `0.0.0.0:<port>`, `[::1]:<port>`, `[::]:<port>` or `unix://<path>`)
   */
  public addIngress(options: SidecarIngressOptions): void {
    Sidecar.validatePort('ingress port', options.port);
    if (this.ingress.some((i) => i.port.number === options.port.number)) {
      throw _invalid('ingress port', options.port.number, 'ports of ingress listeners must be unique', 'use one listener per port');
    }
    const ep = options.defaultEndpoint;
    if (ep !== undefined && !ep.startsWith('unix://') && !/^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\])?:\d{1,5}$/.test(ep)) {
      throw _invalid('defaultEndpoint', ep, 'it must be 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>',
        'use e.g. "127.0.0.1:8080"');
    }
    this.ingress.push({ ...options });
  }

  private _toIstio(): net.SidecarSpec {
    const renderPort = (p: SidecarPort) => ({
      number: p.number, protocol: p.protocol, name: p.name ?? `${p.protocol.toLowerCase()}-${p.number}`,
    });
    const specific = this.egress.filter((e) => e.port);
    const catchAll = this.egress.filter((e) => !e.port);
    return {
      workloadSelector: this.selector ? { labels: this.selector.toSelectorLabels() } : undefined,
      ingress: this.ingress.length === 0 ? undefined : this.ingress.map((i) => ({ port: renderPort(i.port), defaultEndpoint: i.defaultEndpoint })),
      egress: this.egress.length === 0 ? undefined
        : [...specific, ...catchAll].map((e) => ({ port: e.port ? renderPort(e.port) : undefined, hosts: [...e.hosts] })),
      outboundTrafficPolicy: this.outboundTrafficMode
        ? { mode: this.outboundTrafficMode as unknown as net.SidecarSpecOutboundTrafficPolicyMode }
        : undefined,
    };
  }
}
