// scripts/check-api-docs.js (`npx projen docs:check`, run in CI after `jsii compile`): its logic on tiny
// hand-written jsii assemblies. The real run on .jsii is the CI check (the test task does not compile).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const checker = require('../scripts/check-api-docs');
const SCRIPT = path.join(__dirname, '..', 'scripts', 'check-api-docs.js');

const loc = (line: number) => ({ filename: 'src/thing.ts', line });
const doc = (summary: string) => ({ summary });

/** A documented root-module construct with an initializer, a method, a property; nothing missing. */
function completeClass(): any {
  return {
    assembly: 'lib',
    fqn: 'lib.Thing',
    kind: 'class',
    name: 'Thing',
    docs: doc('A thing.'),
    locationInModule: loc(10),
    initializer: {
      docs: doc('Defines a thing.'),
      locationInModule: loc(12),
      parameters: [{ name: 'scope', docs: doc('Parent construct.') }, { name: 'id', docs: doc('Construct id.') }],
    },
    methods: [{ name: 'addPort', docs: doc('Adds a port.'), locationInModule: loc(20), parameters: [{ name: 'port', docs: doc('Port number.') }] }],
    properties: [{ name: 'host', docs: doc('The host.'), locationInModule: loc(15) }],
  };
}

function assembly(...types: any[]): any {
  return { name: 'lib', types: Object.fromEntries(types.map((t) => [t.fqn, t])) };
}

describe('check-api-docs', () => {
  test('a fully documented assembly has nothing missing', () => {
    const docEnum = { assembly: 'lib', fqn: 'lib.Mode', kind: 'enum', docs: doc('A mode.'), locationInModule: loc(30), members: [{ name: 'ON', docs: doc('On.') }] };
    const struct = { assembly: 'lib', fqn: 'lib.ThingProps', kind: 'interface', datatype: true, docs: doc('Props.'), locationInModule: loc(40), properties: [{ name: 'port', docs: doc('Port.'), locationInModule: loc(41) }] };
    const asm = assembly(completeClass(), docEnum, struct);
    expect(checker.findMissingDocs(asm)).toEqual([]);
    expect(checker.formatReport([])).toMatch(/API docs complete/);
  });

  test('a class without a doc comment is reported with its fqn and source location', () => {
    const cls = completeClass();
    delete cls.docs.summary;
    expect(checker.findMissingDocs(assembly(cls))).toEqual([{ fqn: 'lib.Thing', what: 'class', location: 'src/thing.ts:10' }]);
  });

  test('an undocumented method parameter and initializer parameter are reported, a blank summary counts as missing', () => {
    const cls = completeClass();
    cls.methods[0].parameters[0].docs = {};
    cls.initializer.parameters[1].docs = doc('   ');
    expect(checker.findMissingDocs(assembly(cls))).toEqual([
      { fqn: 'lib.Thing.addPort(port)', what: 'parameter', location: 'src/thing.ts:20' },
      { fqn: 'lib.Thing.constructor(id)', what: 'parameter', location: 'src/thing.ts:12' },
    ]);
  });

  test('undocumented initializer, method, property, struct and enum member are each reported, sorted by fqn', () => {
    const cls = completeClass();
    cls.initializer.docs = {};
    cls.methods[0].docs = {};
    delete cls.properties[0].docs;
    const struct = { assembly: 'lib', fqn: 'lib.Props', kind: 'interface', datatype: true, locationInModule: loc(40), properties: [] };
    const undocEnum = { assembly: 'lib', fqn: 'lib.Mode', kind: 'enum', docs: doc('A mode.'), locationInModule: loc(30), members: [{ name: 'OFF' }] };
    const found = checker.findMissingDocs(assembly(cls, struct, undocEnum));
    expect(found.map((m: any) => `${m.what} ${m.fqn} ${m.location}`)).toEqual([
      'enum member lib.Mode.OFF src/thing.ts:30', // enum members have no location of their own: the enum's
      'struct lib.Props src/thing.ts:40',
      'method lib.Thing.addPort() src/thing.ts:20',
      'initializer lib.Thing.constructor() src/thing.ts:12',
      'property lib.Thing.host src/thing.ts:15',
    ]);
  });

  test('types of submodules (generated bindings) and of other assemblies are not checked', () => {
    const generated = { assembly: 'lib', fqn: 'lib.istio_networking.VirtualService', namespace: 'istio_networking', kind: 'class', locationInModule: loc(1) };
    const foreign = { assembly: 'other', fqn: 'other.Thing', kind: 'class', locationInModule: loc(1) };
    expect(checker.findMissingDocs(assembly(completeClass(), generated, foreign))).toEqual([]);
  });

  test('the report lists each entry and a count per source file', () => {
    const missing = [
      { fqn: 'lib.A', what: 'class', location: 'src/a.ts:3' },
      { fqn: 'lib.A.f(x)', what: 'parameter', location: 'src/a.ts:9' },
      { fqn: 'lib.B', what: 'class', location: 'src/b.ts:1' },
    ];
    expect(checker.countByFile(missing)).toEqual([['src/a.ts', 2], ['src/b.ts', 1]]);
    const report: string = checker.formatReport(missing);
    expect(report).toContain('src/a.ts:9  parameter  lib.A.f(x)');
    expect(report).toMatch(/^\s+2 {2}src\/a\.ts$/m);
    expect(report).toMatch(/3 public API element\(s\) without a doc summary/);
  });

  test('the command exits 1 and names the element when a summary is missing, 0 when complete', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-'));
    const bad = completeClass();
    bad.methods[0].parameters[0].docs = {};
    fs.writeFileSync(path.join(dir, 'bad.jsii'), JSON.stringify(assembly(bad)));
    fs.writeFileSync(path.join(dir, 'good.jsii'), JSON.stringify(assembly(completeClass())));
    const badRun = spawnSync(process.execPath, [SCRIPT, path.join(dir, 'bad.jsii')], { encoding: 'utf8' });
    const goodRun = spawnSync(process.execPath, [SCRIPT, path.join(dir, 'good.jsii')], { encoding: 'utf8' });
    const missingRun = spawnSync(process.execPath, [SCRIPT, path.join(dir, 'absent.jsii')], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true });
    expect(badRun.status).toBe(1);
    expect(badRun.stderr).toContain('src/thing.ts:20  parameter  lib.Thing.addPort(port)');
    expect(goodRun.status).toBe(0);
    expect(missingRun.status).toBe(2);
    expect(missingRun.stderr).toMatch(/absent\.jsii' not found: run `npx projen compile` first/);
  });
});
