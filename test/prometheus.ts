// Tests against a real Prometheus (Debian package `prometheus`: the server and promtool). The README's test
// command must pass where the package is missing: such suites are then skipped and say so on the console.
// CI installs the package before the tests (.ci/run) and sets CDK8S_ISTIO_REQUIRE_PROMETHEUS=1, which turns a
// missing binary into a failure instead of a skip.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** Whether `name` is on PATH (checked when jest runs the file). */
export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * `describe` when every binary is on PATH; otherwise one skipped test names the suite, plus a visible
 * message (or a failing test, when CDK8S_ISTIO_REQUIRE_PROMETHEUS is set: CI must not skip them).
 */
export function describeWithBinaries(binaries: string[], name: string, fn: () => void): void {
  const missing = binaries.filter((b) => !hasBinary(b));
  if (missing.length === 0) {
    describe(name, fn);
  } else if (process.env.CDK8S_ISTIO_REQUIRE_PROMETHEUS) {
    describe(name, () => test(`needs ${missing.join(', ')} (CDK8S_ISTIO_REQUIRE_PROMETHEUS is set)`, () => {
      throw new Error(`${missing.join(', ')} not on PATH: apt-get install prometheus`);
    }));
  } else {
    // eslint-disable-next-line no-console
    console.warn(`SKIPPED "${name}": ${missing.join(', ')} not on PATH (Debian package prometheus); .ci/run installs it`);
    describe(name, () => test.skip(`needs ${missing.join(', ')} (apt-get install prometheus)`, () => undefined));
  }
}

/** A loopback port free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A Prometheus server on a loopback port, serving TSDB blocks made from OpenMetrics text. */
export interface TestPrometheus {
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * Builds TSDB blocks from `openMetrics` (`promtool tsdb create-blocks-from openmetrics`), starts
 * `prometheus` on them on a free loopback port and waits until it is ready.
 */
export async function startPrometheus(openMetrics: string): Promise<TestPrometheus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-prom-'));
  const input = path.join(dir, 'series.om.txt');
  const data = path.join(dir, 'data');
  fs.writeFileSync(input, openMetrics);
  const created = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, data], { encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`promtool tsdb create-blocks-from failed: ${created.stderr}${created.stdout}`);
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(config, 'global: {}\nscrape_configs: []\n');
  const port = await freePort();
  const proc: ChildProcess = spawn('prometheus', [
    `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, `--config.file=${config}`,
    '--storage.tsdb.retention.time=100y', '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (b) => { log += b; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited (${proc.exitCode}): ${log}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`prometheus not ready after 30 s: ${log}`); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    dir,
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null) { resolve(); return; }
      proc.once('exit', () => { fs.rmSync(dir, { recursive: true, force: true }); resolve(); });
      proc.kill('SIGTERM');
    }),
  };
}
