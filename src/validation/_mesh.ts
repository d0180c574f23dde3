/**
 * Cross-resource mesh checks over plain JSON objects (an app's `ApiObject.toJson()`s, or YAML files).
 * Internal engine shared by `MeshValidation` (synth), `MeshValidationPlugin` and the CLI.
 *
 * Everything is indexed once (maps by host, namespace, gateway); each rule is then a lookup per
 * reference: O(objects + references), no all-pairs scans.
 */
import { _carriedDeclarations, _carriedSuppressions } from './_declarations';
import { _MeshInput, _MeshOptions, RuleContext, indexInputs, reporter } from './_mesh-index';
import { _rule, _ruleChecks } from './_rules';
import { ConformanceValidator, ValidationFinding } from './conformance';

export type { _MeshInput, _MeshOptions } from './_mesh-index';

/**
 * Runs every mesh rule over the inputs.
 * @internal
 */
export function _meshChecks(inputs: readonly _MeshInput[], options: _MeshOptions = {}): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const report = reporter(findings);
  const c: RuleContext = {
    ix: indexInputs(inputs),
    // a rule id must be registered (README's table is generated from the registry)
    report: (input, rule, severity, path, message) => {
      if (!_rule(rule)) throw new Error(`internal: rule ${rule} is not registered in src/validation/_rules.ts`);
      report(input, rule, severity, path, message);
    },
    options,
    root: options.rootNamespace ?? 'istio-system',
    inputs,
    findings,
  };
  for (const check of _ruleChecks()) check(c);
  return findings;
}


/** A parsed document and where it came from. @internal */
export interface _Document {
  readonly doc: any;
  readonly file?: string;
  readonly constructPath?: string;
}

/**
 * Schema + CEL conformance of every document, then the mesh rules over all of them (CLI, plugin). The
 * declarations the app carried in its output (`_declarations.ts`: providers, external gateways,
 * suppressions) are added to `options`, so these checkers see what the synth-time checks saw.
 * @internal
 */
export function _validateDocuments(docs: readonly _Document[], conformance: ConformanceValidator, options: _MeshOptions = {}): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const inputs: _MeshInput[] = [];
  const given = { providers: options.providers, externalGateways: options.externalGateways ?? new Set<string>() };
  const carried = _carriedDeclarations(docs.map((d) => d.doc), given);
  for (const d of docs) {
    if (!d.doc || typeof d.doc !== 'object') continue;
    const where = {
      ...(d.file !== undefined ? { file: d.file } : {}),
      ...(d.constructPath !== undefined ? { constructPath: d.constructPath } : {}),
    };
    const suppressed = _carriedSuppressions(d.doc);
    for (const f of conformance.validate(d.doc)) {
      if (!suppressed.has(f.rule)) findings.push({ ...f, ...where });
    }
    inputs.push({ doc: d.doc, ...where, ...(suppressed.size > 0 ? { suppressed } : {}) });
  }
  findings.push(..._meshChecks(inputs, { ...options, ...carried }));
  return findings;
}
