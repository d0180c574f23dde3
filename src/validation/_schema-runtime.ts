/**
 * What compiled schema validators call at run time: the formats, the RE2 pattern translation and the
 * list-map duplicate check. One module for both kinds of validator, so they behave the same: the ones
 * ajv compiles when a kind is first validated, and the ones precompiled into `lib/validation/validators/`
 * at build time (`scripts/gen-validators.js`), which `require()` this module by its path.
 *
 * Internal: not part of the public API.
 */
import { isIPv4, isIPv6 } from 'net';

/**
 * Formats the API server validates (k8s.io/apiextensions-apiserver supported formats, the ones we can
 * check offline), as ajv format definitions.
 * @internal
 */
export const _FORMATS: Record<string, { type: 'string'; validate: (s: string) => boolean }> = {
  'ipv4': { type: 'string', validate: (s) => isIPv4(s) },
  'ipv6': { type: 'string', validate: (s) => isIPv6(s) },
  'date-time': { type: 'string', validate: (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !isNaN(Date.parse(s)) },
  'date': { type: 'string', validate: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) },
  'byte': { type: 'string', validate: (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s) },
  'uuid': { type: 'string', validate: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) },
  'cidr': {
    type: 'string',
    validate: (s) => {
      const [ip, bits, ...rest] = s.split('/');
      return rest.length === 0 && bits !== undefined && /^\d+$/.test(bits) && ((isIPv4(ip) && +bits <= 32) || (isIPv6(ip) && +bits <= 128));
    },
  },
  'uri': { type: 'string', validate: (s) => { try { new URL(s); return true; } catch { return false; } } },
};

/**
 * Kubernetes patterns are RE2: translate what JavaScript lacks (a leading `(?i)` becomes the `i` flag);
 * a pattern JavaScript still cannot compile is not enforced rather than breaking validation.
 * @internal
 */
export function _re2(pattern: string, flags: string): { test: (s: string) => boolean } {
  let p = pattern;
  let f = flags;
  const m = /^(\^?)\(\?i\)/.exec(p);
  if (m) {
    p = m[1] + p.slice(m[0].length);
    f += 'i';
  }
  try {
    return new RegExp(p, f);
  } catch {
    return { test: () => true };
  }
}

/**
 * `x-kubernetes-list-type: map`: the index of the first item whose `keys` repeat an earlier item's, or -1.
 * @internal
 */
export function _listMapDuplicate(keys: string[], data: unknown[]): number {
  const seen = new Set<string>();
  for (let i = 0; i < data.length; i++) {
    const item = data[i];
    if (!item || typeof item !== 'object') continue;
    const key = JSON.stringify(keys.map((k) => (item as { [field: string]: unknown })[k] ?? null));
    if (seen.has(key)) return i;
    seen.add(key);
  }
  return -1;
}
