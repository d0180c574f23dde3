import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _invalid } from '../_utils';
import { _Declarations, _carriedAnnotations } from './_declarations';
import { _MeshInput, _meshChecks } from './_mesh';
import { _readByMeshRules } from './_mesh-index';
import { _Render, _closeRound, _openRound, _roundPending } from './_render-share';
import { _rule } from './_rules';
import { ConformanceValidator, ValidationFinding, ValidationSeverity } from './conformance';

const INSTANCES = new WeakMap<IConstruct, MeshValidation>();
const SUPPRESSIONS = new WeakMap<IConstruct, Map<string, string>>();
const GATEWAY_REF = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const NONE: ReadonlyMap<string, string> = new Map();
/** Kinds whose annotations depend on their spec (`_declarations.ts`): rendered to stamp them. */
const SPEC_CARRIERS = new Set(['Telemetry', 'AuthorizationPolicy', 'VirtualService']);
let anySuppression = false;

/** The rules suppressed for `c` by `MeshValidation.suppress()` on it or any scope above it. */
function suppressionsOf(c: IConstruct): ReadonlyMap<string, string> {
  if (!anySuppression) return NONE;
  let found: Map<string, string> | undefined;
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
    const own = SUPPRESSIONS.get(s);
    if (!own) continue;
    found ??= new Map();
    // the closest scope's reason wins
    own.forEach((reason, rule) => { if (!found!.has(rule)) found!.set(rule, reason); });
  }
  return found ?? NONE;
}

/**
 * Adds the annotations an object carries for the checkers (`_declarations.ts`) unless its render `doc`
 * already has them; returns whether it added any (the object must then be rendered again).
 */
function stamp(c: ApiObject, doc: { metadata?: { annotations?: Record<string, unknown> } } | undefined,
  annotations: ReadonlyMap<string, string>): boolean {
  let added = false;
  annotations.forEach((value, key) => {
    if (doc?.metadata?.annotations?.[key] === value) return;
    c.metadata.addAnnotation(key, value);
    added = true;
  });
  return added;
}

/**
 * Validation of a whole cdk8s app at synth: every `ApiObject` in it (this library's constructs AND raw
 * objects or L1s you add yourself) is checked against its CRD schema and CEL rules
 * (`ConformanceValidator`) and by the cross-resource mesh rules (README "## Validation", "### Rules": istioctl
 * analyze's IST codes, Kiali's KIA codes, the admission webhook's rules and this library's MESH rules).
 *
 * Errors fail `app.synth()` / `cdk8s synth`, each naming the construct path of the culprit; warnings are
 * printed and do not fail. It is switched on automatically the first time a construct of this library is
 * created in an app; `enableAtSynth()` switches it on for apps made only of raw objects.
 * Opt out per app with `MeshValidation.disable(app)` or the app context `cdk8s-istio/validation: false`.
 *
 * In a single-chart app each checked object of this library is rendered once per synth: the output takes
 * the JSON the checks saw, so what is written is exactly what was validated. With several charts, and for
 * objects the library did not build, objects are rendered once for the checks and once for the output.
 *
 * @example
 * const app = new App();
 * MeshValidation.of(app)
 *   .declareProviders(['otel-tracing'])                    // meshConfig.extensionProviders
 *   .declareExternalGateways(['istio-ingress/public']);    // gateways managed outside this app
 * const vendorRedis = new kplus.Service(chart, 'vendor-redis', { ports: [{ port: 6379 }] });
 * MeshValidation.suppress(vendorRedis, 'IST0118', 'port names are owned by the vendor chart');
 */
export class MeshValidation {
  /** The app context key that switches validation off when set to `false`. */
  public static readonly CONTEXT_KEY = 'cdk8s-istio/validation';

  /**
   * The validation settings of the app (the construct tree's root) that `scope` belongs to.
   *
   * @param scope any construct of the app (the App, a Chart, an L2...); all share one instance
   */
  public static of(scope: IConstruct): MeshValidation {
    const root = scope.node.root;
    let v = INSTANCES.get(root);
    if (!v) {
      v = new MeshValidation(root);
      INSTANCES.set(root, v);
    }
    return v;
  }

  /**
   * Switches synth-time validation off for the app of `scope`.
   *
   * Same effect as setting the app context key `cdk8s-istio/validation` (`CONTEXT_KEY`) to `false`.
   *
   * @param scope any construct of the app
   */
  public static disable(scope: IConstruct): void {
    MeshValidation.of(scope).disabled = true;
  }

  /**
   * Suppresses one rule for a construct and everything below it, with the reason (kept in the
   * construct's metadata as `cdk8s-istio/suppress`, and in the output as the annotation
   * `validation.cdk8s-istio.dev/suppress` of each object below it, which the cdk8s plugin and the CLI read).
   *
   * @param scope the construct (an L2, an ApiObject, a Chart...)
   * @param rule a rule id, e.g. `IST0118` (see README "## Validation")
   * @param reason why the finding does not apply here
   */
  public static suppress(scope: IConstruct, rule: string, reason: string): void {
    if (typeof rule !== 'string' || !_rule(rule)) {
      throw _invalid('rule', rule, 'it is not a rule id of this library', 'use an id of README\'s rule table (e.g. IST0118, MESH001, K8S-SCHEMA)');
    }
    if (typeof reason !== 'string' || reason.trim().length === 0) {
      throw _invalid('reason', reason, 'a suppression needs a reason', 'say why the rule does not apply to this construct');
    }
    let map = SUPPRESSIONS.get(scope);
    if (!map) {
      map = new Map();
      SUPPRESSIONS.set(scope, map);
    }
    map.set(rule, reason);
    anySuppression = true;
    scope.node.addMetadata('cdk8s-istio/suppress', `${rule}: ${reason}`);
  }

  /**
   * One finding as a line: `<construct path>: [RULE] Kind/namespace/name: path: message`.
   *
   * @param finding a finding of the synth-time checks, `ConformanceValidator` or the CLI (the file is
   * shown when the construct path is unknown)
   */
  public static format(finding: ValidationFinding): string {
    const where = finding.constructPath ?? finding.file;
    const id = `${finding.kind}/${finding.namespace ?? ''}${finding.namespace ? '/' : ''}${finding.name}`;
    return `${where ? `${where}: ` : ''}[${finding.rule}] ${id}: ${finding.path || '(object)'}: ${finding.message}`;
  }

  /**
   * Called by every construct of this library: switches validation on for its app.
   * @internal
   */
  public static _register(scope: IConstruct): void {
    MeshValidation.of(scope).enableAtSynth();
  }

  private disabled = false;
  private registered = false;
  private providers?: Set<string>;
  private readonly externalGateways = new Set<string>();
  private conformance?: ConformanceValidator;
  /** The clean result of the last synth-time run, reused within the same synth (see synthErrors). */
  private clean?: { readonly size: number; readonly sharing: boolean };
  private checkingOthers = false;

  private constructor(private readonly root: IConstruct) {}

  /**
   * Whether synth-time validation runs for this app (not disabled by `disable()` or the context key).
   */
  public get enabled(): boolean {
    const ctx = this.root.node.tryGetContext(MeshValidation.CONTEXT_KEY);
    return !this.disabled && ctx !== false && ctx !== 'false';
  }

  /**
   * Runs the validation at synth, once per app (idempotent). Automatic for apps using this library's constructs.
   */
  public enableAtSynth(): void {
    if (this.registered) return;
    this.registered = true;
    this.root.node.addValidation({ validate: () => (this.enabled ? this.synthErrors() : this.stampOnly(this.root.node.findAll())) });
  }

  /**
   * Declares the extension providers the mesh config defines (`meshConfig.extensionProviders[].name`),
   * so Telemetry and CUSTOM AuthorizationPolicy providers can be checked (MESH002). `prometheus`,
   * `envoy` and `stackdriver` are always known. Those objects carry the declared names in the output
   * (annotation `validation.cdk8s-istio.dev/providers`), for the cdk8s plugin and the CLI.
   *
   * @param names provider names, as in `meshConfig.extensionProviders[].name` (e.g. `otel-tracing`);
   * calls add up
   * @default - until called, provider names are not checked
   */
  public declareProviders(names: string[]): MeshValidation {
    this.providers ??= new Set();
    for (const n of names) this.providers.add(n);
    return this;
  }

  /**
   * Declares Istio Gateways (`namespace/name`) that exist outside this app, e.g. a shared ingress
   * gateway, so routes bound to them are not reported as dangling (IST0101). A VirtualService bound to
   * one carries it in the output (annotation `validation.cdk8s-istio.dev/external-gateways`), for the
   * cdk8s plugin and the CLI.
   *
   * @param refs `namespace/name` references, as a VirtualService's `gateways` lists them, e.g.
   * `istio-ingress/public`; calls add up
   */
  public declareExternalGateways(refs: string[]): MeshValidation {
    for (const r of refs) {
      if (!GATEWAY_REF.test(r)) {
        throw _invalid('externalGateways', r, 'it is not a "namespace/name" Gateway reference', 'write it as e.g. "istio-ingress/public"');
      }
      this.externalGateways.add(r);
    }
    return this;
  }

  /**
   * Validates against these CRDs (e.g. your cluster's `kubectl get crd -o yaml`) instead of the built-in
   * ones for the kinds they define.
   *
   * @param crds parsed `CustomResourceDefinition` documents, or `List`s of them
   */
  public useCrds(crds: any[]): MeshValidation {
    this.conformance = ConformanceValidator.fromCrds(crds);
    return this;
  }

  /**
   * Runs every check now over the app's objects and returns all findings (errors and warnings, without
   * suppressed ones), sorted by construct path.
   */
  public validate(): ValidationFinding[] {
    return this.run(this.root.node.findAll());
  }

  /**
   * Checks `constructs` (the app's tree); when `renders` is given, keeps there the JSON of each checked
   * object of this library, for the output of the same synth (one render per object). Stamps on each
   * object the declarations it carries for the plugin and the CLI (`_declarations.ts`) first.
   */
  private run(constructs: IConstruct[], renders?: Map<ApiObject, _Render>): ValidationFinding[] {
    const conformance = this.conformance ?? ConformanceValidator.builtIn();
    const declarations = this.declarations();
    const inputs: _MeshInput[] = [];
    const findings: ValidationFinding[] = [];
    const others: _MeshInput[] = [];
    for (const c of constructs) {
      if (!ApiObject.isApiObject(c)) continue;
      const suppressed = suppressionsOf(c);
      // render only what a rule reads: kinds with a schema, and the core kinds and workloads (pod templates)
      // the mesh rules index (ConfigMaps, Secrets... are never rendered twice; only their identity is checked, MESH005)
      if (!conformance.knows(c.apiVersion, c.kind) && !_readByMeshRules(c.apiVersion, c.kind)) {
        const doc = { apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.name, namespace: c.metadata.namespace } };
        stamp(c, undefined, _carriedAnnotations(doc, declarations, suppressed));
        others.push({ doc, get constructPath() { return (c.node.id === 'Resource' && c.node.scope ? c.node.scope : c).node.path; }, suppressed });
        continue;
      }
      // an object that cannot render throws here with cdk8s' own "Failed serializing construct" error
      let doc = c.toJson();
      if (stamp(c, doc, _carriedAnnotations(doc, declarations, suppressed))) doc = c.toJson();
      if (renders) renders.set(c, doc); // the output takes it: this library's objects by class, others by a lent toJson
      const culprit = c.node.id === 'Resource' && c.node.scope ? c.node.scope : c;
      // the construct path is a join over all scopes: computed only for objects with a finding
      const input: _MeshInput = { doc, get constructPath() { return culprit.node.path; }, suppressed };
      inputs.push(input);
      for (const f of conformance.validate(doc)) {
        if (!suppressed.has(f.rule)) findings.push({ ...f, constructPath: input.constructPath });
      }
    }
    findings.push(..._meshChecks(inputs, { ...declarations, otherObjects: others }));
    return findings.sort((a, b) => (a.constructPath ?? '').localeCompare(b.constructPath ?? '') || a.rule.localeCompare(b.rule) || a.path.localeCompare(b.path));
  }

  private declarations(): _Declarations {
    return { providers: this.providers, externalGateways: this.externalGateways };
  }

  /**
   * With the checks switched off, still stamps the declarations on the objects, so the plugin and the
   * CLI see what the code declared. Renders only the objects whose annotations depend on their spec.
   */
  private stampOnly(constructs: IConstruct[]): string[] {
    const declarations = this.declarations();
    const specDependent = declarations.externalGateways.size > 0 || (declarations.providers?.size ?? 0) > 0;
    for (const c of constructs) {
      if (!ApiObject.isApiObject(c)) continue;
      const suppressed = suppressionsOf(c);
      if (specDependent && SPEC_CARRIERS.has(c.kind)) {
        const doc = c.toJson();
        stamp(c, doc, _carriedAnnotations(doc, declarations, suppressed));
      } else if (suppressed.size > 0) {
        stamp(c, undefined, _carriedAnnotations({}, declarations, suppressed));
      }
    }
    return [];
  }

  private synthErrors(): string[] {
    if (this.checkingOthers) return []; // called back by otherValidationsPass()
    const all = this.root.node.findAll();
    // cdk8s validates the whole app once per chart it renders (and once more in app.synth()). Within one
    // synchronous synth of an unchanged tree the clean result of the first run is reused: until the
    // output has taken every render handed over (single-chart apps), else until the next tick.
    const clean = this.clean;
    if (clean && clean.size === all.length && (!clean.sharing || _roundPending(this.root))) return [];
    this.clean = undefined;
    _closeRound(this.root);

    // hand this run's renders to the output only when no user code can run in between: one chart, which
    // cdk8s renders right after validating (see _render-share.ts)
    let charts = 0;
    for (const c of all) if (Chart.isChart(c)) charts++;
    const renders = charts === 1 ? new Map<ApiObject, _Render>() : undefined;

    const errors: string[] = [];
    for (const f of this.run(all, renders)) {
      const line = MeshValidation.format(f);
      if (f.severity === ValidationSeverity.ERROR) {
        errors.push(line);
      } else {
        // eslint-disable-next-line no-console
        console.warn(`cdk8s-istio validation warning: ${line}`);
      }
    }
    if (errors.length > 0) return errors; // the synth stops here: nothing to reuse or hand over

    // hand over only if the synth goes on to the output: when another construct's validation fails, cdk8s
    // stops this synth, and user code could change an object before the next synth in the same tick
    const sharing = renders !== undefined && renders.size > 0 && this.otherValidationsPass(all);
    if (sharing) _openRound(this.root, renders);
    this.clean = { size: all.length, sharing };
    setImmediate(() => {
      this.clean = undefined;
      _closeRound(this.root);
    });
    return [];
  }

  /** Whether every other validation in the app passes (cdk8s runs them all in the same synth). */
  private otherValidationsPass(all: IConstruct[]): boolean {
    this.checkingOthers = true;
    try {
      return all.every((c) => c.node.validate().length === 0);
    } finally {
      this.checkingOthers = false;
    }
  }
}
