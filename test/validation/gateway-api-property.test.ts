/**
 * Agreement between the Gateway API L2s' construction-time checks and the standard CRDs' schema + CEL rules:
 * for generated route options (valid and invalid paths, names, values, redirects, rewrites, mirrors,
 * timeouts), either the construct refuses them, or what it renders passes the schema and CEL validator.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ConformanceValidator, HttpMethod, KubernetesHttpRoute, KubernetesHttpRouteRuleOptions, RouteParent, StringMatch } from '../../src';

const V = ConformanceValidator.builtIn();
const RUNS = { numRuns: 400, seed: 19 };

/** Mostly valid values, sometimes one the CRD or Istio rejects. */
function mostly<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: invalid, weight: 1 });
}
const pathText = mostly(fc.constantFrom('/', '/a', '/a/', '/a/b', '/a;b=c', '/a%20b'), fc.constantFrom('a', '/a//b', '/a/./b', '/a/..', '/a%2Fb', '/a b', '/a#b', '/ü'));
const token = mostly(fc.constantFrom('x-a', 'X-B', 'x_c', 'version'), fc.constantFrom('a b', 'é', ''));
const value = mostly(fc.constantFrom('v', '%%', 'tab\tok'), fc.constantFrom('', '100%', 'a\nb', 'x'.repeat(5000)));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const path = fc.oneof(
  fc.record({ pathPrefix: pathText }), fc.record({ pathExact: pathText }), fc.constant({}),
  fc.record({ pathPrefix: pathText, pathExact: pathText }),
);
const match = fc.tuple(path, fc.record({
  headers: opt(fc.dictionary(token, value, { maxKeys: 3 })),
  queryParams: opt(fc.dictionary(token, mostly(fc.constantFrom(StringMatch.exact('1'), StringMatch.regex('a+')), fc.constant(StringMatch.prefix('p'))), { maxKeys: 2 })),
  method: opt(fc.constantFrom(HttpMethod.GET, HttpMethod.POST)),
}, { requiredKeys: [] })).map(([p, rest]) => ({ ...p, ...rest }));
const backend = fc.record({
  serviceName: mostly(fc.constantFrom('a', 'b'), fc.constant('B')),
  port: mostly(fc.constantFrom(80, 8080), fc.constant(0)),
  weight: opt(mostly(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(-1, 1_000_001))),
});
const redirect = fc.record({
  scheme: opt(mostly(fc.constant('https'), fc.constant('ftp'))),
  statusCode: opt(mostly(fc.constantFrom(301, 302, 303, 307, 308), fc.constant(304))),
  replacePrefixMatch: opt(pathText),
  replaceFullPath: fc.option(pathText, { nil: undefined, freq: 4 }),
}, { requiredKeys: [] });
const rule = fc.record({
  matches: opt(fc.array(match, { maxLength: 2 })),
  backends: fc.array(backend, { minLength: 1, maxLength: 2 }),
  redirect: fc.option(redirect, { nil: undefined, freq: 4 }),
  rewrite: fc.option(fc.record({
    replacePrefixMatch: opt(pathText),
    hostname: opt(mostly(fc.constant('a.example.com'), fc.constant('A_B'))),
  }, { requiredKeys: [] }), { nil: undefined, freq: 3 }),
  requestHeaders: opt(fc.record({ set: fc.dictionary(token, value, { maxKeys: 2 }), remove: fc.array(token, { maxLength: 2 }) })),
  mirrors: opt(fc.array(fc.record({
    backend: fc.record({ serviceName: fc.constant('m'), port: fc.constant(80) }),
    percent: opt(mostly(fc.integer({ min: 0, max: 100 }), fc.constantFrom(-1, 101))),
    fraction: fc.option(fc.record({
      numerator: fc.integer({ min: -1, max: 5 }),
      denominator: opt(fc.integer({ min: 0, max: 8 })),
    }), { nil: undefined, freq: 4 }),
  }), { maxLength: 2 })),
  timeout: opt(fc.integer({ min: 0, max: 5000 })),
  backendRequestTimeout: opt(fc.integer({ min: 0, max: 5000 })),
}, { requiredKeys: ['backends'] }).map((r) => (r.redirect ? { ...r, backends: undefined } : r));

describe('property: KubernetesHttpRoute refuses exactly what the standard CRDs would, or renders what they accept', () => {
  test('a rule is refused at construction, or the rendered HTTPRoute has no schema or CEL finding', () => {
    let accepted = 0;
    fc.assert(fc.property(rule, (r) => {
      const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
      const options = {
        ...r,
        timeout: r.timeout === undefined ? undefined : Duration.millis(r.timeout),
        backendRequestTimeout: r.backendRequestTimeout === undefined ? undefined : Duration.millis(r.backendRequestTimeout),
      } as KubernetesHttpRouteRuleOptions;
      let route: KubernetesHttpRoute;
      try {
        route = new KubernetesHttpRoute(chart, 'r', { parents: [RouteParent.service('catalog')], rules: [options] });
      } catch (e) {
        expect(String(e)).toMatch(/^Error: Invalid .*\. Fix: /);
        return;
      }
      accepted++;
      const doc = route.apiObject.toJson();
      expect(V.validate(doc).map((f) => `${f.rule} ${f.path}: ${f.message}`)).toEqual([]);
    }), RUNS);
    expect(accepted).toBeGreaterThan(20); // the valid half is exercised too
  });
});
