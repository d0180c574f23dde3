import { _parseFile } from './_files';
import { _Document, _validateDocuments } from './_mesh';
import { ConformanceValidator, ValidationSeverity } from './conformance';

/**
 * A resource named by a violation (cdk8s-cli maps `resourceName` to the construct path).
 */
export interface PluginViolatingResource {
  /** `metadata.name` of the object. */
  readonly resourceName: string;
  /** The manifest file. */
  readonly manifestPath: string;
  /** Field paths inside the object. */
  readonly locations: string[];
}

/**
 * One violation as cdk8s-cli's validation report takes it.
 */
export interface PluginViolation {
  /** Rule id and object, e.g. `[IST0101] VirtualService shop/catalog`. */
  readonly ruleName: string;
  /** What is wrong. */
  readonly recommendation: string;
  /** How to fix it. */
  readonly fix: string;
  /** The objects concerned. */
  readonly violatingResources: PluginViolatingResource[];
}

/**
 * The report of a cdk8s validation plugin (structural: cdk8s-cli's `ValidationReport`).
 */
export interface IPluginValidationReport {
  /**
   * Adds a violation (before `submit()`, after which cdk8s-cli throws).
   *
   * @param violation rule name, recommendation, fix and the violating objects (name, manifest file)
   */
  addViolation(violation: PluginViolation): void;
  /**
   * Completes the report with `success` or `failure` (cdk8s-cli fails the synth on `failure`).
   *
   * @param status `success` or `failure`
   * @param metadata key/value pairs shown with the report, e.g. counts of findings
   */
  submit(status: string, metadata?: { [key: string]: string }): void;
}

/**
 * The logger of a cdk8s validation plugin context.
 */
export interface IPluginLogger {
  /**
   * Logs one message.
   *
   * @param message the text, printed by cdk8s-cli during `cdk8s synth` (e.g. a warning finding)
   */
  log(message: string): void;
}

/**
 * What cdk8s-cli passes to a validation plugin (structural: cdk8s-cli's `ValidationContext`).
 */
export interface IPluginValidationContext {
  /** Paths of the synthesized manifests. */
  readonly manifests: string[];
  /** The report to fill. */
  readonly report: IPluginValidationReport;
  /**
   * The logger.
   * @default - console
   */
  readonly logger?: IPluginLogger;
}

/**
 * Properties of the `MeshValidationPlugin` (the `properties:` of its `cdk8s.yaml` entry).
 */
export interface MeshValidationPluginProps {
  /**
   * CRD files (e.g. `kubectl get crd -o yaml` output) to validate against instead of the built-in
   * schemas, relative to the working directory.
   *
   * @default - the built-in Istio 1.30.3, Gateway API v1.5.1 and prometheus-operator v0.93 schemas
   */
  readonly crds?: string[];
  /**
   * Extension providers of the mesh config (turns on MESH002), besides those the app declared in code
   * (carried by its Telemetries as the annotation `validation.cdk8s-istio.dev/providers`).
   *
   * @default - only the providers carried by the manifests; unchecked when none
   */
  readonly providers?: string[];
  /**
   * Istio Gateways (`namespace/name`) that exist outside the synthesized manifests, besides those the
   * app declared in code (carried by its VirtualServices as `validation.cdk8s-istio.dev/external-gateways`).
   *
   * @default - only the gateways carried by the manifests
   */
  readonly externalGateways?: string[];
  /**
   * Fail on warnings too.
   *
   * @default false
   */
  readonly failOnWarnings?: boolean;
}

/**
 * A cdk8s validation plugin running this library's checks (CRD schema + CEL conformance and the mesh
 * rules, see README "## Validation") over the synthesized manifests, for `cdk8s synth`:
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: ./node_modules/cdk8s-istio
 *     version: 0.0.0
 *     class: MeshValidationPlugin
 *     properties: { providers: [otel-tracing] }
 * ```
 *
 * Errors make `cdk8s synth` exit non-zero with a report naming the construct paths; warnings are logged.
 *
 * @example
 * // cdk8s-cli creates it from the `validations:` entry above, then calls `validate(context)` after synth
 * new MeshValidationPlugin({ providers: ['otel-tracing'], failOnWarnings: false });
 */
export class MeshValidationPlugin {
  private readonly props: MeshValidationPluginProps;

  /**
   * A plugin instance, as cdk8s-cli creates it: `new MeshValidationPlugin(properties)`.
   *
   * @param props the `properties:` of the plugin's `cdk8s.yaml` entry
   */
  constructor(props: MeshValidationPluginProps = {}) {
    this.props = props;
  }

  /**
   * Validates the context's manifests and submits the report (`failure` when there are errors).
   *
   * @param context what cdk8s-cli passes: the synthesized manifest files, the report to fill and a logger
   */
  public validate(context: IPluginValidationContext): void {
    const log = (m: string) => (context.logger ? context.logger.log(m) : console.log(m)); // eslint-disable-line no-console
    const conformance = this.props.crds && this.props.crds.length > 0
      ? ConformanceValidator.fromCrds(this.props.crds.flatMap((f) => _parseFile(f)))
      : ConformanceValidator.builtIn();
    const docs: _Document[] = [];
    for (const file of context.manifests) {
      for (const doc of _parseFile(file)) docs.push({ doc, file });
    }
    const findings = _validateDocuments(docs, conformance, {
      providers: this.props.providers ? new Set(this.props.providers) : undefined,
      externalGateways: new Set(this.props.externalGateways ?? []),
      duplicatesAcrossFiles: true, // the manifests are one app's charts, applied together
    });
    let failed = false;
    let warnings = 0;
    for (const f of findings) {
      const warning = f.severity === ValidationSeverity.WARNING;
      if (warning) warnings++;
      const ns = f.namespace ? `${f.namespace}/` : '';
      if (warning && this.props.failOnWarnings !== true) {
        log(`cdk8s-istio warning: [${f.rule}] ${f.kind} ${ns}${f.name}: ${f.path}: ${f.message}`);
        continue;
      }
      failed = true;
      const fixAt = f.message.indexOf('. Fix: ');
      context.report.addViolation({
        ruleName: `[${f.rule}${warning ? ' warning' : ''}] ${f.kind} ${ns}${f.name}`,
        recommendation: fixAt >= 0 ? f.message.slice(0, fixAt) : f.message,
        fix: fixAt >= 0 ? f.message.slice(fixAt + 7) : 'see README "## Validation" of cdk8s-istio',
        violatingResources: [{ resourceName: f.name, manifestPath: f.file ?? '', locations: [f.path || '(object)'] }],
      });
    }
    context.report.submit(failed ? 'failure' : 'success', { objects: String(docs.length), findings: String(findings.length), warnings: String(warnings) });
  }
}
