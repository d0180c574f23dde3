import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _checkCondition, _checkIp, _checkServiceAccounts, _checkStrings, _compact, _unique } from './_istio-values';
import { _selectorErrors } from './_selector';
import { _invalid, _show, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import { ExtAuthzProvider } from './ext-authz';
import { HttpMethod, _checkHttpMethod } from './http-method';
import { IMeshIdentity } from './identity';
import * as sec from './imports/istio-security.istio.io';
import { MeshConfigFragment } from './observability/mesh-config';
import { PolicyTargetRef } from './policy-target';
import { _field } from './validation/_json';
import { IMeshWorkload } from './workload';

/**
 * What an AuthorizationPolicy does with the requests its rules match.
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#AuthorizationPolicy-Action
 */
export enum AuthorizationAction {
  /** Allow matching requests (once any ALLOW policy selects a workload, everything else is denied). */
  ALLOW = 'ALLOW',
  /** Deny matching requests (evaluated before ALLOW). */
  DENY = 'DENY',
  /** Mark matching requests for auditing, without allowing or denying them (needs an audit plugin). */
  AUDIT = 'AUDIT',
  /** Delegate the decision to an external authorizer declared in `meshConfig.extensionProviders`. */
  CUSTOM = 'CUSTOM',
}

/**
 * The protocol a rule's ports speak, a hint that lets the library refuse HTTP-only fields on TCP.
 */
export enum RuleProtocol {
  /** HTTP, HTTP/2 or gRPC: every field applies. */
  HTTP = 'HTTP',
  /**
   * Plain TCP (or TLS passthrough): Istio cannot see methods, paths, hosts, JWTs or headers, and a rule
   * using them never matches (an ALLOW rule then denies everything, a DENY rule denies everything).
   */
  TCP = 'TCP',
}

/**
 * A condition (`when`) on a request attribute, e.g. a JWT claim or a header.
 *
 * @see https://istio.io/latest/docs/reference/config/security/conditions/
 */
export interface AuthorizationCondition {
  /**
   * The attribute, e.g. `request.auth.claims[groups]`, `request.headers[x-tenant]`, `source.ip`,
   * `destination.port`, `connection.sni`.
   */
  readonly key: string;
  /**
   * The attribute must match one of these.
   *
   * @default - no positive match (then `notValues` must be set)
   */
  readonly values?: string[];
  /**
   * The attribute must match none of these.
   *
   * @default - no negative match
   */
  readonly notValues?: string[];
}

/**
 * One authorization rule. Everything set in one rule must match (AND); separate rules are alternatives (OR).
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/#Rule
 */
export interface AuthorizationRule {
  /**
   * Callers: service accounts (principals) or whole namespaces. The request must come from one of them.
   *
   * @default - any caller
   */
  readonly from?: IMeshIdentity[];
  /**
   * Callers excluded: the request must come from none of them.
   *
   * @default - none excluded
   */
  readonly notFrom?: IMeshIdentity[];
  /**
   * Callers by service account, as `name` (the policy's namespace) or `namespace/name`. Istio does not
   * accept them together with `from`/`notFrom` (principals and namespaces) in one rule.
   *
   * @default - none
   */
  readonly serviceAccounts?: string[];
  /**
   * Service accounts excluded (same format as `serviceAccounts`).
   *
   * @default - none
   */
  readonly notServiceAccounts?: string[];
  /**
   * Source IPs or CIDR blocks of the connection (`10.1.2.3`, `10.1.0.0/16`).
   *
   * @default - any
   */
  readonly ipBlocks?: string[];
  /**
   * Source IPs or CIDR blocks excluded.
   *
   * @default - none
   */
  readonly notIpBlocks?: string[];
  /**
   * Original client IPs (from `X-Forwarded-For` or the PROXY protocol) or CIDR blocks.
   *
   * @default - any
   */
  readonly remoteIpBlocks?: string[];
  /**
   * Original client IPs or CIDR blocks excluded.
   *
   * @default - none
   */
  readonly notRemoteIpBlocks?: string[];
  /**
   * JWT principals (`<iss>/<sub>`, `*` for any valid token), set by a RequestAuthentication.
   *
   * @default - any (or no) token
   */
  readonly requestPrincipals?: string[];
  /**
   * JWT principals excluded (`["*"]` matches requests without a valid token).
   *
   * @default - none
   */
  readonly notRequestPrincipals?: string[];
  /**
   * HTTP methods.
   *
   * @default - any method
   */
  readonly methods?: HttpMethod[];
  /**
   * HTTP methods excluded.
   *
   * @default - none
   */
  readonly notMethods?: HttpMethod[];
  /**
   * URL paths: exact (`/public`), prefix (`/public/*`), suffix (`*.css`), any (`*`) or a template with
   * whole `{*}` (one segment) and `{**}` (the rest, last) segments (`/api/{*}/items/{**}`).
   *
   * @default - any path
   */
  readonly paths?: string[];
  /**
   * URL paths excluded (same forms as `paths`).
   *
   * @default - none
   */
  readonly notPaths?: string[];
  /**
   * Destination (workload) ports.
   *
   * @default - any port
   */
  readonly ports?: number[];
  /**
   * Destination ports excluded.
   *
   * @default - none
   */
  readonly notPorts?: number[];
  /**
   * Request hosts (`Host`/`:authority`), exact or with a leading/trailing `*`.
   *
   * @default - any host
   */
  readonly hosts?: string[];
  /**
   * Request hosts excluded.
   *
   * @default - none
   */
  readonly notHosts?: string[];
  /**
   * Extra conditions on request attributes (all must hold).
   *
   * @default - none
   */
  readonly when?: AuthorizationCondition[];
  /**
   * The protocol of the ports this rule is about: `RuleProtocol.TCP` refuses HTTP-only fields
   * (methods, paths, hosts, request principals, `request.*` conditions), which never match on TCP.
   *
   * @default - not checked
   */
  readonly protocol?: RuleProtocol;
  /**
   * Match every request: an empty rule `{}`. With ALLOW it allows everything, with DENY it denies
   * everything, so it must be asked for explicitly and cannot be combined with other fields.
   *
   * @default false
   */
  readonly matchAll?: boolean;
}

/**
 * Props of `AuthorizationPolicy`.
 */
export interface AuthorizationPolicyProps extends IstioResourceProps {
  /**
   * The action.
   *
   * @default AuthorizationAction.ALLOW
   */
  readonly action?: AuthorizationAction;
  /**
   * The external authorizer (a `meshConfig.extensionProviders` name). Required with, and only valid
   * with, `AuthorizationAction.CUSTOM`.
   *
   * @default - none
   * @see https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
   */
  readonly provider?: string;
  /**
   * The workload the policy applies to. Exclusive with `targetRefs`.
   *
   * @default - every workload of the namespace (the whole mesh in the root namespace), unless `targetRefs` is set
   */
  readonly selector?: IMeshWorkload;
  /**
   * Attach the policy to Services, ServiceEntries, Gateways (ingress or waypoint) or GatewayClasses
   * instead of selecting workloads (at most 16). Exclusive with `selector`.
   *
   * @default - none
   */
  readonly targetRefs?: PolicyTargetRef[];
  /**
   * Rules (each may also be added with `addRule()`).
   *
   * @default - none
   */
  readonly rules?: AuthorizationRule[];
  /**
   * The "allow nothing" form: an ALLOW policy without rules, which denies every request to the selected
   * workloads (`spec: {}` for a whole namespace). Rules cannot be added to it.
   *
   * @default false
   * @see https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns
   */
  readonly allowNothing?: boolean;
  /**
   * Dry-run the policy (`istio.io/dry-run: "true"`): Envoy logs and counts what it would decide, but does
   * not enforce it.
   *
   * @default false
   * @see https://istio.io/latest/docs/tasks/security/authorization/authz-dry-run/
   */
  readonly dryRun?: boolean;
}

/**
 * Props of a CUSTOM AuthorizationPolicy made with `AuthorizationPolicy.custom()`.
 */
export interface CustomAuthorizationPolicyProps extends IstioResourceProps {
  /**
   * The external authorizer the matching requests are sent to. It is declared on the app's
   * `MeshConfigFragment` (`MeshConfigFragment.of(scope)`), so the fragment's Helm values carry it.
   */
  readonly provider: ExtAuthzProvider;
  /**
   * Requests sent to the authorizer: operations (paths, methods, hosts, ports), IP blocks and conditions
   * (Istio supports no source identities with CUSTOM). Each may also be added with `addRule()`.
   *
   * @default - none; at least one is required at synth (`{ matchAll: true }` sends every request)
   */
  readonly rules?: AuthorizationRule[];
  /**
   * The workload the policy applies to. Exclusive with `targetRefs`.
   *
   * @default - every workload of the namespace (the whole mesh in the root namespace), unless `targetRefs` is set
   */
  readonly selector?: IMeshWorkload;
  /**
   * Services, ServiceEntries, Gateways or GatewayClasses the policy attaches to instead of a selector.
   *
   * @default - none
   */
  readonly targetRefs?: PolicyTargetRef[];
  /**
   * Dry-run the policy (`istio.io/dry-run: "true"`).
   *
   * @default false
   */
  readonly dryRun?: boolean;
}

const MAX_RULES = 512;
const MAX_TARGET_REFS = 16;
const PATH_LITERAL = /^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$/;

/**
 * AuthorizationPolicy (`security.istio.io/v1`): who may do what on a workload.
 *
 * Each rule is one intent: its sources, operation and conditions must all match (AND); the rules of a
 * policy are alternatives (OR). The library refuses what Istio would reject or silently never match:
 * `spiffe://` principals, wildcard service accounts, lowercase methods, malformed paths, HTTP fields on
 * TCP rules, empty rules (use `matchAll: true`), DENY/AUDIT/CUSTOM policies without rules.
 *
 * @example
 * const policy = new AuthorizationPolicy(chart, 'catalog', { selector: catalog });   // catalog: a CanaryService
 * policy.addRule({ from: [MeshIdentity.fromServiceAccount(frontendSa)], methods: [HttpMethod.GET], paths: ['/public'] });
 *
 * @see https://istio.io/latest/docs/reference/config/security/authorization-policy/
 */
export class AuthorizationPolicy extends IstioResource {
  /**
   * A CUSTOM policy: the requests its rules match are checked by an external authorizer (Istio's
   * ext-authz task). The provider is declared on the app's `MeshConfigFragment` (`MeshConfigFragment.of`),
   * so the policy never names an authorizer the mesh config lacks.
   *
   * @param scope the parent construct (usually a Chart), whose namespace the policy gets unless
   * `metadata.namespace` says otherwise
   * @param id the construct id, unique within `scope`
   * @param props the authorizer (`ExtAuthzProvider.http()` / `.grpc()`), rules, selector or targetRefs, dry-run
   * @see https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
   */
  public static custom(scope: Construct, id: string, props: CustomAuthorizationPolicyProps): AuthorizationPolicy {
    if (!props || !(props.provider instanceof ExtAuthzProvider)) {
      throw _invalid('provider', props?.provider, 'a CUSTOM policy needs the external authorizer it delegates to, as an ExtAuthzProvider',
        'pass provider: ExtAuthzProvider.http({ name, service, port }) (or .grpc(...))');
    }
    MeshConfigFragment.of(scope).addExtAuthzProvider(props.provider);
    const { provider, ...rest } = props;
    return new AuthorizationPolicy(scope, id, { ...rest, action: AuthorizationAction.CUSTOM, provider: provider.name });
  }

  public readonly apiObject: ApiObject;
  /** The action. */
  public readonly action: AuthorizationAction;
  /** The selected workload, if any. */
  public readonly selector?: IMeshWorkload;
  /** True for the "allow nothing" form. */
  public readonly allowNothing: boolean;
  private readonly provider?: string;
  private readonly targetRefs: PolicyTargetRef[] = [];
  private readonly rules: sec.AuthorizationPolicySpecRules[] = [];

  /**
   * Defines an AuthorizationPolicy, to which rules can be added later with `addRule()`.
   *
   * @param scope the parent construct (usually a Chart), whose namespace the policy gets unless
   * `metadata.namespace` says otherwise
   * @param id the construct id, unique within `scope`
   * @param props action (default ALLOW), workload `selector` or `targetRefs`, rules, provider for CUSTOM
   */
  constructor(scope: Construct, id: string, props: AuthorizationPolicyProps = {}) {
    super(scope, id, props);
    this.action = props.action ?? AuthorizationAction.ALLOW;
    if (!Object.values(AuthorizationAction).includes(this.action)) {
      throw _invalid('action', this.action, 'it is not an AuthorizationPolicy action', 'use AuthorizationAction.ALLOW, DENY, AUDIT or CUSTOM');
    }
    this.allowNothing = props.allowNothing ?? false;
    if (this.allowNothing && this.action !== AuthorizationAction.ALLOW) {
      throw _invalid('allowNothing', true, `the "allow nothing" form is an ALLOW policy without rules, but action is ${this.action}`,
        'drop `action` (or set AuthorizationAction.ALLOW)');
    }
    if (this.action === AuthorizationAction.CUSTOM) {
      if (typeof props.provider !== 'string' || props.provider.trim().length === 0) {
        throw _invalid('provider', props.provider, 'a CUSTOM policy needs the external authorizer it delegates to',
          'set `provider` to a meshConfig.extensionProviders name, e.g. "ext-authz"');
      }
    } else if (props.provider !== undefined) {
      throw _invalid('provider', props.provider, `a provider is only valid with AuthorizationAction.CUSTOM, action is ${this.action}`,
        'set action: AuthorizationAction.CUSTOM, or drop `provider`');
    }
    this.provider = props.provider;
    this.selector = props.selector;
    for (const ref of props.targetRefs ?? []) this.addTargetRef(ref);

    const annotations = { ...(props.metadata?.annotations ?? {}) };
    if (props.dryRun) annotations['istio.io/dry-run'] = 'true';
    this.apiObject = this._createApiObject(sec.AuthorizationPolicy, {
      metadata: { ...props.metadata, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
      spec: Lazy.any({ produce: () => sec.toJson_AuthorizationPolicySpec(this._toIstio()) }),
    });
    for (const rule of props.rules ?? []) this.addRule(rule);

    this.node.addValidation({ validate: () => this.validatePolicy() });
  }

  /** The attached targets (`targetRefs`). */
  public get targets(): PolicyTargetRef[] {
    return [...this.targetRefs];
  }

  /** Number of (distinct) rules. */
  public get ruleCount(): number {
    return this.distinctRules().length;
  }

  /**
   * Attaches the policy to a Service, ServiceEntry, Gateway or GatewayClass (at most 16; a repeated
   * target is ignored).
   *
   * Rendered into `spec.targetRefs`; Istio accepts it only on a policy without a workload `selector`.
   *
   * @param target the object the policy applies to, e.g. `PolicyTargetRef.service('catalog')`
   */
  public addTargetRef(target: PolicyTargetRef): void {
    if (this.selector) {
      throw _invalid('targetRefs', target.toString(), 'Istio accepts either a workload selector or targetRefs, not both',
        'drop `selector`, or attach the policy with one of them only');
    }
    if (this.targetRefs.some((t) => t.toString() === target.toString())) return;
    if (this.targetRefs.length >= MAX_TARGET_REFS) {
      throw _invalid('targetRefs', target.toString(), `Istio accepts at most ${MAX_TARGET_REFS} targetRefs per policy`,
        'split the targets over several policies');
    }
    this.targetRefs.push(target);
  }

  /**
   * Adds a rule (OR-ed with the others). Everything in one rule must match together. An identical rule
   * added twice is kept once.
   *
   * @param rule one entry of `spec.rules`: sources (`from`), operation (methods, paths, ports, hosts) and
   * `when` conditions, checked now against what Istio would reject
   */
  public addRule(rule: AuthorizationRule): void {
    const rendered = this.renderChecked(rule);
    const key = JSON.stringify(rendered);
    if (this.rules.some((r) => JSON.stringify(r) === key)) return;
    this._pushRule(rendered);
  }

  /**
   * Adds a rule that an intent builder refines later with `_replaceRule()`; returns its index.
   * @internal
   */
  public _addIntentRule(rule: AuthorizationRule): number {
    this._pushRule(this.renderChecked(rule));
    return this.rules.length - 1;
  }

  /**
   * Replaces the rule at `index` (validated eagerly, like addRule()).
   * @internal
   */
  public _replaceRule(index: number, rule: AuthorizationRule): void {
    this.rules[index] = this.renderChecked(rule);
  }

  private renderChecked(rule: AuthorizationRule): sec.AuthorizationPolicySpecRules {
    if (this.allowNothing) {
      throw _invalid('rule', _ruleSummary(rule), 'an "allow nothing" policy has no rules by definition',
        'create a separate ALLOW policy for the rule, or drop `allowNothing`');
    }
    return _renderRule(rule, this.action);
  }

  private _pushRule(rendered: sec.AuthorizationPolicySpecRules): void {
    if (this.rules.length >= MAX_RULES) {
      throw _invalid('rules', this.rules.length + 1, `Istio accepts at most ${MAX_RULES} rules per policy`, 'split the rules over several policies');
    }
    this.rules.push(rendered);
  }

  /** The distinct rules, in the order they were added (a repeated intent is rendered once). */
  private distinctRules(): sec.AuthorizationPolicySpecRules[] {
    const seen = new Set<string>();
    return this.rules.filter((r) => {
      const key = JSON.stringify(r);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  private validatePolicy(): string[] {
    const errors: string[] = [];
    if (this.rules.length === 0 && !this.allowNothing) {
      switch (this.action) {
        case AuthorizationAction.ALLOW:
          errors.push(_invalid('rules', [], 'an ALLOW policy without rules allows nothing: it denies every request to the workloads it selects',
            'add a rule with addRule(), or set allowNothing: true if denying everything is the intent').message);
          break;
        default:
          errors.push(_invalid('rules', [], this.action === AuthorizationAction.AUDIT
            ? 'an AUDIT policy without rules is never triggered'
            : `a ${this.action} policy without rules is never triggered (Istio rejects it)`,
          `add a rule with addRule(); to ${this.action.toLowerCase()} every request add { matchAll: true }`).message);
      }
    }
    return errors.concat(_selectorErrors(this.selector, this.namespace), this.providerErrors());
  }

  /**
   * A CUSTOM policy must name an external authorizer a `MeshConfigFragment` of the app declares: istiod
   * cannot build the ext-authz filter for an unknown provider and then denies every request the policy
   * covers. Checked at synth, when every fragment has been defined.
   */
  private providerErrors(): string[] {
    if (this.action !== AuthorizationAction.CUSTOM || this.provider === undefined) return [];
    const declared = MeshConfigFragment._extAuthzNames(this);
    if (declared.includes(this.provider)) return [];
    const other = MeshConfigFragment._lookup(this, this.provider);
    return [_invalid(`provider of CUSTOM AuthorizationPolicy '${this.node.path}'`, this.provider,
      other !== undefined
        ? `the app declares it, but not as an external authorizer (${other})`
        : `no MeshConfigFragment of this app declares an external authorizer of this name (declared: ${declared.join(', ') || 'none'}), and istiod denies every request a CUSTOM policy with an unknown provider covers`,
      'declare it: new MeshConfigFragment(scope, \'mesh-config\', { extAuthzProviders: [ExtAuthzProvider.http({ name, service, port })] }), or create the policy with AuthorizationPolicy.custom(scope, id, { provider, rules })').message];
  }

  private _toIstio(): sec.AuthorizationPolicySpec {
    return {
      selector: this.selector ? { matchLabels: this.selector.toSelectorLabels() } : undefined,
      targetRefs: this.targetRefs.length > 0
        ? this.targetRefs.map((t) => ({ group: t.group, kind: t.kind, name: t.name }))
        : undefined,
      // ALLOW is Istio's default: written only when a rule exists, so "allow nothing" renders as `{}`
      action: this.allowNothing ? undefined : this.action as unknown as sec.AuthorizationPolicySpecAction,
      provider: this.provider ? { name: this.provider } : undefined,
      rules: this.rules.length > 0 ? this.distinctRules() : undefined,
    };
  }

}

// ---------------------------------------------------------------- internal validation (Istio 1.30 rules)

function _isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function _undefinedIfEmpty(values: string[]): string[] | undefined {
  return values.length > 0 ? values : undefined;
}

function _ruleSummary(rule: AuthorizationRule): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(rule ?? {})) {
    if (!_isSet(v)) continue;
    if ((k === 'from' || k === 'notFrom') && Array.isArray(v)) parts.push(`${k}: [${v.map((i: unknown) => String(i)).join(', ')}]`);
    else parts.push(`${k}: ${_show(v)}`);
  }
  return parts.length > 0 ? `{ ${parts.join('; ')} }` : '{}';
}

/** Adds an identity's principals and namespaces; returns whether it means any source (`anyCaller()`). */
function _collectIdentity(prop: string, id: IMeshIdentity, principals: string[], namespaces: string[]): boolean {
  if (!id || typeof (id as { toMeshIdentityConfig?: unknown }).toMeshIdentityConfig !== 'function') {
    throw _invalid(prop, id, 'it is not an IMeshIdentity', 'use MeshIdentity.fromServiceAccount(sa), MeshIdentity.of(ns, sa) or MeshIdentity.namespace(ns)');
  }
  const cfg = id.toMeshIdentityConfig();
  if (cfg.anySource === true) {
    if (prop.endsWith('notFrom')) {
      throw _invalid(prop, String(id), 'excluding every caller makes the rule never match', 'name the callers to exclude, or drop the rule');
    }
    return true;
  }
  if ((cfg.principals ?? []).length === 0 && (cfg.namespaces ?? []).length === 0) {
    throw _invalid(prop, id.identityKey, 'the identity names no principal and no namespace, so the rule would silently match every caller',
      'return principals or namespaces from toMeshIdentityConfig(), or use MeshIdentity.anyCaller() if any caller is meant');
  }
  for (const p of cfg.principals ?? []) {
    if (typeof p !== 'string' || p.trim().length === 0) {
      throw _invalid(`${prop} principal`, p, 'Istio rejects empty values', 'give a principal such as "cluster.local/ns/shop/sa/frontend"');
    }
    if (p.startsWith('spiffe://')) {
      throw _invalid(`${prop} principal`, p, 'Istio adds the "spiffe://" prefix itself, so a rule with it never matches',
        `drop the prefix: "${p.slice('spiffe://'.length)}" (MeshIdentity renders principals correctly)`);
    }
    principals.push(p);
  }
  for (const n of cfg.namespaces ?? []) {
    if (typeof n !== 'string' || n.trim().length === 0) {
      throw _invalid(`${prop} namespace`, n, 'Istio rejects empty values', 'use MeshIdentity.namespace(NamespaceRef.named("shop"))');
    }
    namespaces.push(n);
  }
  return false;
}

function _checkIps(prop: string, values: string[] | undefined): string[] | undefined {
  const checked = _checkStrings(prop, values);
  for (const v of checked ?? []) _checkIp(prop, v);
  return checked;
}

function _checkMethods(prop: string, values: HttpMethod[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  for (const m of values) _checkHttpMethod(prop, m);
  return _unique(values);
}

function _checkPorts(prop: string, values: number[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  for (const p of values) _validatePort(prop, p, 'give the workload (container) port, e.g. 8080');
  return _unique(values.map((p) => String(p)));
}

function _checkHosts(prop: string, values: string[] | undefined): string[] | undefined {
  const checked = _checkStrings(prop, values);
  for (const h of checked ?? []) {
    if (/\s/.test(h)) throw _invalid(prop, h, 'a host has no whitespace', 'give a host such as "shop.example.com" or "*.example.com"');
  }
  return checked;
}

function _checkPaths(prop: string, values: string[] | undefined): string[] | undefined {
  const checked = _checkStrings(prop, values);
  for (const p of checked ?? []) _checkPath(prop, p);
  return checked;
}

function _checkPath(prop: string, path: string): void {
  const templated = path.includes('{*}') || path.includes('{**}');
  if (path === '*' || (!templated && path.startsWith('*') && !path.slice(1).includes('*') && !/[{}]/.test(path))) {
    return; // presence ("*") or suffix ("*.css") match
  }
  if (!path.startsWith('/')) {
    throw _invalid(prop, path, 'a path starts with "/" (or is a "*" / "*suffix" wildcard)', `use "/${path.replace(/^\/*/, '')}"`);
  }
  if (templated) {
    if (path.includes('*') && path.replace(/\{\*\*?\}/g, '').includes('*')) {
      throw _invalid(prop, path, 'a path template cannot be combined with "*" prefix or suffix matching', 'use only whole {*} / {**} segments, e.g. "/api/{*}/items"');
    }
    let sawAny = false;
    for (const seg of path.replace(/^\/+|\/+$/g, '').split('/')) {
      if (seg === '{*}' || seg === '{**}') {
        if (sawAny) {
          throw _invalid(prop, path, '{**} must be the last operator of a path template', 'move {**} to the end, e.g. "/api/{*}/{**}"');
        }
        if (seg === '{**}') sawAny = true;
        continue;
      }
      if (/[{}]/.test(seg)) {
        throw _invalid(prop, path, `segment "${seg}" has "{" or "}" outside the supported templates {*} and {**}, which must be whole segments`,
          'use whole {*} (one segment) or {**} (the rest) segments, e.g. "/api/{*}/items"');
      }
      if (!PATH_LITERAL.test(seg)) {
        throw _invalid(prop, path, `segment "${seg}" is not a valid literal in a path template`, 'use RFC 3986 path characters (letters, digits, -._~%!$&\'()+,;:@=)');
      }
    }
    return;
  }
  if (/[{}]/.test(path)) {
    throw _invalid(prop, path, '"{" and "}" are only allowed in the path templates {*} and {**}, as whole segments',
      'use e.g. "/api/{*}/items" or "/api/{**}"');
  }
  const star = path.indexOf('*');
  if (star >= 0 && star !== path.length - 1) {
    throw _invalid(prop, path, '"*" is a wildcard only at the start or the end of a path; elsewhere it is a literal that never matches',
      'use a prefix ("/api/*"), a suffix ("*.css") or a template ("/api/{*}/items")');
  }
}

/**
 * Validates and renders one rule (Istio JSON field names equal the TS ones for rules).
 *  */
function _renderRule(rule: AuthorizationRule, action: AuthorizationAction): sec.AuthorizationPolicySpecRules {
  const r = rule ?? {};
  const fields = Object.keys(r).filter((k) => k !== 'protocol' && k !== 'matchAll' && _isSet(_field(r, k)));
  if (r.matchAll) {
    if (fields.length > 0) {
      throw _invalid('rule.matchAll', true, `matchAll renders the empty rule {} that matches every request, but the rule also sets ${fields.join(', ')}`,
        'drop matchAll, or drop the other fields');
    }
    return {};
  }
  if (fields.length === 0) {
    throw _invalid('rule', _ruleSummary(r), `an empty rule matches every request, so it would ${action === AuthorizationAction.ALLOW ? 'allow' : action.toLowerCase()} everything`,
      'give the rule a source, an operation or a condition, or set matchAll: true if matching everything is the intent');
  }

  // --- sources
  const principals: string[] = [];
  const namespaces: string[] = [];
  const notPrincipals: string[] = [];
  const notNamespaces: string[] = [];
  let anySource = false;
  for (const id of r.from ?? []) anySource = _collectIdentity('rule.from', id, principals, namespaces) || anySource;
  for (const id of r.notFrom ?? []) _collectIdentity('rule.notFrom', id, notPrincipals, notNamespaces);
  // any caller among the alternatives: the rule names no principal or namespace (any source matches)
  if (anySource) principals.length = namespaces.length = 0;
  const serviceAccounts = _checkServiceAccounts('rule.serviceAccounts', r.serviceAccounts);
  const notServiceAccounts = _checkServiceAccounts('rule.notServiceAccounts', r.notServiceAccounts);
  if ((serviceAccounts || notServiceAccounts) && (principals.length + namespaces.length + notPrincipals.length + notNamespaces.length) > 0) {
    throw _invalid('rule.serviceAccounts', serviceAccounts ?? notServiceAccounts, 'Istio rejects serviceAccounts together with principals or namespaces (`from`/`notFrom`) in one rule',
      'express the callers either as identities in `from` or as `serviceAccounts`, or use two rules');
  }
  const common: sec.AuthorizationPolicySpecRulesFromSource = {
    notPrincipals: _undefinedIfEmpty(_unique(notPrincipals)),
    notNamespaces: _undefinedIfEmpty(_unique(notNamespaces)),
    serviceAccounts,
    notServiceAccounts,
    ipBlocks: _checkIps('rule.ipBlocks', r.ipBlocks),
    notIpBlocks: _checkIps('rule.notIpBlocks', r.notIpBlocks),
    remoteIpBlocks: _checkIps('rule.remoteIpBlocks', r.remoteIpBlocks),
    notRemoteIpBlocks: _checkIps('rule.notRemoteIpBlocks', r.notRemoteIpBlocks),
    requestPrincipals: _checkStrings('rule.requestPrincipals', r.requestPrincipals),
    notRequestPrincipals: _checkStrings('rule.notRequestPrincipals', r.notRequestPrincipals),
  };
  // principals and namespaces in one source would be AND-ed; identities are alternatives, so each kind
  // gets its own source (sources are OR-ed), each carrying the other constraints
  const sources: sec.AuthorizationPolicySpecRulesFromSource[] = [];
  if (principals.length > 0) sources.push(_compact({ principals: _unique(principals), ...common }));
  if (namespaces.length > 0) sources.push(_compact({ namespaces: _unique(namespaces), ...common }));
  if (sources.length === 0) {
    const only = _compact({ ...common });
    if (Object.keys(only).length > 0) sources.push(only);
  }

  // --- operation
  const operation: sec.AuthorizationPolicySpecRulesToOperation = _compact({
    hosts: _checkHosts('rule.hosts', r.hosts),
    notHosts: _checkHosts('rule.notHosts', r.notHosts),
    methods: _checkMethods('rule.methods', r.methods),
    notMethods: _checkMethods('rule.notMethods', r.notMethods),
    paths: _checkPaths('rule.paths', r.paths),
    notPaths: _checkPaths('rule.notPaths', r.notPaths),
    ports: _checkPorts('rule.ports', r.ports),
    notPorts: _checkPorts('rule.notPorts', r.notPorts),
  });

  // --- conditions
  const when = (r.when ?? []).map((c) => _checkCondition(c));

  // --- cross-field checks
  if (r.protocol !== undefined && !Object.values(RuleProtocol).includes(r.protocol)) {
    throw _invalid('rule.protocol', r.protocol, 'it is not a rule protocol', 'use RuleProtocol.HTTP or RuleProtocol.TCP');
  }
  if (r.protocol === RuleProtocol.TCP) {
    const httpOnly = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts', 'requestPrincipals', 'notRequestPrincipals']
      .filter((k) => _isSet(_field(r, k)))
      .concat(when.filter((c) => c.key.startsWith('request.')).map((c) => `when ${c.key}`));
    if (httpOnly.length > 0) {
      throw _invalid('rule', _ruleSummary(r), `${httpOnly.join(', ')} ${httpOnly.length === 1 ? 'is' : 'are'} HTTP-only, and on a TCP port Istio cannot see them, so the rule never matches as written`,
        'drop the HTTP-only fields for TCP ports (keep sources, ipBlocks and ports), or put them in a rule for an HTTP port');
    }
  }
  if (action === AuthorizationAction.CUSTOM) {
    const unsupported = [
      ['from', principals.length + namespaces.length], ['notFrom', notPrincipals.length + notNamespaces.length],
      ['serviceAccounts', serviceAccounts?.length ?? 0], ['notServiceAccounts', notServiceAccounts?.length ?? 0],
      ['requestPrincipals', r.requestPrincipals?.length ?? 0], ['notRequestPrincipals', r.notRequestPrincipals?.length ?? 0],
    ].filter(([, n]) => (n as number) > 0).map(([k]) => k as string)
      .concat(when.map((c) => c.key).filter((k) => ['source.namespace', 'source.serviceAccount', 'source.principal'].includes(k) || k.startsWith('request.auth.')));
    if (unsupported.length > 0) {
      throw _invalid('rule', _ruleSummary(r), `Istio does not support ${unsupported.join(', ')} with the CUSTOM action`,
        'match on operations, ipBlocks or other conditions, and let the external authorizer check identities');
    }
  }

  return _compact({
    from: sources.length > 0 ? sources.map((source) => ({ source })) : undefined,
    to: Object.keys(operation).length > 0 ? [{ operation }] : undefined,
    when: when.length > 0 ? when : undefined,
  });
}
