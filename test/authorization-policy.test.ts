import { ApiObject, JsonPatch, Testing } from 'cdk8s';
import {
  AuthorizationAction, AuthorizationPolicy, AuthorizationRule, ConformanceValidator, ExtAuthzProvider, HttpMethod, IMeshIdentity,
  MeshConfigFragment, MeshIdentity, MeshWorkload, NamespaceRef, PolicyTargetRef, RuleProtocol, TracingProvider,
} from '../src';

const catalog = () => MeshWorkload.labels({ app: 'catalog' }, { namespace: 'shop' });
const frontend = MeshIdentity.of('shop', 'frontend');

function ruleOf(rule: AuthorizationRule, action: AuthorizationAction = AuthorizationAction.ALLOW) {
  const chart = Testing.chart();
  new AuthorizationPolicy(chart, 'p', { action, provider: action === AuthorizationAction.CUSTOM ? 'ext-authz' : undefined, rules: [rule] });
  return Testing.synth(chart)[0].spec.rules;
}

describe('AuthorizationPolicy', () => {
  test('one intent renders ONE rule: source AND operation', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const policy = new AuthorizationPolicy(chart, 'p', { metadata: { name: 'catalog-allow-frontend', namespace: 'shop' }, selector: catalog() });
    policy.addRule({ from: [frontend], methods: [HttpMethod.GET], paths: ['/public'] });
    // THEN
    const manifest = Testing.synth(chart);
    expect(manifest).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'catalog-allow-frontend', namespace: 'shop' },
      spec: {
        action: 'ALLOW',
        selector: { matchLabels: { app: 'catalog' } },
        rules: [{
          from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
          to: [{ operation: { methods: ['GET'], paths: ['/public'] } }],
        }],
      },
    }]);
  });

  test('separate rules are OR-ed; an identical rule is kept once', () => {
    const chart = Testing.chart();
    const policy = new AuthorizationPolicy(chart, 'p', { selector: catalog() });
    policy.addRule({ from: [frontend], methods: [HttpMethod.GET] });
    policy.addRule({ from: [MeshIdentity.namespace(NamespaceRef.named('monitoring'))], ports: [9090] });
    policy.addRule({ from: [frontend], methods: [HttpMethod.GET] });
    expect(policy.ruleCount).toEqual(2);
    expect(Testing.synth(chart)[0].spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { methods: ['GET'] } }] },
      { from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: ['9090'] } }] },
    ]);
  });

  test('principals and namespaces become alternative sources, each with the shared constraints', () => {
    expect(ruleOf({ from: [frontend, MeshIdentity.namespace(NamespaceRef.named('ops'))], ipBlocks: ['10.0.0.0/8'], notFrom: [MeshIdentity.of('ops', 'intruder')] })).toEqual([{
      from: [
        { source: { principals: ['cluster.local/ns/shop/sa/frontend'], notPrincipals: ['cluster.local/ns/ops/sa/intruder'], ipBlocks: ['10.0.0.0/8'] } },
        { source: { namespaces: ['ops'], notPrincipals: ['cluster.local/ns/ops/sa/intruder'], ipBlocks: ['10.0.0.0/8'] } },
      ],
    }]);
  });

  test('renders every source, operation and condition field', () => {
    expect(ruleOf({
      serviceAccounts: ['shop/frontend'],
      notServiceAccounts: ['legacy'],
      notIpBlocks: ['10.1.2.3'],
      remoteIpBlocks: ['2001:db8::/32'],
      notRemoteIpBlocks: ['192.168.0.0/16'],
      requestPrincipals: ['https://issuer/*'],
      notRequestPrincipals: ['https://issuer/bad'],
      hosts: ['shop.example.com'],
      notHosts: ['*.internal'],
      notMethods: [HttpMethod.DELETE],
      notPaths: ['/admin/*'],
      notPorts: [15020],
      when: [{ key: 'request.auth.claims[groups]', values: ['buyers'] }, { key: 'source.ip', notValues: ['10.9.9.9'] }],
    })).toEqual([{
      from: [{
        source: {
          serviceAccounts: ['shop/frontend'],
          notServiceAccounts: ['legacy'],
          notIpBlocks: ['10.1.2.3'],
          remoteIpBlocks: ['2001:db8::/32'],
          notRemoteIpBlocks: ['192.168.0.0/16'],
          requestPrincipals: ['https://issuer/*'],
          notRequestPrincipals: ['https://issuer/bad'],
        },
      }],
      to: [{ operation: { hosts: ['shop.example.com'], notHosts: ['*.internal'], notMethods: ['DELETE'], notPaths: ['/admin/*'], notPorts: ['15020'] } }],
      when: [{ key: 'request.auth.claims[groups]', values: ['buyers'] }, { key: 'source.ip', notValues: ['10.9.9.9'] }],
    }]);
  });

  test('accepts Istio path forms: exact, prefix, suffix, presence, templates', () => {
    const paths = ['/public', '/public/*', '*.css', '*', '/api/{*}/items/{**}', '/v1/{*}'];
    expect(ruleOf({ paths })[0].to[0].operation.paths).toEqual(paths);
  });

  test('"allow nothing" renders spec {} (namespace-wide)', () => {
    const chart = Testing.chart();
    new AuthorizationPolicy(chart, 'p', { metadata: { name: 'allow-nothing', namespace: 'shop' }, allowNothing: true });
    expect(Testing.synth(chart)).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-nothing', namespace: 'shop' },
      spec: {},
    }]);
  });

  test('matchAll renders the empty rule', () => {
    expect(ruleOf({ matchAll: true }, AuthorizationAction.DENY)).toEqual([{}]);
  });

  test('DENY, AUDIT and CUSTOM with provider, targetRefs and dry-run', () => {
    const chart = Testing.chart();
    new MeshConfigFragment(chart, 'mesh', { extAuthzProviders: [ExtAuthzProvider.grpc({ name: 'ext-authz', service: 'opa.authz.svc.cluster.local', port: 9191 })] });
    const custom = new AuthorizationPolicy(chart, 'custom', {
      action: AuthorizationAction.CUSTOM,
      provider: 'ext-authz',
      targetRefs: [PolicyTargetRef.gateway('edge'), PolicyTargetRef.gateway('edge')],
      rules: [{ paths: ['/admin/*'] }],
    });
    new AuthorizationPolicy(chart, 'deny', { action: AuthorizationAction.DENY, dryRun: true, rules: [{ notFrom: [MeshIdentity.namespace(NamespaceRef.named('shop'))] }] });
    new AuthorizationPolicy(chart, 'audit', { action: AuthorizationAction.AUDIT, targetRefs: [PolicyTargetRef.serviceEntry('stripe'), PolicyTargetRef.gatewayClass('istio')], rules: [{ matchAll: true }] });
    const [c, d, a] = Testing.synth(chart);
    expect(c.spec).toEqual({
      action: 'CUSTOM',
      provider: { name: 'ext-authz' },
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }],
      rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }],
    });
    expect(custom.targets.map(String)).toEqual(['gateway.networking.k8s.io/Gateway/edge']);
    expect(d.metadata.annotations).toEqual({ 'istio.io/dry-run': 'true' });
    expect(d.spec).toEqual({ action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }] });
    expect(a.spec.targetRefs).toEqual([
      { group: 'networking.istio.io', kind: 'ServiceEntry', name: 'stripe' },
      { group: 'gateway.networking.k8s.io', kind: 'GatewayClass', name: 'istio' },
    ]);
  });

  test('escape hatch: JSON patches apply on Istio field names', () => {
    const chart = Testing.chart();
    const p = new AuthorizationPolicy(chart, 'p', { rules: [{ from: [frontend] }] });
    ApiObject.of(p).addJsonPatch(JsonPatch.add('/spec/rules/0/from/0/source/notIpBlocks', ['10.0.0.1']));
    expect(Testing.synth(chart)[0].spec.rules[0].from[0].source.notIpBlocks).toEqual(['10.0.0.1']);
  });

  // ------------------------------------------------------------------ failures
  test('fails a spiffe:// principal', () => {
    const spiffe: IMeshIdentity = {
      identityKey: 'x',
      identityNamespace: 'shop',
      toMeshIdentityConfig: () => ({ principals: ['spiffe://cluster.local/ns/shop/sa/frontend'] }),
    };
    expect(() => ruleOf({ from: [spiffe] })).toThrow(
      'Invalid rule.from principal "spiffe://cluster.local/ns/shop/sa/frontend": Istio adds the "spiffe://" prefix itself, so a rule with it never matches. Fix: drop the prefix: "cluster.local/ns/shop/sa/frontend"');
  });

  test('fails DENY, AUDIT and CUSTOM without rules (at synth)', () => {
    const chart = Testing.chart();
    new AuthorizationPolicy(chart, 'deny', { action: AuthorizationAction.DENY });
    expect(() => Testing.synth(chart)).toThrow(/Invalid rules \[\]: a DENY policy without rules is never triggered \(Istio rejects it\). Fix: add a rule with addRule\(\); to deny every request add \{ matchAll: true \}/);
    const chart2 = Testing.chart();
    new AuthorizationPolicy(chart2, 'custom', { action: AuthorizationAction.CUSTOM, provider: 'x' });
    expect(() => Testing.synth(chart2)).toThrow(/a CUSTOM policy without rules is never triggered/);
    const chart3 = Testing.chart();
    new AuthorizationPolicy(chart3, 'audit', { action: AuthorizationAction.AUDIT });
    expect(() => Testing.synth(chart3)).toThrow(/Invalid rules \[\]: an AUDIT policy without rules is never triggered/);
  });

  test('fails an ALLOW policy without rules unless allowNothing (at synth)', () => {
    const chart = Testing.chart();
    new AuthorizationPolicy(chart, 'p', { selector: catalog() });
    expect(() => Testing.synth(chart)).toThrow(/Invalid rules \[\]: an ALLOW policy without rules allows nothing.*set allowNothing: true/);
  });

  test('fails an empty rule that would allow everything', () => {
    expect(() => ruleOf({})).toThrow(/Invalid rule "\{\}": an empty rule matches every request, so it would allow everything. Fix: .*set matchAll: true/);
    expect(() => ruleOf({ methods: [] })).toThrow(/an empty rule matches every request/);
  });

  test('fails matchAll with other fields', () => {
    expect(() => ruleOf({ matchAll: true, paths: ['/x'] })).toThrow(/Invalid rule.matchAll true: .*but the rule also sets paths/);
  });

  test('fails rules on an allowNothing policy, and allowNothing with another action', () => {
    const chart = Testing.chart();
    const p = new AuthorizationPolicy(chart, 'p', { allowNothing: true });
    expect(() => p.addRule({ from: [frontend] })).toThrow(/an "allow nothing" policy has no rules by definition/);
    expect(() => new AuthorizationPolicy(chart, 'q', { allowNothing: true, action: AuthorizationAction.DENY })).toThrow(/Invalid allowNothing true/);
  });

  test('fails wildcard or malformed service accounts', () => {
    expect(() => ruleOf({ serviceAccounts: ['shop/*'] })).toThrow(/Invalid rule.serviceAccounts "shop\/\*": wildcards are not allowed in service accounts/);
    expect(() => ruleOf({ serviceAccounts: ['a/b/c'] })).toThrow(/the format is "serviceAccount" or "namespace\/serviceAccount"/);
    expect(() => ruleOf({ serviceAccounts: Array.from({ length: 17 }, (_, i) => `sa${i}`) })).toThrow(/at most 16 service accounts/);
  });

  test('fails serviceAccounts combined with principals or namespaces', () => {
    expect(() => ruleOf({ serviceAccounts: ['frontend'], from: [MeshIdentity.namespace(NamespaceRef.named('shop'))] }))
      .toThrow(/Invalid rule.serviceAccounts \["frontend"\]: Istio rejects serviceAccounts together with principals or namespaces/);
  });

  test('fails lowercase or unknown HTTP methods', () => {
    expect(() => ruleOf({ methods: ['get' as HttpMethod] })).toThrow(
      'Invalid rule.methods "get": it is not an HTTP method Istio matches. Fix: use HttpMethod.GET (Istio matches methods case-sensitively, in upper case)');
    expect(() => ruleOf({ notMethods: ['FETCH' as HttpMethod] })).toThrow(/Invalid rule.notMethods "FETCH": .*use one of GET, HEAD/);
  });

  test('fails paths not starting with "/" and {…} outside supported templates', () => {
    expect(() => ruleOf({ paths: ['public'] })).toThrow('Invalid rule.paths "public": a path starts with "/" (or is a "*" / "*suffix" wildcard). Fix: use "/public"');
    expect(() => ruleOf({ paths: ['/api/{id}'] })).toThrow(/Invalid rule.paths "\/api\/\{id\}": "\{" and "\}" are only allowed in the path templates/);
    expect(() => ruleOf({ paths: ['/api/{**}/{*}'] })).toThrow(/\{\*\*\} must be the last operator/);
    expect(() => ruleOf({ paths: ['/api/x{*}/y'] })).toThrow(/segment "x\{\*\}" has "\{" or "\}" outside the supported templates/);
    expect(() => ruleOf({ paths: ['/api/{*}/y*'] })).toThrow(/a path template cannot be combined with "\*" prefix or suffix matching/);
    expect(() => ruleOf({ paths: ['/api/{*}/a b'] })).toThrow(/segment "a b" is not a valid literal/);
    expect(() => ruleOf({ notPaths: ['/a/*/b'] })).toThrow(/"\*" is a wildcard only at the start or the end of a path/);
    expect(() => ruleOf({ paths: [''] })).toThrow(/Invalid rule.paths\[0\] "": Istio rejects empty values/);
  });

  test('fails HTTP-only fields in a rule for a TCP port', () => {
    expect(() => ruleOf({ from: [frontend], ports: [5432], methods: [HttpMethod.GET], protocol: RuleProtocol.TCP }))
      .toThrow(/methods is HTTP-only, and on a TCP port Istio cannot see them, so the rule never matches as written/);
    expect(() => ruleOf({ ports: [5432], when: [{ key: 'request.headers[x]', values: ['y'] }], protocol: RuleProtocol.TCP }))
      .toThrow(/when request.headers\[x\] is HTTP-only/);
  });

  test('TCP rules keep sources and ports', () => {
    expect(ruleOf({ from: [frontend], ports: [5432], protocol: RuleProtocol.TCP })).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
      to: [{ operation: { ports: ['5432'] } }],
    }]);
  });

  test('fails bad IPs and ports', () => {
    expect(() => ruleOf({ ipBlocks: ['10.0.0.0/33'] })).toThrow(/Invalid rule.ipBlocks "10.0.0.0\/33": it is not an IP address or CIDR block/);
    expect(() => ruleOf({ ports: [0] })).toThrow(/Invalid rule.ports 0: a port is an integer from 1 to 65535/);
  });

  test('fails unknown, replaced or malformed condition keys and empty conditions', () => {
    expect(() => ruleOf({ when: [{ key: 'request.user', values: ['x'] }] })).toThrow(/Invalid rule.when key "request.user": it is not an attribute Istio authorization knows/);
    expect(() => ruleOf({ when: [{ key: 'destination.labels[app]', values: ['x'] }] })).toThrow(/Istio replaced it with the workload selector/);
    expect(() => ruleOf({ when: [{ key: 'destination.namespace', values: ['x'] }] })).toThrow(/Istio replaced it with the policy's metadata.namespace/);
    expect(() => ruleOf({ when: [{ key: 'destination.user', values: ['x'] }] })).toThrow(/removed v1alpha1 API/);
    expect(() => ruleOf({ when: [{ key: 'request.auth.claims', values: ['x'] }] })).toThrow(/this attribute takes a name in brackets/);
    expect(() => ruleOf({ when: [{ key: 'source.ip', values: ['nope'] }] })).toThrow(/Invalid rule.when\[source.ip\] "nope"/);
    expect(() => ruleOf({ when: [{ key: 'destination.port', values: ['http'] }] })).toThrow(/a port is a number in 0..65535/);
    expect(() => ruleOf({ when: [{ key: 'source.serviceAccount', values: ['*'] }] })).toThrow(/wildcards are not allowed/);
    expect(() => ruleOf({ when: [{ key: 'source.ip' }] })).toThrow(/a condition needs `values` or `notValues`/);
    expect(() => ruleOf({ when: [{ key: '', values: ['x'] }] })).toThrow(/Invalid rule.when key "": the key is empty/);
  });

  test('fails CUSTOM without provider, provider without CUSTOM, identities in CUSTOM rules', () => {
    const chart = Testing.chart();
    expect(() => new AuthorizationPolicy(chart, 'a', { action: AuthorizationAction.CUSTOM })).toThrow(/Invalid provider \(undefined\): a CUSTOM policy needs the external authorizer/);
    expect(() => new AuthorizationPolicy(chart, 'b', { provider: 'x' })).toThrow(/Invalid provider "x": a provider is only valid with AuthorizationAction.CUSTOM, action is ALLOW/);
    expect(() => ruleOf({ from: [frontend], when: [{ key: 'request.auth.claims[a]', values: ['b'] }] }, AuthorizationAction.CUSTOM))
      .toThrow(/Istio does not support from, request.auth.claims\[a\] with the CUSTOM action/);
  });

  test('fails selector with targetRefs, more than 16 targetRefs, an unknown action', () => {
    const chart = Testing.chart();
    expect(() => new AuthorizationPolicy(chart, 'a', { selector: catalog(), targetRefs: [PolicyTargetRef.service('catalog')] }))
      .toThrow(/Invalid targetRefs "Service\/catalog": Istio accepts either a workload selector or targetRefs, not both/);
    expect(() => new AuthorizationPolicy(chart, 'b', { targetRefs: Array.from({ length: 17 }, (_, i) => PolicyTargetRef.service(`s${i}`)) }))
      .toThrow(/Invalid targetRefs "Service\/s16": Istio accepts at most 16 targetRefs per policy/);
    expect(() => new AuthorizationPolicy(chart, 'c', { action: 'allow' as AuthorizationAction })).toThrow(/Invalid action "allow"/);
  });

  test('fails a selector without labels (at synth)', () => {
    const chart = Testing.chart();
    new AuthorizationPolicy(chart, 'p', { selector: { workloadKey: 'none', toSelectorLabels: () => ({}) }, rules: [{ from: [frontend] }] });
    expect(() => Testing.synth(chart)).toThrow(/Invalid selector "none": it selects no labels/);
  });

  test('fails malformed inputs from untyped callers: identities, protocol, hosts, long service accounts', () => {
    expect(() => ruleOf({ from: ['cluster.local/ns/shop/sa/frontend' as unknown as IMeshIdentity] }))
      .toThrow(/Invalid rule.from "cluster.local\/ns\/shop\/sa\/frontend": it is not an IMeshIdentity. Fix: use MeshIdentity.fromServiceAccount/);
    expect(() => ruleOf({ ports: [80], protocol: 'UDP' as RuleProtocol })).toThrow(/Invalid rule.protocol "UDP": it is not a rule protocol/);
    expect(() => ruleOf({ hosts: ['shop example.com'] })).toThrow(/Invalid rule.hosts "shop example.com": a host has no whitespace/);
    expect(() => ruleOf({ serviceAccounts: ['shop/' + 'a'.repeat(320)] })).toThrow(/a value has at most 320 characters/);
  });

  test('custom(): a CUSTOM policy naming its ExtAuthzProvider, declared on the app\'s MeshConfigFragment (Istio\'s ext-authz task)', () => {
    // GIVEN
    const chart = Testing.chart();
    const extAuthz = ExtAuthzProvider.http({
      name: 'sample-ext-authz-http', service: 'ext-authz.foo.svc.cluster.local', port: 8000, includeRequestHeadersInCheck: ['x-ext-authz'],
    });
    // WHEN
    AuthorizationPolicy.custom(chart, 'ext-authz', {
      metadata: { name: 'ext-authz', namespace: 'foo' },
      provider: extAuthz,
      selector: MeshWorkload.labels({ app: 'httpbin' }, { namespace: 'foo' }),
      rules: [{ paths: ['/headers'] }],
    });
    // THEN
    const [policy] = Testing.synth(chart);
    expect(policy.spec).toEqual({
      selector: { matchLabels: { app: 'httpbin' } },
      action: 'CUSTOM',
      provider: { name: 'sample-ext-authz-http' },
      rules: [{ to: [{ operation: { paths: ['/headers'] } }] }],
    });
    expect(ConformanceValidator.builtIn().validate(policy)).toEqual([]);
    expect(MeshConfigFragment.of(chart).toMeshConfig().extensionProviders).toEqual([{
      name: 'sample-ext-authz-http',
      envoyExtAuthzHttp: { service: 'ext-authz.foo.svc.cluster.local', port: 8000, includeRequestHeadersInCheck: ['x-ext-authz'] },
    }]);
  });

  test('fails at synth on a CUSTOM policy naming an undeclared provider, or a declared one that is not an authorizer', () => {
    // GIVEN: no fragment declares "opa"
    const chart = Testing.chart();
    new AuthorizationPolicy(chart, 'custom', { action: AuthorizationAction.CUSTOM, provider: 'opa', rules: [{ paths: ['/admin'] }] });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      'Invalid provider of CUSTOM AuthorizationPolicy \'test/custom\' "opa": no MeshConfigFragment of this app declares an external authorizer of this name (declared: none), '
      + 'and istiod denies every request a CUSTOM policy with an unknown provider covers. Fix: declare it: new MeshConfigFragment(scope, \'mesh-config\', '
      + '{ extAuthzProviders: [ExtAuthzProvider.http({ name, service, port })] }), or create the policy with AuthorizationPolicy.custom(scope, id, { provider, rules })');
    // a tracing provider of that name is not an authorizer
    const chart2 = Testing.chart();
    new MeshConfigFragment(chart2, 'mesh', { tracingProviders: [TracingProvider.zipkin({ name: 'opa', service: 'zipkin.o.svc.cluster.local' })] });
    new AuthorizationPolicy(chart2, 'custom', { action: AuthorizationAction.CUSTOM, provider: 'opa', rules: [{ paths: ['/admin'] }] });
    expect(() => Testing.synth(chart2)).toThrow('Invalid provider of CUSTOM AuthorizationPolicy \'test/custom\' "opa": the app declares it, but not as an external authorizer ({"name":"opa","zipkin":{"port":9411,"service":"zipkin.o.svc.cluster.local"}})');
    // near-miss: declared by a fragment defined after the policy (checked at synth)
    const chart3 = Testing.chart();
    new AuthorizationPolicy(chart3, 'custom', { action: AuthorizationAction.CUSTOM, provider: 'opa', rules: [{ paths: ['/admin'] }] });
    new MeshConfigFragment(chart3, 'mesh').addExtAuthzProvider(ExtAuthzProvider.grpc({ name: 'opa', service: 'opa.authz.svc.cluster.local', port: 9191 }));
    expect(Testing.synth(chart3)[0].spec.provider).toEqual({ name: 'opa' });
  });

  test('fails custom() without an ExtAuthzProvider (JavaScript callers)', () => {
    expect(() => AuthorizationPolicy.custom(Testing.chart(), 'p', { provider: 'opa' as any }))
      .toThrow('Invalid provider "opa": a CUSTOM policy needs the external authorizer it delegates to, as an ExtAuthzProvider. Fix: pass provider: ExtAuthzProvider.http({ name, service, port }) (or .grpc(...))');
  });
});
