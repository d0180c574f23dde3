// Property-based tests (fast-check). For now on the generated L1s and raw objects that exist on main;
// the L3s land from other branches and get their own properties (random valid intents -> zero findings).
import { ApiObject, App, Chart, Testing, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { ConformanceValidator, MeshValidation } from '../../src';
import * as net from '../../src/imports/istio-networking.istio.io';
import * as sec from '../../src/imports/istio-security.istio.io';

const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,10}[a-z0-9])?$/);
const millis = fc.integer({ min: 1, max: 600_000 });
const duration = millis.map((ms) => `${ms / 1000}s`);

/** A random but valid canary intent: a service, its versions and the traffic split. */
const canary = fc.record({
  ns: label,
  name: label,
  port: fc.integer({ min: 1, max: 65535 }),
  versions: fc.uniqueArray(label, { minLength: 1, maxLength: 4 }),
  timeout: fc.option(duration, { nil: undefined }),
  // attempts 0 with a perTryTimeout is a retry policy Istio rejects (MESH201), so valid intents retry at least once
  retries: fc.option(
    fc.record({ attempts: fc.integer({ min: 1, max: 10 }), perTryTimeout: duration }, { noNullPrototype: true }),
    { nil: undefined }),
  maxConnections: fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
  principals: fc.uniqueArray(label, { maxLength: 3 }),
}, { noNullPrototype: true }).chain((c) => fc.array(fc.nat({ max: 100 }), { minLength: c.versions.length, maxLength: c.versions.length })
  .map((raw) => {
    // weights summing to 100
    const total = raw.reduce((a, b) => a + b, 0) || 1;
    const weights = raw.map((w) => Math.floor((w * 100) / total));
    weights[0] += 100 - weights.reduce((a, b) => a + b, 0);
    return { ...c, weights };
  }));

type Canary = typeof canary extends fc.Arbitrary<infer T> ? T : never;

function build(c: Canary): App {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace: c.ns });
  new ApiObject(chart, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: c.name }, spec: { ports: [{ name: 'http', port: c.port }] } } as any);
  for (const sa of c.principals) new ApiObject(chart, `sa-${sa}`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } });
  new net.DestinationRule(chart, 'dr', {
    metadata: { name: c.name },
    spec: {
      host: c.name,
      trafficPolicy: {
        tls: { mode: net.DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
        ...(c.maxConnections ? { connectionPool: { tcp: { maxConnections: c.maxConnections } } } : {}),
      },
      subsets: c.versions.map((v) => ({ name: v, labels: { version: v } })),
    },
  });
  new net.VirtualService(chart, 'vs', {
    metadata: { name: c.name },
    spec: {
      hosts: [c.name],
      http: [{
        route: c.versions.map((v, i) => ({ destination: { host: c.name, subset: v, port: { number: c.port } }, weight: c.weights[i] })),
        ...(c.timeout ? { timeout: c.timeout } : {}),
        ...(c.retries ? { retries: c.retries } : {}),
      }],
    },
  });
  if (c.principals.length > 0) {
    new sec.AuthorizationPolicy(chart, 'ap', {
      metadata: { name: c.name },
      spec: {
        selector: { matchLabels: { app: c.name } },
        rules: [{ from: [{ source: { principals: c.principals.map((sa) => `cluster.local/ns/${c.ns}/sa/${sa}`) } }] }],
      },
    });
  }
  new sec.PeerAuthentication(chart, 'pa', { metadata: { name: 'default' }, spec: { mtls: { mode: sec.PeerAuthenticationSpecMtlsMode.STRICT } } });
  return app;
}

describe('property: random valid intents on the generated L1s', () => {
  test('produce zero schema, CEL and mesh findings', () => {
    fc.assert(fc.property(canary, (c) => {
      expect(MeshValidation.of(build(c)).validate()).toEqual([]);
    }), { numRuns: 60 });
  });

  test('synthesizing the same app twice is byte-identical', () => {
    fc.assert(fc.property(canary, (c) => {
      const yaml = (app: App) => app.charts.map((ch) => Yaml.stringify(...Testing.synth(ch))).join('---\n');
      expect(yaml(build(c))).toEqual(yaml(build(c)));
    }), { numRuns: 30 });
  });

  test('fails: any unknown field injected anywhere in a valid spec is reported at its path', () => {
    fc.assert(fc.property(canary, fc.nat(), label, (c, pick, field) => {
      const chart = build(c).charts[0];
      const vs = Testing.synth(chart).find((o: any) => o.kind === 'VirtualService');
      // every object node of the spec, by path
      const nodes: Array<[string, any]> = [];
      const visit = (v: any, p: string) => {
        if (Array.isArray(v)) {v.forEach((x, i) => visit(x, `${p}[${i}]`));} else if (v && typeof v === 'object') {
          nodes.push([p, v]);
          for (const [k, x] of Object.entries(v)) visit(x, `${p}.${k}`);
        }
      };
      visit(vs.spec, 'spec');
      const [path, node] = nodes[pick % nodes.length];
      const key = `x${field}`;
      node[key] = 'surprise';
      expect(ConformanceValidator.builtIn().validate(vs).map((f) => `${f.rule} ${f.path}`)).toEqual([`K8S-SCHEMA ${path}.${key}`]);
    }), { numRuns: 60 });
  });

  test('fails: a negative destination port is rejected at its path', () => {
    fc.assert(fc.property(canary, fc.integer({ min: 65536, max: 2 ** 31 }), (c, bad) => {
      const vs = Testing.synth(build(c).charts[0]).find((o: any) => o.kind === 'VirtualService');
      vs.spec.http[0].route[0].destination.port.number = -bad;
      expect(ConformanceValidator.builtIn().validate(vs).map((f) => f.path)).toEqual(['spec.http[0].route[0].destination.port.number']);
    }), { numRuns: 30 });
  });
});
