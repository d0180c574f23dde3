/**
 * The pull-request report of `cdk8s-istio canary report`: Markdown with each canary's verdict, its
 * numbers against the objectives and the queries, plus one small SVG chart per canary (canary vs stable
 * over the window: success rate and latency). Deterministic: same input, same bytes. Internal.
 */
import { _AnalysisDefinition, _Evidence, _Sample, _Verdict } from './_canary-analysis';
import { _promNumber } from './_promql';

/** One analysed canary. @internal */
export interface _Analysed {
  readonly definition: _AnalysisDefinition;
  readonly evidence: _Evidence;
  readonly verdict: _Verdict;
}

/** `<namespace>/<service>`. @internal */
export function _canaryId(d: _AnalysisDefinition): string {
  return `${d.namespace}/${d.service}`;
}

/** The SVG file name of a canary's chart. @internal */
export function _chartFile(d: _AnalysisDefinition): string {
  return `${d.namespace}-${d.service}.svg`;
}

/** What the verdict does to the canary's step, in words. @internal */
export function _stepChange(a: _Analysed): string {
  const d = a.definition;
  if (a.verdict.verdict === 'hold') return `hold at ${d.canaryWeight}%`;
  if (a.verdict.verdict === 'rollback') return `roll back: ${d.canaryWeight}% -> 0% (all traffic to stable ${d.stableVersion})`;
  if (!d.steps || d.step === undefined) return `promote: no steps schedule, move canaryWeight (${d.canaryWeight}%) by hand`;
  if (d.step + 1 >= d.steps.length) return `promoted fully (100%): finish the release by making ${d.canaryVersion} the stable version`;
  return `promote: step ${d.step} -> ${d.step + 1} (${d.steps[d.step]}% -> ${d.steps[d.step + 1]}%)`;
}

function pct(v: _Sample): string {
  return v === undefined ? 'no data' : `${_promNumber(Number((v * 100).toFixed(3)))}%`;
}

function msText(v: _Sample): string {
  return v === undefined ? 'no data' : `${_promNumber(Number(v.toFixed(1)))}ms`;
}

function count(v: _Sample): string {
  return v === undefined ? 'no data' : _promNumber(Math.round(v));
}

/** The ISO time of a Unix timestamp (seconds), without milliseconds. @internal */
export function _isoTime(t: number): string {
  return new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The Markdown report of every analysed canary, at evaluation time `time` (Unix seconds).
 * @internal
 */
export function _reportMarkdown(analysed: _Analysed[], time: number): string {
  const n = (k: string) => analysed.filter((a) => a.verdict.verdict === k).length;
  const lines = [
    '## Canary analysis',
    '',
    `Evaluated at ${_isoTime(time)}: ${n('promote')} promote, ${n('hold')} hold, ${n('rollback')} rollback.`,
  ];
  for (const a of analysed) {
    const d = a.definition;
    const v = a.verdict;
    const p = `p${d.latencyPercent}`;
    lines.push('', `### ${_canaryId(d)}: **${v.verdict}**`, '', `${_stepChange(a)}.`, '');
    for (const r of v.reasons) lines.push(`- ${r}`);
    lines.push(`- checks (every ${d.interval} over ${d.window}): ${v.checks - v.failedChecks - v.missingChecks} passed, ${v.failedChecks} failed, ${v.missingChecks} without data`);
    lines.push('',
      `| over ${d.window} | canary ${d.canaryVersion} | stable ${d.stableVersion} | objective |`,
      '|---|---|---|---|',
      `| requests | ${count(a.evidence.canary.requests)} | ${count(a.evidence.stable.requests)} | canary at least ${d.minRequests} |`,
      `| success rate | ${pct(a.evidence.canary.successRate)} | ${pct(a.evidence.stable.successRate)} | at least ${d.successRateSlo}%${d.compareWithStable ? `, at most ${d.maxSuccessRateDrop} points below stable` : ''} |`,
      `| ${p} latency | ${msText(a.evidence.canary.latency)} | ${msText(a.evidence.stable.latency)} | at most ${d.latencyMs}ms${d.compareWithStable ? `, at most ${d.maxLatencyRatio}x stable` : ''} |`,
      '',
      `![${_canaryId(d)}: canary vs stable over ${d.window}](${_chartFile(d)})`,
      '',
      '<details><summary>Queries (Prometheus, instant at the evaluation time; the checks as range queries, step ' + d.interval + ')</summary>',
      '',
      '```promql',
      `# canary requests\n${d.queries.canary.requests}`,
      `# canary success rate\n${d.queries.canary.successRate}`,
      `# canary ${p} latency (ms)\n${d.queries.canary.latency}`,
      `# stable success rate\n${d.queries.stable.successRate}`,
      `# stable ${p} latency (ms)\n${d.queries.stable.latency}`,
      `# checks: canary success rate per ${d.interval}\n${d.queries.canary.successRateByInterval}`,
      `# checks: canary ${p} latency per ${d.interval}\n${d.queries.canary.latencyByInterval}`,
      '```',
      '',
      '</details>');
  }
  return `${lines.join('\n')}\n`;
}

const W = 560;
const H = 200;
const PANEL_W = 250;
const PANEL_H = 130;
const CANARY_COLOR = '#d62728';
const STABLE_COLOR = '#1f77b4';

function num(n: number): string {
  return String(Number(n.toFixed(1)));
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** One panel: two series (canary, stable) and a dashed objective line, at offset x0. */
function panel(x0: number, title: string, times: number[], series: Array<[string, _Sample[]]>, objective: number, lo: number, hi: number,
  unit: (v: number) => string): string[] {
  const y0 = 40;
  const x = (i: number) => x0 + (times.length <= 1 ? PANEL_W / 2 : (i * PANEL_W) / (times.length - 1));
  const y = (v: number) => y0 + PANEL_H - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo || 1)) * PANEL_H;
  const out = [
    `<text x="${x0}" y="30" font-size="12" font-weight="bold">${escapeXml(title)}</text>`,
    `<rect x="${x0}" y="${y0}" width="${PANEL_W}" height="${PANEL_H}" fill="none" stroke="#ccc"/>`,
    `<text x="${x0 - 4}" y="${y0 + 4}" font-size="9" text-anchor="end">${escapeXml(unit(hi))}</text>`,
    `<text x="${x0 - 4}" y="${y0 + PANEL_H}" font-size="9" text-anchor="end">${escapeXml(unit(lo))}</text>`,
    `<line x1="${x0}" y1="${num(y(objective))}" x2="${x0 + PANEL_W}" y2="${num(y(objective))}" stroke="#888" stroke-dasharray="4 3"/>`,
  ];
  for (const [color, values] of series) {
    // a gap in the data breaks the line
    let run: string[] = [];
    const flush = () => {
      if (run.length === 1) out.push(`<circle cx="${run[0].split(',')[0]}" cy="${run[0].split(',')[1]}" r="2" fill="${color}"/>`);
      if (run.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${run.join(' ')}"/>`);
      run = [];
    };
    values.forEach((v, i) => {
      if (v === undefined) flush();
      else run.push(`${num(x(i))},${num(y(v))}`);
    });
    flush();
  }
  return out;
}

/**
 * A canary's chart: success rate and latency of canary and stable per interval over the window, with the
 * objectives dashed.
 * @internal
 */
export function _reportSvg(a: _Analysed): string {
  const d = a.definition;
  const s = a.evidence.series;
  const defined = (xs: _Sample[]) => xs.filter((v): v is number => v !== undefined);
  const rates = defined([...s.canarySuccessRate, ...s.stableSuccessRate]).map((v) => v * 100);
  const loRate = Math.floor(Math.min(d.successRateSlo, ...rates) - 0.5);
  const lats = defined([...s.canaryLatency, ...s.stableLatency]);
  const hiLat = Math.ceil(Math.max(d.latencyMs, ...lats) * 1.1);
  const start = s.times.length > 0 ? _isoTime(s.times[0]) : '';
  const end = s.times.length > 0 ? _isoTime(s.times[s.times.length - 1]) : '';
  const body = [
    ...panel(40, 'success rate', s.times, [[STABLE_COLOR, s.stableSuccessRate.map((v) => v === undefined ? v : v * 100)], [CANARY_COLOR, s.canarySuccessRate.map((v) => v === undefined ? v : v * 100)]],
      d.successRateSlo, Math.max(0, loRate), 100, (v) => `${_promNumber(v)}%`),
    ...panel(W - PANEL_W - 10, `p${d.latencyPercent} latency`, s.times, [[STABLE_COLOR, s.stableLatency], [CANARY_COLOR, s.canaryLatency]],
      d.latencyMs, 0, hiLat, (v) => `${_promNumber(v)}ms`),
    `<text x="40" y="188" font-size="9">${escapeXml(start)}</text>`,
    `<text x="${W - 10}" y="188" font-size="9" text-anchor="end">${escapeXml(end)}</text>`,
    `<text x="${W / 2}" y="188" font-size="10" text-anchor="middle"><tspan fill="${CANARY_COLOR}">canary ${escapeXml(d.canaryVersion)}</tspan>  <tspan fill="${STABLE_COLOR}">stable ${escapeXml(d.stableVersion)}</tspan>  <tspan fill="#888">objective (dashed)</tspan></text>`,
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<title>${escapeXml(`${_canaryId(d)}: ${a.verdict.verdict}`)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="14" font-size="12" text-anchor="middle">${escapeXml(`${_canaryId(d)}: ${a.verdict.verdict}`)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
