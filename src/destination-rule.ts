import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _resolveShortname, _validateExportTo } from './_naming';
import { _checkProps, _invalid, _renderDuration, _sortedRecord, _validateDnsLabel, _validateHost, _validateLabels, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import { IMeshDestination, MeshDestinationConfig } from './host';
import * as net from './imports/istio-networking.istio.io';
import { IMeshWorkload } from './workload';

/**
 * Client-side TLS mode toward the destination.
 */
export enum ClientTlsMode {
  /** Plain text. Under STRICT mTLS this causes 503s: prefer `ISTIO_MUTUAL`. */
  DISABLE = 'DISABLE',
  /** TLS to the destination (originating TLS, e.g. to an external HTTPS service). */
  SIMPLE = 'SIMPLE',
  /** Mutual TLS with certificates you provide (`credentialName` or files). */
  MUTUAL = 'MUTUAL',
  /** Istio mutual TLS with the mesh's workload certificates. */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
}

/**
 * Client TLS settings (the `tls` of a traffic policy).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ClientTLSSettings
 */
export interface ClientTlsSettings {
  /** The TLS mode. */
  readonly mode: ClientTlsMode;
  /**
   * Kubernetes Secret holding client certificate/key/CA (SIMPLE or MUTUAL).
   *
   * @default - none
   */
  readonly credentialName?: string;
  /**
   * SNI to present.
   *
   * @default - the destination host
   */
  readonly sni?: string;
  /**
   * Accepted server identities (SANs).
   *
   * @default - not checked beyond the CA
   */
  readonly subjectAltNames?: string[];
  /**
   * Skip server certificate verification. Insecure.
   *
   * @default false
   */
  readonly insecureSkipVerify?: boolean;
  /**
   * Path of the CA bundle file in the proxy.
   *
   * @default - the system or credential CA
   */
  readonly caCertificates?: string;
  /**
   * Path of the client certificate file in the proxy (MUTUAL).
   *
   * @default - none
   */
  readonly clientCertificate?: string;
  /**
   * Path of the client private key file in the proxy (MUTUAL).
   *
   * @default - none
   */
  readonly privateKey?: string;
}

/**
 * TCP keepalive settings.
 */
export interface TcpKeepalive {
  /**
   * Probes before the connection is considered dead.
   *
   * @default - OS default (9 on Linux)
   */
  readonly probes?: number;
  /**
   * Idle time before probing starts.
   *
   * @default - OS default (2 hours on Linux)
   */
  readonly time?: Duration;
  /**
   * Time between probes.
   *
   * @default - OS default (75s on Linux)
   */
  readonly interval?: Duration;
}

/**
 * TCP connection pool settings.
 */
export interface TcpConnectionPool {
  /**
   * Maximum connections to each destination host.
   *
   * @default - unlimited (2^32-1)
   */
  readonly maxConnections?: number;
  /**
   * TCP connect timeout.
   *
   * @default Duration.seconds(10)
   */
  readonly connectTimeout?: Duration;
  /**
   * Idle timeout of TCP connections.
   *
   * @default Duration.hours(1)
   */
  readonly idleTimeout?: Duration;
  /**
   * Maximum lifetime of a connection.
   *
   * @default - unlimited
   */
  readonly maxConnectionDuration?: Duration;
  /**
   * TCP keepalive.
   *
   * @default - no keepalive
   */
  readonly tcpKeepalive?: TcpKeepalive;
}

/**
 * HTTP/1.1 to HTTP/2 upgrade policy.
 */
export enum H2UpgradePolicy {
  /** The mesh-wide default. */
  DEFAULT = 'DEFAULT',
  /** Do not upgrade. */
  DO_NOT_UPGRADE = 'DO_NOT_UPGRADE',
  /** Upgrade to HTTP/2. */
  UPGRADE = 'UPGRADE',
}

/**
 * HTTP connection pool settings.
 */
export interface HttpConnectionPool {
  /**
   * Maximum pending HTTP requests.
   *
   * @default - unlimited
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Maximum active requests.
   *
   * @default - unlimited
   */
  readonly http2MaxRequests?: number;
  /**
   * Maximum requests per connection (1 disables keep-alive).
   *
   * @default - unlimited
   */
  readonly maxRequestsPerConnection?: number;
  /**
   * Maximum outstanding retries across the cluster.
   *
   * @default - unlimited
   */
  readonly maxRetries?: number;
  /**
   * Idle timeout of upstream connections.
   *
   * @default Duration.hours(1)
   */
  readonly idleTimeout?: Duration;
  /**
   * HTTP/2 upgrade policy.
   *
   * @default H2UpgradePolicy.DEFAULT
   */
  readonly h2UpgradePolicy?: H2UpgradePolicy;
  /**
   * Use the client's protocol upstream.
   *
   * @default false
   */
  readonly useClientProtocol?: boolean;
  /**
   * Maximum concurrent streams per HTTP/2 connection.
   *
   * @default - 2^31-1
   */
  readonly maxConcurrentStreams?: number;
}

/**
 * Connection pool settings.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#ConnectionPoolSettings
 */
export interface ConnectionPoolSettings {
  /**
   * TCP settings.
   *
   * @default - Istio defaults
   */
  readonly tcp?: TcpConnectionPool;
  /**
   * HTTP settings.
   *
   * @default - Istio defaults
   */
  readonly http?: HttpConnectionPool;
}

/**
 * Outlier detection (passive health checking / circuit breaking).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#OutlierDetection
 */
export interface OutlierDetection {
  /**
   * Consecutive 5xx errors before a host is ejected (0 disables).
   *
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Consecutive gateway errors (502, 503, 504) before ejection (0 disables).
   *
   * @default - disabled
   */
  readonly consecutiveGatewayErrors?: number;
  /**
   * Consecutive locally originated failures before ejection (needs `splitExternalLocalOriginErrors`).
   *
   * @default 5
   */
  readonly consecutiveLocalOriginFailures?: number;
  /**
   * Count local-origin failures separately from upstream errors.
   *
   * @default false
   */
  readonly splitExternalLocalOriginErrors?: boolean;
  /**
   * Time between ejection sweeps.
   *
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;
  /**
   * Minimum ejection time (multiplied by the number of ejections).
   *
   * @default Duration.seconds(30)
   */
  readonly baseEjectionTime?: Duration;
  /**
   * Maximum percent of hosts that can be ejected.
   *
   * @default 10
   */
  readonly maxEjectionPercent?: number;
  /**
   * Outlier detection is disabled when fewer than this percent of hosts are healthy.
   *
   * @default 0
   */
  readonly minHealthPercent?: number;
}

/**
 * Simple load balancing algorithms.
 */
export enum LoadBalancerAlgorithm {
  /** Least requests (Istio's default). */
  LEAST_REQUEST = 'LEAST_REQUEST',
  /** Round robin. */
  ROUND_ROBIN = 'ROUND_ROBIN',
  /** Random. */
  RANDOM = 'RANDOM',
  /** Forward to the address the caller asked for. */
  PASSTHROUGH = 'PASSTHROUGH',
}

/**
 * Options of an HTTP cookie used as consistent hash key.
 */
export interface HashCookieOptions {
  /**
   * Lifetime of the cookie, which Envoy then generates when it is missing.
   *
   * @default - a session cookie, which Envoy does not generate
   */
  readonly ttl?: Duration;
  /**
   * Path of the cookie.
   *
   * @default - no path
   */
  readonly path?: string;
}

/**
 * The key of a consistent-hash load balancer (session affinity).
 *
 * @example
 * ConsistentHashKey.cookie('session', { ttl: Duration.hours(1) });
 * ConsistentHashKey.header('x-user');
 */
export class ConsistentHashKey {
  /**
   * Hash on an HTTP header (`consistentHash.httpHeaderName`): requests with the same header value go to
   * the same endpoint.
   *
   * @param name the header name, e.g. `x-user` (not empty)
   */
  public static header(name: string): ConsistentHashKey {
    if (!name) throw _invalid('header', name, 'the header name is empty', 'give a header name such as "x-user"');
    return new ConsistentHashKey({ httpHeaderName: name });
  }

  /**
   * Hash on an HTTP cookie (`consistentHash.httpCookie`); Envoy generates the cookie when `ttl` is given
   * and the request has none.
   *
   * @param name the cookie name, e.g. `session` (not empty; Istio requires it)
   * @param options the cookie's `ttl` and `path` (default: no ttl, no path)
   */
  public static cookie(name: string, options: HashCookieOptions = {}): ConsistentHashKey {
    if (!name) throw _invalid('cookie', name, 'the cookie name is empty (Istio: "name required for HttpCookie")', 'give a cookie name such as "session"');
    const ttl = options.ttl ? _renderDuration('cookie ttl', options.ttl, 0) : undefined;
    return new ConsistentHashKey({ httpCookie: { name, path: options.path, ttl } });
  }

  /** Hash on the caller's IP address. */
  public static sourceIp(): ConsistentHashKey {
    return new ConsistentHashKey({ useSourceIp: true });
  }

  /**
   * Hash on a query parameter (`consistentHash.httpQueryParameterName`).
   *
   * @param name the query parameter name, e.g. `user` (not empty)
   */
  public static queryParameter(name: string): ConsistentHashKey {
    if (!name) throw _invalid('queryParameter', name, 'the parameter name is empty', 'give a parameter name such as "user"');
    return new ConsistentHashKey({ httpQueryParameterName: name });
  }

  private constructor(private readonly rendered: any) {}

  /** @internal */
  public _toIstio(): any {
    return { ...this.rendered };
  }
}

/**
 * Locality failover rule: traffic leaving region `from` goes to region `to`.
 */
export interface LocalityFailover {
  /** The origin region. */
  readonly from: string;
  /** The failover region. */
  readonly to: string;
}

/**
 * Locality weighted distribution: traffic from locality `from` is spread over the localities of `to`.
 */
export interface LocalityDistribute {
  /** The origin locality (`region/zone/subzone`, `*` allowed). */
  readonly from: string;
  /** Target localities and their weights (summing to 100). */
  readonly to: { [locality: string]: number };
}

/**
 * Locality-aware load balancing.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#LocalityLoadBalancerSetting
 */
export interface LocalityLoadBalancing {
  /**
   * Enable locality load balancing.
   *
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Failover between regions. Needs outlier detection to take effect. Not with `distribute`.
   *
   * @default - none
   */
  readonly failover?: LocalityFailover[];
  /**
   * Weighted distribution. Not with `failover`.
   *
   * @default - none
   */
  readonly distribute?: LocalityDistribute[];
  /**
   * Ordered list of labels used to prioritise endpoints for failover.
   *
   * @default - none
   */
  readonly failoverPriority?: string[];
}

/**
 * Options shared by every load balancer.
 */
export interface LoadBalancerOptions {
  /**
   * Locality-aware load balancing.
   *
   * @default - the mesh defaults
   */
  readonly locality?: LocalityLoadBalancing;
  /**
   * Slow start: ramp traffic to new endpoints over this duration.
   *
   * @default - no warmup
   */
  readonly warmup?: Duration;
}

/**
 * Load balancing of a traffic policy.
 *
 * @example
 * LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN);
 * LoadBalancer.consistentHash(ConsistentHashKey.cookie('session', { ttl: Duration.hours(1) }));
 */
export class LoadBalancer {
  /**
   * A simple algorithm (`loadBalancer.simple`).
   *
   * @param algorithm e.g. `LoadBalancerAlgorithm.ROUND_ROBIN`, `LEAST_REQUEST` (Istio's default) or `RANDOM`
   * @param options locality settings and slow-start `warmup` (default: none)
   */
  public static simple(algorithm: LoadBalancerAlgorithm, options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer({ simple: algorithm }, options);
  }

  /**
   * Consistent hashing (session affinity) on `key` (`loadBalancer.consistentHash`).
   *
   * @param key what to hash on: a header, cookie, query parameter or the source IP
   * @param options locality settings and slow-start `warmup` (default: none)
   */
  public static consistentHash(key: ConsistentHashKey, options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer({ consistentHash: key._toIstio() }, options);
  }

  /**
   * Only locality settings (`loadBalancer.localityLbSetting`), with Istio's default algorithm.
   *
   * @param locality failover, distribution or enable/disable of locality-aware load balancing
   */
  public static locality(locality: LocalityLoadBalancing): LoadBalancer {
    return new LoadBalancer({}, { locality });
  }

  private readonly rendered: any;

  private constructor(base: any, options: LoadBalancerOptions) {
    const l = options.locality;
    let localityLbSetting: any;
    if (l) {
      if ((l.failover ?? []).length > 0 && (l.distribute ?? []).length > 0) {
        throw _invalid('locality', { failover: l.failover, distribute: l.distribute }, 'failover and distribute are mutually exclusive in Istio', 'give one of them');
      }
      for (const f of l.failover ?? []) {
        if (f.from === f.to) throw _invalid('locality.failover', f, 'a region cannot fail over to itself', 'use a different "to" region');
      }
      for (const d of l.distribute ?? []) {
        const total = Object.values(d.to).reduce((a, b) => a + b, 0);
        if (total !== 100) {
          throw _invalid(`locality.distribute[from=${d.from}].to`, d.to, `the weights sum to ${total}, not 100`, 'make the weights add up to 100');
        }
      }
      localityLbSetting = {
        enabled: l.enabled,
        failover: l.failover?.map((f) => ({ from: f.from, to: f.to })),
        distribute: l.distribute?.map((d) => ({ from: d.from, to: d.to })),
        failoverPriority: l.failoverPriority,
      };
    }
    this.rendered = {
      ...base,
      localityLbSetting,
      warmup: options.warmup ? { duration: _renderDuration('warmup', options.warmup) } : undefined,
    };
  }

  /** @internal */
  public _toIstio(): any {
    return this.rendered;
  }

  /** @internal */
  public get _hasLocalityFailover(): boolean {
    return (this.rendered.localityLbSetting?.failover ?? []).length > 0 || (this.rendered.localityLbSetting?.failoverPriority ?? []).length > 0;
  }
}

/**
 * Per-port traffic policy.
 */
export interface PortTrafficPolicy {
  /** The destination port the policy applies to. */
  readonly port: number;
  /**
   * Client TLS for this port.
   *
   * @default - the rule-level policy
   */
  readonly tls?: ClientTlsSettings;
  /**
   * Connection pool for this port.
   *
   * @default - the rule-level policy
   */
  readonly connectionPool?: ConnectionPoolSettings;
  /**
   * Outlier detection for this port.
   *
   * @default - the rule-level policy
   */
  readonly outlierDetection?: OutlierDetection;
  /**
   * Load balancing for this port.
   *
   * @default - the rule-level policy
   */
  readonly loadBalancer?: LoadBalancer;
}

/**
 * A traffic policy: how clients talk to the destination (or one subset of it).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy
 */
export interface TrafficPolicy {
  /**
   * Client TLS. Keep `ISTIO_MUTUAL` (or leave it out, auto mTLS) when the destination is under STRICT mTLS.
   *
   * @default - Istio auto mTLS
   */
  readonly tls?: ClientTlsSettings;
  /**
   * Connection pool limits.
   *
   * @default - Istio defaults
   */
  readonly connectionPool?: ConnectionPoolSettings;
  /**
   * Outlier detection.
   *
   * @default - none
   */
  readonly outlierDetection?: OutlierDetection;
  /**
   * Load balancing.
   *
   * @default - LEAST_REQUEST
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * Per-port overrides.
   *
   * @default - none
   */
  readonly portLevelSettings?: PortTrafficPolicy[];
}

function count(prop: string, n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 0) throw _invalid(prop, n, 'it must be a non-negative integer', 'use 0 or a positive whole number');
  return n;
}

function percent(prop: string, n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 0 || n > 100) throw _invalid(prop, n, 'it must be a whole percentage from 0 to 100', 'use a value from 0 to 100');
  return n;
}

function dur(prop: string, d: Duration | undefined): string | undefined {
  return d === undefined ? undefined : _renderDuration(prop, d);
}

function renderTls(prop: string, tls: ClientTlsSettings | undefined): any {
  if (!tls) return undefined;
  if (!Object.values(ClientTlsMode).includes(tls.mode)) {
    throw _invalid(`${prop}.mode`, tls.mode, 'it is not a TLS mode', 'use ClientTlsMode.ISTIO_MUTUAL, SIMPLE, MUTUAL or DISABLE');
  }
  const files = tls.caCertificates ?? tls.clientCertificate ?? tls.privateKey;
  if (tls.credentialName && files) {
    throw _invalid(`${prop}.credentialName`, tls.credentialName, 'a credential and certificate files are mutually exclusive', 'give credentialName or the file paths, not both');
  }
  if (tls.mode === ClientTlsMode.ISTIO_MUTUAL && (tls.credentialName || files || tls.insecureSkipVerify !== undefined)) {
    throw _invalid(`${prop}`, tls, 'ISTIO_MUTUAL uses the mesh certificates; credentials, files and insecureSkipVerify do not apply', 'remove them, or use ClientTlsMode.MUTUAL with your own certificates');
  }
  if (tls.mode === ClientTlsMode.MUTUAL && !tls.credentialName && !(tls.clientCertificate && tls.privateKey)) {
    throw _invalid(`${prop}`, tls, 'MUTUAL needs a client certificate', 'set credentialName, or clientCertificate and privateKey');
  }
  return {
    mode: tls.mode,
    credentialName: tls.credentialName,
    sni: tls.sni,
    subjectAltNames: tls.subjectAltNames && tls.subjectAltNames.length > 0 ? [...tls.subjectAltNames] : undefined,
    insecureSkipVerify: tls.insecureSkipVerify,
    caCertificates: tls.caCertificates,
    clientCertificate: tls.clientCertificate,
    privateKey: tls.privateKey,
  };
}

function renderPool(prop: string, pool: ConnectionPoolSettings | undefined): any {
  if (!pool) return undefined;
  if (!pool.tcp && !pool.http) throw _invalid(prop, pool, 'a connection pool needs tcp or http settings (Istio rejects an empty one)', 'set tcp and/or http');
  const t = pool.tcp;
  const h = pool.http;
  if (h?.h2UpgradePolicy === H2UpgradePolicy.UPGRADE && h.useClientProtocol) {
    throw _invalid(`${prop}.http.useClientProtocol`, true, 'it must not be true when h2UpgradePolicy is UPGRADE', 'drop one of them');
  }
  return {
    tcp: t ? {
      maxConnections: count(`${prop}.tcp.maxConnections`, t.maxConnections),
      connectTimeout: dur(`${prop}.tcp.connectTimeout`, t.connectTimeout),
      idleTimeout: dur(`${prop}.tcp.idleTimeout`, t.idleTimeout),
      maxConnectionDuration: dur(`${prop}.tcp.maxConnectionDuration`, t.maxConnectionDuration),
      tcpKeepalive: t.tcpKeepalive ? {
        probes: count(`${prop}.tcp.tcpKeepalive.probes`, t.tcpKeepalive.probes),
        time: dur(`${prop}.tcp.tcpKeepalive.time`, t.tcpKeepalive.time),
        interval: dur(`${prop}.tcp.tcpKeepalive.interval`, t.tcpKeepalive.interval),
      } : undefined,
    } : undefined,
    http: h ? {
      http1MaxPendingRequests: count(`${prop}.http.http1MaxPendingRequests`, h.http1MaxPendingRequests),
      http2MaxRequests: count(`${prop}.http.http2MaxRequests`, h.http2MaxRequests),
      maxRequestsPerConnection: count(`${prop}.http.maxRequestsPerConnection`, h.maxRequestsPerConnection),
      maxRetries: count(`${prop}.http.maxRetries`, h.maxRetries),
      idleTimeout: dur(`${prop}.http.idleTimeout`, h.idleTimeout),
      h2UpgradePolicy: h.h2UpgradePolicy,
      useClientProtocol: h.useClientProtocol,
      maxConcurrentStreams: count(`${prop}.http.maxConcurrentStreams`, h.maxConcurrentStreams),
    } : undefined,
  };
}

function renderOutlier(prop: string, o: OutlierDetection | undefined): any {
  if (!o) return undefined;
  if (o.consecutiveLocalOriginFailures !== undefined && o.consecutiveLocalOriginFailures > 0 && !o.splitExternalLocalOriginErrors) {
    throw _invalid(`${prop}.consecutiveLocalOriginFailures`, o.consecutiveLocalOriginFailures,
      'it only applies when splitExternalLocalOriginErrors is true (Istio rejects it otherwise)', 'set splitExternalLocalOriginErrors: true');
  }
  return {
    consecutive5XxErrors: count(`${prop}.consecutive5xxErrors`, o.consecutive5xxErrors),
    consecutiveGatewayErrors: count(`${prop}.consecutiveGatewayErrors`, o.consecutiveGatewayErrors),
    consecutiveLocalOriginFailures: count(`${prop}.consecutiveLocalOriginFailures`, o.consecutiveLocalOriginFailures),
    splitExternalLocalOriginErrors: o.splitExternalLocalOriginErrors,
    interval: dur(`${prop}.interval`, o.interval),
    baseEjectionTime: dur(`${prop}.baseEjectionTime`, o.baseEjectionTime),
    maxEjectionPercent: percent(`${prop}.maxEjectionPercent`, o.maxEjectionPercent),
    minHealthPercent: percent(`${prop}.minHealthPercent`, o.minHealthPercent),
  };
}

/**
 * Validates and renders a traffic policy into the generated (TypeScript-named) L1 shape.
 * @internal
 */
export function _renderTrafficPolicy(prop: string, p: TrafficPolicy | undefined): any {
  if (!p) return undefined;
  if (!p.tls && !p.connectionPool && !p.outlierDetection && !p.loadBalancer && (p.portLevelSettings ?? []).length === 0) {
    throw _invalid(prop, p, 'a traffic policy must have at least one field (Istio rejects an empty one)', 'set tls, connectionPool, outlierDetection, loadBalancer or portLevelSettings, or leave the policy out');
  }
  const seenPorts = new Set<number>();
  const ports = (p.portLevelSettings ?? []).map((pl, i) => {
    const pp = `${prop}.portLevelSettings[${i}]`;
    _validatePort(`${pp}.port`, pl.port);
    if (seenPorts.has(pl.port)) throw _invalid(`${pp}.port`, pl.port, 'the port has settings already', 'merge the settings of one port into one entry');
    seenPorts.add(pl.port);
    if (!pl.tls && !pl.connectionPool && !pl.outlierDetection && !pl.loadBalancer) {
      throw _invalid(pp, pl, 'a port traffic policy must have at least one field', 'set tls, connectionPool, outlierDetection or loadBalancer');
    }
    if (pl.loadBalancer?._hasLocalityFailover && !pl.outlierDetection && !p.outlierDetection) {
      throw _invalid(`${pp}.loadBalancer`, 'locality failover', 'failover needs outlier detection to notice unhealthy endpoints (Istio rejects it without)', 'set outlierDetection');
    }
    return {
      port: { number: pl.port },
      tls: renderTls(`${pp}.tls`, pl.tls),
      connectionPool: renderPool(`${pp}.connectionPool`, pl.connectionPool),
      outlierDetection: renderOutlier(`${pp}.outlierDetection`, pl.outlierDetection),
      loadBalancer: pl.loadBalancer?._toIstio(),
    };
  }).sort((a, b) => a.port.number - b.port.number);
  if (p.loadBalancer?._hasLocalityFailover && !p.outlierDetection) {
    throw _invalid(`${prop}.loadBalancer`, 'locality failover', 'failover needs outlier detection to notice unhealthy endpoints (Istio rejects it without)', 'set outlierDetection');
  }
  return {
    tls: renderTls(`${prop}.tls`, p.tls),
    connectionPool: renderPool(`${prop}.connectionPool`, p.connectionPool),
    outlierDetection: renderOutlier(`${prop}.outlierDetection`, p.outlierDetection),
    loadBalancer: p.loadBalancer?._toIstio(),
    portLevelSettings: ports.length > 0 ? ports : undefined,
  };
}

/**
 * Props of a DestinationRule.
 */
export interface DestinationRuleProps extends IstioResourceProps {
  /**
   * The host the rule applies to: a Service (`ServiceHost.fromService(svc)`, a `CanaryService`) or
   * `ServiceHost.external(fqdn)`. Any subset or port of the destination is ignored.
   */
  readonly host: IMeshDestination;
  /**
   * The traffic policy of the whole host.
   *
   * @default - Istio defaults (auto mTLS, LEAST_REQUEST, no outlier detection)
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * Subsets (also `addSubset()`).
   *
   * @default - none
   */
  readonly subsets?: SubsetOptions[];
  /**
   * Namespaces the rule is visible to (`.` = its own, `*` = all).
   *
   * @default - all namespaces (Istio default)
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule
   */
  readonly exportTo?: string[];
  /**
   * Apply the rule only to these client workloads (in the rule's namespace).
   *
   * @default - all clients
   */
  readonly workloadSelector?: IMeshWorkload;
}

/**
 * A subset definition.
 */
export interface SubsetOptions {
  /** The subset name: an RFC 1123 label such as `stable` or `v1`. */
  readonly name: string;
  /** Pod labels selecting the subset's endpoints (e.g. `{ version: 'v1' }`). */
  readonly labels: { [key: string]: string };
  /**
   * The subset's own traffic policy (overrides the rule-level one).
   *
   * @default - the rule-level policy
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/**
 * A subset of a DestinationRule: a destination (host + subset name) to route to.
 */
export class DestinationRuleSubset implements IMeshDestination {
  /** @internal */
  public static _of(host: string, name: string, labels: { [key: string]: string }, rendered: any): DestinationRuleSubset {
    return new DestinationRuleSubset(host, name, labels, rendered);
  }

  private constructor(
    /** The rule's host. */
    public readonly host: string,
    /** The subset name. */
    public readonly name: string,
    /** The labels selecting the subset's endpoints. */
    public readonly labels: { [key: string]: string },
    /** @internal */
    public readonly _rendered: any,
  ) {}

  public toMeshDestination(): MeshDestinationConfig {
    return { host: this.host, subset: this.name };
  }
}

interface Registry { byHost: Map<string, DestinationRule[]> }

const REGISTRIES = new WeakMap<IConstruct, Registry>();

/**
 * A DestinationRule (`networking.istio.io/v1`): what happens to traffic for a host after routing —
 * subsets by pod labels, client TLS, connection pools, outlier detection and load balancing.
 *
 * @example
 * const dr = new DestinationRule(chart, 'reviews', {
 *   host: ServiceHost.of('reviews', 'bookinfo'),
 *   trafficPolicy: { tls: { mode: ClientTlsMode.ISTIO_MUTUAL } },
 * });
 * const v1 = dr.addSubset('v1', { version: 'v1' });
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
export class DestinationRule extends IstioResource {
  /**
   * Subset names defined for `host` (as `_resolveShortname` resolves it) by the DestinationRules of the app containing `scope`, or
   * undefined when no DestinationRule of the app is for `host`.
   * @internal
   */
  public static _subsetsFor(scope: IConstruct, host: string): Set<string> | undefined {
    const rules = REGISTRIES.get(scope.node.root)?.byHost.get(host);
    if (!rules) return undefined;
    const out = new Set<string>();
    for (const r of rules) for (const s of r.subsets) out.add(s.name);
    return out;
  }

  public readonly apiObject: ApiObject;
  /** The host (FQDN) the rule applies to. */
  public readonly host: string;
  private readonly _subsets = new Map<string, DestinationRuleSubset>();
  private readonly trafficPolicyRendered: any;
  private readonly exportTo?: string[];
  private readonly workloadSelector?: IMeshWorkload;

  /**
   * Defines a DestinationRule for one host (subsets can be added later with `addSubset()`).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the `host` (required, not `*`), traffic policy, subsets, `exportTo` and workload selector
   */
  constructor(scope: Construct, id: string, props: DestinationRuleProps) {
    super(scope, id, _checkProps('props', props, true, '{ host: ServiceHost.of("reviews", "bookinfo") }'));
    const host = props.host?.toMeshDestination?.().host;
    if (host !== '*') _validateHost('host', host, true, false);
    else throw _invalid('host', host, 'a DestinationRule cannot apply to every host', 'give the Service host (ServiceHost.fromService(svc)) or an FQDN');
    this.host = host;
    this.trafficPolicyRendered = _renderTrafficPolicy('trafficPolicy', props.trafficPolicy);
    this.workloadSelector = props.workloadSelector;
    this.apiObject = this._createApiObject(net.DestinationRule, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => net.toJson_DestinationRuleSpec(this._toIstio()) }),
    });
    // after the L1 exists: `.` and the resource's own namespace are the same entry
    this.exportTo = props.exportTo
      ? _validateExportTo(props.exportTo, { namespace: this.namespace, hasWorkloadSelector: props.workloadSelector !== undefined })
      : undefined;
    for (const s of props.subsets ?? []) this.addSubset(s.name, s.labels, s.trafficPolicy);

    const root = this.node.root;
    let reg = REGISTRIES.get(root);
    if (!reg) {
      reg = { byHost: new Map() };
      REGISTRIES.set(root, reg);
    }
    const key = _resolveShortname(host, this.namespace ?? 'default');
    const list = reg.byHost.get(key) ?? [];
    list.push(this);
    reg.byHost.set(key, list);
  }


  /** The subsets, in the order they were added. */
  public get subsets(): DestinationRuleSubset[] {
    return [...this._subsets.values()];
  }

  /**
   * Adds a subset: endpoints of the host whose pods carry `labels`. Returns it as a destination
   * (host + subset) to route to.
   *
   * @param name an RFC 1123 label, unique in this rule (e.g. `stable`, `v1`; a version such as `1.2.0` is not a valid name: put it in the labels)
   * @param labels pod labels selecting the subset; `{}` selects every endpoint of the host (Istio's
   *   egress-gateway task routes to such a subset, e.g. to give it its own traffic policy)
   * @param trafficPolicy the subset's own policy
   */
  public addSubset(name: string, labels: { [key: string]: string }, trafficPolicy?: TrafficPolicy): DestinationRuleSubset {
    _validateDnsLabel('subset name', name);
    if (this._subsets.has(name)) {
      throw _invalid('subset name', name, `DestinationRule '${this.node.path}' already has a subset with this name`, 'give each subset a unique name');
    }
    if (typeof labels !== 'object' || labels === null) {
      throw _invalid(`subset "${name}" labels`, labels, 'the labels are an object',
        'give the labels that distinguish it, e.g. { version: "v1" }, or {} for every endpoint (e.g. an egress gateway subset)');
    }
    if (Object.keys(labels).length > 0) _validateLabels(`subset "${name}" labels`, labels);
    const copy = { ...labels };
    const rendered = { name, labels: _sortedRecord(copy), trafficPolicy: _renderTrafficPolicy(`subset "${name}" trafficPolicy`, trafficPolicy) };
    const subset = DestinationRuleSubset._of(this.host, name, copy, rendered);
    this._subsets.set(name, subset);
    return subset;
  }

  /**
   * The subset called `name`, as a destination (host + subset) to route to. Throws when there is none.
   *
   * @param name the name given to `addSubset()` or in `props.subsets`
   */
  public subset(name: string): DestinationRuleSubset {
    const s = this._subsets.get(name);
    if (!s) throw _invalid('subset', name, `DestinationRule '${this.node.path}' has no such subset (it has: ${[...this._subsets.keys()].join(', ') || 'none'})`, 'call addSubset() first');
    return s;
  }

  private _toIstio(): net.DestinationRuleSpec {
    const selector = this.workloadSelector?.toSelectorLabels();
    return {
      host: this.host,
      trafficPolicy: this.trafficPolicyRendered,
      subsets: this._subsets.size > 0 ? this.subsets.map((s) => s._rendered) : undefined,
      exportTo: this.exportTo,
      workloadSelector: selector && Object.keys(selector).length > 0 ? { matchLabels: selector } : undefined,
    };
  }
}
