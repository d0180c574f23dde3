// Checks every PromQL expression the library emits with the real `promtool` (Debian package `prometheus`).
//
//   npx projen promql:check                      # the dedicated app below + examples/shop/dist/*.yaml
//   npx ts-node --transpile-only -P scripts/tsconfig.json scripts/check-promql.ts [dir-or-yaml ...]
//
// It synthesizes an app covering every rule and dashboard kind (service, canary, ambient reporter, extra
// selectors with escaped values, custom burn-rate windows, mesh overview), adds the manifests given on
// the command line, and writes one rules file: PrometheusRule groups as they are, and each dashboard
// panel query and each canary analysis query (ConfigMap, AnalysisTemplate, MetricTemplate) as a recording rule (Grafana's $__rate_interval/$__interval/$__range become 5m, other
// $variables become identifiers). `promtool check rules` must then accept all of them.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration } from 'cdk8s';
import * as YAML from 'yaml';
import {
  BurnRateWindow, MeshEnrolment, MeshObservability, MetricsReporter, MonitoringTarget, SecureNamespace, TracingProvider,
} from '../src';

function coverageApp(): any[] {
  const app = new App();
  const chart = new Chart(app, 'promql-coverage', { namespace: 'shop' });
  const obs = new MeshObservability(chart, 'obs', {
    tracing: TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' }),
    samplingPercent: 10,
  });
  obs.monitor(MonitoringTarget.inNamespace('shop', 'frontend'));
  obs.monitor(MonitoringTarget.inNamespace('shop', 'checkout'), {
    successRateSlo: 99.5,
    p99Latency: Duration.millis(250),
    latencySloPercent: 95,
    extraSelector: { cluster: 'eu "west" \\ 1' },
    alertLabels: { team: 'storefront' },
    burnRateWindows: [
      BurnRateWindow.FAST,
      BurnRateWindow.SLOW,
      BurnRateWindow.of({ longWindow: Duration.days(3), shortWindow: Duration.hours(6), burnRate: 1, severity: 'ticket' }),
    ],
  });
  obs.monitor(MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 }), {
    p99Latency: Duration.millis(0.5),
    analysis: { argoAnalysisTemplate: true, flaggerMetricTemplates: true },
  });
  const ambient = new MeshObservability(chart, 'ambient', { reporter: MetricsReporter.WAYPOINT, monitoringNamespace: 'monitoring' });
  ambient.monitor(MonitoringTarget.canary({ serviceName: 'reviews', namespace: 'bookinfo', stableVersion: '1.2.0', canaryVersion: '1.3.0-rc.1', canaryWeight: 50 }), {
    canaryMaxLatencyRatio: 1.5,
    canaryMaxSuccessRateDrop: 0.5,
    canaryWindow: Duration.minutes(10),
    canaryFor: Duration.minutes(2),
    analysis: { argoAnalysisTemplate: true, flaggerMetricTemplates: true, window: Duration.minutes(30), interval: Duration.minutes(5) },
  });
  // ambient with a waypoint: the reporter derived from the namespace, a canary with per-version Services
  const ambientShop = new Chart(app, 'ambient-shop', { namespace: 'ambient-shop' });
  new SecureNamespace(ambientShop, 'ns', { name: 'ambient-shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
  const perVersion = MonitoringTarget.canary({
    serviceName: 'catalog',
    namespace: 'ambient-shop',
    stableVersion: 'v1',
    canaryVersion: 'v2',
    canaryWeight: 10,
    stableServiceName: 'catalog-v1',
    canaryServiceName: 'catalog-v2',
  });
  new MeshObservability(ambientShop, 'obs', { scraping: false, recordingRules: false, meshDashboard: false }).monitor(perVersion);
  return app.charts.flatMap((c) => c.toJson());
}

function manifestsFrom(arg: string): any[] {
  const files = fs.statSync(arg).isDirectory()
    ? fs.readdirSync(arg).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(arg, f))
    : [arg];
  return files.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJSON()).filter((o) => o && o.kind));
}

function panelsOf(dash: any): any[] {
  return (dash.panels ?? []).flatMap((p: any) => [p, ...panelsOf(p)]);
}

function grafanaToPromql(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{(\w+)(:\w+)?\}/g, '$1')
    .replace(/\$(\w+)/g, '$1');
}

function main(): void {
  const args = process.argv.slice(2).filter((a) => fs.existsSync(a));
  for (const a of process.argv.slice(2)) if (!fs.existsSync(a)) console.log(`(skipping ${a}: not found; run \`npx projen example\` first to include it)`);
  const sources: Array<[string, any[]]> = [['coverage app', coverageApp()], ...args.map((a): [string, any[]] => [a, manifestsFrom(a)])];

  const files: Array<[string, any[]]> = []; // one rules file per PrometheusRule / dashboard (promtool lints duplicates per file)
  let ruleCount = 0;
  let panelCount = 0;
  sources.forEach(([source, objs], s) => {
    for (const o of objs) {
      if (o.kind === 'PrometheusRule') {
        files.push([`${s}-${o.metadata.namespace}-${o.metadata.name}.rules.yaml`, o.spec.groups ?? []]);
        for (const g of o.spec.groups ?? []) ruleCount += (g.rules ?? []).length;
      }
      // the canary analysis (cdk8s-istio canary) and its Argo Rollouts / Flagger exports: each query as a recording rule
      const analysisQueries: string[] = [];
      if (o.kind === 'ConfigMap' && o.metadata?.labels?.['cdk8s-istio.dev/canary-analysis']) {
        const q = JSON.parse(o.data['analysis.json']).queries;
        for (const side of [q.canary, q.stable]) analysisQueries.push(...Object.values<string>(side));
      }
      if (o.kind === 'AnalysisTemplate') analysisQueries.push(...o.spec.metrics.map((m: any) => m.provider.prometheus.query));
      if (o.kind === 'MetricTemplate') analysisQueries.push(o.spec.query);
      if (analysisQueries.length > 0) {
        panelCount += analysisQueries.length;
        const rules = analysisQueries.map((expr, i) => ({ record: `canary_analysis:query_${i}`, expr }));
        files.push([`${s}-${o.metadata.namespace}-${o.kind}-${o.metadata.name}.rules.yaml`, [{ name: `${o.kind} ${o.metadata.name}`, rules }]]);
      }
      if (o.kind === 'ConfigMap' && o.metadata?.labels?.grafana_dashboard === '1') {
        for (const [key, value] of Object.entries<string>(o.data ?? {})) {
          const dash = JSON.parse(value);
          const rules: any[] = [];
          for (const p of panelsOf(dash)) {
            for (const t of p.targets ?? []) {
              if (typeof t.expr !== 'string') continue;
              rules.push({ record: `dashboard:panel_${p.id}:${t.refId}`, expr: grafanaToPromql(t.expr) });
            }
          }
          if (rules.length === 0) throw new Error(`${source}: dashboard ${key} has no PromQL targets`);
          panelCount += rules.length;
          files.push([`${s}-${o.metadata.namespace}-${key}.rules.yaml`, [{ name: `dashboard ${key}`, rules }]]);
        }
      }
    }
    console.log(`${source}: ${objs.length} objects`);
  });
  if (ruleCount === 0 || panelCount === 0) {
    throw new Error(`expected both rules and dashboard queries, found ${ruleCount} rules and ${panelCount} dashboard queries`);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promql-'));
  const paths = files.map(([name, groups]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, YAML.stringify({ groups }));
    return file;
  });
  console.log(`checking ${ruleCount} alerting/recording rules and ${panelCount} dashboard and canary analysis queries in ${paths.length} files (${dir})`);
  const r = spawnSync('promtool', ['check', 'rules', '--lint-fatal', ...paths], { encoding: 'utf8' });
  if (r.error) {
    console.error(`promtool not found (${r.error.message}): apt-get install -y --no-install-recommends prometheus`);
    process.exit(1);
  }
  process.stdout.write(r.stdout ?? '');
  process.stdout.write(r.stderr ?? '');
  if (r.status !== 0) process.exit(1);
}

main();
