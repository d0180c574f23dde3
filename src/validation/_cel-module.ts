/**
 * Where cel-js comes from. cel-js is ESM-only, and a CommonJS consumer (a stock ts-jest setup, or Node
 * before 20.19) cannot `require()` ESM, so the compile task bundles it into one CommonJS file,
 * `lib/vendor/cel-js.js` (esbuild; its MIT license beside it). The package loads that file; running from
 * source (this repository's jest, which transforms the ESM package) falls back to the package itself.
 * Loaded on first use only: importing the library never loads CEL.
 */
// eslint-disable-next-line import/no-extraneous-dependencies
import type * as Cel from '@marcbachmann/cel-js';

let loaded: typeof Cel | undefined;

/** The cel-js module (bundled CommonJS copy when compiled, the package from source). @internal */
export function _celModule(): typeof Cel {
  if (!loaded) loaded = load();
  return loaded;
}

function load(): typeof Cel {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../vendor/cel-js.js');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  return require('@marcbachmann/cel-js');
}
