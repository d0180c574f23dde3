import * as fs from 'fs';
import * as path from 'path';
import { _CelValidator } from './_cel';
import { _applyDefaults, _precompiledFile, _SchemaValidator } from './_schema';

/**
 * How serious a validation finding is.
 */
export enum ValidationSeverity {
  /** The object would be rejected, or does not do what it says: fails synth, the plugin and the CLI. */
  ERROR = 'error',
  /** Probably a mistake: reported, never fails. */
  WARNING = 'warning',
}

/**
 * One problem found in a Kubernetes/Istio object.
 */
export interface ValidationFinding {
  /** Stable rule id: `K8S-SCHEMA`, `K8S-CEL`, an Istio analyzer code (`IST0101`) or `MESH00N` (see README "## Validation"). */
  readonly rule: string;
  /** Error or warning. */
  readonly severity: ValidationSeverity;
  /** `kind` of the object. */
  readonly kind: string;
  /**
   * `apiVersion` of the object.
   * @default - unknown
   */
  readonly apiVersion?: string;
  /**
   * `metadata.namespace` of the object.
   * @default - cluster-scoped or not set
   */
  readonly namespace?: string;
  /** `metadata.name` of the object. */
  readonly name: string;
  /** Field path inside the object, e.g. `spec.http[0].route[0].destination.subset` (empty: the whole object). */
  readonly path: string;
  /** What is wrong and, where known, how to fix it. */
  readonly message: string;
  /**
   * For a CEL violation: the rule's CEL expression.
   * @default - not a CEL finding
   */
  readonly expression?: string;
  /**
   * Construct path of the culprit, when the object comes from a cdk8s app.
   * @default - unknown (e.g. plain YAML)
   */
  readonly constructPath?: string;
  /**
   * File the object was read from (CLI, plugin).
   * @default - not read from a file
   */
  readonly file?: string;
}

interface KindEntry {
  readonly schema: any;
  /** the precompiled validator of a built-in schema (`lib/validation/validators/`, built by `npx projen compile`) */
  readonly precompiled?: string;
  hasDefaults?: boolean;
  schemaValidator?: _SchemaValidator;
  celValidator?: _CelValidator;
}

/**
 * The bundles shipped in the package (`npx projen schemas`), also read by scripts/gen-validators.js.
 * @internal
 */
export const _BUILT_IN_BUNDLES = ['istio', 'gateway-api', 'prometheus-operator', 'cert-manager', 'argo-rollouts', 'flagger'];
let builtIn: ConformanceValidator | undefined;

/**
 * Validates objects against CRD structural schemas and their `x-kubernetes-validations` CEL rules, the
 * way the Kubernetes API server does on create, offline.
 *
 * The built-in data covers every served version (v1, and v1alpha3/v1beta1/v1alpha1 where still served) of
 * every kind of Istio 1.30.3, Gateway API v1.5.1 (standard channel)
 * prometheus-operator v0.93 (PodMonitor, ServiceMonitor, PrometheusRule) and cert-manager v1.21 (Certificate,
 * Issuer, ClusterIssuer). Add your cluster's CRDs
 * (`kubectl get crd -o yaml`) to validate against exactly what you run. One deliberate difference from
 * the API server: unknown fields are errors (the API server would drop them silently, and a dropped field
 * is a bug in a library).
 *
 * @example
 * // any Kubernetes document (keys quoted, so that translations keep them as they are)
 * const findings = ConformanceValidator.builtIn().validate({
 *   'apiVersion': 'networking.istio.io/v1', 'kind': 'VirtualService',
 *   'metadata': { 'name': 'catalog', 'namespace': 'shop' }, 'spec': { 'hosts': ['catalog'], 'htp': [] },
 * });
 * // [{ rule: 'K8S-SCHEMA', path: 'spec.htp', message: 'unknown field "spec.htp" ...', ... }]
 */
export class ConformanceValidator {
  /**
   * The shared validator with the CRDs shipped in this package (each kind's schema validator loaded at
   * first use: precompiled in the package, compiled when running from source).
   */
  public static builtIn(): ConformanceValidator {
    if (!builtIn) {
      builtIn = new ConformanceValidator({ includeBuiltIn: true });
    }
    return builtIn;
  }

  /**
   * A validator for the given CRDs (objects of kind `CustomResourceDefinition`, or `List`s of them as
   * printed by `kubectl get crd -o yaml`). They replace the built-in schema of the same group, version and kind.
   *
   * @param crds parsed CRD documents
   * @param options whether to keep the built-in schemas for the other kinds
   */
  public static fromCrds(crds: any[], options: ConformanceValidatorOptions = {}): ConformanceValidator {
    const v = new ConformanceValidator(options);
    v.addCrds(crds);
    return v;
  }

  private readonly kinds = new Map<string, KindEntry>();

  /**
   * A validator holding the built-in schemas (every served version of the kinds of Istio 1.30 and Gateway API v1.5.1,
   * prometheus-operator's PodMonitor, ServiceMonitor and PrometheusRule, cert-manager's Certificate, Issuer and
   * ClusterIssuer), or none with
   * `includeBuiltIn: false`.
   *
   * Prefer `ConformanceValidator.builtIn()`, which shares one instance.
   *
   * @param options whether to start from the built-in schemas (add more with `addCrds()`)
   */
  constructor(options: ConformanceValidatorOptions = {}) {
    if (options.includeBuiltIn ?? true) {
      for (const bundle of _BUILT_IN_BUNDLES) {
        const data = JSON.parse(fs.readFileSync(path.join(__dirname, 'schemas', `${bundle}.json`), 'utf8'));
        for (const c of data.crds) {
          // a version served with the schema of another one (`schemaOf`) shares its data and precompiled validator
          const own = c.schemaOf ?? c.version;
          const schema = c.schemaOf ? this.kinds.get(`${c.group}/${c.schemaOf}/${c.kind}`)?.schema : c.schema;
          if (!schema) throw new Error(`internal: ${bundle}.json lists ${c.group}/${c.version} ${c.kind} with the schema of ${c.schemaOf}, listed after it`);
          this.kinds.set(`${c.group}/${c.version}/${c.kind}`, { schema, precompiled: _precompiledFile(`${c.group}/${own}`, c.kind) });
        }
      }
    }
  }

  /**
   * Adds (or replaces) the schemas of CRDs: every served version with a schema.
   *
   * @param crds parsed `CustomResourceDefinition` documents, or `List`s of them
   * @returns the number of kind versions added
   */
  public addCrds(crds: any[]): number {
    let n = 0;
    for (const doc of crds) {
      if (!doc || typeof doc !== 'object') continue;
      if (doc.kind === 'List' && Array.isArray(doc.items)) {
        n += this.addCrds(doc.items);
        continue;
      }
      if (doc.kind !== 'CustomResourceDefinition' || !doc.spec?.names?.kind) continue;
      for (const v of doc.spec.versions ?? []) {
        const schema = v.schema?.openAPIV3Schema ?? doc.spec.validation?.openAPIV3Schema;
        if (v.served === false || !schema) continue;
        this.kinds.set(`${doc.spec.group}/${v.name}/${doc.spec.names.kind}`, { schema });
        n++;
      }
    }
    return n;
  }

  /**
   * Whether a schema is known for this `apiVersion` and `kind`.
   *
   * @param apiVersion `<group>/<version>`, e.g. `networking.istio.io/v1`
   * @param kind the kind, e.g. `VirtualService`
   */
  public knows(apiVersion: string, kind: string): boolean {
    return this.kinds.has(`${apiVersion}/${kind}`);
  }

  /**
   * Validates one object (plain JSON, e.g. `ApiObject.toJson()` or a parsed YAML document).
   * Objects of unknown kinds give no findings.
   *
   * @param obj the object
   */
  public validate(obj: any): ValidationFinding[] {
    if (!obj || typeof obj !== 'object') return [];
    const entry = this.kinds.get(`${obj.apiVersion}/${obj.kind}`);
    if (!entry) return [];
    entry.schemaValidator ??= new _SchemaValidator(entry.schema, entry.precompiled);
    entry.celValidator ??= new _CelValidator(entry.schema);
    entry.hasDefaults ??= JSON.stringify(entry.schema).includes('"default"');
    // the API server defaults first, then validates the defaulted object
    const defaulted = entry.hasDefaults ? _applyDefaults(obj, entry.schema) : obj;
    const base = {
      severity: ValidationSeverity.ERROR,
      kind: String(obj.kind),
      apiVersion: String(obj.apiVersion),
      namespace: obj.metadata?.namespace,
      name: String(obj.metadata?.name ?? ''),
    };
    const out: ValidationFinding[] = entry.schemaValidator.validate(defaulted).map((e) => ({ ...base, rule: 'K8S-SCHEMA', path: e.path, message: `${e.message}. Fix: ${schemaFix(e.message)}` }));
    for (const e of entry.celValidator.validate(defaulted)) {
      out.push({ ...base, rule: 'K8S-CEL', path: e.path, message: `${e.message}. Fix: change the object so that the CRD's validation rule holds`, expression: e.rule });
    }
    return out;
  }
}

/**
 * Options of a `ConformanceValidator`.
 */
export interface ConformanceValidatorOptions {
  /**
   * Keep the schemas shipped in this package for kinds not given explicitly.
   *
   * @default true
   */
  readonly includeBuiltIn?: boolean;
}

/** The fix for a schema error, by the API server's message form (`_schema.ts` writes them). */
function schemaFix(message: string): string {
  if (message.startsWith('unknown field')) return 'remove the field or correct its name (the CRD\'s field names, as in the API reference)';
  if (message.startsWith('Unsupported value')) return 'use one of the supported values';
  if (message.startsWith('Required value')) return 'set the field';
  if (message.startsWith('Duplicate value')) return 'list each value (or key) once';
  if (message.startsWith('Too long') || message.startsWith('Too many')) return 'shorten it to the limit';
  return 'give a value of the type and form the CRD\'s schema states';
}
