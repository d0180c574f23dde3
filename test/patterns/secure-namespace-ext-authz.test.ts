import { Chart, Testing } from 'cdk8s';
import { ExtAuthzProvider, MeshConfigFragment, MeshEnrolment, MeshValidation, MeshWorkload, SecureNamespace, ServiceHost } from '../../src';

const extAuthz = ExtAuthzProvider.grpc({ name: 'opa', service: 'opa.authz.svc.cluster.local', port: 9191 });
const catalog = MeshWorkload.labels({ app: 'catalog' }, { namespace: 'shop' });
const shopChart = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

describe('SecureNamespace.requireExternalAuthorization (Istio\'s ext-authz task as an intent)', () => {
  test('sidecars: a CUSTOM policy selecting the workload, paths as one rule each; the provider declared on the app\'s fragment', () => {
    // GIVEN
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'ns', { name: 'shop' });
    // WHEN
    const policy = shop.requireExternalAuthorization({ provider: extAuthz, workload: catalog, paths: ['/admin/*'] });
    shop.requireExternalAuthorization({ provider: extAuthz, workload: catalog, paths: ['/orders'] }); // same policy, one more rule
    shop.requireExternalAuthorization({ provider: extAuthz, workload: catalog, paths: ['/orders'] }); // repeated: no-op
    // THEN
    const out = Testing.synth(chart).find((o: any) => o.metadata.name === 'catalog-ext-authz-opa');
    expect(out.metadata.namespace).toBe('shop');
    expect(out.spec).toEqual({
      selector: { matchLabels: { app: 'catalog' } },
      action: 'CUSTOM',
      provider: { name: 'opa' },
      rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }, { to: [{ operation: { paths: ['/orders'] } }] }],
    });
    expect(shop.policies).toContain(policy);
    expect(MeshConfigFragment.of(chart).toMeshConfig().extensionProviders).toEqual([
      { name: 'opa', envoyExtAuthzGrpc: { service: 'opa.authz.svc.cluster.local', port: 9191 } },
    ]);
    expect(MeshValidation.of(chart).validate()).toEqual([]);
  });

  test('the whole namespace, every request: { matchAll } without a selector', () => {
    const chart = shopChart();
    new SecureNamespace(chart, 'ns', { name: 'shop' }).requireExternalAuthorization({ provider: extAuthz });
    const out = Testing.synth(chart).find((o: any) => o.metadata.name === 'ext-authz-opa');
    expect(out.spec).toEqual({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] });
  });

  test('ambient with a waypoint: attached to the workload\'s Service', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'ns', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
    shop.requireExternalAuthorization({ provider: extAuthz, workload: catalog, service: ServiceHost.inNamespace('shop', 'catalog') });
    const out = Testing.synth(chart).find((o: any) => o.metadata.name === 'catalog-ext-authz-opa');
    expect(out.spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'catalog' }]);
    expect(out.spec.selector).toBeUndefined();
  });

  test('fails without an ExtAuthzProvider, or in ambient mode without a waypoint (ztunnel cannot call an authorizer)', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'ns', { name: 'shop' });
    expect(() => shop.requireExternalAuthorization({ provider: 'opa' as any }))
      .toThrow('Invalid provider "opa": it is not an ExtAuthzProvider. Fix: pass provider: ExtAuthzProvider.http({ name, service, port }) (or .grpc(...))');
    const ambient = new SecureNamespace(shopChart(), 'ns', { name: 'shop', enrolment: MeshEnrolment.ambient() });
    expect(() => ambient.requireExternalAuthorization({ provider: extAuthz }))
      .toThrow('Invalid requireExternalAuthorization "namespace shop": in ambient mode L7 rules (methods, paths, hosts, request conditions, JWT) are enforced only by a waypoint');
  });
});
