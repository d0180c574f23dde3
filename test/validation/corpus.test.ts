import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/validation/cli';

// The corpus of misconfigured manifests (one problem per file) and clean ones: test/fixtures/README.md.

function run(args: string[]): { code: number; out: string } {
  let out = '';
  const code = main(args, { write: (s: string) => (out += s) }, { write: () => undefined });
  return { code, out };
}
const dir = (name: string) => path.join(__dirname, '..', 'fixtures', name);
const yamlFiles = (name: string) => fs.readdirSync(dir(name)).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir(name), f));

describe('the misconfigured-manifest corpus', () => {
  const files = yamlFiles('misconfigured');
  const results = files.map((file) => {
    const expect = /^# expect: (\S+) (\S+)/.exec(fs.readFileSync(file, 'utf8'))!;
    const r = run(['validate', file]);
    const named = r.out.split('\n').some((l) => l.includes(`: ${expect[2]}: `) && / \[[A-Z0-9-]+\] /.test(l));
    return { file: path.basename(file), rule: expect[1], object: expect[2], detected: r.code === 1 && named, ruleSeen: r.out.includes(`[${expect[1]}]`) };
  });

  test('every file states the expected rule and object', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    for (const r of results) expect([r.file, r.object]).toEqual([r.file, expect.stringMatching(/^[A-Za-z]+\/[a-z0-9-]+(\/[a-z0-9-]+)?$/)]);
  });

  test('the CLI exits 1 and names the offending object for at least 90 % of the files (each file with a rule id: that rule)', () => {
    const missed = results.filter((r) => !r.detected).map((r) => r.file);
    expect(results.filter((r) => r.detected).length / results.length).toBeGreaterThanOrEqual(0.9);
    expect(missed).toEqual([]); // today every file is detected: a new file the analyzer misses fails here until its rule exists
    for (const r of results.filter((x) => !x.rule.startsWith('('))) expect([r.file, r.ruleSeen]).toEqual([r.file, true]);
  });
});

describe('the clean corpus', () => {
  test.each(yamlFiles('clean').map((f) => [path.basename(f), f]))('%s: no finding, exit 0', (_name, file) => {
    expect(run(['validate', file])).toEqual({ code: 0, out: '' });
  });
  test('all clean files together: no finding', () => {
    expect(run(['validate', dir('clean')])).toEqual({ code: 0, out: '' });
  });
});
