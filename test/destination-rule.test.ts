import { ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import {
  ClientTlsMode, ConsistentHashKey, DestinationRule, H2UpgradePolicy, LoadBalancer, LoadBalancerAlgorithm,
  ConformanceValidator, MeshWorkload, ServiceHost,
} from '../src';

const reviews = ServiceHost.inNamespace('bookinfo', 'reviews');

describe('DestinationRule', () => {
  test('default: host only', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new DestinationRule(chart, 'reviews', { metadata: { name: 'reviews', namespace: 'bookinfo' }, host: reviews });
    // THEN
    const [obj] = Testing.synth(chart);
    expect(obj).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: { host: 'reviews.bookinfo.svc.cluster.local' },
    });
  });

  test('subsets: name, labels (sorted), own traffic policy, in insertion order; returned as destinations', () => {
    // GIVEN
    const chart = Testing.chart();
    const dr = new DestinationRule(chart, 'reviews', { host: reviews, subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    // WHEN
    const v2 = dr.addSubset('v2', { version: 'v2', app: 'reviews' }, { loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM) });
    // THEN
    expect(v2.toMeshDestination()).toEqual({ host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' });
    expect(dr.subset('v1').labels).toEqual({ version: 'v1' });
    expect(Testing.synth(chart)[0].spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { app: 'reviews', version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } },
    ]);
  });

  test('traffic policy: TLS ISTIO_MUTUAL is kept, pools, outlier detection, consistent hash cookie, locality, port-level', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new DestinationRule(chart, 'reviews', {
      host: reviews,
      exportTo: ['.'],
      workloadSelector: MeshWorkload.labels({ app: 'productpage' }),
      trafficPolicy: {
        tls: { mode: ClientTlsMode.ISTIO_MUTUAL },
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: Duration.millis(250), tcpKeepalive: { time: Duration.seconds(30), probes: 3 } },
          http: {
            http1MaxPendingRequests: 10, maxRequestsPerConnection: 1, idleTimeout: Duration.minutes(5), h2UpgradePolicy: H2UpgradePolicy.UPGRADE,
          },
        },
        outlierDetection: { consecutive5xxErrors: 7, interval: Duration.seconds(5), baseEjectionTime: Duration.minutes(1), maxEjectionPercent: 50 },
        loadBalancer: LoadBalancer.consistentHash(ConsistentHashKey.cookie('session', { ttl: Duration.hours(1), path: '/' }), {
          locality: { failover: [{ from: 'us-east', to: 'us-west' }] },
        }),
        portLevelSettings: [
          { port: 9080, loadBalancer: LoadBalancer.simple(LoadBalancerAlgorithm.ROUND_ROBIN) },
          { port: 443, tls: { mode: ClientTlsMode.SIMPLE, sni: 'reviews.example.com' } },
        ],
      },
    });
    // THEN
    const spec = Testing.synth(chart)[0].spec;
    expect(spec.exportTo).toEqual(['.']);
    expect(spec.workloadSelector).toEqual({ matchLabels: { app: 'productpage' } });
    expect(spec.trafficPolicy).toEqual({
      tls: { mode: 'ISTIO_MUTUAL' },
      connectionPool: {
        tcp: { maxConnections: 100, connectTimeout: '0.25s', tcpKeepalive: { time: '30s', probes: 3 } },
        http: { http1MaxPendingRequests: 10, maxRequestsPerConnection: 1, idleTimeout: '300s', h2UpgradePolicy: 'UPGRADE' },
      },
      outlierDetection: { consecutive5xxErrors: 7, interval: '5s', baseEjectionTime: '60s', maxEjectionPercent: 50 },
      loadBalancer: {
        consistentHash: { httpCookie: { name: 'session', path: '/', ttl: '3600s' } },
        localityLbSetting: { failover: [{ from: 'us-east', to: 'us-west' }] },
      },
      portLevelSettings: [
        { port: { number: 443 }, tls: { mode: 'SIMPLE', sni: 'reviews.example.com' } },
        { port: { number: 9080 }, loadBalancer: { simple: 'ROUND_ROBIN' } },
      ],
    });
  });

  test('other hash keys, locality distribute and warmup', () => {
    expect(LoadBalancer.consistentHash(ConsistentHashKey.header('x-user'))._toIstio()).toEqual({ consistentHash: { httpHeaderName: 'x-user' } });
    expect(LoadBalancer.consistentHash(ConsistentHashKey.sourceIp())._toIstio()).toEqual({ consistentHash: { useSourceIp: true } });
    expect(LoadBalancer.consistentHash(ConsistentHashKey.queryParameter('u'))._toIstio()).toEqual({ consistentHash: { httpQueryParameterName: 'u' } });
    expect(JSON.parse(JSON.stringify(LoadBalancer.locality({ distribute: [{ from: 'r1/*', to: { 'r1/*': 80, 'r2/*': 20 } }] })._toIstio())))
      .toEqual({ localityLbSetting: { distribute: [{ from: 'r1/*', to: { 'r1/*': 80, 'r2/*': 20 } }] } });
    expect(LoadBalancer.simple(LoadBalancerAlgorithm.LEAST_REQUEST, { warmup: Duration.seconds(60) })._toIstio().warmup).toEqual({ duration: '60s' });
  });

  test('escape hatch reaches fields the L2 does not model', () => {
    const chart = Testing.chart();
    const dr = new DestinationRule(chart, 'reviews', { host: reviews });
    ApiObject.of(dr).addJsonPatch(JsonPatch.add('/spec/trafficPolicy', { proxyProtocol: { version: 'V2' } }));
    expect(Testing.synth(chart)[0].spec.trafficPolicy).toEqual({ proxyProtocol: { version: 'V2' } });
  });

  test('fails on a subset name that is not a DNS label (e.g. a version "1.2.0")', () => {
    const dr = new DestinationRule(Testing.chart(), 'r', { host: reviews });
    expect(() => dr.addSubset('1.2.0', { version: '1.2.0' }))
      .toThrow('Invalid subset name "1.2.0": it is not an RFC 1123 DNS label (at most 63 characters: lowercase letters, digits and "-", starting and ending with a letter or digit). Fix: use a name such as "1-2-0"');
    expect(() => dr.addSubset('V1', { version: 'v1' })).toThrow('Invalid subset name "V1": it is not an RFC 1123 DNS label');
  });

  test('fails on a duplicate subset name', () => {
    const dr = new DestinationRule(Testing.chart(), 'r', { host: reviews });
    dr.addSubset('v1', { version: 'v1' });
    expect(() => dr.addSubset('v1', { version: 'v2' }))
      .toThrow('Invalid subset name "v1": DestinationRule \'test/r\' already has a subset with this name. Fix: give each subset a unique name');
  });

  test('a subset without labels selects every endpoint (Istio\'s egress-gateway task routes to one)', () => {
    const chart = Testing.chart();
    const dr = new DestinationRule(chart, 'r', { metadata: { name: 'egressgateway-for-cnn' }, host: ServiceHost.inNamespace('istio-system', 'istio-egressgateway') });
    expect(dr.addSubset('cnn', {}).toMeshDestination()).toEqual({ host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'cnn' });
    expect(Testing.synth(chart)[0].spec.subsets).toEqual([{ name: 'cnn' }]);
  });

  test('fails on subset labels that are not an object', () => {
    const dr = new DestinationRule(Testing.chart(), 'r', { host: reviews });
    expect(() => dr.addSubset('v1', undefined as any)).toThrow(
      'Invalid subset "v1" labels (undefined): the labels are an object. Fix: give the labels that distinguish it, e.g. { version: "v1" }, or {} for every endpoint (e.g. an egress gateway subset)');
  });

  test('fails on an invalid subset label value', () => {
    const dr = new DestinationRule(Testing.chart(), 'r', { host: reviews });
    expect(() => dr.addSubset('v1', { version: 'v1/beta' })).toThrow('Invalid subset "v1" labels["version"] "v1/beta": it is not a valid label value');
  });

  test('fails on an unknown subset lookup', () => {
    const dr = new DestinationRule(Testing.chart(), 'r', { host: reviews });
    expect(() => dr.subset('v9')).toThrow('Invalid subset "v9": DestinationRule \'test/r\' has no such subset (it has: none). Fix: call addSubset() first');
  });

  test('fails on the wildcard host', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: ServiceHost.external('*.example.com') })).not.toThrow();
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: { toMeshDestination: () => ({ host: '*' }) } }))
      .toThrow('Invalid host "*": a DestinationRule cannot apply to every host');
  });

  test('fails on an empty traffic policy', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: {} }))
      .toThrow('Invalid trafficPolicy {}: a traffic policy must have at least one field (Istio rejects an empty one)');
  });

  test('fails on durations below 1ms', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { outlierDetection: { interval: Duration.millis(0) } } }))
      .toThrow('Invalid trafficPolicy.outlierDetection.interval "0 millis": it is shorter than 1ms, which Istio rejects. Fix: use at least Duration.millis(1)');
  });

  test('fails on a percent above 100 and negative counts', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { outlierDetection: { maxEjectionPercent: 120 } } }))
      .toThrow('Invalid trafficPolicy.outlierDetection.maxEjectionPercent 120: it must be a whole percentage from 0 to 100');
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { connectionPool: { tcp: { maxConnections: -1 } } } }))
      .toThrow('Invalid trafficPolicy.connectionPool.tcp.maxConnections -1: it must be a non-negative integer');
  });

  test('fails on an empty connection pool and on UPGRADE with useClientProtocol', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { connectionPool: {} } }))
      .toThrow('Invalid trafficPolicy.connectionPool {}: a connection pool needs tcp or http settings');
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { connectionPool: { http: { h2UpgradePolicy: H2UpgradePolicy.UPGRADE, useClientProtocol: true } } } }))
      .toThrow('Invalid trafficPolicy.connectionPool.http.useClientProtocol true: it must not be true when h2UpgradePolicy is UPGRADE');
  });

  test('fails on local-origin failures without split errors', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { outlierDetection: { consecutiveLocalOriginFailures: 3 } } }))
      .toThrow('Invalid trafficPolicy.outlierDetection.consecutiveLocalOriginFailures 3: it only applies when splitExternalLocalOriginErrors is true');
  });

  test('fails on ISTIO_MUTUAL with credentials and on MUTUAL without a certificate', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { tls: { mode: ClientTlsMode.ISTIO_MUTUAL, credentialName: 'x' } } }))
      .toThrow(/ISTIO_MUTUAL uses the mesh certificates/);
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { tls: { mode: ClientTlsMode.MUTUAL } } }))
      .toThrow(/MUTUAL needs a client certificate/);
  });

  test('fails on duplicate or empty port-level settings', () => {
    const lb = LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM);
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { portLevelSettings: [{ port: 80, loadBalancer: lb }, { port: 80, loadBalancer: lb }] } }))
      .toThrow('Invalid trafficPolicy.portLevelSettings[1].port 80: the port has settings already');
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { portLevelSettings: [{ port: 80 }] } }))
      .toThrow('Invalid trafficPolicy.portLevelSettings[0] {"port":80}: a port traffic policy must have at least one field');
  });

  test('fails on locality failover plus distribute, self failover, distribute not summing to 100', () => {
    expect(() => LoadBalancer.locality({ failover: [{ from: 'a', to: 'b' }], distribute: [{ from: 'a', to: { b: 100 } }] })).toThrow(/failover and distribute are mutually exclusive/);
    expect(() => LoadBalancer.locality({ failover: [{ from: 'a', to: 'a' }] })).toThrow(/a region cannot fail over to itself/);
    expect(() => LoadBalancer.locality({ distribute: [{ from: 'a', to: { b: 60 } }] })).toThrow('Invalid locality.distribute[from=a].to {"b":60}: the weights sum to 60, not 100');
  });

  test('fails on an empty cookie name', () => {
    expect(() => ConsistentHashKey.cookie('')).toThrow('Invalid cookie "": the cookie name is empty (Istio: "name required for HttpCookie")');
  });

  test('fails on invalid exportTo', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, exportTo: ['*', 'shop'] })).toThrow('Invalid exportTo ["*","shop"]: "*" already exports to all namespaces');
  });

  test('fails on exportTo "~", on "." next to its own namespace, and beyond its namespace with a workloadSelector (Istio\'s validateExportTo)', () => {
    // fixed: all three were accepted and rendered, and Istio rejects the DestinationRule
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const frontend = MeshWorkload.labels({ app: 'frontend' });
    expect(() => new DestinationRule(chart, 'a', { host: reviews, exportTo: ['~'] })).toThrow('Invalid exportTo ["~"]: "~" (no one) is allowed only on a ServiceEntry');
    expect(() => new DestinationRule(chart, 'b', { host: reviews, exportTo: ['shop', '.'] })).toThrow('Invalid exportTo ["shop","."]: "." and "shop" both name the resource\'s own namespace');
    expect(() => new DestinationRule(chart, 'c', { host: reviews, workloadSelector: frontend, exportTo: ['*'] }))
      .toThrow('Invalid exportTo ["*"]: a DestinationRule with a workloadSelector can only be exported to its own namespace. Fix: use exportTo ["."], or drop the workloadSelector');
    expect(new DestinationRule(chart, 'd', { host: reviews, workloadSelector: frontend, exportTo: ['.'] }).node.id).toBe('d');
  });

  test('fails on an unknown TLS mode and on a credential plus certificate files', () => {
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { tls: { mode: 'STRICT' as any } } }))
      .toThrow('Invalid trafficPolicy.tls.mode "STRICT": it is not a TLS mode. Fix: use ClientTlsMode.ISTIO_MUTUAL, SIMPLE, MUTUAL or DISABLE');
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { tls: { mode: ClientTlsMode.MUTUAL, credentialName: 'c', clientCertificate: '/a' } } }))
      .toThrow('Invalid trafficPolicy.tls.credentialName "c": a credential and certificate files are mutually exclusive');
  });

  test('fails on locality failover without outlier detection', () => {
    const failover = LoadBalancer.locality({ failover: [{ from: 'us-east', to: 'us-west' }] });
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { loadBalancer: failover } }))
      .toThrow('Invalid trafficPolicy.loadBalancer "locality failover": failover needs outlier detection to notice unhealthy endpoints (Istio rejects it without). Fix: set outlierDetection');
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { portLevelSettings: [{ port: 80, loadBalancer: failover }] } }))
      .toThrow('Invalid trafficPolicy.portLevelSettings[0].loadBalancer "locality failover": failover needs outlier detection');
  });

  test('fails on an empty hash header or query parameter name', () => {
    expect(() => ConsistentHashKey.header('')).toThrow('Invalid header "": the header name is empty');
    expect(() => ConsistentHashKey.queryParameter('')).toThrow('Invalid queryParameter "": the parameter name is empty');
  });

  test('retryBudget (Istio 1.30): rendered beside the connection pool; a subset inherits the rule\'s pool; valid against the CRD', () => {
    // GIVEN
    const chart = Testing.chart();
    const pool = { http: { http2MaxRequests: 1000 } };
    // WHEN
    const dr = new DestinationRule(chart, 'reviews', {
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      host: reviews,
      trafficPolicy: { connectionPool: pool, retryBudget: { percent: 12.5, minRetryConcurrency: 5 } },
    });
    dr.addSubset('v1', { version: 'v1' }, { retryBudget: { percent: 50 } });
    // THEN
    const [obj] = Testing.synth(chart);
    expect(obj.spec.trafficPolicy).toEqual({
      connectionPool: { http: { http2MaxRequests: 1000 } },
      retryBudget: { percent: 12.5, minRetryConcurrency: 5 },
    });
    expect(obj.spec.subsets).toEqual([{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { retryBudget: { percent: 50 } } }]);
    expect(ConformanceValidator.builtIn().validate(obj)).toEqual([]);
  });

  test('fails on a retryBudget without a connection pool (Istio ignores it), or out of range', () => {
    // a budget alone is a valid policy field for Istio's validation, but applyConnectionPool returns before it
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { retryBudget: { percent: 20 } } }))
      .toThrow('Invalid trafficPolicy.retryBudget {"percent":20}: Istio applies a retry budget only together with a connection pool, so without one it would be ignored silently. Fix: set connectionPool beside it');
    const noPool = new DestinationRule(Testing.chart(), 'r', { host: reviews });
    expect(() => noPool.addSubset('v1', { version: 'v1' }, { retryBudget: {} }))
      .toThrow('Invalid subset "v1" trafficPolicy.retryBudget {}: Istio applies a retry budget only together with a connection pool');
    // near-miss: the subset's own pool is enough
    expect(noPool.addSubset('v2', { version: 'v2' }, { connectionPool: { tcp: { maxConnections: 10 } }, retryBudget: {} }).name).toBe('v2');
    const pool = { tcp: { maxConnections: 10 } };
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { connectionPool: pool, retryBudget: { percent: 101 } } }))
      .toThrow('Invalid trafficPolicy.retryBudget.percent 101: it must be a percentage from 0 to 100. Fix: use e.g. 20');
    expect(() => new DestinationRule(Testing.chart(), 'r', { host: reviews, trafficPolicy: { connectionPool: pool, retryBudget: { minRetryConcurrency: -1 } } }))
      .toThrow('Invalid trafficPolicy.retryBudget.minRetryConcurrency -1: it must be a non-negative integer');
  });
});
