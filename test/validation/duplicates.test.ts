import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { AuthorizationPolicy, MeshValidation, SecureNamespace } from '../../src';
import { main } from '../../src/validation/cli';

const shopChart = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

describe('MESH005: one object defined twice', () => {
  test('fails at synth on two SecureNamespaces for one namespace, naming both construct paths', () => {
    const chart = shopChart();
    new SecureNamespace(chart, 'one', { name: 'shop' });
    new SecureNamespace(chart, 'two', { name: 'shop' });
    expect(() => Testing.synth(chart)).toThrow(
      'Namespace shop is defined twice, by shop/one/Namespace and by shop/two/Namespace: the API server keeps one object, so one definition silently does nothing. '
      + 'Fix: define it once, or give one of them another name (in code, SecureNamespace.of(scope, name) returns a namespace\'s existing SecureNamespace)');
  });

  test('fails on two AuthorizationPolicies with one name, and on duplicates of kinds no mesh rule reads', () => {
    const chart = shopChart();
    new AuthorizationPolicy(chart, 'a', { metadata: { name: 'allow-frontend' }, allowNothing: true });
    new AuthorizationPolicy(chart, 'b', { metadata: { name: 'allow-frontend' }, allowNothing: true });
    new ApiObject(chart, 'cm1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
    new ApiObject(chart, 'cm2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
    const errors = MeshValidation.of(chart).validate().filter((f) => f.rule === 'MESH005').map((f) => [f.constructPath, f.message.split(':')[0]]);
    expect(errors).toEqual([
      ['shop/b', 'AuthorizationPolicy.security.istio.io shop/allow-frontend is defined twice, by shop/a and by shop/b'],
      ['shop/cm2', 'ConfigMap shop/cfg is defined twice, by shop/cm1 and by shop/cm2'],
    ]);
  });

  test('near miss: same name in another namespace, another kind or another API group is no duplicate', () => {
    const chart = shopChart();
    new AuthorizationPolicy(chart, 'a', { metadata: { name: 'p' }, allowNothing: true });
    new AuthorizationPolicy(chart, 'b', { metadata: { name: 'p', namespace: 'other' }, allowNothing: true });
    new ApiObject(chart, 'gw1', { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'edge' }, spec: { servers: [] } });
    new ApiObject(chart, 'gw2', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
    new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' } });
    expect(MeshValidation.of(chart).validate().filter((f) => f.rule === 'MESH005')).toEqual([]);
  });

  test('SecureNamespace.of() returns the namespace\'s SecureNamespace, or creates it once in the Chart', () => {
    const chart = shopChart();
    const first = SecureNamespace.of(chart, 'shop');
    expect(SecureNamespace.of(new ApiObject(chart, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 'shop')).toBe(first);
    expect(first.node.path).toEqual('shop/SecureNamespace-shop');
    const own = new SecureNamespace(chart, 'pay', { name: 'payments' });
    expect(SecureNamespace.of(chart, 'payments')).toBe(own);
    expect(Testing.synth(chart).filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name)).toEqual(['shop', 'payments']);
    expect(() => SecureNamespace.of(chart, 'shop', { name: 'other' })).toThrow(
      'Invalid props.name "other": it differs from the namespace asked for ("shop"). Fix: leave props.name out');
  });

  test('the CLI reports an object defined twice in one file, not alternatives in two files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh005-'));
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: shop\n';
    fs.writeFileSync(path.join(dir, 'a.yaml'), cm);
    fs.writeFileSync(path.join(dir, 'b.yaml'), `${cm}---\n${cm}`);
    let out = '';
    const code = main(['validate', dir], { write: (s: string) => { out += s; } }, { write: () => undefined });
    expect(code).toEqual(1);
    const b = path.join(dir, 'b.yaml');
    expect(out).toEqual(`${b}: ConfigMap/shop/cfg: metadata.name: [MESH005] ConfigMap shop/cfg is defined twice, by ${b} and by ${b}: `
      + 'the API server keeps one object, so one definition silently does nothing. Fix: define it once, or give one of them another name (in code, SecureNamespace.of(scope, name) returns a namespace\'s existing SecureNamespace)\n');
  });

  test('fails with --one-app (the files are one app, e.g. cdk8s synth\'s dist/): an object in two files is a duplicate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh005-'));
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: shop\n';
    fs.writeFileSync(path.join(dir, 'a.yaml'), cm);
    fs.writeFileSync(path.join(dir, 'b.yaml'), cm);
    let out = '';
    const run = (args: string[]) => main(args, { write: (s: string) => { out += s; } }, { write: () => undefined });
    expect([run(['validate', dir]), out]).toEqual([0, '']);
    expect(run(['validate', '--one-app', dir])).toEqual(1);
    const [a, b] = [path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')];
    expect(out).toEqual(`${b}: ConfigMap/shop/cfg: metadata.name: [MESH005] ConfigMap shop/cfg is defined twice, by ${a} and by ${b}: `
      + 'the API server keeps one object, so one definition silently does nothing. Fix: define it once, or give one of them another name (in code, SecureNamespace.of(scope, name) returns a namespace\'s existing SecureNamespace)\n');
  });
});
