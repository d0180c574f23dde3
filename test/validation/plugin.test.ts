import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IPluginValidationContext, MeshValidationPlugin, PluginViolation } from '../../src';

interface Fake {
  readonly context: IPluginValidationContext;
  readonly violations: PluginViolation[];
  readonly submitted: Array<[string, any]>;
  readonly logs: string[];
}
function fakeContext(manifests: Record<string, string>): Fake {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-plugin-'));
  const files = Object.entries(manifests).map(([name, text]) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  });
  const violations: PluginViolation[] = [];
  const submitted: Array<[string, any]> = [];
  const logs: string[] = [];
  return {
    violations,
    submitted,
    logs,
    context: {
      manifests: files,
      report: { addViolation: (v) => violations.push(v), submit: (s, m) => submitted.push([s, m]) },
      logger: { log: (m) => logs.push(m) },
    },
  };
}

const VS_BAD_SUBSET = `apiVersion: v1
kind: Service
metadata: { name: catalog, namespace: shop }
spec: { ports: [{ name: http, port: 8080 }] }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: catalog, namespace: shop }
spec: { hosts: [catalog], http: [{ route: [{ destination: { host: catalog, subset: v1 } }] }] }
`;

describe('MeshValidationPlugin (cdk8s.yaml validations:)', () => {
  test('submits success without violations for clean manifests', () => {
    // GIVEN
    const f = fakeContext({ 'shop.k8s.yaml': VS_BAD_SUBSET.replace(', subset: v1', '') });
    // WHEN
    new MeshValidationPlugin().validate(f.context);
    // THEN
    expect(f.violations).toEqual([]);
    expect(f.submitted).toEqual([['success', { objects: '2', findings: '0', warnings: '0' }]]);
  });

  test('fails on an object defined in two charts\' files (MESH005): the plugin\'s manifests are one app, applied together', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg, namespace: shop }\n';
    const f = fakeContext({ 'a.k8s.yaml': cm, 'b.k8s.yaml': cm });
    new MeshValidationPlugin().validate(f.context);
    expect(f.violations.map((v) => [v.ruleName, path.basename(v.violatingResources[0].manifestPath)])).toEqual([['[MESH005] ConfigMap shop/cfg', 'b.k8s.yaml']]);
  });

  test('fails: reports each error as a violation with rule, resource, location and fix, then submits failure', () => {
    const f = fakeContext({ 'shop.k8s.yaml': VS_BAD_SUBSET });
    new MeshValidationPlugin().validate(f.context);
    expect(f.violations).toEqual([{
      ruleName: '[IST0101] VirtualService shop/catalog',
      recommendation: 'Referenced host+subset in destinationrule not found: "catalog.shop.svc.cluster.local+v1": no DestinationRule for this host defines subsets',
      fix: 'add a DestinationRule for "catalog.shop.svc.cluster.local" with subset "v1"',
      violatingResources: [{ resourceName: 'catalog', manifestPath: f.context.manifests[0], locations: ['spec.http[0].route[0].destination.subset'] }],
    }]);
    expect(f.submitted).toEqual([['failure', { objects: '2', findings: '1', warnings: '0' }]]);
  });

  test('logs warnings without failing, unless failOnWarnings', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: shop }\nspec: { ports: [{ name: web, port: 80 }] }\n';
    const f = fakeContext({ 'a.k8s.yaml': svc });
    new MeshValidationPlugin().validate(f.context);
    expect(f.submitted[0][0]).toEqual('success');
    expect(f.logs).toEqual([expect.stringMatching(/^cdk8s-istio warning: \[IST0118\] Service shop\/web: spec.ports\[0\]: Port name "web"/)]);
    const g = fakeContext({ 'a.k8s.yaml': svc });
    new MeshValidationPlugin({ failOnWarnings: true }).validate(g.context);
    expect(g.submitted[0][0]).toEqual('failure');
    // a warning made fatal says so, and still counts as a warning in the summary
    expect(g.violations.map((v) => v.ruleName)).toEqual(['[IST0118 warning] Service shop/web']);
    expect(g.submitted[0][1]).toEqual({ objects: '1', findings: '1', warnings: '1' });
  });

  test('properties: crds, providers and externalGateways', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-crds-'));
    const crds = path.join(dir, 'crds.yaml');
    fs.writeFileSync(crds, 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: telemetries.telemetry.istio.io }\nspec:\n  group: telemetry.istio.io\n  names: { kind: Telemetry, plural: telemetries }\n  scope: Namespaced\n  versions: [{ name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object, x-kubernetes-preserve-unknown-fields: true, x-kubernetes-validations: [{ rule: "!has(self.tracing)", message: no tracing here }] } } } } }]\n');
    const manifests = 'apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: t, namespace: shop }\nspec: { tracing: [{ providers: [{ name: otel }] }] }\n'
      + '---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: edge, namespace: shop }\nspec: { hosts: [a.example.com], gateways: [istio-ingress/public] }\n';
    const f = fakeContext({ 'a.k8s.yaml': manifests });
    new MeshValidationPlugin({ crds: [crds], providers: ['zipkin'] }).validate(f.context);
    expect(f.violations.map((v) => `${v.ruleName}: ${v.recommendation}`)).toEqual([
      '[K8S-CEL] Telemetry shop/t: Invalid value: "object": no tracing here',
      '[IST0101] VirtualService shop/edge: Referenced gateway "istio-ingress/public" not found: no Gateway of that name is defined',
      '[MESH002] Telemetry shop/t: Provider "otel" is not declared in the mesh config (declared: envoy, prometheus, stackdriver, zipkin): Istio ignores the setting',
    ]);
    const g = fakeContext({ 'a.k8s.yaml': manifests });
    new MeshValidationPlugin({ providers: ['otel'], externalGateways: ['istio-ingress/public'] }).validate(g.context);
    expect(g.violations).toEqual([]);
  });
});
