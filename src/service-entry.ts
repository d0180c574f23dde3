import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _isWildcarded, _validateExportTo } from './_naming';
import { _invalid, _sortedRecord, _undefinedIfEmpty, _validateDnsLabel, _validateHost, _validateLabels, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import { IMeshDestination, MeshDestinationConfig } from './host';
import * as net from './imports/istio-networking.istio.io';
import { PortProtocol, _isHttpProtocol, _isTlsProtocol } from './protocol';
import { IMeshWorkload } from './workload';

/**
 * Whether the service is part of the mesh (mTLS, policies apply) or outside it.
 */
export enum ServiceEntryLocation {
  /** Outside the mesh: called without Istio mTLS. */
  MESH_EXTERNAL = 'MESH_EXTERNAL',
  /** Part of the mesh (e.g. VMs with sidecars). */
  MESH_INTERNAL = 'MESH_INTERNAL',
}

/**
 * How the proxy resolves the endpoints of the service.
 */
export enum ServiceEntryResolution {
  /** Forward to the address the caller resolved (no endpoints, and TCP hosts are ignored). */
  NONE = 'NONE',
  /** Use the static `endpoints` IPs. */
  STATIC = 'STATIC',
  /** Resolve the hosts (or endpoints) by DNS and balance over all returned IPs. */
  DNS = 'DNS',
  /** Resolve by DNS and connect to the first IP (for hosts with many IPs). */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
}

/**
 * A port of a ServiceEntry.
 */
export interface ServiceEntryPort {
  /** The port number (1–65535). */
  readonly number: number;
  /** The protocol on the port. */
  readonly protocol: PortProtocol;
  /**
   * The port name (DNS label, unique in the entry).
   *
   * @default - `<protocol>-<number>`, e.g. `https-443`
   */
  readonly name?: string;
  /**
   * The port on the endpoints, when different (e.g. TLS origination: callers use 80, the proxy dials 443).
   *
   * @default - same as `number`
   */
  readonly targetPort?: number;
}

/**
 * An endpoint of a ServiceEntry (STATIC or DNS resolution).
 */
export interface ServiceEntryEndpoint {
  /** IP address (STATIC) or host name (DNS). */
  readonly address: string;
  /**
   * Port mapping by ServiceEntry port name.
   *
   * @default - the ServiceEntry ports
   */
  readonly ports?: { [portName: string]: number };
  /**
   * Labels (for subsets).
   *
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Load-balancing weight.
   *
   * @default - equal weights
   */
  readonly weight?: number;
}

/**
 * Props for `ServiceEntry`.
 */
export interface ServiceEntryProps extends IstioResourceProps {
  /** Hosts of the service: FQDNs or `*.` wildcards (never `*`). */
  readonly hosts: string[];
  /** Ports of the service (at least one). */
  readonly ports: ServiceEntryPort[];
  /**
   * Inside or outside the mesh.
   *
   * @default ServiceEntryLocation.MESH_EXTERNAL
   */
  readonly location?: ServiceEntryLocation;
  /**
   * Endpoint resolution.
   *
   * @default ServiceEntryResolution.DNS
   */
  readonly resolution?: ServiceEntryResolution;
  /**
   * Static or DNS endpoints.
   *
   * @default - the hosts themselves (DNS)
   */
  readonly endpoints?: ServiceEntryEndpoint[];
  /**
   * Virtual IPs or CIDRs of the service (CIDRs only with NONE/STATIC resolution).
   *
   * @default - none
   */
  readonly addresses?: string[];
  /**
   * Namespaces the entry is visible to (`.`, `*`, `~` or names).
   *
   * @default - every namespace (Istio's default)
   */
  readonly exportTo?: string[];
  /**
   * Mesh workloads (WorkloadEntries/pods) backing an internal service, instead of `endpoints`.
   *
   * @default - none
   */
  readonly workloadSelector?: IMeshWorkload;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIp(s: string): boolean {
  return IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}

/**
 * A ServiceEntry (`networking.istio.io/v1`): adds a service — typically outside the cluster — to Istio's
 * registry, so sidecars can route to it (and REGISTRY_ONLY egress lets calls through).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/service-entry/
 * @example
 * new ServiceEntry(chart, 'stripe', {
 *   hosts: ['api.stripe.com'],
 *   ports: [{ number: 443, protocol: PortProtocol.TLS }],
 * });
 */
export class ServiceEntry extends IstioResource implements IMeshDestination {
  private static validatePort(prop: string, n: number): void {
    _validatePort(prop, n, 'use e.g. 443');
  }

  public readonly apiObject: ApiObject;
  /** The hosts. */
  public readonly hosts: string[];
  /** The resolution. */
  public readonly resolution: ServiceEntryResolution;
  /** The location. */
  public readonly location: ServiceEntryLocation;
  private readonly ports: Array<Required<Pick<ServiceEntryPort, 'number' | 'protocol' | 'name'>> & { targetPort?: number }>;
  private readonly props: ServiceEntryProps;

  /**
   * Defines a ServiceEntry, checking hosts, ports, addresses and endpoints as Istio would.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props `hosts` and `ports` (each at least one), `resolution` (default DNS), `location` (default
   * MESH_EXTERNAL), addresses, endpoints, `exportTo` and workload selector
   */
  constructor(scope: Construct, id: string, props: ServiceEntryProps) {
    super(scope, id, props);
    this.props = props;
    this.resolution = props.resolution ?? ServiceEntryResolution.DNS;
    this.location = props.location ?? ServiceEntryLocation.MESH_EXTERNAL;
    if (!props.hosts || props.hosts.length === 0) {
      throw _invalid('hosts', props.hosts, 'a ServiceEntry needs at least one host', 'list the FQDNs it serves, e.g. ["api.stripe.com"]');
    }
    for (const h of props.hosts) {
      if (h === '*') throw _invalid('hosts', h, 'a ServiceEntry host cannot be "*"', 'list the FQDNs, or use a wildcard such as "*.example.com"');
      _validateHost('hosts', h, true, true);
      const dns = this.resolution === ServiceEntryResolution.DNS || this.resolution === ServiceEntryResolution.DNS_ROUND_ROBIN;
      if (_isWildcarded(h) && dns && !props.endpoints?.length) {
        throw _invalid('hosts', h, 'DNS resolution without endpoints needs FQDN hosts (a wildcard cannot be resolved)',
          'use resolution NONE for wildcard hosts, or list endpoints');
      }
    }
    this.hosts = [...props.hosts];
    if (!props.ports || props.ports.length === 0) {
      throw _invalid('ports', props.ports, 'a ServiceEntry needs at least one port', 'e.g. [{ number: 443, protocol: PortProtocol.TLS }]');
    }
    const names = new Set<string>();
    const numbers = new Set<number>();
    this.ports = props.ports.map((p) => {
      ServiceEntry.validatePort('ports.number', p.number);
      if (!Object.values(PortProtocol).includes(p.protocol)) {
        throw _invalid('ports.protocol', p.protocol, 'it is not a protocol Istio supports', 'use a PortProtocol member');
      }
      if (p.targetPort !== undefined) ServiceEntry.validatePort('ports.targetPort', p.targetPort);
      const name = p.name ?? `${p.protocol.toLowerCase()}-${p.number}`;
      _validateDnsLabel('ports.name', name);
      if (names.has(name)) throw _invalid('ports.name', name, 'port names must be unique in a ServiceEntry', 'give each port its own name');
      if (numbers.has(p.number)) throw _invalid('ports.number', p.number, 'the port is defined twice', 'list each port number once');
      names.add(name);
      numbers.add(p.number);
      return { number: p.number, protocol: p.protocol, name, targetPort: p.targetPort };
    });
    if (this.resolution !== ServiceEntryResolution.NONE && this.hosts.length > 1) {
      const opaque = this.ports.find((p) => !_isHttpProtocol(p.protocol) && !_isTlsProtocol(p.protocol));
      if (opaque) {
        throw _invalid('hosts', this.hosts, `with ${this.resolution} resolution, several hosts on the ${opaque.protocol} port ${opaque.number} cannot be told apart (no Host header or SNI)`,
          'use one ServiceEntry per host, resolution NONE, or an HTTP/TLS port');
      }
    }
    const cidr = (props.addresses ?? []).some((a) => a.includes('/'));
    for (const a of props.addresses ?? []) {
      const [ip, mask] = a.split('/');
      if (!isIp(ip) || (mask !== undefined && !/^\d{1,3}$/.test(mask))) {
        throw _invalid('addresses', a, 'it is not an IP address or CIDR', 'use e.g. "10.0.0.1" or "10.0.0.0/24"');
      }
    }
    if (cidr && this.resolution !== ServiceEntryResolution.NONE && this.resolution !== ServiceEntryResolution.STATIC) {
      throw _invalid('addresses', props.addresses, 'CIDR addresses are allowed only for NONE/STATIC resolution', 'use resolution STATIC or NONE, or single IPs');
    }
    const endpoints = props.endpoints ?? [];
    if (props.workloadSelector && endpoints.length > 0) {
      throw _invalid('workloadSelector', props.workloadSelector.workloadKey, 'only one of workloadSelector or endpoints can be set', 'keep one of them');
    }
    if (this.resolution === ServiceEntryResolution.NONE && endpoints.length > 0) {
      throw _invalid('endpoints', endpoints.map((e) => e.address), 'NONE resolution cannot have endpoints', 'use resolution STATIC or DNS');
    }
    if (this.resolution === ServiceEntryResolution.DNS_ROUND_ROBIN && endpoints.length > 1) {
      throw _invalid('endpoints', endpoints.map((e) => e.address), 'DNS_ROUND_ROBIN resolution cannot have several endpoints', 'use DNS resolution');
    }
    for (const e of endpoints) {
      if (this.resolution === ServiceEntryResolution.STATIC && !isIp(e.address)) {
        throw _invalid('endpoints.address', e.address, 'STATIC resolution needs IP addresses', 'use DNS resolution for host names');
      }
      if (this.resolution === ServiceEntryResolution.DNS && !isIp(e.address)) _validateHost('endpoints.address', e.address, false, false);
      for (const [pn, num] of Object.entries(e.ports ?? {})) {
        if (!names.has(pn)) throw _invalid('endpoints.ports', pn, 'it is not the name of a port of this ServiceEntry', `use one of ${JSON.stringify([...names])}`);
        ServiceEntry.validatePort(`endpoints.ports["${pn}"]`, num);
      }
      if (e.labels) _validateLabels('endpoints.labels', e.labels);
      if (e.weight !== undefined && (!Number.isInteger(e.weight) || e.weight < 0)) throw _invalid('endpoints.weight', e.weight, 'a weight is a non-negative integer', 'use e.g. 1');
    }
    this.apiObject = this._createApiObject(net.ServiceEntry, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => net.toJson_ServiceEntrySpec(this._toIstio()) }),
    });
    // after the L1 exists: `.` and the resource's own namespace are the same entry
    if (props.exportTo) _validateExportTo(props.exportTo, { namespace: this.namespace, isServiceEntry: true });
  }

  /** The first host, as a destination. */
  public toMeshDestination(): MeshDestinationConfig {
    return { host: this.hosts[0] };
  }

  /** The ports: number, protocol, name. */
  public get portNumbers(): number[] {
    return this.ports.map((p) => p.number);
  }

  private _toIstio(): net.ServiceEntrySpec {
    const p = this.props;
    return {
      hosts: [...this.hosts],
      addresses: _undefinedIfEmpty(p.addresses ? [...p.addresses] : undefined),
      ports: this.ports.map((x) => ({ number: x.number, protocol: x.protocol, name: x.name, targetPort: x.targetPort })),
      location: this.location as unknown as net.ServiceEntrySpecLocation,
      resolution: this.resolution as unknown as net.ServiceEntrySpecResolution,
      endpoints: _undefinedIfEmpty((p.endpoints ?? []).map((e) => ({
        address: e.address, ports: e.ports ? { ...e.ports } : undefined, labels: _sortedRecord(e.labels), weight: e.weight,
      }))),
      exportTo: _undefinedIfEmpty(p.exportTo ? [...p.exportTo] : undefined),
      workloadSelector: p.workloadSelector ? { labels: p.workloadSelector.toSelectorLabels() } : undefined,
    };
  }
}
