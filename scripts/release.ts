// An offline release: `npx projen release [auto|patch|minor|major|MAJOR.MINOR.PATCH] [--dry-run]`.
// Bumps version.json (package.json takes it at `npx projen`), writes the version's CHANGELOG.md section from
// the commits since the previous release, builds (compile, API.md, test), packages JS (dist/js/*.jsii.tgz),
// generates -- only generates: PyPI, Maven, NuGet and the Go toolchain are out of reach offline -- the
// Python, Java, .NET and Go code into dist/, commits `release: vX.Y.Z` and prints what to publish and how.
// Needs no network, no GitHub and no Node 22 (projen's own release machinery needs all three).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  BUMPS, Bump, CHANGELOG_FILE, Commit, VERSION_FILE, commitsSince, housekeepingNote, nextVersion, parseVersion, previousRelease, renderSection,
  updateChangelog,
} from './changelog';

export interface ReleaseOptions {
  /** auto | patch | minor | major | MAJOR.MINOR.PATCH */
  readonly request: string;
  readonly dryRun: boolean;
}

export interface ReleasePlan {
  readonly previous: string;
  readonly previousCommit?: string;
  readonly next: string;
  readonly commits: Commit[];
  /** the CHANGELOG.md section of the new version */
  readonly section: string;
}

/** Files the release commit holds (the build rewrites package.json, the lockfile's root and API.md with the version). */
export const RELEASE_FILES = [VERSION_FILE, CHANGELOG_FILE, 'package.json', 'package-lock.json', 'API.md'];
export const PACMAK_CODE_ONLY = ['jsii-pacmak', '--code-only', '--target', 'python', '--target', 'java', '--target', 'dotnet', '--target', 'go', '--outdir', 'dist'];

const USAGE = 'npx projen release [auto|patch|minor|major|MAJOR.MINOR.PATCH] [--dry-run]';

export function parseArgs(argv: string[]): ReleaseOptions {
  const flags = argv.filter((a) => a.startsWith('-'));
  const words = argv.filter((a) => !a.startsWith('-'));
  const unknown = flags.find((f) => f !== '--dry-run');
  if (unknown !== undefined) throw new Error(`release: unknown option '${unknown}'; usage: ${USAGE}`);
  if (words.length > 1) throw new Error(`release: one bump expected, received '${words.join(' ')}'; usage: ${USAGE}`);
  const request = words[0] ?? 'auto';
  if (request !== 'auto' && !BUMPS.includes(request as Bump)) parseVersion(request);
  return { request, dryRun: flags.includes('--dry-run') };
}

/** What a release from HEAD in `cwd` would be: previous and next version, the commits, the section (dated `date`). */
export function planRelease(cwd: string, request: string, date: string): ReleasePlan {
  const previous = previousRelease(cwd);
  const commits = commitsSince(cwd, previous.commit);
  const next = nextVersion(previous.version, commits, request);
  const since = previous.commit ? `${previous.version}` : 'the start of the history';
  const intro = `${commits.length} commit(s) since ${since}${housekeepingNote(commits)}.`;
  return { previous: previous.version, previousCommit: previous.commit, next, commits, section: renderSection(`${next} (${date})`, commits, intro) };
}

/** Write the plan: version.json and the version's CHANGELOG.md section (replacing "Unreleased"). */
export function writeRelease(cwd: string, plan: ReleasePlan): void {
  fs.writeFileSync(path.join(cwd, VERSION_FILE), JSON.stringify({ version: plan.next }, undefined, 2) + '\n');
  const file = path.join(cwd, CHANGELOG_FILE);
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  fs.writeFileSync(file, updateChangelog(existing, plan.section));
}

function run(cmd: string, args: string[]): void {
  console.log(`\n::: release: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`release: '${cmd} ${args.join(' ')}' failed (exit ${r.status}); fix it and run the release again`);
}

function git(args: string[]): string {
  return execFileSync('git', args, { encoding: 'utf8' });
}

/** Put the release files back as HEAD has them (a failed release leaves nothing half-bumped). */
function restore(): void {
  for (const f of RELEASE_FILES) {
    const tracked = spawnSync('git', ['cat-file', '-e', `HEAD:${f}`]).status === 0;
    if (tracked) git(['checkout', 'HEAD', '--', f]);
    else fs.rmSync(f, { force: true });
  }
}

function build(): void {
  run('npx', ['projen']); // package.json takes the version from version.json
  run('npx', ['projen', 'compile']);
  run('npx', ['projen', 'post-compile']); // API.md
  run('npx', ['projen', 'test']);
  run('npx', PACMAK_CODE_ONLY); // first: pacmak cleans dist/ of what it does not write
  run('npx', ['projen', 'package:js']);
}

function commit(plan: ReleasePlan): void {
  git(['add', '--', ...RELEASE_FILES]);
  const breaking = plan.commits.reduce((n, c) => n + c.breaking.length, 0);
  git(['commit', '-q', '-m', `release: v${plan.next}`, '-m',
    `${plan.commits.length} commit(s) since ${plan.previous}, ${breaking} breaking change(s): CHANGELOG.md section ${plan.next}; ` +
    'version.json, package.json and package-lock.json stamped with the version.']);
  const left = git(['status', '--porcelain']).trim();
  if (left) console.log(`\nrelease: the build also changed files left out of the release commit (review them):\n${left}`);
}

export function publishInstructions(version: string): string {
  const tgz = `dist/js/cdk8s-istio@${version}.jsii.tgz`;
  const size = fs.existsSync(tgz) ? ` (${Math.round(fs.statSync(tgz).size / 1024)} KB)` : '';
  return [
    `Release ${version} is built and committed as 'release: v${version}'.`,
    '',
    'Artifacts:',
    `  ${tgz}${size}   the npm package: publish this file`,
    '  dist/python dist/java dist/dotnet dist/go   generated source only: packaging them needs PyPI, Maven,',
    '    NuGet and the Go toolchain, which are out of reach offline (on a connected machine: npx jsii-pacmak)',
    '',
    'Publish (npm; credentials come from .npmrc, e.g. //npm.example.internal/:_authToken=${NPM_TOKEN}):',
    `  to your own registry:    npm publish ${tgz} --registry https://npm.example.internal/`,
    `  to the public registry:  npm publish ${tgz} --access public`,
    `Then share the release commit (and tag it if you use tags): git tag v${version} && git push --follow-tags`,
  ].join('\n');
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const dirty = git(['status', '--porcelain']).trim();
  if (dirty && !options.dryRun) {
    throw new Error(`release: the working tree has uncommitted changes (${dirty.split('\n').slice(0, 3).join('; ')}); ` +
      'commit or stash them first: the release commit holds only the release');
  }
  const plan = planRelease(process.cwd(), options.request, new Date().toISOString().slice(0, 10));
  console.log(`release: ${plan.previous} -> ${plan.next} (${plan.commits.length} commit(s) since ${plan.previousCommit?.slice(0, 7) ?? 'the start'})`);
  if (options.dryRun) {
    console.log(`\n${plan.section}`);
    return;
  }
  writeRelease(process.cwd(), plan);
  try {
    build();
  } catch (e) {
    restore();
    throw e;
  }
  commit(plan);
  console.log(`\n${publishInstructions(plan.next)}`);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
