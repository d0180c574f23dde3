import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PolicyTargetRef } from '../src';

describe('PolicyTargetRef', () => {
  test('renders group, kind and name of each target kind', () => {
    // GIVEN
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'catalog' }, ports: [{ port: 80 }] });
    // WHEN
    const refs = [PolicyTargetRef.fromService(svc), PolicyTargetRef.serviceEntry('stripe'), PolicyTargetRef.gateway('waypoint'), PolicyTargetRef.gatewayClass('istio')];
    // THEN
    expect(refs.map((r) => [r.group, r.kind, r.name])).toEqual([
      ['', 'Service', 'catalog'],
      ['networking.istio.io', 'ServiceEntry', 'stripe'],
      ['gateway.networking.k8s.io', 'Gateway', 'waypoint'],
      ['gateway.networking.k8s.io', 'GatewayClass', 'istio'],
    ]);
    expect(refs.map(String)).toEqual(['Service/catalog', 'networking.istio.io/ServiceEntry/stripe', 'gateway.networking.k8s.io/Gateway/waypoint', 'gateway.networking.k8s.io/GatewayClass/istio']);
  });

  test('fails invalid names', () => {
    expect(() => PolicyTargetRef.service('Catalog')).toThrow(/Invalid name "Catalog": it is not an RFC 1123 DNS label/);
    expect(() => PolicyTargetRef.gatewayClass('')).toThrow(/Invalid name "": it is empty/);
  });
});
