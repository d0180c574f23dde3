// Lays out a fresh cdk8s app exactly as `cdk8s init typescript-app` does, without its post hook.
//
// Usage: node scripts/consumer-app/scaffold.js APP_DIR
//
// `cdk8s init` (cdk8s-cli/lib/cli/cmds/init.js) runs sscaff over templates/typescript-app with the
// versions of the cdk8s-cli installed here, then the template's .hooks.sscaff.js: npm install,
// `npm run import` (cdk8s import k8s, which downloads from GitHub: unreachable in CI), compile,
// `jest -u`, synth. This script does the same substitution with the same sscaff and the same
// version variables, but skips the hook: scripts/consumer-test.sh runs the steps itself.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const appDir = process.argv[2];
if (!appDir) {
  console.error('usage: node scripts/consumer-app/scaffold.js APP_DIR');
  process.exit(2);
}
const cliRoot = path.dirname(require.resolve('cdk8s-cli/package.json'));
const fromCli = (m) => require(require.resolve(`${m}/package.json`, { paths: [cliRoot] }));
const { sscaff } = require(require.resolve('sscaff', { paths: [cliRoot] }));
const cliPkg = fromCli('cdk8s-cli');

// determineDeps() of init.js: the versions cdk8s-cli itself resolves
const variables = {
  cdk8s_core_version: fromCli('cdk8s').version,
  cdk8s_plus_version: fromCli('cdk8s-plus-33').version,
  constructs_version: cliPkg.dependencies.constructs.replace('^', ''),
  jsii_version: fromCli('jsii-pacmak').version,
  cdk8s_cli_spec: `^${cliPkg.version}`,
};

async function main() {
  // a copy of the template without its post hook (sscaff loads hooks from the source folder)
  const template = path.join(cliRoot, 'templates', 'typescript-app');
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-template-'));
  fs.cpSync(template, copy, { recursive: true });
  fs.rmSync(path.join(copy, '.hooks.sscaff.js'));
  try {
    await sscaff(copy, appDir, variables);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
  console.log(`scaffolded ${appDir} from cdk8s-cli ${cliPkg.version} templates/typescript-app (${JSON.stringify(variables)})`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
