// Usage: ts-node -P scripts/tsconfig.json scripts/rules-table.ts [--check]
// Writes README's rule table (between the rules:begin/rules:end markers) from the rule definitions in
// src/validation/_rules.ts; --check exits 1 when README differs (test/validation/rules.test.ts checks too).
import * as fs from 'fs';
import * as path from 'path';
import { _readmeWithRuleTable } from '../src/validation/_rules';

const readme = path.join(__dirname, '..', 'README.md');
const text = fs.readFileSync(readme, 'utf8');
const next = _readmeWithRuleTable(text);
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('README.md rule table differs from src/validation/_rules.ts: run `npx projen rules:readme`');
    process.exit(1);
  }
} else if (next !== text) {
  fs.writeFileSync(readme, next);
  console.log('README.md: rule table updated');
}
