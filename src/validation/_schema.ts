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
import { createHash } from 'crypto';
import * as nodePath from 'path';
// eslint-disable-next-line import/no-extraneous-dependencies
import Ajv, { _, Code, ErrorObject, KeywordCxt, ValidateFunction } from 'ajv';
// eslint-disable-next-line import/no-extraneous-dependencies
import standaloneCode from 'ajv/dist/standalone';
import { _JsonObject } from './_json';
import { _FORMATS, _listMapDuplicate, _re2 } from './_schema-runtime';

/** One schema finding: dotted path (`spec.http[0].route`) and an API-server-like message. @internal */
export interface _SchemaError {
  readonly path: string;
  readonly message: string;
}

/**
 * A node of a Kubernetes structural schema (the OpenAPI v3 subset of a CRD): the fields read by name are
 * typed, every other keyword stays `unknown` until checked.
 * @internal
 */
export interface _StructuralSchema {
  readonly [keyword: string]: unknown;
  readonly type?: string;
  readonly properties?: { readonly [name: string]: _StructuralSchema };
  readonly items?: _StructuralSchema;
  readonly additionalProperties?: _StructuralSchema | boolean;
  readonly default?: unknown;
}

const PASS_THROUGH = ['type', 'enum', 'pattern', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required'];

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
export function _toAjvSchema(schema: unknown, atRoot: boolean = false): _JsonObject {
  if (!schema || typeof schema !== 'object') return {};
  const node = schema as _StructuralSchema;
  const out: _JsonObject = {};
  for (const k of PASS_THROUGH) if (node[k] !== undefined) out[k] = node[k];
  // OpenAPI v3.0 exclusive bounds are booleans; draft-07 wants numbers
  if (node.exclusiveMinimum === true && node.minimum !== undefined) { out.exclusiveMinimum = node.minimum; delete out.minimum; }
  if (node.exclusiveMaximum === true && node.maximum !== undefined) { out.exclusiveMaximum = node.maximum; delete out.maximum; }
  if (typeof node.format === 'string' && _FORMATS[node.format]) out.format = node.format;
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out.k8sIntOrString = true;
  }
  // structural schemas spell int-or-string as anyOf [integer, string] too: the keyword above says it once
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (node.nullable && out.type) out.type = [out.type, 'null'];
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.properties) {
    const properties: _JsonObject = {};
    out.properties = properties;
    for (const [k, v] of Object.entries(node.properties)) properties[k] = _toAjvSchema(v);
    if (atRoot) {
      properties.apiVersion = { type: 'string' };
      properties.kind = { type: 'string' };
      properties.metadata = OBJECT_META;
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
    const branches = node[k];
    if (Array.isArray(branches)) out[k] = branches.map((s: unknown) => _toAjvSchema(s));
  }
  if (node.not) out.not = _toAjvSchema(node.not);
  const listType = node['x-kubernetes-list-type'];
  if (listType === 'set') out.uniqueItems = true;
  if (listType === 'map' && Array.isArray(node['x-kubernetes-list-map-keys'])) out.k8sListMapKeys = node['x-kubernetes-list-map-keys'];
  return out;
}


/**
 * Structural schemas repeat big subschemas (Istio's trafficPolicy appears at 4 levels of a
 * DestinationRule): compile each repeated one once, as a shared definition (compile time / 5).
 */
function dedupe(schema: _JsonObject): _JsonObject {
  const SCHEMA_MAPS = ['properties'];
  const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
  const SCHEMA_ONE = ['items', 'additionalProperties', 'not'];
  const keys = new Map<unknown, string>();
  const counts = new Map<string, number>();
  const key = (value: unknown): string => {
    if (!value || typeof value !== 'object') return JSON.stringify(value);
    const node = value as _JsonObject;
    let k = keys.get(node);
    if (k === undefined) {
      k = JSON.stringify(node);
      keys.set(node, k);
      counts.set(k, (counts.get(k) ?? 0) + 1);
      for (const m of SCHEMA_MAPS) for (const v of Object.values(node[m] ?? {})) key(v);
      for (const l of SCHEMA_LISTS) for (const v of (node[l] ?? []) as unknown[]) key(v);
      for (const o of SCHEMA_ONE) if (typeof node[o] === 'object') key(node[o]);
    }
    return k;
  };
  key(schema);
  const definitions: _JsonObject = {};
  const ids = new Map<string, string>();
  const rewrite = (value: unknown, top: boolean): unknown => {
    if (!value || typeof value !== 'object') return value;
    const node = value as _JsonObject;
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
    const out: _JsonObject = { ...node };
    for (const m of SCHEMA_MAPS) {
      if (node[m]) out[m] = Object.fromEntries(Object.entries(node[m] as _JsonObject).map(([n, v]) => [n, rewrite(v, false)]));
    }
    for (const l of SCHEMA_LISTS) if (node[l]) out[l] = (node[l] as unknown[]).map((v) => rewrite(v, false));
    for (const o of SCHEMA_ONE) if (typeof node[o] === 'object') out[o] = rewrite(node[o], false);
    return out;
  };
  const root = rewrite(schema, true) as _JsonObject;
  return ids.size > 0 ? { ...root, definitions } : root;
}

let sharedAjv: Ajv | undefined;

/** The run-time ajv instance (validators compiled when a kind is first validated). */
function ajv(): Ajv {
  sharedAjv ??= createAjv(undefined);
  return sharedAjv;
}

/**
 * An ajv instance with the Kubernetes keywords and formats. With `runtimeModule` (how generated code
 * `require()`s `_schema-runtime`), it keeps the generated source, for precompiled standalone modules.
 */
function createAjv(runtimeModule: string | undefined): Ajv {
  const runtime = runtimeModule === undefined ? undefined : _`require(${runtimeModule})`;
  // the same functions either way: bound directly at run time, required by path in precompiled code
  const regExp = Object.assign((pattern: string, flags: string) => _re2(pattern, flags),
    { code: runtime ? `${runtime.toString()}._re2` : 'new RegExp' });
  // optimize: false halves compile time (compiled once per kind); the validators stay fast
  const a = new Ajv({
    allErrors: true,
    strict: false,
    unicodeRegExp: false,
    validateFormats: true,
    inlineRefs: false,
    // the schemas are generated from CRDs by _toAjvSchema: checking them against the draft-07 meta-schema
    // would only compile the meta-schema once per process
    validateSchema: false,
    code: { regExp, optimize: false, ...(runtime ? { source: true, formats: _`${runtime}._FORMATS` } : {}) },
  });
  for (const [name, def] of Object.entries(_FORMATS)) a.addFormat(name, def);
  a.addKeyword({
    keyword: 'k8sIntOrString',
    schemaType: 'boolean',
    error: { message: 'must be an integer or a string' },
    code(cxt: KeywordCxt) {
      const d = cxt.data;
      cxt.fail(_`!(typeof ${d} == "string" || (typeof ${d} == "number" && Number.isInteger(${d})))`);
    },
  });
  a.addKeyword({
    keyword: 'k8sListMapKeys',
    type: 'array',
    schemaType: 'array',
    error: { message: 'Duplicate value', params: ({ params }) => _`{index: ${params.index}, keys: ${params.keys}}` },
    code(cxt: KeywordCxt) {
      const fn = cxt.gen.scopeValue('func', { ref: _listMapDuplicate, code: runtime ? _`${runtime}._listMapDuplicate` : undefined });
      const index = cxt.gen.const('dup', _`${fn}(${cxt.schemaCode}, ${cxt.data})`);
      cxt.setParams({ index, keys: cxt.schemaCode as Code });
      cxt.fail(_`${index} >= 0`);
    },
  });
  return a;
}

/** The schema ajv compiles for a structural schema. */
function ajvSchemaOf(structural: unknown): _JsonObject {
  return dedupe(_toAjvSchema(structural, true));
}

/**
 * The fingerprint of a structural schema: a precompiled validator is used only for the schema it was made from.
 * @internal
 */
export function _schemaFingerprint(structural: unknown): string {
  return createHash('sha256').update(JSON.stringify(structural)).digest('hex');
}

/**
 * The source of a standalone CommonJS module exporting the validator of `structural` (the same code ajv
 * compiles at run time), plus `schemaHash`.
 *
 * @param structural the structural schema of one kind version
 * @param runtimeModule how the module `require()`s `_schema-runtime` (e.g. `"../_schema-runtime"`)
 * @internal
 */
export function _precompiledSource(structural: unknown, runtimeModule: string): string {
  const a = createAjv(runtimeModule);
  const fn = a.compile(ajvSchemaOf(structural));
  return `${standaloneCode(a, fn)}
module.exports.schemaHash = ${JSON.stringify(_schemaFingerprint(structural))};
`;
}

/**
 * Where precompiled validators are looked up (`lib/validation/validators/` in the package).
 * @internal
 */
export const _PRECOMPILED = { dir: nodePath.join(__dirname, 'validators') };

/**
 * The file name of the precompiled validator of a kind version.
 * @internal
 */
export function _precompiledFile(apiVersion: string, kind: string): string {
  return `${apiVersion.replace(/\//g, '_')}_${kind}.js`;
}

function loadPrecompiled(file: string, structural: unknown): ValidateFunction | undefined {
  const modulePath = nodePath.join(_PRECOMPILED.dir, file);
  let mod: unknown;
  try {
    // a build artifact looked up by kind at run time, not a module dependency
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(modulePath);
  } catch (e: unknown) {
    // not built (running from source, or a kind with no precompiled validator): compile at run time
    const err = e as { code?: unknown; message?: unknown } | undefined;
    if (err?.code === 'MODULE_NOT_FOUND' && String(err.message).includes(modulePath)) return undefined;
    throw e;
  }
  return typeof mod === 'function' && (mod as { schemaHash?: unknown }).schemaHash === _schemaFingerprint(structural)
    ? mod as ValidateFunction : undefined;
}

/**
 * A validator for one structural schema: precompiled at build time when the package has one for exactly
 * this schema, else compiled by ajv on construction.
 * @internal
 */
export class _SchemaValidator {
  private readonly fn: ValidateFunction;

  /**
   * @param structural the structural schema
   * @param precompiledFile the file of a precompiled validator to try first (`_precompiledFile()`)
   */
  constructor(private readonly structural: unknown, precompiledFile?: string) {
    this.fn = (precompiledFile !== undefined ? loadPrecompiled(precompiledFile, structural) : undefined)
      ?? ajv().compile(ajvSchemaOf(structural));
  }

  public validate(obj: unknown): _SchemaError[] {
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

function show(v: unknown): string {
  if (v !== null && typeof v === 'object') return Array.isArray(v) ? '"array"' : '"object"';
  return JSON.stringify(v);
}

function valueAt(obj: unknown, pointer: string): unknown {
  let v = obj;
  if (!pointer) return v;
  for (const raw of pointer.slice(1).split('/')) {
    if (v === null || v === undefined) return undefined;
    v = (v as _JsonObject)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

function formatErrors(errors: ErrorObject[], _structural: unknown, obj: unknown): _SchemaError[] {
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

function format(e: ErrorObject, path: string, value: unknown): _SchemaError {
  // ajv's own type for the params of any keyword
  const p = e.params;
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
      return { path, message: `Unsupported value: ${show(value)}: supported values: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
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
      return { path: `${path}[${p.index}]`, message: `Duplicate value: ${listMapKey(p.keys, value, p.index)}` };
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

/** The key fields of a list-map item, as the API server prints them: `{"name":"http"}`. */
function listMapKey(keys: string[], list: unknown, index: number): string {
  const value: unknown = Array.isArray(list) ? list[index] : undefined;
  if (!Array.isArray(keys) || !value || typeof value !== 'object') return '';
  const item = value as _JsonObject;
  return JSON.stringify(Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]])));
}

/** Istio encodes protobuf oneofs as oneOf/anyOf of `required` lists: name the fields. */
function exclusiveFields(e: ErrorObject): string {
  const fields = new Set<string>();
  const visit = (v: unknown): void => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) { v.forEach(visit); return; }
    const s = v as _JsonObject;
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
export function _applyDefaults(value: unknown, schema: _StructuralSchema | undefined): unknown {
  if (!schema || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (!schema.items) return value;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const d = _applyDefaults(value[i], schema.items);
      if (d !== value[i]) (out ??= value.slice())[i] = d;
    }
    return out ?? value;
  }
  const obj = value as _JsonObject;
  let out: _JsonObject | undefined;
  if (schema.properties) {
    for (const [k, s] of Object.entries(schema.properties)) {
      const cur = obj[k];
      let d = cur;
      if (cur === undefined && s.default !== undefined) d = JSON.parse(JSON.stringify(s.default));
      d = _applyDefaults(d, s);
      if (d !== cur) (out ??= { ...obj })[k] = d;
    }
  } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    for (const [k, v] of Object.entries(obj)) {
      const d = _applyDefaults(v, schema.additionalProperties);
      if (d !== v) (out ??= { ...obj })[k] = d;
    }
  }
  return out ?? value;
}
