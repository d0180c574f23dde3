/**
 * `cdk8s-istio diff [--format text|json] OLD NEW`: the transition between two synthesized outputs
 * (`_transition.ts`). Internal: `cli.ts` dispatches to it.
 */
import { _manifestFiles, _parseFile } from './_files';
import { _transition, _transitionText } from './_transition';

/** Where the CLI writes. @internal */
export interface _Out {
  write(s: string): unknown;
}

/** @internal */
export const DIFF_USAGE = `usage: cdk8s-istio diff [--format text|json] OLD NEW
  OLD, NEW   two synthesized outputs (files or directories of *.yaml/*.yml), e.g. the base branch's dist/ and this one's
  --format   text (default) or json
Prints objects created, deleted and changed, with weights moved, access rules added or removed, hosts, TLS,
images and replicas; exit 1 when the change is one a cluster refuses (immutable fields) or loses traffic
(a route to a subset or Service that NEW deletes), 0 otherwise, 2 on a usage error.
`;

/**
 * Runs `cdk8s-istio diff`; returns the exit code.
 * @internal
 */
export function _diffMain(args: string[], out: _Out, err: _Out): number {
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
  let sets: Array<Array<{ doc: unknown; file: string }>>;
  try {
    sets = paths.map((p) => _manifestFiles(p).flatMap((file) => _parseFile(file).map((doc) => ({ doc, file }))));
  } catch (e: unknown) {
    err.write(`cdk8s-istio diff: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const t = _transition(sets[0], sets[1]);
  out.write(format === 'json' ? `${JSON.stringify(t, undefined, 2)}\n` : _transitionText(t));
  return t.findings.length > 0 ? 1 : 0;
}
