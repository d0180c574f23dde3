import * as fs from 'fs';
import { cdk8s, javascript } from 'projen';

// CRD bundles live in ../shared and are never copied into the repo: `npx projen import` reads them,
// strips upstream descriptions, and writes deterministic TypeScript into src/imports/ (committed).
const SHARED = '../shared';
const CRD_BUNDLES: Array<{ prefix: string; schemas: string; file: string; kinds: string; versions?: string }> = [
  { prefix: 'istio', schemas: 'istio', file: `${SHARED}/istio-1.30.3/crd-all.gen.yaml`, kinds: 'all' },
  { prefix: 'gwapi', schemas: 'gateway-api', file: `${SHARED}/gateway-api-v1.5.1/standard-crds.yaml`, kinds: 'all' },
  { prefix: 'promop', schemas: 'prometheus-operator', file: `${SHARED}/prometheus-operator-v0.93.0/crds.yaml`, kinds: 'PodMonitor,ServiceMonitor,PrometheusRule' },
  // cert-manager's Certificate, Issuer and ClusterIssuer (the L2 Certificate and GatewayTls.certificates())
  { prefix: 'certmanager', schemas: 'cert-manager', file: `${SHARED}/cert-manager-v1.21.1/crds.yaml`, kinds: 'all' },
  // the canary analysis exported for the analysis engines teams already run (CanaryAnalysis): Argo Rollouts'
  // AnalysisTemplate (argoproj.io/v1alpha1; Argo Rollouts and Kargo verification) and Flagger's MetricTemplate
  // (flagger.app/v1beta1; the strict-YAML copy of its crd.yaml, see ../shared/flagger-v1.44.0/README.md)
  { prefix: 'argo', schemas: 'argo-rollouts', file: `${SHARED}/argo-rollouts-v1.9.1/analysis-template-crds.yaml`, kinds: 'AnalysisTemplate', versions: 'v1alpha1' },
  { prefix: 'flagger', schemas: 'flagger', file: `${SHARED}/flagger-v1.44.0/crd.strict-yaml.yaml`, kinds: 'MetricTemplate', versions: 'v1beta1' },
];
// validation data shipped in the package (read at runtime from lib/validation/schemas)
const SCHEMAS_DIR = 'src/validation/schemas';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-istio',
  description: 'Describe an Istio service mesh as intent (secure namespaces, canaries, edge gateways, observability) and get correct Istio resources out.',
  author: 'cdk8s-istio maintainers',
  authorAddress: 'maintainers@cdk8s-istio.dev',
  repositoryUrl: 'https://github.com/cdk8s-istio/cdk8s-istio.git',
  keywords: ['cdk8s', 'istio', 'service-mesh', 'kubernetes', 'canary', 'mtls'],
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.16.0', // jsii 6.0 engines
  // projen defaults to cdk8s 1 / constructs 3: both must be set explicitly (TOOLCHAIN pitfall 1)
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.0', // a later jsii may drop Node 20
  // runtime helpers used only internally (never in the public API), bundled into the jsii package
  // (yaml: manifests in/out; ajv: CRD schemas; grafana-foundation-sdk: dashboards)
  bundledDeps: ['yaml@^2.9.1', 'ajv@^8.20.0', '@grafana/grafana-foundation-sdk@0.0.21'],
  // cel-js (CEL conformance) is ESM-only: the compile task bundles it into CommonJS (lib/vendor/cel-js.js, esbuild),
  // so the package loads with plain require() on every Node in engines and in a stock ts-jest app;
  // node20 module resolution lets the sources reach the package's types
  tsconfig: { compilerOptions: { module: 'node20' } },
  // cdk8s-plus is not needed at run time: inputs are any construct with a Kubernetes object (cdk8s-plus 27..33,
  // plain or imported ApiObjects; src/_k8s.ts); the library builds and tests with cdk8s-plus-27 (design card),
  // and its tests also pass cdk8s-plus-33 objects (test/inputs.test.ts)
  devDeps: ['cdk8s-plus-27@^2.9.5', 'cdk8s-plus-33@^2.5.0', 'cdk8s-cli@^2.207.60', 'fast-check@^4', '@marcbachmann/cel-js@8.0.0', 'esbuild@^0.28.2'],
  // offline: no GitHub workflows, mergify, release or upgrade jobs that cannot run here (pitfall 2)
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,
  // ts-jest transpiles only (each worker type-checking the whole library took most of the test time);
  // type checking of the tests is a separate `tsc --noEmit` step in the test task instead
  tsJestOptions: { transformOptions: { isolatedModules: true } },
  typecheckTests: true,
  jestOptions: {
    // snapshots never update themselves: `npx projen test:update` is the deliberate way (pitfall 4)
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      // coverage (v8) made the suite 5x slower (2.5 min vs 30 s on 2 cores): `npx projen coverage` collects it
      collectCoverage: false,
      coveragePathIgnorePatterns: ['/node_modules/', '/src/imports/'],
      testPathIgnorePatterns: ['/node_modules/', '/examples/.*/dist/', '/examples/platform-package/'],
      // jest runs CommonJS: transpile the ESM-only cel-js on the fly
      transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
      transform: {
        '^.+\\.m?js$': new javascript.Transform('ts-jest', {
          tsconfig: { allowJs: true, module: 'commonjs', moduleResolution: 'node10', ignoreDeprecations: '6.0', isolatedModules: true, target: 'es2022' },
        }),
      },
    },
  },
  // generated bindings break the projen lint rules and must never be rewritten by eslint --fix;
  // scripts/consumer-app/ is a user's app (scripts/consumer-test.sh), type-checked by its own tsc in its own folder;
  // examples/platform-package/ is a package of its own, built by its own jsii (scripts/platform-package-test.sh)
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', '.projenrc.ts'],
    ignorePatterns: ['src/imports/**', 'examples/**/dist/**', 'scripts/consumer-app/**', 'examples/platform-package/**'],
  },
  // jsii-pacmak --code-only for the other languages needs jsii.targets (checked in CI, only JS is packaged)
  publishToPypi: { distName: 'cdk8s-istio', module: 'cdk8s_istio' },
  publishToMaven: { javaPackage: 'dev.cdk8s.istio', mavenGroupId: 'dev.cdk8s-istio', mavenArtifactId: 'cdk8s-istio' },
  publishToNuget: { dotNetNamespace: 'Cdk8sIstio', packageId: 'Cdk8sIstio' },
  publishToGo: { moduleName: 'github.com/cdk8s-istio/cdk8s-istio-go' },
});

// the version: version.json is committed and written only by `npx projen release` (scripts/release.ts);
// projen itself would write 0.0.0 (it bumps only in its GitHub release workflow, switched off above)
const VERSION: string = JSON.parse(fs.readFileSync('version.json', 'utf8')).version;
project.package.addVersion(VERSION);

// npm ci rejects the lockfile written against this registry unless unrs-resolver is pinned (pitfall 5)
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// API.md documents our own API only; generated bindings are submodules and stay out of it
project.tasks.tryFind('docgen')?.reset('jsii-docgen -o API.md -s root');
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// only JS can be packaged offline; other languages are checked with `pacmak:check` (code generation only)
project.tasks.tryFind('package-all')?.reset();
project.tasks.tryFind('package-all')?.spawn(project.tasks.tryFind('package:js')!);
project.addTask('pacmak:check', {
  description: 'Generate (not package) the python/java/dotnet/go bindings: proves the API is jsii-portable',
  exec: 'jsii-pacmak --code-only --target python --target java --target dotnet --target go --outdir .pacmak',
});

// `npx projen rosetta:check` (after compile): every TypeScript example of the assembly (the @example doc comments
// of src/ and the README's blocks) compiles in strict mode against the compiled .jsii and translates to Python,
// Java, C# and Go. The names examples use are declared by rosetta/default.ts-fixture (doc comments) and
// rosetta/readme.ts-fixture (README, ```ts fixture=readme). The tablet it writes (.jsii.tabl.json, the
// translations jsii-pacmak puts into the other languages' docs) is a build product: ignored by git and npm.
project.addTask('rosetta:check', {
  description: 'Compile (strict) and translate every example of the compiled assembly with jsii-rosetta (run `npx projen compile` first)',
  // a leftover tablet caches snippets (a failing example could pass on a second run): start from none
  steps: [{ exec: 'rm -f .jsii.tabl.json' }, { exec: 'jsii-rosetta extract --strict --compile .jsii' }],
});
// jsii-rosetta compiles examples in a scratch directory holding only the package's dependencies and peers plus
// these: cdk8s-plus-27 (the examples' workloads; a dev dependency only), node's fs/path and (README "Validation") yaml
project.package.addField('jsiiRosetta', { exampleDependencies: { 'cdk8s-plus-27': '^2.9.5', '@types/node': '^20', 'yaml': '^2.9.1' } });
// generated data: diff tools fold it (ARCHITECTURE.md "Generated files")
project.gitattributes.addAttributes('/src/imports/**', 'linguist-generated');
project.gitattributes.addAttributes('/src/validation/schemas/**', 'linguist-generated');
project.gitignore.exclude('/.jsii.tabl.json');
project.npmignore?.exclude('/.jsii.tabl.json', '/rosetta/');

// `npx projen import`: CRD bundles in ../shared -> src/imports (deterministic, committed)
const importTask = project.addTask('import', {
  description: 'Regenerate src/imports/ from the CRD bundles in ../shared (v1, served, descriptions stripped)',
});
importTask.exec('rm -rf .crds && mkdir -p .crds');
for (const b of CRD_BUNDLES) {
  importTask.exec(`node scripts/select-crds.js ${b.file} .crds/${b.prefix}.yaml ${b.versions ?? 'v1'} ${b.kinds}`);
}
importTask.exec('rm -f src/imports/*.ts');
for (const b of CRD_BUNDLES) {
  importTask.exec(`cdk8s import ${b.prefix}:=.crds/${b.prefix}.yaml --output src/imports --language typescript --no-save --no-check-upgrade`);
}

// `npx projen schemas` (also run by `import`): the CRDs' structural schemas + CEL rules as JSON data for
// src/validation (description-free, deterministic, committed); jsii compiles only .ts, so compile copies them to lib/
const schemasTask = project.addTask('schemas', {
  description: `Regenerate ${SCHEMAS_DIR}/*.json (the schemas of every served version of the CRD bundles in ../shared, for validation)`,
  exec: `node scripts/gen-schemas.js ${SCHEMAS_DIR} ${CRD_BUNDLES.map((b) => `${b.schemas}=${b.file}:${b.kinds}${b.versions ? `:${b.versions}` : ''}`).join(' ')}`,
});
importTask.spawn(schemasTask);
project.compileTask.exec(`rm -rf lib/validation/schemas && mkdir -p lib/validation && cp -r ${SCHEMAS_DIR} lib/validation/schemas`);
// cel-js as one CommonJS file with its license (src/validation/_cel-module.ts loads it; see there)
const CEL_JS = 'node_modules/@marcbachmann/cel-js';
project.compileTask.exec(`esbuild ${CEL_JS}/lib/index.js --bundle --platform=node --format=cjs --target=node20 --log-level=warning `
  + '--banner:js="/* @marcbachmann/cel-js, MIT License: see cel-js.LICENSE */" --outfile=lib/vendor/cel-js.js');
project.compileTask.exec(`cp ${CEL_JS}/LICENSE lib/vendor/cel-js.LICENSE`);
// the schema validators of those bundles, precompiled (standalone ajv code, one module per kind version):
// saves compiling them in every process that validates; without them (running from source) ajv compiles
project.compileTask.exec('node scripts/gen-validators.js lib/validation');
project.npmignore?.include('/lib/validation/schemas/*.json', '/lib/vendor/', '/bin/');

// `cdk8s-istio validate [--crds FILE]... FILE_OR_DIR...` (bin/cdk8s-istio requires lib/validation/cli)
project.addBins({ 'cdk8s-istio': 'bin/cdk8s-istio' });

// `npx projen bench:validate`: schema + CEL + mesh checks over 10,000 documents (compiled lib/)
project.addTask('bench:validate', {
  description: 'Benchmark: validate 10,000 generated documents with the compiled lib/ (target <= 3 s on 2 cores)',
  steps: [{ spawn: 'compile' }, { exec: 'node scripts/bench-validate.js 10000' }],
});

// `npx projen rules:readme`: README's rule table, generated from the rule definitions (src/validation/_rules.ts);
// test/validation/rules.test.ts fails when README differs
project.addTask('rules:readme', {
  description: 'Regenerate the rule table in README.md from src/validation/_rules.ts',
  steps: [{ exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/rules-table.ts' }],
});

// `npx projen docs:check`: every public element of our own API (root module of .jsii, bindings excluded) has a
// doc summary, so API.md has no "No description" row; reads the .jsii that `compile` wrote (CI runs it right after)
project.addTask('docs:check', {
  description: 'Fail if a class, struct, enum (member), property, method, initializer or parameter of the public API has no doc summary (reads .jsii)',
  exec: 'node scripts/check-api-docs.js .jsii',
});

// `npx projen coverage`: the test suite with coverage (generated bindings excluded)
project.addTask('coverage', { description: 'Run the jest suite with coverage', exec: 'jest --ci --coverage' });

// `npx projen bench`: the scale benchmark (library vs plain ApiObjects, 250-2,000 services); figures in BENCHMARKS.md
project.addTask('bench', {
  description: 'Benchmark: synthesize generated meshes of 250, 500, 1,000 and 2,000 services through the library and through plain ApiObjects',
  steps: [{ spawn: 'compile' }, { exec: 'node scripts/bench.js' }],
});

// `npx projen example`: synthesize every example app (each folder of examples/ with a cdk8s.yaml: shop, ambient-shop)
// with the real cdk8s CLI, each into its own dist/ (istiod Helm values into its dist-mesh/); .ci/run validates each
// dist/ with the CLI. examples/platform-package is a jsii package, not an app (scripts/platform-package-test.sh).
project.addTask('example', {
  description: 'Synthesize every app under examples/ (folders with a cdk8s.yaml) with `cdk8s synth` into examples/<app>/dist/',
  steps: [
    // the apps run from source, but their cdk8s.yaml validation plugin (MeshValidationPlugin) loads ../../lib
    { spawn: 'compile' },
    { exec: 'bash scripts/synth-examples.sh' },
    { say: 'example YAML written to examples/<app>/dist/ (manifests) and examples/<app>/dist-mesh/ (Helm values for istiod)' },
  ],
});

// `npx projen promql:check`: every PromQL expression the library emits (alert/recording rules and dashboard
// panel queries) from a coverage app plus the synthesized example, checked by the real promtool
// (Debian package `prometheus`; CI installs it)
project.addTask('promql:check', {
  description: 'Check every emitted PromQL expression with `promtool check rules` (needs promtool on PATH)',
  exec: 'ts-node --transpile-only -P scripts/tsconfig.json scripts/check-promql.ts examples/shop/dist examples/ambient-shop/dist',
});

// `npx projen consumer-test`: a fresh `cdk8s init typescript-app` app with the packed tarball, per
// cdk8s-plus version (scripts/consumer-test.sh; issue #16); CI runs it after `package`
project.addTask('consumer-test', {
  description: 'Test the packed tarball (dist/js) in a fresh cdk8s app, with cdk8s-plus-27 and cdk8s-plus-33',
  steps: [{ exec: 'bash scripts/consumer-test.sh 27' }, { exec: 'bash scripts/consumer-test.sh 33' }],
});

// `npx projen changelog`: regenerate the "Unreleased" section of CHANGELOG.md from the commits since the
// previous release (the commit that last changed version.json); released sections are kept
const TS_SCRIPT = 'ts-node --transpile-only -P scripts/tsconfig.json';
project.addTask('changelog', {
  description: 'Regenerate the "Unreleased" section of CHANGELOG.md from the commits since the last release',
  exec: `${TS_SCRIPT} scripts/changelog.ts`,
});

// `npx projen release [auto|patch|minor|major|X.Y.Z] [--dry-run]`: offline release (projen's own needs GitHub
// and Node 22): bump version.json, CHANGELOG section, build + test, dist/js/*.jsii.tgz, the other languages'
// code generated into dist/ (packaging them needs PyPI/Maven/NuGet/Go, out of reach), release commit, publish hints
project.addTask('release', {
  description: 'Offline release: bump (auto|patch|minor|major|X.Y.Z), CHANGELOG, build, test, package JS, generate other languages, commit',
  exec: `${TS_SCRIPT} scripts/release.ts`,
  receiveArgs: true,
});

project.gitignore.exclude('/.crds/', '/.pacmak/', '/examples/*/dist/', '/examples/*/dist-mesh/');
// examples/platform-package built in place (its README): jsii's build products and generated tsconfig.json
project.gitignore.exclude('/examples/platform-package/node_modules/', '/examples/platform-package/lib/',
  '/examples/platform-package/.jsii', '/examples/platform-package/tsconfig.json', '/examples/platform-package/tsconfig.tsbuildinfo',
  '/examples/platform-package/package-lock.json');
project.npmignore?.exclude('/scripts/', '/.crds/', '/.pacmak/', '/examples/', '/cdk8s.yaml', '/.ci/', '/BENCHMARKS.md', '/version.json');

project.synth();
