/**
 * `cdk8s-istio validate [options] FILE_OR_DIR|-...`, `cdk8s-istio diff OLD NEW` and `cdk8s-istio canary ...`.
 *
 * Validates any Kubernetes YAML (files, directories of `*.yaml`/`*.yml`, or `-` for stdin) offline: CRD
 * schema + CEL conformance and the cross-resource mesh rules (README "## Validation"). Prints one line per
 * finding, `FILE: Kind/namespace/name: path: [RULE] message` (or JSON, or SARIF for code-scanning UIs),
 * and exits 1 on errors, 0 when clean (warnings do not fail), 2 on a usage error. A file that is not
 * YAML, or a document that is not a Kubernetes object, is a finding (K8S-YAML, K8S-OBJECT), and the other
 * files are still checked. Not part of the jsii API (bin/cdk8s-istio requires it).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CANARY_USAGE, _canaryMain } from './_cli-canary';
import { DIFF_USAGE, _Out, _diffMain } from './_cli-diff';
import { _Lines, _findingObjectKey, _formatJson, _formatLine, _formatSarif } from './_cli-format';
import { _manifestFiles, _parseText } from './_files';
import { _Document, _validateDocuments } from './_mesh';
import { _rule } from './_rules';
import { ConformanceValidator, ValidationFinding, ValidationSeverity } from './conformance';


const USAGE = `usage: cdk8s-istio validate [options] FILE_OR_DIR...   (- reads stdin)
  --crds FILE                 CRDs to validate against (e.g. kubectl get crd -o yaml > crds.yaml); repeatable
  --provider NAME             an extension provider of your meshConfig (turns on the provider check); repeatable
                              (declarations made in code travel in the files as validation.cdk8s-istio.dev/* annotations)
  --external-gateway NS/NAME  an Istio Gateway that exists outside the given files; repeatable
  --suppress RULE[=Kind/ns/name]  drop a rule's findings (everywhere, or for one object: Kind/name when it has
                              no namespace, as printed); an unknown rule is a usage error; repeatable
  --min-severity error|warning    print only findings at least this severe (default: warning)
  --failure-threshold error|warning  the least severe finding that makes the run fail (exit 1), as in
                              istioctl analyze (default: error: warnings are printed but do not fail)
  --one-app                   the files are one app applied together (e.g. cdk8s synth's dist/): an object
                              defined in two files is a duplicate (MESH005); without it, files are compared one
                              by one (a folder may hold alternatives applied one at a time, as Istio's samples)
  --format text|json|sarif    text (default): "FILE: Kind/namespace/name: path: [RULE] message" per finding
Exit 1 on findings at or above the failure threshold, 0 otherwise, 2 on a usage error.
`;
const TOP_USAGE = `usage: cdk8s-istio validate ... | cdk8s-istio diff ... | cdk8s-istio canary ... | cdk8s-istio --version

${USAGE}
${DIFF_USAGE}
${CANARY_USAGE}`;

interface ValidateArgs {
  readonly crdFiles: string[];
  readonly providers: string[];
  readonly externalGateways: string[];
  readonly suppressions: Array<{ rule: string; object?: string }>;
  readonly targets: string[];
  format: string;
  minSeverity: string;
  failureThreshold: string;
  oneApp: boolean;
}

/** The package version (package.json two levels up from src/validation or lib/validation). */
function version(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
}

/**
 * Runs the CLI; returns the exit code.
 * @internal
 */
export function main(argv: string[], out: _Out = process.stdout, err: _Out = process.stderr, stdin: () => string = () => fs.readFileSync(0, 'utf8')): number {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h') { out.write(TOP_USAGE); return 0; }
  if (command === '--version') { out.write(`${version()}\n`); return 0; }
  if (command === 'diff') return _diffMain(rest, out, err);
  if (command === 'canary') {
    if (rest.length === 0 || rest.includes('--help') || rest.includes('-h')) { out.write(CANARY_USAGE); return 0; }
    err.write('cdk8s-istio canary: queries Prometheus asynchronously: run it through bin/cdk8s-istio (mainAsync)\n');
    return 2;
  }
  if (command !== 'validate') { err.write(`cdk8s-istio: ${command === undefined ? 'no command given' : `unknown command ${command}`}\n${TOP_USAGE}`); return 2; }
  if (rest.includes('--help') || rest.includes('-h')) { out.write(USAGE); return 0; }
  const args = parseValidateArgs(rest, err);
  if (typeof args === 'number') return args;
  return validate(args, out, err, stdin);
}

/**
 * Runs the CLI, including the commands that query over the network (`canary`); resolves to the exit code.
 * @internal
 */
export async function mainAsync(argv: string[], out: _Out = process.stdout, err: _Out = process.stderr): Promise<number> {
  if (argv[0] === 'canary') return _canaryMain(argv.slice(1), out, err);
  return main(argv, out, err);
}

function parseValidateArgs(args: string[], err: _Out): ValidateArgs | number {
  const parsed: ValidateArgs = { crdFiles: [], providers: [], externalGateways: [], suppressions: [], targets: [], format: 'text', minSeverity: 'warning', failureThreshold: 'error', oneApp: false };
  const usage = (msg: string) => { err.write(`cdk8s-istio: ${msg}\n${USAGE}`); return 2; };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) { parsed.targets.push(a); continue; }
    if (a === '--one-app') { parsed.oneApp = true; continue; }
    const flag = a.split('=')[0];
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
    if (!['--crds', '--provider', '--external-gateway', '--suppress', '--format', '--min-severity', '--failure-threshold'].includes(flag)) return usage(`unknown option ${a}`);
    if (!v) return usage(`${flag} needs a value`);
    if (flag === '--crds') parsed.crdFiles.push(v);
    if (flag === '--provider') parsed.providers.push(v);
    if (flag === '--external-gateway') parsed.externalGateways.push(v);
    if (flag === '--suppress') {
      const [rule, object] = v.includes('=') ? [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] : [v, undefined];
      if (!_rule(rule)) return usage(`--suppress names no rule: ${rule} (rule ids are upper case, e.g. IST0101; README "Rules" lists them)`);
      if (object !== undefined && !/^[A-Za-z]+\/([^/\s]+\/)?[^/\s]+$/.test(object)) {
        return usage(`--suppress ${v}: the object is Kind/namespace/name (or Kind/name without a namespace), as the findings print it`);
      }
      parsed.suppressions.push({ rule, object });
    }
    if (flag === '--format') {
      if (!['text', 'json', 'sarif'].includes(v)) return usage(`--format is text, json or sarif, got ${v}`);
      parsed.format = v;
    }
    if (flag === '--min-severity') {
      if (!['error', 'warning'].includes(v)) return usage(`--min-severity is error or warning, got ${v}`);
      parsed.minSeverity = v;
    }
    if (flag === '--failure-threshold') {
      if (!['error', 'warning'].includes(v)) return usage(`--failure-threshold is error or warning, got ${v}`);
      parsed.failureThreshold = v;
    }
  }
  if (parsed.targets.length === 0) return usage('no FILE_OR_DIR given');
  if (parsed.minSeverity === 'error' && parsed.failureThreshold === 'warning') {
    return usage('--min-severity error hides the warnings that --failure-threshold warning fails on: drop one of them');
  }
  return parsed;
}

/** A finding about a whole file or document that is not a Kubernetes object. */
function inputFinding(rule: string, file: string, index: number | undefined, message: string): ValidationFinding {
  return { rule, severity: ValidationSeverity.ERROR, kind: '(none)', name: index === undefined ? '(file)' : `(document ${index + 1})`, path: '', message, file };
}

function readDocuments(targets: string[], stdin: () => string, docs: _Document[], findings: ValidationFinding[], lines: _Lines): number {
  let files = 0;
  for (const t of targets) {
    for (const file of t === '-' ? ['-'] : _manifestFiles(t)) {
      files++;
      const name = file === '-' ? '(stdin)' : file;
      const parsed = _parseText(file === '-' ? stdin() : fs.readFileSync(file, 'utf8'));
      if (parsed.error) {
        findings.push(inputFinding('K8S-YAML', name, undefined, `it is not YAML (${parsed.error}). Fix: give Kubernetes YAML, or leave the file out`));
        continue;
      }
      parsed.docs.forEach((doc, i) => {
        if (doc && typeof doc === 'object' && !Array.isArray(doc) && typeof doc.apiVersion === 'string' && typeof doc.kind === 'string') {
          docs.push({ doc, file: name });
          lines.set(_findingObjectKey(name, doc.kind, doc.metadata?.namespace, doc.metadata?.name), parsed.lines[i]);
        } else {
          findings.push(inputFinding('K8S-OBJECT', name, i, 'it is not a Kubernetes object (no apiVersion and kind). Fix: give each document an apiVersion, a kind and metadata'));
        }
      });
    }
  }
  return files;
}

function suppressed(f: ValidationFinding, suppressions: ValidateArgs['suppressions']): boolean {
  const id = f.namespace ? `${f.kind}/${f.namespace}/${f.name}` : `${f.kind}/${f.name}`;
  return suppressions.some((s) => s.rule === f.rule && (s.object === undefined || s.object === id));
}

function validate(args: ValidateArgs, out: _Out, err: _Out, stdin: () => string): number {
  let conformance = ConformanceValidator.builtIn();
  const docs: _Document[] = [];
  const inputFindings: ValidationFinding[] = [];
  const lines: _Lines = new Map();
  let files: number;
  try {
    if (args.crdFiles.length > 0) {
      conformance = ConformanceValidator.fromCrds(args.crdFiles.flatMap((f) => _parseText(fs.readFileSync(f, 'utf8')).docs));
    }
    files = readDocuments(args.targets, stdin, docs, inputFindings, lines);
  } catch (e: unknown) {
    err.write(`cdk8s-istio: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const all = [...inputFindings, ..._validateDocuments(docs, conformance, {
    providers: args.providers.length > 0 ? new Set(args.providers) : undefined,
    externalGateways: new Set(args.externalGateways),
    duplicatesAcrossFiles: args.oneApp,
  })].filter((f) => !suppressed(f, args.suppressions));
  const errors = all.filter((f) => f.severity === ValidationSeverity.ERROR).length;
  const shown = args.minSeverity === 'error' ? all.filter((f) => f.severity === ValidationSeverity.ERROR) : all;
  if (args.format === 'json') out.write(_formatJson(shown));
  else if (args.format === 'sarif') out.write(_formatSarif(shown, version(), lines));
  else for (const f of shown) out.write(`${_formatLine(f)}\n`);
  err.write(`cdk8s-istio validate: ${files} file(s), ${docs.length} object(s): ${errors} error(s), ${all.length - errors} warning(s)\n`);
  const failing = args.failureThreshold === 'warning' ? all.length : errors;
  return failing > 0 ? 1 : 0;
}
