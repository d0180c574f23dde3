import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MeshIdentity, NamespaceRef } from '../src';

describe('MeshIdentity', () => {
  test('fromServiceAccount derives the principal from the ServiceAccount object', () => {
    // GIVEN
    const chart = Testing.chart();
    const sa = new kplus.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend', namespace: 'shop' } });
    // WHEN
    const id = MeshIdentity.fromServiceAccount(sa);
    // THEN
    expect(id.principal).toEqual('cluster.local/ns/shop/sa/frontend');
    expect(id.toMeshIdentityConfig()).toEqual({ principals: ['cluster.local/ns/shop/sa/frontend'], namespaces: undefined });
    expect(id.identityNamespace).toEqual('shop');
    expect(id.serviceAccountName).toEqual('frontend');
    expect(id.identityKey).toEqual('shop-frontend');
  });

  test('fromServiceAccount uses the chart namespace and a configurable trust domain', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const sa = new kplus.ServiceAccount(chart, 'sa');
    // WHEN
    const id = MeshIdentity.fromServiceAccount(sa, { trustDomain: 'prod.acme.com' });
    // THEN
    expect(id.principal).toEqual(`prod.acme.com/ns/shop/sa/${sa.name}`);
  });

  test('fromServiceAccount accepts a ServiceAccount imported by name', () => {
    const chart = Testing.chart();
    const sa = kplus.ServiceAccount.fromServiceAccountName(chart, 'imported', 'billing', { namespaceName: 'payments' });
    expect(MeshIdentity.fromServiceAccount(sa).principal).toEqual('cluster.local/ns/payments/sa/billing');
  });

  test('fromWorkload uses the workload service account, or "default" when it sets none', () => {
    // GIVEN
    const chart = Testing.chart();
    const sa = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'catalog', namespace: 'shop' } });
    const withSa = new kplus.Deployment(chart, 'with', { metadata: { namespace: 'shop' }, serviceAccount: sa, containers: [{ image: 'nginx:1.27' }] });
    const withoutSa = new kplus.Deployment(chart, 'without', { metadata: { namespace: 'shop' }, containers: [{ image: 'nginx:1.27' }] });
    // THEN
    expect(MeshIdentity.fromWorkload(withSa).principal).toEqual('cluster.local/ns/shop/sa/catalog');
    expect(MeshIdentity.fromWorkload(withoutSa).principal).toEqual('cluster.local/ns/shop/sa/default');
  });

  test('namespace() renders a namespaces source', () => {
    const id = MeshIdentity.namespace(NamespaceRef.named('monitoring'));
    expect(id.toMeshIdentityConfig()).toEqual({ principals: undefined, namespaces: ['monitoring'] });
    expect(id.principal).toBeUndefined();
    expect(id.toString()).toEqual('namespace monitoring');
    expect(id.identityKey).toEqual('ns-monitoring');
  });

  test('toMeshIdentityConfig returns copies, so callers cannot mutate the identity', () => {
    const id = MeshIdentity.of('shop', 'frontend');
    id.toMeshIdentityConfig().principals!.push('x');
    expect(id.toMeshIdentityConfig().principals).toEqual(['cluster.local/ns/shop/sa/frontend']);
  });

  test('fails on a ServiceAccount without namespace', () => {
    const chart = Testing.chart();
    const sa = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'frontend' } });
    expect(() => MeshIdentity.fromServiceAccount(sa))
      .toThrow('Invalid serviceAccount "test/sa (frontend)": it has no namespace, so its principal cannot be derived. Fix: set metadata.namespace on the ServiceAccount (or a namespace on its Chart), or use MeshIdentity.of(namespace, name)');
  });

  test('fails on a workload without namespace', () => {
    const chart = Testing.chart();
    const d = new kplus.Deployment(chart, 'd', { containers: [{ image: 'nginx:1.27' }] });
    expect(() => MeshIdentity.fromWorkload(d)).toThrow(/^Invalid workload "test\/d \(test-d-\w+\)": it has no namespace, so its principal cannot be derived\. Fix: set metadata.namespace on the Deployment \(or a namespace on its Chart\), or use MeshIdentity.of\(namespace, name\)$/);
  });

  test('fails on a wildcard service account', () => {
    expect(() => MeshIdentity.of('shop', '*'))
      .toThrow('Invalid serviceAccountName "*": wildcards are not allowed in a service account identity. Fix: name one service account, or allow the whole namespace with MeshIdentity.namespace(NamespaceRef.named("shop"))');
  });

  test('fails on a service account name that is not an RFC 1123 subdomain', () => {
    expect(() => MeshIdentity.of('shop', 'Front_End')).toThrow('Invalid serviceAccountName "Front_End": it is not an RFC 1123 DNS subdomain');
  });

  test('fails on an invalid namespace', () => {
    expect(() => MeshIdentity.of('Shop', 'frontend')).toThrow('Invalid namespace "Shop": it is not an RFC 1123 DNS label');
    expect(() => MeshIdentity.namespace({ namespaceName: '' })).toThrow('Invalid namespace "": it is empty');
    // the string namespace() took before: the message names the object to pass
    expect(() => MeshIdentity.namespace('ops' as unknown as NamespaceRef)).toThrow(
      'Invalid namespace "ops": a namespace is given as an object (a SecureNamespace, a Namespace, or a reference by name), not a string. Fix: pass the SecureNamespace, NamespaceRef.fromNamespace(namespace), or NamespaceRef.named("ops")');
  });

  test('fails on a spiffe:// trust domain, which Istio would never match', () => {
    expect(() => MeshIdentity.of('shop', 'frontend', { trustDomain: 'spiffe://cluster.local' }))
      .toThrow('Invalid trustDomain "spiffe://cluster.local": Istio adds the "spiffe://" prefix itself, so a rule with it never matches. Fix: drop the prefix: "cluster.local"');
  });

  test('fails on a trust domain with "/" or "*"', () => {
    expect(() => MeshIdentity.of('shop', 'frontend', { trustDomain: 'cluster.local/ns' }))
      .toThrow('Invalid trustDomain "cluster.local/ns": a trust domain is a DNS name without "/" or "*"');
  });
});
