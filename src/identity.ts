import { IConstruct } from 'constructs';
import { _K8sObject, _WORKLOAD_KINDS } from './_k8s';
import { _invalid, _validateDnsLabel, _validateDnsSubdomain } from './_utils';
import { INamespaceRef, _namespaceName } from './namespace-ref';

/**
 * Options for identities derived from a service account.
 */
export interface MeshIdentityOptions {
  /**
   * The mesh's trust domain (`meshConfig.trustDomain`).
   *
   * @default "cluster.local"
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig
   */
  readonly trustDomain?: string;
}

/**
 * How an identity appears in an AuthorizationPolicy `source`.
 */
export interface MeshIdentityConfig {
  /**
   * Principals (`<trust-domain>/ns/<namespace>/sa/<service-account>`), without the `spiffe://` prefix.
   *
   * @default - none
   */
  readonly principals?: string[];
  /**
   * Source namespaces.
   *
   * @default - none
   */
  readonly namespaces?: string[];
  /**
   * Any source, with or without a mesh identity: the rule names no source at all (`MeshIdentity.anyCaller()`).
   * An identity must set this, `principals` or `namespaces`.
   *
   * @default false
   */
  readonly anySource?: boolean;
}

/**
 * Who calls: a workload identity (service account) or every workload of a namespace.
 */
export interface IMeshIdentity {
  /** A short, stable, DNS-safe description used in construct ids and messages (e.g. `shop-frontend`). */
  readonly identityKey: string;
  /** The namespace the identity belongs to (`*` for `MeshIdentity.anyCaller()` and `anyAuthenticated()`). */
  readonly identityNamespace: string;
  /** The service account name, when the identity is one service account. */
  readonly serviceAccountName?: string;
  /** Renders the identity as an AuthorizationPolicy source. */
  toMeshIdentityConfig(): MeshIdentityConfig;
}

/**
 * Mesh identities, derived from objects rather than typed as SPIFFE strings.
 *
 * @example
 * MeshIdentity.fromServiceAccount(frontendSa);          // cluster.local/ns/shop/sa/frontend
 * MeshIdentity.of('payments', 'billing');               // cluster.local/ns/payments/sa/billing
 * MeshIdentity.namespace(NamespaceRef.named('monitoring')); // every workload in `monitoring`
 * MeshIdentity.anyAuthenticated();                      // any caller with a mesh (mTLS) identity
 * MeshIdentity.anyCaller();                             // any caller at all
 */
export class MeshIdentity implements IMeshIdentity {
  /**
   * The identity of a ServiceAccount. The service account must have a namespace (its own or its chart's).
   *
   * @param serviceAccount the ServiceAccount: a cdk8s-plus object of any version (27 through 33, also
   *   `ServiceAccount.fromServiceAccountName()`), a plain `ApiObject`, or an object imported with `cdk8s import k8s`
   * @param options how the principal is written (trust domain)
   */
  public static fromServiceAccount(serviceAccount: IConstruct, options: MeshIdentityOptions = {}): MeshIdentity {
    const obj = _K8sObject.of('serviceAccount', serviceAccount, ['ServiceAccount'],
      'pass the ServiceAccount the callers run as, or use MeshIdentity.of(namespace, name)');
    const ns = obj.requireNamespace('serviceAccount', 'its principal cannot be derived', 'or use MeshIdentity.of(namespace, name)');
    return MeshIdentity.of(ns, obj.name, options);
  }

  /**
   * The identity of the service account a workload runs as (`default` when it sets none).
   *
   * @param workload the workload: a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod from
   *   cdk8s-plus (any version 27 through 33), a plain `ApiObject`, or an object imported with `cdk8s import k8s`
   * @param options how the principal is written (trust domain)
   */
  public static fromWorkload(workload: IConstruct, options: MeshIdentityOptions = {}): MeshIdentity {
    const obj = _K8sObject.of('workload', workload, _WORKLOAD_KINDS,
      'pass the Deployment (or StatefulSet, DaemonSet, ...) whose pods call, or use MeshIdentity.of(namespace, name)');
    return MeshIdentity._fromObject(obj, options);
  }

  /**
   * The identity of a workload object already read (its service account, in its namespace).
   * @internal
   */
  public static _fromObject(obj: _K8sObject, options: MeshIdentityOptions): MeshIdentity {
    const ns = obj.requireNamespace('workload', 'its principal cannot be derived', 'or use MeshIdentity.of(namespace, name)');
    return MeshIdentity.of(ns, obj.serviceAccountName(), options);
  }

  /**
   * The identity of service account `serviceAccountName` in `namespace`, e.g. one outside this app.
   * @param namespace the service account's namespace
   * @param serviceAccountName the service account's name (no wildcards)
   * @param options how the principal is written (trust domain)
   */
  public static of(namespace: string, serviceAccountName: string, options: MeshIdentityOptions = {}): MeshIdentity {
    _validateDnsLabel('namespace', namespace);
    if (typeof serviceAccountName === 'string' && serviceAccountName.includes('*')) {
      throw _invalid('serviceAccountName', serviceAccountName, 'wildcards are not allowed in a service account identity',
        `name one service account, or allow the whole namespace with MeshIdentity.namespace(NamespaceRef.named("${namespace}"))`);
    }
    _validateDnsSubdomain('serviceAccountName', serviceAccountName);
    const trustDomain = options.trustDomain ?? 'cluster.local';
    MeshIdentity._validateTrustDomain(trustDomain);
    return new MeshIdentity(`${namespace}-${serviceAccountName}`, namespace, serviceAccountName,
      { principals: [`${trustDomain}/ns/${namespace}/sa/${serviceAccountName}`] });
  }

  /**
   * Every workload in `namespace` (an AuthorizationPolicy `namespaces` source).
   * @param ns the namespace whose workloads are meant: a `SecureNamespace`, `NamespaceRef.fromNamespace(namespace)`
   *   or `NamespaceRef.named(name)`
   */
  public static namespace(ns: INamespaceRef): MeshIdentity {
    const namespace = _namespaceName('namespace', ns);
    return new MeshIdentity(`ns-${namespace}`, namespace, undefined, { namespaces: [namespace] });
  }

  /**
   * Any caller with a mesh identity, i.e. any workload that presents an mTLS certificate, from any
   * namespace (an AuthorizationPolicy source `principals: ["*"]`, which Istio matches as "a peer
   * principal is present"). Plaintext callers do not match.
   */
  public static anyAuthenticated(): MeshIdentity {
    return new MeshIdentity('any-authenticated', '*', undefined, { principals: ['*'] }, 'any authenticated caller');
  }

  /**
   * Any caller at all, with or without a mesh identity (the rule names no source). Under STRICT mTLS
   * only mesh workloads reach the target anyway; where mTLS is PERMISSIVE or excepted, plaintext
   * callers (outside the mesh) match too. Use `anyAuthenticated()` to require a mesh identity.
   */
  public static anyCaller(): MeshIdentity {
    return new MeshIdentity('anyone', '*', undefined, { anySource: true }, 'any caller');
  }

  /**
   * Throws unless `trustDomain` is a bare trust domain (no `spiffe://`, no path or wildcard).
   * @internal
   */
  public static _validateTrustDomain(trustDomain: string): string {
    if (trustDomain.startsWith('spiffe://')) {
      throw _invalid('trustDomain', trustDomain, 'Istio adds the "spiffe://" prefix itself, so a rule with it never matches',
        `drop the prefix: "${trustDomain.slice('spiffe://'.length)}"`);
    }
    if (trustDomain.includes('/') || trustDomain.includes('*')) {
      throw _invalid('trustDomain', trustDomain, 'a trust domain is a DNS name without "/" or "*"', 'use the mesh\'s meshConfig.trustDomain, e.g. "cluster.local"');
    }
    return _validateDnsSubdomain('trustDomain', trustDomain);
  }

  private constructor(
    public readonly identityKey: string,
    public readonly identityNamespace: string,
    public readonly serviceAccountName: string | undefined,
    private readonly config: MeshIdentityConfig,
    private readonly description?: string,
  ) {}

  /** The principal string, when this identity is one service account. */
  public get principal(): string | undefined {
    return this.serviceAccountName !== undefined ? this.config.principals?.[0] : undefined;
  }

  public toMeshIdentityConfig(): MeshIdentityConfig {
    return {
      principals: this.config.principals ? [...this.config.principals] : undefined,
      namespaces: this.config.namespaces ? [...this.config.namespaces] : undefined,
      ...(this.config.anySource ? { anySource: true } : {}),
    };
  }

  /** A readable form, e.g. `cluster.local/ns/shop/sa/frontend` or `namespace shop`. */
  public toString(): string {
    return this.description ?? this.principal ?? `namespace ${this.identityNamespace}`;
  }
}
