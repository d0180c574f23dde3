import { Duration, Testing } from 'cdk8s';
import { IstioRecordingRules } from '../../src';

describe('IstioRecordingRules', () => {
  test('default: per service/version aggregates of requests and latency (exact PromQL, snapshot)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new IstioRecordingRules(chart, 'rules');
    // THEN
    const [rule] = Testing.synth(chart);
    expect(rule.metadata).toEqual({ name: 'istio-recording-rules', namespace: 'istio-system' });
    expect(rule.spec.groups[0].rules).toEqual([
      {
        record: 'namespace_service_version:istio_requests:rate5m',
        expr: 'sum by (reporter, destination_service_namespace, destination_service_name, destination_version, response_code) (rate(istio_requests_total[5m]))',
      },
      {
        record: 'namespace_service_source:istio_requests:rate5m',
        expr: 'sum by (reporter, destination_service_namespace, destination_service_name, source_workload_namespace, source_workload, response_code) (rate(istio_requests_total[5m]))',
      },
      {
        record: 'namespace_service_version:istio_request_duration_milliseconds_bucket:rate5m',
        expr: 'sum by (reporter, destination_service_namespace, destination_service_name, destination_version, le) (rate(istio_request_duration_milliseconds_bucket[5m]))',
      },
      {
        record: 'namespace_service_version:istio_request_duration_milliseconds_count:rate5m',
        expr: 'sum by (reporter, destination_service_namespace, destination_service_name, destination_version) (rate(istio_request_duration_milliseconds_count[5m]))',
      },
    ]);
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('window and metadata', () => {
    const chart = Testing.chart();
    new IstioRecordingRules(chart, 'rules', { window: Duration.minutes(1), metadata: { name: 'mesh-rules', namespace: 'monitoring' } });
    const [rule] = Testing.synth(chart);
    expect(rule.metadata).toEqual({ name: 'mesh-rules', namespace: 'monitoring' });
    expect(rule.spec.groups[0].rules[0].record).toEqual('namespace_service_version:istio_requests:rate1m');
  });

  test('fails on an invalid window', () => {
    expect(() => new IstioRecordingRules(Testing.chart(), 'r', { window: Duration.millis(100) })).toThrow('Invalid window "100 millis"');
  });
});
