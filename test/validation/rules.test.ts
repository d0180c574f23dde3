import * as fs from 'fs';
import * as path from 'path';
import { _meshChecks } from '../../src/validation/_mesh';
import { _KIALI_COVERAGE, _RULES, _readmeWithRuleTable, _rule, _ruleChecks, _ruleTable } from '../../src/validation/_rules';

describe('rule registry', () => {
  test('README\'s rule table is the one generated from the definitions (run `npx projen rules:readme` when this fails)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(_readmeWithRuleTable(readme)).toEqual(readme);
    expect(readme).toContain(_ruleTable());
  });

  test('every definition has a unique id of a known shape, a severity, what it catches and what it mirrors', () => {
    const ids = _RULES.map((r) => r.id);
    expect(new Set(ids).size).toEqual(ids.length);
    for (const r of _RULES) {
      expect(r.id).toMatch(/^(IST\d{4}|KIA\d{4}|MESH\d{3}|K8S-[A-Z]+)$/);
      expect(['error', 'warning']).toContain(r.severity);
      expect(r.catches.length).toBeGreaterThan(10);
      expect(r.mirrors.length).toBeGreaterThan(3);
    }
    expect(_rule('IST0101')?.severity).toEqual('error');
    // reported outside the engine (schema, CEL, the CLI's file reading) but in the table and suppressible
    for (const id of ['K8S-SCHEMA', 'K8S-CEL', 'K8S-YAML', 'K8S-OBJECT']) expect([id, _rule(id)?.check]).toEqual([id, undefined]);
    expect(_rule('IST0999')).toBeUndefined();
  });

  test('the Kiali table: each code once, Kiali\'s message, registered rule ids, and a note', () => {
    const codes = _KIALI_COVERAGE.map((k) => k.code);
    expect(new Set(codes).size).toEqual(codes.length);
    for (const k of _KIALI_COVERAGE) {
      expect(k.code).toMatch(/^KIA\d{4}$/);
      expect([k.code, k.kiali.length > 10, k.note.length > 10]).toEqual([k.code, true, true]);
      for (const id of k.reportedAs) expect([k.code, id, _rule(id) !== undefined]).toEqual([k.code, id, true]);
    }
  });

  test('every rule id is asserted by some test besides this registry test (its failing manifest and near miss live there)', () => {
    const root = path.join(__dirname, '..');
    const texts: string[] = [];
    const walk = (dir: string): void => {
      for (const f of fs.readdirSync(dir)) {
        const p = path.join(dir, f);
        if (fs.statSync(p).isDirectory()) { if (f !== '__snapshots__' && f !== 'fixtures') walk(p); } else if (p.endsWith('.ts') && p !== __filename) {texts.push(fs.readFileSync(p, 'utf8'));}
      }
    };
    walk(root);
    const all = texts.join('\n');
    expect(_RULES.map((r) => r.id).filter((id) => !all.includes(id))).toEqual([]);
  });

  test('every Kiali code issue 22 lists is answered in the Kiali table', () => {
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => `KIA${String(a + i).padStart(4, '0')}`);
    const listed = [
      ...range(2, 3), 'KIA0102', ...range(109, 110), 'KIA0201', ...range(204, 212), 'KIA0301', ...range(601, 602), 'KIA0701', ...range(1006, 1007),
      ...range(1104, 1117), ...range(1211, 1212), 'KIA1301', ...range(1311, 1317), ...range(1401, 1402), ...range(1501, 1504),
    ];
    const answered = new Set(_KIALI_COVERAGE.map((k) => k.code));
    expect(listed.filter((code) => !answered.has(code))).toEqual([]);
  });

  test('each rule function runs once, however many ids it reports', () => {
    const fns = _ruleChecks();
    expect(new Set(fns).size).toEqual(fns.length);
    expect(fns.length).toBeLessThan(_RULES.length);
  });

  test('fails: the table generator refuses a README without markers', () => {
    expect(() => _readmeWithRuleTable('# no markers')).toThrow('README.md has no <!-- rules:begin --> ... <!-- rules:end --> markers');
  });

  test('the engine runs with no input and reports nothing', () => {
    expect(_meshChecks([])).toEqual([]);
  });
});
