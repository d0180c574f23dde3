// CHANGELOG.md from the commit history (no tags, no network): the previous release is the commit that last
// changed the version in version.json; the commits since it make the "Unreleased" section (regenerated on
// every run, so re-running is idempotent) or, at release time, the new version's section. Released sections
// are kept as they are. Breaking changes come from commit-body lines `BREAKING: <what>` + `MIGRATION: <how>`.
//
//   npx projen changelog         # regenerate "## Unreleased" in CHANGELOG.md
//   (scripts/release.ts uses the same functions to write the released section)
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const VERSION_FILE = 'version.json';
export const CHANGELOG_FILE = 'CHANGELOG.md';
export const UNRELEASED = 'Unreleased';
/** never released: no previous release, every commit is new */
export const NO_RELEASE = '0.0.0';
/** subjects of the commits the release task makes (left out of the changelog) */
export const RELEASE_SUBJECT = /^release: v\d+\.\d+\.\d+/;
/**
 * subjects of integration commits ("Merge main ...", "Merge fix-ups: ..." when branches are combined by hand):
 * they reconcile changes listed under their own commits, so they are left out like git's merge commits
 */
export const MERGE_SUBJECT = /^Merge\b/;

export interface BreakingChange {
  readonly what: string;
  /** undefined when the commit has no MIGRATION: line for this BREAKING: line */
  readonly migration?: string;
}

export interface Commit {
  readonly hash: string;
  readonly subject: string;
  readonly breaking: BreakingChange[];
}

export type Bump = 'major' | 'minor' | 'patch';

// ---------------------------------------------------------------------------------------------------
// parsing

/** The BREAKING:/MIGRATION: pairs of a commit body, in order (a MIGRATION: line belongs to the BREAKING: above it). */
export function parseBreaking(body: string): BreakingChange[] {
  const found: Array<{ what: string; migration?: string }> = [];
  for (const line of body.split('\n').map((l) => l.trim())) {
    const breaking = /^BREAKING(?: CHANGE)?:\s*(.+)$/.exec(line);
    const migration = /^MIGRATION:\s*(.+)$/.exec(line);
    const last = found[found.length - 1];
    if (breaking) found.push({ what: breaking[1].trim() });
    else if (migration && last && last.migration === undefined) last.migration = migration[1].trim();
  }
  return found;
}

const FIELD = '\x1f';
const RECORD = '\x1e';
export const LOG_FORMAT = `%H${FIELD}%s${FIELD}%b${RECORD}`;

/** Commits from `git log --format=LOG_FORMAT` output (release commits left out). */
export function parseLog(raw: string): Commit[] {
  return raw.split(RECORD).map((r) => r.replace(/^\n/, '')).filter((r) => r.length > 0).map((r) => {
    const [hash, subject, body = ''] = r.split(FIELD);
    return { hash, subject: subject.trim(), breaking: parseBreaking(body) };
  }).filter((c) => !RELEASE_SUBJECT.test(c.subject) && !MERGE_SUBJECT.test(c.subject));
}

// ---------------------------------------------------------------------------------------------------
// grouping: by the part of the subject before ': ' (the history's "Area: what" style), else the subject

export const GROUPS: Array<{ title: string; test: RegExp }> = [
  { title: 'Documentation and examples', test: /\b(readme|api\.md|benchmarks\.md|changelog)\b|^(docs?|examples?)\b|\bdocs$/i },
  { title: 'Build, tests and tooling', test: /^(tests?|test task|bench|lint|ci|projen|scripts?|build|release|toolchain|chore|review|deps)\b|\btests?$|\.(js|ts)\b/i },
  { title: 'Observability', test: /observab|telemetry|prometheus|dashboard|jaeger|tracing|mesh ?config|monitor|promql/i },
  { title: 'Traffic and gateways', test: /canary|virtual ?service|destination ?rule|gateway|route|traffic|sidecar|service ?entry|external ?service|dependenc|waypoint|httpmatch|host/i },
  { title: 'Security', test: /secur|authoriz|authenticat|peer ?auth|mtls|access ?rule|identit/i },
  { title: 'Validation', test: /validat|check|conformance|schema|\bcel\b|\brules?\b/i },
];
export const OTHER_GROUP = 'Other changes';
/** The order sections list the groups in: what users notice first, the project's own housekeeping last. */
export const GROUP_ORDER = ['Traffic and gateways', 'Security', 'Observability', 'Validation', OTHER_GROUP,
  'Documentation and examples', 'Build, tests and tooling'];
/** Commits with nothing to tell a user (regenerated files, lint fixes): counted, not listed. */
export const HOUSEKEEPING = /^(regenerate api\.md|api\.md( regenerated)?( \(.*\))?|lint)$/i;

/** The area a subject is about: the text before the first ': ' when there is one, else the whole subject. */
export function scopeOf(subject: string): string {
  const colon = subject.indexOf(': ');
  return colon > 0 ? subject.slice(0, colon) : subject;
}

export function groupOf(subject: string): string {
  const scope = scopeOf(subject);
  return GROUPS.find((g) => g.test.test(scope))?.title ?? OTHER_GROUP;
}

// ---------------------------------------------------------------------------------------------------
// versions

export function parseVersion(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v);
  if (!m) {
    throw new Error(`version: '${v}' is not a release version MAJOR.MINOR.PATCH; write one such as 0.1.0 (no 'v', no pre-release suffix)`);
  }
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function bumpVersion(current: string, bump: Bump): string {
  const [major, minor, patch] = parseVersion(current);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/** The bump the commits call for: a breaking change is minor before 1.0 and major from 1.0; else patch. */
export function requiredBump(current: string, commits: Commit[]): Bump {
  const breaking = commits.some((c) => c.breaking.length > 0);
  if (!breaking) return 'patch';
  return parseVersion(current)[0] === 0 ? 'minor' : 'major';
}

export const BUMPS: Bump[] = ['patch', 'minor', 'major'];

/**
 * The next version for `request`: 'auto' (the bump the commits call for; the first release from 0.0.0 is
 * 0.1.0), 'patch' | 'minor' | 'major', or an explicit MAJOR.MINOR.PATCH. A request smaller than the
 * breaking changes need, or a version not above the current one, is refused.
 */
export function nextVersion(current: string, commits: Commit[], request: string = 'auto'): string {
  const needed = requiredBump(current, commits);
  const count = commits.filter((c) => c.breaking.length > 0).length;
  if (request === 'auto') return current === NO_RELEASE ? '0.1.0' : bumpVersion(current, needed);
  const next = BUMPS.includes(request as Bump) ? bumpVersion(current, request as Bump) : request;
  if (compareVersions(next, current) <= 0) {
    throw new Error(`release: version '${request}' is not above the current version ${current}; pass patch, minor, major or a higher MAJOR.MINOR.PATCH`);
  }
  if (compareVersions(bumpVersion(current, needed), next) > 0) {
    throw new Error(`release: '${request}' received, but ${count} commit(s) since ${current} carry BREAKING: lines, ` +
      `which need a ${needed} bump (${bumpVersion(current, needed)}); run \`npx projen release ${needed}\` (or with no argument)`);
  }
  return next;
}

export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// rendering

function escape(text: string): string {
  return text.replace(/</g, '\\<');
}

function renderBreaking(commits: Commit[]): string[] {
  const lines: string[] = [];
  for (const c of commits) {
    for (const b of c.breaking) {
      const migration = b.migration ? `Migration: ${escape(b.migration)}` : 'Migration: not stated in the commit';
      lines.push(`- ${escape(b.what)} (${c.hash.slice(0, 7)}). ${migration}`);
    }
  }
  return lines;
}

/**
 * One section: `## <title>`, an optional line, then "Breaking changes" and the groups that have commits
 * (in GROUP_ORDER, commits oldest first as given; HOUSEKEEPING subjects left out).
 */
export function renderSection(title: string, commits: Commit[], intro?: string): string {
  const out = [`## ${title}`, ''];
  if (intro) out.push(intro, '');
  if (commits.length === 0) out.push('No changes.', '');
  const breaking = renderBreaking(commits);
  if (breaking.length > 0) out.push('### Breaking changes', '', ...breaking, '');
  for (const group of GROUP_ORDER) {
    const inGroup = commits.filter((c) => !HOUSEKEEPING.test(c.subject) && groupOf(c.subject) === group);
    if (inGroup.length === 0) continue;
    out.push(`### ${group}`, '', ...inGroup.map((c) => `- ${escape(c.subject)} (${c.hash.slice(0, 7)})`), '');
  }
  return out.join('\n');
}

/** ' (N housekeeping commits not listed)' when there are any. */
export function housekeepingNote(commits: Commit[]): string {
  const n = commits.filter((c) => HOUSEKEEPING.test(c.subject)).length;
  return n > 0 ? ` (${n} housekeeping commit(s), such as API.md regenerations and lint fixes, not listed)` : '';
}

export const HEADER = [
  '# Changelog',
  '',
  'Generated from the commit history by `scripts/changelog.ts` (`npx projen changelog` regenerates',
  '"Unreleased"; `npx projen release` turns it into the next version\'s section). Breaking changes come',
  'from commit-body lines `BREAKING: <what changed>` and `MIGRATION: <one line>`. Versions follow semver;',
  'before 1.0 a breaking change bumps the minor version.',
  '',
].join('\n');

/** The sections of an existing CHANGELOG.md, title (text after '## ') -> text, in file order. */
export function splitSections(text: string): Array<{ title: string; text: string }> {
  const starts = [...text.matchAll(/^## (.*)$/gm)];
  return starts.map((m, i) => ({
    title: m[1].trim(),
    text: text.slice(m.index, i + 1 < starts.length ? starts[i + 1].index : undefined).trimEnd() + '\n',
  }));
}

/** The version (or "Unreleased") a section title names: its first word. */
export function sectionKey(title: string): string {
  return title.split(' ')[0];
}

/**
 * The changelog with `section` on top: the "Unreleased" section and any section of the same version are
 * replaced; every other (released) section is kept unchanged, newest first.
 */
export function updateChangelog(existing: string | undefined, section: string): string {
  const key = sectionKey(splitSections(section)[0].title);
  const kept = splitSections(existing ?? '').filter((s) => ![key, UNRELEASED].includes(sectionKey(s.title)));
  return [HEADER, section.trimEnd() + '\n', ...kept.map((s) => s.text)].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// git

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The version in version.json in the work tree, or at `rev`; 0.0.0 where the file does not exist. */
export function readVersion(cwd: string, rev?: string): string {
  let text: string | undefined;
  if (rev === undefined) {
    const file = path.join(cwd, VERSION_FILE);
    text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  } else if (spawnSync('git', ['cat-file', '-e', `${rev}:${VERSION_FILE}`], { cwd }).status === 0) {
    text = git(cwd, ['show', `${rev}:${VERSION_FILE}`]);
  }
  return text === undefined ? NO_RELEASE : String(JSON.parse(text).version);
}

/**
 * The release commit of the current version: of the commits that touched version.json, the one that set
 * the version it has at HEAD (edits that keep the version do not count). None while the version is 0.0.0.
 */
export function previousRelease(cwd: string): { version: string; commit?: string } {
  const version = readVersion(cwd, 'HEAD');
  if (version === NO_RELEASE) return { version };
  let commit: string | undefined;
  for (const sha of git(cwd, ['log', '--format=%H', '--', VERSION_FILE]).split('\n').filter(Boolean)) {
    if (readVersion(cwd, sha) !== version) break;
    commit = sha;
  }
  return { version, commit };
}

/** The commits since the previous release (or all of them), oldest first, merges (also hand-made ones) and release commits left out. */
export function commitsSince(cwd: string, since: string | undefined): Commit[] {
  const range = since ? [`${since}..HEAD`] : ['HEAD'];
  return parseLog(git(cwd, ['log', '--no-merges', '--topo-order', '--reverse', `--format=${LOG_FORMAT}`, ...range]));
}

/** Regenerate the "Unreleased" section of CHANGELOG.md in `cwd` (idempotent for one history); returns the next version. */
export function writeUnreleased(cwd: string): string {
  const previous = previousRelease(cwd);
  const commits = commitsSince(cwd, previous.commit);
  const next = nextVersion(previous.version, commits);
  const since = previous.commit ? `since ${previous.version}` : 'since the start of the history (no release yet)';
  const intro = `${commits.length} commit(s) ${since}${housekeepingNote(commits)}; the next version by these commits: ${next}.`;
  const file = path.join(cwd, CHANGELOG_FILE);
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  fs.writeFileSync(file, updateChangelog(existing, renderSection(UNRELEASED, commits, intro)));
  return next;
}

if (require.main === module) {
  const next = writeUnreleased(process.cwd());
  console.log(`${CHANGELOG_FILE}: "${UNRELEASED}" regenerated (next version by the commits: ${next})`);
}
