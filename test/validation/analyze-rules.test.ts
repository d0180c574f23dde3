import { _meshChecks } from '../../src/validation/_mesh';

// istioctl analyze's static analyzers (src/validation/_checks-analyze.ts): each rule fails on a
// misconfigured manifest and stays silent on a near miss.

function check(...docs: any[]): string[] {
  return _meshChecks(docs.map((doc) => ({ doc }))).map((f) => `${f.rule} ${f.severity} ${f.kind}/${f.name} ${f.path}`);
}
function messages(...docs: any[]): string[] {
  return _meshChecks(docs.map((doc) => ({ doc }))).map((f) => f.message);
}
const ns = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const vs = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec });
const dr = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace }, spec });
const gw = (name: string, spec: any, namespace = 'edge') => ({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace }, spec });
const svc = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
const deploy = (name: string, labels: Record<string, string>, annotations?: Record<string, string>, namespace = 'shop') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels, ...(annotations ? { annotations } : {}) }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
});
const telemetry = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name, namespace }, spec });
const se = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name, namespace }, spec });

describe('IST0123 several injection labels', () => {
  test('fails on istio-injection=enabled with istio.io/rev', () => {
    expect(check(ns('shop', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }))).toEqual(['IST0123 warning Namespace/shop metadata.labels']);
    expect(messages(ns('shop', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }))[0]).toContain('[istio-injection=enabled istio.io/rev=canary]');
  });
  test('near misses: one label, or istio-injection=disabled with a revision (injection.go counts the revision only when injection is enabled)', () => {
    expect(check(ns('shop', { 'istio.io/rev': 'canary' }))).toEqual([]);
    expect(check(ns('shop', { 'istio-injection': 'disabled', 'istio.io/rev': 'canary' }))).toEqual([]);
  });
});

describe('IST0128 / IST0129 server certificate not verified', () => {
  test('fails on SIMPLE/MUTUAL with insecureSkipVerify, top level and per port', () => {
    expect(check(dr('api', {
      host: 'api.example.com',
      trafficPolicy: {
        tls: { mode: 'SIMPLE', insecureSkipVerify: true },
        portLevelSettings: [{ port: { number: 8443 }, tls: { mode: 'MUTUAL', clientCertificate: '/c', privateKey: '/k', insecureSkipVerify: true } }],
      },
    }))).toEqual([
      'IST0128 warning DestinationRule/api spec.trafficPolicy.tls.insecureSkipVerify',
      'IST0129 warning DestinationRule/api spec.trafficPolicy.portLevelSettings[0].tls.insecureSkipVerify',
    ]);
  });
  test('near miss: SIMPLE without caCertificates (Istio 1.30 verifies against the system roots)', () => {
    expect(check(dr('api', { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } }))).toEqual([]);
  });
});

describe('IST0130 / IST0131 unreachable rules and duplicate matches', () => {
  test('fails on a rule after a catch-all, and on a repeated match', () => {
    const r = (m?: any) => ({ ...(m ? { match: [m] } : {}), route: [{ destination: { host: 'a' } }] });
    expect(check(vs('a', { hosts: ['a'], http: [r(), r({ uri: { prefix: '/x' } })] }))).toEqual(['IST0130 warning VirtualService/a spec.http[1]']);
    expect(check(vs('a', { hosts: ['a'], http: [r({ name: 'one', uri: { prefix: '/x' } }), r({ uri: { prefix: '/x' } }), r()] }))).toEqual([
      'IST0131 warning VirtualService/a spec.http[1].match[0]',
      'IST0130 warning VirtualService/a spec.http[1]',
    ]);
    expect(check(vs('a', { hosts: ['a'], tcp: [{ route: [{ destination: { host: 'a' } }] }, { route: [{ destination: { host: 'a' } }] }] }))).toEqual(['IST0130 warning VirtualService/a spec.tcp[1]']);
  });
  test('near miss: distinct matches, the catch-all last', () => {
    const r = (m?: any) => ({ ...(m ? { match: [m] } : {}), route: [{ destination: { host: 'a' } }] });
    expect(check(vs('a', { hosts: ['a'], http: [r({ uri: { prefix: '/x' } }), r({ uri: { prefix: '/y' } }), r()] }))).toEqual([]);
  });
});

describe('IST0134 ServiceEntry addresses', () => {
  test('fails on a TCP port without addresses', () => {
    expect(check(se('db', { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], resolution: 'DNS' }))).toEqual(['IST0134 warning ServiceEntry/db spec.ports[0]']);
  });
  test('near misses: addresses set, or an HTTP/TLS port', () => {
    expect(check(se('db', { hosts: ['db.example.com'], addresses: ['10.0.0.5'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], resolution: 'DNS' }))).toEqual([]);
    expect(check(se('api', { hosts: ['api.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' }))).toEqual([]);
  });
});

describe('IST0138 duplicate certificates / IST0145 conflicting gateways', () => {
  const server = (host: string, cred: string, port = 443) => ({ port: { number: port, name: 'https', protocol: 'HTTPS' }, hosts: [host], tls: { mode: 'SIMPLE', credentialName: cred } });
  test('fails on two gateways of one workload with one certificate; and on one host twice on one port', () => {
    expect(check(gw('a', { selector: { istio: 'ingressgateway' }, servers: [server('a.example.com', 'wild')] }),
      gw('b', { selector: { istio: 'ingressgateway' }, servers: [server('b.example.com', 'wild')] }))).toEqual([
      'IST0138 warning Gateway/a spec.servers', 'IST0138 warning Gateway/b spec.servers',
    ]);
    expect(check(gw('a', { selector: { istio: 'ingressgateway' }, servers: [server('shop.example.com', 'a')] }),
      gw('b', { selector: { istio: 'ingressgateway' }, servers: [server('shop.example.com', 'b')] }))).toEqual([
      'IST0145 error Gateway/a spec.servers[0]', 'IST0145 error Gateway/b spec.servers[0]',
    ]);
  });
  test('near misses: other certificates and hosts, another port, another workload', () => {
    expect(check(gw('a', { selector: { istio: 'ingressgateway' }, servers: [server('a.example.com', 'a')] }),
      gw('b', { selector: { istio: 'ingressgateway' }, servers: [server('b.example.com', 'b')] }))).toEqual([]);
    expect(check(gw('a', { selector: { istio: 'ingressgateway' }, servers: [server('shop.example.com', 'a')] }),
      gw('b', { selector: { istio: 'ingressgateway' }, servers: [server('shop.example.com', 'b', 8443)] }))).toEqual([]);
    expect(check(gw('a', { selector: { istio: 'ingressgateway' }, servers: [server('shop.example.com', 'x')] }),
      gw('b', { selector: { istio: 'internal-gateway' }, servers: [server('shop.example.com', 'x')] }))).toEqual([]);
  });
});

describe('IST0140 subsets not applied at the ingress gateway', () => {
  const mesh = vs('catalog', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', subset: 'v1' } }] }] });
  test('fails on a gateway route without a subset toward a host routed by subset', () => {
    expect(check(mesh, vs('edge', { hosts: ['shop.example.com'], gateways: ['edge/edge'], http: [{ route: [{ destination: { host: 'catalog' } }] }] }),
      gw('edge', { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/shop.example.com'] }] }))).toEqual([
      'IST0140 warning VirtualService/edge spec.http[0].route[0].destination',
    ]);
  });
  test('near miss: the gateway route names the subset', () => {
    expect(check(mesh, vs('edge', { hosts: ['shop.example.com'], gateways: ['edge/edge'], http: [{ route: [{ destination: { host: 'catalog', subset: 'v1' } }] }] }),
      gw('edge', { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/shop.example.com'] }] }),
      dr('catalog', { host: 'catalog', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }))).toEqual([]);
  });
});

describe('IST0150 ExternalName Service ports', () => {
  test('fails on an unnamed-protocol port and on a port named tcp', () => {
    expect(check(svc('db', { type: 'ExternalName', externalName: 'db.example.com', ports: [{ name: 'db', port: 5432 }, { name: 'tcp', port: 5433 }] }))).toEqual([
      'IST0150 warning Service/db spec.ports[0]', 'IST0150 warning Service/db spec.ports[1]',
    ]);
  });
  test('near miss: a protocol-named port (and IST0118 stays off for ExternalName)', () => {
    expect(check(svc('db', { type: 'ExternalName', externalName: 'db.example.com', ports: [{ name: 'tls-db', port: 5432 }] }))).toEqual([]);
  });
});

describe('IST0157 / IST0160 Telemetry', () => {
  test('fails on access logging without providers; on two selector-less Telemetries in a namespace', () => {
    expect(check(telemetry('logs', { selector: { matchLabels: { app: 'a' } }, accessLogging: [{}] }))).toEqual(['IST0157 warning Telemetry/logs spec.accessLogging[0].providers']);
    expect(check(telemetry('a', { tracing: [{ randomSamplingPercentage: 1 }] }), telemetry('b', { metrics: [{ providers: [{ name: 'prometheus' }] }] }))).toEqual([
      'IST0160 error Telemetry/a spec', 'IST0160 error Telemetry/b spec',
    ]);
  });
  test('near misses: a provider, disabled logging; one selector-less Telemetry plus a selected one', () => {
    expect(check(telemetry('logs', { accessLogging: [{ providers: [{ name: 'envoy' }] }, { disabled: true }] }))).toEqual([]);
    expect(check(telemetry('a', { tracing: [{ randomSamplingPercentage: 1 }] }), telemetry('b', { selector: { matchLabels: { app: 'b' } }, accessLogging: [{ providers: [{ name: 'envoy' }] }] }))).toEqual([]);
  });
});

describe('IST0173 routed subset without pods', () => {
  const service = svc('catalog', { selector: { app: 'catalog' }, ports: [{ name: 'http', port: 80 }] });
  const rule = dr('catalog', { host: 'catalog', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] });
  const route = (subset: string) => vs('catalog', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', subset } }] }] });
  test('fails when a route sends traffic to a subset no pod template of the Service carries', () => {
    expect(check(service, rule, route('v2'), deploy('catalog-v1', { app: 'catalog', version: 'v1' }))).toEqual(['IST0173 error DestinationRule/catalog spec.subsets[1].labels']);
    expect(messages(service, rule, route('v2'), deploy('catalog-v1', { app: 'catalog', version: 'v1' }))[0]).toContain('and VirtualService shop/catalog sends traffic to it: 503 UH');
  });
  test('near misses: the subset has pods; a subset nothing routes to; the workloads are not in the input', () => {
    expect(check(service, rule, route('v1'), deploy('catalog-v1', { app: 'catalog', version: 'v1' }))).toEqual([]);
    expect(check(service, rule, route('v2'), deploy('catalog-v1', { app: 'catalog', version: 'v1' }), deploy('catalog-v2', { app: 'catalog', version: 'v2' }))).toEqual([]);
    expect(check(service, rule, route('v2'))).toEqual([]);
  });
});

describe('IST0107 / IST0108 / IST0135 annotations', () => {
  test('fails on an unknown, a misplaced and a deprecated annotation', () => {
    expect(check(deploy('a', { app: 'a' }, { 'sidecar.istio.io/proxyCPu': '100m' }))).toEqual(['IST0108 warning Deployment/a spec.template.metadata.annotations["sidecar.istio.io/proxyCPu"]']);
    const d = deploy('a', { app: 'a' });
    (d.metadata as any).annotations = { 'sidecar.istio.io/proxyCPU': '100m' };
    expect(check(d)).toEqual(['IST0107 warning Deployment/a metadata.annotations["sidecar.istio.io/proxyCPU"]']);
    expect(check(deploy('a', { app: 'a' }, { 'sidecar.istio.io/inject': 'true' }))).toEqual(['IST0135 warning Deployment/a spec.template.metadata.annotations["sidecar.istio.io/inject"]']);
  });
  test('near misses: known annotations where they belong; other prefixes; the inject annotation next to its label', () => {
    expect(check(deploy('a', { app: 'a' }, { 'sidecar.istio.io/proxyCPU': '100m', 'proxy.istio.io/config': '{}', 'example.com/x': 'y' }))).toEqual([]);
    expect(check(deploy('a', { 'app': 'a', 'sidecar.istio.io/inject': 'true' }, { 'sidecar.istio.io/inject': 'true' }))).toEqual([]);
    // another owner's domain that merely ends in "istio.io" (this library's own annotations)
    expect(check(svc('web', { ports: [{ name: 'http', port: 80 }] }), deploy('a', { app: 'a' }, { 'validation.cdk8s-istio.dev/suppress': 'IST0118' }))).toEqual([]);
    expect(check(svc('a', { ports: [{ name: 'http', port: 80 }] }), { ...ns('shop', { 'istio-injection': 'enabled' }), metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' }, annotations: { 'networking.istio.io/traffic-distribution': 'PreferClose' } } })).toEqual([]);
  });
});

describe('IST0002 deprecations', () => {
  test('fails on fault.delay.percent, Sidecar egressProxy and rbac.istio.io objects', () => {
    expect(check(vs('a', { hosts: ['a'], http: [{ fault: { delay: { percent: 10, fixedDelay: '1s' } }, route: [{ destination: { host: 'a' } }] }] }),
      { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's', namespace: 'shop' }, spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY', egressProxy: { host: 'egress' } } } },
      { apiVersion: 'rbac.istio.io/v1alpha1', kind: 'ServiceRole', metadata: { name: 'r', namespace: 'shop' }, spec: {} })).toEqual([
      'IST0002 warning VirtualService/a spec.http[0].fault.delay.percent',
      'IST0002 warning Sidecar/s spec.outboundTrafficPolicy.egressProxy',
      'IST0002 warning ServiceRole/r ',
    ]);
  });
  test('near miss: fault.delay.percentage', () => {
    expect(check(vs('a', { hosts: ['a'], http: [{ fault: { delay: { percentage: { value: 10 }, fixedDelay: '1s' } }, route: [{ destination: { host: 'a' } }] }] }))).toEqual([]);
  });
});

describe('IST0118 protocol selection (ConvertProtocol)', () => {
  test('UDP ports, well-known ports and Kubernetes appProtocols select a protocol; an unknown appProtocol does not', () => {
    expect(check(svc('dns', { ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'db', port: 3306 }, { name: 'web', port: 8080, appProtocol: 'kubernetes.io/h2c' }] }))).toEqual([]);
    expect(check(svc('x', { ports: [{ name: 'http', port: 80, appProtocol: 'foo' }] }))).toEqual(['IST0118 warning Service/x spec.ports[0].appProtocol']);
  });
});

describe('IST0101 Gateway selector', () => {
  const server = { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*.example.com'] };
  test('fails when the input\'s gateway pods carry the selector\'s keys with other values', () => {
    expect(check(deploy('istio-ingressgateway', { istio: 'ingressgateway' }, undefined, 'istio-system'), gw('public', { selector: { istio: 'ingress' }, servers: [server] })))
      .toEqual(['IST0101 error Gateway/public spec.selector']);
    expect(messages(deploy('istio-ingressgateway', { istio: 'ingressgateway' }, undefined, 'istio-system'), gw('public', { selector: { istio: 'ingress' }, servers: [server] }))[0])
      .toContain('Referenced selector not found: "istio=ingress" matches no pod');
  });
  test('near misses: a matching pod in another namespace; no pod with the selector\'s keys (the gateway is managed elsewhere)', () => {
    expect(check(deploy('istio-ingressgateway', { istio: 'ingressgateway' }, undefined, 'istio-ingress'), gw('public', { selector: { istio: 'ingressgateway' }, servers: [server] }))).toEqual([]);
    expect(check(deploy('web', { app: 'web' }), gw('public', { selector: { istio: 'ingress' }, servers: [server] }))).toEqual([]);
    // application pods with the selector's key are not gateway pods: an `app=egress` gateway installed elsewhere
    expect(check(deploy('web', { app: 'web' }), gw('egress', { selector: { app: 'egress' }, servers: [server] }))).toEqual([]);
  });
});
