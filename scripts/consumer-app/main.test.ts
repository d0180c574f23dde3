// The consumer app's test (replaces the template's main.test.ts): stock jest + ts-jest, as a user runs it.
// The cdk8s-plus objects come from the chart (main.ts imports the cdk8s-plus version under test).
import { MyChart } from './main';
import { ApiObject, Testing } from 'cdk8s';
import {
  ConformanceValidator, MeshIdentity, MeshRouting, MeshWorkload, ServiceHost, Telemetry,
} from 'cdk8s-istio';

const CATALOG = 'catalog.shop.svc.cluster.local';

function synth() {
  const app = Testing.app();
  const chart = new MyChart(app, 'test-chart');
  const manifests: any[] = Testing.synth(chart);
  const find = (kind: string, name: string) => {
    const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };
  return { app, chart, manifests, find };
}

describe('derived from cdk8s-plus objects', () => {
  test('identity of a ServiceAccount, selector of a Deployment, host of a Service', () => {
    const { chart } = synth();
    expect(MeshIdentity.fromServiceAccount(chart.frontendSa).principal).toEqual('cluster.local/ns/shop/sa/frontend');
    expect(MeshIdentity.fromWorkload(chart.reporting).principal).toEqual('cluster.local/ns/shop/sa/reporting');
    expect(MeshWorkload.fromWorkload(chart.frontend).toSelectorLabels()).toEqual({ app: 'frontend' });
    expect(MeshWorkload.fromWorkload(chart.frontend).workloadNamespace).toEqual('shop');
    const host = ServiceHost.fromService(chart.catalogService);
    expect(host.fqdn).toEqual(CATALOG);
  });

  test('SecureNamespace: allowServiceAccount and allowWorkload give one ALLOW policy per caller', () => {
    const { find } = synth();
    expect(find('AuthorizationPolicy', 'allow-frontend-to-catalog').spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'catalog' } },
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
        to: [{ operation: { methods: ['GET'], paths: ['/public'] } }],
      }],
    });
    expect(find('AuthorizationPolicy', 'allow-reporting-to-catalog').spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'catalog' } },
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/reporting'] } }],
        to: [{ operation: { methods: ['GET'], paths: ['/stats'] } }],
      }],
    });
    expect(find('PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
  });
});

describe('CanaryService with a cdk8s-plus Service', () => {
  test('the Service is the one given: host, subsets and weights derived from it', () => {
    const { chart, find } = synth();
    expect(chart.catalog.serviceHost.fqdn).toEqual(CATALOG);
    expect(chart.catalog.port).toEqual(8080);
    expect(find('Service', 'catalog').spec.selector).toEqual({ app: 'catalog' });
    expect(find('DestinationRule', 'catalog').spec.subsets).toEqual([
      { name: 'stable', labels: { version: 'v1' } },
      { name: 'canary', labels: { version: 'v2' } },
    ]);
    expect(chart.catalog.service).toBe(ApiObject.of(chart.catalogService));
    const canary = find('Deployment', 'catalog-v2').spec; // the canary's Deployment, named after its version
    expect(canary.selector.matchLabels).toEqual({ app: 'catalog', version: 'v2' });
    expect(canary.template.spec.serviceAccountName).toEqual('catalog');
    expect(find('VirtualService', 'catalog').spec.http[1].route.map((r: any) => [r.destination.subset, r.weight])).toEqual([['stable', 80], ['canary', 20]]);
  });

  test('route test: header to the canary, everything else 80/20', () => {
    const { app } = synth();
    MeshRouting.expectRoute(app, { host: CATALOG, headers: { 'x-canary': 'true' } }).toReach(CATALOG, 'canary');
    MeshRouting.expectRoute(app, { host: 'catalog', namespace: 'shop', path: '/public' }).toSplit([
      { host: CATALOG, subset: 'stable', weight: 80 },
      { host: CATALOG, subset: 'canary', weight: 20 },
    ]);
    const result = MeshRouting.evaluate(app, { host: CATALOG, path: '/public' });
    expect(result.virtualService).toEqual('shop/catalog');
    expect(result.routeIndex).toEqual(1);
    expect(result.destinations.map((d) => [d.subset, d.weight])).toEqual([['stable', 80], ['canary', 20]]);
  });
});

describe('CEL', () => {
  test('Telemetry: an access log filter and a tag value, both CEL', () => {
    const { find } = synth();
    expect(find('Telemetry', 'frontend').spec).toEqual({
      selector: { matchLabels: { app: 'frontend' } },
      accessLogging: [{ providers: [{ name: 'envoy' }], filter: { expression: 'response.code >= 400' } }],
      metrics: [{ overrides: [{ match: { metric: 'REQUEST_COUNT' }, tagOverrides: { request_host: { operation: 'UPSERT', value: 'request.host' } } }] }],
    });
  });

  test('fails: a Telemetry filter that is not CEL', () => {
    const { chart } = synth();
    expect(() => new Telemetry(chart, 'bad', { accessLogging: [{ filter: 'response.code >= ' }] }))
      .toThrow('Invalid filter "response.code >= ": it is not a valid CEL expression (Unexpected token: EOF)');
  });

  test('fails: the CRD\'s CEL rules reject an HTTPRoute path without a leading slash', () => {
    const route = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'catalog', namespace: 'shop' },
      spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'catalog' } }], backendRefs: [{ name: 'catalog', port: 8080 }] }] },
    };
    expect(ConformanceValidator.builtIn().validate(route).map((f) => `${f.rule} ${f.path}: ${f.message}`)).toEqual([
      'K8S-CEL spec.rules[0].matches[0].path: Invalid value: "object": value must be an absolute path and start with \'/\' when type one of [\'Exact\', \'PathPrefix\']. Fix: change the object so that the CRD\'s validation rule holds',
    ]);
  });
});

test('the chart holds exactly these kinds', () => {
  const { manifests } = synth();
  expect(manifests.map((m) => `${m.apiVersion} ${m.kind} ${m.metadata.name}`).sort()).toEqual([
    'apps/v1 Deployment catalog-v1',
    'apps/v1 Deployment catalog-v2',
    'apps/v1 Deployment frontend',
    'apps/v1 Deployment reporting',
    'networking.istio.io/v1 DestinationRule catalog',
    'networking.istio.io/v1 VirtualService catalog',
    'security.istio.io/v1 AuthorizationPolicy allow-frontend-to-catalog',
    'security.istio.io/v1 AuthorizationPolicy allow-nothing',
    'security.istio.io/v1 AuthorizationPolicy allow-reporting-to-catalog',
    'security.istio.io/v1 PeerAuthentication default',
    'telemetry.istio.io/v1 Telemetry frontend',
    'v1 Namespace shop',
    'v1 Service catalog',
    'v1 ServiceAccount catalog',
    'v1 ServiceAccount frontend',
    'v1 ServiceAccount reporting',
  ]);
});
