import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import {
  CanaryDeploymentSpec, CanaryService, CanaryServiceProps, CanaryVersion, ConsistentHashKey, EdgeApi, GatewayBinding, GatewayTls, HttpMethod,
  MeshEnrolment, MeshGateway, MeshIdentity, NamespaceRef, SecureNamespace, TrafficDialect,
} from '../../src';

const byKind = (chart: Chart, kind: string) => Testing.synth(chart).filter((o: any) => o.kind === kind);
const versions = {
  stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
  canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
};
const backend = (name: string, weight?: number) => ({ group: '', kind: 'Service', name, port: 8080, ...(weight === undefined ? {} : { weight }) });

function shopChart(app: App = Testing.app()): Chart {
  return new Chart(app, 'shop', { namespace: 'shop' });
}

/** An ambient `shop` with a waypoint, defined first (as the README says). */
function ambientShop(waypoint = true): { chart: Chart; shop: SecureNamespace } {
  const chart = shopChart();
  const shop = new SecureNamespace(chart, 'shop-namespace', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint }) });
  return { chart, shop };
}

describe('CanaryService in the Gateway API dialect', () => {
  test('an ambient namespace defaults to it: per-version Services and an HTTPRoute with the Service as parent (no subsets, no VirtualService)', () => {
    // GIVEN
    const { chart } = ambientShop();
    // WHEN
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions, canaryHeader: { name: 'x-canary', value: 'true' } });
    // THEN
    expect(catalog.routing).toEqual(TrafficDialect.GATEWAY_API);
    expect([catalog.destinationRule, catalog.virtualService]).toEqual([undefined, undefined]);
    expect(byKind(chart, 'DestinationRule')).toEqual([]);
    expect(byKind(chart, 'VirtualService')).toEqual([]);
    expect(byKind(chart, 'Service').map((s: any) => [s.metadata.name, s.spec.selector, s.metadata.labels])).toEqual([
      ['catalog', { app: 'catalog' }, undefined],
      ['catalog-v1', { app: 'catalog', version: 'v1' }, { 'istio.io/ingress-use-waypoint': 'true' }],
      ['catalog-v2', { app: 'catalog', version: 'v2' }, { 'istio.io/ingress-use-waypoint': 'true' }],
    ]);
    const [route] = byKind(chart, 'HTTPRoute');
    expect(route.metadata).toEqual({ name: 'catalog', namespace: 'shop' });
    expect(route.spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'catalog' }],
      rules: [
        { name: 'canary-override', matches: [{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }] }], backendRefs: [backend('catalog-v2')] },
        { name: 'canary-split', backendRefs: [backend('catalog-v1', 90), backend('catalog-v2', 10)] },
      ],
    });
    expect(catalog.httpRoute?.name).toEqual('catalog');
    expect(catalog.canary!.toMeshDestination()).toEqual({ host: 'catalog-v2.shop.svc.cluster.local', port: 8080 });
    expect([catalog.stable.subset, catalog.stable.versionService?.name, catalog.stable.versionHost?.fqdn])
      .toEqual([undefined, 'catalog-v1', 'catalog-v1.shop.svc.cluster.local']);
    expect(Testing.synth(chart).filter((o: any) => o.kind !== 'Deployment')).toMatchSnapshot();
  });

  test('explicit in any namespace; cookie, mirror and timeout have their Gateway API forms', () => {
    // GIVEN a sidecar namespace (no SecureNamespace)
    const chart = shopChart();
    // WHEN
    new CanaryService(chart, 'catalog', {
      routing: TrafficDialect.GATEWAY_API,
      port: 8080,
      ...versions,
      canaryCookie: { name: 'canary', value: 'always' },
      mirrorPercentage: 5,
      timeout: Duration.seconds(5),
    });
    // THEN no waypoint label outside ambient; the cookie is the sidecar dialect's regex on the Cookie header
    expect(byKind(chart, 'Service').map((s: any) => s.metadata.labels)).toEqual([undefined, undefined, undefined]);
    expect(byKind(chart, 'HTTPRoute')[0].spec.rules).toEqual([
      {
        name: 'canary-override',
        matches: [{ headers: [{ name: 'cookie', type: 'RegularExpression', value: '^(.*?;\\s*)?canary=always(;.*)?$' }] }],
        backendRefs: [backend('catalog-v2')],
        timeouts: { request: '5s' },
      },
      {
        name: 'canary-split',
        backendRefs: [backend('catalog-v1', 90), backend('catalog-v2', 10)],
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'catalog-v2', port: 8080 }, percent: 5 } }],
        timeouts: { request: '5s' },
      },
    ]);
  });

  test('promote(), rollback(), shiftTo(), the schedule and the context move the backends\' weights', () => {
    const split = (chart: Chart) => byKind(chart, 'HTTPRoute')[0].spec.rules.find((r: any) => r.name === 'canary-split').backendRefs.map((b: any) => b.weight);
    const make = (props: Partial<CanaryServiceProps> = {}, context?: string) => {
      const app = Testing.app();
      if (context !== undefined) app.node.setContext(CanaryService.STEP_CONTEXT_KEY, context);
      const chart = shopChart(app);
      const catalog = new CanaryService(chart, 'catalog', { routing: TrafficDialect.GATEWAY_API, port: 8080, ...versions, ...props });
      return { chart, catalog };
    };
    const a = make();
    a.catalog.shiftTo(25);
    expect(split(a.chart)).toEqual([75, 25]);
    a.catalog.promote();
    expect(split(a.chart)).toEqual([0, 100]);
    a.catalog.rollback();
    expect(split(a.chart)).toEqual([100, 0]);
    expect(split(make({ steps: [10, 25, 50, 100], step: 2 }).chart)).toEqual([50, 50]);
    expect(split(make({ steps: [10, 25, 50, 100] }, '1').chart)).toEqual([75, 25]);
  });

  test('stable only: one backend, no weight, no override rule', () => {
    const chart = shopChart();
    new CanaryService(chart, 'catalog', { routing: TrafficDialect.GATEWAY_API, port: 8080, stable: versions.stable, canaryHeader: { name: 'x-canary', value: 'true' } });
    expect(byKind(chart, 'HTTPRoute')[0].spec.rules).toEqual([{ name: 'canary-split', backendRefs: [backend('catalog-v1')] }]);
    expect(byKind(chart, 'Service').map((s: any) => s.metadata.name)).toEqual(['catalog', 'catalog-v1']);
  });

  test('traffic policies apply where the route sends traffic: a DestinationRule without subsets per version Service', () => {
    const chart = shopChart();
    const catalog = new CanaryService(chart, 'catalog', {
      routing: TrafficDialect.GATEWAY_API,
      port: 8080,
      ...versions,
      outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10) },
      trafficPolicy: { connectionPool: { http: { http2MaxRequests: 100 } } },
    });
    expect(byKind(chart, 'DestinationRule').map((d: any) => [d.metadata.name, d.spec])).toEqual(['v1', 'v2'].map((v) => [`catalog-${v}`, {
      host: `catalog-${v}.shop.svc.cluster.local`,
      trafficPolicy: { connectionPool: { http: { http2MaxRequests: 100 } }, outlierDetection: { consecutive5xxErrors: 5, interval: '10s' } },
    }]));
    expect(catalog.canary!.destinationRule?.name).toEqual('catalog-v2');
  });

  test('versions with dots get DNS-label names (Services cannot have dots); the sidecar dialect keeps them', () => {
    const chart = shopChart();
    const gw = new CanaryService(chart, 'catalog', { routing: TrafficDialect.GATEWAY_API, port: 8080, stable: { version: '1.2.0' }, canary: { version: '1.3.0' } });
    const sidecar = new CanaryService(chart, 'reviews', { port: 8080, stable: { version: '1.2.0', image: 'r:1' }, canary: { version: '1.3.0', image: 'r:2' } });
    expect(gw.stable.versionService?.name).toEqual('catalog-1-2-0');
    expect(sidecar.stable.deployment?.name).toEqual('reviews-1.2.0');
  });

  test('ambient with a waypoint: L7 intents on the canary also cover its per-version Services (edge traffic addresses them)', () => {
    const { chart, shop } = ambientShop();
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    shop.allow(MeshIdentity.of('shop', 'frontend')).to(catalog).methods(HttpMethod.GET);
    const policy = byKind(chart, 'AuthorizationPolicy').find((p: any) => p.metadata.name === 'allow-frontend-to-catalog');
    expect(policy.spec.targetRefs.map((t: any) => t.name)).toEqual(['catalog', 'catalog-v1', 'catalog-v2']);
  });

  test('near miss: the sidecar dialect chosen explicitly in an ambient namespace with a waypoint stays valid (VirtualService)', () => {
    const { chart } = ambientShop();
    const catalog = new CanaryService(chart, 'catalog', { routing: TrafficDialect.SIDECAR, port: 8080, ...versions });
    expect(byKind(chart, 'VirtualService').map((v: any) => v.metadata.name)).toEqual(['catalog']);
    expect(catalog.httpRoute).toBeUndefined();
  });

  describe('fails', () => {
    const gwProps = { routing: TrafficDialect.GATEWAY_API, port: 8080, ...versions };
    const suffix = 'or set routing: TrafficDialect.SIDECAR (DestinationRule subsets + VirtualService)';

    test('fails on retries (no standard HTTPRoute retry)', () => {
      expect(() => new CanaryService(shopChart(), 'catalog', { ...gwProps, retries: { attempts: 2 } })).toThrow(
        'Invalid retries {"attempts":2}: an HTTPRoute of the Gateway API standard channel (v1.5.1) has no retry policy (HTTPRouteRetry is experimental). '
        + `Fix: leave retries out (Istio's default retry policy applies to HTTPRoute backends too), ${suffix}`);
    });

    test('fails on fault injection (no standard fault filter)', () => {
      expect(() => new CanaryService(shopChart(), 'catalog', { ...gwProps, fault: { abort: { httpStatus: 503, percentage: 10 } } })).toThrow(
        /^Invalid fault .*: the Gateway API standard channel \(v1\.5\.1\) has no fault injection filter\. Fix: leave fault out in this dialect, or set routing: TrafficDialect\.SIDECAR/);
    });

    test('fails on sessionAffinity (no standard session persistence)', () => {
      expect(() => new CanaryService(shopChart(), 'catalog', { ...gwProps, sessionAffinity: ConsistentHashKey.header('x-user') })).toThrow(
        /^Invalid sessionAffinity .*: the Gateway API standard channel \(v1\.5\.1\) has no session persistence \(sessionPersistence is experimental\)\. Fix: use canaryCookie/);
    });

    test('fails on edge gateways and extra hosts (MeshGateway.expose() routes the edge)', () => {
      expect(() => new CanaryService(shopChart(), 'catalog', { ...gwProps, gateways: [GatewayBinding.of('istio-ingress', 'edge')] })).toThrow(
        'Invalid gateways ["istio-ingress/edge"]: an HTTPRoute with a Service parent routes mesh traffic only; edge gateways bind routes of their own. '
        + `Fix: expose the canary at the edge with MeshGateway.expose(host, canary) (it routes to the per-version Services), ${suffix}`);
      expect(() => new CanaryService(shopChart(), 'catalog', { ...gwProps, hosts: ['shop.example.com'] })).toThrow(
        'Invalid hosts ["shop.example.com"]: a mesh HTTPRoute serves the Service it is attached to; extra hosts belong to an edge route. '
        + `Fix: expose the canary at the edge with MeshGateway.expose(host, canary), ${suffix}`);
    });

    test('a fractional mirror percentage becomes a RequestMirror fraction; fails below one in a million', () => {
      const chart = shopChart();
      new CanaryService(chart, 'catalog', { ...gwProps, mirrorPercentage: 2.5 });
      const split = byKind(chart, 'HTTPRoute')[0].spec.rules.find((r: any) => r.name === 'canary-split');
      expect(split.filters[0].requestMirror).toEqual({ backendRef: { group: '', kind: 'Service', name: 'catalog-v2', port: 8080 }, fraction: { numerator: 1, denominator: 40 } });
      expect(() => new CanaryService(shopChart(), 'catalog', { ...gwProps, mirrorPercentage: 0.00001 })).toThrow(
        'Invalid mirrorPercentage 0.00001: it is below one in a million requests, so nothing would be mirrored. Fix: give at least 0.0001');
      expect(() => new CanaryService(shopChart(), 'catalog', { ...gwProps, mirrorPercentage: 100.5 })).toThrow(
        'Invalid mirrorPercentage 100.5: a mirror percentage is from 0 to 100. Fix: give e.g. 5 or 0.5');
    });

    test('fails on an unknown dialect', () => {
      expect(() => new CanaryService(shopChart(), 'catalog', { ...versions, routing: 'GAMMA' as TrafficDialect })).toThrow(
        'Invalid routing "GAMMA": it is not a traffic dialect. Fix: use TrafficDialect.SIDECAR or TrafficDialect.GATEWAY_API');
    });

    test('fails on a canary in an ambient namespace without a waypoint (either dialect); stable only needs no routing', () => {
      for (const routing of [undefined, TrafficDialect.SIDECAR]) {
        const { chart } = ambientShop(false);
        expect(() => new CanaryService(chart, 'catalog', { ...versions, routing })).toThrow(
          `Invalid routing "${routing ?? 'GATEWAY_API'}": namespace "shop" runs in ambient mode without a waypoint: ztunnel handles L4 only, so the canary's weights and override rule would never apply. `
          + 'Fix: enrol it with MeshEnrolment.ambient({ waypoint: true }) (SecureNamespace shop/shop-namespace)');
      }
      const { chart } = ambientShop(false);
      expect(new CanaryService(chart, 'catalog', { stable: versions.stable }).routing).toEqual(TrafficDialect.GATEWAY_API);
    });

    test('fails at synth when the ambient SecureNamespace is defined after the canary', () => {
      const chart = shopChart();
      new CanaryService(chart, 'catalog', { port: 8080, ...versions });
      new SecureNamespace(chart, 'shop-namespace', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
      expect(() => Testing.synth(chart)).toThrow(
        'Invalid routing "SIDECAR": namespace "shop" runs in ambient mode, but its SecureNamespace (shop/shop-namespace) is defined after this canary, '
        + 'so the default dialect and the per-version Services were chosen without knowing it. Fix: define the SecureNamespace (or call SecureNamespace.of()) before the CanaryService');
    });
  });
});

/** A platform's canary: its naming, its pod spec additions, its labels on every object. */
class AcmeCanary extends CanaryService {
  protected versionName(serviceName: string, version: string): string {
    return `${serviceName}-release-${version}`;
  }

  protected createVersionDeployment(version: CanaryVersion, spec: CanaryDeploymentSpec): ApiObject {
    const deployment = super.createVersionDeployment(version, { ...spec, replicas: Math.max(spec.replicas, 2) });
    deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/nodeSelector', { pool: 'acme' }));
    return deployment;
  }

  protected get objectLabels(): { [key: string]: string } {
    return { 'acme.io/team': 'shop' };
  }

  protected get objectAnnotations(): { [key: string]: string } {
    return { 'acme.io/owner': 'shop@acme.io' };
  }
}

class BadNames extends CanaryService {
  protected versionName(serviceName: string, _version: string): string {
    return `${serviceName}.Same`;
  }
}

describe('CanaryService extension points (protected, for platform subclasses)', () => {
  test('versionName, createVersionDeployment, objectLabels and objectAnnotations reach every created object, in both dialects', () => {
    for (const routing of [TrafficDialect.SIDECAR, TrafficDialect.GATEWAY_API]) {
      const chart = shopChart();
      new AcmeCanary(chart, 'catalog', { routing, port: 8080, ...versions });
      const docs = Testing.synth(chart);
      expect(byKind(chart, 'Deployment').map((d: any) => [d.metadata.name, d.spec.replicas, d.spec.template.spec.nodeSelector]))
        .toEqual([['catalog-release-v1', 2, { pool: 'acme' }], ['catalog-release-v2', 2, { pool: 'acme' }]]);
      expect(docs.map((d: any) => [d.kind, d.metadata.labels?.['acme.io/team'], d.metadata.annotations?.['acme.io/owner']]))
        .toEqual(docs.map((d: any) => [d.kind, 'shop', 'shop@acme.io']));
      // pod labels are not touched: the selectors still match
      expect(byKind(chart, 'Deployment')[0].spec.template.metadata.labels['acme.io/team']).toBeUndefined();
    }
  });

  test('fails when versionName returns an invalid or shared name', () => {
    expect(() => new BadNames(shopChart(), 'catalog', { routing: TrafficDialect.GATEWAY_API, ...versions })).toThrow(
      'Invalid versionName("catalog", "v1") "catalog.Same": the stable version\'s Service and Deployment name must be a DNS label. Fix: return lowercase letters, digits and "-", at most 63 characters');
  });
});

describe('a Gateway API canary at the edge (MeshGateway)', () => {
  const edgeOf = (chart: Chart, api: EdgeApi) => new MeshGateway(chart, 'edge', {
    namespace: NamespaceRef.named('istio-ingress'), api, tls: GatewayTls.simple({ credentialName: 'shop-cert' }),
  });

  test('the Gateway API edge routes to the per-version Services: the canary header first, then the weights; it follows shiftTo()', () => {
    // GIVEN an ambient shop with a Gateway API canary, exposed at a Gateway API edge
    const { chart, shop } = ambientShop();
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions, canaryHeader: { name: 'x-canary', value: 'true' } });
    const edge = edgeOf(chart, EdgeApi.GATEWAY_API);
    // WHEN
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    shop.allow(edge.identity).to(catalog).methods(HttpMethod.GET);
    catalog.shiftTo(25);
    // THEN no Service of the edge's own: the canary's per-version Services are the backends
    const route = byKind(chart, 'HTTPRoute').find((r: any) => r.metadata.namespace === 'istio-ingress' && r.spec.hostnames);
    const shopBackend = (name: string, weight?: number) => ({ ...backend(name, weight), namespace: 'shop' });
    expect(route.spec.rules.map((r: any) => [r.matches, r.backendRefs])).toEqual([
      [[{ path: { type: 'PathPrefix', value: '/catalog' }, headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }] }], [shopBackend('catalog-v2')]],
      [[{ path: { type: 'PathPrefix', value: '/catalog' } }], [shopBackend('catalog-v1', 75), shopBackend('catalog-v2', 25)]],
    ]);
    expect(byKind(chart, 'Service').map((s: any) => s.metadata.name)).toEqual(['catalog', 'catalog-v1', 'catalog-v2']);
    expect(byKind(chart, 'ReferenceGrant').map((g: any) => [g.metadata.namespace, g.spec.to])).toEqual([['shop', [{ group: '', kind: 'Service' }]]]);
    // the edge's allow rule reaches the waypoint for the Services the edge addresses
    const allowEdge = byKind(chart, 'AuthorizationPolicy').find((p: any) => p.metadata.name === 'allow-istio-ingress-edge-istio-to-catalog');
    expect(allowEdge.spec.targetRefs.map((t: any) => t.name)).toEqual(['catalog', 'catalog-v1', 'catalog-v2']);
    expect(allowEdge.spec.rules[0].from).toEqual([{ source: { principals: ['cluster.local/ns/istio-ingress/sa/edge-istio'] } }]);
  });

  test('the Istio edge routes to the per-version Services too (hosts, no subsets)', () => {
    const chart = shopChart();
    const catalog = new CanaryService(chart, 'catalog', { routing: TrafficDialect.GATEWAY_API, port: 8080, ...versions });
    edgeOf(chart, EdgeApi.ISTIO).expose('shop.example.com', catalog);
    const [vs] = byKind(chart, 'VirtualService');
    expect(vs.spec.http[0].route).toEqual([
      { destination: { host: 'catalog-v1.shop.svc.cluster.local', port: { number: 8080 } }, weight: 90 },
      { destination: { host: 'catalog-v2.shop.svc.cluster.local', port: { number: 8080 } }, weight: 10 },
    ]);
  });

  test('fails at synth when the edge is not let into the default-deny namespace', () => {
    const { chart } = ambientShop();
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    edgeOf(chart, EdgeApi.GATEWAY_API).expose('shop.example.com', catalog);
    expect(() => Testing.synth(chart)).toThrow(/Invalid expose "catalog-v1\.shop": namespace "shop" denies by default and no intent lets the gateway's identity/);
  });
});

describe('MeshGateway and SecureNamespace extension points', () => {
  class TeamGateway extends MeshGateway {
    protected routeName(host: string): string {
      return `routes-${host.split('.')[0]}`;
    }
  }
  class BadGateway extends MeshGateway {
    protected routeName(_host: string): string {
      return 'Routes_Shop';
    }
  }
  class TeamNamespace extends SecureNamespace {
    protected get namespaceLabels(): { [key: string]: string } {
      return { 'acme.io/team': 'shop', 'pod-security.kubernetes.io/enforce': 'restricted' };
    }
  }
  class EnrolmentOverride extends SecureNamespace {
    protected get namespaceLabels(): { [key: string]: string } {
      return { 'istio-injection': 'disabled' };
    }
  }

  test('MeshGateway.routeName names the route object of each host, in both flavours', () => {
    for (const api of [EdgeApi.ISTIO, EdgeApi.GATEWAY_API]) {
      const chart = shopChart();
      const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
      new TeamGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api, plaintext: true }).expose('shop.example.com', catalog);
      const routes = Testing.synth(chart).filter((o: any) => o.metadata.namespace === 'istio-ingress' && ['VirtualService', 'HTTPRoute'].includes(o.kind));
      expect(routes.map((r: any) => r.metadata.name)).toEqual(['routes-shop']);
    }
  });

  test('fails when routeName returns an invalid name', () => {
    const chart = shopChart();
    expect(() => new BadGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true }).expose('shop.example.com', new CanaryService(chart, 'catalog', { port: 8080, ...versions })))
      .toThrow(/^Invalid routeName\("shop\.example\.com"\) "Routes_Shop": it is not an RFC 1123 DNS subdomain/);
  });

  test('SecureNamespace.namespaceLabels adds labels to the Namespace beside the enrolment; the enrolment labels cannot be overridden', () => {
    const chart = shopChart();
    new TeamNamespace(chart, 'ns', { name: 'shop' });
    expect(byKind(chart, 'Namespace')[0].metadata.labels).toEqual({ 'istio-injection': 'enabled', 'acme.io/team': 'shop', 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(() => new EnrolmentOverride(shopChart(), 'ns', { name: 'shop' })).toThrow(
      'Invalid namespaceLabels "istio-injection": it is an enrolment label, which `enrolment` decides. Fix: drop it, and choose the MeshEnrolment instead');
  });
});
