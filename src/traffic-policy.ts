/**
 * Traffic policies of a DestinationRule (top level, per port, per subset): client TLS, connection pools,
 * outlier detection, load balancing; rendered as Istio's `trafficPolicy` by `_renderTrafficPolicy`.
 */
import { Duration } from 'cdk8s';
import { _invalid, _renderDuration, _validatePort } from './_utils';
import * as net from './imports/istio-networking.istio.io';

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

  private constructor(private readonly rendered: net.DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash) {}

  /** @internal */
  public _toIstio(): net.DestinationRuleSpecTrafficPolicyLoadBalancerConsistentHash {
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
    // the generated enum has the same values as LoadBalancerAlgorithm
    return new LoadBalancer({ simple: algorithm as string as net.DestinationRuleSpecTrafficPolicyLoadBalancerSimple }, options);
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

  private readonly rendered: net.DestinationRuleSpecTrafficPolicyLoadBalancer;

  private constructor(base: net.DestinationRuleSpecTrafficPolicyLoadBalancer, options: LoadBalancerOptions) {
    const l = options.locality;
    let localityLbSetting: net.DestinationRuleSpecTrafficPolicyLoadBalancerLocalityLbSetting | undefined;
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
  public _toIstio(): net.DestinationRuleSpecTrafficPolicyLoadBalancer {
    return this.rendered;
  }

  /** @internal */
  public get _hasLocalityFailover(): boolean {
    return (this.rendered.localityLbSetting?.failover ?? []).length > 0 || (this.rendered.localityLbSetting?.failoverPriority ?? []).length > 0;
  }
}

/**
 * A limit on concurrent retries relative to the active requests (Envoy's retry budget). Istio applies it
 * only together with a connection pool (its own or, for a subset, the rule's).
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-RetryBudget
 */
export interface RetryBudget {
  /**
   * Concurrent retries allowed, as a percentage (0 to 100, fractions allowed) of the active and pending requests.
   *
   * @default 20 (Istio's default)
   */
  readonly percent?: number;
  /**
   * Concurrent retries always allowed, whatever the percentage gives.
   *
   * @default 3 (Istio's default)
   */
  readonly minRetryConcurrency?: number;
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
  /**
   * A limit on concurrent retries (Istio 1.30), applied with the connection pool: a budget needs
   * `connectionPool` set here or, for a subset, on the rule.
   *
   * @default - none: Envoy's fixed `maxRetries` from the connection pool limits retries
   */
  readonly retryBudget?: RetryBudget;
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

function renderTls(prop: string, tls: ClientTlsSettings | undefined): net.DestinationRuleSpecTrafficPolicyTls | undefined {
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
    // the generated enum has the same values as ClientTlsMode (checked above)
    mode: tls.mode as string as net.DestinationRuleSpecTrafficPolicyTlsMode,
    credentialName: tls.credentialName,
    sni: tls.sni,
    subjectAltNames: tls.subjectAltNames && tls.subjectAltNames.length > 0 ? [...tls.subjectAltNames] : undefined,
    insecureSkipVerify: tls.insecureSkipVerify,
    caCertificates: tls.caCertificates,
    clientCertificate: tls.clientCertificate,
    privateKey: tls.privateKey,
  };
}

function renderPool(prop: string, pool: ConnectionPoolSettings | undefined): net.DestinationRuleSpecTrafficPolicyConnectionPool | undefined {
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
      h2UpgradePolicy: h.h2UpgradePolicy as string | undefined as net.DestinationRuleSpecTrafficPolicyConnectionPoolHttpH2UpgradePolicy | undefined,
      useClientProtocol: h.useClientProtocol,
      maxConcurrentStreams: count(`${prop}.http.maxConcurrentStreams`, h.maxConcurrentStreams),
    } : undefined,
  };
}

function renderOutlier(prop: string, o: OutlierDetection | undefined): net.DestinationRuleSpecTrafficPolicyOutlierDetection | undefined {
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
 * A retry budget, checked as Istio applies it: `percent` a number from 0 to 100, `minRetryConcurrency` a
 * non-negative integer, and a connection pool beside it (Istio's `applyConnectionPool` returns before the
 * budget when the merged policy has no pool, so a lone budget would be ignored silently).
 */
function renderRetryBudget(prop: string, b: RetryBudget | undefined, hasPool: boolean): RetryBudget | undefined {
  if (b === undefined) return undefined;
  if (typeof b !== 'object' || b === null) {
    throw _invalid(prop, b, 'a retry budget is an object', 'pass e.g. { percent: 25, minRetryConcurrency: 5 }');
  }
  const p = b.percent;
  if (p !== undefined && (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100)) {
    throw _invalid(`${prop}.percent`, p, 'it must be a percentage from 0 to 100', 'use e.g. 20 (Istio\'s default)');
  }
  if (!hasPool) {
    throw _invalid(prop, b, 'Istio applies a retry budget only together with a connection pool, so without one it would be ignored silently',
      'set connectionPool beside it (e.g. { http: { http2MaxRequests: 1000 } }), on this policy or on the rule a subset inherits from');
  }
  return { percent: p, minRetryConcurrency: count(`${prop}.minRetryConcurrency`, b.minRetryConcurrency) };
}

/**
 * Validates and renders a traffic policy into the generated (TypeScript-named) L1 shape.
 *
 * @param inheritedPool true for a subset's policy when the rule's own policy has a connection pool
 * (Istio merges the two before applying a retry budget)
 * @internal
 */
export function _renderTrafficPolicy(prop: string, p: TrafficPolicy | undefined, inheritedPool: boolean = false): any {
  if (!p) return undefined;
  if (!p.tls && !p.connectionPool && !p.outlierDetection && !p.loadBalancer && (p.portLevelSettings ?? []).length === 0
    && p.retryBudget === undefined) {
    throw _invalid(prop, p, 'a traffic policy must have at least one field (Istio rejects an empty one)',
      'set tls, connectionPool, outlierDetection, loadBalancer, portLevelSettings or retryBudget, or leave the policy out');
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
    retryBudget: renderRetryBudget(`${prop}.retryBudget`, p.retryBudget, p.connectionPool !== undefined || inheritedPool),
  };
}

