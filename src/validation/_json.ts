/**
 * Reading JSON defensively: the rules run on whatever YAML the CLI reads, so every access checks the shape
 * it needs and yields `undefined` (or an empty list) otherwise.
 */

/** `v[path[0]][path[1]]...` while each step is an object, else undefined. @internal */
export function _field(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const key of path) cur = cur !== null && typeof cur === 'object' ? (cur as { [k: string]: unknown })[key] : undefined;
  return cur;
}

/** `v` when it is an array, else an empty list. @internal */
export function _list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `v` when it is a string. @internal */
export function _text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The object's namespace (`default` when none is written, as the API server applies it). @internal */
export function _namespaceOfDoc(d: unknown): string {
  return _text(_field(d, 'metadata', 'namespace')) ?? 'default';
}

/** A JSON object whose fields are not checked yet (read each one as `unknown`). @internal */
export interface _JsonObject {
  [key: string]: unknown;
}
