import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryService, GatewayTls, MeshGateway, NamespaceRef, SecureNamespace } from '../src';

describe('NamespaceRef: namespaces as objects', () => {
  test('a SecureNamespace, a Namespace object of the app, or a name for one managed elsewhere', () => {
    const chart = new Chart(Testing.app(), 'c');
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    const ingress = new kplus.Namespace(chart, 'ingress', { metadata: { name: 'istio-ingress' } });
    const plain = new ApiObject(chart, 'plain', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments' } });
    expect(shop.namespaceName).toEqual('shop');
    expect(NamespaceRef.fromNamespace(ingress).namespaceName).toEqual('istio-ingress');
    expect(NamespaceRef.fromNamespace(plain).namespaceName).toEqual('payments');
    expect(NamespaceRef.named('edge').toString()).toEqual('edge');
  });

  test('CanaryService and MeshGateway place their objects in the namespace given as an object', () => {
    const chart = new Chart(Testing.app(), 'c');
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { namespace: shop, port: 8080, stable: { version: 'v1' }, canary: { version: 'v2' }, canaryWeight: 10 });
    const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'cert' }) });
    edge.expose('shop.example.com', catalog);
    shop.allow(edge.identity).to(catalog);
    const out = Testing.synth(chart);
    expect(catalog.workloadNamespace).toEqual('shop');
    expect(edge.namespace).toEqual('istio-ingress');
    expect(out.filter((o: any) => o.kind === 'VirtualService').map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`).sort())
      .toEqual(['istio-ingress/edge-shop-example-com', 'shop/catalog']);
  });

  test('fails: a plain string (the type these props had before; JavaScript callers), a ConfigMap, a bad name', () => {
    const chart = new Chart(Testing.app(), 'c');
    expect(() => new MeshGateway(chart, 'edge', { namespace: 'istio-ingress' as any, plaintext: true })).toThrow(
      'Invalid namespace "istio-ingress": a namespace is given as an object (a SecureNamespace, a Namespace, or a reference by name), not a string. '
      + 'Fix: pass the SecureNamespace, NamespaceRef.fromNamespace(namespace), or NamespaceRef.named("istio-ingress")');
    expect(() => new CanaryService(chart, 'catalog', { namespace: 'shop' as any, stable: { version: 'v1' } })).toThrow(/Invalid namespace "shop": a namespace is given as an object/);
    expect(() => new CanaryService(chart, 'other', { namespace: {} as any, stable: { version: 'v1' } })).toThrow(/Invalid namespace \{\}: it is not an INamespaceRef/);
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(() => NamespaceRef.fromNamespace(cm)).toThrow(/Invalid namespace "c\/cm \(a ConfigMap\)": it is not a Namespace/);
    expect(() => NamespaceRef.named('Istio_Ingress')).toThrow(/Invalid namespace "Istio_Ingress": it is not an RFC 1123 DNS label/);
  });
});
