import { ApiObject, Chart, Testing } from 'cdk8s';
import { ConformanceValidator, MeshValidation } from '../../src';
import { _KIALI_AMBIENT_COVERAGE } from '../../src/validation/_kiali-ambient';
import { _meshChecks, _validateDocuments } from '../../src/validation/_mesh';
import { _KIALI_COVERAGE, _rule } from '../../src/validation/_rules';

// Kiali's ambient validations with Istio 1.30's semantics (src/validation/_kiali-ambient.ts): each rule fails on
// a misconfigured manifest and stays silent on a near miss.

const AMBIENT = { 'istio.io/dataplane-mode': 'ambient' };
const WAYPOINT = { ...AMBIENT, 'istio.io/use-waypoint': 'waypoint' };

function findings(docs: any[], options = {}) {
  return _meshChecks(docs.map((doc) => ({ doc })), options).filter((f) => f.rule.startsWith('KIA'));
}
function check(...docs: any[]): string[] {
  return findings(docs).map((f) => `${f.rule} ${f.severity} ${f.kind}/${f.namespace ?? ''}/${f.name} ${f.path}`);
}
const ns = (name: string, labels: { [k: string]: string } = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const svc = (name: string, labels?: { [k: string]: string }, namespace = 'shop') => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] },
});
const obj = (apiVersion: string, kind: string, name: string, spec: any, namespace = 'shop', labels?: { [k: string]: string }) =>
  ({ apiVersion, kind, metadata: { name, namespace, ...(labels ? { labels } : {}) }, spec });
const waypoint = (name = 'waypoint', namespace = 'shop', labels: { [k: string]: string } = {}, listener: any = {}) => obj('gateway.networking.k8s.io/v1', 'Gateway', name,
  { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', ...listener }] }, namespace, { 'istio.io/waypoint-for': 'service', ...labels });
const vs = (name: string, spec: any, namespace = 'shop') => obj('networking.istio.io/v1', 'VirtualService', name, spec, namespace);
const dr = (name: string, spec: any, namespace = 'shop') => obj('networking.istio.io/v1', 'DestinationRule', name, spec, namespace);
const tel = (name: string, spec: any, namespace = 'shop') => obj('telemetry.istio.io/v1', 'Telemetry', name, spec, namespace);
const wasm = (name: string, spec: any, namespace = 'shop') => obj('extensions.istio.io/v1alpha1', 'WasmPlugin', name, { url: 'oci://ghcr.io/acme/filter:1', ...spec }, namespace);
const deploy = (name: string, labels: { [k: string]: string }, extra: { annotations?: any; containers?: any[] } = {}, namespace = 'shop') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, ...labels }, ...(extra.annotations ? { annotations: extra.annotations } : {}) }, spec: { containers: extra.containers ?? [{ name: 'app', image: 'app:1' }] } },
  },
});
const route = { http: [{ route: [{ destination: { host: 'catalog' } }], timeout: '2s' }] };

describe('messages', () => {
  test('every finding names the problem and the fix', () => {
    const all = findings([ns('shop', AMBIENT), ns('web'), svc('catalog'), vs('catalog', { hosts: ['catalog'], ...route }),
      dr('catalog', { host: 'catalog', trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } }), wasm('w', { selector: { matchLabels: { app: 'catalog' } } }), tel('t', { selector: { matchLabels: { app: 'catalog' } }, tracing: [{}] }),
      deploy('a', { ...AMBIENT, 'sidecar.istio.io/inject': 'true' }), deploy('b', { 'sidecar.istio.io/inject': 'true' }), svc('orders', { 'istio.io/use-waypoint': 'missing' })]);
    expect(all.map((f) => f.rule)).toEqual(['KIA1113', 'KIA0211', 'KIA1117', 'KIA1116', 'KIA1313', 'KIA1311', 'KIA1316']);
    for (const f of all) expect([f.rule, / Fix: .+/.test(f.message)]).toEqual([f.rule, true]);
  });
});

describe('coverage', () => {
  test('every ambient code the issue lists is answered, by registered rules, and is in the README table', () => {
    const codes = ['KIA0109', 'KIA0110', 'KIA0210', 'KIA0211', 'KIA0212', 'KIA1109', 'KIA1110', 'KIA1111', 'KIA1112', 'KIA1113', 'KIA1114', 'KIA1115', 'KIA1116', 'KIA1117',
      'KIA1311', 'KIA1312', 'KIA1313', 'KIA1314', 'KIA1315', 'KIA1316', 'KIA1317'];
    expect(_KIALI_AMBIENT_COVERAGE.map((k) => k.code).sort()).toEqual(codes);
    for (const k of _KIALI_AMBIENT_COVERAGE) {
      for (const id of k.reportedAs) expect([k.code, id, _rule(id)?.id]).toEqual([k.code, id, id]);
      expect(k.note.length).toBeGreaterThan(20);
    }
    expect(_KIALI_AMBIENT_COVERAGE.filter((k) => k.reportedAs.length === 0).map((k) => k.code)).toEqual(['KIA1314']);
    for (const k of _KIALI_AMBIENT_COVERAGE) expect(_KIALI_COVERAGE).toContain(k);
  });
});

describe('KIA1113 / KIA1114: a mesh VirtualService for an ambient Service', () => {
  test('fails when the Service has no waypoint (also on tcp routes; a workload-only waypoint serves no Service)', () => {
    expect(check(ns('shop', AMBIENT), svc('catalog'), vs('catalog', { hosts: ['catalog'], ...route }))).toEqual(['KIA1113 warning VirtualService/shop/catalog spec.hosts[0]']);
    expect(check(ns('shop', WAYPOINT), waypoint(), svc('catalog', { 'istio.io/use-waypoint': 'none' }), vs('catalog', { hosts: ['catalog.shop.svc.cluster.local'], tcp: [{ route: [{ destination: { host: 'catalog' } }] }] })))
      .toEqual(['KIA1113 warning VirtualService/shop/catalog spec.hosts[0]']);
    expect(check(ns('shop', WAYPOINT), waypoint('waypoint', 'shop', { 'istio.io/waypoint-for': 'workload' }), svc('catalog'), vs('catalog', { hosts: ['catalog'], ...route })))
      .toEqual(['KIA1113 warning VirtualService/shop/catalog spec.hosts[0]']);
    const [f] = findings([ns('shop', AMBIENT), svc('catalog'), vs('catalog', { hosts: ['catalog'], ...route })]);
    expect(f.message).toBe('Service shop/catalog is in an ambient namespace and has no waypoint (neither Service shop/catalog nor namespace shop carries istio.io/use-waypoint): '
      + 'ztunnel applies no VirtualService, so these routes apply only to clients with a sidecar; ambient clients reach the Service unrouted. '
      + 'Fix: label the Service (or its namespace) istio.io/use-waypoint=<waypoint> and deploy that waypoint (a Gateway of class istio-waypoint)');
  });

  test('fails (KIA1114) when the Service has a waypoint but the VirtualService is in a third namespace', () => {
    expect(check(ns('shop', WAYPOINT), ns('web'), waypoint(), svc('catalog'), vs('catalog', { hosts: ['catalog.shop.svc.cluster.local'], ...route }, 'web')))
      .toEqual(['KIA1114 warning VirtualService/web/catalog spec.hosts[0]']);
  });

  test('near misses: a waypoint in the Service\'s namespace; gateway-bound routes; a sidecar namespace; a Service outside the input; the waypoint\'s namespace', () => {
    expect(check(ns('shop', WAYPOINT), waypoint(), svc('catalog'), vs('catalog', { hosts: ['catalog'], ...route }))).toEqual([]);
    expect(check(ns('shop', AMBIENT), svc('catalog'), vs('catalog', { hosts: ['catalog'], gateways: ['istio-ingress/edge'], ...route }))).toEqual([]);
    expect(check(ns('shop', { 'istio-injection': 'enabled' }), svc('catalog'), vs('catalog', { hosts: ['catalog'], ...route }))).toEqual([]);
    expect(check(ns('shop', AMBIENT), vs('catalog', { hosts: ['catalog'], ...route }))).toEqual([]);
    expect(check(ns('shop', { ...AMBIENT, 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'mesh-waypoints' }), ns('mesh-waypoints'),
      waypoint('waypoint', 'mesh-waypoints', {}, { allowedRoutes: { namespaces: { from: 'All' } } }), svc('catalog'),
      vs('catalog', { hosts: ['catalog.shop.svc.cluster.local'], ...route }, 'mesh-waypoints'))).toEqual([]);
  });
});

describe('KIA0211 / KIA0212: a DestinationRule for an ambient Service', () => {
  const policy = { host: 'catalog', trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } };
  test('fails when the Service has no waypoint (TCP settings too: ztunnel applies no DestinationRule)', () => {
    expect(check(ns('shop', AMBIENT), svc('catalog'), dr('catalog', policy))).toEqual(['KIA0211 warning DestinationRule/shop/catalog spec.trafficPolicy.connectionPool']);
    expect(check(ns('shop', AMBIENT), svc('catalog'), dr('catalog', { host: 'catalog', subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 3 } } }] })))
      .toEqual(['KIA0211 warning DestinationRule/shop/catalog spec.subsets[0].trafficPolicy.outlierDetection']);
  });
  test('fails (KIA0212) in a client namespace when a waypoint serves the Service', () => {
    expect(check(ns('shop', WAYPOINT), ns('web'), waypoint(), svc('catalog'), dr('catalog', { ...policy, host: 'catalog.shop.svc.cluster.local' }, 'web')))
      .toEqual(['KIA0212 warning DestinationRule/web/catalog spec.host']);
  });
  test('near misses: TLS only; a workloadSelector; a waypoint and the Service\'s namespace; the root namespace', () => {
    expect(check(ns('shop', AMBIENT), svc('catalog'), dr('catalog', { host: 'catalog', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }))).toEqual([]);
    expect(check(ns('shop', AMBIENT), svc('catalog'), dr('catalog', { ...policy, workloadSelector: { matchLabels: { app: 'legacy' } } }))).toEqual([]);
    expect(check(ns('shop', WAYPOINT), waypoint(), svc('catalog'), dr('catalog', policy))).toEqual([]);
    expect(check(ns('shop', WAYPOINT), waypoint(), svc('catalog'), dr('catalog', { ...policy, host: 'catalog.shop.svc.cluster.local' }, 'istio-system'))).toEqual([]);
  });
});

describe('KIA1116 / KIA1111: WasmPlugins in ambient', () => {
  test('fails without targetRefs (selector or namespace-wide), and attached to a Service without waypoint', () => {
    expect(check(ns('shop', AMBIENT), wasm('auth', { selector: { matchLabels: { app: 'catalog' } } }), wasm('all', {}))).toEqual([
      'KIA1116 warning WasmPlugin/shop/auth spec.selector', 'KIA1116 warning WasmPlugin/shop/all spec',
    ]);
    expect(check(ns('shop', AMBIENT), svc('catalog'), wasm('auth', { targetRefs: [{ group: '', kind: 'Service', name: 'catalog' }] })))
      .toEqual(['KIA1111 warning WasmPlugin/shop/auth spec.targetRefs[0]']);
    // a TrafficExtension (Istio 1.30 translates WasmPlugins into them) attaches the same way
    const lua = obj('extensions.istio.io/v1alpha1', 'TrafficExtension', 'headers', { lua: { inlineCode: 'function envoy_on_request(h) end' }, selector: { matchLabels: { app: 'catalog' } } });
    expect(check(ns('shop', AMBIENT), lua)).toEqual(['KIA1116 warning TrafficExtension/shop/headers spec.selector']);
  });
  test('near misses: targetRefs to a Service with a waypoint, or to the waypoint; gateway pods; sidecar pods of the input; a sidecar namespace', () => {
    expect(check(ns('shop', WAYPOINT), waypoint(), svc('catalog'), wasm('auth', { targetRefs: [{ group: '', kind: 'Service', name: 'catalog' }] }),
      wasm('gw', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] }))).toEqual([]);
    expect(check(ns('shop', AMBIENT), wasm('edge', { selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'edge' } } }))).toEqual([]);
    expect(check(ns('shop', AMBIENT), deploy('legacy', { 'sidecar.istio.io/inject': 'true', 'istio.io/dataplane-mode': 'none' }), wasm('auth', { selector: { matchLabels: { app: 'legacy' } } }))).toEqual([]);
    expect(check(ns('shop', { 'istio-injection': 'enabled' }), wasm('auth', { selector: { matchLabels: { app: 'catalog' } } }))).toEqual([]);
  });
});

describe('KIA1117 / KIA1112: Telemetries in ambient', () => {
  const logs = { accessLogging: [{ providers: [{ name: 'envoy' }] }] };
  test('fails on a selector Telemetry, one attached to a Service without waypoint, and a namespace-wide one without any waypoint', () => {
    expect(check(ns('shop', AMBIENT), svc('catalog'), tel('sel', { selector: { matchLabels: { app: 'catalog' } }, ...logs }),
      tel('ref', { targetRefs: [{ kind: 'Service', group: '', name: 'catalog' }], ...logs }), tel('ns', logs))).toEqual([
      'KIA1117 warning Telemetry/shop/sel spec.selector', 'KIA1112 warning Telemetry/shop/ref spec.targetRefs[0]', 'KIA1112 warning Telemetry/shop/ns spec',
    ]);
  });
  test('near misses: a namespace-wide Telemetry with a waypoint (Istio applies it there); the root namespace; an empty Telemetry; sidecar pods it selects', () => {
    expect(check(ns('shop', WAYPOINT), waypoint(), svc('catalog'), tel('ns', logs), tel('ref', { targetRefs: [{ kind: 'Service', group: '', name: 'catalog' }], ...logs }))).toEqual([]);
    expect(check(ns('shop', AMBIENT), svc('catalog', { 'istio.io/use-waypoint': 'waypoint' }), waypoint(), tel('ns', logs))).toEqual([]);
    expect(check(ns('istio-system', AMBIENT), tel('mesh-default', logs, 'istio-system'))).toEqual([]);
    expect(check(ns('shop', AMBIENT), tel('ns', {}))).toEqual([]);
    expect(check(ns('shop', AMBIENT), deploy('legacy', { 'sidecar.istio.io/inject': 'true', 'istio.io/dataplane-mode': 'none' }), tel('sel', { selector: { matchLabels: { app: 'legacy' } }, ...logs }))).toEqual([]);
  });
});

describe('KIA1313: a waypoint named by istio.io/use-waypoint is missing or misconfigured', () => {
  test('fails on a missing waypoint, a Service naming a workload-only waypoint, a pod naming a service-only one, and a cross-namespace waypoint that admits Same only', () => {
    expect(check(ns('shop', WAYPOINT), svc('catalog'))).toEqual(['KIA1313 warning Namespace//shop metadata.labels["istio.io/use-waypoint"]']);
    expect(check(ns('shop', AMBIENT), waypoint('wl', 'shop', { 'istio.io/waypoint-for': 'workload' }), svc('catalog', { 'istio.io/use-waypoint': 'wl' })))
      .toEqual(['KIA1313 warning Service/shop/catalog metadata.labels["istio.io/use-waypoint"]']);
    expect(check(ns('shop', AMBIENT), waypoint(), deploy('catalog', { 'istio.io/use-waypoint': 'waypoint' })))
      .toEqual(['KIA1313 warning Deployment/shop/catalog spec.template.metadata.labels["istio.io/use-waypoint"]']);
    expect(check(ns('shop', { ...WAYPOINT, 'istio.io/use-waypoint-namespace': 'mesh-waypoints' }), ns('mesh-waypoints'), waypoint('waypoint', 'mesh-waypoints')))
      .toEqual(['KIA1313 warning Namespace//shop metadata.labels["istio.io/use-waypoint"]']);
  });
  test('near misses: the waypoint in the input; declared external; its namespace outside the input; a cross-namespace waypoint admitting All', () => {
    expect(check(ns('shop', WAYPOINT), waypoint(), svc('catalog'))).toEqual([]);
    expect(findings([ns('shop', WAYPOINT), svc('catalog')], { externalGateways: new Set(['shop/waypoint']) })).toEqual([]);
    expect(check(svc('catalog', { 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': 'mesh-waypoints' }))).toEqual([]);
    expect(check(ns('shop', { ...WAYPOINT, 'istio.io/use-waypoint-namespace': 'mesh-waypoints' }), ns('mesh-waypoints'),
      waypoint('waypoint', 'mesh-waypoints', {}, { allowedRoutes: { namespaces: { from: 'All' } } }))).toEqual([]);
    expect(check(ns('shop', AMBIENT), waypoint('wp', 'shop', { 'istio.io/waypoint-for': 'all' }), deploy('catalog', { 'istio.io/use-waypoint': 'wp' }))).toEqual([]);
  });

  test('synth and the CLI agree: a waypoint declared external at synth is carried to the output (no finding from either)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop');
    new ApiObject(chart, 'ns', ns('shop', WAYPOINT));
    const validation = MeshValidation.of(app);
    expect(validation.validate().map((f) => `${f.rule} ${f.kind}/${f.name} ${f.path}`)).toEqual(['KIA1313 Namespace/shop metadata.labels["istio.io/use-waypoint"]']);
    validation.declareExternalGateways(['shop/waypoint']);
    expect(validation.validate()).toEqual([]);
    const docs = Testing.synth(chart);
    expect(docs[0].metadata.annotations).toEqual({ 'validation.cdk8s-istio.dev/external-gateways': 'shop/waypoint' });
    expect(_validateDocuments(docs.map((doc: any) => ({ doc })), ConformanceValidator.builtIn())).toEqual([]);
  });
});

describe('KIA1311 / KIA1315 / KIA1316 / KIA1312: pods whose sidecar and ambient labels contradict each other', () => {
  test('fails on an ambient-labelled pod that gets a sidecar, a kube-injected pod in an ambient namespace, a pod opting into a sidecar there, a waypoint label on a sidecar pod', () => {
    expect(check(ns('shop', { 'istio-injection': 'enabled' }), deploy('a', AMBIENT))).toEqual(['KIA1311 warning Deployment/shop/a spec.template.metadata.labels["istio.io/dataplane-mode"]']);
    expect(check(deploy('a', { ...AMBIENT, 'sidecar.istio.io/inject': 'true' }))).toEqual(['KIA1311 warning Deployment/shop/a spec.template.metadata.labels["istio.io/dataplane-mode"]']);
    expect(check(ns('shop', AMBIENT), deploy('a', {}, { annotations: { 'sidecar.istio.io/status': '{}' }, containers: [{ name: 'app', image: 'a' }, { name: 'istio-proxy', image: 'proxyv2' }] })))
      .toEqual(['KIA1315 warning Deployment/shop/a spec.template.metadata']);
    expect(check(ns('shop', AMBIENT), deploy('a', { 'sidecar.istio.io/inject': 'true' }))).toEqual(['KIA1316 warning Deployment/shop/a spec.template.metadata.labels["sidecar.istio.io/inject"]']);
    expect(check(ns('shop', { 'istio-injection': 'enabled' }), waypoint(), deploy('a', { 'istio.io/use-waypoint': 'waypoint' })))
      .toEqual(['KIA1312 warning Deployment/shop/a spec.template.metadata.labels["istio.io/use-waypoint"]']);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop', labels: { 'istio.io/use-waypoint': 'waypoint', 'istio.io/dataplane-mode': 'none' } }, spec: { containers: [] } };
    expect(check(ns('shop', AMBIENT), waypoint(), pod)).toEqual(['KIA1312 warning Pod/shop/p metadata.labels["istio.io/use-waypoint"]']);
  });
  test('near misses: an ambient pod; a pod opting out of ambient into a sidecar; injection disabled on the pod; gateway pods; a namespace outside the input; a proxy container alone', () => {
    expect(check(ns('shop', AMBIENT), deploy('a', {}), deploy('b', AMBIENT))).toEqual([]);
    expect(check(ns('shop', AMBIENT), deploy('a', { 'sidecar.istio.io/inject': 'true', 'istio.io/dataplane-mode': 'none' }))).toEqual([]);
    expect(check(ns('shop', { 'istio-injection': 'enabled' }), deploy('a', { ...AMBIENT, 'sidecar.istio.io/inject': 'false' }))).toEqual([]);
    expect(check(ns('shop', AMBIENT), deploy('edge', { 'sidecar.istio.io/inject': 'true' }, { annotations: { 'inject.istio.io/templates': 'gateway' } }))).toEqual([]);
    const gateway = obj('networking.istio.io/v1', 'Gateway', 'public', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] });
    expect(check(ns('shop', AMBIENT), gateway, deploy('ingress', { 'istio': 'ingressgateway', 'sidecar.istio.io/inject': 'true' }))).toEqual([]);
    expect(check(deploy('a', { 'sidecar.istio.io/inject': 'true' }), deploy('b', { 'istio.io/use-waypoint': 'waypoint' }))).toEqual([]);
    // an istio-proxy container without the injection status annotation is a gateway's Envoy, not a sidecar (istio-cni tests the annotation)
    expect(check(ns('shop', AMBIENT), deploy('edge', {}, { containers: [{ name: 'istio-proxy', image: 'proxyv2' }] }))).toEqual([]);
  });
});
