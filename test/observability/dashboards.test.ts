import { createHash } from 'crypto';
import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { CanaryDashboard, MeshDashboard, MetricsReporter, MonitoringTarget, ServiceDashboard } from '../../src';
import { _fromTemplate, _sortDeep } from '../../src/observability/dashboards';

const CATALOG = MonitoringTarget.inNamespace('shop', 'catalog');
const SEL = 'reporter="destination",destination_service_namespace="shop",destination_service_name="catalog"';

function dashboardJson(obj: any): any {
  return JSON.parse(Object.values(obj.data)[0] as string);
}

function targets(d: any): Array<[string, string, string, string]> {
  return d.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => [p.title, t.refId, t.legendFormat, t.expr]));
}

describe('ServiceDashboard', () => {
  test('default: a ConfigMap labelled grafana_dashboard in the service namespace (snapshot)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const d = new ServiceDashboard(chart, 'dash', { target: CATALOG });
    // THEN
    const [cm] = Testing.synth(chart);
    expect(cm.kind).toEqual('ConfigMap');
    expect(cm.metadata).toEqual({ name: 'catalog-shop-service-dashboard', namespace: 'shop', labels: { grafana_dashboard: '1' } });
    expect(Object.keys(cm.data)).toEqual(['catalog-shop-service.json']);
    expect(d.uid).toEqual('istio-' + createHash('sha256').update('catalog-shop-service').digest('hex').slice(0, 16));
    const json = dashboardJson(cm);
    expect(json.uid).toEqual(d.uid);
    expect(json.title).toEqual('Istio service catalog.shop');
    expect(json.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('panels: request rate, success %, p50/p90/p99, by source workload (exact queries, ids and refIds set)', () => {
    const chart = Testing.chart();
    new ServiceDashboard(chart, 'dash', { target: CATALOG });
    const json = dashboardJson(Testing.synth(chart)[0]);
    expect(json.panels.map((p: any) => [p.id, p.type, p.title])).toEqual([
      [1, 'stat', 'Request rate'],
      [2, 'stat', 'Success rate'],
      [3, 'stat', 'p99 latency'],
      [4, 'timeseries', 'Request rate by response code'],
      [5, 'timeseries', 'Success rate'],
      [6, 'timeseries', 'Latency p50 / p90 / p99'],
      [7, 'timeseries', 'Requests by source workload'],
    ]);
    const hq = (q: string) => `histogram_quantile(${q}, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${SEL}}[$__rate_interval])))`;
    expect(targets(json).filter(([title]) => title === 'Latency p50 / p90 / p99')).toEqual([
      ['Latency p50 / p90 / p99', 'A', 'p50', hq('0.5')],
      ['Latency p50 / p90 / p99', 'B', 'p90', hq('0.9')],
      ['Latency p50 / p90 / p99', 'C', 'p99', hq('0.99')],
    ]);
    expect(targets(json).find(([title]) => title === 'Requests by source workload')).toEqual([
      'Requests by source workload', 'A', '{{source_workload}}.{{source_workload_namespace}}',
      `sum by (source_workload_namespace, source_workload) (rate(istio_requests_total{${SEL}}[$__rate_interval]))`,
    ]);
    for (const p of json.panels) expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    expect(json.panels[3].options.legend).toMatchObject({ showLegend: true });
  });

  test('deterministic: same input, byte-identical JSON with sorted keys', () => {
    const render = () => {
      const chart = Testing.chart();
      new ServiceDashboard(chart, 'dash', { target: CATALOG });
      return Testing.synth(chart)[0].data['catalog-shop-service.json'];
    };
    const a = render();
    expect(render()).toEqual(a);
    const json = JSON.parse(a);
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
    expect(Object.keys(json.panels[0])).toEqual([...Object.keys(json.panels[0])].sort());
  });

  test('namespace, folder annotation and the ambient reporter', () => {
    const chart = Testing.chart();
    new ServiceDashboard(chart, 'dash', { target: CATALOG, namespace: 'monitoring', folder: 'Istio', reporter: MetricsReporter.WAYPOINT });
    const [cm] = Testing.synth(chart);
    expect(cm.metadata.namespace).toEqual('monitoring');
    expect(cm.metadata.annotations).toEqual({ grafana_folder: 'Istio' });
    expect(targets(dashboardJson(cm))[0][3]).toContain('reporter="waypoint"');
  });

  test('escape hatch: ApiObject.of(dashboard)', () => {
    const chart = Testing.chart();
    const d = new ServiceDashboard(chart, 'dash', { target: CATALOG });
    ApiObject.of(d).addJsonPatch(JsonPatch.add('/metadata/labels/team', 'storefront'));
    expect(Testing.synth(chart)[0].metadata.labels).toEqual({ grafana_dashboard: '1', team: 'storefront' });
  });

  test('fails on a multi-line folder', () => {
    expect(() => new ServiceDashboard(Testing.chart(), 'd', { target: CATALOG, folder: 'a\nb' })).toThrow('Invalid folder "a\\nb": a Grafana folder name is one non-empty line');
  });
});

describe('CanaryDashboard', () => {
  test('stable vs canary side by side, with the current weights as a text panel read at synth (snapshot)', () => {
    // GIVEN
    const chart = Testing.chart();
    let canaryWeight = 10;
    const target = {
      toMonitoringTarget: () => ({ serviceName: 'catalog', namespace: 'shop', canary: { stableVersion: 'v1', canaryVersion: 'v2', stableWeight: 100 - canaryWeight, canaryWeight } }),
    };
    // WHEN
    new CanaryDashboard(chart, 'dash', { target });
    canaryWeight = 25; // shifted after construction
    // THEN
    const [cm] = Testing.synth(chart);
    expect(cm.metadata.name).toEqual('catalog-shop-canary-dashboard');
    const json = dashboardJson(cm);
    expect(json.panels[0]).toMatchObject({ type: 'text', title: 'Traffic split' });
    expect(json.panels[0].options.content).toEqual('| | version | weight |\n|---|---|---|\n| stable | `v1` | **75%** |\n| canary | `v2` | **25%** |');
    const v = (ver: string) => `${SEL},destination_version="${ver}"`;
    expect(targets(json).filter(([t]) => t === 'Request rate by version')).toEqual([
      ['Request rate by version', 'A', 'stable (v1)', `sum(rate(istio_requests_total{${v('v1')}}[$__rate_interval]))`],
      ['Request rate by version', 'B', 'canary (v2)', `sum(rate(istio_requests_total{${v('v2')}}[$__rate_interval]))`],
    ]);
    expect(json.panels.map((p: any) => p.title)).toEqual([
      'Traffic split', 'Success rate: stable vs canary', 'p99 latency: stable vs canary',
      'Request rate by version', 'Success rate by version', 'p99 latency by version',
    ]);
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('fails on a target that is not a canary', () => {
    expect(() => new CanaryDashboard(Testing.chart(), 'd', { target: CATALOG })).toThrow(
      'Invalid target "catalog.shop": it is not a canary (toMonitoringTarget() returns no `canary`). Fix: use ServiceDashboard, or pass a canary target');
  });

  test('fails synth when the target later reports invalid weights', () => {
    const chart = Testing.chart();
    let w = 10;
    const target = { toMonitoringTarget: () => ({ serviceName: 'catalog', namespace: 'shop', canary: { stableVersion: 'v1', canaryVersion: 'v2', stableWeight: 100 - w, canaryWeight: w } }) };
    new CanaryDashboard(chart, 'd', { target });
    w = 150;
    expect(() => Testing.synth(chart)).toThrow('Invalid target.canary.stableWeight -50: a weight is between 0 and 100');
  });
});

describe('MeshDashboard', () => {
  test('default: mesh-wide rate, success and p99 by service in istio-system (snapshot)', () => {
    const chart = Testing.chart();
    new MeshDashboard(chart, 'mesh');
    const [cm] = Testing.synth(chart);
    expect(cm.metadata).toEqual({ name: 'istio-mesh-overview-dashboard', namespace: 'istio-system', labels: { grafana_dashboard: '1' } });
    const json = dashboardJson(cm);
    expect(targets(json).find(([t]) => t === 'Request rate by service')).toEqual([
      'Request rate by service', 'A', '{{destination_service_name}}.{{destination_service_namespace}}',
      'sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="destination"}[$__rate_interval]))',
    ]);
    expect(targets(json).find(([t]) => t === 'Mesh success rate')![3]).toEqual(
      'sum(rate(istio_requests_total{reporter="destination",response_code!~"5.."}[$__rate_interval])) / sum(rate(istio_requests_total{reporter="destination"}[$__rate_interval]))');
    expect(Testing.synth(chart)).toMatchSnapshot();
  });
});

describe('templates (one build per dashboard class and shape, values filled in)', () => {
  // the JSON a dashboard would have without its class's template: built directly for its own values
  const direct = (d: any) => JSON.stringify(_sortDeep(d._build(d._params())), undefined, 2);
  const canary = (service: string, namespace: string, stableVersion: string, canaryVersion: string, canaryWeight: number) => ({
    toMonitoringTarget: () => ({
      serviceName: service, namespace, canary: { stableVersion, canaryVersion, stableWeight: 100 - canaryWeight, canaryWeight },
    }),
  });

  test('dashboards of one class differ exactly by their values: same JSON as a direct build', () => {
    const chart = Testing.chart();
    const dashboards = [
      new ServiceDashboard(chart, 's1', { target: CATALOG }),
      new ServiceDashboard(chart, 's2', { target: MonitoringTarget.inNamespace('book-info', 'reviews-v2') }),
      new ServiceDashboard(chart, 's3', { target: CATALOG, reporter: MetricsReporter.WAYPOINT }),
      new CanaryDashboard(chart, 'c1', { target: canary('catalog', 'shop', 'v1', 'v2', 10) }),
      new CanaryDashboard(chart, 'c2', { target: canary('cart', 'shop', '1.2.0', '1.3.0-rc_1', 35) }),
      new MeshDashboard(chart, 'm'),
    ];
    for (const d of dashboards) expect(d.toJsonString()).toEqual(direct(d));
    // exact fields a template could get wrong: each dashboard shows its own names, versions and weights
    const [, s2, s3, , c2] = dashboards.map((d) => JSON.parse(d.toJsonString()));
    expect([s2.title, s2.uid]).toEqual(['Istio service reviews-v2.book-info', dashboards[1].uid]);
    expect(targets(s2)[0][3]).toEqual(
      'sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="book-info",destination_service_name="reviews-v2"}[$__rate_interval]))');
    expect(targets(s3)[0][3]).toContain('{reporter="waypoint",');
    expect(c2.panels[0].options.content).toEqual('| | version | weight |\n|---|---|---|\n| stable | `1.2.0` | **65%** |\n| canary | `1.3.0-rc_1` | **35%** |');
    expect(targets(c2).find(([t]) => t === 'Request rate by version')![2]).toEqual('stable (1.2.0)');
  });

  test('a value an escaping would change renders without the template, still escaped', () => {
    const chart = Testing.chart();
    new CanaryDashboard(chart, 'plain', { target: canary('catalog', 'shop', 'v1', 'v2', 10) });
    const odd = new CanaryDashboard(chart, 'odd', { target: canary('cart', 'shop', 'v1|"x"', 'v2`', 10) });
    expect(odd.toJsonString()).toEqual(direct(odd));
    const json = JSON.parse(odd.toJsonString());
    expect(json.panels[0].options.content).toContain('| stable | `v1\\|"x"` | **90%** |\n| canary | `v2\\`` |');
    expect(targets(json).find(([t]) => t === 'Request rate by version')![3]).toContain('destination_version="v1|\\"x\\""');
  });

  test('_fromTemplate fills each token in one pass (a value is never read as a token)', () => {
    let builds = 0;
    const render = (p: { [k: string]: string }) => {
      builds++;
      return `{"a": "${p.a}", "b": "${p.b}-${p.a}"}`;
    };
    class Shape {}
    expect(_fromTemplate(Shape, 'x', { a: 'one', b: 'two' }, render)).toEqual('{"a": "one", "b": "two-one"}');
    expect(_fromTemplate(Shape, 'x', { a: 'three', b: '4.5' }, render)).toEqual('{"a": "three", "b": "4.5-three"}');
    expect(builds).toEqual(1);
    expect(_fromTemplate(Shape, 'y', { a: 'one', b: 'two' }, render)).toEqual('{"a": "one", "b": "two-one"}');
    expect(builds).toEqual(2); // another shape, another template
    expect(_fromTemplate(Shape, 'x', { a: '@@b@@', b: 'two' }, render)).toEqual('{"a": "@@b@@", "b": "two-@@b@@"}');
    expect(builds).toEqual(3); // not template-safe: rendered directly
  });
});
