// README.md's TypeScript compiles: every ```ts / ```typescript block is type-checked in strict mode, each as
// its own module, against the library's source (`cdk8s-istio` is mapped to src/index.ts; no compiled lib/
// needed). A block is pasted into its rosetta fixture (```ts fixture=readme: rosetta/readme.ts-fixture, the
// shared prelude of the README) the way jsii-rosetta does it (its imports moved to the top, the rest at
// "/// here"), so the names that prelude declares (`app`, `chart`, `shop`, `frontend`, `catalog`, ...) are the
// only ones a block may use without defining them; `npx projen rosetta:check` compiles the same blocks against
// the compiled assembly. A block whose first line is `// partial: <why>` is skipped here; keep those rare
// (jsii-rosetta has no such marker and still compiles it, so it needs a fixture of its own there:
// ```ts fixture=NAME with rosetta/NAME.ts-fixture, which this check uses too). Errors point at the README line.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const PARTIAL_MARKER = /^\s*\/\/ partial: \S/;

/** A fenced TypeScript block: `line` is the 1-based line of its first code line in `file`. */
interface CodeBlock {
  readonly file: string;
  readonly line: number;
  readonly code: string[];
  /** The `fixture=NAME` of the fence (jsii-rosetta's syntax), else `default`. */
  readonly fixture: string;
}

/** The ```ts / ```typescript blocks of a markdown text (fences may be indented, e.g. inside a list). */
function markdownBlocks(file: string, markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)(?:\s+(.*))?$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1];
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: the \`\`\`${open[2]} fence is never closed: add a closing \`\`\` line`);
    const code = lines.slice(start, end).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
    const fixture = /(?:^|\s)fixture=(\S+)/.exec(open[3] ?? '')?.[1] ?? 'default';
    blocks.push({ file, line: start + 1, code, fixture });
    i = end;
  }
  return blocks;
}

function isPartial(block: CodeBlock): boolean {
  return block.code.length > 0 && PARTIAL_MARKER.test(block.code[0]);
}

/** A block pasted into the fixture: the module's text, and for each of its lines the block line it came from. */
interface Module { readonly text: string; readonly origin: Array<number | undefined> }

/** Import statements move to the top, the rest replaces the fixture's `/// here` line (as jsii-rosetta does). */
function pasteIntoFixture(block: CodeBlock, fixture: string[]): Module {
  const sf = ts.createSourceFile('block.ts', block.code.join('\n'), ts.ScriptTarget.ES2022, true);
  const importLines = new Set<number>();
  for (const s of sf.statements.filter((st) => ts.isImportDeclaration(st) || ts.isImportEqualsDeclaration(st))) {
    const first = sf.getLineAndCharacterOfPosition(s.getStart(sf)).line;
    const last = sf.getLineAndCharacterOfPosition(s.getEnd()).line;
    for (let l = first; l <= last; l++) importLines.add(l);
  }
  const out: Array<{ text: string; from?: number }> = [];
  block.code.forEach((text, l) => { if (importLines.has(l)) out.push({ text, from: l }); });
  for (const text of fixture) {
    if (text.trim() !== '/// here') { out.push({ text }); continue; }
    block.code.forEach((t, l) => { if (!importLines.has(l)) out.push({ text: t, from: l }); });
  }
  return { text: out.map((o) => o.text).join('\n') + '\n', origin: out.map((o) => o.from) };
}

/** The project's compiler options (strict), with `cdk8s-istio` resolved to the library's source. */
function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return {
    ...parsed.options,
    strict: true,
    noEmit: true,
    declaration: false,
    noUnusedLocals: false, // a README line may show a value without using it
    noUnusedParameters: false,
    rootDir: undefined,
    paths: { 'cdk8s-istio': [path.join(ROOT, 'src', 'index.ts')] },
  };
}

/** Type-checks the blocks in one program; returns one line per error: `FILE:LINE:COL: TSnnnn: message`. */
function typeCheck(blocks: CodeBlock[]): string[] {
  const modules = new Map<string, { block: CodeBlock; module: Module }>();
  for (const block of blocks) {
    const name = path.join(ROOT, `__${path.basename(block.file).replace(/\W/g, '_')}_L${block.line}.ts`);
    const fixture = fs.readFileSync(fixtureFile(block), 'utf8').split('\n');
    modules.set(name, { block, module: pasteIntoFixture(block, fixture) });
  }
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => modules.has(f) || fileExists.call(host, f);
  host.readFile = (f) => modules.get(f)?.module.text ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const m = modules.get(f);
    return m ? ts.createSourceFile(f, m.module.text, lang) : getSourceFile.call(host, f, lang, ...rest);
  };
  const program = ts.createProgram([...modules.keys()], options, host);
  const errors = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((d) => `TS${d.code}: ${flatten(d)}`);
  for (const [name, { block, module }] of modules) {
    const sf = program.getSourceFile(name)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const pos = sf.getLineAndCharacterOfPosition(d.start ?? 0);
      const from = module.origin[pos.line];
      const where = from === undefined
        ? `${block.file}:${block.line}: (in rosetta/${block.fixture}.ts-fixture, line ${pos.line + 1} of the pasted module)`
        : `${block.file}:${block.line + from}:${pos.character + 1}:`;
      errors.push(`${where} TS${d.code}: ${flatten(d)}`);
    }
  }
  return errors;
}

function fixtureFile(block: CodeBlock): string {
  return path.join(ROOT, 'rosetta', `${block.fixture}.ts-fixture`);
}

function flatten(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, ' ');
}

// a markdown text with known mistakes, checked in the same program: proves that errors are found and located
const SELF_TEST = [
  '# self-test',
  '',
  '```ts fixture=readme',
  "import { MeshIdentity, NamespaceRef } from 'cdk8s-istio';",
  "const id: number = MeshIdentity.namespace(NamespaceRef.named('monitoring'));",
  '```',
  '',
  '- in a list:',
  '  ```typescript fixture=readme',
  '  // uses a name the fixture does not declare',
  '  undeclaredName.synth();',
  '  ```',
  '',
  '```ts fixture=readme',
  '// partial: shows only the shape of a call',
  'edge.expose(...);',
  '```',
  '',
  '```ts fixture=readme',
  "import { ServiceHost } from 'cdk8s-istio';",
  'ServiceHost.fromService(frontendService).fqdn;   // a name of the fixture',
  '```',
].join('\n');

describe('README.md TypeScript blocks', () => {
  const readme = markdownBlocks('README.md', fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const selfTest = markdownBlocks('self-test.md', SELF_TEST);
  let errors: string[] = [];
  beforeAll(() => {
    errors = typeCheck([...readme, ...selfTest].filter((b) => !isPartial(b)));
  }, 180_000);

  test('every block compiles in strict mode against src/ (fix the README line named in each error)', () => {
    expect(errors.filter((e) => !e.startsWith('self-test.md'))).toEqual([]);
  });

  test('the README has TypeScript blocks and few partial ones', () => {
    expect(readme.length).toBeGreaterThanOrEqual(10);
    expect(readme.filter(isPartial).map((b) => `README.md:${b.line}`).length).toBeLessThanOrEqual(2);
  });

  test('every README block uses the README prelude (the default fixture imports the whole API by bare name)', () => {
    const other = readme.filter((b) => b.fixture !== 'readme');
    expect(other.map((b) => `README.md:${b.line - 1}: fixture "${b.fixture}": open the block with \`\`\`ts fixture=readme`)).toEqual([]);
  });

  test('the API examples\' fixture declares the same shop objects as the README prelude', () => {
    const declared = (name: string) => fs.readFileSync(path.join(ROOT, 'rosetta', `${name}.ts-fixture`), 'utf8')
      .split('\n').map((l) => /^declare const (\w+)/.exec(l)?.[1]).filter((n) => n !== undefined);
    expect(declared('default')).toEqual(declared('readme'));
    expect(declared('readme')).toEqual(['app', 'chart', 'shop', 'frontendSa', 'frontend', 'frontendService', 'catalog']);
  });

  test('fails on a type error and on an undeclared name, naming the markdown line and column', () => {
    expect(errors.filter((e) => e.startsWith('self-test.md'))).toEqual([
      "self-test.md:5:7: TS2322: Type 'MeshIdentity' is not assignable to type 'number'.",
      "self-test.md:11:1: TS2304: Cannot find name 'undeclaredName'.",
    ]);
  });

  test('extracts indented fences with their markdown line, and marks partial blocks', () => {
    expect(selfTest.map((b) => [b.line, isPartial(b), b.fixture])).toEqual([[4, false, 'readme'], [10, false, 'readme'], [15, true, 'readme'], [20, false, 'readme']]);
    expect(markdownBlocks('x.md', '```ts\nconst a = 1;\n```\n')[0].fixture).toEqual('default');
    expect(selfTest[1].code).toEqual(['// uses a name the fixture does not declare', 'undeclaredName.synth();']);
  });

  test('fails on an unclosed fence, naming its line', () => {
    expect(() => markdownBlocks('x.md', 'text\n```ts\nconst a = 1;\n')).toThrow('x.md:2: the ```ts fence is never closed: add a closing ``` line');
  });
});
