/**
 * `x-kubernetes-validations` (CEL) evaluation with Kubernetes semantics, on @marcbachmann/cel-js.
 * Internal: nothing from cel-js leaves this file.
 *
 * - `self` is the value at the rule's schema node, typed as the API server types it: `integer` -> CEL
 *   int (BigInt here), `number` -> double, objects with `properties` -> fields whose names are escaped
 *   as Kubernetes does (`namespace` -> `__namespace__`, `a-b` -> `a__dash__b`), maps and lists as is;
 * - a rule runs only where its value is present; transition rules (`oldSelf`) are skipped: everything
 *   here is a create;
 * - a rule that does not return `true`, or fails to evaluate (e.g. "No such key"), is a violation, as in
 *   the API server.
 * Kubernetes CEL libraries provided on top of cel-js's standard library and string extensions:
 * `url()` with `getScheme/getHost/getHostname/getPort/getEscapedPath/getQuery`, `isURL()`, `isIP()`,
 * `isCIDR()`; RE2's `(?i)` prefix in `matches()` patterns.
 */
import { isIP as netIsIP, isIPv4, isIPv6 } from 'net';
// eslint-disable-next-line import/no-extraneous-dependencies
import type { Environment, ParseResult } from '@marcbachmann/cel-js';
import { _celModule } from './_cel-module';
import { _JsonObject } from './_json';
import type { _StructuralSchema } from './_schema';

/** One CEL finding. @internal */
export interface _CelError {
  readonly path: string;
  readonly message: string;
  readonly rule: string;
}

class K8sUrl {
  constructor(public readonly url: URL) {}
}

function parseUrl(s: string): URL {
  // Kubernetes accepts absolute URIs and absolute paths (url.ParseRequestURI)
  if (s.startsWith('/')) return new URL(s, 'relative:///');
  return new URL(s);
}

let sharedEnv: Environment | undefined;
function env(): Environment {
  if (sharedEnv) return sharedEnv;
  const { Environment: CelEnvironment } = _celModule();
  const e = new CelEnvironment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false })
    .registerType('K8sURL', K8sUrl)
    .registerFunction('url(string): K8sURL', (s: string) => new K8sUrl(parseUrl(s)))
    .registerFunction('isURL(string): bool', (s: string) => { try { parseUrl(s); return true; } catch { return false; } })
    .registerFunction('isIP(string): bool', (s: string) => netIsIP(s) !== 0)
    .registerFunction('isCIDR(string): bool', (s: string) => {
      const [ip, bits, ...rest] = s.split('/');
      return rest.length === 0 && bits !== undefined && /^\d+$/.test(bits) && ((isIPv4(ip) && +bits <= 32) || (isIPv6(ip) && +bits <= 128));
    });
  const getters: Record<string, (u: URL) => string> = {
    getScheme: (u) => u.protocol === 'relative:' ? '' : u.protocol.replace(/:$/, ''),
    getHost: (u) => u.host,
    getHostname: (u) => u.hostname.replace(/^\[|\]$/g, ''),
    getPort: (u) => u.port,
    getEscapedPath: (u) => u.pathname,
    getQuery: (u) => u.search.replace(/^\?/, ''),
  };
  for (const [name, fn] of Object.entries(getters)) {
    e.registerFunction({ name, receiverType: 'K8sURL', returnType: 'string', handler: (u: K8sUrl) => fn(u.url), params: [] });
  }
  sharedEnv = e;
  return e;
}

const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

const ESCAPED = new Map<string, string>();

/** Kubernetes' escaping of property names for CEL (apiextensions `celconfig`). */
export function _escapeCelName(k: string): string {
  let e = ESCAPED.get(k);
  if (e === undefined) {
    e = RESERVED.has(k) ? `__${k}__` : k.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
    if (ESCAPED.size < 10000) ESCAPED.set(k, e);
  }
  return e;
}

/**
 * Source rewrites for what cel-js lacks:
 * - RE2 `(?i)` is not JavaScript: fold it into the pattern's character classes (`a-z` -> `a-zA-Z`);
 * - `has(x[i].f)` (a presence test on an indexed value) is rejected by cel-js: rewrite to `('f' in x[i])`,
 *   which has the same meaning for JSON objects.
 */
function translateRule(rule: string): string {
  let r = rule;
  if (r.includes('(?i)')) r = r.replace(/\(\?i\)/g, '').replace(/a-z/g, 'a-zA-Z');
  let out = '';
  let i = 0;
  while (i < r.length) {
    const m = /(^|[^A-Za-z0-9_.])has\(/g;
    m.lastIndex = i;
    const hit = m.exec(r);
    if (!hit) { out += r.slice(i); break; }
    const start = hit.index + hit[1].length;
    const argStart = start + 4;
    let depth = 1;
    let j = argStart;
    let quote: string | undefined;
    for (; j < r.length && depth > 0; j++) {
      const c = r[j];
      if (quote) { if (c === '\\') j++; else if (c === quote) quote = undefined; continue; }
      if (c === '"' || c === "'") quote = c;
      else if (c === '(') depth++;
      else if (c === ')') depth--;
    }
    const arg = r.slice(argStart, j - 1);
    const sel = /^([\s\S]*\])\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(arg.trim());
    out += r.slice(i, start);
    out += sel ? `('${sel[2]}' in ${translateRule(sel[1])})` : `has(${translateRule(arg)})`;
    i = j;
  }
  return out;
}

interface CompiledRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageFn?: ParseResult;
  readonly fieldPath?: string;
  readonly fn?: ParseResult;
  readonly compileError?: string;
}

interface CelNode {
  readonly schema: _StructuralSchema;
  rules?: CompiledRule[];
  props?: Map<string, CelNode>;
  items?: CelNode;
  additional?: CelNode;
}

/** One entry of `x-kubernetes-validations`, as the CRD schema types it. */
interface CelRuleSpec {
  readonly rule?: unknown;
  readonly message?: string;
  readonly messageExpression?: unknown;
  readonly fieldPath?: string;
}

const compiledRules = new Map<string, CompiledRule>();
function compileRule(r: CelRuleSpec | undefined): CompiledRule | undefined {
  if (typeof r?.rule !== 'string' || /\boldSelf\b/.test(r.rule)) return undefined; // transition rules: creates only
  const key = `${r.rule}\u0000${r.message ?? ''}\u0000${r.fieldPath ?? ''}\u0000${r.messageExpression ?? ''}`;
  let c = compiledRules.get(key);
  if (!c) {
    try {
      const parsed = env().parse(translateRule(r.rule));
      let messageFn: ParseResult | undefined;
      try {
        if (typeof r.messageExpression === 'string') messageFn = env().parse(translateRule(r.messageExpression));
      } catch {
        messageFn = undefined; // the API server falls back to message then
      }
      c = { rule: r.rule, message: r.message, messageFn, fieldPath: r.fieldPath, fn: parsed };
    } catch (err: unknown) {
      c = { rule: r.rule, message: r.message, fieldPath: r.fieldPath, compileError: errorText(err) };
    }
    compiledRules.set(key, c);
  }
  return c;
}

/** The first line of a thrown error's message. */
function errorText(err: unknown): string {
  return String((err as { message?: unknown } | undefined)?.message ?? err).split('\n')[0];
}

function buildNode(value: unknown): CelNode | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const schema = value as _StructuralSchema;
  const node: CelNode = { schema };
  let any = false;
  const rules = ((schema['x-kubernetes-validations'] ?? []) as CelRuleSpec[]).map(compileRule)
    .filter((r): r is CompiledRule => r !== undefined);
  if (rules.length > 0) { node.rules = rules; any = true; }
  if (schema.properties) {
    for (const [k, v] of Object.entries(schema.properties)) {
      const child = buildNode(v);
      if (child) { (node.props ??= new Map()).set(k, child); any = true; }
    }
  }
  if (schema.items) {
    const child = buildNode(schema.items);
    if (child) { node.items = child; any = true; }
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    const child = buildNode(schema.additionalProperties);
    if (child) { node.additional = child; any = true; }
  }
  return any ? node : undefined;
}

/** JSON value -> CEL value, typed by the schema. */
function toCel(value: unknown, schema: _StructuralSchema | undefined): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'number') {
    const t = schema?.type;
    if (Number.isInteger(value) && (t === 'integer' || t === undefined)) return BigInt(value);
    return value;
  }
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    // a fresh array of this realm (cel-js rejects arrays from another realm, e.g. a jest sandbox's)
    const arr: unknown[] = [];
    for (const v of value) arr.push(toCel(v, schema?.items));
    return arr;
  }
  const out: _JsonObject = {};
  const props = schema?.properties;
  const additional = schema?.additionalProperties;
  for (const [k, v] of Object.entries(value)) {
    if (props && props[k]) out[_escapeCelName(k)] = toCel(v, props[k]);
    else if (additional && typeof additional === 'object') out[k] = toCel(v, additional);
    else out[props ? _escapeCelName(k) : k] = toCel(v, undefined);
  }
  return out;
}

/** The rule's message: `messageExpression` when it evaluates to a string, else `message`, else the rule. */
function messageOf(r: CompiledRule, self: unknown): string {
  if (r.messageFn) {
    try {
      const m = r.messageFn({ self });
      if (typeof m === 'string' && m.length > 0) return m;
    } catch {
      // fall back as the API server does
    }
  }
  return r.message ?? `failed rule: ${r.rule}`;
}

function joinPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The CEL rules of one structural schema, compiled once.
 * @internal
 */
export class _CelValidator {
  private readonly root?: CelNode;

  constructor(structural: unknown) {
    this.root = buildNode(structural);
  }

  public get ruleCount(): number {
    let n = 0;
    const visit = (node?: CelNode) => {
      if (!node) return;
      n += node.rules?.length ?? 0;
      node.props?.forEach(visit);
      visit(node.items);
      visit(node.additional);
    };
    visit(this.root);
    return n;
  }

  public validate(obj: unknown): _CelError[] {
    const out: _CelError[] = [];
    if (this.root) this.walk(this.root, obj, '', out);
    return out;
  }

  private walk(node: CelNode, value: unknown, path: string, out: _CelError[]): void {
    if (value === undefined || value === null) return;
    if (node.rules) {
      const self = toCel(value, node.schema);
      for (const r of node.rules) {
        let problem: string | undefined;
        if (r.compileError) {
          problem = `rule does not compile: ${r.compileError}`;
        } else {
          try {
            const result = r.fn!({ self });
            if (result !== true) problem = messageOf(r, self);
          } catch (err: unknown) {
            problem = `${r.message ?? `failed rule: ${r.rule}`} (rule evaluation error: ${errorText(err)})`;
          }
        }
        if (problem) {
          const at = r.fieldPath ? (path + r.fieldPath).replace(/^\./, '') : path;
          out.push({ path: at, rule: r.rule, message: `Invalid value: ${Array.isArray(value) ? '"array"' : typeof value === 'object' ? '"object"' : JSON.stringify(value)}: ${problem}` });
        }
      }
    }
    if (node.props && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, child] of node.props) this.walk(child, (value as _JsonObject)[k], joinPath(path, k), out);
    }
    if (node.items && Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.walk(node.items, value[i], `${path}[${i}]`, out);
    }
    if (node.additional && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) this.walk(node.additional, v, joinPath(path, k), out);
    }
  }
}
