import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _checkProps, _invalid, _validateDnsSubdomain, _validateHost } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as cm from './imports/certmanager-cert-manager.io';

/**
 * The private key algorithm of a certificate (cert-manager `spec.privateKey.algorithm`).
 */
export enum PrivateKeyAlgorithm {
  /** RSA: sizes 2048 to 8192 bits (default 2048). */
  RSA = 'RSA',
  /** ECDSA: curves P-256, P-384 or P-521 (`size` 256, 384, 521; default 256). */
  ECDSA = 'ECDSA',
  /** Ed25519 (no size). */
  ED25519 = 'Ed25519',
}

/**
 * Whether cert-manager generates a new private key on every renewal.
 */
export enum PrivateKeyRotationPolicy {
  /** A new key for every issuance (cert-manager's default since v1.18). */
  ALWAYS = 'Always',
  /** Reuse the key in the Secret, if any. */
  NEVER = 'Never',
}

/**
 * The private key of a certificate.
 */
export interface CertificatePrivateKey {
  /** The key algorithm. */
  readonly algorithm: PrivateKeyAlgorithm;
  /**
   * Key size in bits (RSA: 2048..8192; ECDSA: 256, 384 or 521; Ed25519: none).
   *
   * @default - 2048 for RSA, 256 for ECDSA
   */
  readonly size?: number;
  /**
   * Key rotation on renewal.
   *
   * @default PrivateKeyRotationPolicy.ALWAYS
   */
  readonly rotationPolicy?: PrivateKeyRotationPolicy;
}

/**
 * Who signs a certificate: a cert-manager `Issuer` (in the Certificate's namespace), a `ClusterIssuer`,
 * or an external issuer of another API group (e.g. `awspca.cert-manager.io` `AWSPCAClusterIssuer`).
 */
export class CertificateIssuer {
  /**
   * A namespaced cert-manager `Issuer`: it must live in the Certificate's namespace.
   *
   * @param name the Issuer's `metadata.name`
   */
  public static issuer(name: string): CertificateIssuer {
    return new CertificateIssuer(_validateDnsSubdomain('issuer name', name), 'Issuer', 'cert-manager.io');
  }

  /**
   * A cluster-wide cert-manager `ClusterIssuer` (e.g. `letsencrypt-prod`).
   *
   * @param name the ClusterIssuer's `metadata.name`
   */
  public static clusterIssuer(name: string): CertificateIssuer {
    return new CertificateIssuer(_validateDnsSubdomain('clusterIssuer name', name), 'ClusterIssuer', 'cert-manager.io');
  }

  /**
   * An external issuer (another controller's issuer kind).
   *
   * @param group the issuer's API group, e.g. `awspca.cert-manager.io`
   * @param kind the issuer's kind, e.g. `AWSPCAClusterIssuer`
   * @param name the issuer's `metadata.name`
   */
  public static external(group: string, kind: string, name: string): CertificateIssuer {
    _validateDnsSubdomain('issuer group', group);
    if (group === 'cert-manager.io') {
      throw _invalid('issuer group', group, 'cert-manager.io has only the kinds Issuer and ClusterIssuer',
        'use CertificateIssuer.issuer(name) or CertificateIssuer.clusterIssuer(name)');
    }
    if (typeof kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
      throw _invalid('issuer kind', kind, 'it is not a Kubernetes kind', 'use the issuer\'s kind in CamelCase, e.g. "AWSPCAClusterIssuer"');
    }
    return new CertificateIssuer(_validateDnsSubdomain('issuer name', name), kind, group);
  }

  private constructor(
    /** The issuer's `metadata.name`. */
    public readonly name: string,
    /** The issuer's kind (`Issuer`, `ClusterIssuer` or an external kind). */
    public readonly kind: string,
    /** The issuer's API group. */
    public readonly group: string,
  ) {}
}

/**
 * What a certificate is issued with: the issuer, validity and key. Shared by `Certificate` and
 * `GatewayTls.certificate()`.
 */
export interface CertificateOptions {
  /** Who signs the certificate. */
  readonly issuer: CertificateIssuer;
  /**
   * Requested validity (cert-manager's minimum is 1 hour).
   *
   * @default - cert-manager's default, 90 days (the issuer may shorten it)
   */
  readonly duration?: Duration;
  /**
   * Renew this long before expiry (at least 5 minutes, less than `duration`).
   *
   * @default - cert-manager's default, a third of the duration
   */
  readonly renewBefore?: Duration;
  /**
   * The private key.
   *
   * @default - ECDSA P-256, a new key on every renewal
   */
  readonly privateKey?: CertificatePrivateKey;
}

/**
 * Props for `Certificate`.
 */
export interface CertificateProps extends IstioResourceProps, CertificateOptions {
  /** The DNS names the certificate is for (`*.example.com` wildcards allowed). */
  readonly dnsNames: string[];
  /** The `kubernetes.io/tls` Secret cert-manager writes (in the Certificate's namespace). */
  readonly secretName: string;
}

/** The live host list handed to the next Certificate by `Certificate._live()` (synchronous, so never shared). */
let pendingLiveHosts: string[] | undefined;

const HOUR_MS = 3_600_000;
const MIN_RENEW_BEFORE_MS = 300_000;
const DEFAULT_DURATION_MS = 90 * 24 * HOUR_MS;

/**
 * A cert-manager `Certificate` (`cert-manager.io/v1`): cert-manager obtains a certificate for `dnsNames`
 * from the issuer, renews it, and keeps it in `secretName`, where an Istio gateway reads it as its
 * `credentialName`. Checked at construction as cert-manager's webhook does (names, key sizes, durations).
 *
 * @example
 * new Certificate(chart, 'shop-cert', {
 *   metadata: { namespace: 'istio-ingress' },
 *   dnsNames: ['shop.example.com'],
 *   secretName: 'shop-example-com-cert',
 *   issuer: CertificateIssuer.clusterIssuer('letsencrypt-prod'),
 * });
 */
export class Certificate extends IstioResource {
  /**
   * Validates the options shared with `GatewayTls.certificate()`; throws prop/value/fix.
   * @internal
   */
  public static _validateOptions(o: CertificateOptions): void {
    if (!(o.issuer instanceof CertificateIssuer)) {
      throw _invalid('issuer', o.issuer, 'a certificate needs an issuer', 'pass CertificateIssuer.clusterIssuer("letsencrypt-prod") or CertificateIssuer.issuer(name)');
    }
    const duration = o.duration?.toMilliseconds() ?? DEFAULT_DURATION_MS;
    if (o.duration !== undefined && duration < HOUR_MS) {
      throw _invalid('duration', Certificate.goDuration(o.duration), 'cert-manager requires a duration of at least 1 hour', 'use e.g. Duration.days(90)');
    }
    if (o.renewBefore !== undefined) {
      const renew = o.renewBefore.toMilliseconds();
      if (renew < MIN_RENEW_BEFORE_MS) {
        throw _invalid('renewBefore', Certificate.goDuration(o.renewBefore), 'cert-manager requires renewBefore of at least 5 minutes', 'use e.g. Duration.days(30)');
      }
      if (renew >= duration) {
        throw _invalid('renewBefore', Certificate.goDuration(o.renewBefore), `it is not shorter than the duration (${Certificate.goDuration(Duration.millis(duration))}), so the certificate would renew forever`,
          'make renewBefore shorter than duration, e.g. a third of it');
      }
    }
    if (o.privateKey !== undefined) Certificate.validateKey(o.privateKey);
  }

  /**
   * The spec fields of the options (duration, renewBefore, privateKey, issuerRef).
   * @internal
   */
  public static _renderOptions(o: CertificateOptions): Pick<cm.CertificateSpec, 'issuerRef' | 'duration' | 'renewBefore' | 'privateKey'> {
    const key = o.privateKey ?? { algorithm: PrivateKeyAlgorithm.ECDSA, size: 256 };
    return {
      issuerRef: { group: o.issuer.group, kind: o.issuer.kind, name: o.issuer.name },
      duration: o.duration !== undefined ? Certificate.goDuration(o.duration) : undefined,
      renewBefore: o.renewBefore !== undefined ? Certificate.goDuration(o.renewBefore) : undefined,
      privateKey: {
        algorithm: key.algorithm as string as cm.CertificateSpecPrivateKeyAlgorithm,
        size: key.algorithm === PrivateKeyAlgorithm.ED25519 ? undefined : (key.size ?? (key.algorithm === PrivateKeyAlgorithm.RSA ? 2048 : 256)),
        rotationPolicy: (key.rotationPolicy ?? PrivateKeyRotationPolicy.ALWAYS) as string as cm.CertificateSpecPrivateKeyRotationPolicy,
      },
    };
  }

  /**
   * Validates DNS names of a certificate (RFC 1123 host names, an optional leading `*.`); throws prop/value/fix.
   * @internal
   */
  public static _validateDnsNames(prop: string, dnsNames: string[]): void {
    if (!Array.isArray(dnsNames) || dnsNames.length === 0) {
      throw _invalid(prop, dnsNames, 'a certificate needs at least one DNS name', 'list the host names, e.g. ["shop.example.com"]');
    }
    const seen = new Set<string>();
    for (const d of dnsNames) {
      _validateHost(prop, d, true, true, false); // X.509 / ACME wildcards are whole "*." labels
      if (d !== d.toLowerCase()) throw _invalid(prop, d, 'DNS names in certificates are compared in lowercase', `use "${d.toLowerCase()}"`);
      if (seen.has(d)) throw _invalid(prop, d, 'it is listed twice', 'list each DNS name once');
      seen.add(d);
    }
  }

  /**
   * A Certificate whose DNS names are a live list (a gateway's hosts, added by `expose()` after the
   * Certificate exists): checked at synth instead of at construction.
   * @internal
   */
  public static _live(scope: Construct, id: string, props: Omit<CertificateProps, 'dnsNames'>, hosts: string[]): Certificate {
    pendingLiveHosts = hosts;
    try {
      return new Certificate(scope, id, { ...props, dnsNames: hosts });
    } finally {
      pendingLiveHosts = undefined;
    }
  }

  /** Go duration syntax (`2160h`, `90m`, `45s`), which cert-manager's `metav1.Duration` parses. */
  private static goDuration(d: Duration): string {
    const s = d.toSeconds({ integral: false });
    if (s % 3600 === 0) return `${s / 3600}h`;
    if (s % 60 === 0) return `${s / 60}m`;
    return `${s}s`;
  }

  private static dnsNameErrors(dnsNames: string[]): string[] {
    try {
      Certificate._validateDnsNames('dnsNames', dnsNames);
      return [];
    } catch (e) {
      return [(e as Error).message];
    }
  }

  private static validateKey(k: CertificatePrivateKey): void {
    _checkProps('privateKey', k, true, '{ algorithm: PrivateKeyAlgorithm.ECDSA, size: 256 }');
    if (!Object.values(PrivateKeyAlgorithm).includes(k.algorithm)) {
      throw _invalid('privateKey.algorithm', k.algorithm, 'cert-manager accepts RSA, ECDSA or Ed25519', 'use PrivateKeyAlgorithm.ECDSA');
    }
    if (k.size === undefined) return;
    if (k.algorithm === PrivateKeyAlgorithm.RSA && (!Number.isInteger(k.size) || k.size < 2048 || k.size > 8192)) {
      throw _invalid('privateKey.size', k.size, 'an RSA key has 2048 to 8192 bits', 'use 2048, 3072 or 4096');
    }
    if (k.algorithm === PrivateKeyAlgorithm.ECDSA && ![256, 384, 521].includes(k.size)) {
      throw _invalid('privateKey.size', k.size, 'an ECDSA key is on P-256, P-384 or P-521', 'use 256, 384 or 521');
    }
    if (k.algorithm === PrivateKeyAlgorithm.ED25519) {
      throw _invalid('privateKey.size', k.size, 'an Ed25519 key has a fixed size', 'leave size out for Ed25519');
    }
  }

  public readonly apiObject: ApiObject;
  /** The DNS names of the certificate. */
  public readonly dnsNames: string[];
  /** The Secret cert-manager writes the certificate and key to. */
  public readonly secretName: string;

  /**
   * Defines a Certificate.
   *
   * @param scope the parent construct (usually a Chart of the namespace the Secret is needed in)
   * @param id the construct id, unique within `scope`
   * @param props the DNS names, the Secret to write, the issuer, and optionally validity and key
   */
  constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id, props);
    _checkProps('props', props, true, '{ dnsNames: ["shop.example.com"], secretName: "shop-cert", issuer: CertificateIssuer.clusterIssuer("letsencrypt") }');
    const live = pendingLiveHosts !== undefined && pendingLiveHosts === props.dnsNames;
    pendingLiveHosts = undefined;
    if (live) {
      this.node.addValidation({ validate: () => Certificate.dnsNameErrors(this.dnsNames) });
    } else {
      Certificate._validateDnsNames('dnsNames', props.dnsNames);
    }
    this.secretName = _validateDnsSubdomain('secretName', props.secretName);
    Certificate._validateOptions(props);
    this.dnsNames = live ? props.dnsNames : [...props.dnsNames];
    const options = Certificate._renderOptions(props);
    this.apiObject = this._createApiObject(cm.Certificate, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => cm.toJson_CertificateSpec({ secretName: this.secretName, dnsNames: [...this.dnsNames], ...options }) }),
    });
  }
}
