// Tests that read the data in ../shared (CRD bundles, Istio samples). The README's test command must pass
// on a fresh clone without ../shared: such suites are then skipped, and say so on the console.
import * as fs from 'fs';
import * as path from 'path';

/** Absolute path of ../shared when it exists beside the project, else undefined. */
export const SHARED_DIR: string | undefined = (() => {
  const dir = path.resolve(__dirname, '..', '..', 'shared');
  return fs.existsSync(dir) ? dir : undefined;
})();

/**
 * `describe` when ../shared exists. Otherwise the suite's body never runs (it may read ../shared while
 * jest collects its tests): one skipped test names the suite, plus a visible message.
 */
export function describeWithShared(name: string, fn: (shared: string) => void): void {
  if (SHARED_DIR) {
    describe(name, () => fn(SHARED_DIR!));
  } else {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED "${name}": ../shared not found (CRD bundles and Istio samples); .ci/run runs it with ../shared`);
    describe(name, () => test.skip('needs ../shared (CRD bundles and Istio samples)', () => undefined));
  }
}
