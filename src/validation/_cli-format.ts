/**
 * How the CLI prints findings: one text line each, JSON, or SARIF 2.1.0 (which code-scanning UIs turn
 * into annotations on a pull request). Internal.
 */
import { ValidationFinding, ValidationSeverity } from './conformance';

/** `Kind/namespace/name` (or `Kind/name`). */
function objectId(f: ValidationFinding): string {
  return f.namespace ? `${f.kind}/${f.namespace}/${f.name}` : `${f.kind}/${f.name}`;
}

/** One finding as a CLI line. @internal */
export function _formatLine(f: ValidationFinding): string {
  const rule = f.severity === ValidationSeverity.WARNING ? `${f.rule} warning` : f.rule;
  return `${f.file ?? f.constructPath ?? '-'}: ${objectId(f)}: ${f.path || '(object)'}: [${rule}] ${f.message}`;
}

/** The findings as a JSON array (one object per finding, the ValidationFinding fields). @internal */
export function _formatJson(findings: ValidationFinding[]): string {
  return `${JSON.stringify(findings, undefined, 2)}\n`;
}

/**
 * The findings as a SARIF 2.1.0 log: one rule per rule id, one result per finding with the file as its
 * physical location and `Kind/namespace/name` plus the field path as its logical location.
 * @internal
 */
export function _formatSarif(findings: ValidationFinding[], version: string): string {
  const rules = [...new Set(findings.map((f) => f.rule))].sort().map((id) => ({ id, name: id }));
  const results = findings.map((f) => ({
    ruleId: f.rule,
    level: f.severity === ValidationSeverity.ERROR ? 'error' : 'warning',
    message: { text: `${objectId(f)}: ${f.path || '(object)'}: ${f.message}` },
    locations: [{
      ...(f.file ? { physicalLocation: { artifactLocation: { uri: f.file.split('\\').join('/') } } } : {}),
      logicalLocations: [{ fullyQualifiedName: `${objectId(f)}${f.path ? '.' + f.path : ''}`, kind: 'resource' }],
    }],
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'cdk8s-istio', version, rules } }, results }],
  };
  return `${JSON.stringify(log, undefined, 2)}\n`;
}
