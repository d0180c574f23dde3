/**
 * Kiali's manifest-only validations and the misconfigurations Istio users report most, with Istio 1.30's
 * own semantics (not Kiali's approximations: RequestAuthentications merge, so several are fine;
 * workloadSelector DestinationRules and wildcard hosts are not duplicates). One function per rule over the
 * index (`_mesh-index.ts`); registered in `_rules.ts`.
 */
import { _MeshInput, RuleContext, items, nameOf, nsOf, portProtocol, selectorMatches } from './_mesh-index';
import { ValidationSeverity } from './conformance';

const E = ValidationSeverity.ERROR;
const W = ValidationSeverity.WARNING;

function selectorKey(sel: unknown): string {
  return sel && typeof sel === 'object' ? JSON.stringify(Object.entries(sel as Record<string, unknown>).sort()) : '';
}

/**
 * KIA0002 / KIA0003: several namespace-wide PeerAuthentications in one namespace, or several with the
 * same selector: Istio applies the oldest one only (RequestAuthentications are merged, so not reported).
 */
export function checkPeerAuthenticationConflicts(c: RuleContext): void {
  const groups = new Map<string, _MeshInput[]>();
  for (const pa of c.ix.peerAuthentications) {
    const spec = pa.doc.spec ?? {};
    if (spec.targetRef || spec.targetRefs) continue;
    const key = `${nsOf(pa.doc)}|${selectorKey(spec.selector?.matchLabels)}`;
    const list = groups.get(key) ?? [];
    if (!list.some((o) => nameOf(o.doc) === nameOf(pa.doc))) list.push(pa);
    groups.set(key, list);
  }
  for (const [key, list] of groups) {
    if (list.length < 2) continue;
    const selectorless = key.endsWith('|');
    const names = list.map((p) => nameOf(p.doc)).sort();
    for (const pa of list) {
      c.report(pa, selectorless ? 'KIA0002' : 'KIA0003', E, selectorless ? 'spec' : 'spec.selector',
        `${selectorless ? 'More than one namespace-wide PeerAuthentication' : 'More than one PeerAuthentication with the same selector'} in namespace ${nsOf(pa.doc)} (${names.join(', ')}): Istio applies the oldest one only. Fix: merge them into one (port-level settings go in portLevelMtls)`);
    }
  }
}

/** Services of the input in a namespace whose selector picks pods with `labels` (every selector label matches). */
function servicesSelecting(c: RuleContext, ns: string, labels: Record<string, unknown>): _MeshInput[] {
  return (c.ix.servicesByNamespace.get(ns) ?? []).filter((s) => {
    const sel = s.doc.spec?.selector;
    return sel && typeof sel === 'object' && Object.keys(sel).length > 0 && selectorMatches(sel, labels);
  });
}

/**
 * MESH304: a PeerAuthentication `portLevelMtls` key that is a Service port of the selected workloads but not
 * a workload (target) port: Istio keys port-level mTLS by the port the workload listens on, so the setting
 * never applies.
 */
export function checkPortLevelMtls(c: RuleContext): void {
  for (const pa of c.ix.peerAuthentications) {
    const spec = pa.doc.spec ?? {};
    const labels = spec.selector?.matchLabels;
    if (!spec.portLevelMtls || !labels) continue;
    const servicePortOf = servicePortsNotTargets(c, nsOf(pa.doc), labels);
    for (const key of Object.keys(spec.portLevelMtls)) {
      const target = servicePortOf(key);
      if (target === undefined) continue;
      c.report(pa, 'MESH304', E, `spec.portLevelMtls["${key}"]`,
        `portLevelMtls is keyed by the workload port, but ${key} is the Service port (its targetPort is ${target}): the setting never applies. Fix: key it by ${target}`);
    }
  }
}

/**
 * For the workloads `labels` select (by the input's Services in `ns`): a function telling whether a port is a
 * Service port that is not a workload (target) port, returning that Service port's numeric targetPort.
 */
function servicePortsNotTargets(c: RuleContext, ns: string, labels: Record<string, unknown>): (port: unknown) => number | undefined {
  const ports = servicesSelecting(c, ns, labels).flatMap((s) => items(s.doc.spec?.ports));
  const targets = new Set(ports.map((p) => Number(p?.targetPort ?? p?.port)));
  return (port) => {
    const n = Number(port);
    const svcPort = ports.find((p) => p?.port === n);
    return !svcPort || targets.has(n) || typeof svcPort.targetPort !== 'number' ? undefined : svcPort.targetPort;
  };
}

/**
 * MESH307: an AuthorizationPolicy `ports`/`notPorts` entry that is a Service port of the selected workloads
 * but not their workload (target) port: Istio matches the port the workload receives on, so the entry never
 * matches (ALLOW: the traffic stays refused).
 */
export function checkAuthorizationPorts(c: RuleContext): void {
  for (const ap of c.ix.authorizationPolicies) {
    const spec = ap.doc.spec ?? {};
    const labels = spec.selector?.matchLabels;
    if (!labels) continue;
    const servicePortOf = servicePortsNotTargets(c, nsOf(ap.doc), labels);
    items(spec.rules).forEach((r, i) => items(r?.to).forEach((t, j) => {
      for (const field of ['ports', 'notPorts']) {
        items(t?.operation?.[field]).forEach((p, k) => {
          const target = servicePortOf(p);
          if (target === undefined) return;
          c.report(ap, 'MESH307', E, `spec.rules[${i}].to[${j}].operation.${field}[${k}]`,
            `AuthorizationPolicy ports are the workload's ports, but ${String(p)} is the Service port (its targetPort is ${target}): the entry never matches. Fix: use ${target}`);
        });
      }
    }));
  }
}

/** Request attributes a TCP connection does not have. */
const HTTP_OPERATION = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];

/**
 * MESH303: an AuthorizationPolicy rule that names a TCP port of the selected workloads (by the input's
 * Services) together with HTTP-only fields: on that port the rule never matches (ALLOW: the traffic is
 * refused; DENY: Istio denies the whole port, as its webhook warns).
 */
export function checkHttpFieldsOnTcpPorts(c: RuleContext): void {
  for (const ap of c.ix.authorizationPolicies) {
    const labels = ap.doc.spec?.selector?.matchLabels;
    if (!labels) continue;
    const protocolByTarget = new Map<number, string | undefined>();
    for (const s of servicesSelecting(c, nsOf(ap.doc), labels)) {
      for (const p of items(s.doc.spec?.ports)) protocolByTarget.set(Number(p?.targetPort ?? p?.port), portProtocol(p));
    }
    items(ap.doc.spec?.rules).forEach((rule, i) => {
      const httpWhen = items(rule?.when).some((w) => typeof w?.key === 'string' && w.key.startsWith('request.'));
      const httpFrom = items(rule?.from).some((f) => f?.source?.requestPrincipals || f?.source?.notRequestPrincipals);
      items(rule?.to).forEach((t, j) => {
        const op = t?.operation ?? {};
        const http = HTTP_OPERATION.some((k) => items(op[k]).length > 0) || httpWhen || httpFrom;
        if (!http) return;
        for (const port of items(op.ports)) {
          const proto = protocolByTarget.get(Number(port));
          if (!protocolByTarget.has(Number(port)) || (proto !== undefined && proto !== 'tcp' && proto !== 'mongo' && proto !== 'mysql' && proto !== 'redis')) continue;
          c.report(ap, 'MESH303', W, `spec.rules[${i}].to[${j}].operation.ports`,
            `Port ${port} is a TCP port of the selected workloads (${proto ?? 'no protocol Istio can select'}), but the rule also matches HTTP attributes (methods, paths, hosts, request principals or request.* conditions): on a TCP port the rule never matches. Fix: name the port for its HTTP protocol (e.g. "http-..." or appProtocol: http), or drop the HTTP fields for this port`);
        }
      });
    });
  }
}

/** What each built-in provider does (Istio's default meshConfig extension providers). */
const BUILT_IN_KINDS: Record<string, readonly string[]> = {
  prometheus: ['metrics'],
  envoy: ['accessLogging'],
  stackdriver: ['metrics', 'accessLogging', 'tracing'],
};

/** MESH305: a Telemetry naming a built-in provider in a section it does not serve (prometheus in tracing...): it does nothing. */
export function checkProviderKinds(c: RuleContext): void {
  for (const t of c.ix.telemetries) {
    for (const section of ['tracing', 'accessLogging', 'metrics']) {
      items(t.doc.spec?.[section]).forEach((s, i) => {
        items(s?.providers).forEach((p, j) => {
          const serves = BUILT_IN_KINDS[p?.name];
          if (!serves || serves.includes(section) || c.options.providers?.has(p.name)) return;
          c.report(t, 'MESH305', E, `spec.${section}[${i}].providers[${j}].name`,
            `The built-in provider "${p.name}" serves ${serves.join(', ')} only: named in ${section}, it does nothing. Fix: name a ${section} provider of meshConfig.extensionProviders (e.g. ${section === 'tracing' ? 'an OpenTelemetry or Zipkin provider' : section === 'metrics' ? 'prometheus' : 'envoy'})`);
        });
      });
    }
  }
}

/**
 * MESH306: an AuthorizationPolicy principal written as a SPIFFE URI. Istio prepends `spiffe://` to every
 * principal that does not start with `*` (pilot/pkg/security/authz/matcher StringMatcherWithPrefix), so
 * `spiffe://cluster.local/ns/a/sa/b` is matched as `spiffe://spiffe://...`: it never matches (an ALLOW
 * rule admits nobody, a DENY rule denies nobody, a `notPrincipals` entry excludes nobody).
 */
export function checkSpiffePrincipals(c: RuleContext): void {
  for (const ap of c.ix.authorizationPolicies) {
    items(ap.doc.spec?.rules).forEach((rule, i) => {
      items(rule?.from).forEach((f, j) => {
        for (const k of ['principals', 'notPrincipals']) {
          items(f?.source?.[k]).forEach((v, m) => {
            if (typeof v !== 'string' || !v.startsWith('spiffe://')) return;
            c.report(ap, 'MESH306', ValidationSeverity.ERROR, `spec.rules[${i}].from[${j}].source.${k}[${m}]`,
              `Principal "${v}" is a SPIFFE URI: Istio prepends spiffe:// to principals, so it matches "spiffe://${v}", which no peer has: the entry never matches. Fix: write "${v.slice('spiffe://'.length)}"`);
          });
        }
      });
    });
  }
}
