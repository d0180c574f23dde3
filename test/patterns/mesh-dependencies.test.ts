import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CanaryService, ExternalService, HttpMethod, MeshDependencies, MeshEnrolment, MeshWorkload, NamespaceRef,
  SecureNamespace, ServiceHost, WaypointTrafficType,
} from '../../src';

function shopApp(enrolment?: MeshEnrolment) {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const shop = new SecureNamespace(chart, 'ns', { name: 'shop', enrolment });
  const sa = new kplus.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } });
  const frontend = new kplus.Deployment(chart, 'frontend', {
    metadata: { name: 'frontend' },
    serviceAccount: sa,
    select: false,
    podMetadata: { labels: { app: 'frontend' } },
    containers: [{ image: 'ghcr.io/acme/frontend:1.4.2', portNumber: 8080 }],
  });
  frontend.select(kplus.LabelSelector.of({ labels: { app: 'frontend' } }));
  // a canary in an ambient namespace needs the waypoint (its routing is L7): stable only without one
  const l4Only = enrolment?.isAmbient === true && !enrolment.hasWaypoint;
  const catalog = new CanaryService(chart, 'catalog', {
    port: 8080, stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' }, canary: l4Only ? undefined : { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
  });
  return { app, chart, shop, frontend: MeshWorkload.fromWorkload(frontend), catalog };
}
const of = (chart: Chart, kind: string) => Testing.synth(chart).filter((o: any) => o.kind === kind);

describe('MeshDependencies', () => {
  test('one declaration renders the caller Sidecar scope and the callee allow rule', () => {
    // GIVEN
    const { chart, frontend, catalog } = shopApp();
    const deps = new MeshDependencies(chart, 'deps', { registryOnlyNamespaces: [NamespaceRef.named('shop')] });
    // WHEN
    deps.dependsOn(frontend, catalog, { methods: [HttpMethod.GET], paths: ['/public'] });
    // THEN the caller sees only its dependency and the control plane, and unknown hosts are blocked
    const [sidecar] = of(chart, 'Sidecar');
    expect(sidecar.metadata).toEqual({ name: 'frontend', namespace: 'shop' });
    expect(sidecar.spec).toEqual({
      workloadSelector: { labels: { app: 'frontend' } },
      egress: [{ hosts: ['istio-system/*', 'shop/catalog.shop.svc.cluster.local'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
    // and the callee allows exactly that caller and operation
    const allow = of(chart, 'AuthorizationPolicy').find((p: any) => p.metadata.name === 'allow-frontend-to-catalog');
    expect(allow.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'catalog' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { methods: ['GET'], paths: ['/public'] } }] }],
    });
    expect(deps.sidecarOf(frontend)!.egressHosts).toEqual(['istio-system/*', 'shop/catalog.shop.svc.cluster.local']);
  });

  test('repeating a dependency, or declaring it also through SecureNamespace, is a no-op', () => {
    const { chart, shop, frontend, catalog } = shopApp();
    const deps = new MeshDependencies(chart, 'deps');
    deps.dependsOn(frontend, catalog, { methods: [HttpMethod.GET] });
    deps.dependsOn(frontend, catalog, { methods: [HttpMethod.GET] });
    shop.allow(frontend.workloadIdentity!).to(catalog).methods(HttpMethod.GET);
    const policies = of(chart, 'AuthorizationPolicy').filter((p: any) => p.metadata.name === 'allow-frontend-to-catalog');
    expect(policies).toHaveLength(1);
    expect(policies[0].spec.rules).toHaveLength(1);
    expect(of(chart, 'Sidecar')[0].spec.egress[0].hosts).toEqual(['istio-system/*', 'shop/catalog.shop.svc.cluster.local']);
    expect(of(chart, 'Sidecar')[0].spec.outboundTrafficPolicy).toBeUndefined();
  });

  test('a wildcard external host (*.wikipedia.org) over TLS or HTTP: a ServiceEntry with resolution NONE', () => {
    const { chart, catalog } = shopApp();
    const deps = new MeshDependencies(chart, 'deps');
    deps.dependsOnExternal(catalog, ExternalService.tls('*.wikipedia.org'));
    deps.dependsOnExternal(catalog, ExternalService.http('*.example.org'));
    expect(of(chart, 'ServiceEntry').map((e: any) => [e.metadata.name, e.spec.hosts, e.spec.resolution, e.spec.ports[0].protocol])).toEqual([
      ['wildcard-wikipedia-org', ['*.wikipedia.org'], 'NONE', 'TLS'],
      ['wildcard-example-org', ['*.example.org'], 'NONE', 'HTTP'],
    ]);
  });

  test('fails on a wildcard host over plain TCP or with TLS origination', () => {
    expect(() => ExternalService.tcp('*.db.example.com', 5432)).toThrow(
      'Invalid host "*.db.example.com": plain TCP carries no host name, so a wildcard host cannot tell the allowed hosts apart. '
      + 'Fix: name the host (e.g. "en.wikipedia.org"); wildcard hosts work with ExternalService.tls() (by SNI) and http() (by Host header)');
    expect(() => ExternalService.originateTls('*.example.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' })).toThrow('Invalid host "*.example.com": TLS origination resolves one host name by DNS, which a wildcard is not');
  });

  test('external dependencies: a ServiceEntry per caller namespace (exportTo "."), TLS origination with CA verification', () => {
    const { chart, catalog } = shopApp();
    const deps = new MeshDependencies(chart, 'deps');
    deps.dependsOnExternal(catalog, ExternalService.originateTls('api.payments.example.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' }));
    deps.dependsOnExternal(catalog, ExternalService.tls('api.stripe.com'));
    deps.dependsOnExternal(catalog, ExternalService.tls('api.stripe.com'));
    const entries = of(chart, 'ServiceEntry');
    expect(entries.map((e: any) => [e.metadata, e.spec])).toEqual([
      [{ name: 'api-payments-example-com', namespace: 'shop' }, {
        hosts: ['api.payments.example.com'],
        ports: [{ number: 80, protocol: 'HTTP', name: 'http-80', targetPort: 443 }],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        exportTo: ['.'],
      }],
      [{ name: 'api-stripe-com', namespace: 'shop' }, {
        hosts: ['api.stripe.com'], ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'],
      }],
    ]);
    const dr = of(chart, 'DestinationRule').find((d: any) => d.spec.host === 'api.payments.example.com');
    expect(dr.spec).toEqual({
      host: 'api.payments.example.com',
      exportTo: ['.'],
      trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'SIMPLE', sni: 'api.payments.example.com', caCertificates: '/etc/ssl/certs/ca-certificates.crt' } }] },
    });
    expect(of(chart, 'Sidecar')[0].spec.egress[0].hosts).toEqual(['istio-system/*', './api.payments.example.com', './api.stripe.com']);
  });

  test('a dependency cycle is fine', () => {
    const { chart, frontend, catalog } = shopApp();
    new kplus.Service(chart, 'frontend-svc', { metadata: { name: 'frontend' }, ports: [{ port: 8080, name: 'http' }] });
    const deps = new MeshDependencies(chart, 'deps');
    deps.dependsOn(frontend, catalog);
    deps.dependsOn(catalog, ServiceHost.inNamespace('shop', 'frontend'), { workload: frontend });
    expect(of(chart, 'Sidecar')).toHaveLength(2);
  });

  test('a callee outside SecureNamespaces gets a Sidecar entry but no policy', () => {
    const app = new App();
    const other = new Chart(app, 'other', { namespace: 'other' });
    new kplus.Service(other, 'svc', { metadata: { name: 'reports' }, ports: [{ port: 80, name: 'http' }] });
    const deps = new MeshDependencies(other, 'deps');
    expect(deps.dependsOn(MeshWorkload.labels({ app: 'batch' }, { namespace: 'other' }), ServiceHost.inNamespace('other', 'reports'))).toBeUndefined();
    expect(Testing.synth(other).filter((o: any) => o.kind === 'AuthorizationPolicy')).toEqual([]);
  });

  test('a Service written as a raw object counts as a Service of the app', () => {
    // GIVEN a namespace outside SecureNamespaces with a raw Service
    const app = new App();
    const other = new Chart(app, 'other', { namespace: 'other' });
    new ApiObject(other, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reports' }, spec: { ports: [{ port: 80, name: 'http' }] } });
    // WHEN
    new MeshDependencies(other, 'deps').dependsOn(MeshWorkload.labels({ app: 'batch' }, { namespace: 'other' }), ServiceHost.inNamespace('other', 'reports'));
    // THEN the synth-time target check passes
    expect(of(other, 'Sidecar')[0].spec.egress).toEqual([{ hosts: ['istio-system/*', 'other/reports.other.svc.cluster.local'] }]);
  });

  test('fails on a dependency that is neither in the app nor declared external', () => {
    const { chart, frontend } = shopApp();
    new MeshDependencies(chart, 'deps').dependsOn(frontend, ServiceHost.inNamespace('warehouse', 'inventory'));
    expect(() => Testing.synth(chart))
      .toThrow(/Invalid dependency frontend -> inventory.warehouse.svc.cluster.local: "inventory.warehouse.svc.cluster.local" is neither a Service of this app nor declared external\. Fix: define the Service in the app, or declare it with dependsOnExternal/);
  });

  test('fails on an external host passed as an internal dependency, and vice versa', () => {
    const { chart, frontend } = shopApp();
    const deps = new MeshDependencies(chart, 'deps');
    expect(() => deps.dependsOn(frontend, ServiceHost.external('api.stripe.com')))
      .toThrow('Invalid callee "api.stripe.com": it is not a Service of the cluster. Fix: declare external services with dependsOnExternal(caller, ExternalService.tls(host))');
    expect(() => ExternalService.tls('catalog.shop.svc.cluster.local')).toThrow('Invalid host "catalog.shop.svc.cluster.local": it is a Service of the cluster, not an external service');
  });

  test('fails on TLS origination without CA verification', () => {
    expect(() => ExternalService.originateTls('api.stripe.com', {}))
      .toThrow('Invalid caCertificates (undefined): TLS origination without CA verification accepts any certificate (a man in the middle would go unnoticed)');
    expect(() => ExternalService.originateTls('api.stripe.com', { caCertificates: '/ca.crt', port: 80 })).toThrow('Invalid httpPort 80: it equals the TLS port');
  });

  test('fails on bad ports, hosts and namespaces', () => {
    expect(() => ExternalService.tcp('db.example.com', 0)).toThrow('Invalid port 0: a port is an integer from 1 to 65535');
    expect(() => ExternalService.http('stripe')).toThrow('Invalid host "stripe": a short name');
    expect(() => new MeshDependencies(Testing.chart(), 'd', { registryOnlyNamespaces: [{ namespaceName: 'Shop' }] })).toThrow('Invalid registryOnlyNamespaces "Shop"');
    // the strings this prop took before: the message names the object to pass
    expect(() => new MeshDependencies(Testing.chart(), 'd', { registryOnlyNamespaces: ['shop' as unknown as NamespaceRef] })).toThrow(
      'Invalid registryOnlyNamespaces "shop": a namespace is given as an object (a SecureNamespace, a Namespace, or a reference by name), not a string. Fix: pass the SecureNamespace, NamespaceRef.fromNamespace(namespace), or NamespaceRef.named("shop")');
    expect(() => new MeshDependencies(Testing.chart(), 'd', { alwaysVisible: ['istio-system.svc'] })).toThrow('a Sidecar egress host needs a namespace part');
  });

  test('fails when the caller namespace or identity, or the callee pods, are unknown', () => {
    const { chart, catalog } = shopApp();
    const deps = new MeshDependencies(chart, 'deps');
    expect(() => deps.dependsOn(MeshWorkload.labels({ app: 'x' }), catalog)).toThrow('Invalid caller "x": its namespace is unknown, so its Sidecar cannot be placed');
    expect(() => deps.dependsOn(MeshWorkload.labels({ app: 'x' }, { namespace: 'shop' }), catalog)).toThrow('Invalid caller "x": its identity (service account) is unknown');
    expect(() => deps.dependsOn(catalog, ServiceHost.inNamespace('shop', 'frontend'))).toThrow('namespace shop is a SecureNamespace, so the callee\'s pods must be known to allow the call');
  });

  describe('in ambient namespaces', () => {
    test('no Sidecar; the callee rule is enforced by the waypoint (targetRefs to the Service), which ztunnel lets in', () => {
      // GIVEN a namespace with a waypoint
      const { chart, frontend, catalog } = shopApp(MeshEnrolment.ambient({ waypoint: true }));
      const deps = new MeshDependencies(chart, 'deps');
      // WHEN
      deps.dependsOn(frontend, catalog, { methods: [HttpMethod.GET], paths: ['/public'] });
      // THEN
      expect(of(chart, 'Sidecar')).toEqual([]);
      expect(deps.sidecarOf(frontend)).toBeUndefined();
      const policies = of(chart, 'AuthorizationPolicy');
      expect(policies.find((p: any) => p.metadata.name === 'allow-frontend-to-catalog').spec).toEqual({
        action: 'ALLOW',
        // the canary (Gateway API dialect in ambient) routes to its per-version Services: the rule covers them too
        targetRefs: ['catalog', 'catalog-v1', 'catalog-v2'].map((name) => ({ group: '', kind: 'Service', name })),
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { methods: ['GET'], paths: ['/public'] } }] }],
      });
      // ztunnel (selector-less, L4 only) admits the waypoint, whose identity it sees
      expect(policies.find((p: any) => p.metadata.name === 'allow-waypoint').spec).toEqual({
        action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/waypoint'] } }] }],
      });
    });

    test('without a waypoint: an L4 rule at ztunnel (selector, sources and ports only)', () => {
      const { chart, frontend, catalog } = shopApp(MeshEnrolment.ambient());
      const deps = new MeshDependencies(chart, 'deps');
      deps.dependsOn(frontend, catalog, { ports: [8080] });
      expect(of(chart, 'Sidecar')).toEqual([]);
      expect(of(chart, 'AuthorizationPolicy').find((p: any) => p.metadata.name === 'allow-frontend-to-catalog').spec).toEqual({
        action: 'ALLOW',
        selector: { matchLabels: { app: 'catalog' } },
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { ports: ['8080'] } }] }],
      });
    });

    test('fails on HTTP fields toward an ambient namespace without a waypoint (ztunnel sees only L4)', () => {
      const { chart, frontend, catalog } = shopApp(MeshEnrolment.ambient());
      const deps = new MeshDependencies(chart, 'deps');
      expect(() => deps.dependsOn(frontend, catalog, { methods: [HttpMethod.GET] }))
        .toThrow('Invalid methods "namespace shop": in ambient mode L7 rules (methods, paths, hosts, request conditions, JWT) are enforced only by a waypoint');
    });

    test('a sidecar caller of an ambient callee keeps its Sidecar', () => {
      const { app, chart, catalog } = shopApp(MeshEnrolment.ambient({ waypoint: true }));
      const web = new Chart(app, 'web', { namespace: 'web' });
      new SecureNamespace(web, 'ns', { name: 'web' });
      const caller = MeshWorkload.labels({ app: 'web' }, { namespace: 'web', serviceAccountName: 'web' });
      new MeshDependencies(web, 'deps').dependsOn(caller, catalog);
      expect(of(web, 'Sidecar').map((s: any) => s.spec.egress)).toEqual([[{ hosts: ['istio-system/*', 'shop/catalog.shop.svc.cluster.local'] }]]);
      expect(of(chart, 'Sidecar')).toEqual([]);
    });

    test('external services go through the namespace waypoint (the egress waypoint), allowed there for the caller', () => {
      const { chart, frontend } = shopApp(MeshEnrolment.ambient({ waypoint: true }));
      const deps = new MeshDependencies(chart, 'deps');
      deps.dependsOnExternal(frontend, ExternalService.originateTls('api.payments.example.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' }));
      deps.dependsOnExternal(frontend, ExternalService.originateTls('api.payments.example.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' }));
      expect(of(chart, 'Sidecar')).toEqual([]);
      expect(of(chart, 'ServiceEntry').map((e: any) => e.metadata)).toEqual([
        { name: 'api-payments-example-com', namespace: 'shop', labels: { 'istio.io/use-waypoint': 'waypoint' } },
      ]);
      // the waypoint originates TLS: the DestinationRule is unchanged
      expect(of(chart, 'DestinationRule').filter((d: any) => d.spec.host === 'api.payments.example.com').map((d: any) => d.spec.trafficPolicy.portLevelSettings[0].tls.mode)).toEqual(['SIMPLE']);
      const egress = of(chart, 'AuthorizationPolicy').filter((p: any) => p.metadata.name.startsWith('allow-egress-'));
      expect(egress.map((p: any) => [p.metadata, p.spec])).toEqual([[
        { name: 'allow-egress-api-payments-example-com', namespace: 'shop' },
        {
          action: 'ALLOW',
          targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'api-payments-example-com' }],
          rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }] }],
        },
      ]]);
    });

    test('near miss: no allow rule at the waypoint when the namespace does not deny by default; no label without a waypoint', () => {
      const open = shopApp(MeshEnrolment.ambient({ waypoint: true }));
      new SecureNamespace(new Chart(open.app, 'other'), 'ns', { name: 'open', enrolment: MeshEnrolment.ambient({ waypoint: true }), defaultDeny: false });
      const deps = new MeshDependencies(open.chart, 'deps');
      deps.dependsOnExternal(MeshWorkload.labels({ app: 'batch' }, { namespace: 'open', serviceAccountName: 'batch' }), ExternalService.tls('api.stripe.com'));
      expect(of(open.chart, 'ServiceEntry').map((e: any) => e.metadata)).toEqual([{ name: 'api-stripe-com', namespace: 'open', labels: { 'istio.io/use-waypoint': 'waypoint' } }]);
      expect(of(open.chart, 'AuthorizationPolicy').filter((p: any) => p.metadata.name.startsWith('allow-egress-'))).toEqual([]);

      const l4 = shopApp(MeshEnrolment.ambient());
      new MeshDependencies(l4.chart, 'deps').dependsOnExternal(l4.frontend, ExternalService.tls('api.stripe.com'));
      expect(of(l4.chart, 'ServiceEntry').map((e: any) => e.metadata)).toEqual([{ name: 'api-stripe-com', namespace: 'shop' }]);
      expect(of(l4.chart, 'Sidecar')).toEqual([]);
    });

    test('fails on TLS origination without a waypoint for service traffic (ztunnel cannot originate TLS)', () => {
      const tls = ExternalService.originateTls('api.payments.example.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' });
      const workloadOnly = MeshEnrolment.ambient({ waypoint: true, waypointTrafficType: WaypointTrafficType.WORKLOAD });
      for (const enrolment of [MeshEnrolment.ambient(), workloadOnly]) {
        const { chart, frontend } = shopApp(enrolment);
        expect(() => new MeshDependencies(chart, 'deps').dependsOnExternal(frontend, tls)).toThrow(
          'Invalid external "api.payments.example.com": namespace shop is ambient without a waypoint for service traffic, and ztunnel forwards bytes: it cannot originate TLS. '
          + 'Fix: enrol shop with MeshEnrolment.ambient({ waypoint: true }) (the waypoint originates TLS), or let the app speak TLS with ExternalService.tls(\'api.payments.example.com\')');
      }
    });

    test('fails on REGISTRY_ONLY for an ambient namespace (ztunnel has no outbound traffic policy)', () => {
      const { chart, frontend, catalog } = shopApp(MeshEnrolment.ambient({ waypoint: true }));
      const deps = new MeshDependencies(chart, 'deps', { registryOnlyNamespaces: [NamespaceRef.named('shop')] });
      expect(() => deps.dependsOn(frontend, catalog)).toThrow(
        'Invalid registryOnlyNamespaces "shop": the namespace is ambient: REGISTRY_ONLY is a Sidecar setting, and ztunnel does not enforce an outbound traffic policy');
    });

    test('fails at synth when the SecureNamespace making a caller namespace ambient comes after its dependencies', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'web', { namespace: 'web' });
      const caller = MeshWorkload.labels({ app: 'web' }, { namespace: 'web', serviceAccountName: 'web' });
      new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'web' }, spec: { ports: [{ port: 80, name: 'http' }] } });
      new MeshDependencies(chart, 'deps').dependsOn(caller, ServiceHost.inNamespace('web', 'api'));
      new SecureNamespace(chart, 'ns', { name: 'web', enrolment: MeshEnrolment.ambient(), defaultDeny: false });
      expect(() => app.synth()).toThrow(
        'Invalid caller "namespace web": it is ambient (its SecureNamespace was defined after dependsOn()), but its dependencies were rendered for sidecars: '
        + 'a Sidecar has no effect in an ambient namespace (IST0167). Fix: define the SecureNamespace of "web" (or call SecureNamespace.of(scope, "web", { enrolment })) before declaring its dependencies');
    });
  });
});
