import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus27 from 'cdk8s-plus-27';
import * as kplus33 from 'cdk8s-plus-33';
// a `cdk8s import k8s` binding (cdk8s-plus ships the one it was built with)
import * as k8s from 'cdk8s-plus-33/lib/imports/k8s';
import { Construct, IConstruct } from 'constructs';
import {
  CanaryService, MeshIdentity, MeshWorkload, MonitoringTarget, PolicyTargetRef, SecureNamespace, ServiceHost,
} from '../src';

/** The objects one way of writing Kubernetes objects gives: a shop namespace, a frontend SA + Deployment, a catalog Service. */
interface Flavour {
  readonly namespace: IConstruct;
  readonly frontendSa: IConstruct;
  readonly frontend: IConstruct;
  readonly catalogService: IConstruct;
}

function kplus27Objects(chart: Chart): Flavour {
  const sa = new kplus27.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } });
  const frontend = new kplus27.Deployment(chart, 'frontend', { serviceAccount: sa, containers: [{ image: 'nginx:1.27', portNumber: 8080 }] });
  frontend.podMetadata.addLabel('app', 'frontend');
  const catalogService = new kplus27.Service(chart, 'catalog-svc', { metadata: { name: 'catalog' }, ports: [{ port: 8080, name: 'http' }] });
  return { namespace: new kplus27.Namespace(chart, 'ns', { metadata: { name: 'shop' } }), frontendSa: sa, frontend, catalogService };
}

function kplus33Objects(chart: Chart): Flavour {
  const sa = new kplus33.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } });
  const frontend = new kplus33.Deployment(chart, 'frontend', { serviceAccount: sa, containers: [{ image: 'nginx:1.27', portNumber: 8080 }] });
  frontend.podMetadata.addLabel('app', 'frontend');
  const catalogService = new kplus33.Service(chart, 'catalog-svc', { metadata: { name: 'catalog' }, ports: [{ port: 8080, name: 'http' }] });
  return { namespace: new kplus33.Namespace(chart, 'ns', { metadata: { name: 'shop' } }), frontendSa: sa, frontend, catalogService };
}

const podSpec = { serviceAccountName: 'frontend', containers: [{ name: 'web', image: 'nginx:1.27' }] };

function importedObjects(chart: Chart): Flavour {
  return {
    namespace: new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'shop' } }),
    frontendSa: new k8s.KubeServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } }),
    frontend: new k8s.KubeDeployment(chart, 'frontend', {
      metadata: { name: 'frontend' },
      spec: { selector: { matchLabels: { app: 'frontend' } }, template: { metadata: { labels: { app: 'frontend', tier: 'web' } }, spec: podSpec } },
    }),
    catalogService: new k8s.KubeService(chart, 'catalog-svc', { metadata: { name: 'catalog' }, spec: { ports: [{ port: 8080, name: 'http' }] } }),
  };
}

function plainObjects(chart: Chart): Flavour {
  return {
    namespace: new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
    frontendSa: new ApiObject(chart, 'frontend-sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'frontend' } }),
    frontend: new ApiObject(chart, 'frontend', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'frontend' },
      spec: { selector: { matchLabels: { app: 'frontend' } }, template: { metadata: { labels: { app: 'frontend' } }, spec: podSpec } },
    }),
    catalogService: new ApiObject(chart, 'catalog-svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'catalog' }, spec: { ports: [{ port: 8080, name: 'http' }] } }),
  };
}

const FLAVOURS: Array<[string, (chart: Chart) => Flavour]> = [
  ['cdk8s-plus-27', kplus27Objects],
  ['cdk8s-plus-33', kplus33Objects],
  ['cdk8s import k8s', importedObjects],
  ['plain ApiObject', plainObjects],
];

const shopChart = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

describe.each(FLAVOURS)('inputs from %s', (_flavour, make) => {
  test('identity, workload, host, policy target and monitoring target are derived from the objects', () => {
    const chart = shopChart();
    const o = make(chart);
    expect(MeshIdentity.fromServiceAccount(o.frontendSa).principal).toEqual('cluster.local/ns/shop/sa/frontend');
    expect(MeshIdentity.fromWorkload(o.frontend, { trustDomain: 'acme.internal' }).principal).toEqual('acme.internal/ns/shop/sa/frontend');
    const w = MeshWorkload.fromWorkload(o.frontend);
    expect(w.workloadNamespace).toEqual('shop');
    expect(w.workloadIdentity?.toMeshIdentityConfig().principals).toEqual(['cluster.local/ns/shop/sa/frontend']);
    expect(ServiceHost.fromService(o.catalogService).fqdn).toEqual('catalog.shop.svc.cluster.local');
    expect(PolicyTargetRef.fromService(o.catalogService).toString()).toEqual('Service/catalog');
    expect(MonitoringTarget.fromService(o.catalogService).toMonitoringTarget()).toEqual({ serviceName: 'catalog', namespace: 'shop' });
  });

  test('SecureNamespace adopts the Namespace and derives the caller of an intent from the SA and the workload', () => {
    const chart = shopChart();
    const o = make(chart);
    const shop = new SecureNamespace(chart, 'secure', { namespace: o.namespace });
    const catalog = MeshWorkload.labels({ app: 'catalog' }, { namespace: 'shop' });
    shop.allowServiceAccount(o.frontendSa).to(catalog, { service: ServiceHost.inNamespace('shop', 'catalog') });
    shop.allowWorkload(o.frontend).to(MeshWorkload.labels({ app: 'payment' }, { namespace: 'shop' }), { service: ServiceHost.inNamespace('shop', 'payment') });
    const out = Testing.synth(chart);
    const ns = out.filter((d) => d.kind === 'Namespace');
    expect(ns).toHaveLength(1);
    expect(ns[0].metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    expect(ns[0].metadata.namespace).toBeUndefined();
    const principals = out.filter((d) => d.kind === 'AuthorizationPolicy' && d.spec.rules)
      .map((d) => [d.spec.selector.matchLabels.app, d.spec.rules[0].from[0].source.principals]);
    expect(principals).toEqual([['catalog', ['cluster.local/ns/shop/sa/frontend']], ['payment', ['cluster.local/ns/shop/sa/frontend']]]);
  });

  test('CanaryService takes the Service (name, namespace, first port) and its pods\' ServiceAccount', () => {
    const chart = shopChart();
    const o = make(chart);
    const canary = new CanaryService(chart, 'catalog', {
      service: o.catalogService, serviceAccount: o.frontendSa, stable: { version: 'v1' }, canary: { version: 'v2' },
    });
    expect(canary.port).toEqual(8080);
    expect(canary.serviceHost.fqdn).toEqual('catalog.shop.svc.cluster.local');
    expect(canary.workloadIdentity?.toMeshIdentityConfig().principals).toEqual(['cluster.local/ns/shop/sa/frontend']);
    expect(canary.service?.kind).toEqual('Service');
    expect(canary.serviceAccount?.kind).toEqual('ServiceAccount');
  });
});

describe('inputs: labels and references', () => {
  test('a workload\'s labels are read at synth: labels added after it was passed in are seen (plain object)', () => {
    const chart = shopChart();
    const d = new ApiObject(chart, 'd', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: podSpec } },
    });
    const w = MeshWorkload.fromWorkload(d);
    d.addJsonPatch(JsonPatch.add('/spec/selector/matchLabels/tier', 'web'));
    expect(w.toSelectorLabels()).toEqual({ app: 'd', tier: 'web' });
  });

  test('a Pod is selected by its own labels, a CronJob by its job template\'s pod labels and service account', () => {
    const chart = shopChart();
    const pod = new k8s.KubePod(chart, 'pod', { metadata: { name: 'pod', labels: { app: 'debug' } }, spec: podSpec });
    const cron = new k8s.KubeCronJob(chart, 'cron', {
      metadata: { name: 'report' },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } }, spec: { ...podSpec, serviceAccountName: 'reporter' } } } } },
    });
    expect(MeshWorkload.fromWorkload(pod).toSelectorLabels()).toEqual({ app: 'debug' });
    expect(MeshWorkload.fromWorkload(cron).toSelectorLabels()).toEqual({ app: 'report' });
    expect(MeshIdentity.fromWorkload(cron).principal).toEqual('cluster.local/ns/shop/sa/reporter');
  });

  test('a workload without a service account runs as `default`', () => {
    const chart = shopChart();
    const d = new kplus33.Deployment(chart, 'd', { containers: [{ image: 'nginx:1.27' }] });
    expect(MeshIdentity.fromWorkload(d).principal).toEqual('cluster.local/ns/shop/sa/default');
  });

  test('a cdk8s-plus ServiceAccount reference (fromServiceAccountName) gives its name and reported namespace', () => {
    const chart = shopChart();
    const ref = kplus33.ServiceAccount.fromServiceAccountName(chart, 'billing', 'billing', { namespaceName: 'payments' });
    expect(MeshIdentity.fromServiceAccount(ref).principal).toEqual('cluster.local/ns/payments/sa/billing');
  });
});

describe('inputs: wrong objects', () => {
  const chart = () => shopChart();

  test('fails on a ConfigMap where a workload is needed', () => {
    const c = chart();
    const cm = new kplus33.ConfigMap(c, 'cfg', { metadata: { name: 'cfg' } });
    expect(() => MeshWorkload.fromWorkload(cm)).toThrow(
      'Invalid workload "shop/cfg (a ConfigMap)": it is not a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod. '
      + 'Fix: pass the Deployment (or StatefulSet, DaemonSet, ...) whose pods are meant, or use MeshWorkload.labels()');
  });

  test('fails on a CanaryService given to fromWorkload (it is a workload already)', () => {
    const c = chart();
    const canary = new CanaryService(c, 'catalog', { stable: { version: 'v1' }, canary: { version: 'v2' } });
    expect(() => MeshWorkload.fromWorkload(canary)).toThrow(
      'Invalid workload "shop/catalog": it is already a workload of this library (e.g. a CanaryService), not a Kubernetes object. Fix: pass it directly where a workload is taken, e.g. shop.allow(caller).to(catalog)');
  });

  test('fails on a Deployment where a ServiceAccount is needed', () => {
    const c = chart();
    const d = new kplus27.Deployment(c, 'd', { containers: [{ image: 'nginx:1.27' }] });
    expect(() => MeshIdentity.fromServiceAccount(d)).toThrow(
      'Invalid serviceAccount "shop/d (a Deployment)": it is not a ServiceAccount. Fix: pass the ServiceAccount the callers run as, or use MeshIdentity.of(namespace, name)');
  });

  test('fails on a string, undefined or null (JavaScript and jsii callers)', () => {
    expect(() => ServiceHost.fromService('catalog' as any)).toThrow(
      'Invalid service "catalog": it is not a construct (expected a Service from cdk8s-plus, cdk8s import, or an ApiObject). Fix: pass the Service, or use ServiceHost.inNamespace(namespace, name)');
    expect(() => MeshWorkload.fromWorkload(undefined as any)).toThrow(/^Invalid workload \(undefined\): it is not a construct/);
    expect(() => MeshIdentity.fromServiceAccount(null as any)).toThrow(/^Invalid serviceAccount null: it is not a construct/);
  });

  test('fails on a construct without a Kubernetes object', () => {
    const c = chart();
    expect(() => PolicyTargetRef.fromService(new Construct(c, 'empty'))).toThrow(
      'Invalid service "shop/empty": it is a construct without a Kubernetes object (expected a Service). Fix: pass the Service, or use PolicyTargetRef.service(name)');
  });

  test('fails at synth on a workload whose pods have no labels', () => {
    const c = chart();
    const d = new ApiObject(c, 'bare', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bare' }, spec: { template: { spec: podSpec } } });
    MeshWorkload.fromWorkload(d);
    expect(() => Testing.synth(c)).toThrow(
      'Invalid workload "shop/bare (bare)": its pods have no labels, so no workload selector can pick them. Fix: give the pod template labels (e.g. app: catalog), or use MeshWorkload.labels()');
  });

  test('fails on a Service reference without an object given to CanaryService', () => {
    const c = chart();
    const ref = new (class extends Construct { public readonly kind = 'Service'; public readonly name = 'catalog'; })(c, 'ref');
    expect(() => new CanaryService(c, 'catalog', { service: ref, stable: { version: 'v1' }, canary: { version: 'v2' } })).toThrow(
      'Invalid service "shop/ref (catalog)": it is a reference without a Service object. Fix: pass the Service object, or give serviceName with createService: false');
  });

  test('fails on a Namespace reference without an object given to SecureNamespace', () => {
    const c = chart();
    const ref = new (class extends Construct { public readonly kind = 'Namespace'; public readonly name = 'shop'; })(c, 'ref');
    expect(() => new SecureNamespace(c, 'secure', { namespace: ref })).toThrow(
      'Invalid namespace "shop/ref (shop)": it is a reference without an object to label. Fix: pass the Namespace object itself, or give only the `name` with createNamespace: false');
  });
});
