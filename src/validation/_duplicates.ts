/**
 * MESH005: one object defined twice. Two documents with the same API group, kind, namespace and name
 * are one object to the API server: `kubectl apply` keeps the last, so the first silently does nothing
 * (two SecureNamespaces for one namespace: the second PeerAuthentication `default` wins; two policies
 * with one name: one of them is lost).
 *
 * An app (synth-time checks; the cdk8s plugin, whose files are one app's charts; the CLI with `--one-app`)
 * is one set of objects; otherwise the CLI compares files one by one, because a folder may hold
 * alternatives applied one at a time (as Istio's samples do).
 *
 * Internal: `_meshChecks` runs it, so the synth-time checks, the cdk8s plugin and the CLI agree.
 */
import type { _MeshInput } from './_mesh-index';
import { _apiGroup, _objectKey } from './_objects';
import { ValidationFinding, ValidationSeverity } from './conformance';

function where(input: _MeshInput): string {
  return input.constructPath ?? input.file ?? '(unknown)';
}

/**
 * One error per object defined more than once, on every definition after the first, naming both.
 * @internal
 */
export function _duplicateObjects(inputs: readonly _MeshInput[], acrossFiles: boolean): ValidationFinding[] {
  const first = new Map<string, _MeshInput>();
  const findings: ValidationFinding[] = [];
  for (const input of inputs) {
    const d = input.doc;
    const name = d?.metadata?.name;
    if (!d?.kind || typeof name !== 'string') continue;
    const group = _apiGroup(d);
    const ns = d.metadata.namespace ?? '';
    const key = `${acrossFiles ? '' : input.file ?? ''}|${_objectKey(d)}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, input);
      continue;
    }
    if (input.suppressed?.has('MESH005')) continue;
    const id = `${d.kind}${group ? '.' + group : ''} ${ns ? ns + '/' : ''}${name}`;
    findings.push({
      rule: 'MESH005',
      severity: ValidationSeverity.ERROR,
      kind: String(d.kind),
      apiVersion: d.apiVersion,
      namespace: d.metadata.namespace,
      name,
      path: 'metadata.name',
      message: `${id} is defined twice, by ${where(earlier)} and by ${where(input)}: the API server keeps one object, so one definition silently does nothing. `
        + 'Fix: define it once, or give one of them another name (in code, SecureNamespace.of(scope, name) returns a namespace\'s existing SecureNamespace)',
      ...(input.constructPath !== undefined ? { constructPath: input.constructPath } : {}),
      ...(input.file !== undefined ? { file: input.file } : {}),
    });
  }
  return findings;
}
