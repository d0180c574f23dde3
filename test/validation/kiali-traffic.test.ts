import { _KIALI_TRAFFIC_COVERAGE, _KIALI_TRAFFIC_RULES } from '../../src/validation/_kiali-traffic';
import { _meshChecks } from '../../src/validation/_mesh';
import { _KIALI_COVERAGE, _rule } from '../../src/validation/_rules';

// Kiali's traffic validations with Istio 1.30's semantics (src/validation/_kiali-traffic.ts) and IST0145's
// gateway selection: each fails on a misconfigured manifest and stays silent on a near miss.

const NET = 'networking.istio.io/v1';
function check(...docs: any[]): string[] {
  return _meshChecks(docs.map((doc) => ({ doc }))).map((f) => `${f.rule} ${f.severity} ${f.kind}/${f.namespace}/${f.name} ${f.path}`);
}
function messages(...docs: any[]): string[] {
  return _meshChecks(docs.map((doc) => ({ doc }))).map((f) => `${f.rule} ${f.name}: ${f.message}`);
}
const obj = (kind: string, name: string, spec: any, namespace = 'shop', extra: any = {}) => ({ apiVersion: NET, kind, metadata: { name, namespace, ...extra }, spec });
const dr = (name: string, spec: any, namespace = 'shop') => obj('DestinationRule', name, spec, namespace);
const se = (name: string, spec: any, namespace = 'shop') => obj('ServiceEntry', name, { location: 'MESH_EXTERNAL', resolution: 'DNS', hosts: ['api.example.com'], ...spec }, namespace);
const sidecar = (name: string, spec: any, namespace = 'shop') => obj('Sidecar', name, spec, namespace);
const vs = (name: string, spec: any, namespace = 'shop') => obj('VirtualService', name, spec, namespace);
const gw = (name: string, spec: any, namespace = 'edge') => obj('Gateway', name, spec, namespace);
const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled' } } });
const svc = (name: string, namespace: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80 }] } });
const subset = (name: string) => ({ name, labels: { version: name } });
const CATALOG = 'catalog.shop.svc.cluster.local';

describe('KIA0201 a subset defined twice in DestinationRules Istio merges', () => {
  test('warns on each definition of the subset, at its name', () => {
    expect(check(dr('a', { host: 'catalog', subsets: [subset('v1')] }), dr('b', { host: CATALOG, subsets: [subset('v2'), subset('v1')] }))).toEqual([
      'KIA0201 warning DestinationRule/shop/a spec.subsets[0].name', 'KIA0201 warning DestinationRule/shop/b spec.subsets[1].name',
    ]);
    expect(messages(dr('a', { host: 'catalog', subsets: [subset('v1')] }), dr('b', { host: CATALOG, subsets: [subset('v1')] }))[0]).toEqual(
      'KIA0201 a: Subset "v1" of host "catalog.shop.svc.cluster.local" is defined by more than one DestinationRule in namespace shop (a, b): Istio merges them and keeps the oldest one\'s subset, the others are dropped. Fix: define the subset once');
  });
  test('also between DestinationRules with the same workloadSelector', () => {
    const sel = { workloadSelector: { matchLabels: { app: 'web' } } };
    expect(check(dr('a', { host: CATALOG, ...sel, subsets: [subset('v1')] }), dr('b', { host: CATALOG, ...sel, subsets: [subset('v1')] }))).toEqual([
      'KIA0201 warning DestinationRule/shop/a spec.subsets[0].name', 'KIA0201 warning DestinationRule/shop/b spec.subsets[0].name',
    ]);
  });
  test('near misses: other subset names merge; other namespaces, wildcard hosts and other workloadSelectors never merge', () => {
    expect(check(dr('a', { host: CATALOG, subsets: [subset('v1')] }), dr('b', { host: CATALOG, subsets: [subset('v2')] }))).toEqual([]);
    expect(check(dr('a', { host: CATALOG, subsets: [subset('v1')] }), dr('b', { host: CATALOG, subsets: [subset('v1')] }, 'web'))).toEqual([]);
    expect(check(dr('a', { host: CATALOG, subsets: [subset('v1')] }), dr('b', { host: '*.shop.svc.cluster.local', subsets: [subset('v1')] }))).toEqual([]);
    expect(check(dr('a', { host: CATALOG, subsets: [subset('v1')] }),
      dr('b', { host: CATALOG, workloadSelector: { matchLabels: { app: 'web' } }, subsets: [subset('v1')] }))).toEqual([]);
    // the same object given twice (alternative versions in two files) is one object
    expect(_meshChecks([{ doc: dr('a', { host: CATALOG, subsets: [subset('v1')] }), file: 'a.yaml' }, { doc: dr('a', { host: CATALOG, subsets: [subset('v1')] }), file: 'b.yaml' }])).toEqual([]);
  });
});

describe('MESH001 settings Istio drops when it merges DestinationRules', () => {
  test('fails on two top-level trafficPolicies, and on different exportTo whose audiences overlap', () => {
    expect(check(dr('a', { host: CATALOG, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }), dr('b', { host: 'catalog', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } }))).toEqual([
      'MESH001 error DestinationRule/shop/a spec.trafficPolicy', 'MESH001 error DestinationRule/shop/b spec.trafficPolicy',
    ]);
    expect(check(dr('a', { host: CATALOG, subsets: [subset('v1')] }), dr('b', { host: CATALOG, exportTo: ['.'], subsets: [subset('v2')] }))).toEqual([
      'MESH001 error DestinationRule/shop/a spec.exportTo', 'MESH001 error DestinationRule/shop/b spec.exportTo',
    ]);
    // "." and "shop" reach the same clients, but Istio compares the entries as written: not merged
    expect(check(dr('a', { host: CATALOG, exportTo: ['.'], subsets: [subset('v1')] }), dr('b', { host: CATALOG, exportTo: ['shop'], subsets: [subset('v2')] }))).toEqual([
      'MESH001 error DestinationRule/shop/a spec.exportTo', 'MESH001 error DestinationRule/shop/b spec.exportTo',
    ]);
  });
  test('near misses: one trafficPolicy and subsets merge; the same trafficPolicy twice; exportTo to disjoint namespaces', () => {
    expect(check(dr('a', { host: CATALOG, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }), dr('b', { host: CATALOG, subsets: [subset('v1')] }))).toEqual([]);
    expect(check(dr('a', { host: CATALOG, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }), dr('b', { host: CATALOG, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }))).toEqual([]);
    expect(check(dr('a', { host: CATALOG, exportTo: ['.'] }), dr('b', { host: CATALOG, exportTo: ['web'], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }))).toEqual([]);
    expect(check(dr('a', { host: CATALOG, exportTo: ['.', 'web'] }), dr('b', { host: CATALOG, exportTo: ['web', '.'], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }))).toEqual([]);
  });
});

describe('KIA1211 / KIA1212 ServiceEntries for one host and port', () => {
  const https = [{ number: 443, name: 'https', protocol: 'HTTPS' }];
  test('KIA1212 fails on two protocols for one port, also between an exported entry and a private one it reaches', () => {
    expect(check(se('a', { ports: https }, 'one'), se('b', { ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], exportTo: ['.'] }, 'two'))).toEqual([
      'KIA1212 error ServiceEntry/one/a spec.ports[0]', 'KIA1212 error ServiceEntry/two/b spec.ports[0]',
    ]);
    // the path names the port and the host that conflict
    expect(check(se('a', { hosts: ['x.example.com', 'api.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, ...https] }),
      se('b', { ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] }))).toEqual([
      'KIA1212 error ServiceEntry/shop/a spec.ports[1]', 'KIA1212 error ServiceEntry/shop/b spec.ports[0]',
    ]);
  });
  test('KIA1211 warns on one host and port in entries Istio does not merge (other namespace, other resolution)', () => {
    expect(check(se('a', { ports: https }, 'one'), se('b', { ports: https }, 'two'))).toEqual([
      'KIA1211 warning ServiceEntry/one/a spec.hosts[0]', 'KIA1211 warning ServiceEntry/two/b spec.hosts[0]',
    ]);
    expect(check(se('a', { ports: https }), se('b', { ports: https, resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] }))).toEqual([
      'KIA1211 warning ServiceEntry/shop/a spec.hosts[0]', 'KIA1211 warning ServiceEntry/shop/b spec.hosts[0]',
    ]);
    expect(messages(se('a', { ports: https }, 'one'), se('b', { ports: https }, 'two'))[0]).toEqual(
      'KIA1211 a: More than one ServiceEntry for host "api.example.com" port 443 (one/a (HTTPS); two/b (HTTPS)), which Istio does not merge (different namespace, resolution, labels, workloadSelector or exportTo): a client that sees both uses the oldest and ignores the other whole. Fix: define the host in one ServiceEntry (or in one namespace with the same resolution and exportTo, which Istio merges)');
  });
  test('near misses: entries Istio merges (one namespace, same settings); private entries of different namespaces; other ports', () => {
    expect(check(se('a', { ports: https }), se('b', { ports: https }))).toEqual([]);
    expect(check(se('a', { ports: https, exportTo: ['.'] }, 'one'), se('b', { ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], exportTo: ['.'] }, 'two'))).toEqual([]);
    expect(check(se('a', { ports: https }, 'one'), se('b', { ports: [{ number: 8443, name: 'https', protocol: 'HTTPS' }] }, 'two'))).toEqual([]);
    expect(check(se('a', { ports: https, exportTo: ['~'] }, 'one'), se('b', { ports: https }, 'two'))).toEqual([]);
  });
});

describe('KIA1004 Sidecar egress host without a registry entry', () => {
  test('warns when the namespace is in the input and nothing there defines the host; names the namespace that does', () => {
    expect(check(ns('shop'), sidecar('default', { egress: [{ hosts: ['./catalog.shop.svc.cluster.local', 'shop/reviews'] }] }))).toEqual([
      'KIA1004 warning Sidecar/shop/default spec.egress[0].hosts[0]', 'KIA1004 warning Sidecar/shop/default spec.egress[0].hosts[1]',
    ]);
    expect(messages(ns('shop'), se('api', { ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] }, 'egress'), sidecar('default', { egress: [{ hosts: ['shop/api.example.com'] }] }))).toEqual([
      'KIA1004 default: Egress host "shop/api.example.com" has no matching entry in the service registry: namespace shop (defined in the input) has no Service, ServiceEntry or VirtualService for "api.example.com" (namespace egress has), so the Sidecar imports nothing for it. Fix: write "egress/api.example.com"',
    ]);
  });
  test('near misses: a Service, ServiceEntry (wildcard) or VirtualService host of the namespace; a namespace not in the input; wildcards', () => {
    expect(check(ns('shop'), svc('catalog', 'shop'), sidecar('default', { egress: [{ hosts: ['./catalog.shop.svc.cluster.local'] }] }))).toEqual([]);
    expect(check(ns('shop'), se('api', { hosts: ['*.example.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'NONE' }),
      sidecar('default', { egress: [{ hosts: ['./api.example.com'] }] }))).toEqual([]);
    expect(check(ns('shop'), vs('alias', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog.other.svc.cluster.local' } }] }] }),
      sidecar('default', { egress: [{ hosts: ['./catalog.shop.svc.cluster.local'] }] }))).toEqual([]);
    expect(check(sidecar('default', { egress: [{ hosts: ['./catalog.shop.svc.cluster.local', 'istio-system/*', '*/api.example.com', 'shop/*.example.com'] }] }))).toEqual([]);
  });
});

describe('KIA1006 root-namespace Sidecar with a workloadSelector', () => {
  test('warns in istio-system', () => {
    expect(check(sidecar('default', { workloadSelector: { labels: { app: 'x' } }, egress: [{ hosts: ['./*'] }] }, 'istio-system'))).toEqual([
      'KIA1006 warning Sidecar/istio-system/default spec.workloadSelector',
    ]);
  });
  test('near misses: the root namespace without selector; a selector elsewhere', () => {
    expect(check(sidecar('default', { egress: [{ hosts: ['./*'] }] }, 'istio-system'))).toEqual([]);
    expect(check(sidecar('web', { workloadSelector: { labels: { app: 'x' } }, egress: [{ hosts: ['./*'] }] }))).toEqual([]);
  });
});

describe('KIA1007 outboundTrafficPolicy without mode', () => {
  test('warns: it is REGISTRY_ONLY', () => {
    expect(check(sidecar('default', { outboundTrafficPolicy: {} }))).toEqual(['KIA1007 warning Sidecar/shop/default spec.outboundTrafficPolicy']);
  });
  test('near misses: a mode; no outboundTrafficPolicy (the mesh\'s)', () => {
    expect(check(sidecar('default', { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } }))).toEqual([]);
    expect(check(sidecar('default', { egress: [{ hosts: ['./*'] }] }))).toEqual([]);
  });
});

describe('KIA1104 / KIA1105 route destinations', () => {
  const d = (host: string, extra: any = {}) => ({
    destination: { host, ...extra.destination }, ...(extra.weight !== undefined ? { weight: extra.weight } : {}),
  });
  test('KIA1104 warns on a weight other than 100 on a single destination (http, tcp, tls; 0 too)', () => {
    expect(check(vs('a', { hosts: ['catalog'], http: [{ route: [d('catalog', { weight: 50 })] }], tcp: [{ route: [d('catalog', { weight: 0 })] }] }))).toEqual([
      'KIA1104 warning VirtualService/shop/a spec.http[0].route[0].weight', 'KIA1104 warning VirtualService/shop/a spec.tcp[0].route[0].weight',
    ]);
  });
  test('KIA1105 warns on the same host (short or FQDN) and subset twice in one route', () => {
    expect(check(dr('catalog', { host: 'catalog', subsets: [subset('v1'), subset('v2')] }),
      vs('a', { hosts: ['catalog'], http: [{ route: [d('catalog', { destination: { subset: 'v1' }, weight: 30 }), d('catalog', { destination: { subset: 'v2' }, weight: 40 }), d(CATALOG, { destination: { subset: 'v1' }, weight: 30 })] }] }))).toEqual([
      'KIA1105 warning VirtualService/shop/a spec.http[0].route[2].destination',
    ]);
  });
  test('near misses: weight 100 or none on one destination; two subsets; one host on two ports', () => {
    expect(check(vs('a', { hosts: ['catalog'], http: [{ route: [d('catalog', { weight: 100 })] }], tcp: [{ route: [d('catalog')] }] }))).toEqual([]);
    expect(check(dr('catalog', { host: 'catalog', subsets: [subset('v1'), subset('v2')] }),
      vs('a', { hosts: ['catalog'], http: [{ route: [d('catalog', { destination: { subset: 'v1' }, weight: 50 }), d('catalog', { destination: { subset: 'v2' }, weight: 50 })] }] }))).toEqual([]);
    expect(check(vs('a', { hosts: ['api.example.com'], tcp: [{ route: [d('api.example.com', { destination: { port: { number: 80 } }, weight: 50 }), d('api.example.com', { destination: { port: { number: 81 } }, weight: 50 })] }] }))).toEqual([]);
  });
});

describe('KIA1108 legacy gateway reference', () => {
  const server = { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/shop.example.com'] };
  test('warns on name.namespace.svc.cluster.local, naming the namespace/name Istio reads', () => {
    expect(messages(gw('public', { selector: { istio: 'ingressgateway' }, servers: [server] }),
      vs('a', { hosts: ['shop.example.com'], gateways: ['public.edge.svc.cluster.local'], http: [{ route: [{ destination: { host: 'web' } }] }] }))).toEqual([
      'KIA1108 a: Gateway reference "public.edge.svc.cluster.local" is the legacy FQDN form: Istio reads it as gateway "edge/public" (the first label is the name, the second the namespace). Fix: write "edge/public"',
    ]);
    expect(check(gw('public', { selector: { istio: 'ingressgateway' }, servers: [server] }),
      vs('a', { hosts: ['shop.example.com'], gateways: ['mesh', 'public.edge'], http: [{ route: [{ destination: { host: 'web' } }] }] }))).toEqual([
      'KIA1108 warning VirtualService/shop/a spec.gateways[1]',
    ]);
  });
  test('near misses: namespace/name, ./name, a short name in its own namespace, mesh', () => {
    expect(check(gw('public', { selector: { istio: 'ingressgateway' }, servers: [server] }, 'shop'),
      vs('a', { hosts: ['shop.example.com'], gateways: ['shop/public', './public', 'public', 'mesh'], http: [{ route: [{ destination: { host: 'web' } }] }] }))).toEqual([]);
  });
});

describe('IST0145 (KIA0301) Gateways on common pods: Istio\'s selection', () => {
  const server = (host: string, cred: string) => ({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [host], tls: { mode: 'SIMPLE', credentialName: cred } });
  const pod = (labels: Record<string, string>) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: Object.values(labels).join('-'), namespace: 'edge' }, spec: { template: { metadata: { labels } } } });
  test('fails when one selector is a subset of the other (the narrower selector\'s pods run both)', () => {
    expect(check(gw('a', { selector: { istio: 'ingressgateway' }, servers: [server('shop.example.com', 'a')] }),
      gw('b', { selector: { istio: 'ingressgateway', team: 'b' }, servers: [server('shop.example.com', 'b')] }))).toEqual([
      'IST0145 error Gateway/edge/a spec.servers[0]', 'IST0145 error Gateway/edge/b spec.servers[0]',
    ]);
  });
  test('fails when a pod of the input matches both selectors', () => {
    expect(check(pod({ istio: 'ingressgateway', team: 'b' }), gw('a', { selector: { istio: 'ingressgateway' }, servers: [server('shop.example.com', 'a')] }),
      gw('b', { selector: { team: 'b' }, servers: [server('shop.example.com', 'b')] }))).toEqual([
      'IST0145 error Gateway/edge/a spec.servers[0]', 'IST0145 error Gateway/edge/b spec.servers[0]',
    ]);
  });
  test('near misses: selectors that share no key value and no pod of the input; another bind', () => {
    expect(check(pod({ istio: 'ingressgateway' }), pod({ team: 'b' }), gw('a', { selector: { istio: 'ingressgateway' }, servers: [server('shop.example.com', 'a')] }),
      gw('b', { selector: { team: 'b' }, servers: [server('shop.example.com', 'b')] }))).toEqual([]);
    expect(check(gw('a', { selector: { istio: 'ingressgateway' }, servers: [{ ...server('shop.example.com', 'a'), bind: '10.0.0.1' }] }),
      gw('b', { selector: { istio: 'ingressgateway' }, servers: [{ ...server('shop.example.com', 'b'), bind: '10.0.0.2' }] }))).toEqual([]);
  });
});

describe('Kiali traffic coverage', () => {
  test('every code of the brief is answered, with registered rule ids, in the README table', () => {
    expect(_KIALI_TRAFFIC_COVERAGE.map((k) => k.code)).toEqual(['KIA0201', 'KIA0209', 'KIA0301', 'KIA1004', 'KIA1006', 'KIA1007', 'KIA1104', 'KIA1105', 'KIA1108', 'KIA1211', 'KIA1212']);
    for (const k of _KIALI_TRAFFIC_COVERAGE) {
      for (const id of k.reportedAs) expect([k.code, id, _rule(id)?.id]).toEqual([k.code, id, id]);
      expect(_KIALI_COVERAGE).toContain(k);
    }
    expect(_KIALI_TRAFFIC_COVERAGE.find((k) => k.code === 'KIA0209')!.reportedAs).toEqual([]);
    expect(_KIALI_TRAFFIC_RULES.map((r) => r.id)).toEqual(['KIA0201', 'KIA1211', 'KIA1212', 'KIA1004', 'KIA1006', 'KIA1007', 'KIA1104', 'KIA1105', 'KIA1108']);
  });
});
