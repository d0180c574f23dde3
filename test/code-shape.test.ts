import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// The code stays readable (ARCHITECTURE.md): no function over 100 lines in src/ outside the generated
// bindings, and the uses of `any` only go down (a ratchet: lower ANY_CEILING when you remove some).
const SRC = path.join(__dirname, '..', 'src');
const MAX_FUNCTION_LINES = 100;
const ANY_CEILING = 59;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'imports' ? [] : sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

function measure(): { long: string[]; anys: number } {
  const long: string[] = [];
  let anys = 0;
  for (const file of sourceFiles(SRC)) {
    const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node): void => {
      if (n.kind === ts.SyntaxKind.AnyKeyword) anys++;
      if (ts.isFunctionLike(n) && (n as ts.FunctionLikeDeclaration).body) {
        const lines = src.getLineAndCharacterOfPosition(n.end).line - src.getLineAndCharacterOfPosition(n.getStart()).line + 1;
        if (lines > MAX_FUNCTION_LINES) long.push(`${path.relative(SRC, file)}:${src.getLineAndCharacterOfPosition(n.getStart()).line + 1} (${lines} lines)`);
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return { long, anys };
}

describe('code shape', () => {
  const { long, anys } = measure();

  test(`no function in src/ is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    expect(long).toEqual([]);
  });

  test(`uses of any in src/ stay at or below ${ANY_CEILING} (lower the ceiling as they go)`, () => {
    expect(anys).toBeLessThanOrEqual(ANY_CEILING);
  });
});
