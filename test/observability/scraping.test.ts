import { Duration, Testing } from 'cdk8s';
import { IstioMetricsScraping } from '../../src';

describe('IstioMetricsScraping', () => {
  test('default: Istio\'s documented PodMonitor and ServiceMonitor in istio-system (snapshot)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const s = new IstioMetricsScraping(chart, 'scraping');
    // THEN
    const [pm, sm] = Testing.synth(chart);
    expect(s.podMonitor).toBeDefined();
    expect(pm.kind).toEqual('PodMonitor');
    expect(pm.metadata).toEqual({ name: 'envoy-stats-monitor', namespace: 'istio-system', labels: { monitoring: 'istio-proxies', release: 'istio' } });
    expect(pm.spec.podMetricsEndpoints[0].relabelings[2]).toEqual({
      action: 'replace',
      sourceLabels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
      regex: '([^:]+)(?::\\d+)?;(\\d+)',
      replacement: '$1:$2',
      targetLabel: '__address__',
    });
    expect(sm.kind).toEqual('ServiceMonitor');
    expect(sm.spec).toEqual({
      endpoints: [{ interval: '15s', port: 'http-monitoring' }],
      jobLabel: 'istio',
      namespaceSelector: { any: true },
      selector: { matchExpressions: [{ key: 'istio', operator: 'In', values: ['pilot'] }] },
      targetLabels: ['app'],
    });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('labels for the Prometheus selector, interval, namespace; each monitor can be switched off', () => {
    const chart = Testing.chart();
    new IstioMetricsScraping(chart, 'scraping', { namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' }, interval: Duration.seconds(30), istiod: false });
    const objs = Testing.synth(chart);
    expect(objs).toHaveLength(1);
    expect(objs[0].metadata).toEqual({ name: 'envoy-stats-monitor', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
    expect(objs[0].spec.podMetricsEndpoints[0].interval).toEqual('30s');
    const chart2 = Testing.chart();
    new IstioMetricsScraping(chart2, 'scraping', { sidecars: false });
    expect(Testing.synth(chart2).map((o) => o.kind)).toEqual(['ServiceMonitor']);
  });

  test('fails on invalid labels or interval', () => {
    expect(() => new IstioMetricsScraping(Testing.chart(), 's', { labels: { release: 'a b' } })).toThrow('Invalid labels["release"] "a b"');
    expect(() => new IstioMetricsScraping(Testing.chart(), 's', { interval: Duration.millis(500) })).toThrow('Invalid interval "500 millis"');
  });
});
