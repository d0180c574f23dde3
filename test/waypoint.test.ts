import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import { Waypoint, WaypointTrafficType } from '../src';

describe('Waypoint', () => {
  test('renders a Gateway of class istio-waypoint with the HBONE listener', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const wp = new Waypoint(chart, 'wp', { metadata: { name: 'waypoint', namespace: 'shop' } });
    // THEN
    const manifest = Testing.synth(chart);
    expect(manifest).toEqual([{
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    }]);
    expect(String(wp.toTargetRef())).toEqual('gateway.networking.k8s.io/Gateway/waypoint');
  });

  test('traffic type and escape hatch', () => {
    const chart = Testing.chart();
    const wp = new Waypoint(chart, 'wp', { trafficType: WaypointTrafficType.WORKLOAD });
    ApiObject.of(wp).addJsonPatch(JsonPatch.add('/spec/infrastructure', { labels: { team: 'shop' } }));
    const [gw] = Testing.synth(chart);
    expect(gw.metadata.labels).toEqual({ 'istio.io/waypoint-for': 'workload' });
    expect(gw.spec.infrastructure).toEqual({ labels: { team: 'shop' } });
  });

  test('fails an unknown traffic type', () => {
    expect(() => new Waypoint(Testing.chart(), 'wp', { trafficType: 'pods' as WaypointTrafficType })).toThrow(/Invalid trafficType "pods": it is not a waypoint traffic type/);
  });
});
