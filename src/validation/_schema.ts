/**
 * Kubernetes structural-schema validation on top of ajv. Internal: nothing from ajv leaves this file.
 *
 * A CRD's `openAPIV3Schema` is converted once per kind into a JSON schema ajv understands, with the
 * Kubernetes semantics made explicit:
 * - unknown fields: the API server prunes them silently; for a library a dropped field is a bug, so an
 *   object schema without `x-kubernetes-preserve-unknown-fields` rejects them (`additionalProperties: false`);
 * - `nullable`, `x-kubernetes-int-or-string`, `x-kubernetes-list-type: set|map` (+ `x-kubernetes-list-map-keys`);
 * - formats the API server checks (`date-time`, `byte`, `ipv4`, `ipv6`, ...); `int32`, `int64`, `double`
 *   and other informational formats are accepted as the API server does;
 * - `metadata` at the root is Kubernetes ObjectMeta (the CRD schema leaves it open).
 */
import { isIPv4, isIPv6 } from 'net';
// eslint-disable-next-line import/no-extraneous-dependencies
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';

/** One schema finding: dotted path (`spec.http[0].route`) and an API-server-like message. @internal */
export interface _SchemaError {
  readonly path: string;
  readonly message: string;
}

const PASS_THROUGH = ['type', 'enum', 'pattern', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required'];

/** Formats the API server validates (k8s.io/apiextensions-apiserver supported formats, the ones we can check offline). */
const FORMATS: Record<string, (s: string) => boolean> = {
  'ipv4': (s) => isIPv4(s),
  'ipv6': (s) => isIPv6(s),
  'date-time': (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !isNaN(Date.parse(s)),
  'date': (s) => /^\d{4}-\d{2}-\d{2}$/.test(s),
  'byte': (s) => /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s),
  'uuid': (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  'cidr': (s) => { const [ip, bits, ...rest] = s.split('/'); return rest.length === 0 && bits !== undefined && /^\d+$/.test(bits) && ((isIPv4(ip) && +bits <= 32) || (isIPv6(ip) && +bits <= 128)); },
  'uri': (s) => { try { new URL(s); return true; } catch { return false; } },
};

const OBJECT_META = {
  type: 'object',
  properties: {
    // ObjectMeta validation of the API server: names are DNS subdomains, namespaces DNS labels,
    // label keys qualified names with an optional DNS prefix, label values at most 63 characters
    name: { type: 'string', maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
    generateName: { type: 'string' },
    namespace: { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    labels: {
      type: 'object',
      propertyNames: { pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$' },
      additionalProperties: { type: 'string', maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' },
    },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object' } },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: ['string', 'null'] },
    deletionTimestamp: { type: ['string', 'null'] },
    deletionGracePeriodSeconds: { type: 'integer' },
    managedFields: { type: 'array' },
    selfLink: { type: 'string' },
  },
  additionalProperties: false,
};

/**
 * Converts a Kubernetes structural schema node to an ajv schema (draft-07).
 * @internal
 */
export function _toAjvSchema(node: any, atRoot: boolean = false): any {
  if (!node || typeof node !== 'object') return {};
  const out: any = {};
  for (const k of PASS_THROUGH) if (node[k] !== undefined) out[k] = node[k];
  // OpenAPI v3.0 exclusive bounds are booleans; draft-07 wants numbers
  if (node.exclusiveMinimum === true && node.minimum !== undefined) { out.exclusiveMinimum = node.minimum; delete out.minimum; }
  if (node.exclusiveMaximum === true && node.maximum !== undefined) { out.exclusiveMaximum = node.maximum; delete out.maximum; }
  if (node.format !== undefined && FORMATS[node.format]) out.format = node.format;
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out.k8sIntOrString = true;
  }
  // structural schemas spell int-or-string as anyOf [integer, string] too: the keyword above says it once
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (node.nullable && out.type) out.type = [out.type, 'null'];
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(node.properties)) out.properties[k] = _toAjvSchema(v);
    if (atRoot) {
      out.properties.apiVersion = { type: 'string' };
      out.properties.kind = { type: 'string' };
      out.properties.metadata = OBJECT_META;
    }
  }
  if (node.additionalProperties !== undefined) {
    out.additionalProperties = typeof node.additionalProperties === 'object' ? _toAjvSchema(node.additionalProperties) : node.additionalProperties;
  } else if (node.type === 'object' && !preserve && !node['x-kubernetes-embedded-resource']) {
    // the API server would prune anything not declared: reject it instead
    out.additionalProperties = false;
  }
  if (node.items) out.items = _toAjvSchema(node.items);
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    if (k === 'anyOf' && intOrString) continue;
    if (Array.isArray(node[k])) out[k] = node[k].map((s: any) => _toAjvSchema(s));
  }
  if (node.not) out.not = _toAjvSchema(node.not);
  const listType = node['x-kubernetes-list-type'];
  if (listType === 'set') out.uniqueItems = true;
  if (listType === 'map' && Array.isArray(node['x-kubernetes-list-map-keys'])) out.k8sListMapKeys = node['x-kubernetes-list-map-keys'];
  return out;
}

let sharedAjv: Ajv | undefined;

/**
 * Kubernetes patterns are RE2: translate what JavaScript lacks (a leading `(?i)` becomes the `i` flag);
 * a pattern JavaScript still cannot compile is not enforced rather than breaking validation.
 */
function re2(pattern: string, flags: string): { test: (s: string) => boolean } {
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
(re2 as any).code = 'new RegExp';

/**
 * Structural schemas repeat big subschemas (Istio's trafficPolicy appears at 4 levels of a
 * DestinationRule): compile each repeated one once, as a shared definition (compile time / 5).
 */
function dedupe(schema: any): any {
  const SCHEMA_MAPS = ['properties'];
  const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
  const SCHEMA_ONE = ['items', 'additionalProperties', 'not'];
  const keys = new Map<any, string>();
  const counts = new Map<string, number>();
  const key = (node: any): string => {
    if (!node || typeof node !== 'object') return JSON.stringify(node);
    let k = keys.get(node);
    if (k === undefined) {
      k = JSON.stringify(node);
      keys.set(node, k);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      for (const m of SCHEMA_MAPS) for (const v of Object.values(node[m] ?? {})) key(v);
      for (const l of SCHEMA_LISTS) for (const v of node[l] ?? []) key(v);
      for (const o of SCHEMA_ONE) if (typeof node[o] === 'object') key(node[o]);
    }
    return k;
  };
  key(schema);
  const definitions: Record<string, any> = {};
  const ids = new Map<string, string>();
  const rewrite = (node: any, top: boolean): any => {
    if (!node || typeof node !== 'object') return node;
    const k = keys.get(node)!;
    if (!top && k.length > 400 && (counts.get(k) ?? 0) > 1) {
      let id = ids.get(k);
      if (!id) {
        id = `d${ids.size}`;
        ids.set(k, id);
        definitions[id] = rewrite(node, true);
      }
      return { $ref: `#/definitions/${id}` };
    }
    const out: any = { ...node };
    for (const m of SCHEMA_MAPS) if (node[m]) out[m] = Object.fromEntries(Object.entries(node[m]).map(([n, v]) => [n, rewrite(v, false)]));
    for (const l of SCHEMA_LISTS) if (node[l]) out[l] = node[l].map((v: any) => rewrite(v, false));
    for (const o of SCHEMA_ONE) if (typeof node[o] === 'object') out[o] = rewrite(node[o], false);
    return out;
  };
  const root = rewrite(schema, true);
  return ids.size > 0 ? { ...root, definitions } : root;
}

function ajv(): Ajv {
  if (sharedAjv) return sharedAjv;
  // optimize: false halves compile time (compiled once per kind); the validators stay fast
  const a = new Ajv({
    allErrors: true,
    strict: false,
    unicodeRegExp: false,
    validateFormats: true,
    inlineRefs: false,
    code: { regExp: re2 as any, optimize: false },
  });
  for (const [name, fn] of Object.entries(FORMATS)) a.addFormat(name, { type: 'string', validate: fn });
  a.addKeyword({
    keyword: 'k8sIntOrString',
    schemaType: 'boolean',
    errors: true,
    validate: function intOrString(this: any, _schema: boolean, data: any) {
      const ok = typeof data === 'string' || (typeof data === 'number' && Number.isInteger(data));
      if (!ok) (intOrString as any).errors = [{ keyword: 'k8sIntOrString', message: 'must be an integer or a string', params: {} }];
      return ok;
    },
  });
  a.addKeyword({
    keyword: 'k8sListMapKeys',
    type: 'array',
    schemaType: 'array',
    errors: true,
    validate: function listMapKeys(keys: string[], data: any[]) {
      const seen = new Set<string>();
      for (let i = 0; i < data.length; i++) {
        const item = data[i];
        if (!item || typeof item !== 'object') continue;
        const key = JSON.stringify(keys.map((k) => item[k] ?? null));
        if (seen.has(key)) {
          (listMapKeys as any).errors = [{
            keyword: 'k8sListMapKeys',
            params: { index: i },
            message: `Duplicate value: ${JSON.stringify(Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]])))}`,
          }];
          return false;
        }
        seen.add(key);
      }
      return true;
    },
  });
  sharedAjv = a;
  return a;
}

/**
 * A compiled validator for one structural schema.
 * @internal
 */
export class _SchemaValidator {
  private readonly fn: ValidateFunction;

  constructor(private readonly structural: any) {
    this.fn = ajv().compile(dedupe(_toAjvSchema(structural, true)));
  }

  public validate(obj: any): _SchemaError[] {
    if (this.fn(obj)) return [];
    return formatErrors(this.fn.errors ?? [], this.structural, obj);
  }
}

/** `/spec/http/0/route` -> `spec.http[0].route` */
export function _dottedPath(pointer: string): string {
  if (!pointer) return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function join(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

function show(v: any): string {
  if (v !== null && typeof v === 'object') return Array.isArray(v) ? '"array"' : '"object"';
  return JSON.stringify(v);
}

function valueAt(obj: any, pointer: string): any {
  let v = obj;
  if (!pointer) return v;
  for (const raw of pointer.slice(1).split('/')) {
    if (v === null || v === undefined) return undefined;
    v = v[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

function formatErrors(errors: ErrorObject[], _structural: any, obj: any): _SchemaError[] {
  // Errors inside a failed oneOf/anyOf/not branch are noise: the combinator's own error says it.
  const branchErrors = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf' || e.keyword === 'not') branchErrors.add(e.schemaPath);
  }
  const out: _SchemaError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if ([...branchErrors].some((p) => e.schemaPath.startsWith(p + '/')) || e.schemaPath.includes('/propertyNames/')) continue;
    const path = _dottedPath(e.instancePath);
    const value = valueAt(obj, e.instancePath);
    const f = format(e, path, value);
    const key = `${f.path}\u0000${f.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

function format(e: ErrorObject, path: string, value: any): _SchemaError {
  const p: any = e.params;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = join(path, p.additionalProperty);
      return { path: field, message: `unknown field "${field}" (the API server would drop it silently)` };
    }
    case 'propertyNames':
      return { path, message: `Invalid value: ${JSON.stringify(p.propertyName)}: not a valid key (a qualified name with an optional DNS prefix)` };
    case 'required':
      return { path: join(path, p.missingProperty), message: 'Required value' };
    case 'enum':
      return { path, message: `Unsupported value: ${show(value)}: supported values: ${(p.allowedValues as any[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'type':
      return { path, message: `Invalid value: ${show(value)}: must be of type ${Array.isArray(p.type) ? p.type.join(' or ') : p.type}` };
    case 'k8sIntOrString':
      return { path, message: `Invalid value: ${show(value)}: must be an integer or a string` };
    case 'pattern':
      return { path, message: `Invalid value: ${show(value)}: should match '${p.pattern}'` };
    case 'format':
      return { path, message: `Invalid value: ${show(value)}: must be of format ${p.format}` };
    case 'maxLength':
      return { path, message: `Too long: may not be more than ${p.limit} bytes` };
    case 'minLength':
      return { path, message: `Invalid value: ${show(value)}: should be at least ${p.limit} chars long` };
    case 'maximum':
      return { path, message: `Invalid value: ${show(value)}: should be less than or equal to ${p.limit}` };
    case 'minimum':
      return { path, message: `Invalid value: ${show(value)}: should be greater than or equal to ${p.limit}` };
    case 'exclusiveMaximum':
      return { path, message: `Invalid value: ${show(value)}: should be less than ${p.limit}` };
    case 'exclusiveMinimum':
      return { path, message: `Invalid value: ${show(value)}: should be greater than ${p.limit}` };
    case 'maxItems':
      return { path, message: `Too many: ${Array.isArray(value) ? value.length : '?'}: must have at most ${p.limit} items` };
    case 'minItems':
      return { path, message: `Invalid value: ${Array.isArray(value) ? value.length : '?'}: must have at least ${p.limit} items` };
    case 'maxProperties':
      return { path, message: `Too many: must have at most ${p.limit} properties` };
    case 'minProperties':
      return { path, message: `Invalid value: must have at least ${p.limit} properties` };
    case 'uniqueItems':
      return { path: `${path}[${Math.max(p.i, p.j)}]`, message: `Duplicate value: ${JSON.stringify(Array.isArray(value) ? value[p.i] : undefined)}` };
    case 'k8sListMapKeys':
      return { path: `${path}[${p.index}]`, message: e.message ?? 'Duplicate value' };
    case 'oneOf':
      return { path, message: `Invalid value: ${show(value)}: must validate one and only one schema (oneOf)${exclusiveFields(e)}` };
    case 'anyOf':
      return { path, message: `Invalid value: ${show(value)}: must validate at least one schema (anyOf)${exclusiveFields(e)}` };
    case 'not':
      return { path, message: `Invalid value: ${show(value)}: must not validate the schema (not)` };
    default:
      return { path, message: `Invalid value: ${show(value)}: ${e.message ?? e.keyword}` };
  }
}

/** Istio encodes protobuf oneofs as oneOf/anyOf of `required` lists: name the fields. */
function exclusiveFields(e: ErrorObject): string {
  const fields = new Set<string>();
  const visit = (s: any) => {
    if (!s || typeof s !== 'object') return;
    if (Array.isArray(s)) { s.forEach(visit); return; }
    if (Array.isArray(s.required)) s.required.forEach((r: string) => fields.add(r));
    for (const k of ['oneOf', 'anyOf', 'allOf', 'not']) visit(s[k]);
  };
  visit(e.schema);
  return fields.size > 0 ? `: set at most one of ${[...fields].sort().join(', ')}` : '';
}

/**
 * Applies the schema's `default`s the way the API server does before validating (absent properties of
 * objects, inside list items and map values too). Copy-on-write: `value` itself is never modified.
 * @internal
 */
export function _applyDefaults(value: any, schema: any): any {
  if (!schema || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (!schema.items) return value;
    let out: any[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const d = _applyDefaults(value[i], schema.items);
      if (d !== value[i]) (out ??= value.slice())[i] = d;
    }
    return out ?? value;
  }
  let out: any | undefined;
  if (schema.properties) {
    for (const [k, s] of Object.entries<any>(schema.properties)) {
      const cur = value[k];
      let d = cur;
      if (cur === undefined && s.default !== undefined) d = JSON.parse(JSON.stringify(s.default));
      d = _applyDefaults(d, s);
      if (d !== cur) (out ??= { ...value })[k] = d;
    }
  } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const d = _applyDefaults(v, schema.additionalProperties);
      if (d !== v) (out ??= { ...value })[k] = d;
    }
  }
  return out ?? value;
}
