/**
 * The canary state file: where `cdk8s-istio canary advance` writes each canary's step, and where a
 * CanaryService reads it (context key `cdk8s-istio/canary-state-file`, README "The automated loop").
 *
 * The file is JSON, one line per canary, keys sorted, so a step moved by a pipeline is one changed line:
 *
 * ```json
 * {
 *   "shop/catalog": 2,
 *   "shop/reviews": "rollback"
 * }
 * ```
 *
 * A value is a step index into the canary's `steps`, or `"rollback"` (the canary gets no traffic). Internal:
 * the rule lives here, CanaryService and the CLI use it.
 */
import * as fs from 'fs';
import { _invalid } from '../_utils';

/** The state value that sends all traffic back to stable. @internal */
export const _ROLLBACK = 'rollback';

/** The state of one canary: a step index, or a rollback. @internal */
export type _CanaryStep = number | 'rollback';

/** The key of a canary in the state file: `<namespace>/<service>`. @internal */
export function _stateKey(namespace: string, service: string): string {
  return `${namespace}/${service}`;
}

/**
 * Reads a state file: `{}` when it does not exist (the first `advance` creates it); an error naming the
 * file when it is not a JSON object of steps.
 * @internal
 */
export function _readStateFile(file: string): { [key: string]: _CanaryStep } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return {};
    throw e;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw _invalid('canary state file', file, `it is not JSON (${e instanceof Error ? e.message : String(e)})`, 'write a JSON object such as {"shop/catalog": 1}, or delete the file');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw _invalid('canary state file', file, 'it is not a JSON object', 'write a JSON object such as {"shop/catalog": 1}');
  }
  for (const [k, v] of Object.entries(data)) {
    if (v !== _ROLLBACK && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      throw _invalid(`canary state file ${file} entry "${k}"`, v, 'a canary state is a step index or "rollback"', 'set it to e.g. 1, or to "rollback"');
    }
  }
  return data as { [key: string]: _CanaryStep };
}

/**
 * The state file's text: keys sorted, one per line, ending with a newline (what `advance` writes).
 * @internal
 */
export function _stateFileText(state: { [key: string]: _CanaryStep }): string {
  const sorted: { [key: string]: _CanaryStep } = {};
  for (const k of Object.keys(state).sort()) sorted[k] = state[k];
  return `${JSON.stringify(sorted, undefined, 2)}\n`;
}
