import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ServiceHost } from '../src';

describe('ServiceHost', () => {
  test('fromService renders the Service FQDN', () => {
    // GIVEN
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'catalog', { metadata: { name: 'catalog', namespace: 'shop' }, ports: [{ port: 8080 }] });
    // WHEN
    const host = ServiceHost.fromService(svc);
    // THEN
    expect(host.fqdn).toEqual('catalog.shop.svc.cluster.local');
    expect(host.toMeshDestination()).toEqual({ host: 'catalog.shop.svc.cluster.local' });
    expect(host.serviceName).toEqual('catalog');
    expect(host.serviceNamespace).toEqual('shop');
    expect(host.isExternal).toBe(false);
  });

  test('fromService takes the chart namespace and a custom cluster domain', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'catalog' }, ports: [{ port: 80 }] });
    expect(ServiceHost.fromService(svc, { clusterDomain: 'prod.internal' }).fqdn).toEqual('catalog.shop.svc.prod.internal');
  });

  test('of() renders name.namespace.svc.cluster.local', () => {
    expect(ServiceHost.of('reviews', 'bookinfo').toString()).toEqual('reviews.bookinfo.svc.cluster.local');
  });

  test('external() accepts FQDNs and a leading wildcard label', () => {
    expect(ServiceHost.external('api.stripe.com').fqdn).toEqual('api.stripe.com');
    expect(ServiceHost.external('*.googleapis.com').isExternal).toBe(true);
  });

  test('fails on a Service without namespace', () => {
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'catalog' }, ports: [{ port: 80 }] });
    expect(() => ServiceHost.fromService(svc))
      .toThrow('Invalid service "test/svc (catalog)": it has no namespace, so its FQDN cannot be derived. Fix: set metadata.namespace on the Service (or a namespace on its Chart), or use ServiceHost.of(name, namespace)');
  });

  test('fails on an empty host', () => {
    expect(() => ServiceHost.external('')).toThrow('Invalid fqdn "": the host is empty. Fix: give a fully qualified name such as "api.example.com"');
    expect(() => ServiceHost.external('  ')).toThrow('Invalid fqdn "  ": the host is empty');
  });

  test('fails on a short (non-FQDN) external host', () => {
    expect(() => ServiceHost.external('stripe'))
      .toThrow('Invalid fqdn "stripe": a short name is resolved relative to the namespace of the resource using it, which is rarely what was meant. Fix: give a fully qualified name');
  });

  test('fails on a partial wildcard', () => {
    expect(() => ServiceHost.external('api*.example.com')).toThrow('Invalid fqdn "api*.example.com": only a whole leading "*." label may be a wildcard');
    expect(() => ServiceHost.external('api.*.example.com')).toThrow('only a whole leading "*." label may be a wildcard');
  });

  test('fails on invalid DNS labels and overlong names', () => {
    expect(() => ServiceHost.external('api..example.com')).toThrow('Invalid fqdn "api..example.com": "" is not a valid DNS label');
    expect(() => ServiceHost.external('-api.example.com')).toThrow('"-api" is not a valid DNS label');
    expect(() => ServiceHost.external(`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(10)}.com`)).toThrow('a DNS name has at most 253 characters');
  });

  test('fails on an invalid service name, namespace or cluster domain', () => {
    expect(() => ServiceHost.of('Catalog', 'shop')).toThrow('Invalid name "Catalog": it is not an RFC 1123 DNS label');
    expect(() => ServiceHost.of('catalog', 'shop_1')).toThrow('Invalid namespace "shop_1": it is not an RFC 1123 DNS label');
    expect(() => ServiceHost.of('catalog', 'shop', { clusterDomain: '*.local' })).toThrow('Invalid clusterDomain "*.local": wildcards are not allowed here');
  });
});
