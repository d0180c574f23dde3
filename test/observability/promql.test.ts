import { Duration } from 'cdk8s';
import { _ServiceQueries, _leMatcher, _promDuration, _promLabelName, _promNumber, _promString } from '../../src/observability/_promql';

describe('PromQL building blocks', () => {
  test('string literals escape backslashes and quotes', () => {
    expect(_promString('v', 'v1')).toEqual('"v1"');
    expect(_promString('v', 'a"b')).toEqual('"a\\"b"');
    expect(_promString('v', 'a\\b')).toEqual('"a\\\\b"');
  });

  test('fails on label values that would break PromQL (newlines, control characters)', () => {
    expect(() => _promString('version', 'v1\n} or vector(1)')).toThrow(
      'Invalid version "v1\\n} or vector(1)": label values with control characters (newlines, tabs) would break the PromQL query they are matched in. Fix: remove the control characters');
    expect(() => _promString('version', 'a\tb')).toThrow('Invalid version "a\\tb": label values with control characters');
  });

  test('fails on label names that are not Prometheus label names', () => {
    expect(() => _promLabelName('extraSelector key', 'k8s-cluster')).toThrow('Invalid extraSelector key "k8s-cluster": it is not a Prometheus label name');
  });

  test('durations in Prometheus form', () => {
    expect(_promDuration('w', Duration.minutes(5))).toEqual('5m');
    expect(_promDuration('w', Duration.hours(6))).toEqual('6h');
    expect(_promDuration('w', Duration.minutes(90))).toEqual('90m');
    expect(_promDuration('w', Duration.days(3))).toEqual('3d');
    expect(_promDuration('w', Duration.seconds(45))).toEqual('45s');
  });

  test('fails on windows that are not valid Prometheus durations', () => {
    expect(() => _promDuration('longWindow', Duration.millis(1500))).toThrow(
      'Invalid longWindow "1 second 500 millis": Prometheus range windows here are whole, positive numbers of seconds. Fix: use e.g. Duration.minutes(5) or Duration.hours(1)');
    expect(() => _promDuration('longWindow', Duration.seconds(0))).toThrow('Invalid longWindow');
  });

  test('numbers without floating point noise; le matches classic and Prometheus 3 renderings', () => {
    expect(_promNumber(14.4 * 0.005)).toEqual('0.072');
    expect(_promNumber(6 * 0.001)).toEqual('0.006');
    expect(_leMatcher(250)).toEqual('le=~"250(\\\\.0)?"');
    expect(_leMatcher(0.5)).toEqual('le="0.5"');
  });

  test('service queries (exact strings)', () => {
    const q = new _ServiceQueries('catalog', 'shop', 'destination', { cluster: 'eu"1' });
    const sel = 'reporter="destination",destination_service_namespace="shop",destination_service_name="catalog",cluster="eu\\"1"';
    expect(q.selector()).toEqual(`{${sel}}`);
    expect(q.requestRate('5m')).toEqual(`sum(rate(istio_requests_total{${sel}}[5m]))`);
    expect(q.requestRate('5m', 'v2', ['source_workload'])).toEqual(`sum by (source_workload) (rate(istio_requests_total{${sel},destination_version="v2"}[5m]))`);
    expect(q.errorRatio('1h')).toEqual(
      `(sum(rate(istio_requests_total{${sel},response_code=~"5.."}[1h])) / sum(rate(istio_requests_total{${sel}}[1h])))`);
    expect(q.successRatio('5m', 'v1')).toEqual(
      `(sum(rate(istio_requests_total{${sel},destination_version="v1",response_code!~"5.."}[5m])) / sum(rate(istio_requests_total{${sel},destination_version="v1"}[5m])))`);
    expect(q.slowRatio('5m', 250)).toEqual(
      `(1 - (sum(rate(istio_request_duration_milliseconds_bucket{${sel},le=~"250(\\\\.0)?"}[5m])) / sum(rate(istio_request_duration_milliseconds_count{${sel}}[5m]))))`);
    expect(q.latencyQuantile(0.99, '5m', undefined, ['destination_version'])).toEqual(
      `histogram_quantile(0.99, sum by (le, destination_version) (rate(istio_request_duration_milliseconds_bucket{${sel}}[5m])))`);
  });
});
