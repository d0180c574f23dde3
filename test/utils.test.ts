import { Duration } from 'cdk8s';
import { _renderDuration, _suggestName, _undefinedIfEmpty, _sortedRecord, _validatePort } from '../src/_utils';

describe('internal helpers', () => {
  test('_validatePort accepts 1..65535 and fails anything else, naming the prop and the fix', () => {
    expect([1, 8080, 65535].map((p) => _validatePort('port', p))).toEqual([1, 8080, 65535]);
    for (const bad of [0, -1, 65536, 80.5, NaN, '80' as any]) {
      expect(() => _validatePort('ports[0].number', bad, 'use e.g. 443')).toThrow(
        `Invalid ports[0].number ${JSON.stringify(bad)}: a port is an integer from 1 to 65535. Fix: use e.g. 443`);
    }
    expect(() => _validatePort('port', 0)).toThrow('Invalid port 0: a port is an integer from 1 to 65535. Fix: use e.g. 8080');
  });

  test('durations render in protobuf JSON form', () => {
    expect(_renderDuration('timeout', Duration.seconds(10))).toEqual('10s');
    expect(_renderDuration('timeout', Duration.millis(250))).toEqual('0.25s');
    expect(_renderDuration('timeout', Duration.millis(1))).toEqual('0.001s');
    expect(_renderDuration('timeout', Duration.millis(1500))).toEqual('1.5s');
    expect(_renderDuration('timeout', Duration.minutes(5))).toEqual('300s');
  });

  test('fails on durations below the minimum', () => {
    expect(() => _renderDuration('retries.perTryTimeout', Duration.millis(0)))
      .toThrow('Invalid retries.perTryTimeout "0 millis": it is shorter than 1ms, which Istio rejects. Fix: use at least Duration.millis(1)');
  });

  test('fails on fractional milliseconds', () => {
    expect(() => _renderDuration('timeout', Duration.millis(1.5))).toThrow('Invalid timeout "1.5 millis": it is not a whole number of milliseconds');
  });

  test('suggested names are DNS labels', () => {
    expect(_suggestName('1.2.0')).toEqual('1-2-0');
    expect(_suggestName('Frontend_Egress')).toEqual('frontend-egress');
    expect(_suggestName('***')).toEqual('name');
  });

  test('empty collections become undefined; maps are sorted', () => {
    expect(_undefinedIfEmpty([])).toBeUndefined();
    expect(_undefinedIfEmpty({})).toBeUndefined();
    expect(_undefinedIfEmpty([1])).toEqual([1]);
    expect(Object.keys(_sortedRecord({ b: '1', a: '2' })!)).toEqual(['a', 'b']);
    expect(_sortedRecord({})).toBeUndefined();
  });
});
