/**
 * Envoy's header-value format, as Istio 1.30 validates it (`validateHeaderValue` in
 * pkg/config/validation/header_value_validator.go, a port of Envoy's header_parser.cc): a header value is
 * literal text in which `%VAR%` / `%VAR(args)%` are variables and `%%` is a literal percent sign. Istio
 * rejects a VirtualService whose header value breaks that grammar (e.g. "100%" or "abc%123").
 *
 * Internal: not part of the public API.
 */

type State = 'literal' | 'name' | 'array' | 'string-start' | 'string' | 'delimiter' | 'args-end' | 'var-end';

/** One step of the parser: the next state, or an error message. */
function step(state: State, ch: string, next: string | undefined): State | { error: string } | { skip: State } {
  switch (state) {
    case 'literal':
      if (ch !== '%') return 'literal';
      if (next === undefined) return { error: 'an un-escaped "%" ends it' };
      return next === '%' ? { skip: 'literal' } : 'name';
    case 'name':
      return ch === '%' ? 'literal' : ch === '(' ? 'array' : 'name';
    case 'array':
      return ch === '[' ? 'string-start' : ch === ' ' ? 'array' : 'string';
    case 'delimiter':
      if (ch === ',') return 'string-start';
      if (ch === ']') return 'args-end';
      return ch === ' ' ? 'delimiter' : { error: 'a variable\'s argument list expects ",", "]" or a space' };
    case 'string-start':
      if (ch === '"') return 'string';
      return ch === ' ' ? 'string-start' : { error: 'a variable\'s argument list expects \'"\'' };
    case 'string':
      if (ch === '\\') return next === undefined ? { error: 'a backslash is not terminated' } : { skip: 'string' };
      return ch === ')' ? 'var-end' : ch === '"' ? 'delimiter' : 'string';
    case 'args-end':
      if (ch === ')') return 'var-end';
      return ch === ' ' ? 'args-end' : { error: 'a variable expects ")" after its arguments' };
    case 'var-end':
      if (ch === '%') return 'literal';
      return ch === ' ' ? 'var-end' : { error: 'a variable expects "%" after its arguments' };
  }
}

/**
 * Why Istio rejects `value` as a header value, or undefined when it accepts it.
 * @internal
 */
export function _envoyHeaderValueProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000A-\u001F\u007F]/.test(value)) return 'it contains control characters (CR, LF, NUL, ...)';
  let state: State = 'literal';
  for (let pos = 0; pos < value.length; pos++) {
    const r = step(state, value[pos], value[pos + 1]);
    if (typeof r === 'string') {
      state = r;
    } else if ('error' in r) {
      return r.error;
    } else {
      state = r.skip;
      pos++;
    }
  }
  return state === 'literal' ? undefined : 'a "%" starts a variable that is never closed (a literal percent is written "%%")';
}
