import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _selectorErrors } from './_selector';
import { _invalid, _renderDuration } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as sec from './imports/istio-security.istio.io';
import { PolicyTargetRef } from './policy-target';
import { _field, _list } from './validation/_json';
import { IMeshWorkload } from './workload';

/**
 * A header a JWT is read from.
 */
export interface JwtHeader {
  /** The header name, e.g. `x-jwt-assertion`. */
  readonly name: string;
  /**
   * A prefix stripped before the token, e.g. `Bearer ` (with the space).
   *
   * @default - the whole header value is the token
   */
  readonly prefix?: string;
}

/**
 * A JWT claim copied into a request header after validation.
 */
export interface JwtClaimToHeader {
  /** The claim name, e.g. `sub` (nested claims with `.`). */
  readonly claim: string;
  /** The header to set (letters, digits, `-` and `_`). */
  readonly header: string;
}

/**
 * One JWT issuer accepted by a RequestAuthentication.
 *
 * @see https://istio.io/latest/docs/reference/config/security/jwt/#JWTRule
 */
export interface JwtRule {
  /** The token issuer (`iss` claim), e.g. `https://accounts.example.com`. */
  readonly issuer: string;
  /**
   * URL of the issuer's JSON Web Key Set (http or https). Exclusive with `jwks`.
   *
   * @default - discovered from the issuer's OpenID configuration, unless `jwks` is set
   */
  readonly jwksUri?: string;
  /**
   * An inline JSON Web Key Set (a JSON document with a `keys` array). Exclusive with `jwksUri`.
   *
   * @default - fetched from `jwksUri`
   */
  readonly jwks?: string;
  /**
   * Accepted audiences (`aud` claim).
   *
   * @default - any audience
   */
  readonly audiences?: string[];
  /**
   * Headers the token is read from.
   *
   * @default - `Authorization: Bearer <token>`
   */
  readonly fromHeaders?: JwtHeader[];
  /**
   * Query parameters the token is read from.
   *
   * @default - `access_token`
   */
  readonly fromParams?: string[];
  /**
   * Cookies the token is read from.
   *
   * @default - none
   */
  readonly fromCookies?: string[];
  /**
   * Forward the original token to the workload.
   *
   * @default false
   */
  readonly forwardOriginalToken?: boolean;
  /**
   * Claims copied into request headers.
   *
   * @default - none
   */
  readonly outputClaimToHeaders?: JwtClaimToHeader[];
  /**
   * Header that receives the base64 JWT payload.
   *
   * @default - none
   */
  readonly outputPayloadToHeader?: string;
  /**
   * Timeout for fetching the JWKS.
   *
   * @default Duration.seconds(5) (Istio's default)
   */
  readonly jwksFetchTimeout?: Duration;
}

/**
 * Props of `RequestAuthentication`.
 */
export interface RequestAuthenticationProps extends IstioResourceProps {
  /**
   * The workload the policy applies to. Exclusive with `targetRefs`.
   *
   * @default - every workload of the namespace, unless `targetRefs` is set
   */
  readonly selector?: IMeshWorkload;
  /**
   * Gateways, waypoints or Services to attach to instead (at most 16). Exclusive with `selector`.
   *
   * @default - none
   */
  readonly targetRefs?: PolicyTargetRef[];
  /**
   * Accepted issuers (more with `addJwtRule()`).
   *
   * @default - none
   */
  readonly jwtRules?: JwtRule[];
}

const HEADER_NAME = /^[-_A-Za-z0-9]+$/;

/**
 * RequestAuthentication (`security.istio.io/v1`): which JWTs a workload accepts.
 *
 * It only rejects requests with an *invalid* token: requests without a token still pass. Pair it with
 * an AuthorizationPolicy that requires a request principal (`SecureNamespace.requireJwt()` does both).
 *
 * @example
 * new RequestAuthentication(chart, 'jwt', {
 *   selector: catalog,   // a CanaryService: both versions
 *   jwtRules: [{ issuer: 'https://accounts.example.com', jwksUri: 'https://accounts.example.com/.well-known/jwks.json' }],
 * });
 *
 * @see https://istio.io/latest/docs/reference/config/security/request_authentication/
 */
export class RequestAuthentication extends IstioResource {
  public readonly apiObject: ApiObject;
  /** The selected workload, if any. */
  public readonly selector?: IMeshWorkload;
  private readonly targetRefs: PolicyTargetRef[] = [];
  private readonly rules: sec.RequestAuthenticationSpecJwtRules[] = [];

  /**
   * Defines a RequestAuthentication: which JWT issuers the selected workloads accept. A request with an
   * invalid token is rejected, one without a token is let through: pair it with an AuthorizationPolicy
   * requiring `requestPrincipals` to make a token mandatory.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the workload `selector` or `targetRefs` (not both), and the JWT rules (at least one by synth)
   */
  constructor(scope: Construct, id: string, props: RequestAuthenticationProps = {}) {
    super(scope, id, props);
    this.selector = props.selector;
    for (const ref of props.targetRefs ?? []) {
      if (this.selector) {
        throw _invalid('targetRefs', ref.toString(), 'Istio accepts either a workload selector or targetRefs, not both', 'drop `selector` or `targetRefs`');
      }
      if (this.targetRefs.some((t) => t.toString() === ref.toString())) continue;
      if (this.targetRefs.length >= 16) {
        throw _invalid('targetRefs', ref.toString(), 'Istio accepts at most 16 targetRefs per policy', 'split the targets over several policies');
      }
      this.targetRefs.push(ref);
    }
    this.apiObject = this._createApiObject(sec.RequestAuthentication, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => _jwksUriAsDocumented(sec.toJson_RequestAuthenticationSpec(this._toIstio())) }),
    });
    for (const rule of props.jwtRules ?? []) this.addJwtRule(rule);
    this.node.addValidation({
      validate: () => (this.rules.length === 0
        ? [_invalid('jwtRules', [], 'a RequestAuthentication without JWT rules accepts no issuer and has no effect', 'add a rule with addJwtRule({ issuer, jwksUri })').message]
        : []).concat(_selectorErrors(this.selector, this.namespace)),
    });
  }

  /** The accepted issuers. */
  public get issuers(): string[] {
    return this.rules.map((r) => r.issuer!);
  }

  /**
   * Accepts tokens of one more issuer. Each issuer may appear once.
   *
   * Renders one entry of `spec.jwtRules`.
   *
   * @param rule the `issuer`, its keys (`jwksUri` or inline `jwks`), accepted audiences, where the token
   * is read from (default the `Authorization: Bearer` header) and claims to copy into headers
   */
  public addJwtRule(rule: JwtRule): void {
    const r = _renderJwtRule(rule);
    if (this.rules.some((x) => x.issuer === r.issuer)) {
      throw _invalid('jwtRules issuer', r.issuer, 'this issuer already has a rule, and two rules for one issuer are ambiguous', 'merge the two rules');
    }
    this.rules.push(r);
  }


  private _toIstio(): sec.RequestAuthenticationSpec {
    return {
      selector: this.selector ? { matchLabels: this.selector.toSelectorLabels() } : undefined,
      targetRefs: this.targetRefs.length > 0 ? this.targetRefs.map((t) => ({ group: t.group, kind: t.kind, name: t.name })) : undefined,
      jwtRules: this.rules.length > 0 ? this.rules : undefined,
    };
  }
}

/** @internal */
function _renderJwtRule(rule: JwtRule): sec.RequestAuthenticationSpecJwtRules {
  if (!rule || typeof rule.issuer !== 'string' || rule.issuer.trim().length === 0) {
    throw _invalid('jwtRule.issuer', rule?.issuer, 'the issuer is empty', 'give the `iss` claim value, e.g. "https://accounts.example.com"');
  }
  if (rule.jwksUri !== undefined && rule.jwks !== undefined) {
    throw _invalid('jwtRule.jwks', '(inline key set)', 'Istio accepts either jwksUri or jwks, not both', 'drop one of them');
  }
  if (rule.jwksUri !== undefined) {
    let scheme = '';
    try {
      scheme = new URL(rule.jwksUri).protocol;
    } catch {
      scheme = '';
    }
    if (scheme !== 'http:' && scheme !== 'https:') {
      throw _invalid('jwtRule.jwksUri', rule.jwksUri, 'it is not an http:// or https:// URL', 'give the full URL, e.g. "https://accounts.example.com/.well-known/jwks.json"');
    }
    if (rule.jwksUri.length > 2048) throw _invalid('jwtRule.jwksUri', rule.jwksUri, 'a URL has at most 2048 characters', 'shorten it');
  }
  if (rule.jwks !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rule.jwks);
    } catch {
      parsed = undefined;
    }
    const keys = _field(parsed, 'keys');
    if (!parsed || !Array.isArray(keys) || keys.length === 0) {
      throw _invalid('jwtRule.jwks', rule.jwks.slice(0, 40), 'it is not a JSON Web Key Set (a JSON object with a non-empty "keys" array)',
        'paste the issuer\'s JWKS document, or use jwksUri');
    }
  }
  const nonEmpty = (prop: string, values: string[] | undefined) => {
    for (const v of values ?? []) {
      if (typeof v !== 'string' || v.length === 0) throw _invalid(prop, v, 'Istio rejects empty values', 'remove the empty entry');
    }
    return values && values.length > 0 ? [...values] : undefined;
  };
  for (const h of rule.fromHeaders ?? []) {
    if (!h || typeof h.name !== 'string' || h.name.length === 0) throw _invalid('jwtRule.fromHeaders name', h?.name, 'the header name is empty', 'e.g. { name: "x-jwt-assertion" }');
  }
  for (const c of rule.outputClaimToHeaders ?? []) {
    if (!c || !c.claim || !c.header) {
      throw _invalid('jwtRule.outputClaimToHeaders', c, 'claim and header must both be set', 'e.g. { claim: "sub", header: "x-user" }');
    }
    if (!HEADER_NAME.test(c.header)) {
      throw _invalid('jwtRule.outputClaimToHeaders header', c.header, 'a header name has only letters, digits, "-" and "_"', 'e.g. "x-user"');
    }
  }
  if (rule.outputPayloadToHeader !== undefined && !HEADER_NAME.test(rule.outputPayloadToHeader)) {
    throw _invalid('jwtRule.outputPayloadToHeader', rule.outputPayloadToHeader, 'a header name has only letters, digits, "-" and "_"', 'e.g. "x-jwt-payload"');
  }
  return {
    issuer: rule.issuer,
    jwksUri: rule.jwksUri,
    jwks: rule.jwks,
    audiences: nonEmpty('jwtRule.audiences', rule.audiences),
    fromHeaders: rule.fromHeaders && rule.fromHeaders.length > 0 ? rule.fromHeaders.map((h) => ({ name: h.name, prefix: h.prefix })) : undefined,
    fromParams: nonEmpty('jwtRule.fromParams', rule.fromParams),
    fromCookies: nonEmpty('jwtRule.fromCookies', rule.fromCookies),
    forwardOriginalToken: rule.forwardOriginalToken,
    outputClaimToHeaders: rule.outputClaimToHeaders && rule.outputClaimToHeaders.length > 0
      ? rule.outputClaimToHeaders.map((c) => ({ claim: c.claim, header: c.header })) : undefined,
    outputPayloadToHeader: rule.outputPayloadToHeader,
    timeout: rule.jwksFetchTimeout ? _renderDuration('jwtRule.jwksFetchTimeout', rule.jwksFetchTimeout) : undefined,
  };
}

/**
 * The generated converter writes the legacy alias `jwks_uri`; the CRD accepts both, and Istio's
 * documentation (and every hand-written manifest) uses `jwksUri`.
 */
function _jwksUriAsDocumented<T>(spec: T): T {
  for (const rule of _list(_field(spec, 'jwtRules')) as Array<{ jwks_uri?: unknown; jwksUri?: unknown }>) {
    if (rule.jwks_uri !== undefined) {
      rule.jwksUri = rule.jwks_uri;
      delete rule.jwks_uri;
    }
  }
  return spec;
}
