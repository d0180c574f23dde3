import { Chart, Testing } from 'cdk8s';
import { CanaryService, EdgeApi, GatewayTls, GatewayWorkload, MeshGateway, NamespaceRef, SecureNamespace, ServiceHost, TrafficDialect } from '../../src';
import { _meshChecks, _validateDocuments } from '../../src/validation/_mesh';
import { ConformanceValidator } from '../../src/validation/conformance';

const GW = 'gateway.networking.k8s.io/v1';

function doc(apiVersion: string, kind: string, namespace: string | undefined, name: string, spec: any, metadata: any = {}): any {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...metadata }, spec };
}
const namespaceDoc = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const service = (ns: string, name: string, ports: any[], selector: any = { app: 'web' }, labels?: any) => doc('v1', 'Service', ns, name, { selector, ports }, labels ? { labels } : {});
const deployment = (ns: string, name: string, containers: any[], labels: any = { app: 'web' }) =>
  doc('apps/v1', 'Deployment', ns, name, { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } });
const container = (ports: any[] = [], image = 'web:1') => ({ name: 'web', image, ports });
const k8sGateway = (ns: string, name: string, spec: any) => doc(GW, 'Gateway', ns, name, { gatewayClassName: 'istio', ...spec });
const listener = (name: string, port: number, hostname?: string) => ({ name, port, protocol: 'HTTP', ...(hostname ? { hostname } : {}) });

/** `rule severity Kind ns/name path` of every finding of `rule`. */
function findings(docs: any[], rule: string): string[] {
  return _meshChecks(docs.map((d) => ({ doc: d }))).filter((f) => f.rule === rule).map((f) => `${f.rule} ${f.severity} ${f.kind} ${f.namespace}/${f.name} ${f.path}`);
}
function messages(docs: any[], rule: string): string[] {
  return _meshChecks(docs.map((d) => ({ doc: d }))).filter((f) => f.rule === rule).map((f) => f.message);
}

describe('KIA0701: a numeric targetPort no selected container declares', () => {
  test('fails when the containers declare other ports (targetPort, or port when targetPort is unset)', () => {
    const docs = [service('shop', 'web', [{ name: 'http', port: 80, targetPort: 8000 }, { name: 'http-admin', port: 9000 }]), deployment('shop', 'web', [container([{ containerPort: 8080 }])])];
    expect(findings(docs, 'KIA0701')).toEqual([
      'KIA0701 warning Service shop/web spec.ports[0].targetPort',
      'KIA0701 warning Service shop/web spec.ports[1]',
    ]);
    expect(messages(docs, 'KIA0701')[0]).toEqual('Service shop/web port 80 targets port 8000, which no container of the pods it selects (Deployment/web) declares (they declare 8080): '
      + 'if the application listens on a declared port, requests to 8000 are refused. Fix: set targetPort to the port the container listens on, or declare containerPort 8000');
  });

  test('near misses: the declared port; containers without ports; a sidecar init container; no workload in the input; the root namespace; an injected gateway', () => {
    const svc = service('shop', 'web', [{ name: 'http', port: 80, targetPort: 8080 }]);
    expect(findings([svc, deployment('shop', 'web', [container([{ containerPort: 8080 }])])], 'KIA0701')).toEqual([]);
    expect(findings([svc, deployment('shop', 'web', [container()])], 'KIA0701')).toEqual([]);
    const withSidecar = deployment('shop', 'web', [container([{ containerPort: 9090 }])]);
    withSidecar.spec.template.spec.initContainers = [{ name: 'proxy', image: 'p', restartPolicy: 'Always', ports: [{ containerPort: 8080 }] }];
    expect(findings([svc, withSidecar], 'KIA0701')).toEqual([]);
    expect(findings([svc, deployment('shop', 'other', [container([{ containerPort: 9090 }])], { app: 'other' })], 'KIA0701')).toEqual([]);
    expect(findings([service('istio-system', 'istiod', [{ name: 'https-webhook', port: 443, targetPort: 15017 }]), deployment('istio-system', 'istiod', [container([{ containerPort: 8080 }])])], 'KIA0701')).toEqual([]);
    expect(findings([svc, deployment('shop', 'web', [{ name: 'istio-proxy', image: 'auto', ports: [{ containerPort: 15090 }] }])], 'KIA0701')).toEqual([]);
  });
});

describe('MESH410: a named targetPort no selected pod defines', () => {
  test('fails when no container of the selected pods has a port of that name and protocol', () => {
    const docs = [service('shop', 'web', [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }]),
      deployment('shop', 'web', [container([{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353 }])])];
    expect(findings(docs, 'MESH410')).toEqual([
      'MESH410 error Service shop/web spec.ports[0].targetPort',
      'MESH410 error Service shop/web spec.ports[1].targetPort',
    ]);
    expect(messages(docs, 'MESH410')[0]).toEqual('Service shop/web port 80 targets the container port named "web", which no container of the pods it selects (Deployment/web) defines (TCP): '
      + 'Kubernetes cannot resolve it, so these pods are no endpoints of the port and requests fail (no healthy upstream). Fix: name the container port "web" or set targetPort to the number the container listens on');
  });

  test('near misses: the name is defined (by one of the selected workloads); the Service selects no workload of the input', () => {
    const svc = service('shop', 'web', [{ name: 'http', port: 80, targetPort: 'web' }]);
    expect(findings([svc, deployment('shop', 'web', [container([{ name: 'web', containerPort: 8080 }])])], 'MESH410')).toEqual([]);
    expect(findings([svc, deployment('shop', 'a', [container()]), deployment('shop', 'b', [container([{ name: 'web', containerPort: 8080 }])])], 'MESH410')).toEqual([]);
    expect(findings([svc], 'MESH410')).toEqual([]);
  });
});

describe('IST0116: Services giving one target port of a sidecar workload different protocols', () => {
  const injected = namespaceDoc('shop', { 'istio-injection': 'enabled' });
  const web = deployment('shop', 'web', [container([{ name: 'web', containerPort: 8080 }])]);
  test('fails on HTTP and TCP (or an unknown protocol) for one target port, named or numeric', () => {
    const docs = [injected, web, service('shop', 'web-http', [{ name: 'http', port: 80, targetPort: 8080 }]), service('shop', 'web-tcp', [{ name: 'tcp', port: 9000, targetPort: 'web' }])];
    expect(findings(docs, 'IST0116')).toEqual(['IST0116 warning Deployment shop/web spec.template.metadata.labels']);
    expect(messages(docs, 'IST0116')).toEqual(['This workload shop/web is associated with multiple services using target port 8080 but different protocols: http (shop/web-http), tcp (shop/web-tcp). '
      + 'Its sidecar builds one inbound listener per target port and takes the oldest Service\'s protocol. Fix: give the port the same protocol (port name or appProtocol) in every Service that selects the workload']);
    expect(findings([web, doc('v1', 'Pod', 'shop', 'p', { containers: [] }, { labels: { 'app': 'web', 'sidecar.istio.io/inject': 'true' } }),
      service('shop', 'a', [{ name: 'http', port: 80, targetPort: 8080 }]), service('shop', 'b', [{ name: 'web', port: 8080 }])], 'IST0116')).toEqual(['IST0116 warning Pod shop/p metadata.labels']);
  });

  test('near misses: the same protocol; different target ports; UDP; no sidecar; the namespace not in the input', () => {
    const a = service('shop', 'a', [{ name: 'http', port: 80, targetPort: 8080 }]);
    expect(findings([injected, web, a, service('shop', 'b', [{ name: 'http-alt', port: 8080, appProtocol: 'http' }])], 'IST0116')).toEqual([]);
    expect(findings([injected, web, a, service('shop', 'b', [{ name: 'tcp', port: 9000 }])], 'IST0116')).toEqual([]);
    expect(findings([injected, web, a, service('shop', 'b', [{ name: 'udp', port: 8080, protocol: 'UDP' }])], 'IST0116')).toEqual([]);
    expect(findings([namespaceDoc('shop', { 'istio.io/dataplane-mode': 'ambient' }), web, a, service('shop', 'b', [{ name: 'tcp', port: 8080 }])], 'IST0116')).toEqual([]);
    expect(findings([web, a, service('shop', 'b', [{ name: 'tcp', port: 8080 }])], 'IST0116')).toEqual([]);
  });
});

describe('IST0162: a Gateway server port the gateway Service does not expose', () => {
  const pods = deployment('istio-ingress', 'ingress', [container([], 'auto')], { istio: 'ingress' });
  const svc = service('istio-ingress', 'ingress', [{ name: 'http2', port: 80, targetPort: 8080 }, { name: 'https', port: 443 }], { istio: 'ingress' });
  const gateway = (ports: number[]) => doc('networking.istio.io/v1', 'Gateway', 'shop', 'gw', {
    selector: { istio: 'ingress' }, servers: ports.map((number) => ({ port: { number, name: `p${number}`, protocol: 'HTTP' }, hosts: ['*'] })),
  });
  test('fails on a server port that is neither a Service port nor a target port', () => {
    expect(findings([pods, svc, gateway([80, 8080, 443, 9443])], 'IST0162')).toEqual(['IST0162 warning Gateway shop/gw spec.servers[3].port.number']);
    expect(messages([pods, svc, gateway([9443])], 'IST0162')).toEqual(['The gateway is listening on a target port (port 9443) that is not defined in the Service associated with its workload instances (Pod selector istio=ingress): '
      + 'it is not reachable through the gateway Service. Fix: add port 9443 (or a port targeting it) to the gateway\'s Service, or use one of the Service\'s ports']);
  });

  test('near misses: the gateway Service is not in the input; its pods are not; a Service port translated to its target', () => {
    expect(findings([pods, gateway([9443])], 'IST0162')).toEqual([]);
    expect(findings([svc, gateway([9443])], 'IST0162')).toEqual([]);
    expect(findings([pods, svc, gateway([80, 443])], 'IST0162')).toEqual([]);
  });

  test('copies of the gateway Deployment in several files are alternatives: each Gateway is paired with its own file\'s copy and Service', () => {
    const inputs = [
      { doc: pods, file: 'a.yaml' }, { doc: gateway([443]), file: 'a.yaml' },
      { doc: pods, file: 'b.yaml' }, { doc: service('istio-ingress', 'ingress', [{ name: 'http2', port: 80 }], { istio: 'ingress' }), file: 'b.yaml' },
    ];
    expect(_meshChecks(inputs).filter((f) => f.rule === 'IST0162')).toEqual([]);
    const oneApp = [{ doc: pods, file: 'a.yaml' }, { doc: gateway([443]), file: 'a.yaml' }, { doc: service('istio-ingress', 'ingress', [{ name: 'http2', port: 80 }], { istio: 'ingress' }), file: 'b.yaml' }];
    expect(_meshChecks(oneApp).filter((f) => f.rule === 'IST0162').map((f) => `${f.name} ${f.path} ${f.file}`)).toEqual(['gw spec.servers[0].port.number a.yaml']);
  });

  test('a named target port resolves through the container ports; a Service that opts out of port translation offers its target ports only', () => {
    const named = deployment('istio-ingress', 'ingress', [{ name: 'istio-proxy', image: 'proxyv2', ports: [{ name: 'https', containerPort: 8443 }] }], { istio: 'ingress' });
    const svcNamed = service('istio-ingress', 'ingress', [{ name: 'https', port: 443, targetPort: 'https' }], { istio: 'ingress' });
    expect(findings([named, svcNamed, gateway([443, 8443])], 'IST0162')).toEqual([]);
    const optOut = service('istio-ingress', 'ingress', [{ name: 'http2', port: 80, targetPort: 8080 }], { istio: 'ingress' }, { 'experimental.istio.io/disable-gateway-port-translation': 'true' });
    expect(findings([pods, optOut, gateway([80, 8080])], 'IST0162')).toEqual(['IST0162 warning Gateway shop/gw spec.servers[0].port.number']);
  });
});

describe('KIA1402: a Service backend named by its hostname', () => {
  test('fails on a backendRef or mirror of kind Service with dots; MESH401 does not report it again', () => {
    const r = doc(GW, 'HTTPRoute', 'shop', 'r', {
      rules: [{
        backendRefs: [{ name: 'reviews.shop.svc.cluster.local', port: 9080 }],
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'api.example.com', port: 443 } } }],
      }],
    });
    const docs = [namespaceDoc('shop'), r];
    expect(findings(docs, 'KIA1402')).toEqual([
      'KIA1402 error HTTPRoute shop/r spec.rules[0].backendRefs[0].name',
      'KIA1402 error HTTPRoute shop/r spec.rules[0].filters[0].requestMirror.backendRef.name',
    ]);
    expect(messages(docs, 'KIA1402')).toEqual([
      'HTTPRoute backend "reviews.shop.svc.cluster.local" is a hostname, not a Service name: Istio refuses it ("service name invalid; the name of the Service must be used, not the hostname") and the rule gets no backend. '
      + 'Fix: name: reviews, namespace: shop (with a ReferenceGrant there when it is another namespace)',
      'HTTPRoute backend "api.example.com" is a hostname, not a Service name: Istio refuses it ("service name invalid; the name of the Service must be used, not the hostname") and the rule gets no backend. '
      + 'Fix: kind: Hostname, group: networking.istio.io for a ServiceEntry host, or the Service\'s own name',
    ]);
    expect(findings(docs, 'MESH401')).toEqual([]);
  });

  test('fails on an Istio Hostname backend with a namespace', () => {
    const r = doc(GW, 'HTTPRoute', 'shop', 'r', { rules: [{ backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'api.example.com', namespace: 'shop', port: 443 }] }] });
    expect(findings([r], 'KIA1402')).toEqual(['KIA1402 error HTTPRoute shop/r spec.rules[0].backendRefs[0].namespace']);
    expect(messages([r], 'KIA1402')).toEqual(['HTTPRoute backend Hostname "api.example.com" sets a namespace: Istio refuses it ("namespace may not be set with Hostname type") and the rule gets no backend. '
      + 'Fix: remove the namespace (a Hostname is looked up among the ServiceEntries visible to the route)']);
  });

  test('near misses: a Service name; an Istio Hostname backend with dots', () => {
    expect(findings([doc(GW, 'HTTPRoute', 'shop', 'r', { rules: [{ backendRefs: [{ name: 'reviews', port: 9080 }, { group: 'networking.istio.io', kind: 'Hostname', name: 'api.example.com', port: 443 }] }] })], 'KIA1402')).toEqual([]);
  });
});

describe('KIA1501 / KIA1502: Gateway API Gateways sharing a gateway Service or an IP', () => {
  const shared = { addresses: [{ type: 'Hostname', value: 'ingress.istio-ingress.svc.cluster.local' }] };
  test('KIA1501 fails on one hostname and port in two Gateways bound to one existing Service', () => {
    const docs = [k8sGateway('a', 'gw', { ...shared, listeners: [listener('web', 80, 'shop.example.com'), listener('api', 80, 'api.example.com')] }),
      k8sGateway('b', 'gw', { ...shared, listeners: [listener('web', 80, 'shop.example.com')] })];
    expect(findings(docs, 'KIA1501')).toEqual(['KIA1501 warning Gateway a/gw spec.listeners[0]', 'KIA1501 warning Gateway b/gw spec.listeners[0]']);
    expect(messages(docs, 'KIA1501')[0]).toEqual('Gateways a/gw, b/gw bind to the same gateway Service (ingress.istio-ingress.svc.cluster.local) and each has a listener for hostname shop.example.com on port 80: '
      + 'the gateway serves one of them (for TLS one certificate, for HTTP one route table), which one is undefined. Fix: keep the listener in one Gateway and attach the routes of both to it');
  });

  test('KIA1501 near misses: Gateways without addresses (each deployed on its own); other hostnames on the shared Service', () => {
    expect(findings([k8sGateway('a', 'gw', { listeners: [listener('web', 80, 'shop.example.com')] }), k8sGateway('b', 'gw', { listeners: [listener('web', 80, 'shop.example.com')] })], 'KIA1501')).toEqual([]);
    expect(findings([k8sGateway('a', 'gw', { ...shared, listeners: [listener('web', 80, 'shop.example.com')] }), k8sGateway('b', 'gw', { ...shared, listeners: [listener('web', 80, 'api.example.com')] })], 'KIA1501')).toEqual([]);
  });

  test('KIA1502 fails on one IP address asked by two Gateways; near misses: other IPs, a shared Hostname address', () => {
    const ip = (value: string) => ({ addresses: [{ type: 'IPAddress', value }], listeners: [listener('web', 80)] });
    expect(findings([k8sGateway('a', 'gw', ip('10.0.0.10')), k8sGateway('b', 'gw', ip('10.0.0.10'))], 'KIA1502')).toEqual([
      'KIA1502 warning Gateway a/gw spec.addresses[0].value',
      'KIA1502 warning Gateway b/gw spec.addresses[0].value',
    ]);
    expect(findings([k8sGateway('a', 'gw', ip('10.0.0.10')), k8sGateway('b', 'gw', ip('10.0.0.11'))], 'KIA1502')).toEqual([]);
    expect(findings([k8sGateway('a', 'gw', { ...shared, listeners: [listener('web', 80, 'a.example.com')] }), k8sGateway('b', 'gw', { ...shared, listeners: [listener('web', 80, 'b.example.com')] })], 'KIA1502')).toEqual([]);
  });
});

describe('KIA1503: listeners unique by hostname, port and protocol (the Gateway CRD\'s CEL rule)', () => {
  const conformance = ConformanceValidator.builtIn();
  test('fails (K8S-CEL) on two listeners with one hostname, port and protocol; near miss: other hostnames', () => {
    const twice = k8sGateway('a', 'gw', { listeners: [listener('one', 80, 'shop.example.com'), listener('two', 80, 'shop.example.com')] });
    expect(conformance.validate(twice).map((f) => `${f.rule} ${f.severity} ${f.path}: ${f.message}`)).toEqual([
      'K8S-CEL error spec.listeners: Invalid value: "array": Combination of port, protocol and hostname must be unique for each listener. Fix: change the object so that the CRD\'s validation rule holds',
    ]);
    expect(conformance.validate(k8sGateway('a', 'gw', { listeners: [listener('one', 80, 'shop.example.com'), listener('two', 80, 'api.example.com')] }))).toEqual([]);
  });
});

describe('KIA1504: a GatewayClass Istio does not know', () => {
  test('fails on a class neither built in nor in the input', () => {
    const docs = [k8sGateway('a', 'gw', { gatewayClassName: 'isito', listeners: [listener('web', 80)] })];
    expect(findings(docs, 'KIA1504')).toEqual(['KIA1504 warning Gateway a/gw spec.gatewayClassName']);
    expect(messages(docs, 'KIA1504')).toEqual(['GatewayClass "isito" is neither one of Istio\'s (istio, istio-remote, istio-waypoint, istio-east-west, istio-agentgateway) nor defined in the input: '
      + 'unless another controller installs it, no controller programs this Gateway. Fix: use gatewayClassName istio (did you mean "istio"?), define the GatewayClass, or suppress KIA1504 for a class another controller owns']);
  });

  test('near misses: built-in classes; a GatewayClass of the input', () => {
    for (const cls of ['istio', 'istio-waypoint', 'istio-remote', 'istio-east-west']) {
      expect(findings([k8sGateway('a', 'gw', { gatewayClassName: cls, listeners: [listener('web', 80)] })], 'KIA1504')).toEqual([]);
    }
    const own = doc(GW, 'GatewayClass', undefined, 'edge', { controllerName: 'istio.io/gateway-controller' });
    expect(findings([own, k8sGateway('a', 'gw', { gatewayClassName: 'edge', listeners: [listener('web', 80)] })], 'KIA1504')).toEqual([]);
  });
});

describe('KIA1601: a ReferenceGrant from a namespace one typo away from the input\'s', () => {
  const grant = (from: string) => doc('gateway.networking.k8s.io/v1beta1', 'ReferenceGrant', 'shop', 'g', {
    from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: from }], to: [{ group: '', kind: 'Service' }],
  });
  test('fails on a near miss of a namespace the input defines', () => {
    const docs = [namespaceDoc('frontend'), namespaceDoc('shop'), grant('fronted')];
    expect(findings(docs, 'KIA1601')).toEqual(['KIA1601 warning ReferenceGrant shop/g spec.from[0].namespace']);
    expect(messages(docs, 'KIA1601')).toEqual(['ReferenceGrant shop/g allows HTTPRoutes from namespace "fronted", which the input does not define; it defines "frontend": the grant allows nothing the input references. Fix: did you mean "frontend"?']);
  });

  test('near misses: a defined namespace; an unrelated namespace (it may exist in the cluster)', () => {
    expect(findings([namespaceDoc('frontend'), grant('frontend')], 'KIA1601')).toEqual([]);
    expect(findings([namespaceDoc('frontend'), grant('partners')], 'KIA1601')).toEqual([]);
  });
});

describe('KIA0602: an appProtocol Istio does not know (IST0118)', () => {
  test('fails on an unknown appProtocol even with a good port name (Istio reads appProtocol instead)', () => {
    const docs = [service('shop', 'web', [{ name: 'http', port: 80, appProtocol: 'web' }])];
    expect(findings(docs, 'IST0118')).toEqual(['IST0118 warning Service shop/web spec.ports[0].appProtocol']);
    expect(messages(docs, 'IST0118')[0]).toContain('appProtocol "web" (port 80) is not a protocol Istio knows, and Istio reads it instead of the port name');
  });
  test('near misses: prefixes and case Istio accepts, Kubernetes values; Istio\'s own gateway Services (an `istio` label, as istioctl skips them)', () => {
    expect(findings([service('shop', 'web', [{ name: 'a', port: 80, appProtocol: 'HTTP' }, { name: 'b', port: 81, appProtocol: 'http-api' }, { name: 'c', port: 82, appProtocol: 'kubernetes.io/ws' }])], 'IST0118')).toEqual([]);
    expect(findings([service('istio-ingress', 'gw', [{ name: 'status-port', port: 15021 }], { istio: 'ingress' }, { istio: 'ingress' })], 'IST0118')).toEqual([]);
    expect(findings([service('istio-ingress', 'gw', [{ name: 'status-port', port: 15021 }], { app: 'gw' })], 'IST0118')).toEqual(['IST0118 warning Service istio-ingress/gw spec.ports[0]']);
  });
});

describe('the library\'s constructs stay clean of these rules (plugin/CLI inputs, workloads included)', () => {
  const ids = new Set(['KIA0701', 'MESH410', 'IST0116', 'IST0162', 'KIA1402', 'KIA1501', 'KIA1502', 'KIA1504', 'KIA1601', 'IST0118']);
  function clean(chart: Chart): string[] {
    const docs = Testing.synth(chart).map((d: any) => ({ doc: d }));
    return _validateDocuments(docs, ConformanceValidator.builtIn()).filter((f) => ids.has(f.rule)).map((f) => `${f.rule} ${f.kind} ${f.namespace}/${f.name} ${f.path}`);
  }
  const versions = { stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' }, canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' } };

  test('MeshGateway on injected gateway pods (Istio and Gateway API flavours), in an injected namespace', () => {
    const chart = new Chart(Testing.app(), 'edge');
    new SecureNamespace(chart, 'ingress', { name: 'istio-ingress' });
    const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'edge-cert' }), workload: GatewayWorkload.injected() });
    edge.expose('shop.example.com', ServiceHost.inNamespace('shop', 'frontend'), { port: 8080 });
    const k8s = new MeshGateway(chart, 'k8s', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, tls: GatewayTls.simple({ credentialName: 'k8s-cert' }) });
    k8s.expose('api.example.com', ServiceHost.inNamespace('shop', 'api'), { port: 8080 });
    expect(clean(chart)).toEqual([]);
  });

  test('CanaryService in both dialects (per-version Services over one workload), in a sidecar namespace', () => {
    for (const routing of [TrafficDialect.GATEWAY_API, TrafficDialect.SIDECAR]) {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      new SecureNamespace(chart, 'shop-namespace', { name: 'shop' });
      new CanaryService(chart, 'catalog', { routing, port: 8080, ...versions, canaryHeader: { name: 'x-canary', value: 'true' } });
      expect([routing, clean(chart)]).toEqual([routing, []]);
    }
  });
});
