import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { EdgeApi, GatewayServiceType, GatewayTls, GatewayWorkload, MeshGateway, MeshWorkload, NamespaceRef, ServiceHost } from '../../src';

const tls = GatewayTls.simple({ credentialName: 'shop-cert' });
const k8s = kplus.k8s;

/** Valid against the Kubernetes schema of its kind: the generated converter keeps every field (unknown ones are dropped). */
function expectKubeShape(obj: any, toJson: (o: any) => any): void {
  const { apiVersion: _a, kind: _k, ...props } = obj;
  expect(JSON.parse(JSON.stringify(toJson(props)))).toEqual(props);
}

function gatewayOf(workload?: GatewayWorkload, extra: object = {}) {
  const chart = Testing.chart();
  const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls, workload, ...extra });
  edge.expose('shop.example.com', ServiceHost.inNamespace('shop', 'frontend'), { port: 8080 });
  return { chart, edge, out: Testing.synth(chart) };
}

describe('GatewayWorkload: binding to an existing install', () => {
  test('default (no workload): the istio/gateway chart released as istio-ingressgateway in the gateway namespace, as before', () => {
    const { edge, out } = gatewayOf();
    expect(out[0].spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(edge.identity.toString()).toEqual('cluster.local/ns/istio-ingress/sa/istio-ingressgateway');
    expect(edge._workload.serviceName).toEqual('istio-ingressgateway');
  });

  test('helmChart(): selector istio=<release without "istio-">, service account and Service named after the release', () => {
    const { edge, out } = gatewayOf(GatewayWorkload.helmChart({ releaseName: 'istio-ingress' }));
    expect(out[0].spec.selector).toEqual({ istio: 'ingress' });
    expect(edge.identity.toString()).toEqual('cluster.local/ns/istio-ingress/sa/istio-ingress');
    expect([edge._workload.serviceName, edge._workload.namespace, edge._workload.httpPort, edge._workload.httpsPort]).toEqual(['istio-ingress', 'istio-ingress', 80, 443]);
    // the release name defaults to Istio's Helm guide ("helm install istio-ingress istio/gateway")
    expect(gatewayOf(GatewayWorkload.helmChart()).out[0].spec.selector).toEqual({ istio: 'ingress' });
    expect(gatewayOf(GatewayWorkload.helmChart({ releaseName: 'edge', namespace: 'gw' })).edge.identity.toString()).toEqual('cluster.local/ns/gw/sa/edge');
  });

  test('istioctlDefault(): istio-ingressgateway in istio-system, with its -service-account identity', () => {
    const { edge, out } = gatewayOf(GatewayWorkload.istioctlDefault());
    expect(out[0].spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(edge.identity.toString()).toEqual('cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account');
    expect([edge._workload.serviceName, edge._workload.namespace]).toEqual(['istio-ingressgateway', 'istio-system']);
    // the Gateway object itself stays in the MeshGateway's namespace; only the pods live elsewhere
    expect(out[0].metadata.namespace).toEqual('istio-ingress');
  });

  test('existing(): explicit selector, service account, Service and ports', () => {
    const { edge, out } = gatewayOf(GatewayWorkload.existing({
      selector: { app: 'edge-gw', istio: 'edge' }, serviceAccountName: 'edge-sa', namespace: 'edge', httpPort: 8080, httpsPort: 8443,
    }));
    expect(out[0].spec.selector).toEqual({ app: 'edge-gw', istio: 'edge' });
    expect(edge.identity.toString()).toEqual('cluster.local/ns/edge/sa/edge-sa');
    expect([edge._workload.serviceName, edge._workload.httpPort, edge._workload.httpsPort]).toEqual(['edge-gw', 8080, 8443]);
  });

  test.each<[string, () => unknown, string]>([
    ['an empty selector', () => GatewayWorkload.existing({ selector: {}, serviceAccountName: 'a' }), 'Invalid selector {}: an empty selector would bind the Gateway to every pod with a proxy'],
    ['a bad service account', () => GatewayWorkload.existing({ selector: { istio: 'x' }, serviceAccountName: 'Bad_SA' }), 'Invalid serviceAccountName "Bad_SA"'],
    ['a bad port', () => GatewayWorkload.existing({ selector: { istio: 'x' }, serviceAccountName: 'a', httpsPort: 0 }), 'Invalid httpsPort 0'],
    ['a bad release name', () => GatewayWorkload.helmChart({ releaseName: 'Istio Ingress' }), 'Invalid releaseName "Istio Ingress"'],
    ['no replicas', () => GatewayWorkload.injected({ replicas: 0 }), 'Invalid replicas 0: a gateway needs at least one pod'],
    ['an unknown Service type (JavaScript)', () => GatewayWorkload.injected({ serviceType: 'External' as any }), 'Invalid serviceType "External": it is not a Service type'],
    ['no options (JavaScript)', () => GatewayWorkload.existing(undefined as any), 'Invalid options (undefined): it is required and must be an object'],
    ['a workload that is not a GatewayWorkload (JavaScript)', () => gatewayOf({ selector: { istio: 'x' } } as any),
      'Invalid workload {"selector":{"istio":"x"}}: it is not a GatewayWorkload'],
    ['workload and selector', () => gatewayOf(GatewayWorkload.istioctlDefault(), { selector: MeshWorkload.labels({ istio: 'x' }) }),
      'Invalid selector "istio-x": workload is also set, and it names the pods and their service account'],
    ['workload and serviceAccountName', () => gatewayOf(GatewayWorkload.istioctlDefault(), { serviceAccountName: 'sa' }), 'Invalid serviceAccountName "sa": workload is also set'],
    ['workload with the Gateway API flavour', () => gatewayOf(GatewayWorkload.injected(), { api: EdgeApi.GATEWAY_API }),
      'Invalid workload "injected": a Gateway API Gateway of class istio gets its pods deployed by Istio (<name>-istio)'],
  ])('fails: %s', (_name, f, message) => {
    expect(f).toThrow(message);
  });
});

describe('GatewayWorkload.injected(): gateway pods deployed with Istio gateway injection', () => {
  test('Deployment (injection template, image auto), Service, ServiceAccount and a Role reading only Secrets of its namespace', () => {
    // GIVEN / WHEN
    const chart = new Chart(Testing.app(), 'edge');
    const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls, workload: GatewayWorkload.injected({ serviceType: GatewayServiceType.CLUSTER_IP }) });
    edge.expose('shop.example.com', ServiceHost.inNamespace('shop', 'frontend'), { port: 8080 });
    const out = Testing.synth(chart);
    const byKind = (kind: string) => out.filter((o) => o.kind === kind);
    const metadata = { name: 'edge-gateway', namespace: 'istio-ingress', labels: { 'app': 'edge-gateway', 'app.kubernetes.io/managed-by': 'cdk8s-istio', 'istio': 'edge-gateway' } };
    // THEN the Gateway selects the deployed pods, which run as the deployed service account
    expect(byKind('Gateway')[0].spec.selector).toEqual({ app: 'edge-gateway', istio: 'edge-gateway' });
    expect(edge.identity.toString()).toEqual('cluster.local/ns/istio-ingress/sa/edge-gateway');
    expect(byKind('ServiceAccount')).toEqual([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata }]);
    const [deployment] = byKind('Deployment');
    expect(deployment).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'edge-gateway', istio: 'edge-gateway' } },
        template: {
          metadata: {
            annotations: { 'inject.istio.io/templates': 'gateway' },
            labels: { 'app': 'edge-gateway', 'istio': 'edge-gateway', 'sidecar.istio.io/inject': 'true' },
          },
          spec: {
            serviceAccountName: 'edge-gateway',
            securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
            containers: [{
              name: 'istio-proxy',
              image: 'auto',
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsGroup: 1337,
                runAsNonRoot: true,
                runAsUser: 1337,
              },
            }],
          },
        },
      },
    });
    const [service] = byKind('Service');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: { app: 'edge-gateway', istio: 'edge-gateway' },
      ports: [
        { name: 'status-port', port: 15021, protocol: 'TCP' },
        { name: 'http2', port: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP' },
      ],
    });
    expect(byKind('Role')[0].rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }]);
    expect(byKind('RoleBinding')[0]).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'edge-gateway' },
      subjects: [{ kind: 'ServiceAccount', name: 'edge-gateway', namespace: 'istio-ingress' }],
    });
    // every object is valid against its Kubernetes schema
    expectKubeShape(deployment, k8s.toJson_KubeDeploymentProps);
    expectKubeShape(service, k8s.toJson_KubeServiceProps);
    expectKubeShape(byKind('ServiceAccount')[0], k8s.toJson_KubeServiceAccountProps);
    expectKubeShape(byKind('Role')[0], k8s.toJson_KubeRoleProps);
    expectKubeShape(byKind('RoleBinding')[0], k8s.toJson_KubeRoleBindingProps);
  });

  test('a revision label instead of sidecar.istio.io/inject, a name and replicas; LoadBalancer Service by default', () => {
    const chart = Testing.chart();
    new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('gw'), tls, hosts: ['shop.example.com'], workload: GatewayWorkload.injected({ name: 'istio-edge', replicas: 3, revision: 'canary-1-30' }) });
    const out = Testing.synth(chart);
    const deployment = out.find((o) => o.kind === 'Deployment');
    expect(deployment.spec.replicas).toEqual(3);
    expect(deployment.spec.template.metadata.labels).toEqual({ 'app': 'istio-edge', 'istio': 'edge', 'istio.io/rev': 'canary-1-30' });
    expect(out.find((o) => o.kind === 'Service').spec.type).toEqual('LoadBalancer');
  });
});
