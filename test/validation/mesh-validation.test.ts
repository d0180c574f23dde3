import { ApiObject, App, Chart, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IstioResource, IstioResourceProps, MeshValidation, ValidationSeverity } from '../../src';
import * as net from '../../src/imports/istio-networking.istio.io';

const NET = 'networking.istio.io/v1';
const SEC = 'security.istio.io/v1';
const TEL = 'telemetry.istio.io/v1';

function raw(scope: Construct, id: string, apiVersion: string, kind: string, name: string, spec: any, extra: any = {}): ApiObject {
  return new ApiObject(scope, id, { apiVersion, kind, metadata: { name, ...(extra.metadata ?? {}) }, spec, ...(extra.body ?? {}) });
}
function svc(scope: Construct, name: string, ports: any[] = [{ name: 'http', port: 8080 }]): ApiObject {
  return raw(scope, `svc-${name}`, 'v1', 'Service', name, { ports, selector: { app: name } });
}
function dr(scope: Construct, id: string, host: string, subsets: string[], extra: any = {}): ApiObject {
  return raw(scope, id, NET, 'DestinationRule', id, { host, subsets: subsets.map((s) => ({ name: s, labels: { version: s } })), ...extra });
}
function vs(scope: Construct, id: string, spec: any): ApiObject {
  return raw(scope, id, NET, 'VirtualService', id, spec);
}
function setup(): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  return { app, chart };
}
function findings(app: App): string[] {
  return MeshValidation.of(app).validate().map((f) => `${f.severity} ${f.rule} ${f.constructPath} ${f.path}: ${f.message}`);
}
function rules(app: App): string[] {
  return MeshValidation.of(app).validate().map((f) => `${f.rule} ${f.constructPath}`);
}

describe('MeshValidation: IST0101 route -> DestinationRule subset', () => {
  test('silent when the subset exists', () => {
    const { app, chart } = setup();
    svc(chart, 'catalog');
    dr(chart, 'catalog', 'catalog', ['v1', 'v2']);
    vs(chart, 'catalog-vs', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', subset: 'v2' } }] }] });
    expect(findings(app)).toEqual([]);
  });

  test('fails when no DestinationRule of the host defines the subset', () => {
    const { app, chart } = setup();
    svc(chart, 'catalog');
    dr(chart, 'catalog', 'catalog.shop.svc.cluster.local', ['v1']);
    vs(chart, 'catalog-vs', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', subset: 'v3' } }] }] });
    expect(findings(app)).toEqual([
      'error IST0101 shop/catalog-vs spec.http[0].route[0].destination.subset: Referenced host+subset in destinationrule not found: "catalog.shop.svc.cluster.local+v3" (subsets defined: v1). Fix: add subset "v3" to DestinationRule shop/catalog or route to an existing subset',
    ]);
  });

  test('fails when the app defines the Service but no DestinationRule; silent for hosts outside the app', () => {
    const { app, chart } = setup();
    svc(chart, 'catalog');
    vs(chart, 'catalog-vs', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', subset: 'v1' } }], mirror: { host: 'elsewhere.other.svc.cluster.local', subset: 'v1' } }] });
    expect(rules(app)).toEqual(['IST0101 shop/catalog-vs']);
    expect(MeshValidation.of(app).validate()[0].message).toContain('no DestinationRule for this host defines subsets');
  });
});

describe('MeshValidation: gateways (IST0101, IST0132) and conflicts (IST0109)', () => {
  function gateway(scope: Construct, name: string, hosts: string[], ns = 'shop'): ApiObject {
    return raw(scope, `gw-${name}`, NET, 'Gateway', name, { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }] }, { metadata: { namespace: ns } });
  }

  test('silent when the gateway exists and exposes the host', () => {
    const { app, chart } = setup();
    gateway(chart, 'public', ['shop.example.com', '*.api.example.com']);
    vs(chart, 'edge', { hosts: ['shop.example.com', 'v1.api.example.com'], gateways: ['public'], http: [{ route: [{ destination: { host: 'frontend' } }] }] });
    expect(findings(app)).toEqual([]);
  });

  test('fails on a gateway that is neither in the app nor declared external', () => {
    const { app, chart } = setup();
    vs(chart, 'edge', { hosts: ['shop.example.com'], gateways: ['istio-ingress/public', 'shared/edge'], http: [{ route: [{ destination: { host: 'frontend' } }] }] });
    MeshValidation.of(app).declareExternalGateways(['shared/edge']);
    expect(findings(app)).toEqual([
      'error IST0101 shop/edge spec.gateways[0]: Referenced gateway "istio-ingress/public" not found: no Gateway of that name is defined. Fix: define it, fix the reference, or declare it external (GatewayBinding.external(\'istio-ingress\', \'public\') in code, '
        + 'MeshValidation.of(app).declareExternalGateways([\'istio-ingress/public\']), or --external-gateway istio-ingress/public)',
    ]);
  });

  test('fails on a host the gateway does not expose (namespace-scoped gateway hosts respected)', () => {
    const { app, chart } = setup();
    gateway(chart, 'public', ['shop.example.com', 'other/admin.example.com']);
    vs(chart, 'edge', { hosts: ['shop.example.com', 'admin.example.com'], gateways: ['public'], http: [{ route: [{ destination: { host: 'frontend' } }] }] });
    expect(findings(app)).toEqual([
      'error IST0132 shop/edge spec.hosts[1]: Host "admin.example.com" is not exposed by gateway "shop/public" (its hosts visible to namespace shop: "shop.example.com"): the route never matches. Fix: add the host to the Gateway\'s servers or remove the gateway from spec.gateways',
    ]);
  });

  test('a wildcard route host binds to the gateway hosts it overlaps (host.Name.Matches, as Istio\'s analyzer): no IST0132', () => {
    // fixed: "*.example.com" on a gateway serving "shop.example.com" was reported as never matching
    const { app, chart } = setup();
    gateway(chart, 'public', ['shop.example.com', '*.api.example.com']);
    vs(chart, 'edge', { hosts: ['*.example.com', '*.v1.api.example.com'], gateways: ['public'], http: [{ route: [{ destination: { host: 'frontend' } }] }] });
    expect(findings(app)).toEqual([]);
    vs(chart, 'other', { hosts: ['*.other.com'], gateways: ['public'], http: [{ route: [{ destination: { host: 'frontend' } }] }] });
    expect(rules(app)).toEqual(['IST0132 shop/other']);
  });

  test('gateway references resolve as Istio\'s resolveGatewayName: "./name" and the legacy "name.namespace.svc.cluster.local"', () => {
    // fixed: both were looked up verbatim and reported as IST0101 (gateway not found)
    const { app, chart } = setup();
    gateway(chart, 'public', ['shop.example.com']);
    vs(chart, 'edge', { hosts: ['shop.example.com'], gateways: ['./public', 'public.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'frontend' } }] }] });
    // no IST0101; the legacy form is only KIA1108's warning
    expect(findings(app)).toEqual([
      'warning KIA1108 shop/edge spec.gateways[1]: Gateway reference "public.shop.svc.cluster.local" is the legacy FQDN form: Istio reads it as gateway "shop/public" (the first label is the name, the second the namespace). Fix: write "shop/public"',
    ]);
  });

  test('fails on two VirtualServices for one host on the mesh, silent for one', () => {
    const { app, chart } = setup();
    vs(chart, 'a', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog' } }] }] });
    expect(findings(app)).toEqual([]);
    vs(chart, 'b', { hosts: ['catalog.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'catalog' } }] }] });
    expect(findings(app)).toEqual([
      'error IST0109 shop/a spec.hosts: The VirtualServices shop/a, shop/b associated with mesh gateway define the same host "catalog.shop.svc.cluster.local", which can lead to undefined behavior. Fix: merge them into one VirtualService (other: shop/b)',
      'error IST0109 shop/b spec.hosts: The VirtualServices shop/a, shop/b associated with mesh gateway define the same host "catalog.shop.svc.cluster.local", which can lead to undefined behavior. Fix: merge them into one VirtualService (other: shop/a)',
    ]);
  });

  test('warns (KIA1106) on one match in two VirtualServices merged on one gateway; silent for split matches and catch-alls beside them (Istio moves catch-alls last)', () => {
    const { app, chart } = setup();
    gateway(chart, 'public', ['*']);
    vs(chart, 'a', { hosts: ['shop.example.com'], gateways: ['public'], http: [{ match: [{ uri: { prefix: '/a' } }], route: [{ destination: { host: 'x' } }] }] });
    vs(chart, 'b', { hosts: ['shop.example.com'], gateways: ['shop/public'], http: [{ match: [{ uri: { prefix: '/b' } }], route: [{ destination: { host: 'y' } }] }] });
    vs(chart, 'c', { hosts: ['shop.example.com'], gateways: ['public'], http: [{ match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'z' } }] }] });
    expect(findings(app)).toEqual([]);
    vs(chart, 'd', { hosts: ['shop.example.com'], gateways: ['public'], http: [{ match: [{ name: 'api', uri: { prefix: '/a' } }], route: [{ destination: { host: 'w' } }] }, { route: [{ destination: { host: 'v' } }] }] });
    expect(findings(app)).toEqual([
      'warning KIA1106 shop/a spec.http[0].match[0]: More than one VirtualService for host "shop.example.com" on gateway "shop/public" has this match (shop/a, shop/d): Istio merges them in creation order, so only the oldest one\'s rule ever matches. Fix: keep the rule in one VirtualService',
      'warning KIA1106 shop/c spec.http[0].match[0]: More than one VirtualService for host "shop.example.com" on gateway "shop/public" has this match (shop/c, shop/d): Istio merges them in creation order, so only the oldest one\'s rule ever matches. Fix: keep the rule in one VirtualService',
      'warning KIA1106 shop/d spec.http[0].match[0]: More than one VirtualService for host "shop.example.com" on gateway "shop/public" has this match (shop/a, shop/d): Istio merges them in creation order, so only the oldest one\'s rule ever matches. Fix: keep the rule in one VirtualService',
      'warning KIA1106 shop/d spec.http[1]: More than one VirtualService for host "shop.example.com" on gateway "shop/public" has this match (shop/c, shop/d): Istio merges them in creation order, so only the oldest one\'s rule ever matches. Fix: keep the rule in one VirtualService',
    ]);
  });
});

describe('MeshValidation: DestinationRules (MESH001, MESH003)', () => {
  test('fails on two DestinationRules for one host in one namespace that both set a trafficPolicy (Istio applies the oldest); silent when they merge', () => {
    const { app, chart } = setup();
    dr(chart, 'catalog', 'catalog', ['v1'], { trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } });
    dr(chart, 'catalog-subsets', 'catalog.shop.svc.cluster.local', ['v2']);
    expect(findings(app)).toEqual([]); // subsets and one trafficPolicy merge
    dr(chart, 'catalog-tls', 'catalog.shop.svc.cluster.local', [], { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
    expect(findings(app)).toEqual([
      'error MESH001 shop/catalog spec.trafficPolicy: More than one DestinationRule for host "catalog.shop.svc.cluster.local" in namespace shop sets a top-level trafficPolicy (catalog, catalog-tls): Istio merges them and applies the oldest one\'s trafficPolicy only, the others are ignored. Fix: keep one DestinationRule per host, or move the settings into one trafficPolicy',
      'error MESH001 shop/catalog-tls spec.trafficPolicy: More than one DestinationRule for host "catalog.shop.svc.cluster.local" in namespace shop sets a top-level trafficPolicy (catalog, catalog-tls): Istio merges them and applies the oldest one\'s trafficPolicy only, the others are ignored. Fix: keep one DestinationRule per host, or move the settings into one trafficPolicy',
    ]);
  });

  test('fails on TLS DISABLE toward a STRICT namespace; silent toward PERMISSIVE', () => {
    const { app, chart } = setup();
    raw(chart, 'permissive', SEC, 'PeerAuthentication', 'default', { mtls: { mode: 'PERMISSIVE' } });
    dr(chart, 'catalog', 'catalog', [], { trafficPolicy: { tls: { mode: 'DISABLE' } } });
    expect(findings(app)).toEqual([]);
    const { app: app2, chart: chart2 } = setup();
    raw(chart2, 'strict', SEC, 'PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } }, { metadata: { namespace: 'payments' } });
    dr(chart2, 'payments', 'pay.payments.svc.cluster.local', [], { trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'DISABLE' } }] } });
    expect(findings(app2)).toEqual([
      'error MESH003 shop/payments spec.trafficPolicy.portLevelSettings[0].tls.mode: TLS is disabled toward "pay.payments.svc.cluster.local", but namespace payments requires mutual TLS (PeerAuthentication payments/default mode STRICT): every call will be refused. Fix: use tls mode ISTIO_MUTUAL (or drop the tls setting)',
    ]);
  });

  test('fails on TLS DISABLE toward a Service FQDN of any cluster domain, not only cluster.local', () => {
    // fixed: MESH003 recognised only "<name>.<namespace>.svc.cluster.local"
    const { app, chart } = setup();
    raw(chart, 'strict', SEC, 'PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } }, { metadata: { namespace: 'payments' } });
    dr(chart, 'payments', 'pay.payments.svc.corp.internal', [], { trafficPolicy: { tls: { mode: 'DISABLE' } } });
    expect(findings(app)).toEqual([
      'error MESH003 shop/payments spec.trafficPolicy.tls.mode: TLS is disabled toward "pay.payments.svc.corp.internal", but namespace payments requires mutual TLS (PeerAuthentication payments/default mode STRICT): every call will be refused. Fix: use tls mode ISTIO_MUTUAL (or drop the tls setting)',
    ]);
  });

  test('a mesh-wide STRICT policy in istio-system applies to every namespace', () => {
    const { app, chart } = setup();
    raw(chart, 'mesh-strict', SEC, 'PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } }, { metadata: { namespace: 'istio-system' } });
    dr(chart, 'catalog', 'catalog', ['v1'], {});
    expect(findings(app)).toEqual([]);
    raw(chart, 'legacy', NET, 'DestinationRule', 'legacy', { host: 'legacy', subsets: [{ name: 'old', trafficPolicy: { tls: { mode: 'DISABLE' } } }] });
    expect(rules(app)).toEqual(['MESH003 shop/legacy']);
  });
});

describe('MeshValidation: IST0149 claim-based routing without RequestAuthentication', () => {
  const claimRoute = { hosts: ['catalog'], http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'beta' } } }], route: [{ destination: { host: 'catalog' } }] }] };

  test('fails without a RequestAuthentication', () => {
    const { app, chart } = setup();
    vs(chart, 'catalog-vs', claimRoute);
    expect(findings(app)).toEqual([
      'error IST0149 shop/catalog-vs spec.http[0].match[0].headers["@request.auth.claims.group"]: JWT claim based routing on "@request.auth.claims.group" without a RequestAuthentication: the claim is never populated and the match never succeeds. Fix: add a RequestAuthentication for the receiving workload (namespace shop)',
    ]);
  });

  test('silent with a RequestAuthentication in the namespace', () => {
    const { app, chart } = setup();
    vs(chart, 'catalog-vs', claimRoute);
    raw(chart, 'jwt', SEC, 'RequestAuthentication', 'jwt', { jwtRules: [{ issuer: 'https://issuer.example.com' }] });
    expect(findings(app)).toEqual([]);
  });
});

describe('MeshValidation: MESH002 providers', () => {
  function telemetry(scope: Construct): ApiObject {
    return raw(scope, 'tel', TEL, 'Telemetry', 'tracing', { tracing: [{ providers: [{ name: 'otel' }] }], accessLogging: [{ providers: [{ name: 'envoy' }] }] });
  }

  test('silent until providers are declared, and for declared or built-in providers', () => {
    const { app, chart } = setup();
    telemetry(chart);
    expect(findings(app)).toEqual([]);
    MeshValidation.of(app).declareProviders(['otel']);
    expect(findings(app)).toEqual([]);
  });

  test('fails on an undeclared provider (Telemetry and CUSTOM AuthorizationPolicy)', () => {
    const { app, chart } = setup();
    telemetry(chart);
    raw(chart, 'ext', SEC, 'AuthorizationPolicy', 'ext-authz', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] });
    MeshValidation.of(app).declareProviders(['zipkin']);
    expect(findings(app)).toEqual([
      'error MESH002 shop/ext spec.provider.name: Provider "opa" is not declared in the mesh config (declared: envoy, prometheus, stackdriver, zipkin): Istio ignores the setting. Fix: add it to meshConfig.extensionProviders and declare it (code: MeshValidation.of(app).declareProviders([\'opa\']); CLI: --provider opa), or correct the name',
      'error MESH002 shop/tel spec.tracing[0].providers[0].name: Provider "otel" is not declared in the mesh config (declared: envoy, prometheus, stackdriver, zipkin): Istio ignores the setting. Fix: add it to meshConfig.extensionProviders and declare it (code: MeshValidation.of(app).declareProviders([\'otel\']); CLI: --provider otel), or correct the name',
    ]);
  });
});

describe('MeshValidation: IST0118 Service port names (warning)', () => {
  test('warns on a port without protocol prefix or appProtocol; silent otherwise', () => {
    const { app, chart } = setup();
    svc(chart, 'good', [{ name: 'http-web', port: 80 }, { name: 'metrics', port: 9090, appProtocol: 'http' }, { name: 'grpc', port: 9000 }]);
    expect(findings(app)).toEqual([]);
    svc(chart, 'bad', [{ name: 'web', port: 80 }, { port: 81 }]);
    expect(findings(app)).toEqual([
      'warning IST0118 shop/svc-bad spec.ports[0]: Port name "web" (port 80) is not under the naming convention: Istio cannot select the protocol and treats the traffic as opaque TCP. Fix: name it <protocol>[-<suffix>] (e.g. "http", "grpc-api") or set appProtocol',
      'warning IST0118 shop/svc-bad spec.ports[1]: Port name (none) (port 81) is not under the naming convention: Istio cannot select the protocol and treats the traffic as opaque TCP. Fix: name it <protocol>[-<suffix>] (e.g. "http", "grpc-api") or set appProtocol',
    ]);
  });
});

describe('MeshValidation: IST0102 namespace not enrolled', () => {
  function ns(scope: Construct, name: string, labels: Record<string, string>): ApiObject {
    return new ApiObject(scope, `ns-${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, namespace: undefined } });
  }

  const deployment = (scope: Construct, labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => new ApiObject(scope, 'web', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', ...labels }, annotations }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
  });
  const policy = (scope: Construct) => raw(scope as Chart, 'deny', SEC, 'AuthorizationPolicy', 'deny', {});

  test('fails when the app defines the namespace without injection or ambient labels, a policy for its workloads, and workloads without a proxy', () => {
    const app = Testing.app();
    const cluster = new Chart(app, 'cluster');
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    ns(cluster, 'shop', { team: 'shop' });
    policy(chart);
    deployment(chart);
    expect(findings(app)).toEqual([
      'error IST0102 cluster/ns-shop metadata.labels: The namespace is not enabled for Istio injection, yet 1 policy resource(s) act on its workloads (e.g. AuthorizationPolicy/deny), and none of its 1 workload(s) gets a proxy (e.g. Deployment/web): the policies do nothing. Fix: label the namespace istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient',
    ]);
  });

  test('warns when the app defines none of its workloads (they may be injected by their own label)', () => {
    const app = Testing.app();
    ns(new Chart(app, 'cluster'), 'shop', {});
    policy(new Chart(app, 'shop', { namespace: 'shop' }));
    expect(findings(app)).toEqual([
      'warning IST0102 cluster/ns-shop metadata.labels: The namespace is not enabled for Istio injection, yet 1 policy resource(s) act on its workloads (e.g. AuthorizationPolicy/deny): unless its pods are injected by their own label (sidecar.istio.io/inject=true), the policies do nothing. Fix: label the namespace istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient',
    ]);
  });

  test.each([
    ['routing only (it acts on callers)', (c: Chart) => dr(c, 'catalog', 'catalog', [])],
    ['a pod injected by its own label', (c: Chart) => { policy(c); deployment(c, { 'sidecar.istio.io/inject': 'true' }); }],
    ['a gateway pod (injection template)', (c: Chart) => { policy(c); deployment(c, {}, { 'inject.istio.io/templates': 'gateway' }); }],
    ['a Gateway API Gateway (its deployed proxy)', (c: Chart) => {
      policy(c);
      new ApiObject(c, 'gw', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
    }],
  ])('near miss: silent with %s', (_what, add) => {
    const app = Testing.app();
    ns(new Chart(app, 'cluster'), 'shop', {});
    add(new Chart(app, 'shop', { namespace: 'shop' }));
    expect(findings(app)).toEqual([]);
  });

  test.each([[{ 'istio-injection': 'enabled' }], [{ 'istio.io/rev': 'stable' }], [{ 'istio.io/dataplane-mode': 'ambient' }]])('silent for an enrolled namespace %j', (labels) => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    ns(new Chart(app, 'cluster'), 'shop', labels);
    dr(chart, 'catalog', 'catalog', []);
    expect(findings(app)).toEqual([]);
  });
});

describe('MeshValidation: MESH004 principals naming what the app defines under another name', () => {
  function sa(scope: Construct, name: string): ApiObject {
    return new ApiObject(scope, `sa-${name}`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
  }
  function policy(scope: Construct, source: any): ApiObject {
    return raw(scope, 'allow', SEC, 'AuthorizationPolicy', 'allow', { selector: { matchLabels: { app: 'catalog' } }, rules: [{ from: [{ source }] }] });
  }

  test('fails on a service account typo, silent for the exact name and for unrelated identities', () => {
    const { app, chart } = setup();
    sa(chart, 'frontend');
    policy(chart, { principals: ['cluster.local/ns/shop/sa/frontend', 'cluster.local/ns/partner/sa/client', 'cluster.local/ns/shop/sa/frontnd'] });
    expect(findings(app)).toEqual([
      'error MESH004 shop/allow spec.rules[0].from[0].source.principals[2]: "cluster.local/ns/shop/sa/frontnd" names service account "frontnd" in namespace shop, which the app does not define; it defines "frontend" there. Fix: did you mean "frontend"?',
    ]);
  });

  test('silent for sibling names that differ only in numbers (team-20 is not a typo of team-2)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'team-2', { namespace: 'team-2' });
    sa(chart, 'worker-1');
    policy(chart, { principals: ['cluster.local/ns/team-20/sa/worker-1', 'cluster.local/ns/team-2/sa/worker-12'] });
    expect(findings(app)).toEqual([]);
  });

  test('fails on a namespace typo', () => {
    const { app, chart } = setup();
    sa(chart, 'frontend');
    policy(chart, { namespaces: ['shp'] });
    expect(rules(app)).toEqual(['MESH004 shop/allow']);
    expect(MeshValidation.of(app).validate()[0].message).toEqual('"shp" names namespace "shp", which nothing in the app defines; the app defines namespace "shop". Fix: did you mean "shop"?');
  });
});

// A user L2 on the library's base: creating it switches synth-time validation on for the app
class Routes extends IstioResource {
  public readonly apiObject: ApiObject;
  constructor(scope: Construct, id: string, private readonly spec: any, props: IstioResourceProps = {}) {
    super(scope, id, props);
    this.apiObject = this._createApiObject(net.VirtualService, { metadata: props.metadata, spec: Lazy.any({ produce: () => this.spec }) });
  }
}

describe('MeshValidation at synth', () => {
  test('fails app.synth() naming the construct path of the culprit, once an L2 is in the app', () => {
    // GIVEN
    const { app, chart } = setup();
    svc(chart, 'catalog');
    dr(chart, 'catalog', 'catalog', ['v1']);
    new Routes(chart, 'catalog-routes', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', subset: 'v9' } }] }] });
    // THEN
    expect(() => app.synth()).toThrow(/shop\/catalog-routes: \[IST0101\] VirtualService\/shop\/shop-catalog-routes-c8[0-9a-f]+: spec.http\[0\].route\[0\].destination.subset: Referenced host\+subset/);
  });

  test('fails app.synth() on a schema error of an L2 (unknown field)', () => {
    const { app, chart } = setup();
    new Routes(chart, 'r', { hosts: ['catalog'], htp: [] }, { metadata: { name: 'r' } });
    expect(() => app.synth()).toThrow('shop/r: [K8S-SCHEMA] VirtualService/shop/r: spec.htp: unknown field "spec.htp" (the API server would drop it silently)');
  });

  test('warnings do not fail synth', () => {
    const { app, chart } = setup();
    svc(chart, 'catalog', [{ name: 'web', port: 80 }]);
    new Routes(chart, 'r', { hosts: ['catalog'] }, { metadata: { name: 'r' } });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(() => app.synth()).not.toThrow();
    expect(warn.mock.calls).toEqual([[expect.stringContaining('cdk8s-istio validation warning: shop/svc-catalog: [IST0118] Service/shop/catalog: spec.ports[0]: Port name "web"')]]);
    warn.mockRestore();
  });

  test('raw objects only: nothing runs until enableAtSynth()', () => {
    const { app, chart } = setup();
    vs(chart, 'a', { hosts: ['catalog'], htp: [] });
    expect(() => app.synth()).not.toThrow();
    MeshValidation.of(app).enableAtSynth();
    MeshValidation.of(app).enableAtSynth();
    expect(() => app.synth()).toThrow('[K8S-SCHEMA]');
  });

  test('opt-out: MeshValidation.disable(app) and the context key', () => {
    const { app, chart } = setup();
    new Routes(chart, 'r', { hosts: ['catalog'], htp: [] });
    MeshValidation.disable(chart);
    expect(MeshValidation.of(app).enabled).toBe(false);
    expect(() => app.synth()).not.toThrow();

    const app2 = Testing.app();
    app2.node.setContext(MeshValidation.CONTEXT_KEY, false);
    new Routes(new Chart(app2, 'c'), 'r', { hosts: ['catalog'], htp: [] });
    expect(MeshValidation.of(app2).enabled).toBe(false);
    expect(() => app2.synth()).not.toThrow();
  });

  test('suppress(construct, rule, reason) silences one rule below that construct and records the reason', () => {
    const { app, chart } = setup();
    const bad = svc(chart, 'legacy', [{ name: 'web', port: 80 }]);
    const r = new Routes(chart, 'r', { hosts: ['catalog'], htp: [] }, { metadata: { name: 'r' } });
    MeshValidation.suppress(bad, 'IST0118', 'vendor chart owns the port names');
    MeshValidation.suppress(r, 'K8S-SCHEMA', 'testing the suppression');
    expect(MeshValidation.of(app).validate()).toEqual([]);
    expect(bad.node.metadata.map((m) => m.data)).toEqual(['IST0118: vendor chart owns the port names']);
  });

  test('fails: suppress() with an unknown rule id or without a reason', () => {
    const { chart } = setup();
    expect(() => MeshValidation.suppress(chart, 'IST118', 'x')).toThrow('Invalid rule "IST118": it is not a rule id of this library. Fix: use an id of README\'s rule table (e.g. IST0118, MESH001, K8S-SCHEMA)');
    // an id of the right shape that no rule reports would silence nothing: refused too
    expect(() => MeshValidation.suppress(chart, 'IST0999', 'x')).toThrow('Invalid rule "IST0999": it is not a rule id of this library');
    expect(() => MeshValidation.suppress(chart, 'IST0118', ' ')).toThrow('Invalid reason " ": a suppression needs a reason. Fix: say why the rule does not apply to this construct');
  });

  test('fails: declareExternalGateways() with a reference that is not namespace/name', () => {
    const { app } = setup();
    expect(() => MeshValidation.of(app).declareExternalGateways(['public'])).toThrow('Invalid externalGateways "public": it is not a "namespace/name" Gateway reference. Fix: write it as e.g. "istio-ingress/public"');
  });

  test('useCrds() validates against the given CRDs', () => {
    const { app, chart } = setup();
    new Routes(chart, 'r', { hosts: ['catalog'], anything: true }, { metadata: { name: 'r' } });
    MeshValidation.of(app).useCrds([{
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'virtualservices.networking.istio.io' },
      spec: { group: 'networking.istio.io', names: { kind: 'VirtualService' }, versions: [{ name: 'v1', served: true, schema: { openAPIV3Schema: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
    }]);
    expect(MeshValidation.of(app).validate()).toEqual([]);
  });

  test('format() prints one line per finding', () => {
    expect(MeshValidation.format({ rule: 'IST0118', severity: ValidationSeverity.WARNING, kind: 'Service', namespace: 'shop', name: 'a', path: 'spec.ports[0]', message: 'm', file: 'x.yaml' }))
      .toEqual('x.yaml: [IST0118] Service/shop/a: spec.ports[0]: m');
  });
});

describe('MeshValidation at synth: every error rule fails app.synth() with its id and the culprit construct path', () => {
  const MISTAKES: Array<[string, string, (chart: Chart, app: App) => void]> = [
    ['K8S-SCHEMA', 'shop/a', (c) => vs(c, 'a', { hosts: ['x'], htp: [] })],
    ['K8S-CEL', 'shop/a', (c) => raw(c, 'a', SEC, 'PeerAuthentication', 'a', { portLevelMtls: { 80: { mode: 'DISABLE' } } })],
    ['IST0101', 'shop/a', (c) => vs(c, 'a', { hosts: ['x'], gateways: ['nowhere'] })],
    ['IST0132', 'shop/a', (c) => {
      raw(c, 'gw', NET, 'Gateway', 'gw', { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example.com'] }] });
      vs(c, 'a', { hosts: ['b.example.com'], gateways: ['gw'] });
    }],
    ['IST0109', 'shop/b', (c) => { vs(c, 'a', { hosts: ['x'] }); vs(c, 'b', { hosts: ['x'] }); }],
    ['IST0149', 'shop/a', (c) => vs(c, 'a', { hosts: ['x'], http: [{ match: [{ headers: { '@request.auth.claims.sub': { exact: 'u' } } }], route: [{ destination: { host: 'x' } }] }] })],
    ['MESH001', 'shop/b', (c) => { dr(c, 'a', 'x', [], { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }); dr(c, 'b', 'x', [], { trafficPolicy: { tls: { mode: 'DISABLE' } } }); }],
    ['MESH002', 'shop/a', (c, app) => {
      MeshValidation.of(app).declareProviders(['otel']);
      raw(c, 'a', TEL, 'Telemetry', 'a', { tracing: [{ providers: [{ name: 'zipkin' }] }] });
    }],
    ['MESH003', 'shop/a', (c) => {
      raw(c, 'pa', SEC, 'PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } });
      dr(c, 'a', 'x', [], { trafficPolicy: { tls: { mode: 'DISABLE' } } });
    }],
    ['IST0102', 'shop/ns', (c) => {
      new ApiObject(c, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', namespace: undefined } });
      raw(c, 'a', SEC, 'AuthorizationPolicy', 'a', {});
      new ApiObject(c, 'web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } } });
    }],
    ['IST0173', 'shop/catalog', (c) => { // a cdk8s-plus Deployment's pod template is read at synth as by the CLI
      const d = new kplus.Deployment(c, 'web', { containers: [{ image: 'catalog:1', portNumber: 8080 }], podMetadata: { labels: { app: 'catalog', version: 'v1' } } });
      d.exposeViaService({ name: 'catalog' });
      dr(c, 'catalog', 'catalog', ['v2']);
      vs(c, 'routes', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', subset: 'v2' } }] }] });
    }],
    ['MESH004', 'shop/a', (c) => {
      new ApiObject(c, 'sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'frontend' } });
      raw(c, 'a', SEC, 'AuthorizationPolicy', 'a', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontnd'] } }] }] });
    }],
  ];

  test.each(MISTAKES)('fails: %s names %s', (rule, culprit, mistake) => {
    // GIVEN an app with one L2 (switches validation on) and one mistake
    const { app, chart } = setup();
    new Routes(chart, 'ok', { hosts: ['ok'] }, { metadata: { name: 'ok' } });
    mistake(chart, app);
    // THEN
    let message = '';
    try {
      app.synth();
    } catch (e: any) {
      message = e.message;
    }
    expect(message).toContain(`${culprit}: [${rule}] `);
  });
});

describe('MeshValidation: Sidecars (IST0111)', () => {
  const sidecar = (chart: Chart, id: string, selector?: { [k: string]: string }) => new ApiObject(chart, id, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    metadata: { name: id },
    spec: { ...(selector ? { workloadSelector: { labels: selector } } : {}), egress: [{ hosts: ['./*'] }] },
  });

  test('fails on two Sidecars without a workloadSelector in one namespace', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    sidecar(chart, 'a');
    sidecar(chart, 'b');
    const found = MeshValidation.of(chart).validate().filter((f) => f.rule === 'IST0111');
    expect(found.map((f) => [f.constructPath, f.message])).toEqual(['a', 'b'].map((n) => [`shop/${n}`,
      'Namespace shop has more than one Sidecar without a workloadSelector (a, b): Istio applies one of them, which one is undefined. '
      + 'Fix: keep one namespace-wide Sidecar and give the others a workloadSelector']));
  });

  test('near miss: one namespace-wide Sidecar plus selected ones, or one per namespace, is fine', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    sidecar(chart, 'a');
    sidecar(chart, 'b', { app: 'catalog' });
    new ApiObject(chart, 'c', { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'c', namespace: 'other' }, spec: { egress: [{ hosts: ['./*'] }] } });
    expect(MeshValidation.of(chart).validate().filter((f) => f.rule === 'IST0111')).toEqual([]);
  });
});

describe('MeshValidation: destination ports (IST0112, IST0101 host:port)', () => {
  const app = (port: number | undefined, servicePorts: number[]) => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new ApiObject(chart, 'svc', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'catalog' },
      spec: { ports: servicePorts.map((p) => ({ name: `http-${p}`, port: p })), selector: { app: 'catalog' } },
    });
    new ApiObject(chart, 'vs', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'catalog' },
      spec: { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', ...(port ? { port: { number: port } } : {}) } }] }] },
    });
    return MeshValidation.of(chart).validate().filter((f) => f.rule === 'IST0112' || f.rule === 'IST0101').map((f) => `${f.rule} ${f.path}: ${f.message}`);
  };

  test('fails on a destination without a port toward a Service with several ports', () => {
    expect(app(undefined, [8080, 9090])).toEqual([
      'IST0112 spec.http[0].route[0].destination: This VirtualService routes to a service "catalog" that exposes multiple ports [8080 9090]. '
      + 'Specifying a port in the destination is required to disambiguate. Fix: set destination.port.number to one of 8080, 9090',
    ]);
  });

  test('fails on a destination port the Service does not have', () => {
    expect(app(8081, [8080, 9090])).toEqual([
      'IST0101 spec.http[0].route[0].destination.port.number: Referenced host:port not found: "catalog:8081" (the Service\'s ports: 8080, 9090). Fix: route to one of the Service\'s ports',
    ]);
  });

  test('near misses: a port of the Service, no port toward a one-port Service', () => {
    expect(app(9090, [8080, 9090])).toEqual([]);
    expect(app(undefined, [8080])).toEqual([]);
  });
});
