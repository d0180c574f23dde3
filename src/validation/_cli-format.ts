/**
 * How the CLI prints findings: one text line each, JSON, or SARIF 2.1.0 (which code-scanning UIs turn
 * into annotations on a pull request). Internal.
 */
import { _rule } from './_rules';
import { ValidationFinding, ValidationSeverity } from './conformance';

/** Where each object of the input starts, by file and object: a function from a field path to its 1-based line. @internal */
export type _Lines = Map<string, (path: string) => number>;

/** The key of an object of a file in `_Lines`. @internal */
export function _findingObjectKey(file: string, kind: unknown, namespace: unknown, name: unknown): string {
  return `${file}\u0000${String(kind)}\u0000${String(namespace ?? '')}\u0000${String(name)}`;
}

/** `Kind/namespace/name` (or `Kind/name`). */
function objectId(f: ValidationFinding): string {
  return f.namespace ? `${f.kind}/${f.namespace}/${f.name}` : `${f.kind}/${f.name}`;
}

/** One finding as a CLI line. @internal */
export function _formatLine(f: ValidationFinding): string {
  const rule = f.severity === ValidationSeverity.WARNING ? `${f.rule} warning` : f.rule;
  // a file or document that is no Kubernetes object (K8S-YAML, K8S-OBJECT): no object or path to name
  const what = f.kind === '(none)' ? (f.name === '(file)' ? '' : `${f.name.slice(1, -1)}: `) : `${objectId(f)}: ${f.path || '(object)'}: `;
  return `${f.file ?? f.constructPath ?? '-'}: ${what}[${rule}] ${f.message}`;
}

/** The findings as a JSON array (one object per finding, the ValidationFinding fields). @internal */
export function _formatJson(findings: ValidationFinding[]): string {
  return `${JSON.stringify(findings, undefined, 2)}\n`;
}

/**
 * The findings as a SARIF 2.1.0 log: one rule per rule id (its description from the rule registry), one
 * result per finding with the file and the line of the field as its physical location (code-scanning UIs
 * place the annotation there) and `Kind/namespace/name` plus the field path as its logical location.
 * @internal
 */
export function _formatSarif(findings: ValidationFinding[], version: string, lines: _Lines = new Map()): string {
  const rules = [...new Set(findings.map((f) => f.rule))].sort().map((id) => {
    const def = _rule(id);
    return { id, name: id, ...(def ? { shortDescription: { text: def.catches.replace(/`/g, '') }, help: { text: `Mirrors: ${def.mirrors.replace(/`/g, '')}` } } : {}) };
  });
  const results = findings.map((f) => {
    const line = f.file ? lines.get(_findingObjectKey(f.file, f.kind, f.namespace, f.name))?.(f.path) : undefined;
    return {
      ruleId: f.rule,
      level: f.severity === ValidationSeverity.ERROR ? 'error' : 'warning',
      message: { text: `${objectId(f)}: ${f.path || '(object)'}: ${f.message}` },
      locations: [{
        ...(f.file ? { physicalLocation: { artifactLocation: { uri: f.file.split('\\').join('/') }, ...(line ? { region: { startLine: line } } : {}) } } : {}),
        logicalLocations: [{ fullyQualifiedName: `${objectId(f)}${f.path ? '.' + f.path : ''}`, kind: 'resource' }],
      }],
    };
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'cdk8s-istio', version, rules } }, results }],
  };
  return `${JSON.stringify(log, undefined, 2)}\n`;
}
