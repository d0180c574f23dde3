/**
 * `cdk8s-istio canary status|advance|report`: the canary loop in a pipeline, without a controller. Reads
 * each canary's analysis definition from the synthesized manifests (the `CanaryAnalysis` ConfigMaps),
 * queries a Prometheus HTTP API, decides promote / hold / rollback (`_verdict`), and `advance` writes the
 * next step (or the rollback) into the canary state file the app reads. Internal: `cli.ts` dispatches here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { _Out } from './_cli-diff';
import { _manifestFiles, _parseFile } from './_files';
import { ANALYSIS_KEY, ANALYSIS_LABEL, _AnalysisDefinition, _Evidence, _Sample, _VerdictKind, _verdict } from '../observability/_canary-analysis';
import { _Analysed, _canaryId, _chartFile, _reportMarkdown, _reportSvg, _stepChange } from '../observability/_canary-report';
import { _CanaryStep, _ROLLBACK, _readStateFile, _stateFileText, _stateKey } from '../patterns/_canary-state';

/** @internal */
export const CANARY_USAGE = `usage: cdk8s-istio canary status|advance|report --prometheus URL [options] MANIFESTS...
  MANIFESTS            the synthesized output (files or directories of *.yaml/*.yml): each canary's analysis
                       definition is the ConfigMap labelled ${ANALYSIS_LABEL}
  --prometheus URL     the Prometheus HTTP API, e.g. http://prometheus-operated.monitoring:9090
  --header 'NAME: VALUE'  an HTTP header sent to Prometheus (e.g. "Authorization: Bearer $TOKEN"); repeatable
  --header-file FILE   headers from a file, one "NAME: VALUE" per line (keeps a token out of the command line)
  --time TIME          evaluate at this time (RFC 3339 or Unix seconds; default: now)
  --canary NS/NAME     only this canary; repeatable (default: every canary of the manifests)
  --state FILE         (advance) the state file to write (default: the one each canary's app reads; relative
                       paths are from the directory the command runs in, as for cdk8s synth)
  --out DIR            (report) write DIR/report.md and one SVG chart per canary (default: canary-report)
  --format text|json   (status, advance) text (default) or json
status prints one verdict per canary with its evidence and queries; advance also writes the next step
(promote) or "rollback" (rollback) into the state file, one line per canary; report writes the Markdown
report (also printed) and charts for a pull request.
Exit 0: every canary promotes; 1: a canary rolls back; 3: a canary holds (none rolls back); 2: usage
error, unreadable manifests or state file, or Prometheus unreachable or failing (nothing is written).
`;

/** Exit codes of the canary commands. */
const EXIT: { [k in _VerdictKind]: number } = { promote: 0, rollback: 1, hold: 3 };

interface CanaryArgs {
  command: string;
  prometheus?: string;
  headers: Array<[string, string]>;
  time?: number;
  canaries: string[];
  state?: string;
  out: string;
  format: string;
  targets: string[];
}

/** A failure that decides nothing (exit 2, nothing written). */
class CanaryError extends Error {}

function parseTime(v: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t / 1000;
}

/** `NAME: VALUE` as a header, or undefined. */
function parseHeader(v: string): [string, string] | undefined {
  const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(v.trim());
  return m ? [m[1], m[2]] : undefined;
}

function parseArgs(args: string[]): CanaryArgs | string {
  const [command, ...rest] = args;
  if (!['status', 'advance', 'report'].includes(command)) return command === undefined ? 'no subcommand given' : `unknown subcommand ${command}`;
  const parsed: CanaryArgs = { command, headers: [], canaries: [], out: 'canary-report', format: 'text', targets: [] };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) { parsed.targets.push(a); continue; }
    const flag = a.split('=')[0];
    const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : rest[++i];
    if (!['--prometheus', '--header', '--header-file', '--time', '--canary', '--state', '--out', '--format'].includes(flag)) return `unknown option ${a}`;
    if (v === undefined || v === '') return `${flag} needs a value`;
    if (flag === '--prometheus') {
      if (!/^https?:\/\/[^/]/.test(v)) return `--prometheus is an http(s) URL, got ${v}`;
      parsed.prometheus = v.replace(/\/+$/, '');
    }
    if (flag === '--header') {
      const h = parseHeader(v);
      if (!h) return `--header is "NAME: VALUE", got ${v}`;
      parsed.headers.push(h);
    }
    if (flag === '--header-file') {
      let lines: string[];
      try {
        lines = fs.readFileSync(v, 'utf8').split(/\r?\n/);
      } catch (e) {
        return `--header-file ${v} cannot be read (${errorText(e)})`;
      }
      for (const [n, l] of lines.entries()) {
        if (l.trim() === '') continue;
        const h = parseHeader(l);
        if (!h) return `--header-file ${v} line ${n + 1} is not "NAME: VALUE"`; // the line may hold a secret: not echoed
        parsed.headers.push(h);
      }
    }
    if (flag === '--time') {
      parsed.time = parseTime(v);
      if (parsed.time === undefined) return `--time is RFC 3339 (2026-01-01T00:00:00Z) or Unix seconds, got ${v}`;
    }
    if (flag === '--canary') parsed.canaries.push(v);
    if (flag === '--state') parsed.state = v;
    if (flag === '--out') parsed.out = v;
    if (flag === '--format') {
      if (v !== 'text' && v !== 'json') return `--format is text or json, got ${v}`;
      parsed.format = v;
    }
  }
  if (!parsed.prometheus) return '--prometheus URL is required';
  if (parsed.targets.length === 0) return 'no MANIFESTS given';
  return parsed;
}

/** The analysis definitions of the manifests, sorted by namespace/service. */
function readDefinitions(targets: string[], only: string[]): _AnalysisDefinition[] {
  const defs: _AnalysisDefinition[] = [];
  for (const t of targets) {
    for (const file of _manifestFiles(t)) {
      for (const doc of _parseFile(file)) {
        if (doc?.kind !== 'ConfigMap' || doc.metadata?.labels?.[ANALYSIS_LABEL] === undefined) continue;
        let d: _AnalysisDefinition;
        try {
          d = JSON.parse(doc.data?.[ANALYSIS_KEY]);
        } catch (e) {
          throw new CanaryError(`${file}: ConfigMap ${doc.metadata?.namespace}/${doc.metadata?.name}: ${ANALYSIS_KEY} is not JSON (${errorText(e)})`);
        }
        if (d?.kind !== 'CanaryAnalysis' || d.apiVersion !== 'cdk8s-istio.dev/v1') {
          throw new CanaryError(`${file}: ConfigMap ${doc.metadata?.namespace}/${doc.metadata?.name}: not a cdk8s-istio.dev/v1 CanaryAnalysis (synthesize with this version of cdk8s-istio)`);
        }
        defs.push(d);
      }
    }
  }
  const found = new Set(defs.map(_canaryId));
  const missing = only.filter((c) => !found.has(c));
  if (missing.length > 0) throw new CanaryError(`no canary analysis for ${missing.join(', ')} in the manifests (found: ${[...found].sort().join(', ') || 'none'})`);
  return defs.filter((d) => only.length === 0 || only.includes(_canaryId(d))).sort((a, b) => _canaryId(a).localeCompare(_canaryId(b)));
}

/** An error's message. */
function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The `data` of a Prometheus API answer (instant: a vector; range: a matrix). */
interface PromData {
  readonly resultType: string;
  readonly result: Array<{ value: [number, string]; values?: Array<[number, string]> }>;
}

/** A number from Prometheus (strings; "NaN" and infinities are no data). */
function sample(v: string): _Sample {
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Queries the Prometheus HTTP API. Every failure is a CanaryError (nothing decided, nothing written). */
class PrometheusClient {
  constructor(private readonly base: string, private readonly headers: Array<[string, string]>) {}

  public async instant(query: string, time: number): Promise<_Sample> {
    const data = await this.get('query', { query, time: String(time) });
    if (data.resultType !== 'vector') throw new CanaryError(`Prometheus returned a ${data.resultType}, not a vector, for ${query}`);
    if (data.result.length > 1) throw new CanaryError(`Prometheus returned ${data.result.length} series, not one, for ${query}`);
    return data.result.length === 0 ? undefined : sample(data.result[0].value[1]);
  }

  public async range(query: string, times: number[], step: number): Promise<_Sample[]> {
    const data = await this.get('query_range', { query, start: String(times[0]), end: String(times[times.length - 1]), step: String(step) });
    const byTime = new Map<number, _Sample>();
    for (const series of data.result ?? []) {
      for (const [t, v] of series.values ?? []) byTime.set(Number(t), sample(v));
    }
    return times.map((t) => byTime.get(t));
  }

  private async get(api: string, params: { [k: string]: string }): Promise<PromData> {
    const url = `${this.base}/api/v1/${api}?${new URLSearchParams(params).toString()}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: Object.fromEntries(this.headers), signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CanaryError(`Prometheus at ${this.base} is unreachable (${cause?.code ?? cause?.message ?? errorText(e)})`);
    }
    const text = await res.text();
    let body: { status?: string; errorType?: string; error?: string; data: PromData };
    try {
      body = JSON.parse(text);
    } catch {
      throw new CanaryError(`Prometheus at ${this.base} answered HTTP ${res.status} without JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok || body.status !== 'success') {
      throw new CanaryError(`Prometheus at ${this.base} answered HTTP ${res.status}: ${body.errorType ?? ''} ${body.error ?? ''}`.trim());
    }
    return body.data;
  }
}

/** The evidence of one canary at `time`. */
async function gather(client: PrometheusClient, d: _AnalysisDefinition, time: number): Promise<_Evidence> {
  const n = d.windowSeconds / d.intervalSeconds;
  const times = Array.from({ length: n }, (_, i) => time - (n - 1 - i) * d.intervalSeconds);
  const [cr, cs, cl, sr, ss, sl, scs, sss, scl, ssl] = await Promise.all([
    client.instant(d.queries.canary.requests, time),
    client.instant(d.queries.canary.successRate, time),
    client.instant(d.queries.canary.latency, time),
    client.instant(d.queries.stable.requests, time),
    client.instant(d.queries.stable.successRate, time),
    client.instant(d.queries.stable.latency, time),
    client.range(d.queries.canary.successRateByInterval, times, d.intervalSeconds),
    client.range(d.queries.stable.successRateByInterval, times, d.intervalSeconds),
    client.range(d.queries.canary.latencyByInterval, times, d.intervalSeconds),
    client.range(d.queries.stable.latencyByInterval, times, d.intervalSeconds),
  ]);
  return {
    canary: { requests: cr, successRate: cs, latency: cl },
    stable: { requests: sr, successRate: ss, latency: sl },
    series: { times, canarySuccessRate: scs, stableSuccessRate: sss, canaryLatency: scl, stableLatency: ssl },
  };
}

/** The state changes `advance` makes: file -> key -> new value, plus a note per canary that is not moved. */
function planAdvance(analysed: _Analysed[], stateOverride: string | undefined):
{ writes: Map<string, Map<string, _CanaryStep>>; notes: Map<string, string> } {
  const writes = new Map<string, Map<string, _CanaryStep>>();
  const notes = new Map<string, string>();
  for (const a of analysed) {
    const d = a.definition;
    const id = _canaryId(d);
    const v = a.verdict.verdict;
    if (v === 'hold') continue;
    let next: _CanaryStep | undefined;
    if (v === 'rollback') next = _ROLLBACK;
    else if (d.steps && d.step !== undefined && d.step + 1 < d.steps.length) next = d.step + 1;
    if (next === undefined) { notes.set(id, `${_stepChange(a)}; nothing to write`); continue; }
    if (!d.steps || d.stateFile === undefined) {
      notes.set(id, `${v}: the app does not read this canary's step from a state file (no steps schedule, a step prop or context value, or no context "cdk8s-istio/canary-state-file"), so nothing is written; change it by hand`);
      continue;
    }
    const file = stateOverride ?? d.stateFile;
    if (!writes.has(file)) writes.set(file, new Map());
    writes.get(file)!.set(_stateKey(d.namespace, d.service), next);
  }
  return { writes, notes };
}

/** Applies the planned changes (read every file first, so an unreadable one writes nothing). */
function writeStates(writes: Map<string, Map<string, _CanaryStep>>): string[] {
  const changed: string[] = [];
  const states = [...writes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([file, changes]) => {
    try {
      return { file, state: _readStateFile(file), changes };
    } catch (e) {
      throw new CanaryError(errorText(e));
    }
  });
  for (const { file, state, changes } of states) {
    const next = { ...state };
    for (const [k, v] of changes) next[k] = v;
    const text = _stateFileText(next);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) continue;
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text);
    changed.push(file);
  }
  return changed;
}

function textLine(a: _Analysed, note: string | undefined): string {
  const d = a.definition;
  const e = a.evidence;
  const f = (v: _Sample, scale: number, unit: string) => v === undefined ? 'no data' : `${Number((v * scale).toFixed(3))}${unit}`;
  const p = `p${d.latencyPercent}`;
  return [
    `${_canaryId(d)}: ${a.verdict.verdict} (${note ?? _stepChange(a)})`,
    ...a.verdict.reasons.map((r) => `  ${r}`),
    `  canary ${d.canaryVersion}: requests ${f(e.canary.requests, 1, '')}, success ${f(e.canary.successRate, 100, '%')}, ${p} ${f(e.canary.latency, 1, 'ms')}`
      + ` | stable ${d.stableVersion}: requests ${f(e.stable.requests, 1, '')}, success ${f(e.stable.successRate, 100, '%')}, ${p} ${f(e.stable.latency, 1, 'ms')}`
      + ` | objective: success >= ${d.successRateSlo}%, ${p} <= ${d.latencyMs}ms, over ${d.window}`,
    `  query: ${d.queries.canary.successRate}`,
    `  query: ${d.queries.canary.latency}`,
  ].join('\n');
}

/**
 * Runs `cdk8s-istio canary ...`; resolves to the exit code.
 * @internal
 */
export async function _canaryMain(args: string[], out: _Out, err: _Out, now: () => number = () => Date.now() / 1000): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) { out.write(CANARY_USAGE); return 0; }
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') { err.write(`cdk8s-istio canary: ${parsed}\n${CANARY_USAGE}`); return 2; }
  const time = Math.floor(parsed.time ?? now());
  try {
    const defs = readDefinitions(parsed.targets, parsed.canaries);
    if (defs.length === 0) throw new CanaryError(`no canary analysis in ${parsed.targets.join(', ')} (monitor a CanaryService with MeshObservability.monitor())`);
    const client = new PrometheusClient(parsed.prometheus!, parsed.headers);
    const analysed: _Analysed[] = [];
    for (const d of defs) {
      const evidence = await gather(client, d, time);
      analysed.push({ definition: d, evidence, verdict: _verdict(d, evidence) });
    }
    const worst = analysed.some((a) => a.verdict.verdict === 'rollback') ? 'rollback' : analysed.some((a) => a.verdict.verdict === 'hold') ? 'hold' : 'promote';
    let notes = new Map<string, string>();
    let written: string[] = [];
    if (parsed.command === 'advance') {
      const plan = planAdvance(analysed, parsed.state);
      notes = plan.notes;
      written = writeStates(plan.writes);
    }
    if (parsed.command === 'report') {
      fs.mkdirSync(parsed.out, { recursive: true });
      const md = _reportMarkdown(analysed, time);
      fs.writeFileSync(path.join(parsed.out, 'report.md'), md);
      for (const a of analysed) fs.writeFileSync(path.join(parsed.out, _chartFile(a.definition)), _reportSvg(a));
      out.write(md);
    } else if (parsed.format === 'json') {
      out.write(`${JSON.stringify({
        time,
        verdict: worst,
        written,
        canaries: analysed.map((a) => ({
          canary: _canaryId(a.definition),
          verdict: a.verdict.verdict,
          change: notes.get(_canaryId(a.definition)) ?? _stepChange(a),
          reasons: a.verdict.reasons,
          checks: { total: a.verdict.checks, failed: a.verdict.failedChecks, missing: a.verdict.missingChecks },
          evidence: { canary: a.evidence.canary, stable: a.evidence.stable },
          queries: a.definition.queries,
        })),
      }, (_k, v) => v === undefined ? null : v, 2)}\n`); // no data: null
    } else {
      for (const a of analysed) out.write(`${textLine(a, notes.get(_canaryId(a.definition)))}\n`);
      for (const f of written) out.write(`wrote ${f}\n`);
    }
    return EXIT[worst];
  } catch (e) {
    const io = (e as { code?: string }).code === 'ENOENT' || /YAML parse error/.test(errorText(e));
    if (!(e instanceof CanaryError) && !io) throw e;
    err.write(`cdk8s-istio canary: cannot decide, so every canary holds: ${errorText(e)}; nothing written\n`);
    return 2;
  }
}
