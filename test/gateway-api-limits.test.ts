/** The standard CRDs' size limits and the remaining refusals of the Gateway API L2s, one "fails" case each. */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  AllowedRoutes, KubernetesGateway, KubernetesGrpcRoute, KubernetesHttpRoute, ListenerProtocol, ReferenceGrant, RouteParent,
} from '../src';

const backends = [{ serviceName: 'a', port: 80 }];
const names = (n: number, prefix = 'h') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const record = (n: number) => Object.fromEntries(names(n).map((k) => [k, 'v']));
function route(): KubernetesHttpRoute {
  return new KubernetesHttpRoute(new Chart(Testing.app(), 'shop', { namespace: 'shop' }), 'r', { parents: [RouteParent.service('catalog')] });
}

describe('Gateway API L2 limits', () => {
  test('fails beyond 32 parents or 16 hostnames', () => {
    const c = Testing.chart();
    expect(() => new KubernetesHttpRoute(c, 'p', { parents: names(33, 's').map((n) => RouteParent.service(n)) }))
      .toThrow('Invalid parents 33: a route has at most 32 parents. Fix: split the route');
    expect(() => new KubernetesHttpRoute(c, 'h', { parents: [RouteParent.service('a')], hostnames: names(17).map((n) => `${n}.example.com`) }))
      .toThrow('Invalid hostnames 17: a route has at most 16 hostnames. Fix: split the route');
  });

  test('fails beyond 16 header operations, 16 removals, 16 filters, 128 matches; on paths and regexes over 1024 characters', () => {
    const r = route();
    expect(() => r.addRule({ backends, requestHeaders: { set: record(17) } }))
      .toThrow('Invalid requestHeaders.set 17: a header modifier has at most 16 entries per operation');
    expect(() => r.addRule({ backends, responseHeaders: { remove: names(17) } })).toThrow('Invalid responseHeaders.remove 17: a header modifier removes at most 16 headers');
    expect(() => r.addRule({ backends, mirrors: names(17).map((n) => ({ backend: { serviceName: n, port: 80 } })) }))
      .toThrow('Invalid mirrors 17: a rule has at most 16 filters. Fix: mirror to fewer backends');
    expect(() => r.addRule({ backends, matches: [{ pathExact: `/${'a'.repeat(1024)}` }] })).toThrow('it is longer than 1024 characters');
    expect(() => r.addRule({ backends, matches: [{ pathRegex: 'a'.repeat(1025) }] })).toThrow('Invalid matches.pathRegex');
    r.addRule({ backends, matches: names(64, '/a').map((p) => ({ pathPrefix: p })) });
    r.addRule({ backends, matches: names(64, '/b').map((p) => ({ pathPrefix: p })) });
    expect(() => r.addRule({ backends, matches: [{ pathPrefix: '/c' }] })).toThrow('Invalid matches 129: the matches of all rules of a route must be at most 128');
  });

  test('fails on a backend or mirror that is not an object, and on a duration beyond 99999 hours', () => {
    const r = route();
    expect(() => r.addRule({ backends: [undefined as any] })).toThrow('Invalid backends (undefined): it is not a backend. Fix: pass { service, port }');
    expect(() => r.addRule({ backends, mirrors: [{} as any] })).toThrow('Invalid mirrors {}: a mirror needs a backend');
    expect(() => r.addRule({ backends, timeout: Duration.hours(100000) })).toThrow('Invalid timeout "4166 days 15 hours": a Gateway API duration has at most 99999 hours. Fix: give a shorter duration');
  });

  test('fails on GRPCRoute limits', () => {
    const g = new KubernetesGrpcRoute(Testing.chart(), 'g', { parents: [RouteParent.service('a')] });
    expect(() => g.addRule({ backends, matches: [{ service: 'a'.repeat(1025) }] })).toThrow('it is 1 to 1024 characters');
    expect(() => g.addRule({ backends, matches: names(65, 's').map((service) => ({ service })) })).toThrow('Invalid matches 65: a rule has at most 64 matches');
    for (let i = 0; i < 16; i++) g.addRule({ backends, matches: [{ service: `s${i}` }] });
    expect(() => g.addRule({ backends })).toThrow('Invalid rules 17: a GRPCRoute has at most 16 rules');
    const h = new KubernetesGrpcRoute(Testing.chart(), 'h', { parents: [RouteParent.service('a')] });
    h.addRule({ backends, matches: names(64, 'a').map((service) => ({ service })) });
    h.addRule({ backends, matches: names(64, 'b').map((service) => ({ service })) });
    expect(() => h.addRule({ backends, matches: [{ service: 'c' }] })).toThrow('Invalid matches 129: the matches of all rules of a route must be at most 128');
  });

  test('fails beyond 16 ReferenceGrant entries; a route referencing 17 Services of a namespace gets two grants', () => {
    const c = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const from = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'edge' }];
    expect(() => new ReferenceGrant(c, 'g', { from, to: names(17, 's').map((name) => ({ group: '', kind: 'Service', name })) }))
      .toThrow('Invalid from/to {"from":1,"to":17}: a ReferenceGrant has at most 16 entries in from and in to');
    const r = new KubernetesHttpRoute(c, 'r', { parents: [RouteParent.service('a')] });
    const sixteen = names(16, 's').map((serviceName) => ({ serviceName, namespace: 'other', port: 80 }));
    r.addRule({ backends: sixteen, mirrors: [{ backend: { serviceName: 'one-more', namespace: 'other', port: 80 } }] });
    const grants = Testing.synth(c).filter((o) => o.kind === 'ReferenceGrant');
    expect(grants.map((g) => [g.metadata.namespace, g.spec.to.length])).toEqual([['other', 16], ['other', 1]]);
    expect(grants[1].spec.to).toEqual([{ group: '', kind: 'Service', name: 's15' }]);
  });

  test('fails on an allowedRoutes value that is not a member, and a ServiceEntry parent port out of range', () => {
    const g = new KubernetesGateway(Testing.chart(), 'gw');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, allowedRoutes: 'Everywhere' as AllowedRoutes }))
      .toThrow('Invalid allowedRoutes "Everywhere": it is not an AllowedRoutes member. Fix: use AllowedRoutes.SAME_NAMESPACE or ALL_NAMESPACES');
    expect(() => RouteParent.serviceEntry('cnn', { port: 70000 })).toThrow('Invalid port 70000: a port is an integer from 1 to 65535. Fix: use a port of the ServiceEntry');
    expect(RouteParent.serviceEntry('cnn', { port: 443 }).toString()).toEqual('ServiceEntry/cnn:443');
  });
});
