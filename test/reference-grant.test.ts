import { Testing } from 'cdk8s';
import { ReferenceGrant } from '../src';

describe('ReferenceGrant', () => {
  test('renders from/to', () => {
    const chart = Testing.chart();
    new ReferenceGrant(chart, 'g', {
      metadata: { name: 'edge-to-shop', namespace: 'shop' },
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'istio-ingress' }],
      to: [{ group: '', kind: 'Service' }],
    });
    const [obj] = Testing.synth(chart);
    expect(obj).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'ReferenceGrant',
      metadata: { name: 'edge-to-shop', namespace: 'shop' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'istio-ingress' }], to: [{ group: '', kind: 'Service' }] },
    });
  });

  test('fails without from or to', () => {
    expect(() => new ReferenceGrant(Testing.chart(), 'g', { from: [], to: [{ group: '', kind: 'Service' }] }))
      .toThrow('a ReferenceGrant needs at least one entry in both from and to');
  });

  test('fails on invalid namespaces, groups and names', () => {
    const c = Testing.chart();
    expect(() => new ReferenceGrant(c, 'a', { from: [{ group: 'x', kind: 'HTTPRoute', namespace: 'Bad' }], to: [{ group: '', kind: 'Service' }] }))
      .toThrow('Invalid from.namespace "Bad"');
    expect(() => new ReferenceGrant(c, 'b', { from: [{ group: 'Bad_Group', kind: 'HTTPRoute', namespace: 'a' }], to: [{ group: '', kind: 'Service' }] }))
      .toThrow('Invalid from.group "Bad_Group"');
    expect(() => new ReferenceGrant(c, 'c', { from: [{ group: '', kind: 'Gateway', namespace: 'a' }], to: [{ group: '', kind: 'Secret', name: 'Bad' }] }))
      .toThrow('Invalid to.name "Bad"');
  });
});
