/**
 * `cdk8s-istio validate [--crds FILE]... [--provider NAME]... [--external-gateway NS/NAME]... FILE_OR_DIR...`
 *
 * Validates any Kubernetes YAML (files, or directories of `*.yaml`/`*.yml`) offline: CRD schema + CEL
 * conformance and the cross-resource mesh rules (README "## Validation"). Prints one line per finding,
 * `FILE: Kind/namespace/name: path: [RULE] message`, and exits 1 on errors, 0 when clean (warnings do
 * not fail), 2 on a usage error. Not part of the jsii API (bin/cdk8s-istio requires it).
 */
import { _manifestFiles, _parseFile } from './_files';
import { _Document, _validateDocuments } from './_mesh';
import { _transition, _transitionText } from './_transition';
import { ConformanceValidator, ValidationFinding, ValidationSeverity } from './conformance';

/** Where the CLI writes. @internal */
export interface _Out {
  write(s: string): any;
}

const USAGE = `usage: cdk8s-istio validate [--crds FILE]... [--provider NAME]... [--external-gateway NS/NAME]... FILE_OR_DIR...
  --crds FILE                 CRDs to validate against (e.g. kubectl get crd -o yaml > crds.yaml); repeatable
  --provider NAME             an extension provider of your meshConfig (turns on the provider check); repeatable
  --external-gateway NS/NAME  an Istio Gateway that exists outside the given files; repeatable
Prints "FILE: Kind/namespace/name: path: [RULE] message" per finding; exit 1 on errors, 0 when clean.
`;

const DIFF_USAGE = `usage: cdk8s-istio diff [--format text|json] OLD NEW
  OLD, NEW   two synthesized outputs (files or directories of *.yaml/*.yml), e.g. the base branch's dist/ and this one's
  --format   text (default) or json
Prints objects created, deleted and changed, with weights moved, access rules added or removed, hosts, TLS,
images and replicas; exit 1 when the change is one a cluster refuses (immutable fields) or loses traffic
(a route to a subset or Service that NEW deletes), 0 otherwise, 2 on a usage error.
`;

/** One finding as a CLI line. @internal */
export function _formatLine(f: ValidationFinding): string {
  const id = f.namespace ? `${f.kind}/${f.namespace}/${f.name}` : `${f.kind}/${f.name}`;
  const rule = f.severity === ValidationSeverity.WARNING ? `${f.rule} warning` : f.rule;
  return `${f.file ?? f.constructPath ?? '-'}: ${id}: ${f.path || '(object)'}: [${rule}] ${f.message}`;
}

/**
 * Runs the CLI; returns the exit code.
 * @internal
 */
export function main(argv: string[], out: _Out = process.stdout, err: _Out = process.stderr): number {
  const args = [...argv];
  if (args[0] === 'diff') return diff(args.slice(1), out, err);
  if (args[0] !== 'validate' || args.includes('--help') || args.includes('-h')) {
    (args[0] === 'validate' ? out : err).write(args[0] === 'validate' ? USAGE : `${USAGE}\n${DIFF_USAGE}`);
    return args[0] === 'validate' ? 0 : 2;
  }
  args.shift();
  const crdFiles: string[] = [];
  const providers: string[] = [];
  const externalGateways: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const takeValue = (): string | undefined => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      return args[++i];
    };
    const flag = a.split('=')[0];
    if (flag === '--crds' || flag === '--provider' || flag === '--external-gateway') {
      const v = takeValue();
      if (!v) { err.write(`cdk8s-istio: ${flag} needs a value\n${USAGE}`); return 2; }
      (flag === '--crds' ? crdFiles : flag === '--provider' ? providers : externalGateways).push(v);
    } else if (a.startsWith('--')) {
      err.write(`cdk8s-istio: unknown option ${a}\n${USAGE}`);
      return 2;
    } else {
      targets.push(a);
    }
  }
  if (targets.length === 0) { err.write(`cdk8s-istio: no FILE_OR_DIR given\n${USAGE}`); return 2; }

  let conformance = ConformanceValidator.builtIn();
  const docs: _Document[] = [];
  let files = 0;
  try {
    if (crdFiles.length > 0) {
      conformance = ConformanceValidator.fromCrds(crdFiles.flatMap((f) => _parseFile(f)));
    }
    for (const t of targets) {
      for (const file of _manifestFiles(t)) {
        files++;
        for (const doc of _parseFile(file)) docs.push({ doc, file });
      }
    }
  } catch (e: any) {
    err.write(`cdk8s-istio: ${e?.message ?? e}\n`);
    return 2;
  }
  const findings = _validateDocuments(docs, conformance, {
    providers: providers.length > 0 ? new Set(providers) : undefined,
    externalGateways: new Set(externalGateways),
  });
  let errors = 0;
  for (const f of findings) {
    if (f.severity === ValidationSeverity.ERROR) errors++;
    out.write(`${_formatLine(f)}\n`);
  }
  err.write(`cdk8s-istio validate: ${files} file(s), ${docs.length} object(s): ${errors} error(s), ${findings.length - errors} warning(s)\n`);
  return errors > 0 ? 1 : 0;
}

/** `cdk8s-istio diff [--format text|json] OLD NEW`: the transition between two outputs; returns the exit code. */
function diff(args: string[], out: _Out, err: _Out): number {
  if (args.includes('--help') || args.includes('-h')) { out.write(DIFF_USAGE); return 0; }
  let format = 'text';
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--format' || a.startsWith('--format=')) {
      format = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (format !== 'text' && format !== 'json') { err.write(`cdk8s-istio diff: --format is text or json, got ${format}\n${DIFF_USAGE}`); return 2; }
    } else if (a.startsWith('--')) {
      err.write(`cdk8s-istio diff: unknown option ${a}\n${DIFF_USAGE}`);
      return 2;
    } else {
      paths.push(a);
    }
  }
  if (paths.length !== 2) { err.write(`cdk8s-istio diff: give exactly two outputs, OLD and NEW (got ${paths.length})\n${DIFF_USAGE}`); return 2; }
  let sets: Array<Array<{ doc: any; file: string }>>;
  try {
    sets = paths.map((p) => _manifestFiles(p).flatMap((file) => _parseFile(file).map((doc) => ({ doc, file }))));
  } catch (e: any) {
    err.write(`cdk8s-istio diff: ${e?.message ?? e}\n`);
    return 2;
  }
  const t = _transition(sets[0], sets[1]);
  out.write(format === 'json' ? `${JSON.stringify(t, undefined, 2)}\n` : _transitionText(t));
  return t.findings.length > 0 ? 1 : 0;
}
