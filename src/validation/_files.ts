/**
 * Reading manifests and CRDs from disk (CLI, plugin). Internal.
 */
import * as fs from 'fs';
import * as path from 'path';
// eslint-disable-next-line import/no-extraneous-dependencies
import * as YAML from 'yaml';

/** Every `.yaml`/`.yml` file under `p` (sorted), or `p` itself when it is a file. @internal */
export function _manifestFiles(p: string): string[] {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return [p];
  const out: string[] = [];
  for (const e of fs.readdirSync(p).sort()) {
    const full = path.join(p, e);
    if (fs.statSync(full).isDirectory()) out.push(..._manifestFiles(full));
    else if (/\.ya?ml$/i.test(e)) out.push(full);
  }
  return out;
}

/**
 * All documents of YAML (or JSON) text (a `List` is unrolled), or the first parse error.
 * @internal
 */
export function _parseText(text: string): { docs: any[]; error?: string; lines: Array<(path: string) => number> } {
  const out: any[] = [];
  const lines: Array<(path: string) => number> = [];
  const lineCounter = new YAML.LineCounter();
  for (const d of YAML.parseAllDocuments(text, { lineCounter })) {
    if (d.errors.length > 0) return { docs: out, lines, error: `YAML parse error: ${d.errors[0].message.split('\n')[0]}` };
    const o = d.toJSON();
    if (o === null || o === undefined) continue;
    const locate = (prefix: Array<string | number>) => (field: string) => lineOf(d, lineCounter, [...prefix, ...pathKeys(field)]);
    if (o.kind === 'List' && Array.isArray(o.items)) {
      o.items.forEach((item: unknown, i: number) => { out.push(item); lines.push(locate(['items', i])); });
    } else {
      out.push(o);
      lines.push(locate([]));
    }
  }
  return { docs: out, lines };
}

/** `spec.http[0].route` -> ['spec', 'http', 0, 'route']; `portLevelMtls["80"]` -> [..., '80']. */
function pathKeys(field: string): Array<string | number> {
  const keys: Array<string | number> = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]/g)) keys.push(m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[1]));
  return keys;
}

/** The 1-based line of the deepest node on `keys` that exists in the document (the document's first line at worst). */
function lineOf(d: YAML.Document, counter: YAML.LineCounter, keys: Array<string | number>): number {
  for (let n = keys.length; n >= 0; n--) {
    const node = n === 0 ? d.contents : d.getIn(keys.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return 1;
}

/** All documents of a YAML (or JSON) file; throws with the file name on a parse error. @internal */
export function _parseFile(file: string): any[] {
  const parsed = _parseText(fs.readFileSync(file, 'utf8'));
  if (parsed.error) throw new Error(`${file}: ${parsed.error}`);
  return parsed.docs;
}
