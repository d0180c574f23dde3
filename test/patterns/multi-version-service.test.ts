import { Chart, Duration, Testing } from 'cdk8s';
import {
  CanaryService, ConformanceValidator, HttpMatch, MeshEnrolment, MeshRouting, MeshValidation, MultiVersionService, SecureNamespace, StringMatch,
} from '../../src';

const jason = () => HttpMatch.header('end-user', StringMatch.exact('jason'));
function bookinfo() {
  const chart = new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
  return chart;
}
const of = (chart: Chart, kind: string) => Testing.synth(chart).filter((o: any) => o.kind === kind);

describe('MultiVersionService', () => {
  test('bookinfo reviews v1/v2/v3: one subset per version, jason pinned to v2, the rest to v1 (Istio\'s request-routing task)', () => {
    // GIVEN
    const chart = bookinfo();
    // WHEN
    const reviews = new MultiVersionService(chart, 'reviews', {
      port: 9080,
      versions: [{ version: 'v1' }, { version: 'v2' }, { version: 'v3' }],
      defaultVersion: 'v1',
    });
    reviews.routeVersion({ version: 'v2', match: [jason()] });
    // THEN
    const [dr] = of(chart, 'DestinationRule');
    expect(dr.spec).toEqual({
      host: 'reviews.bookinfo.svc.cluster.local',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
        { name: 'v3', labels: { version: 'v3' } },
      ],
    });
    const [vs] = of(chart, 'VirtualService');
    expect(vs.spec).toEqual({
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      http: [
        { name: 'v2-rule-0', match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' } }] },
        { name: 'default', route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' } }] },
      ],
    });
    expect(of(chart, 'Service')[0].spec.selector).toEqual({ app: 'reviews' });
    expect(reviews.version('v3').toSelectorLabels()).toEqual({ app: 'reviews', version: 'v3' });
    // the route simulator agrees
    expect(MeshRouting.evaluate(chart, { host: 'reviews.bookinfo.svc.cluster.local', headers: { 'end-user': 'jason' } }).destinations.map((d) => d.subset)).toEqual(['v2']);
    expect(MeshRouting.evaluate(chart, { host: 'reviews.bookinfo.svc.cluster.local' }).destinations.map((d) => d.subset)).toEqual(['v1']);
    const v = ConformanceValidator.builtIn();
    for (const o of Testing.synth(chart)) expect(v.validate(o)).toEqual([]);
    expect(MeshValidation.of(chart).validate()).toEqual([]);
  });

  test('weights, then pin(): the default route moves; rules stay first; created Deployments named by version', () => {
    const chart = bookinfo();
    const reviews = new MultiVersionService(chart, 'reviews', {
      port: 9080,
      versions: [{ version: 'v1', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3' },
        { version: 'v2', image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.3' },
        { version: 'v3', image: 'docker.io/istio/examples-bookinfo-reviews-v3:1.20.3', replicas: 2 }],
      weights: { v1: 50, v3: 50 },
      rules: [{ version: 'v2', match: [jason()], name: 'jason' }],
    });
    expect(of(chart, 'VirtualService')[0].spec.http.map((r: any) => [r.name, r.route])).toEqual([
      ['jason', [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' } }]],
      ['default', [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' }, weight: 50 },
        { destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v3' }, weight: 50 }]],
    ]);
    reviews.pin('v3');
    expect(of(chart, 'VirtualService')[0].spec.http[1]).toEqual({ name: 'default', route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v3' } }] });
    const deployments = of(chart, 'Deployment');
    expect(deployments.map((d: any) => [d.metadata.name, d.spec.replicas, d.spec.selector.matchLabels])).toEqual([
      ['reviews-v1', 1, { app: 'reviews', version: 'v1' }],
      ['reviews-v2', 1, { app: 'reviews', version: 'v2' }],
      ['reviews-v3', 2, { app: 'reviews', version: 'v3' }],
    ]);
    expect(reviews.version('v2').workloadIdentity?.toMeshIdentityConfig()).toEqual({ principals: ['cluster.local/ns/bookinfo/sa/reviews'] });
  });

  test('fault injection: a delay for jason on ratings (Istio\'s fault-injection task), an abort on the default route', () => {
    const chart = bookinfo();
    const ratings = new MultiVersionService(chart, 'ratings', {
      port: 9080,
      versions: [{ version: 'v1' }, { version: 'v2' }],
      fault: { abort: { httpStatus: 500, percentage: 10 } },
    });
    ratings.routeVersion({ version: 'v1', match: [jason()], fault: { delay: { fixedDelay: Duration.seconds(7), percentage: 100 } } });
    expect(of(chart, 'VirtualService')[0].spec.http).toEqual([
      {
        name: 'v1-rule-0',
        match: [{ headers: { 'end-user': { exact: 'jason' } } }],
        fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } } },
        route: [{ destination: { host: 'ratings.bookinfo.svc.cluster.local', subset: 'v1' } }],
      },
      {
        name: 'default',
        fault: { abort: { httpStatus: 500, percentage: { value: 10 } } },
        route: [{ destination: { host: 'ratings.bookinfo.svc.cluster.local', subset: 'v1' } }],
      },
    ]);
  });

  test('CanaryService: fault injection on its routes (override and split)', () => {
    const chart = bookinfo();
    new CanaryService(chart, 'ratings', {
      port: 9080,
      stable: { version: 'v1' },
      canary: { version: 'v2' },
      canaryHeader: { name: 'x-canary', value: 'true' },
      fault: { delay: { fixedDelay: Duration.millis(1500), percentage: 50 } },
    });
    const http = of(chart, 'VirtualService')[0].spec.http;
    expect(http.map((r: any) => [r.name, r.fault])).toEqual([
      ['canary-override', { delay: { fixedDelay: '1.5s', percentage: { value: 50 } } }],
      ['canary-split', { delay: { fixedDelay: '1.5s', percentage: { value: 50 } } }],
    ]);
  });

  test('fails on fewer than two versions, versions with the same names, an unknown version, weights with a default, a rule without matches', () => {
    const chart = bookinfo();
    expect(() => new MultiVersionService(chart, 'a', { versions: [{ version: 'v1' }] }))
      .toThrow('Invalid versions [{"version":"v1"}]: a multi-version service has at least two versions');
    expect(() => new MultiVersionService(chart, 'b', { versions: [{ version: 'v1' }, { version: 'V1' }] }))
      .toThrow('Invalid versions[1].version "V1": it gives the same subset and Deployment names as "v1". Fix: give every version its own value');
    expect(() => new MultiVersionService(chart, 'c', { versions: [{ version: 'v1' }, { version: 'v2' }], defaultVersion: 'v4' }))
      .toThrow('Invalid version "v4": c has no such version (it has: v1, v2). Fix: use one of its versions');
    expect(() => new MultiVersionService(chart, 'd', { versions: [{ version: 'v1' }, { version: 'v2' }], defaultVersion: 'v1', weights: { v1: 100 } }))
      .toThrow('Invalid weights {"v1":100}: the default route either pins one version or splits by weight. Fix: give defaultVersion or weights, not both');
    expect(() => new MultiVersionService(chart, 'e', { versions: [{ version: 'v1' }, { version: 'v2' }], weights: { v1: 30, v2: 30 } }))
      .toThrow(/Invalid weights/);
    expect(() => new MultiVersionService(chart, 'f', { versions: [{ version: 'v1', image: 'a:1' }, { version: 'v2' }] }))
      .toThrow('Invalid versions ["v1","v2"]: Deployments are created only when every version gives an image');
    const ok = new MultiVersionService(chart, 'g', { versions: [{ version: 'v1' }, { version: 'v2' }] });
    expect(() => ok.routeVersion({ version: 'v2', match: [] }))
      .toThrow('Invalid match []: a version rule without matches would take every request, and the default route would never apply. Fix: give matches, or pin the default route with pin(version)');
    expect(() => new MultiVersionService(Testing.chart(), 'h', { versions: [{ version: 'v1' }, { version: 'v2' }] }))
      .toThrow('Invalid namespace (undefined): the service needs a namespace to derive its host');
  });
});

describe('MultiVersionService and the namespace\'s data plane', () => {
  const build = (enrolment: MeshEnrolment) => {
    const chart = new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
    const ns = new SecureNamespace(chart, 'ns', { name: 'bookinfo', enrolment });
    new MultiVersionService(chart, 'reviews', { namespace: ns, port: 9080, versions: [{ version: 'v1' }, { version: 'v2' }, { version: 'v3' }], defaultVersion: 'v1' });
    return () => Testing.synth(chart);
  };

  test('fails at synth in an ambient namespace (its routing is VirtualService subsets), naming the Gateway API way', () => {
    expect(build(MeshEnrolment.ambient({ waypoint: true }))).toThrow(
      'Invalid namespace "bookinfo": namespace "bookinfo" runs in ambient mode (SecureNamespace bookinfo/ns), where MultiVersionService\'s VirtualService and subsets are not the supported routing. '
      + 'Fix: route the versions with Gateway API: a CanaryService (routing: TrafficDialect.GATEWAY_API) per release, or a KubernetesHttpRoute with RouteParent.service() over a Service per version');
  });

  test('near miss: in a sidecar namespace (a SecureNamespace object as its namespace) it synthesizes', () => {
    expect(build(MeshEnrolment.sidecarInjection())().filter((d: any) => d.kind === 'VirtualService').map((d: any) => d.metadata.namespace)).toEqual(['bookinfo']);
  });
});
