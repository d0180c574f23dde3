import { Chart, Testing } from 'cdk8s';
import { KubernetesHttpRoute, MeshValidation, RouteParent } from '../../src';
import { _meshChecks } from '../../src/validation/_mesh';

const GW = 'gateway.networking.k8s.io/v1';

function doc(apiVersion: string, kind: string, namespace: string, name: string, spec: any): any {
  return { apiVersion, kind, metadata: { name, namespace }, spec };
}
const service = (ns: string, name: string, port = 8080) => doc('v1', 'Service', ns, name, { ports: [{ name: 'http', port }], selector: { app: name } });
const namespaceDoc = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const route = (ns: string, spec: any, kind = 'HTTPRoute') => doc(GW, kind, ns, 'r', spec);
const backendTo = (name: string, port: number, namespace?: string) => ({ rules: [{ backendRefs: [{ group: '', kind: 'Service', name, port, ...(namespace ? { namespace } : {}) }] }] });
const grant = (ns: string, fromKind: string, fromNs: string, to: any) => doc(GW, 'ReferenceGrant', ns, 'g', { from: [{ group: 'gateway.networking.k8s.io', kind: fromKind, namespace: fromNs }], to: [to] });

function findings(docs: any[], rule: string): string[] {
  return _meshChecks(docs.map((d) => ({ doc: d }))).filter((f) => f.rule === rule).map((f) => `${f.kind} ${f.namespace}/${f.name} ${f.path}: ${f.message}`);
}

describe('MESH401: route backends and mirrors name existing Services and ports', () => {
  test('fails on a port the Service does not have, and on a Service missing from a namespace the input defines', () => {
    const mirror = { rules: [{ backendRefs: [{ name: 'catalog', port: 8080 }], filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 8080 } } }] }] };
    expect(findings([service('shop', 'catalog'), route('shop', backendTo('catalog', 9090))], 'MESH401')).toEqual([
      'HTTPRoute shop/r spec.rules[0].backendRefs[0].port: HTTPRoute backend Service shop/catalog has no port 9090 (its ports: 8080). Fix: use one of its ports',
    ]);
    expect(findings([namespaceDoc('shop'), service('shop', 'catalog'), route('shop', mirror)], 'MESH401')).toEqual([
      'HTTPRoute shop/r spec.rules[0].filters[0].requestMirror.backendRef: HTTPRoute mirror Service shop/shadow not found: the app defines namespace shop but no Service shadow in it '
      + '(Istio: "backend(shadow.shop.svc.cluster.local) not found", requests get 500). Fix: define the Service, fix the name, or suppress MESH401 on the route if it is managed elsewhere',
    ]);
  });

  test('near misses: the right port; a Service in a namespace the input does not define; a Hostname backend', () => {
    expect(findings([service('shop', 'catalog'), route('shop', backendTo('catalog', 8080))], 'MESH401')).toEqual([]);
    expect(findings([route('shop', backendTo('elsewhere', 8080))], 'MESH401')).toEqual([]);
    expect(findings([namespaceDoc('shop'), route('shop', { rules: [{ backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'api.example.com', port: 443 }] }] })], 'MESH401')).toEqual([]);
  });
});

describe('MESH402: a Service parent names an existing Service and port', () => {
  test('fails on a parent port the Service does not have', () => {
    const r = route('shop', { parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 80 }], ...backendTo('catalog', 8080) });
    expect(findings([service('shop', 'catalog'), r], 'MESH402')).toEqual([
      'HTTPRoute shop/r spec.parentRefs[0].port: HTTPRoute parent Service shop/catalog has no port 80 (its ports: 8080). Fix: use one of its ports, or leave the port out for every port',
    ]);
  });

  test('near miss: no port (every port of the Service)', () => {
    const r = route('shop', { parentRefs: [{ group: '', kind: 'Service', name: 'catalog' }], ...backendTo('catalog', 8080) });
    expect(findings([namespaceDoc('shop'), service('shop', 'catalog'), r], 'MESH402')).toEqual([]);
  });
});

describe('MESH403: references across namespaces need a ReferenceGrant', () => {
  const r = route('edge', backendTo('catalog', 8080, 'shop'));
  test('fails on a backend Service in another namespace without a grant, or with a grant for another Service or kind', () => {
    const message = 'HTTPRoute edge/r spec.rules[0].backendRefs[0]: HTTPRoute edge/r references Service shop/catalog in another namespace, and no ReferenceGrant in shop allows it '
      + '(Istio: "not accessible ... missing a ReferenceGrant?"). Fix: add a ReferenceGrant in shop from HTTPRoutes in edge to the Service (routes of this library create one unless referenceGrants is false)';
    expect(findings([r], 'MESH403')).toEqual([message]);
    expect(findings([r, grant('shop', 'HTTPRoute', 'edge', { group: '', kind: 'Service', name: 'other' })], 'MESH403')).toEqual([message]);
    expect(findings([r, grant('shop', 'GRPCRoute', 'edge', { group: '', kind: 'Service' })], 'MESH403')).toEqual([message]);
  });

  test('near misses: a grant for the Service, or for every Service; a Service parent in another namespace (consumer route)', () => {
    expect(findings([r, grant('shop', 'HTTPRoute', 'edge', { group: '', kind: 'Service', name: 'catalog' })], 'MESH403')).toEqual([]);
    expect(findings([r, grant('shop', 'HTTPRoute', 'edge', { group: '', kind: 'Service' })], 'MESH403')).toEqual([]);
    expect(findings([route('frontend', { parentRefs: [{ group: '', kind: 'Service', name: 'catalog', namespace: 'shop' }], ...backendTo('catalog-v2', 8080) })], 'MESH403')).toEqual([]);
  });

  test('fails on a Gateway certificate Secret in another namespace without a grant', () => {
    const gw = doc(GW, 'Gateway', 'edge', 'gw', { gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ name: 'cert', namespace: 'certs' }] } }] });
    expect(findings([gw], 'MESH403')).toEqual([
      'Gateway edge/gw spec.listeners[0].tls.certificateRefs[0]: Gateway edge/gw references Secret certs/cert in another namespace, and no ReferenceGrant in certs allows it. Fix: add a ReferenceGrant in certs from Gateways in edge to the Secret',
    ]);
    expect(findings([gw, grant('certs', 'Gateway', 'edge', { group: '', kind: 'Secret', name: 'cert' })], 'MESH403')).toEqual([]);
  });

  test('at synth: a route with referenceGrants false and no grant fails; by default the route creates the grant', () => {
    const app = Testing.app();
    const edge = new Chart(app, 'edge', { namespace: 'edge' });
    new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.service('catalog', { namespace: 'shop' })], rules: [{ backends: [{ serviceName: 'catalog', namespace: 'shop', port: 8080 }] }] });
    expect(MeshValidation.of(app).validate().filter((f) => f.rule === 'MESH403')).toEqual([]);
    // the first route's grant (HTTPRoutes of edge -> Service shop/catalog) covers any HTTPRoute of edge to catalog
    new KubernetesHttpRoute(edge, 'covered', { referenceGrants: false, parents: [RouteParent.service('catalog', { namespace: 'shop' })], rules: [{ backends: [{ serviceName: 'catalog', namespace: 'shop', port: 8080 }] }] });
    expect(MeshValidation.of(app).validate().filter((f) => f.rule === 'MESH403')).toEqual([]);
    new KubernetesHttpRoute(edge, 'no-grant', { referenceGrants: false, parents: [RouteParent.service('reviews', { namespace: 'shop' })], rules: [{ backends: [{ serviceName: 'reviews', namespace: 'shop', port: 8080 }] }] });
    expect(() => Testing.synth(edge)).toThrow(/edge\/no-grant: \[MESH403\] HTTPRoute\/edge\/edge-no-grant-c8\w+: spec.rules\[0\].backendRefs\[0\]: HTTPRoute edge\/edge-no-grant-c8\w+ references Service shop\/reviews in another namespace/);
  });
});

describe('MESH404: a VirtualService and an HTTPRoute for one Service', () => {
  const hr = route('shop', { parentRefs: [{ group: '', kind: 'Service', name: 'catalog' }], ...backendTo('catalog', 8080) });
  test('fails when a mesh VirtualService routes the host a Service parent names', () => {
    const vs = doc('networking.istio.io/v1', 'VirtualService', 'shop', 'catalog', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog' } }] }] });
    expect(findings([vs, hr], 'MESH404')).toEqual([
      'HTTPRoute shop/r spec.parentRefs[0]: HTTPRoute routes Service shop/catalog for the mesh, and so does VirtualService shop/catalog: Istio leaves undefined which applies. Fix: route the Service with one of them (CanaryService\'s routing option picks one dialect)',
    ]);
  });

  test('near misses: a VirtualService bound to a gateway only; a VirtualService for another host', () => {
    const atGateway = doc('networking.istio.io/v1', 'VirtualService', 'shop', 'edge', { hosts: ['catalog.shop.svc.cluster.local'], gateways: ['istio-ingress/edge'], http: [{ route: [{ destination: { host: 'catalog' } }] }] });
    const other = doc('networking.istio.io/v1', 'VirtualService', 'shop', 'reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] });
    expect(findings([atGateway, other, hr], 'MESH404')).toEqual([]);
  });
});

describe('MESH405-MESH406: a route attaches to an existing Gateway whose listener admits it', () => {
  const gateway = (ns: string, name: string, listener: any = {}) => doc(GW, 'Gateway', ns, name, { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', ...listener }] });
  const parent = (name: string, namespace?: string) => ({ parentRefs: [{ name, ...(namespace ? { namespace } : {}) }], rules: [{ backendRefs: [{ name: 'app', port: 8080 }] }] });
  test('fails on a parent Gateway missing from a namespace with Gateways, and on a listener that admits only its own namespace', () => {
    expect(findings([gateway('blog', 'ingress-gateway'), route('blog', parent('ingress-gw'))], 'MESH405')).toEqual([
      'HTTPRoute blog/r spec.parentRefs[0]: HTTPRoute parent Gateway blog/ingress-gw not found: the input defines namespace blog (or Gateways in it) but no Gateway of that name, so no gateway serves the route. Fix: define it, fix the reference, or declare it external (--external-gateway blog/ingress-gw)',
    ]);
    expect(findings([gateway('infra', 'shared'), route('team-a', parent('shared', 'infra'))], 'MESH406')).toEqual([
      'HTTPRoute team-a/r spec.parentRefs[0]: HTTPRoute parent Gateway infra/shared: no listener admits routes from namespace team-a (allowedRoutes.namespaces.from defaults to Same), so Istio does not accept the route (NotAllowedByListeners). Fix: set the listener\'s allowedRoutes.namespaces.from to All or a Selector matching team-a, or move the route',
    ]);
    const selected = gateway('infra', 'shared', { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { gw: 'yes' } } } } });
    expect(findings([selected, namespaceDoc('team-a'), route('team-a', parent('shared', 'infra'))], 'MESH406')).toHaveLength(1);
  });
  test('near misses: a Gateway in a namespace the input does not define; From All; a Selector the Namespace matches; a Selector on an unknown namespace', () => {
    expect(findings([route('blog', parent('shared', 'infra'))], 'MESH405')).toEqual([]);
    expect(findings([gateway('infra', 'shared', { allowedRoutes: { namespaces: { from: 'All' } } }), route('team-a', parent('shared', 'infra'))], 'MESH406')).toEqual([]);
    const selected = gateway('infra', 'shared', { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { gw: 'yes' } } } } });
    const labelled = { ...namespaceDoc('team-a'), metadata: { name: 'team-a', labels: { gw: 'yes' } } };
    expect(findings([selected, labelled, route('team-a', parent('shared', 'infra'))], 'MESH406')).toEqual([]);
    expect(findings([selected, route('team-a', parent('shared', 'infra'))], 'MESH406')).toEqual([]);
    const byName = gateway('infra', 'shared', { allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } } } } });
    expect(findings([byName, namespaceDoc('team-a'), route('team-a', parent('shared', 'infra'))], 'MESH406')).toEqual([]);
    expect(findings([gateway('blog', 'ingress-gateway'), route('blog', parent('ingress-gateway'))], 'MESH405')).toEqual([]);
  });
});
