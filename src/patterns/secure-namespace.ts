import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _K8sObject } from '../_k8s';
import { _parseServiceFqdn } from '../_naming';
import { _checkProps, _invalid, _suggestName, _validateDnsLabel, _validateDnsSubdomain, _validateLabels } from '../_utils';
import { AuthorizationAction, AuthorizationCondition, AuthorizationPolicy } from '../authorization-policy';
import { ExtAuthzProvider } from '../ext-authz';
import { IMeshDestination } from '../host';
import { IMeshIdentity, MeshIdentity } from '../identity';
import { EnrolmentMode, MeshEnrolment, _ENROLMENT_LABELS } from '../mesh-enrolment';
import { INamespaceRef } from '../namespace-ref';
import { MtlsMode, PeerAuthentication } from '../peer-authentication';
import { PolicyTargetRef } from '../policy-target';
import { JwtRule, RequestAuthentication } from '../request-authentication';
import { Waypoint } from '../waypoint';
import { IMeshWorkload } from '../workload';
import { AccessIntent, AccessOptions, AccessRule, AccessTargetOptions } from './access-intent';

/**
 * Props of `SecureNamespace`.
 */
export interface SecureNamespaceProps {
  /**
   * The namespace name.
   *
   * @default - the name of `namespace` (one of the two is required)
   */
  readonly name?: string;
  /**
   * Adopt a Namespace defined elsewhere in the app (a cdk8s-plus Namespace of any version, a plain
   * `ApiObject`, or one imported with `cdk8s import k8s`): the enrolment labels are added to it.
   *
   * @default - a Namespace is created (unless `createNamespace` is false)
   */
  readonly namespace?: IConstruct;
  /**
   * Create the Namespace object. Set to false when the namespace exists already and is managed outside
   * this app: the policies are still created in it, but its enrolment labels are then the owner's job
   * (`enrolment` still tells the library which mode the namespace runs in).
   *
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * How pods join the mesh: exactly one of sidecar injection, a control-plane revision, or ambient.
   *
   * @default MeshEnrolment.sidecarInjection()
   */
  readonly enrolment?: MeshEnrolment;
  /**
   * Namespace-wide mTLS mode (a PeerAuthentication named `default`). `MtlsMode.PERMISSIVE` is the
   * migration setting while clients outside the mesh remain: stage PERMISSIVE -> STRICT.
   * `MtlsMode.UNSET` creates no PeerAuthentication (the mesh-wide mode applies). Per-workload or
   * per-port exceptions: `addMtlsException()`.
   *
   * @default MtlsMode.STRICT
   * @see https://istio.io/latest/docs/tasks/security/authentication/mtls-migration/
   */
  readonly mtlsMode?: MtlsMode;
  /**
   * Deny every request that no ALLOW policy matches (an "allow nothing" AuthorizationPolicy named
   * `allow-nothing`). Access is then granted intent by intent with `allow()`.
   *
   * @default true
   * @see https://istio.io/latest/docs/ops/best-practices/security/#use-default-deny-patterns
   */
  readonly defaultDeny?: boolean;
  /**
   * The mesh's trust domain, used for identities the namespace derives itself (the waypoint's).
   *
   * @default "cluster.local"
   */
  readonly trustDomain?: string;
}

/**
 * Options of `addMtlsException()`.
 */
export interface MtlsExceptionOptions {
  /**
   * The mode for the workload (or for `ports`).
   *
   * @default MtlsMode.PERMISSIVE
   */
  readonly mode?: MtlsMode;
  /**
   * Only these ports get `mode`; the rest of the workload keeps the namespace mode.
   *
   * @default - the whole workload
   */
  readonly ports?: number[];
}

/**
 * Options of `requireJwt()`: the issuer, plus where the requirement applies.
 */
export interface RequireJwtOptions extends JwtRule {
  /**
   * The workload that requires a token.
   *
   * @default - every workload of the namespace
   */
  readonly workload?: IMeshWorkload;
  /**
   * Claims the token must carry: claim name -> accepted values (any one of them). Nested claims use
   * `.` (e.g. `realm_access.roles`).
   *
   * @default - any valid token
   */
  readonly requiredClaims?: { [claim: string]: string[] };
  /**
   * The Service in front of `workload` (ambient namespaces with a waypoint attach to it):
   * `ServiceHost.fromService(svc)` or `ServiceHost.inNamespace(namespace, name)`.
   *
   * @default - derived from `workload` when it is also an IMeshDestination
   */
  readonly service?: IMeshDestination;
  /**
   * Ports the token requirement does not apply to: the plain-TCP ports that `tcpPorts()` intents allow on
   * the same workloads. A DENY rule on request principals also matches TCP connections (they carry no
   * JWT), so without this the TCP intents are silently blocked; the synth-time checks report such a
   * conflict with this fix. Rendered as `to[].operation.notPorts` of the DENY rules.
   *
   * @default - none: every port requires a token
   */
  readonly exceptTcpPorts?: number[];
}

/**
 * Options of `requireExternalAuthorization()`: the authorizer, and which requests it checks.
 */
export interface ExternalAuthorizationOptions {
  /** The external authorizer (declared on the app's `MeshConfigFragment`). */
  readonly provider: ExtAuthzProvider;
  /**
   * The workload whose requests are checked.
   *
   * @default - every workload of the namespace
   */
  readonly workload?: IMeshWorkload;
  /**
   * Only requests to these paths are checked (Istio's path syntax: exact, `prefix*`, `*suffix`).
   *
   * @default - every request
   */
  readonly paths?: string[];
  /**
   * The Service in front of `workload` (ambient namespaces with a waypoint attach to it).
   *
   * `ServiceHost.fromService(svc)` or `ServiceHost.inNamespace(namespace, name)`.
   *
   * @default - derived from `workload` when it is also an IMeshDestination
   */
  readonly service?: IMeshDestination;
}

/**
 * Options of `allowJwt()`: the issuer, where the rule applies, and which token holders it lets in.
 */
export interface AllowJwtOptions extends JwtRule {
  /**
   * The workload the token holders may call.
   *
   * @default - every workload of the namespace
   */
  readonly workload?: IMeshWorkload;
  /**
   * The request principals let in: `<iss>/<sub>` of the token, with `*` as Istio matches it (alone: any
   * valid token; as a prefix or suffix: a suffix or prefix match, e.g. `https://accounts.example.com/*`).
   *
   * @default - [`<issuer>/*`]: any valid token of `issuer`
   */
  readonly requestPrincipals?: string[];
  /**
   * Claims the token must carry as well: claim name -> accepted values (any one of them). Nested claims
   * use `.` (e.g. `realm_access.roles`).
   *
   * @default - no claim required
   */
  readonly requiredClaims?: { [claim: string]: string[] };
  /**
   * The Service in front of `workload` (ambient namespaces with a waypoint attach to it):
   * `ServiceHost.fromService(svc)` or `ServiceHost.inNamespace(namespace, name)`.
   *
   * @default - derived from `workload` when it is also an IMeshDestination
   */
  readonly service?: IMeshDestination;
}

/**
 * What `requireJwt()` created.
 */
export interface JwtRequirement {
  /** Validates tokens of the issuer (rejects invalid ones). */
  readonly requestAuthentication: RequestAuthentication;
  /**
   * `requireJwt()`: the DENY policy that rejects requests without a valid token (and without the required
   * claims); `allowJwt()`: the ALLOW policy that lets the listed request principals in.
   */
  readonly authorizationPolicy: AuthorizationPolicy;
}

/**
 * Options of `SecureNamespace.meshWideStrictMtls()`.
 */
export interface MeshWideMtlsOptions {
  /**
   * The Istio root namespace (`meshConfig.rootNamespace`).
   *
   * @default "istio-system"
   */
  readonly rootNamespace?: string;
}

/**
 * The per-version Services in front of `target` when it routes to them (a CanaryService in the Gateway API
 * dialect, whose Service is `service`): an L7 rule on the Service must also cover them.
 */
function versionServicesOf(target: IMeshWorkload | undefined, service: string): string[] {
  const t = target as { _versionServiceNames?: () => string[]; workloadKey?: string } | undefined;
  return t && typeof t._versionServiceNames === 'function' && t.workloadKey === service ? t._versionServiceNames() : [];
}

/** The SecureNamespace of each namespace name, per app (construct tree root). */
const REGISTRY = new WeakMap<IConstruct, Map<string, SecureNamespace>>();

/**
 * A namespace enrolled in the mesh and locked down: STRICT mTLS and default-deny, with access granted
 * intent by intent ("frontend may only GET /public on catalog").
 *
 * Creates (or adopts) the Namespace with its enrolment labels, a namespace-wide PeerAuthentication
 * `default` (STRICT) and an "allow nothing" AuthorizationPolicy; in ambient mode optionally a waypoint.
 * Every default can be switched off.
 *
 * @example
 * const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
 * shop.allowServiceAccount(frontendSa).to(catalog).methods(HttpMethod.GET).paths('/public'); // catalog: a CanaryService
 */
export class SecureNamespace extends Construct implements INamespaceRef {
  /**
   * The SecureNamespace named `name` in the app of `scope`, if the app defines one (indexed, O(1)).
   *
   * @internal
   */
  public static _lookup(scope: IConstruct, name: string): SecureNamespace | undefined {
    return REGISTRY.get(scope.node.root)?.get(name);
  }

  /**
   * The SecureNamespace of namespace `namespaceName` in the app of `scope`: the one the app already
   * defines (anywhere), else a new one made with `props` in the Chart of `scope` (construct id
   * `SecureNamespace-<namespaceName>`). Constructs built on top (a platform's own service construct)
   * share one per namespace this way without passing it through their props; defining two for one
   * namespace is an error at synth (MESH005).
   *
   * @param scope any construct of the app (the new one is created in its Chart)
   * @param namespaceName the namespace name
   * @param props the settings used when it is created here (ignored when it exists already)
   */
  public static of(scope: IConstruct, namespaceName: string, props: SecureNamespaceProps = {}): SecureNamespace {
    _validateDnsLabel('namespaceName', namespaceName);
    if (props.name !== undefined && props.name !== namespaceName) {
      throw _invalid('props.name', props.name, `it differs from the namespace asked for ("${namespaceName}")`, 'leave props.name out');
    }
    return SecureNamespace._lookup(scope, namespaceName)
      ?? new SecureNamespace(Chart.of(scope), `SecureNamespace-${namespaceName}`, { ...props, name: namespaceName });
  }

  /**
   * STRICT mTLS for the whole mesh: a PeerAuthentication `default` in the root namespace.
   *
   * @param scope the construct to create the PeerAuthentication in (usually a Chart of the platform app)
   * @param id the construct id, unique within `scope`
   * @param options the root namespace (default `istio-system`)
   */
  public static meshWideStrictMtls(scope: Construct, id: string, options: MeshWideMtlsOptions = {}): PeerAuthentication {
    const root = _validateDnsLabel('rootNamespace', options.rootNamespace ?? 'istio-system');
    return new PeerAuthentication(scope, id, { metadata: { name: 'default', namespace: root }, mtlsMode: MtlsMode.STRICT });
  }

  /** The namespace name. */
  public readonly name: string;
  /** The Namespace object (created or adopted), when this app defines it. */
  public readonly namespace?: ApiObject;
  /** How the namespace's pods join the mesh. */
  public readonly enrolment: MeshEnrolment;
  /** The namespace-wide PeerAuthentication (undefined with `mtlsMode: MtlsMode.UNSET`). */
  public readonly peerAuthentication?: PeerAuthentication;
  /** The "allow nothing" policy (undefined with `defaultDeny: false`). */
  public readonly denyAll?: AuthorizationPolicy;
  /** The ambient waypoint, when enabled. */
  public readonly waypoint?: Waypoint;
  /** The "allow nothing" policy attached to the waypoint (ambient with a waypoint and default deny). */
  public readonly waypointDenyAll?: AuthorizationPolicy;
  /**
   * The L4 policy letting the waypoint reach the namespace's workloads through the namespace-wide
   * default-deny (ztunnel sees the waypoint, not the original caller, as the source).
   */
  public readonly waypointAccess?: AuthorizationPolicy;
  private readonly trustDomain: string;
  private readonly intentPolicies: AuthorizationPolicy[] = [];
  private readonly accessRules: AccessRule[] = [];
  private readonly jwtRequirements: Array<{ workload?: IMeshWorkload; policy: AuthorizationPolicy; exceptTcpPorts: number[] }> = [];

  /**
   * Creates (or adopts) the namespace, its PeerAuthentication and default-deny policy (and in ambient mode
   * its waypoint); one per namespace (see `SecureNamespace.of()`).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the namespace name (or object), enrolment, mTLS mode, default deny and trust domain
   */
  constructor(scope: Construct, id: string, props: SecureNamespaceProps = {}) {
    super(scope, id);
    _checkProps('props', props, false, '{ name: "shop" }');
    const createNamespace = props.createNamespace ?? true;
    const adopted = props.namespace === undefined ? undefined
      : _K8sObject.of('namespace', props.namespace, ['Namespace'], 'pass the Namespace object, or give only the `name`');
    if (adopted && !createNamespace) {
      throw _invalid('createNamespace', false, 'an adopted `namespace` object is defined by this app, so it is created',
        'drop `createNamespace: false`, or drop `namespace` and give only the `name`');
    }
    const name = props.name ?? adopted?.name;
    if (name === undefined) {
      throw _invalid('name', name, 'the namespace has no name', 'set `name`, or pass an existing Namespace object as `namespace`');
    }
    this.name = _validateDnsLabel('name', name);
    const registry = REGISTRY.get(this.node.root) ?? new Map<string, SecureNamespace>();
    REGISTRY.set(this.node.root, registry);
    if (!registry.has(this.name)) registry.set(this.name, this);
    if (adopted && props.name !== undefined && adopted.name !== props.name) {
      throw _invalid('name', props.name, `it differs from the adopted namespace's name "${adopted.name}"`, 'drop `name` or make them equal');
    }
    this.enrolment = props.enrolment ?? MeshEnrolment.sidecarInjection();
    this.trustDomain = MeshIdentity._validateTrustDomain(props.trustDomain ?? 'cluster.local');

    const mtlsMode = props.mtlsMode ?? MtlsMode.STRICT;
    if (mtlsMode === MtlsMode.DISABLE) {
      throw _invalid('mtlsMode', mtlsMode, 'a secure namespace does not accept plaintext namespace-wide',
        'use MtlsMode.PERMISSIVE while migrating, or addMtlsException(workload, { mode: MtlsMode.DISABLE, ports }) for the one workload or port that needs it');
    }
    if (!Object.values(MtlsMode).includes(mtlsMode)) {
      throw _invalid('mtlsMode', mtlsMode, 'it is not an mTLS mode', 'use MtlsMode.STRICT or MtlsMode.PERMISSIVE');
    }

    // --- the Namespace and its enrolment labels
    if (createNamespace) this.namespace = this.enrolNamespace(adopted);

    // --- ambient waypoint
    if (this.enrolment.hasWaypoint) {
      this.waypoint = new Waypoint(this, 'Waypoint', {
        metadata: { name: this.enrolment.waypointName, namespace: this.name },
        trafficType: this.enrolment.waypointTrafficType,
      });
    }

    // --- STRICT mTLS
    if (mtlsMode !== MtlsMode.UNSET) {
      this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', {
        metadata: { name: 'default', namespace: this.name },
        mtlsMode,
      });
    }

    this.node.addValidation({ validate: () => this.jwtTcpConflicts() });

    // --- default deny
    if (props.defaultDeny ?? true) {
      this.denyAll = new AuthorizationPolicy(this, 'AllowNothing', {
        metadata: { name: 'allow-nothing', namespace: this.name },
        allowNothing: true,
      });
      if (this.waypoint) {
        // the waypoint enforces only policies attached to it or to a Service: deny by default there too
        this.waypointDenyAll = new AuthorizationPolicy(this, 'WaypointAllowNothing', {
          metadata: { name: `allow-nothing-${this.waypoint.name}`, namespace: this.name },
          targetRefs: [this.waypoint.toTargetRef()],
          allowNothing: true,
        });
        // ztunnel sees the waypoint, not the original caller, as the source of L7-checked traffic
        this.waypointAccess = new AuthorizationPolicy(this, 'AllowWaypoint', {
          metadata: { name: `allow-${this.waypoint.name}`, namespace: this.name },
          rules: [{ from: [MeshIdentity.of(this.name, this.waypoint.name, { trustDomain: this.trustDomain })] }],
        });
      }
    }
  }

  /** Creates (or adopts) the Namespace object and adds the enrolment labels, checked again at synth. */
  private enrolNamespace(adopted: _K8sObject | undefined): ApiObject {
    if (adopted && !adopted.apiObject) {
      throw _invalid('namespace', adopted.description, 'it is a reference without an object to label', 'pass the Namespace object itself, or give only the `name` with createNamespace: false');
    }
    const ns = adopted?.apiObject ?? new ApiObject(this, 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.name } });
    if (adopted) {
      const conflicts = this.enrolment._conflicts(adopted.labels());
      if (conflicts.length > 0) throw this.conflictError(conflicts);
    }
    for (const [k, v] of Object.entries(this.enrolment.toLabels())) ns.metadata.addLabel(k, v);
    this.addNamespaceLabels(ns);
    // a Namespace is cluster-scoped: cdk8s copies the chart's namespace into it, which the API server rejects
    if (ns.metadata.namespace !== undefined) ns.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    this.node.addValidation({
      validate: () => {
        const found = this.enrolment._conflicts(ns.metadata.toJson().labels ?? {});
        return found.length > 0 ? [this.conflictError(found).message] : [];
      },
    });
    return ns;
  }

  /**
   * Labels added to the Namespace object this SecureNamespace creates or adopts, besides the enrolment
   * labels (e.g. a team, a cost centre, Pod Security admission's `pod-security.kubernetes.io/enforce`).
   * Default: none. An extension point for a platform's subclass: called during construction, so it must not
   * read fields of the subclass; the enrolment labels cannot be overridden here (use `enrolment`).
   */
  protected get namespaceLabels(): { [key: string]: string } {
    return {};
  }

  private addNamespaceLabels(ns: ApiObject): void {
    const extra = this.namespaceLabels;
    _validateLabels('namespaceLabels', extra);
    for (const k of Object.keys(extra).sort()) {
      if (_ENROLMENT_LABELS.includes(k)) {
        throw _invalid('namespaceLabels', k, 'it is an enrolment label, which `enrolment` decides', 'drop it, and choose the MeshEnrolment instead');
      }
      ns.metadata.addLabel(k, extra[k]);
    }
  }

  /** The namespace name (as `name`): a SecureNamespace is the namespace prop of a CanaryService or MeshGateway. */
  public get namespaceName(): string {
    return this.name;
  }

  /** The AuthorizationPolicies created by intents (`allow()`, `grantAccess()`, `requireJwt()`, `requireExternalAuthorization()`). */
  public get policies(): AuthorizationPolicy[] {
    return [...this.intentPolicies];
  }

  /**
   * Starts an access intent: `caller` may call ... Finish it with `.to(workload)`.
   *
   * The intent renders an ALLOW AuthorizationPolicy `allow-<caller>-to-<target>` selecting the target
   * (one rule per intent). Note that once any ALLOW policy selects a workload, Istio denies every
   * other request to it, with or without `defaultDeny`.
   * @param caller who calls: `MeshIdentity.fromServiceAccount(sa)`, `MeshIdentity.of(namespace, name)`, `MeshIdentity.namespace(ns)`, or an L3 such as a `CanaryService`
   */
  public allow(caller: IMeshIdentity): AccessIntent {
    return AccessIntent._create(caller, (target, options) => this.addIntent(caller, target, options));
  }

  /**
   * Starts an access intent for a ServiceAccount (same as `allow(MeshIdentity.fromServiceAccount(sa))`).
   *
   * @param serviceAccount the caller's ServiceAccount: a cdk8s-plus object of any version (27 through 33), a
   *   plain `ApiObject`, or an object imported with `cdk8s import k8s`
   */
  public allowServiceAccount(serviceAccount: IConstruct): AccessIntent {
    return this.allow(MeshIdentity.fromServiceAccount(serviceAccount, { trustDomain: this.trustDomain }));
  }

  /**
   * Starts an access intent for the identity a workload runs as (its service account, or `default`): same
   * as `allow(MeshIdentity.fromWorkload(workload))`.
   *
   * @param workload the calling workload (Deployment, StatefulSet, DaemonSet, ...): a cdk8s-plus object of any
   *   version (27 through 33), a plain `ApiObject`, or an object imported with `cdk8s import k8s`
   */
  public allowWorkload(workload: IConstruct): AccessIntent {
    return this.allow(MeshIdentity.fromWorkload(workload, { trustDomain: this.trustDomain }));
  }

  /**
   * Grants `caller` access to `target`, limited by `options` (one ALLOW rule: all options must match).
   * The plain-method form of `allow(caller).to(target)...`; repeating it is a no-op.
   * @param caller who calls (an identity derived from a ServiceAccount or workload, or a whole namespace)
   * @param target whose pods are called (`MeshWorkload.fromWorkload(deployment)`, `MeshWorkload.labels(...)`, or an L3 such as a `CanaryService`)
   * @param options what the caller may do: methods, paths, ports, the Service name (for ambient waypoints); all must match
   */
  public grantAccess(caller: IMeshIdentity, target: IMeshWorkload, options: AccessOptions = {}): AccessRule {
    return this.addIntent(caller, target, options, options);
  }

  /**
   * Requires a valid JWT of `options.issuer` on a workload (or the whole namespace): a
   * RequestAuthentication that validates tokens, plus a DENY AuthorizationPolicy that rejects requests
   * without one (`notRequestPrincipals: ["*"]`) or without the required claims. A DENY policy narrows
   * access without widening it, unlike an ALLOW `requestPrincipals: ["*"]` rule, which in a default-deny
   * namespace would let any token holder call anything. A DENY rule on HTTP attributes also rejects
   * plain-TCP connections to the workloads it applies to (Istio cannot see a token there): require JWTs
   * on HTTP workloads.
   * @param options the issuer, its JWKS, the workload (default: the whole namespace) and the required claims
   */
  public requireJwt(options: RequireJwtOptions): JwtRequirement {
    _checkProps('options', options, true, '{ issuer: "https://accounts.example.com" }');
    const workload = options.workload;
    this.requireL7('requireJwt');
    // validated before anything is created
    const conditions = claimConditions(options.requiredClaims, 'notValues');
    const { ra, key, placement } = this.jwtValidation(options, 'requireJwt');
    const ap = this.jwtPolicy(`RequireJwtPolicy-${key}`, workload ? `${key}-require-jwt` : 'require-jwt', AuthorizationAction.DENY, placement);
    const notPorts = options.exceptTcpPorts && options.exceptTcpPorts.length > 0 ? [...options.exceptTcpPorts] : undefined;
    ap.addRule({ notRequestPrincipals: ['*'], notPorts });
    for (const condition of conditions) ap.addRule({ when: [condition], notPorts });
    this.jwtRequirements.push({ workload, policy: ap, exceptTcpPorts: notPorts ?? [] });
    return { requestAuthentication: ra, authorizationPolicy: ap };
  }

  /**
   * Lets callers holding a valid JWT of `options.issuer` in, limited to the listed request principals
   * (the ALLOW form of `requireJwt()`): a RequestAuthentication that validates tokens, plus an ALLOW
   * AuthorizationPolicy with one rule `from: [{ source: { requestPrincipals } }]` (and the required
   * claims). In a default-deny namespace this opens the workload to those token holders from any source;
   * requests without such a token are still denied unless another intent allows them. Use `requireJwt()`
   * to demand a token on top of the other intents instead.
   * @param options the issuer, its JWKS, the workload (default: the whole namespace), the request principals and required claims
   */
  public allowJwt(options: AllowJwtOptions): JwtRequirement {
    _checkProps('options', options, true, '{ issuer: "https://accounts.example.com", requestPrincipals: ["https://accounts.example.com/*"] }');
    const workload = options.workload;
    this.requireL7('allowJwt');
    const principals = options.requestPrincipals ?? [`${options.issuer}/*`];
    checkRequestPrincipals(principals);
    const conditions = claimConditions(options.requiredClaims, 'values');
    const { ra, key, placement } = this.jwtValidation(options, 'allowJwt');
    const ap = this.jwtPolicy(`AllowJwtPolicy-${key}`, workload ? `${key}-allow-jwt` : 'allow-jwt', AuthorizationAction.ALLOW, placement);
    ap.addRule({ requestPrincipals: [...principals], when: conditions.length > 0 ? conditions : undefined });
    return { requestAuthentication: ra, authorizationPolicy: ap };
  }

  /**
   * Sends requests to an external authorizer before the other intents apply (a CUSTOM AuthorizationPolicy,
   * Istio's ext-authz task): a request the authorizer denies is refused, one it allows still needs an ALLOW
   * intent in this default-deny namespace, so this narrows access and never widens it. The provider is
   * declared on the app's `MeshConfigFragment`. Repeating it for the same workload and provider adds paths.
   *
   * @param options the authorizer, the workload (default: the whole namespace) and the paths it checks (default: all)
   * @returns the CUSTOM policy
   */
  public requireExternalAuthorization(options: ExternalAuthorizationOptions): AuthorizationPolicy {
    _checkProps('options', options, true, '{ provider: ExtAuthzProvider.http({ name, service, port }) }');
    if (!(options.provider instanceof ExtAuthzProvider)) {
      throw _invalid('provider', options.provider, 'it is not an ExtAuthzProvider', 'pass provider: ExtAuthzProvider.http({ name, service, port }) (or .grpc(...))');
    }
    this.requireL7('requireExternalAuthorization');
    const workload = options.workload;
    if (workload) this.checkWorkloadNamespace(workload);
    const key = workload ? workload.workloadKey : 'namespace';
    const id = `ExtAuthz-${key}-${options.provider.name}`;
    let policy = this.node.tryFindChild(id) as AuthorizationPolicy | undefined;
    if (!policy) {
      const placement = this.placement(workload, workload ? this.serviceOf(workload, options, 'requireExternalAuthorization') : undefined);
      policy = AuthorizationPolicy.custom(this, id, {
        metadata: { name: _suggestName(`${workload ? `${key}-` : ''}ext-authz-${options.provider.name}`, 253), namespace: this.name },
        provider: options.provider,
        selector: placement.selector,
        targetRefs: placement.targetRefs,
      });
      this.intentPolicies.push(policy);
    }
    policy.addRule(options.paths !== undefined ? { paths: [...options.paths] } : { matchAll: true });
    return policy;
  }

  /**
   * Starts an access intent for any caller with a mesh identity (any workload presenting an mTLS
   * certificate, from any namespace): same as `allow(MeshIdentity.anyAuthenticated())`.
   */
  public allowAuthenticated(): AccessIntent {
    return this.allow(MeshIdentity.anyAuthenticated());
  }

  /**
   * Starts an access intent for any caller at all, with or without a mesh identity: same as
   * `allow(MeshIdentity.anyCaller())`. The rule names no source; under this namespace's STRICT mTLS only
   * mesh workloads reach the target, but where mTLS is PERMISSIVE (or excepted) plaintext callers match too.
   */
  public allowAnyCaller(): AccessIntent {
    return this.allow(MeshIdentity.anyCaller());
  }

  /**
   * An mTLS exception for one workload (or some of its ports), e.g. a port scraped by a plaintext
   * client: a PeerAuthentication selecting the workload. Repeating it is a no-op.
   * @param workload the pods the exception applies to (a workload selector)
   * @param options the mode (default PERMISSIVE) and, optionally, only some ports
   */
  public addMtlsException(workload: IMeshWorkload, options: MtlsExceptionOptions = {}): PeerAuthentication {
    this.checkWorkloadNamespace(workload);
    const mode = options.mode ?? MtlsMode.PERMISSIVE;
    const id = `MtlsException-${workload.workloadKey}`;
    let pa = this.node.tryFindChild(id) as PeerAuthentication | undefined;
    const ports = options.ports ?? [];
    if (!pa) {
      pa = new PeerAuthentication(this, id, {
        metadata: { name: `${workload.workloadKey}-mtls`, namespace: this.name },
        selector: workload,
        mtlsMode: ports.length > 0 ? MtlsMode.UNSET : mode,
      });
    } else if (ports.length === 0 && pa.mtlsMode !== mode) {
      throw _invalid('mode', mode, `workload "${workload.workloadKey}" already has an mTLS exception with mode ${pa.mtlsMode}`, 'give each workload one mode');
    }
    for (const port of ports) {
      if (pa._portMode(port) === mode) continue;
      pa.addPortMtls(port, mode);
    }
    return pa;
  }

  // ------------------------------------------------------------------ internals

  /** The policy of a JWT requirement (found, or created on first use). */
  private jwtPolicy(id: string, name: string, action: AuthorizationAction,
    placement: { selector?: IMeshWorkload; targetRefs?: PolicyTargetRef[] }): AuthorizationPolicy {
    let ap = this.node.tryFindChild(id) as AuthorizationPolicy | undefined;
    if (!ap) {
      ap = new AuthorizationPolicy(this, id, {
        metadata: { name, namespace: this.name }, action, selector: placement.selector, targetRefs: placement.targetRefs,
      });
      this.intentPolicies.push(ap);
    }
    return ap;
  }

  /** The RequestAuthentication validating `options.issuer` on the workload (or namespace), shared by both JWT forms. */
  private jwtValidation(options: JwtRule & { readonly workload?: IMeshWorkload; readonly service?: IMeshDestination }, what: string) {
    const workload = options.workload;
    if (workload) this.checkWorkloadNamespace(workload);
    const key = workload ? workload.workloadKey : 'namespace';
    const placement = this.placement(workload, workload ? this.serviceOf(workload, options, what) : undefined);
    const raId = `RequireJwt-${key}`;
    let ra = this.node.tryFindChild(raId) as RequestAuthentication | undefined;
    if (!ra) {
      ra = new RequestAuthentication(this, raId, {
        metadata: { name: workload ? `${key}-jwt` : 'jwt', namespace: this.name },
        selector: placement.selector,
        targetRefs: placement.targetRefs,
      });
    }
    if (!ra.issuers.includes(options.issuer)) ra.addJwtRule(options);
    return { ra, key, placement };
  }

  private addIntent(from: IMeshIdentity, to: IMeshWorkload, target: AccessTargetOptions, options?: AccessOptions): AccessRule {
    if (!from || typeof (from as { toMeshIdentityConfig?: unknown }).toMeshIdentityConfig !== 'function') {
      throw _invalid('from', from, 'it is not an IMeshIdentity', 'use MeshIdentity.fromServiceAccount(sa), MeshIdentity.of(ns, sa), MeshIdentity.namespace(ns), or allowServiceAccount(sa)');
    }
    if (!to || typeof (to as { toSelectorLabels?: unknown }).toSelectorLabels !== 'function') {
      throw _invalid('to', to, 'it is not an IMeshWorkload', 'use MeshWorkload.fromWorkload(deployment) or MeshWorkload.labels({...})');
    }
    this.checkWorkloadNamespace(to);
    const fromKey = from.identityNamespace === this.name && from.serviceAccountName ? from.serviceAccountName : from.identityKey;
    const id = `Allow-${fromKey}-To-${to.workloadKey}`;
    let policy = this.node.tryFindChild(id) as AuthorizationPolicy | undefined;
    const service = this.serviceOf(to, target, 'allow().to()');
    if (!policy) {
      const placement = this.placement(to, service);
      policy = new AuthorizationPolicy(this, id, {
        metadata: { name: _suggestName(`allow-${fromKey}-to-${to.workloadKey}`, 253), namespace: this.name },
        selector: placement.selector,
        targetRefs: placement.targetRefs,
      });
      this.intentPolicies.push(policy);
    }
    const rule = AccessRule._create(policy, from, to, (field) => this.requireL7(field), options);
    this.accessRules.push(rule);
    return rule;
  }

  /**
   * Whether an intent of this namespace lets `caller` in (one of its principals, or its whole namespace),
   * or nothing is denied by default here.
   * @internal
   */
  public _admits(caller: IMeshIdentity): boolean {
    if (!this.denyAll) return true;
    const own = caller.toMeshIdentityConfig();
    const principals = own.principals ?? [];
    const authenticated = principals.length > 0 || (own.namespaces ?? []).length > 0;
    return this.accessRules.some((r) => {
      const c = r.caller.toMeshIdentityConfig();
      if (c.anySource === true) return true;
      if (authenticated && (c.principals ?? []).includes('*')) return true;
      return (c.principals ?? []).some((p) => principals.includes(p)) || (c.namespaces ?? []).includes(caller.identityNamespace);
    });
  }

  /**
   * requireJwt() DENY rules that would block the plain-TCP ports an intent allows on the same workload
   * (a DENY on request principals matches TCP connections: they carry no JWT).
   */
  private jwtTcpConflicts(): string[] {
    const errors: string[] = [];
    const labelsOf = (w: IMeshWorkload) => JSON.stringify(w.toSelectorLabels());
    for (const jwt of this.jwtRequirements) {
      for (const rule of this.accessRules) {
        if (jwt.workload && labelsOf(jwt.workload) !== labelsOf(rule.target)) continue;
        const tcp = rule._tcpPorts();
        const blocked = tcp.filter((p) => !jwt.exceptTcpPorts.includes(p));
        if (blocked.length === 0) continue;
        errors.push(_invalid('requireJwt', jwt.policy.name, `its DENY rule also rejects the plain-TCP traffic that ${rule.policy.name} allows on port(s) ${blocked.join(', ')} `
          + '(a DENY on request principals matches TCP connections, which carry no JWT)',
        `add exceptTcpPorts: [${[...new Set([...jwt.exceptTcpPorts, ...tcp])].sort((a, b) => a - b).join(', ')}] to requireJwt(), or drop the TCP intent`).message);
      }
    }
    return errors;
  }

  /**
   * Sidecars: a workload selector. Ambient with a waypoint: the Service (or the waypoint, namespace-wide), plus
   * the per-version Services of a Gateway API canary (edge traffic addresses them, through the waypoint).
   */
  private placement(workload: IMeshWorkload | undefined, service: string | undefined): { selector?: IMeshWorkload; targetRefs?: PolicyTargetRef[] } {
    if (this.enrolment.hasWaypoint) {
      if (!service) return { targetRefs: [this.waypoint!.toTargetRef()] };
      return { targetRefs: [service, ...versionServicesOf(workload, service)].map((s) => PolicyTargetRef.service(s)) };
    }
    return { selector: workload };
  }

  private requireL7(field: string): void {
    if (this.enrolment.mode === EnrolmentMode.AMBIENT && !this.enrolment.hasWaypoint) {
      throw _invalid(field, `namespace ${this.name}`, 'in ambient mode L7 rules (methods, paths, hosts, request conditions, JWT) are enforced only by a waypoint, and this namespace has none (ztunnel sees only L4)',
        'enrol with MeshEnrolment.ambient({ waypoint: true }), or limit the rule to sources and ports');
    }
  }

  /**
   * The Service in front of `workload` (ambient namespaces with a waypoint attach policies to it): the
   * given `service`, else the target itself when it is a Service of this namespace.
   */
  private serviceOf(workload: IMeshWorkload, options: { readonly service?: IMeshDestination }, what: string): string | undefined {
    const legacy = (options as { serviceName?: unknown }).serviceName;
    if (legacy !== undefined) {
      throw _invalid('serviceName', legacy, 'the Service is given as an object now (option `service`)',
        `pass service: ServiceHost.inNamespace("${this.name}", "${String(legacy)}") or ServiceHost.fromService(svc)`);
    }
    if (!this.enrolment.hasWaypoint) return undefined;
    const given = options.service;
    if (given !== undefined) {
      const service = typeof (given as { toMeshDestination?: unknown })?.toMeshDestination === 'function'
        ? _parseServiceFqdn(given.toMeshDestination().host ?? '') : undefined;
      if (!service || service.namespace !== this.name) {
        throw _invalid('service', String(given), `it is not a Service of namespace ${this.name} (a policy attaches to a Service of its own namespace)`,
          `pass ServiceHost.inNamespace("${this.name}", "<service>") or ServiceHost.fromService(svc)`);
      }
      return service.name;
    }
    const dest = (workload as { toMeshDestination?: unknown }).toMeshDestination;
    if (typeof dest === 'function') {
      const host: string = dest.call(workload).host;
      const service = _parseServiceFqdn(host ?? '');
      if (service && service.namespace === this.name) return service.name;
    }
    throw _invalid(`${what} target`, workload.workloadKey, 'in an ambient namespace with a waypoint, policies attach to the Service in front of the workload, and it cannot be derived from this target',
      `pass { service: ServiceHost.inNamespace("${this.name}", "<service>") }, or a target that is also an IMeshDestination (e.g. a CanaryService)`);
  }

  private checkWorkloadNamespace(workload: IMeshWorkload): void {
    if (workload.workloadNamespace !== undefined && workload.workloadNamespace !== this.name) {
      throw _invalid('to', `${workload.workloadKey} (namespace ${workload.workloadNamespace})`,
        `an AuthorizationPolicy lives in the namespace of the workload it protects, not in "${this.name}"`,
        `call allow() on the SecureNamespace of "${workload.workloadNamespace}"`);
    }
  }

  private conflictError(conflicts: string[]): Error {
    return _invalid('enrolment', this.enrolment.toString(), `the namespace also carries ${conflicts.join(', ')}, a conflicting enrolment (a namespace is enrolled in exactly one way)`,
      `remove ${conflicts.length === 1 ? 'that label' : 'those labels'}, or choose the matching MeshEnrolment`);
  }
}

/** The `when` conditions of required claims (`values` for ALLOW rules, `notValues` for DENY rules). */
function claimConditions(claims: { [claim: string]: string[] } | undefined, field: 'values' | 'notValues'): AuthorizationCondition[] {
  const conditions: AuthorizationCondition[] = [];
  for (const claim of Object.keys(claims ?? {}).sort()) {
    const values = claims![claim];
    if (!Array.isArray(values) || values.length === 0) {
      throw _invalid(`requiredClaims["${claim}"]`, values, 'a required claim needs the accepted values', 'e.g. { groups: ["buyers"] }');
    }
    if (!/^[^\[\]]+$/.test(claim)) {
      throw _invalid('requiredClaims', claim, 'a claim name has no "[" or "]"', 'use "." for nested claims, e.g. "realm_access.roles"');
    }
    conditions.push({ key: `request.auth.claims[${claim.split('.').join('][')}]`, [field]: values });
  }
  return conditions;
}

/**
 * Request principals as Istio matches them (requestPrincipalGenerator): `*` alone, as a prefix or as a
 * suffix is a wildcard; anywhere else it is a literal character, so such a value never matches a token.
 */
function checkRequestPrincipals(principals: string[]): void {
  if (!Array.isArray(principals) || principals.length === 0) {
    throw _invalid('requestPrincipals', principals, 'an empty list lets no token in', 'list "<iss>/<sub>" values, or leave it out for any token of the issuer');
  }
  for (const p of principals) {
    if (typeof p !== 'string' || p.length === 0) {
      throw _invalid('requestPrincipals', p, 'Istio rejects empty values', 'give "<iss>/<sub>", e.g. "https://accounts.example.com/user-1"');
    }
    if (p.slice(1, -1).includes('*')) {
      throw _invalid('requestPrincipals', p, 'Istio treats "*" as a wildcard only alone, at the start or at the end; in the middle it is a literal character and the value never matches',
        'use a prefix ("https://accounts.example.com/*") or a suffix ("*/user-1") match');
    }
  }
}
