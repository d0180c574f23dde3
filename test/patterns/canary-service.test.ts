import { ApiObject, App, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CanaryService, ConsistentHashKey, GatewayBinding, LoadBalancer, LoadBalancerAlgorithm, MeshRouting, NamespaceRef } from '../../src';

const FQDN = 'catalog.shop.svc.cluster.local';
const stable = (w: number) => ({ destination: { host: FQDN, subset: 'stable' }, weight: w });
const canary = (w: number) => ({ destination: { host: FQDN, subset: 'canary' }, weight: w });
const byKind = (chart: Chart, kind: string) => Testing.synth(chart).filter((o: any) => o.kind === kind);

function shopChart(context?: { [k: string]: any }): Chart {
  const app = Testing.app();
  for (const [k, v] of Object.entries(context ?? {})) app.node.setContext(k, v);
  return new Chart(app, 'shop', { namespace: 'shop' });
}
const versions = {
  stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
  canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
};

describe('CanaryService', () => {
  test('default: Deployments, Service, subsets stable/canary, VirtualService 90/10 (reviewed snapshot)', () => {
    // GIVEN
    const chart = shopChart();
    // WHEN
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    // THEN
    expect(byKind(chart, 'DestinationRule')[0].spec).toEqual({
      host: FQDN,
      subsets: [{ name: 'stable', labels: { version: 'v1' } }, { name: 'canary', labels: { version: 'v2' } }],
    });
    expect(byKind(chart, 'VirtualService')[0].spec.http.map((r: any) => r.route)).toEqual([[stable(90), canary(10)]]);
    expect(byKind(chart, 'Service')[0].spec.selector).toEqual({ app: 'catalog' });
    const podLabels = byKind(chart, 'Deployment').map((d: any) => d.spec.template.metadata.labels);
    expect(podLabels.map((l: any) => [l.app, l.version])).toEqual([['catalog', 'v1'], ['catalog', 'v2']]);
    expect(byKind(chart, 'Deployment').map((d: any) => d.spec.selector.matchLabels)).toEqual([{ app: 'catalog', version: 'v1' }, { app: 'catalog', version: 'v2' }]);
    expect([catalog.stableWeight, catalog.canaryWeight, catalog.port]).toEqual([90, 10, 8080]);
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('created Deployments and Service: plain objects rendering exactly what cdk8s-plus renders for them', () => {
    // GIVEN the same inputs at the same construct paths: a CanaryService, and cdk8s-plus objects built as it built them before
    const chart = shopChart();
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions, canary: { ...versions.canary, replicas: 3 } });
    const kplusChart = shopChart();
    const scope = new Construct(kplusChart, 'catalog');
    const sa = new kplus.ServiceAccount(scope, 'ServiceAccount', { metadata: { name: 'catalog', namespace: 'shop' } });
    for (const [v, replicas] of [[versions.stable, 1], [versions.canary, 3]] as const) {
      const labels = { app: 'catalog', version: v.version };
      const d = new kplus.Deployment(scope, `Version-${v.version}`, {
        metadata: { name: `catalog-${v.version}`, namespace: 'shop', labels },
        podMetadata: { labels },
        select: false,
        replicas,
        serviceAccount: sa,
        containers: [{ name: 'catalog', image: v.image, portNumber: 8080 }],
      });
      d.select(kplus.LabelSelector.of({ labels }));
    }
    const svc = new kplus.Service(scope, 'Service', { metadata: { name: 'catalog', namespace: 'shop' }, ports: [{ port: 8080, targetPort: 8080, name: 'http' }] });
    svc.selectLabel('app', 'catalog');
    // THEN the objects are plain ApiObjects with identical JSON. This fails when a cdk8s-plus upgrade changes its
    // defaults: bring createDeployment() in canary-service.ts in line (or keep ours, deliberately, and say so)
    const kplusObjects = Testing.synth(kplusChart);
    for (const kind of ['Deployment', 'Service']) {
      expect(byKind(chart, kind)).toEqual(kplusObjects.filter((o: any) => o.kind === kind));
    }
    expect(catalog.stable.deployment).toBeInstanceOf(ApiObject);
    expect(catalog.service).toBeInstanceOf(ApiObject);
    expect(byKind(chart, 'Deployment').map((d: any) => d.spec.replicas)).toEqual([1, 3]);
    expect(byKind(chart, 'Deployment')[0].spec.template.spec.containers[0].securityContext)
      .toEqual({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
  });

  test('a created Deployment takes JSON patches (the escape hatch to any field)', () => {
    // GIVEN
    const chart = shopChart();
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    // WHEN
    catalog.canary!.deployment!.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/env', [{ name: 'MODE', value: 'canary' }]));
    // THEN
    expect(byKind(chart, 'Deployment').map((d: any) => d.spec.template.spec.containers[0].env)).toEqual([undefined, [{ name: 'MODE', value: 'canary' }]]);
  });

  test('a given cdk8s-plus Service is exposed as its ApiObject', () => {
    // GIVEN
    const chart = shopChart();
    const given = new kplus.Service(chart, 'svc', { metadata: { name: 'catalog' }, ports: [{ port: 8080, name: 'http' }] });
    // WHEN
    const catalog = new CanaryService(chart, 'catalog', { service: given, stable: { version: 'v1' }, canary: { version: 'v2' } });
    // THEN
    expect(catalog.service).toBe(ApiObject.of(given));
  });

  test('exposes what it composed, as destinations and workloads', () => {
    // GIVEN
    const chart = shopChart();
    // WHEN
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    // THEN
    expect(catalog.toMeshDestination()).toEqual({ host: FQDN });
    expect(catalog.stable.toMeshDestination()).toEqual({ host: FQDN, subset: 'stable' });
    expect(catalog.canary!.toMeshDestination()).toEqual({ host: FQDN, subset: 'canary' });
    expect(catalog.toSelectorLabels()).toEqual({ app: 'catalog' });
    expect(catalog.canary!.toSelectorLabels()).toEqual({ app: 'catalog', version: 'v2' });
    expect([catalog.workloadKey, catalog.workloadNamespace, catalog.stable.workloadKey]).toEqual(['catalog', 'shop', 'catalog-stable']);
    expect(catalog.workloadIdentity?.toMeshIdentityConfig()).toEqual({ principals: ['cluster.local/ns/shop/sa/catalog'] });
    expect([catalog.stableVersion, catalog.canaryVersion]).toEqual(['v1', 'v2']);
    expect(catalog.serviceHost.fqdn).toEqual(FQDN);
    expect(catalog.service?.name).toEqual('catalog');
    expect(catalog.stable.deployment?.name).toEqual('catalog-v1');
    expect(catalog.destinationRule!.subsets.map((s) => s.name)).toEqual(['stable', 'canary']);
    expect(catalog.virtualService!.hosts).toEqual([FQDN]);
  });

  test('header and cookie override route to the canary first; retries/timeouts on every route; outlier detection and affinity for both subsets', () => {
    // GIVEN
    const chart = shopChart();
    // WHEN
    new CanaryService(chart, 'catalog', {
      port: 8080,
      ...versions,
      canaryHeader: { name: 'x-canary', value: 'true' },
      canaryCookie: { name: 'canary', value: 'always' },
      mirrorPercentage: 5,
      retries: { attempts: 2, perTryTimeout: Duration.seconds(1), retryOn: ['5xx'] },
      timeout: Duration.seconds(5),
      outlierDetection: { consecutive5xxErrors: 5, interval: Duration.seconds(10) },
      sessionAffinity: ConsistentHashKey.cookie('session', { ttl: Duration.hours(1) }),
    });
    // THEN
    const http = byKind(chart, 'VirtualService')[0].spec.http;
    expect(http).toEqual([
      {
        name: 'canary-override',
        match: [{ headers: { 'x-canary': { exact: 'true' } } }, { headers: { cookie: { regex: '^(.*?;\\s*)?canary=always(;.*)?$' } } }],
        route: [{ destination: { host: FQDN, subset: 'canary' } }],
        retries: { attempts: 2, perTryTimeout: '1s', retryOn: '5xx' },
        timeout: '5s',
      },
      {
        name: 'canary-split',
        route: [stable(90), canary(10)],
        mirrors: [{ destination: { host: FQDN, subset: 'canary' }, percentage: { value: 5 } }],
        retries: { attempts: 2, perTryTimeout: '1s', retryOn: '5xx' },
        timeout: '5s',
      },
    ]);
    expect(byKind(chart, 'DestinationRule')[0].spec.trafficPolicy).toEqual({
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s' },
      loadBalancer: { consistentHash: { httpCookie: { name: 'session', ttl: '3600s' } } },
    });
  });

  test('canaryWeight moves the split with one value; promote() and rollback()', () => {
    const at = (w: number) => {
      const chart = shopChart();
      const c = new CanaryService(chart, 'catalog', { port: 8080, ...versions, canaryWeight: w });
      return { chart, c };
    };
    expect(byKind(at(25).chart, 'VirtualService')[0].spec.http[0].route).toEqual([stable(75), canary(25)]);
    expect(byKind(at(100).chart, 'VirtualService')[0].spec.http[0].route).toEqual([stable(0), canary(100)]);
    const p = at(10);
    p.c.promote();
    expect([p.c.stableWeight, p.c.canaryWeight]).toEqual([0, 100]);
    expect(byKind(p.chart, 'VirtualService')[0].spec.http[0].route).toEqual([stable(0), canary(100)]);
    p.c.rollback();
    expect([p.c.stableWeight, p.c.canaryWeight]).toEqual([100, 0]);
    expect(byKind(p.chart, 'VirtualService')[0].spec.http[0].route).toEqual([stable(100), canary(0)]);
  });

  test('steps: the current step comes from the prop, else the per-service context, else the global context, else 0', () => {
    const weightOf = (chart: Chart, step?: number) => new CanaryService(chart, 'catalog', { port: 8080, ...versions, steps: [10, 25, 50, 100], step }).canaryWeight;
    expect(weightOf(shopChart())).toEqual(10);
    expect(weightOf(shopChart(), 2)).toEqual(50);
    expect(weightOf(shopChart({ 'cdk8s-istio/canary-step': 1 }))).toEqual(25);
    expect(weightOf(shopChart({ 'cdk8s-istio/canary-step': '1', 'cdk8s-istio/canary-step/catalog': '3' }))).toEqual(100);
    expect(CanaryService.STEP_CONTEXT_KEY).toEqual('cdk8s-istio/canary-step');
  });

  test('from an existing kplus Service and Deployments defined elsewhere; edge gateways and hosts include mesh', () => {
    // GIVEN
    const chart = shopChart();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'catalog' }, ports: [{ port: 9090 }] });
    // WHEN
    const catalog = new CanaryService(chart, 'catalog', {
      service: svc,
      stable: { version: '1.2.0' },
      canary: { version: '1.3.0' },
      gateways: [GatewayBinding.external('istio-ingress', 'edge')],
      hosts: ['shop.example.com'],
    });
    // THEN
    expect(byKind(chart, 'Deployment')).toEqual([]);
    expect(catalog.port).toEqual(9090);
    expect(catalog.workloadIdentity).toBeUndefined();
    expect(byKind(chart, 'DestinationRule')[0].spec.subsets).toEqual([{ name: 'stable', labels: { version: '1.2.0' } }, { name: 'canary', labels: { version: '1.3.0' } }]);
    const vs = byKind(chart, 'VirtualService')[0].spec;
    expect(vs.gateways).toEqual(['mesh', 'istio-ingress/edge']);
    expect(vs.hosts).toEqual([FQDN, 'shop.example.com']);
  });

  test('from a name and namespace only: the Service and Deployments are defined elsewhere', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const catalog = new CanaryService(chart, 'c', {
      serviceName: 'catalog', namespace: NamespaceRef.named('shop'), port: 8080, createService: false, stable: { version: 'v1' }, canary: { version: 'v2' },
    });
    // THEN
    expect(Testing.synth(chart).map((o: any) => o.kind)).toEqual(['DestinationRule', 'VirtualService']);
    expect(catalog.service).toBeUndefined();
    expect(catalog.serviceHost.fqdn).toEqual(FQDN);
    expect(byKind(chart, 'VirtualService')[0].metadata).toEqual({ name: 'catalog', namespace: 'shop' });
  });

  test('the route tester sees the split and the override', () => {
    // GIVEN
    const app = new App();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    new CanaryService(chart, 'catalog', { port: 8080, ...versions, canaryHeader: { name: 'x-canary', value: 'true' } });
    // THEN
    MeshRouting.expectRoute(app, { host: 'catalog', headers: { 'x-canary': 'true' } }).toReach(FQDN, 'canary');
    MeshRouting.expectRoute(app, { host: FQDN }).toSplit([
      { host: FQDN, subset: 'stable', weight: 90 }, { host: FQDN, subset: 'canary', weight: 10 },
    ]);
  });

  describe('bad input', () => {
    test('fails on extra hosts that cover the Service FQDN ("*", "*.svc.cluster.local"); other wildcards are fine', () => {
      const chart = shopChart();
      expect(() => new CanaryService(chart, 'catalog', { ...versions, hosts: ['*'] })).toThrow(
        'Invalid hosts[0] "*": a canary\'s VirtualService always routes its Service FQDN (catalog.shop.svc.cluster.local), and this wildcard covers it and other services\' traffic too. '
        + 'Fix: list the extra hosts by name, e.g. ["shop.example.com"] for edge traffic');
      expect(() => new CanaryService(chart, 'c2', { ...versions, serviceName: 'catalog2', hosts: ['shop.example.com', '*.svc.cluster.local'] })).toThrow('Invalid hosts[1] "*.svc.cluster.local"');
      expect(new CanaryService(chart, 'c3', { ...versions, serviceName: 'catalog3', hosts: ['*.example.com'] }).virtualService!.hosts)
        .toEqual(['catalog3.shop.svc.cluster.local', '*.example.com']);
    });

    const mk = (props: any, chart: Chart = shopChart()) => () => new CanaryService(chart, 'catalog', { port: 8080, ...versions, ...props });
    test('fails on a negative canary weight', () => expect(mk({ canaryWeight: -5 })).toThrow('Invalid canaryWeight -5: a weight cannot be negative. Fix: use a value from 0 to 100'));
    test('fails on a canary weight above 100', () => expect(mk({ canaryWeight: 150 })).toThrow('Invalid canaryWeight 150: a weight is a percentage and cannot exceed 100'));
    test('fails on a canary weight that is not an integer', () => expect(mk({ canaryWeight: 12.5 })).toThrow('Invalid canaryWeight 12.5: a weight must be a whole number of percent. Fix: round it, e.g. 13'));
    test('fails on a schedule not ending at 100', () => expect(mk({ steps: [10, 25, 50] }))
      .toThrow('Invalid steps [10,25,50]: the schedule ends at 50%, so the canary is never fully promoted. Fix: end the schedule with 100'));
    test('fails on a schedule that does not increase', () => expect(mk({ steps: [10, 50, 25, 100] }))
      .toThrow('Invalid steps [10,50,25,100]: step 2 (25%) does not increase on step 1 (50%). Fix: give strictly increasing percentages, e.g. [10, 25, 50, 100]'));
    test('fails on an empty schedule or an invalid step value', () => {
      expect(mk({ steps: [] })).toThrow('Invalid steps []: the schedule is empty');
      expect(mk({ steps: [10, 100], step: 2 })).toThrow('Invalid step 2: the schedule has 2 steps (0..1). Fix: use a step from 0 to 1');
      expect(mk({ steps: [10, 100] }, shopChart({ 'cdk8s-istio/canary-step': 'two' }))).toThrow('Invalid context "cdk8s-istio/canary-step" "two": the step must be an integer index into steps');
      expect(mk({ steps: [10, 100], canaryWeight: 10 })).toThrow('Invalid canaryWeight 10: the weight comes from the steps schedule');
      expect(mk({ step: 1 })).toThrow('Invalid step 1: a step needs a steps schedule');
      expect(mk({ steps: [-10, 100] })).toThrow('Invalid steps[0] -10: a weight cannot be negative');
    });
    test('fails on stable and canary with the same version', () => expect(mk({ canary: { image: 'x', version: 'v1' } }))
      .toThrow('Invalid canary.version "v1": stable and canary have the same version, so both subsets select the same pods'));
    test('fails on a version that is not a valid label value', () => expect(mk({ canary: { image: 'x', version: 'v2/beta' } }))
      .toThrow('Invalid canary.version (label "version")["version"] "v2/beta": it is not a valid label value'));
    test('fails on appLabels containing the version label', () => expect(mk({ appLabels: { app: 'catalog', version: 'v1' } }))
      .toThrow('Invalid appLabels {"app":"catalog","version":"v1"}: it contains the version label "version", so the Service would select one version only'));
    test('fails on only one image', () => expect(mk({ canary: { version: 'v2' } }))
      .toThrow('Invalid canary.image (undefined): Deployments are created only when every version gives an image. Fix: give every image, or none (Deployments defined elsewhere)'));
    test('fails on an empty image', () => expect(mk({ stable: { image: ' ', version: 'v1' } }))
      .toThrow('Invalid stable.image " ": the image is empty. Fix: give e.g. "ghcr.io/acme/catalog:2.0.0"'));
    test('fails on replicas that are not a whole number of pods', () => {
      expect(mk({ canary: { image: 'x', version: 'v2', replicas: -1 } })).toThrow('Invalid canary.replicas -1: replicas is a whole number of pods, 0 or more. Fix: give e.g. 2');
      expect(mk({ stable: { image: 'x', version: 'v1', replicas: 1.5 } })).toThrow('Invalid stable.replicas 1.5: replicas is a whole number of pods, 0 or more');
    });
    test('fails without a namespace', () => expect(() => new CanaryService(Testing.chart(), 'catalog', versions))
      .toThrow('Invalid namespace (undefined): a canary needs the namespace of its Service to derive the host'));
    test('fails on an invalid canary header or cookie', () => {
      expect(mk({ canaryHeader: { name: 'x canary', value: 'true' } })).toThrow('Invalid canaryHeader.name "x canary": it is not a valid HTTP header name');
      expect(mk({ canaryCookie: { name: 'a b', value: '1' } })).toThrow('Invalid canaryCookie.name "a b": it is not a valid cookie name');
      expect(mk({ canaryCookie: { name: 'a', value: 'x;y' } })).toThrow('Invalid canaryCookie.value "x;y": it is not a valid cookie value');
    });
    test('fails on a mirror percentage outside 0-100', () => expect(mk({ mirrorPercentage: 120 }))
      .toThrow('Invalid http route "canary-split" mirrors[0].percentage 120: a percentage must be between 0 and 100'));
    test('fails on contradicting policies', () => {
      expect(mk({ outlierDetection: { consecutive5xxErrors: 1 }, trafficPolicy: { outlierDetection: { consecutive5xxErrors: 2 } } })).toThrow(/outlierDetection is also given/);
      expect(mk({ serviceName: 'x', service: new kplus.Service(shopChart(), 's', { ports: [{ port: 80 }] }) })).toThrow(/give service or serviceName, not both/);
    });
    test('fails on shiftTo() with an invalid weight', () => {
      const c = mk({})();
      expect(() => c.shiftTo(101)).toThrow('Invalid canaryWeight 101: a weight is a percentage and cannot exceed 100');
    });
    test('fails on an empty version and on sessionAffinity plus a load balancer', () => {
      expect(mk({ stable: { image: 'x', version: '' } })).toThrow('Invalid stable.version "": the version label value is empty');
      const loadBalancer = LoadBalancer.simple(LoadBalancerAlgorithm.RANDOM);
      expect(mk({ sessionAffinity: ConsistentHashKey.sourceIp(), trafficPolicy: { loadBalancer } }))
        .toThrow('Invalid trafficPolicy.loadBalancer "set twice": sessionAffinity also sets the load balancer');
    });
    test('fails on createService: false with a given service', () => {
      const chart = shopChart();
      const svc = new kplus.Service(chart, 's', { ports: [{ port: 80 }] });
      expect(mk({ service: svc, createService: false }, chart)).toThrow('Invalid createService false: a service is given, so nothing would be created anyway');
    });
    test('fails on an invalid port, service name or empty app labels', () => {
      expect(mk({ port: 0 })).toThrow('Invalid port 0: a port is an integer from 1 to 65535');
      expect(mk({ serviceName: 'Catalog' })).toThrow('Invalid serviceName "Catalog": it is not an RFC 1123 DNS label');
      expect(mk({ appLabels: {} })).toThrow('Invalid appLabels {}: the labels common to both versions are empty');
    });
  });
});
