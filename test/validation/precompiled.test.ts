// Precompiled schema validators (`scripts/gen-validators.js`, run by `npx projen compile`): the standalone
// code must validate exactly like the validator ajv compiles at run time, and the library must use a
// precompiled module only for the schema it was made from.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  _PRECOMPILED, _precompiledFile, _precompiledSource, _schemaFingerprint, _SchemaValidator,
} from '../../src/validation/_schema';
import * as runtime from '../../src/validation/_schema-runtime';

const SCHEMAS = path.join(__dirname, '..', '..', 'src', 'validation', 'schemas');
const RUNTIME_ID = 'cdk8s-istio:schema-runtime';

interface Kind { readonly group: string; readonly version: string; readonly kind: string; readonly schema: any; readonly schemaOf?: string }
// versions served with the schema of another version (`schemaOf`) share that version's module
const KINDS: Kind[] = fs.readdirSync(SCHEMAS).filter((f) => f.endsWith('.json')).sort()
  .flatMap((f) => JSON.parse(fs.readFileSync(path.join(SCHEMAS, f), 'utf8')).crds as Kind[])
  .filter((k) => k.schemaOf === undefined);

/** Loads generated module source the way Node would, with `_schema-runtime` mapped to the source module. */
function load(source: string): any {
  const mod: any = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (id: string): any => (id === RUNTIME_ID ? runtime : require(id));
  new Function('module', 'exports', 'require', source)(mod, mod.exports, req);
  return mod.exports;
}

/**
 * A document with every property the schema declares (down to a depth), two items per list (so that
 * list-map keys and set items repeat), and each leaf's path, for mutations.
 */
function maximal(schema: any, at: string[] = [], leaves: string[][] = [], depth = 0): any {
  if (schema['x-kubernetes-int-or-string']) { leaves.push(at); return 8080; }
  switch (schema.type) {
    case 'object': {
      const o: any = {};
      if (depth > 7) return o;
      for (const [k, v] of Object.entries<any>(schema.properties ?? {})) o[k] = maximal(v, [...at, k], leaves, depth + 1);
      if (typeof schema.additionalProperties === 'object') o['extra-key'] = maximal(schema.additionalProperties, [...at, 'extra-key'], leaves, depth + 1);
      return o;
    }
    case 'array':
      if (!schema.items || depth > 7) return [];
      return [maximal(schema.items, [...at, '0'], leaves, depth + 1), maximal(schema.items, [...at, '1'], [], depth + 1)];
    case 'string':
      leaves.push(at);
      if (schema.enum) return schema.enum[0];
      return schema.format === 'date-time' ? '2026-11-26T00:00:00Z' : 'abc';
    case 'integer': leaves.push(at); return schema.minimum ?? 1;
    case 'number': leaves.push(at); return 1.5;
    case 'boolean': leaves.push(at); return true;
    default: leaves.push(at); return 'x';
  }
}

function setAt(doc: any, at: string[], value: any): any {
  const copy = JSON.parse(JSON.stringify(doc));
  let o = copy;
  for (const k of at.slice(0, -1)) o = o[k];
  o[at[at.length - 1]] = value;
  return copy;
}

/** The maximal document, and variants with one leaf of another type or value, or one unknown field. */
function corpus(k: Kind): any[] {
  const leaves: string[][] = [];
  const base = { apiVersion: `${k.group}/${k.version}`, kind: k.kind, metadata: { name: 'x', namespace: 'shop' }, ...maximal(k.schema, [], leaves) };
  const docs: any[] = [base, { apiVersion: base.apiVersion, kind: k.kind, metadata: { name: 'x' } }];
  const wrong = [42, 'zz', -1, 1.5, true, null, {}, [], '2026-13-45', '::1', 'not a uri', 'AAA=', '-Bad_Name-'];
  leaves.forEach((at, i) => {
    docs.push(setAt(base, at, wrong[i % wrong.length]));
    if (at.length > 1) docs.push(setAt(base, [...at.slice(0, -1), 'unknownField'], 1));
  });
  docs.push(setAt(base, ['metadata', 'labels'], { 'bad key!': 'v', 'ok': 'x'.repeat(64) }));
  return docs;
}

describe('precompiled schema validators', () => {
  test.each(KINDS.map((k) => [`${k.group}/${k.version} ${k.kind}`, k] as const))('%s: validates exactly like the run-time validator', (_name, k) => {
    // GIVEN the validator ajv compiles at run time and the standalone module built from the same schema
    const compiled = new _SchemaValidator(k.schema);
    const exported = load(_precompiledSource(k.schema, RUNTIME_ID));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-precompiled-'));
    const file = _precompiledFile(`${k.group}/${k.version}`, k.kind);
    const saved = _PRECOMPILED.dir;
    try {
      // (the loader sees the module as the package would ship it, with its fingerprint)
      fs.writeFileSync(path.join(dir, file), 'module.exports = global.__precompiledUnderTest;');
      (global as any).__precompiledUnderTest = exported;
      _PRECOMPILED.dir = dir;
      const precompiled = new _SchemaValidator(k.schema, file);
      expect(exported.schemaHash).toEqual(_schemaFingerprint(k.schema));
      // WHEN both validate the same documents THEN the findings are the same, and there are findings
      let findings = 0;
      for (const doc of corpus(k)) {
        const expected = compiled.validate(doc);
        expect(precompiled.validate(doc)).toEqual(expected);
        findings += expected.length;
      }
      expect(findings).toBeGreaterThan(0);
    } finally {
      _PRECOMPILED.dir = saved;
      delete (global as any).__precompiledUnderTest;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the generated module requires only the schema runtime and ajv\'s runtime helpers', () => {
    // GIVEN every built-in kind's generated source
    const requires = new Set<string>();
    for (const k of KINDS) {
      for (const m of _precompiledSource(k.schema, RUNTIME_ID).matchAll(/require\(("[^"]*")\)/g)) requires.add(JSON.parse(m[1]));
    }
    // THEN
    expect([...requires].sort()).toEqual(['ajv/dist/runtime/ucs2length', RUNTIME_ID]);
  });
});

describe('choosing a precompiled validator', () => {
  const VS = KINDS.find((k) => k.kind === 'VirtualService' && k.group === 'networking.istio.io')!;
  const FILE = 'networking.istio.io_v1_VirtualService.js';
  const BAD = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x' }, spec: { htp: [] } };
  let dir: string;
  let saved: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-precompiled-'));
    saved = _PRECOMPILED.dir;
    _PRECOMPILED.dir = dir;
  });
  afterEach(() => {
    _PRECOMPILED.dir = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('uses the module made from the same schema', () => {
    // GIVEN a module with the schema's fingerprint (a stand-in that reports one finding)
    fs.writeFileSync(path.join(dir, FILE), `module.exports = function v() { v.errors = [{ keyword: 'custom', instancePath: '/spec', schemaPath: '#', params: {}, message: 'from the precompiled module' }]; return false; };
module.exports.schemaHash = ${JSON.stringify(_schemaFingerprint(VS.schema))};`);
    // WHEN
    const findings = new _SchemaValidator(VS.schema, FILE).validate(BAD);
    // THEN
    expect(findings).toEqual([{ path: 'spec', message: 'Invalid value: "object": from the precompiled module' }]);
  });

  test('ignores a module made from another schema (compiles at run time)', () => {
    // GIVEN a stale module that would accept anything
    fs.writeFileSync(path.join(dir, FILE), 'module.exports = function v() { return true; }; module.exports.schemaHash = "stale";');
    // WHEN
    const findings = new _SchemaValidator(VS.schema, FILE).validate(BAD);
    // THEN the run-time validator's finding
    expect(findings).toEqual([{ path: 'spec.htp', message: 'unknown field "spec.htp" (the API server would drop it silently)' }]);
  });

  test('compiles at run time when the package has no precompiled module (running from source)', () => {
    expect(new _SchemaValidator(VS.schema, 'networking.istio.io_v1_NoSuchKind.js').validate(BAD)).toEqual([
      { path: 'spec.htp', message: 'unknown field "spec.htp" (the API server would drop it silently)' },
    ]);
  });

  test('fails loudly when a precompiled module is broken (a broken build is not hidden)', () => {
    fs.writeFileSync(path.join(dir, FILE), 'throw new Error("broken module");');
    expect(() => new _SchemaValidator(VS.schema, FILE)).toThrow(/broken module/);
  });
});
