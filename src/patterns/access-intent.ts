import { AuthorizationCondition, AuthorizationPolicy, AuthorizationRule, RuleProtocol } from '../authorization-policy';
import { IMeshDestination } from '../host';
import { HttpMethod } from '../http-method';
import { IMeshIdentity } from '../identity';
import { IMeshWorkload } from '../workload';

/**
 * Options of the target of an access intent.
 */
export interface AccessTargetOptions {
  /**
   * The Service in front of the target, for ambient namespaces with a waypoint: the policy then
   * attaches to it (`targetRefs`) and the waypoint enforces it.
   *
   * `ServiceHost.fromService(svc)` or `ServiceHost.inNamespace(namespace, name)`.
   *
   * @default - derived from the target when it is also an IMeshDestination of this cluster; required otherwise in ambient mode with a waypoint
   */
  readonly service?: IMeshDestination;
}

/**
 * Options of an access intent: what the caller may do. All set fields must match together (one rule).
 */
export interface AccessOptions extends AccessTargetOptions {
  /**
   * Allowed HTTP methods.
   *
   * @default - any method
   */
  readonly methods?: HttpMethod[];
  /**
   * Allowed paths (exact `/public`, prefix `/public/*`, suffix `*.css`, templates `/items/{*}`).
   *
   * @default - any path
   */
  readonly paths?: string[];
  /**
   * Allowed workload ports.
   *
   * @default - any port
   */
  readonly ports?: number[];
  /**
   * Allowed request hosts (`Host` header).
   *
   * @default - any host
   */
  readonly hosts?: string[];
  /**
   * Extra conditions (e.g. JWT claims, headers).
   *
   * @default - none
   */
  readonly when?: AuthorizationCondition[];
  /**
   * The protocol of the ports (`RuleProtocol.TCP` refuses HTTP-only fields).
   *
   * @default - not checked
   */
  readonly protocol?: RuleProtocol;
}

/**
 * One access intent ("`from` may ... on `to`"), refined fluently: each call narrows the same rule
 * (AND). The rule is an ALLOW rule in the target's AuthorizationPolicy; repeating an identical intent
 * renders it once.
 *
 * @example
 * shop.allowServiceAccount(frontendSa).to(catalog).methods(HttpMethod.GET).paths('/public');
 */
export class AccessRule {
  /** @internal */
  public static _create(policy: AuthorizationPolicy, caller: IMeshIdentity, target: IMeshWorkload, checkL7: (field: string) => void,
    options: AccessOptions = {}): AccessRule {
    return new AccessRule(policy, caller, target, checkL7, options);
  }

  private rule: AuthorizationRule;
  private readonly index: number;

  private constructor(
    /** The AuthorizationPolicy holding this rule. */
    public readonly policy: AuthorizationPolicy,
    /** Who may call. */
    public readonly caller: IMeshIdentity,
    /** What is called. */
    public readonly target: IMeshWorkload,
    private readonly checkL7: (field: string) => void,
    options: AccessOptions,
  ) {
    // the rule starts with all of `options` (grantAccess()): rendered and checked once
    if (options.methods?.length) checkL7('methods');
    if (options.paths?.length) checkL7('paths');
    if (options.hosts?.length) checkL7('hosts');
    for (const c of options.when ?? []) if (typeof c?.key === 'string' && c.key.startsWith('request.')) checkL7(`when ${c.key}`);
    const { methods, paths, ports, hosts, when, protocol } = options;
    const rule = withChanges({ from: [caller] }, { methods, paths, ports, hosts, when, protocol });
    this.index = policy._addIntentRule(rule); // validates eagerly; on error no rule is added
    this.rule = rule;
  }

  /**
   * Only these HTTP methods (the rule's `to[].operation.methods`).
   *
   * Adds to methods given before; an HTTP field, refused in an ambient namespace without a waypoint
   * and together with `tcpPorts()`.
   *
   * @param methods e.g. `HttpMethod.GET`, `HttpMethod.POST`
   */
  public methods(...methods: HttpMethod[]): AccessRule {
    this.checkL7('methods');
    return this.refine({ methods: [...(this.rule.methods ?? []), ...methods] });
  }

  /**
   * Only these paths (the rule's `to[].operation.paths`).
   *
   * Adds to paths given before; an HTTP field, refused in an ambient namespace without a waypoint and
   * together with `tcpPorts()`.
   *
   * @param paths exact (`/public`), prefix (`/public/*`), suffix (`*.css`) or template (`/items/{*}`) paths
   */
  public paths(...paths: string[]): AccessRule {
    this.checkL7('paths');
    return this.refine({ paths: [...(this.rule.paths ?? []), ...paths] });
  }

  /**
   * Only these request hosts (the `Host` header; the rule's `to[].operation.hosts`).
   *
   * Adds to hosts given before; an HTTP field, refused in an ambient namespace without a waypoint and
   * together with `tcpPorts()`.
   *
   * @param hosts e.g. `catalog.shop.svc.cluster.local`, `*.example.com`
   */
  public hosts(...hosts: string[]): AccessRule {
    this.checkL7('hosts');
    return this.refine({ hosts: [...(this.rule.hosts ?? []), ...hosts] });
  }

  /**
   * Only these workload ports (the rule's `to[].operation.ports`).
   *
   * @param ports port numbers (1-65535), added to any given before
   */
  public ports(...ports: number[]): AccessRule {
    return this.refine({ ports: [...(this.rule.ports ?? []), ...ports] });
  }

  /**
   * Only these workload ports, which speak plain TCP (HTTP-only refinements are then refused).
   *
   * @param ports port numbers (1-65535) that carry TCP, added to any given before
   */
  public tcpPorts(...ports: number[]): AccessRule {
    return this.refine({ ports: [...(this.rule.ports ?? []), ...ports], protocol: RuleProtocol.TCP });
  }

  /**
   * Only when the attribute `key` has one of `values` (e.g. `request.auth.claims[groups]`).
   *
   * Renders one `when` condition; `request.*` keys need HTTP (refused in an ambient namespace without a
   * waypoint).
   *
   * @param key an Istio authorization condition key, e.g. `request.auth.claims[groups]`,
   * `source.namespace`, `request.headers[x-tenant]`
   * @param values the accepted values (any one matches)
   */
  public when(key: string, ...values: string[]): AccessRule {
    if (typeof key === 'string' && key.startsWith('request.')) this.checkL7(`when ${key}`);
    return this.refine({ when: [...(this.rule.when ?? []), { key, values }] });
  }

  /**
   * The plain-TCP ports this rule allows (`tcpPorts()`), else none.
   * @internal
   */
  public _tcpPorts(): number[] {
    return this.rule.protocol === RuleProtocol.TCP ? [...(this.rule.ports ?? [])] : [];
  }

  private refine(change: AuthorizationRule): AccessRule {
    const next = withChanges(this.rule, change);
    this.policy._replaceRule(this.index, next); // validates eagerly; on error nothing changes
    this.rule = next;
    return this;
  }
}

/** `rule` with the fields `change` defines replaced (undefined fields of `change` leave `rule`'s). */
function withChanges(rule: AuthorizationRule, change: AuthorizationRule): AuthorizationRule {
  const next: AuthorizationRule = { ...rule };
  for (const [k, v] of Object.entries(change)) if (v !== undefined) (next as any)[k] = v;
  return next;
}

/**
 * The first half of an access intent: who calls. Finish it with `to(workload)`.
 *
 * @example
 * shop.allow(MeshIdentity.fromServiceAccount(frontendSa)).to(catalog).methods(HttpMethod.GET).paths('/public');
 */
export class AccessIntent {
  /** @internal */
  public static _create(caller: IMeshIdentity, finish: (target: IMeshWorkload, options: AccessTargetOptions) => AccessRule): AccessIntent {
    return new AccessIntent(caller, finish);
  }

  private constructor(
    /** Who calls. */
    public readonly caller: IMeshIdentity,
    private readonly finish: (target: IMeshWorkload, options: AccessTargetOptions) => AccessRule,
  ) {}

  /**
   * Names the workload that may be called, and adds the ALLOW rule to its policy.
   *
   * Returns the rule, to narrow with `methods()`, `paths()`, `ports()`.
   *
   * @param workload the called workload (its pods are the policy's selector, or, with a waypoint, its
   * Service is the policy's target)
   * @param options the Service in front of the workload (needed with a waypoint when it cannot be derived)
   */
  public to(workload: IMeshWorkload, options: AccessTargetOptions = {}): AccessRule {
    return this.finish(workload, options);
  }
}
