import { Chart, Testing } from 'cdk8s';
import { GatewayBinding, ServiceHost, VirtualService } from '../src';

describe('GatewayBinding: only explicitly external gateways may be absent', () => {
  const build = (binding: GatewayBinding) => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new VirtualService(chart, 'vs', { hosts: ['shop.example.com'], gateways: [binding], http: [{ destinations: [{ destination: ServiceHost.inNamespace('shop', 'catalog') }] }] });
    return () => Testing.synth(chart);
  };

  test('fails at synth on of() naming a gateway the app does not define (IST0101)', () => {
    expect(build(GatewayBinding.of('istio-ingress', 'edge'))).toThrow(
      /shop\/vs: \[IST0101\] VirtualService\/shop\/shop-vs-\w+: spec.gateways\[0\]: Referenced gateway "istio-ingress\/edge" not found: no Gateway of that name is defined\. Fix: define it, fix the reference, or declare it/);
  });

  test('external() declares the gateway, so its absence is expected', () => {
    expect(build(GatewayBinding.external('istio-ingress', 'edge'))()[0].spec.gateways).toEqual(['istio-ingress/edge']);
    expect(GatewayBinding.external('istio-ingress', 'edge').isExternal).toBe(true);
    expect(GatewayBinding.of('istio-ingress', 'edge').isExternal).toBe(false);
  });

  test('fails on the reserved name mesh in external() too', () => {
    expect(() => GatewayBinding.external('istio-ingress', 'mesh')).toThrow('Invalid name "mesh": "mesh" is the reserved name of the mesh gateway. Fix: use GatewayBinding.mesh()');
  });
});
