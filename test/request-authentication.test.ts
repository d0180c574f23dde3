import { Duration, Testing } from 'cdk8s';
import { MeshWorkload, PolicyTargetRef, RequestAuthentication } from '../src';

const ISSUER = 'https://accounts.example.com';
const JWKS_URI = 'https://accounts.example.com/.well-known/jwks.json';

describe('RequestAuthentication', () => {
  test('renders a JWT rule for a workload', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new RequestAuthentication(chart, 'ra', {
      metadata: { name: 'catalog-jwt', namespace: 'shop' },
      selector: MeshWorkload.labels({ app: 'catalog' }),
      jwtRules: [{ issuer: ISSUER, jwksUri: JWKS_URI, audiences: ['shop'] }],
    });
    // THEN
    const manifest = Testing.synth(chart);
    expect(manifest).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'catalog-jwt', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'catalog' } },
        jwtRules: [{ issuer: ISSUER, jwksUri: JWKS_URI, audiences: ['shop'] }],
      },
    }]);
  });

  test('renders every JWT rule field with Istio names', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra', { targetRefs: [PolicyTargetRef.gateway('waypoint')] });
    ra.addJwtRule({
      issuer: 'issuer-a',
      jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"abc"}]}',
      fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
      fromParams: ['token'],
      fromCookies: ['session'],
      forwardOriginalToken: true,
      outputClaimToHeaders: [{ claim: 'sub', header: 'x-user' }],
      outputPayloadToHeader: 'x-jwt-payload',
      jwksFetchTimeout: Duration.seconds(10),
    });
    expect(Testing.synth(chart)[0].spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }],
      jwtRules: [{
        issuer: 'issuer-a',
        jwks: '{"keys":[{"kty":"RSA","e":"AQAB","n":"abc"}]}',
        fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }],
        fromParams: ['token'],
        fromCookies: ['session'],
        forwardOriginalToken: true,
        outputClaimToHeaders: [{ claim: 'sub', header: 'x-user' }],
        outputPayloadToHeader: 'x-jwt-payload',
        timeout: '10s',
      }],
    });
    expect(ra.issuers).toEqual(['issuer-a']);
  });

  test('fails jwksUri and jwks together', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', { jwtRules: [{ issuer: ISSUER, jwksUri: JWKS_URI, jwks: '{"keys":[{}]}' }] }))
      .toThrow(/Invalid jwtRule.jwks "\(inline key set\)": Istio accepts either jwksUri or jwks, not both/);
  });

  test('fails a jwksUri that is not http(s)', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', { jwtRules: [{ issuer: ISSUER, jwksUri: 'accounts.example.com/jwks' }] }))
      .toThrow(/Invalid jwtRule.jwksUri "accounts.example.com\/jwks": it is not an http:\/\/ or https:\/\/ URL/);
  });

  test('fails a jwksUri over 2048 characters', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', { jwtRules: [{ issuer: ISSUER, jwksUri: 'https://a.example.com/' + 'x'.repeat(2048) }] }))
      .toThrow(/a URL has at most 2048 characters/);
  });

  test('fails an inline jwks that is not a key set', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', { jwtRules: [{ issuer: ISSUER, jwks: 'not json' }] }))
      .toThrow(/Invalid jwtRule.jwks "not json": it is not a JSON Web Key Set/);
  });

  test('fails an empty issuer', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', { jwtRules: [{ issuer: '' }] })).toThrow(/Invalid jwtRule.issuer "": the issuer is empty/);
  });

  test('fails the same issuer twice', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra', { jwtRules: [{ issuer: ISSUER }] });
    expect(() => ra.addJwtRule({ issuer: ISSUER })).toThrow(/Invalid jwtRules issuer "https:\/\/accounts.example.com": this issuer already has a rule/);
  });

  test('fails empty audiences, header names and claim headers', () => {
    const chart = Testing.chart();
    const ra = new RequestAuthentication(chart, 'ra');
    expect(() => ra.addJwtRule({ issuer: 'a', audiences: [''] })).toThrow(/Invalid jwtRule.audiences "": Istio rejects empty values/);
    expect(() => ra.addJwtRule({ issuer: 'b', fromHeaders: [{ name: '' }] })).toThrow(/Invalid jwtRule.fromHeaders name "": the header name is empty/);
    expect(() => ra.addJwtRule({ issuer: 'c', outputClaimToHeaders: [{ claim: 'sub', header: 'x user' }] }))
      .toThrow(/Invalid jwtRule.outputClaimToHeaders header "x user": a header name has only letters/);
    expect(() => ra.addJwtRule({ issuer: 'd', outputClaimToHeaders: [{ claim: '', header: 'x' }] }))
      .toThrow(/Invalid jwtRule.outputClaimToHeaders .*: claim and header must both be set/);
    expect(() => ra.addJwtRule({ issuer: 'e', outputPayloadToHeader: 'a b' })).toThrow(/Invalid jwtRule.outputPayloadToHeader "a b"/);
  });

  test('fails selector and targetRefs together', () => {
    const chart = Testing.chart();
    expect(() => new RequestAuthentication(chart, 'ra', { selector: MeshWorkload.labels({ app: 'a' }), targetRefs: [PolicyTargetRef.service('a')] }))
      .toThrow(/Invalid targetRefs "Service\/a": Istio accepts either a workload selector or targetRefs, not both/);
  });

  test('fails more than 16 targetRefs', () => {
    const chart = Testing.chart();
    const refs = Array.from({ length: 17 }, (_, i) => PolicyTargetRef.service(`svc-${i}`));
    expect(() => new RequestAuthentication(chart, 'ra', { targetRefs: refs })).toThrow(/Istio accepts at most 16 targetRefs per policy/);
  });

  test('fails without JWT rules (at synth)', () => {
    const chart = Testing.chart();
    new RequestAuthentication(chart, 'ra');
    expect(() => Testing.synth(chart)).toThrow(/Invalid jwtRules \[\]: a RequestAuthentication without JWT rules accepts no issuer/);
  });
});

describe('workload selectors (Istio rules, checked at synth)', () => {
  test('fails wildcard labels in a selector', () => {
    const chart = Testing.chart();
    new RequestAuthentication(chart, 'ra', { selector: { workloadKey: 'w', toSelectorLabels: () => ({ app: 'cat*' }) }, jwtRules: [{ issuer: 'x' }] });
    expect(() => Testing.synth(chart)).toThrow(/Invalid selector "app=cat\*": Istio rejects empty keys, wildcards and values over 63 characters/);
  });
});
