import { _checkProps, _invalid, _validateDnsLabel, _validateLabels, _validatePort } from './_utils';
import { IGatewayBinding } from './gateway-binding';
import { HttpMethod, _checkHttpMethod } from './http-method';
import * as net from './imports/istio-networking.istio.io';

/** RFC 7230 token characters: the header names Istio accepts. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
/** The header-name form of a JWT claim in a route match (Istio `jwt.HeaderJWTClaim`). */
const JWT_CLAIM = '@request.auth.claims';

/**
 * Istio's `jwt.ToRoutingClaim(name).Match`: `@request.auth.claims.<a>[.<b>...]` or
 * `@request.auth.claims[<a>][<b>]...` (prefix case-insensitive), valid in gateway route matches.
 */
function isJwtClaimRoute(name: string): boolean {
  if (typeof name !== 'string' || !name.toLowerCase().startsWith(JWT_CLAIM)) return false;
  const rest = name.slice(JWT_CLAIM.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}

/** Istio approximates Envoy's RE2 program-size limit by the regex length. */
const MAX_REGEX_LENGTH = 1024;
/** RE2 and Go's regexp refuse a repeat count `{n}`, `{n,}`, `{n,m}` above 1000. */
const MAX_REGEX_REPEAT = 1000;

/** The first repeat quantifier (`n`, `n,` or `n,m`) with a count over `max`, outside escapes and classes. */
function repeatCountOver(re: string, max: number): string | undefined {
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const ch = re[i];
    if (ch === '\\') { i++; continue; }
    if (inClass) { inClass = ch !== ']'; continue; }
    if (ch === '[') { inClass = true; if (re[i + 1] === ']') i++; continue; }
    if (ch !== '{') continue;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i));
    if (m && (Number(m[1]) > max || (m[3] !== undefined && m[3] !== '' && Number(m[3]) > max))) return m[0].slice(1, -1);
  }
  return undefined;
}

/**
 * Throws unless `re` is a regular expression Istio (RE2) accepts. RE2 has no backtracking features:
 * lookaround and backreferences are rejected here, as Istio's validation (Go `regexp`) rejects them.
 * @internal
 */
export function _validateRegex(prop: string, re: string): string {
  if (typeof re !== 'string' || re.length === 0) {
    throw _invalid(prop, re, 'the regex is empty', 'give a regex such as "/api/v[0-9]+/.*", or use a prefix match');
  }
  if (re.length > MAX_REGEX_LENGTH) {
    throw _invalid(prop, `${re.slice(0, 40)}...`, `the regex is ${re.length} characters long; Istio allows at most ${MAX_REGEX_LENGTH}`, 'shorten the regex or split it into several matches');
  }
  if (/\(\?<?[=!]/.test(re)) {
    throw _invalid(prop, re, 'lookahead and lookbehind ("(?=", "(?!", "(?<=", "(?<!") are not supported by RE2, which Envoy uses', 'rewrite the regex without lookaround (see https://github.com/google/re2/wiki/Syntax)');
  }
  if (/\\[1-9]|\\k</.test(re)) {
    throw _invalid(prop, re, 'backreferences are not supported by RE2, which Envoy uses', 'rewrite the regex without backreferences (see https://github.com/google/re2/wiki/Syntax)');
  }
  const repeat = repeatCountOver(re, MAX_REGEX_REPEAT);
  if (repeat !== undefined) {
    throw _invalid(prop, re, `the repeat count {${repeat}} is over ${MAX_REGEX_REPEAT}, which RE2 (Go regexp, Istio's validation) rejects`,
      'use a smaller count, or a "+" / "*" repetition');
  }
  try {
    _toJsRegExp(re);
  } catch (e) {
    throw _invalid(prop, re, `it is not a valid regular expression (${(e as Error).message})`, 'fix the syntax; Istio uses RE2 (https://github.com/google/re2/wiki/Syntax)');
  }
  return re;
}

/**
 * A JavaScript RegExp that fully matches what the RE2 regex `re` matches (as Envoy does), for the
 * common RE2 syntax: `(?P<name>` groups, leading `(?i)`/`(?s)`/`(?m)` flags, `\A` and `\z` anchors.
 * @internal
 */
export function _toJsRegExp(re: string): RegExp {
  let flags = '';
  let body = re;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    body = body.slice(lead[0].length);
    for (const f of lead[1]) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  body = body.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '$');
  return new RegExp(`^(?:${body})$`, flags);
}

/**
 * Throws unless `name` is a valid HTTP header name.
 * @internal
 */
export function _validateHeaderName(prop: string, name: string): string {
  if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
    throw _invalid(prop, name, 'it is not a valid HTTP header name (RFC 7230 token characters only)', 'use a name such as "x-canary"');
  }
  return name;
}

/**
 * How a string (path, header, method, authority, query parameter) is matched.
 *
 * @example
 * StringMatch.exact('GET');
 * StringMatch.prefix('/api/');
 * StringMatch.regex('^/v[0-9]+/.*');   // RE2 syntax, validated
 */
export class StringMatch {
  /**
   * Matches the exact string (Istio `StringMatch.exact`).
   *
   * @param value the whole string to match, case-sensitive
   */
  public static exact(value: string): StringMatch {
    if (typeof value !== 'string') throw _invalid('exact', value, 'it is not a string', 'give a string');
    return new StringMatch('exact', value);
  }

  /**
   * Matches strings starting with `value` (Istio `StringMatch.prefix`).
   *
   * @param value the prefix, e.g. `/api/` (not empty: an empty prefix matches everything and Istio rejects it)
   */
  public static prefix(value: string): StringMatch {
    if (typeof value !== 'string' || value.length === 0) {
      throw _invalid('prefix', value, 'an empty prefix matches everything (Istio rejects it)', 'give a prefix such as "/api", or leave the condition out');
    }
    return new StringMatch('prefix', value);
  }

  /**
   * Matches strings that the RE2 regular expression `pattern` matches entirely (Istio `StringMatch.regex`).
   *
   * @param pattern an RE2 expression, checked now (no lookaround or backreferences), e.g. `^/v[0-9]+/.*`
   */
  public static regex(pattern: string): StringMatch {
    return new StringMatch('regex', _validateRegex('regex', pattern));
  }

  private constructor(
    /** `exact`, `prefix` or `regex`. */
    public readonly kind: string,
    /** The string, prefix or regex. */
    public readonly value: string,
  ) {}

  /** @internal */
  public _toIstio(): { exact?: string; prefix?: string; regex?: string } {
    return { [this.kind]: this.value };
  }

  /** `kind:value`, e.g. `prefix:/api`. */
  public toString(): string {
    return `${this.kind}:${this.value}`;
  }
}

/**
 * Conditions of one HTTP match: all given conditions must hold.
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest
 */
export interface HttpMatchOptions {
  /**
   * The request path.
   *
   * @default - any path
   */
  readonly uri?: StringMatch;
  /**
   * Request headers (keys are lowercase header names) that must match.
   *
   * @default - no header condition
   */
  readonly headers?: { [name: string]: StringMatch };
  /**
   * Request headers that must NOT match.
   *
   * @default - no condition
   */
  readonly withoutHeaders?: { [name: string]: StringMatch };
  /**
   * Query parameters that must match.
   *
   * @default - no condition
   */
  readonly queryParams?: { [name: string]: StringMatch };
  /**
   * The HTTP method (e.g. `StringMatch.exact('GET')`).
   *
   * @default - any method
   */
  readonly method?: StringMatch;
  /**
   * The HTTP authority (Host header).
   *
   * @default - any authority
   */
  readonly authority?: StringMatch;
  /**
   * The URI scheme.
   *
   * @default - any scheme
   */
  readonly scheme?: StringMatch;
  /**
   * Match the path case-insensitively (exact and prefix matches).
   *
   * @default false
   */
  readonly ignoreUriCase?: boolean;
  /**
   * The destination port.
   *
   * @default - any port
   */
  readonly port?: number;
  /**
   * Labels of the calling workload (mesh gateway only).
   *
   * @default - any caller
   */
  readonly sourceLabels?: { [key: string]: string };
  /**
   * Namespace of the calling workload (mesh gateway only).
   *
   * @default - any namespace
   */
  readonly sourceNamespace?: string;
  /**
   * Restricts this match to some of the VirtualService's gateways.
   *
   * @default - all gateways of the VirtualService
   */
  readonly gateways?: IGatewayBinding[];
  /**
   * A name for the match, used in Envoy's route names and access logs.
   *
   * @default - unnamed
   */
  readonly name?: string;
}

/**
 * One HTTP match of a route: every condition must hold. A route's matches are ORed.
 *
 * @example
 * HttpMatch.prefix('/catalog');
 * HttpMatch.header('end-user', StringMatch.exact('jason'));
 * HttpMatch.of({ uri: StringMatch.prefix('/api'), method: StringMatch.exact('GET') });
 */
export class HttpMatch {
  /**
   * Requests whose path starts with `path` (`match[].uri.prefix`).
   *
   * @param path the path prefix, e.g. `/catalog` (also matches `/catalogue`: end it with `/` to match
   * only the subtree)
   */
  public static prefix(path: string): HttpMatch {
    return HttpMatch.of({ uri: StringMatch.prefix(path) });
  }

  /**
   * Requests whose path is exactly `path` (`match[].uri.exact`).
   *
   * @param path the whole path, e.g. `/healthz`
   */
  public static exact(path: string): HttpMatch {
    return HttpMatch.of({ uri: StringMatch.exact(path) });
  }

  /**
   * Requests whose path matches the RE2 regex `pattern` (`match[].uri.regex`).
   *
   * @param pattern an RE2 expression matched against the whole path, e.g. `^/v[0-9]+/.*`
   */
  public static regex(pattern: string): HttpMatch {
    return HttpMatch.of({ uri: StringMatch.regex(pattern) });
  }

  /**
   * Requests carrying header `name` matching `value` (`match[].headers`).
   *
   * @param name the header name, lowercase (Envoy lowercases header names), e.g. `end-user`
   * @param value how the header value is matched, e.g. `StringMatch.exact('jason')`
   */
  public static header(name: string, value: StringMatch): HttpMatch {
    return HttpMatch.of({ headers: { [name]: value } });
  }

  /**
   * Requests with the given method (`HttpMethod.GET`, ...), matched exactly; for other matches of the
   * method use `HttpMatch.of({ method: StringMatch.regex(...) })`.
   *
   * @param method the HTTP method, rendered as `match[].method.exact`
   */
  public static method(method: HttpMethod): HttpMatch {
    return HttpMatch.of({ method: StringMatch.exact(_checkHttpMethod('match.method', method)) });
  }

  /**
   * A match from all its conditions, which must all hold (one entry of an HTTP route's `match`).
   *
   * @param options uri, scheme, method, authority, headers and withoutHeaders (lowercase names), query
   * parameters, ignoreUriCase, port, source labels and namespace, gateways, and the match name
   */
  public static of(options: HttpMatchOptions): HttpMatch {
    _checkProps('options', options, true, '{ uri: StringMatch.prefix("/api") }');
    for (const [prop, map] of [['headers', options.headers], ['withoutHeaders', options.withoutHeaders]] as const) {
      for (const name of Object.keys(map ?? {})) {
        if (isJwtClaimRoute(name)) continue; // routing on a JWT claim (needs a RequestAuthentication: IST0149)
        if (name.toLowerCase().startsWith(JWT_CLAIM)) {
          throw _invalid(`match.${prop} key`, name, 'it is neither a header nor a JWT claim Istio routes on',
            `name the claim: "${JWT_CLAIM}.groups" (nested: "${JWT_CLAIM}.realm.roles") or "${JWT_CLAIM}[groups]"`);
        }
        _validateHeaderName(`match.${prop} key`, name);
        if (name !== name.toLowerCase()) {
          throw _invalid(`match.${prop} key`, name, 'Envoy lowercases header names, so a header key with uppercase letters never matches', `use "${name.toLowerCase()}"`);
        }
      }
    }
    if (options.port !== undefined) _validatePort('match.port', options.port);
    if (options.sourceLabels) _validateLabels('match.sourceLabels', options.sourceLabels);
    if (options.sourceNamespace !== undefined) _validateDnsLabel('match.sourceNamespace', options.sourceNamespace);
    return new HttpMatch({ ...options });
  }

  private constructor(
    /** The conditions. */
    public readonly options: HttpMatchOptions,
  ) {}

  /**
   * A copy of this match with an additional header condition (this match is not changed).
   *
   * @param name the header name, lowercase, e.g. `x-canary`; replaces an existing condition on that header
   * @param value how the header value is matched, e.g. `StringMatch.exact('true')`
   */
  public withHeader(name: string, value: StringMatch): HttpMatch {
    return HttpMatch.of({ ...this.options, headers: { ...this.options.headers, [name]: value } });
  }

  /**
   * True when the match has no condition that narrows requests (an empty match, or only `uri`
   * prefix "/"): such a match catches every request.
   */
  public get isCatchAll(): boolean {
    const o = this.options;
    const narrowing = Object.keys(o.headers ?? {}).length + Object.keys(o.withoutHeaders ?? {}).length
      + Object.keys(o.queryParams ?? {}).length + Object.keys(o.sourceLabels ?? {}).length
      + (o.method ? 1 : 0) + (o.authority ? 1 : 0) + (o.scheme ? 1 : 0) + (o.port !== undefined ? 1 : 0)
      + (o.sourceNamespace !== undefined ? 1 : 0) + ((o.gateways ?? []).length > 0 ? 1 : 0);
    if (narrowing > 0) return false;
    return o.uri === undefined || (o.uri.kind === 'prefix' && o.uri.value === '/');
  }

  /** @internal */
  public _toIstio(): net.VirtualServiceSpecHttpMatch {
    const o = this.options;
    const map = (m?: { [k: string]: StringMatch }) => {
      if (!m || Object.keys(m).length === 0) return undefined;
      const out: { [k: string]: net.VirtualServiceSpecHttpMatchHeaders } = {};
      for (const k of Object.keys(m).sort()) out[k] = m[k]._toIstio();
      return out;
    };
    const labels = (l?: { [k: string]: string }) => {
      if (!l || Object.keys(l).length === 0) return undefined;
      const out: { [k: string]: string } = {};
      for (const k of Object.keys(l).sort()) out[k] = l[k];
      return out;
    };
    return {
      name: o.name,
      uri: o.uri?._toIstio(),
      scheme: o.scheme?._toIstio(),
      method: o.method?._toIstio(),
      authority: o.authority?._toIstio(),
      headers: map(o.headers),
      withoutHeaders: map(o.withoutHeaders),
      queryParams: map(o.queryParams),
      ignoreUriCase: o.ignoreUriCase,
      port: o.port,
      sourceLabels: labels(o.sourceLabels),
      sourceNamespace: o.sourceNamespace,
      gateways: o.gateways && o.gateways.length > 0 ? o.gateways.map((g) => g.gatewayRef) : undefined,
    };
  }
}
