// The release scripts' logic (scripts/changelog.ts, scripts/release.ts) on temporary git repositories:
// version bumps, grouping, breaking changes, and the CHANGELOG across a release. No build is run here.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Commit, groupOf, housekeepingNote, nextVersion, renderSection, parseBreaking, parseLog, LOG_FORMAT, previousRelease, splitSections, writeUnreleased,
} from '../../scripts/changelog';
import { parseArgs, planRelease, writeRelease } from '../../scripts/release';

const DATE = '2026-12-02';

function commitOf(subject: string, breaking: Array<{ what: string; migration?: string }> = []): Commit {
  return { hash: `${subject.length}`.padEnd(40, '0'), subject, breaking };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A temporary repository; `commit` writes the given files and commits them with the given message. */
function tempRepo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-release-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args],
    { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q');
  let n = 0;
  const commit = (message: string, files: Record<string, string> = {}) => {
    for (const [f, text] of Object.entries({ [`file${n++}`]: 'x', ...files })) fs.writeFileSync(path.join(dir, f), text);
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD').trim();
  };
  const version = (v: string) => ({ 'version.json': JSON.stringify({ version: v }) + '\n' });
  const changelog = () => fs.readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
  return { dir, git, commit, version, changelog };
}

describe('commit bodies', () => {
  test('BREAKING: lines are paired with the MIGRATION: line after them', () => {
    const body = 'Why it changed.\n\nBREAKING: Workload takes an ApiObject\nMIGRATION: pass deployment.apiObject\n  BREAKING: Identity.of() removed  \n';
    expect(parseBreaking(body)).toEqual([
      { what: 'Workload takes an ApiObject', migration: 'pass deployment.apiObject' },
      { what: 'Identity.of() removed' },
    ]);
  });

  test('a MIGRATION: line without a BREAKING: line above it is not a breaking change', () => {
    expect(parseBreaking('MIGRATION: nothing to do\nplain text')).toEqual([]);
  });

  test('git log records are split into commits; release commits and hand-made merge commits are left out', () => {
    const raw = 'a1\x1fGateway: TLS\x1fBREAKING: x\nMIGRATION: y\n\x1e\nb2\x1frelease: v0.1.0\x1f\x1e\nc3\x1fREADME: install\x1f\x1e\n'
      + 'd4\x1fMerge main (CanaryService): follow the renames\x1fBREAKING: z\nMIGRATION: w\n\x1e\ne5\x1fMerge fix-ups: imports\x1f\x1e\n';
    expect(parseLog(raw)).toEqual([
      { hash: 'a1', subject: 'Gateway: TLS', breaking: [{ what: 'x', migration: 'y' }] },
      { hash: 'c3', subject: 'README: install', breaking: [] },
    ]);
    expect(LOG_FORMAT).toContain('%b');
  });
});

describe('grouping', () => {
  test.each([
    ['README: Install section', 'Documentation and examples'],
    ['API.md regenerated', 'Documentation and examples'],
    ['bench: fresh floor', 'Build, tests and tooling'],
    ['canary drift test: no cast', 'Build, tests and tooling'],
    ['Telemetry: CEL filters', 'Observability'],
    ['CanaryService: image checked', 'Traffic and gateways'],
    ['Security L2s: selector namespaces', 'Security'],
    ['validation: ObjectMeta checks', 'Validation'],
    ['Foundation: the project', 'Other changes'],
  ])('%s -> %s', (subject, group) => {
    expect(groupOf(subject)).toBe(group);
  });

  test('housekeeping commits are counted but not listed; user-facing groups come first', () => {
    const commits = [commitOf('lint'), commitOf('API.md regenerated (HttpMatch)'), commitOf('README: install'), commitOf('Gateway: TLS')];
    const section = renderSection('0.2.0', commits);
    expect(section).not.toMatch(/^- (lint|API\.md)/m);
    expect(section.indexOf('### Traffic and gateways')).toBeLessThan(section.indexOf('### Documentation and examples'));
    expect(housekeepingNote(commits)).toBe(' (2 housekeeping commit(s), such as API.md regenerations and lint fixes, not listed)');
  });

  test('only the area before ": " decides, not words later in the subject', () => {
    expect(groupOf('Security: the canary route needs mTLS')).toBe('Security');
  });
});

describe('next version', () => {
  const plain = [commitOf('Gateway: TLS')];
  const breaking = [commitOf('Workload: any ApiObject', [{ what: 'Workload.of takes an ApiObject', migration: 'pass x.apiObject' }])];

  test('the first release from 0.0.0 is 0.1.0', () => {
    expect(nextVersion('0.0.0', plain)).toBe('0.1.0');
  });

  test('auto: patch without breaking changes, minor with them before 1.0, major from 1.0', () => {
    expect(nextVersion('0.1.0', plain)).toBe('0.1.1');
    expect(nextVersion('0.1.3', breaking)).toBe('0.2.0');
    expect(nextVersion('1.4.2', breaking)).toBe('2.0.0');
  });

  test('an explicit bump or version is taken when it covers the changes', () => {
    expect(nextVersion('0.1.0', plain, 'minor')).toBe('0.2.0');
    expect(nextVersion('0.1.0', breaking, 'major')).toBe('1.0.0');
    expect(nextVersion('0.1.0', plain, '0.3.0')).toBe('0.3.0');
  });

  test('fails a patch release over breaking changes, naming the bump they need', () => {
    expect(() => nextVersion('0.1.0', breaking, 'patch')).toThrow(
      "release: 'patch' received, but 1 commit(s) since 0.1.0 carry BREAKING: lines, which need a minor bump (0.2.0); run `npx projen release minor` (or with no argument)");
  });

  test('fails a version that is not above the current one', () => {
    expect(() => nextVersion('0.2.0', plain, '0.1.9')).toThrow(
      "release: version '0.1.9' is not above the current version 0.2.0; pass patch, minor, major or a higher MAJOR.MINOR.PATCH");
  });

  test('fails a version that is not MAJOR.MINOR.PATCH', () => {
    expect(() => nextVersion('0.1.0', plain, 'v0.2.0')).toThrow(
      "version: 'v0.2.0' is not a release version MAJOR.MINOR.PATCH; write one such as 0.1.0 (no 'v', no pre-release suffix)");
  });
});

describe('release arguments', () => {
  test('no argument is auto; --dry-run is read', () => {
    expect(parseArgs([])).toEqual({ request: 'auto', dryRun: false });
    expect(parseArgs(['minor', '--dry-run'])).toEqual({ request: 'minor', dryRun: true });
  });

  test('fails an unknown option', () => {
    expect(() => parseArgs(['--yes'])).toThrow("release: unknown option '--yes'; usage: npx projen release [auto|patch|minor|major|MAJOR.MINOR.PATCH] [--dry-run]");
  });

  test('fails two bumps', () => {
    expect(() => parseArgs(['minor', 'patch'])).toThrow("release: one bump expected, received 'minor patch'");
  });

  test('fails a bump that is neither a word nor a version', () => {
    expect(() => parseArgs(['feature'])).toThrow("version: 'feature' is not a release version MAJOR.MINOR.PATCH");
  });
});

describe('CHANGELOG.md across releases (temporary git repository)', () => {
  test('before any release: every commit is unreleased, and regenerating gives the same file', () => {
    const repo = tempRepo();
    repo.commit('Foundation: the project', repo.version('0.0.0'));
    repo.commit('Gateway: TLS modes');
    expect(writeUnreleased(repo.dir)).toBe('0.1.0');
    const first = repo.changelog();
    expect(splitSections(first).map((s) => s.title)).toEqual(['Unreleased']);
    expect(first).toContain('2 commit(s) since the start of the history (no release yet); the next version by these commits: 0.1.0.');
    expect(first).toMatch(/### Traffic and gateways\n\n- Gateway: TLS modes \([0-9a-f]{7}\)\n/);
    expect(first).toMatch(/### Other changes\n\n- Foundation: the project \([0-9a-f]{7}\)\n/);
    writeUnreleased(repo.dir);
    expect(repo.changelog()).toBe(first);
  });

  test('a release turns Unreleased into the version; later commits, with their breaking changes, are the new Unreleased', () => {
    const repo = tempRepo();
    repo.commit('Foundation: the project', repo.version('0.0.0'));
    repo.commit('Gateway: TLS modes');
    writeUnreleased(repo.dir);
    const plan = planRelease(repo.dir, 'auto', DATE);
    expect([plan.previous, plan.next, plan.commits.length]).toEqual(['0.0.0', '0.1.0', 2]);
    writeRelease(repo.dir, plan);
    const release = repo.commit('release: v0.1.0');
    const released = splitSections(repo.changelog());
    expect(released.map((s) => s.title)).toEqual([`0.1.0 (${DATE})`]);

    repo.commit('Workload: any ApiObject\n\nBREAKING: Workload.of takes an ApiObject\nMIGRATION: pass deployment.apiObject');
    repo.commit('README: typo', { 'version.json': '{ "version": "0.1.0" }\n' }); // touches version.json, same version
    expect(previousRelease(repo.dir)).toEqual({ version: '0.1.0', commit: release });
    expect(writeUnreleased(repo.dir)).toBe('0.2.0');
    const after = splitSections(repo.changelog());
    expect(after.map((s) => s.title)).toEqual(['Unreleased', `0.1.0 (${DATE})`]);
    expect(after[1].text).toBe(released[0].text);
    expect(after[0].text).toMatch(/### Breaking changes\n\n- Workload.of takes an ApiObject \([0-9a-f]{7}\)\. Migration: pass deployment.apiObject\n/);
    expect(after[0].text).not.toContain('release: v0.1.0');
    expect(() => planRelease(repo.dir, 'patch', DATE)).toThrow("release: 'patch' received, but 1 commit(s) since 0.1.0 carry BREAKING: lines");
  });

  test('a breaking change without a MIGRATION: line says so', () => {
    const repo = tempRepo();
    repo.commit('Identity: removed of()\n\nBREAKING: Identity.of() removed');
    writeUnreleased(repo.dir);
    expect(repo.changelog()).toMatch(/- Identity.of\(\) removed \([0-9a-f]{7}\)\. Migration: not stated in the commit\n/);
  });
});
