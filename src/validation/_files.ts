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
export function _parseText(text: string): { docs: any[]; error?: string } {
  const out: any[] = [];
  for (const d of YAML.parseAllDocuments(text)) {
    if (d.errors.length > 0) return { docs: out, error: `YAML parse error: ${d.errors[0].message.split('\n')[0]}` };
    const o = d.toJSON();
    if (o === null || o === undefined) continue;
    if (o.kind === 'List' && Array.isArray(o.items)) out.push(...o.items);
    else out.push(o);
  }
  return { docs: out };
}

/** All documents of a YAML (or JSON) file; throws with the file name on a parse error. @internal */
export function _parseFile(file: string): any[] {
  const parsed = _parseText(fs.readFileSync(file, 'utf8'));
  if (parsed.error) throw new Error(`${file}: ${parsed.error}`);
  return parsed.docs;
}
