/**
 * Kiali's Kubernetes-object validations (Services and their Deployments, Gateway API Gateways, routes and
 * ReferenceGrants) and istioctl's IST0116/IST0162, with Istio 1.30's and Kubernetes' own semantics rather than
 * Kiali's approximations. Internal: registered in `_rules.ts` (`_KIALI_K8S_RULES`), run once by the engine;
 * each function is one pass over the index (`_mesh-index.ts`) plus a lookup per port, listener or reference.
 *
 * Where the semantics come from:
 * - Kubernetes (`podutil.FindPort`): a named `targetPort` resolves through the pod's container ports of that
 *   name and protocol (containers and restartable init containers); a pod without it is not an endpoint. A
 *   numeric `targetPort` needs no `containerPort` (it is informational).
 * - istio/istio 1.30.3 pilot/pkg/networking/core/listener_inbound.go (`reportInboundConflict`): a sidecar
 *   builds one inbound chain per target port; two Services of a pod on one target port with different
 *   protocols conflict and the oldest Service's protocol wins (IST0116, keyed by target port and Istio's
 *   protocol, not istioctl's Kubernetes `protocol` field).
 * - pilot/pkg/model/gateway.go (`resolvePorts`): a Gateway server port that is a port of the gateway's
 *   Service is translated to its target port, else bound as is (IST0162).
 * - pilot/pkg/config/kube/gatewaycommon (`IsManaged`, `GetBuiltinGatewayClasses`): a Gateway API Gateway
 *   without addresses or with one IP address gets its own Deployment and Service (that IP as
 *   `loadBalancerIP`); with a Hostname address (or several) it binds to that existing Service, shared with
 *   the other Gateways bound to it. Built-in classes: `istio`, `istio-remote`, `istio-waypoint`, and with
 *   their flags `istio-east-west`, `istio-agentgateway`.
 * - pilot/pkg/config/kube/gateway/conversion.go (`buildDestination`): a Service backend named with dots is
 *   refused ("the name of the Service must be used, not the hostname").
 */
import { _field as field, _list as list, _namespaceOfDoc as docNs, _text as text } from './_json';
import { kiali, _KialiCoverage } from './_kiali-coverage';
import { _MeshInput, _Pod, RuleContext, _ServicePort, closest, nameOf, nsOf, portProtocol, push, selectorMatches } from './_mesh-index';
import { _apiGroup } from './_objects';
import type { _RuleDefinition } from './_rules';
import { ValidationSeverity } from './conformance';

const W = ValidationSeverity.WARNING;
const E = ValidationSeverity.ERROR;
const GW_GROUP = 'gateway.networking.k8s.io';
const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);
/** GatewayClasses istiod creates (the last two behind AMBIENT_ENABLE_MULTI_NETWORK and PILOT_ENABLE_AGENTGATEWAY). */
const BUILT_IN_CLASSES = ['istio', 'istio-remote', 'istio-waypoint', 'istio-east-west', 'istio-agentgateway'];
const NO_PORT_TRANSLATION = 'experimental.istio.io/disable-gateway-port-translation';

type Labels = Record<string, unknown>;

function labelsOf(v: unknown): Labels {
  return v !== null && typeof v === 'object' ? v as Labels : {};
}


/** A Service's non-empty selector, or undefined (no selector: endpoints managed by hand). */
function serviceSelector(svc: _MeshInput): Labels | undefined {
  const sel = labelsOf(field(svc.doc, 'spec', 'selector'));
  return Object.keys(sel).length > 0 ? sel : undefined;
}

/** What these rules read of a pod's containers, computed once per pod. */
interface PodContainers {
  /** Containers and restartable (sidecar) init containers: those whose ports the pod exposes. */
  readonly containers: unknown[];
  /** Their ports, with the protocol (TCP when unset). */
  readonly ports: Array<{ name?: string; number: unknown; protocol: string }>;
}
const POD_CONTAINERS = new WeakMap<_Pod, PodContainers>();

function podContainers(p: _Pod): PodContainers {
  let pc = POD_CONTAINERS.get(p);
  if (pc) return pc;
  // the pod spec beside the pod metadata (`metadata` -> `spec`, `spec.template.metadata` -> `spec.template.spec`)
  const podSpec = field(p.input.doc, ...p.path.split('.').slice(0, -1), 'spec');
  const containers = [...list(field(podSpec, 'containers')), ...list(field(podSpec, 'initContainers')).filter((c) => field(c, 'restartPolicy') === 'Always')];
  const ports = containers.flatMap((c) => list(field(c, 'ports')).map((cp) => ({
    name: text(field(cp, 'name')), number: field(cp, 'containerPort'), protocol: text(field(cp, 'protocol')) ?? 'TCP',
  })));
  pc = { containers, ports };
  POD_CONTAINERS.set(p, pc);
  return pc;
}

function containersOf(p: _Pod): unknown[] {
  return podContainers(p).containers;
}

function containerPorts(p: _Pod): PodContainers['ports'] {
  return podContainers(p).ports;
}

/** Pods the injector completes (`image: auto`: the gateway template adds the proxy and its ports). */
function injectorFilled(p: _Pod): boolean {
  return containersOf(p).some((c) => field(c, 'image') === 'auto');
}

/** A Service port's target: its number, or the container port name it resolves through. */
function targetOf(port: unknown): number | string | undefined {
  const t = field(port, 'targetPort') ?? field(port, 'port');
  return typeof t === 'number' || typeof t === 'string' ? t : undefined;
}

/**
 * Pods and Services by label pair, built once per run: a selector's candidates are the pods carrying its first
 * pair, a pod's candidate Services those whose selector starts with one of its pairs (no all-pairs scan).
 */
interface SelectorIndex {
  /** `ns|k=v` (and `*|k=v` for every namespace) -> pods with that label. */
  readonly pods: Map<string, _Pod[]>;
  /** `ns|k=v` of the selector's first (sorted) pair -> Services. */
  readonly services: Map<string, _MeshInput[]>;
}
const SELECTOR_INDEXES = new WeakMap<object, SelectorIndex>();

function pairKey(scope: string, k: string, v: unknown): string {
  return `${scope}|${k}=${String(v)}`;
}

function selectorIndex(c: RuleContext): SelectorIndex {
  let ix = SELECTOR_INDEXES.get(c.ix);
  if (ix) return ix;
  ix = { pods: new Map(), services: new Map() };
  for (const [ns, pods] of c.ix.podsByNamespace) {
    for (const p of pods) {
      for (const [k, v] of Object.entries(p.labels)) {
        push(ix.pods, pairKey(ns, k, v), p);
        push(ix.pods, pairKey('*', k, v), p);
      }
    }
  }
  for (const svc of c.ix.services.values()) {
    const sel = serviceSelector(svc);
    if (!sel) continue;
    const [k] = Object.keys(sel).sort();
    push(ix.services, pairKey(nsOf(svc.doc), k, sel[k]), svc);
  }
  SELECTOR_INDEXES.set(c.ix, ix);
  return ix;
}

/** The pods of the input with every label of `selector`, in namespace `scope` (`*`: every namespace). */
function podsSelected(c: RuleContext, scope: string, selector: Labels): _Pod[] {
  const [k] = Object.keys(selector).sort();
  if (k === undefined) return [];
  return (selectorIndex(c).pods.get(pairKey(scope, k, selector[k])) ?? []).filter((p) => selectorMatches(selector, p.labels));
}

/** The Services of the input in a namespace that select pods with `labels`. */
function servicesSelecting(c: RuleContext, ns: string, labels: Labels): _MeshInput[] {
  const ix = selectorIndex(c);
  const found = new Set<_MeshInput>();
  for (const [k, v] of Object.entries(labels)) {
    for (const s of ix.services.get(pairKey(ns, k, v)) ?? []) if (selectorMatches(serviceSelector(s)!, labels)) found.add(s);
  }
  return [...found];
}

/** A pod's container port names -> numbers (how a named target port resolves). */
function namedPorts(p: _Pod): Map<string, unknown> {
  return new Map(containerPorts(p).filter((cp) => cp.name !== undefined).map((cp) => [cp.name!, cp.number]));
}

/** The pods of the input a Service selects (in its namespace). */
function podsOf(c: RuleContext, svc: _MeshInput): _Pod[] {
  const sel = serviceSelector(svc);
  return sel ? podsSelected(c, nsOf(svc.doc), sel) : [];
}

/**
 * KIA0701 (a numeric target port none of the selected containers declares, while they declare others) and
 * MESH410 (a named target port no selected pod defines: those pods are no endpoints of the Service).
 */
function checkTargetPorts(c: RuleContext): void {
  for (const svc of c.ix.services.values()) {
    const ns = nsOf(svc.doc);
    if (ns === c.root || field(svc.doc, 'spec', 'type') === 'ExternalName' || field(svc.doc, 'metadata', 'labels', 'gateway.istio.io/managed') !== undefined) continue;
    const pods = podsOf(c, svc).filter((p) => !injectorFilled(p));
    if (pods.length === 0) continue; // the Service's workloads are not in the input: not decidable
    const workloads = () => [...new Set(pods.map((p) => `${p.input.doc.kind}/${nameOf(p.input.doc)}`))].sort().join(', ');
    const allPorts = pods.flatMap(containerPorts);
    list(field(svc.doc, 'spec', 'ports')).forEach((port, i) => {
      const protocol = text(field(port, 'protocol')) ?? 'TCP';
      const target = targetOf(port);
      const declared = allPorts.filter((cp) => cp.protocol === protocol);
      const at = field(port, 'targetPort') !== undefined ? `spec.ports[${i}].targetPort` : `spec.ports[${i}]`;
      if (typeof target === 'string') {
        if (declared.some((cp) => cp.name === target)) return;
        c.report(svc, 'MESH410', E, at,
          `Service ${ns}/${nameOf(svc.doc)} port ${field(port, 'port')} targets the container port named "${target}", which no container of the pods it selects (${workloads()}) defines (${protocol}): Kubernetes cannot resolve it, so these pods are no endpoints of the port and requests fail (no healthy upstream). Fix: name the container port "${target}" or set targetPort to the number the container listens on`);
      } else if (typeof target === 'number' && declared.length > 0 && !declared.some((cp) => cp.number === target)) {
        const numbers = [...new Set(declared.map((cp) => cp.number))].join(', ');
        c.report(svc, 'KIA0701', W, at,
          `Service ${ns}/${nameOf(svc.doc)} port ${field(port, 'port')} targets port ${target}, which no container of the pods it selects (${workloads()}) declares (they declare ${numbers}): if the application listens on a declared port, requests to ${target} are refused. Fix: set targetPort to the port the container listens on, or declare containerPort ${target}`);
      }
    });
  }
}

/** Whether a pod gets a sidecar, as far as the input tells (undefined: its namespace is not in the input). */
function sidecarInjected(c: RuleContext, p: _Pod): boolean | undefined {
  const own = p.labels['sidecar.istio.io/inject'] ?? p.annotations['sidecar.istio.io/inject'];
  if (own !== undefined) return own === 'true';
  if (containersOf(p).some((ct) => field(ct, 'name') === 'istio-proxy' && field(ct, 'image') !== undefined)) return true;
  const ns = c.ix.namespaces.get(nsOf(p.input.doc));
  if (!ns) return undefined;
  const labels = labelsOf(field(ns.doc, 'metadata', 'labels'));
  if (labels['istio-injection'] !== undefined) return labels['istio-injection'] === 'enabled';
  return typeof labels['istio.io/rev'] === 'string' && labels['istio.io/rev'] !== '';
}

/** IST0116: a sidecar pod behind several Services that give one target port different protocols. */
function checkMultipleServices(c: RuleContext): void {
  const seen = new Set<string>();
  for (const [ns, pods] of c.ix.podsByNamespace) {
    if ((c.ix.servicesByNamespace.get(ns) ?? []).length < 2) continue;
    for (const p of pods) {
      const services = servicesSelecting(c, ns, p.labels);
      if (services.length < 2) continue;
      const key = `${p.input.doc.kind}|${ns}|${nameOf(p.input.doc)}`;
      if (seen.has(key) || sidecarInjected(c, p) !== true) continue;
      seen.add(key);
      // target port -> protocol -> Services
      const byTarget = new Map<string, Map<string, Set<string>>>();
      const named = namedPorts(p);
      for (const svc of services) {
        for (const port of list(field(svc.doc, 'spec', 'ports'))) {
          const protocol = portProtocol(port as _ServicePort);
          if (protocol === 'udp') continue; // sidecars do not capture UDP
          const t = targetOf(port);
          const target = String(typeof t === 'string' && named.has(t) ? named.get(t) : t);
          const protocols = byTarget.get(target) ?? new Map<string, Set<string>>();
          const names = protocols.get(protocol ?? 'auto-detected') ?? new Set<string>();
          names.add(`${ns}/${nameOf(svc.doc)}`);
          protocols.set(protocol ?? 'auto-detected', names);
          byTarget.set(target, protocols);
        }
      }
      for (const [target, protocols] of [...byTarget].sort(([a], [b]) => a.localeCompare(b))) {
        const all = new Set([...protocols.values()].flatMap((s) => [...s]));
        if (protocols.size < 2 || all.size < 2) continue;
        const what = [...protocols].map(([proto, names]) => `${proto} (${[...names].sort().join(', ')})`).sort().join(', ');
        c.report(p.input, 'IST0116', W, `${p.path}.labels`,
          `This workload ${ns}/${nameOf(p.input.doc)} is associated with multiple services using target port ${target} but different protocols: ${what}. Its sidecar builds one inbound listener per target port and takes the oldest Service's protocol. Fix: give the port the same protocol (port name or appProtocol) in every Service that selects the workload`);
      }
    }
  }
}

const WORKLOAD_FILES = new WeakMap<object, Map<string, Set<string | undefined>>>();

function workloadKey(p: _Pod): string {
  return `${p.input.doc.kind}|${nsOf(p.input.doc)}|${nameOf(p.input.doc)}`;
}

/** Workload (`kind|ns|name`) -> the files defining it; several: the input holds alternatives (a folder of examples). */
function workloadFiles(c: RuleContext): Map<string, Set<string | undefined>> {
  let files = WORKLOAD_FILES.get(c.ix);
  if (files) return files;
  files = new Map();
  for (const p of [...c.ix.podsByNamespace.values()].flat()) {
    const set = files.get(workloadKey(p)) ?? new Set<string | undefined>();
    set.add(p.input.file);
    files.set(workloadKey(p), set);
  }
  WORKLOAD_FILES.set(c.ix, files);
  return files;
}

/**
 * The gateway pods of a Gateway and the Services of each. A workload defined in several files is an
 * alternative: the Gateway takes the copy in its own file when there is one, and a copy the Services of its
 * own file (another author's gateway Service says nothing about this one's).
 */
function gatewayPodServices(c: RuleContext, gw: _MeshInput, selector: Labels): Array<{ pod: _Pod; services: _MeshInput[] }> {
  const files = workloadFiles(c);
  const alternative = (p: _Pod) => (files.get(workloadKey(p))?.size ?? 0) > 1;
  const pods = podsSelected(c, '*', selector);
  const own = pods.some((p) => alternative(p) && p.input.file === gw.file);
  return pods.filter((p) => !alternative(p) || !own || p.input.file === gw.file).map((pod) => ({
    pod,
    services: servicesSelecting(c, nsOf(pod.input.doc), pod.labels).filter((s) => !alternative(pod) || s.file === pod.input.file),
  }));
}

/** IST0162: a Gateway server port that the Services of its pods (in the input) neither expose nor target. */
function checkGatewayServicePorts(c: RuleContext): void {
  for (const gw of c.ix.gateways.values()) {
    const selector = labelsOf(field(gw.doc, 'spec', 'selector'));
    if (Object.keys(selector).length === 0) continue;
    const accepted = new Set<unknown>();
    let services = 0;
    for (const { pod: p, services: selecting } of gatewayPodServices(c, gw, selector)) {
      const named = namedPorts(p);
      for (const svc of selecting) {
        services++;
        const translated = field(svc.doc, 'metadata', 'labels', NO_PORT_TRANSLATION) === undefined;
        for (const port of list(field(svc.doc, 'spec', 'ports'))) {
          if ((text(field(port, 'protocol')) ?? 'TCP') !== 'TCP') continue;
          const t = targetOf(port);
          accepted.add(typeof t === 'string' ? named.get(t) : t);
          if (translated) accepted.add(field(port, 'port'));
        }
      }
    }
    if (services === 0) continue; // the gateway's Service is not in the input: not decidable
    const sel = Object.entries(selector).map(([k, v]) => `${k}=${v}`).sort().join(',');
    list(field(gw.doc, 'spec', 'servers')).forEach((server, i) => {
      const number = field(server, 'port', 'number');
      if (number === undefined || accepted.has(number)) return;
      c.report(gw, 'IST0162', W, `spec.servers[${i}].port.number`,
        `The gateway is listening on a target port (port ${number}) that is not defined in the Service associated with its workload instances (Pod selector ${sel}): it is not reachable through the gateway Service. Fix: add port ${number} (or a port targeting it) to the gateway's Service, or use one of the Service's ports`);
    });
  }
}

/** The Gateway API objects these rules read, from one pass over the inputs. */
interface K8sGatewayIndex {
  readonly gateways: _MeshInput[];
  readonly classes: Set<string>;
  readonly routes: _MeshInput[];
  readonly grants: _MeshInput[];
}

function indexK8sGateways(inputs: readonly _MeshInput[]): K8sGatewayIndex {
  const ix: K8sGatewayIndex = { gateways: [], classes: new Set(BUILT_IN_CLASSES), routes: [], grants: [] };
  for (const input of inputs) {
    const kind = text(field(input.doc, 'kind'));
    if (!kind || _apiGroup(input.doc) !== GW_GROUP) continue;
    if (kind === 'Gateway') ix.gateways.push(input);
    else if (kind === 'GatewayClass') ix.classes.add(nameOf(input.doc));
    else if (kind === 'ReferenceGrant') ix.grants.push(input);
    else if (ROUTE_KINDS.has(kind)) ix.routes.push(input);
  }
  return ix;
}

/** `ns/name`, deduplicated (one object given twice is one Gateway). */
function gwKey(gw: _MeshInput): string {
  return `${docNs(gw.doc)}/${nameOf(gw.doc)}`;
}

/** The single IP address a managed Gateway asks for, or undefined. */
function requestedIp(gw: _MeshInput): string | undefined {
  const addresses = list(field(gw.doc, 'spec', 'addresses'));
  if (addresses.length !== 1 || (text(field(addresses[0], 'type')) ?? 'IPAddress') !== 'IPAddress') return undefined;
  return text(field(addresses[0], 'value'));
}

/** The existing Service(s) an unmanaged Gateway binds to (its addresses), or undefined for a managed one. */
function boundAddresses(gw: _MeshInput): string | undefined {
  const addresses = list(field(gw.doc, 'spec', 'addresses'));
  if (addresses.length === 0 || requestedIp(gw) !== undefined || (addresses.length === 1 && field(addresses[0], 'value') === undefined)) return undefined;
  return addresses.map((a) => `${text(field(a, 'type')) ?? 'IPAddress'}:${text(field(a, 'value')) ?? ''}`).sort().join(',');
}

function others(group: Map<string, _MeshInput>, self: string): string {
  return [...group.keys()].filter((k) => k !== self).sort().join(', ');
}

/** KIA1504 (unknown GatewayClass), KIA1502 (one IP asked by two Gateways), KIA1501 (one listener on a shared gateway Service). */
function checkK8sGateways(c: RuleContext): void {
  const ix = indexK8sGateways(c.inputs);
  const byIp = new Map<string, Map<string, _MeshInput>>();
  const byListener = new Map<string, Map<string, _MeshInput>>();
  const listeners: Array<{ gw: _MeshInput; slot: string; i: number; port: unknown; host: string; bound: string }> = [];
  for (const gw of ix.gateways) {
    const cls = text(field(gw.doc, 'spec', 'gatewayClassName'));
    if (cls !== undefined && !ix.classes.has(cls)) {
      c.report(gw, 'KIA1504', W, 'spec.gatewayClassName',
        `GatewayClass "${cls}" is neither one of Istio's (${BUILT_IN_CLASSES.join(', ')}) nor defined in the input: unless another controller installs it, no controller programs this Gateway. Fix: use gatewayClassName istio${closest(cls, ix.classes) ? ` (did you mean "${closest(cls, ix.classes)}"?)` : ''}, define the GatewayClass, or suppress KIA1504 for a class another controller owns`);
    }
    const ip = requestedIp(gw);
    if (ip !== undefined) {
      const group = byIp.get(ip) ?? new Map<string, _MeshInput>();
      group.set(gwKey(gw), gw);
      byIp.set(ip, group);
    }
    const bound = boundAddresses(gw);
    if (bound === undefined) continue; // its own Deployment and Service: no listener is shared
    list(field(gw.doc, 'spec', 'listeners')).forEach((l, i) => {
      const host = text(field(l, 'hostname')) ?? '*';
      const slot = `${bound}|${field(l, 'port')}|${host}`;
      const group = byListener.get(slot) ?? new Map<string, _MeshInput>();
      group.set(gwKey(gw), gw);
      byListener.set(slot, group);
      listeners.push({ gw, slot, i, port: field(l, 'port'), host, bound });
    });
  }
  for (const [ip, group] of byIp) {
    if (group.size < 2) continue;
    for (const [key, gw] of group) {
      c.report(gw, 'KIA1502', W, 'spec.addresses[0].value',
        `Gateways ${[...group.keys()].sort().join(', ')} all ask for IP address ${ip}: Istio gives each its own LoadBalancer Service with that loadBalancerIP, and the load balancer assigns it to one of them (the others stay pending unless it shares IPs). Fix: give each Gateway its own address, or serve the listeners from one Gateway (other: ${others(group, key)})`);
    }
  }
  for (const l of listeners) {
    const group = byListener.get(l.slot)!;
    if (group.size < 2) continue;
    c.report(l.gw, 'KIA1501', W, `spec.listeners[${l.i}]`,
      `Gateways ${[...group.keys()].sort().join(', ')} bind to the same gateway Service (${l.bound.replace(/^[A-Za-z]+:/, '')}) and each has a listener for hostname ${l.host} on port ${l.port}: the gateway serves one of them (for TLS one certificate, for HTTP one route table), which one is undefined. Fix: keep the listener in one Gateway and attach the routes of both to it`);
  }
  checkBackendNames(c, ix);
  checkGrantNamespaces(c, ix);
}

/** KIA1402: a Service backend or mirror named with dots (a hostname), or an Istio Hostname one with a namespace: Istio refuses both. */
function checkBackendNames(c: RuleContext, ix: K8sGatewayIndex): void {
  for (const route of ix.routes) {
    const check = (ref: unknown, path: string) => {
      const name = text(field(ref, 'name'));
      const kind = text(field(ref, 'kind')) ?? 'Service';
      const group = text(field(ref, 'group')) ?? '';
      if (kind === 'Hostname' && group === 'networking.istio.io' && field(ref, 'namespace') !== undefined) {
        c.report(route, 'KIA1402', E, `${path}.namespace`,
          `${field(route.doc, 'kind')} backend Hostname "${name}" sets a namespace: Istio refuses it ("namespace may not be set with Hostname type") and the rule gets no backend. Fix: remove the namespace (a Hostname is looked up among the ServiceEntries visible to the route)`);
        return;
      }
      if (!name?.includes('.') || kind !== 'Service' || group !== '') return;
      const m = /^([^.]+)\.([^.]+)(\.svc(\.cluster\.local)?)?$/.exec(name);
      const fix = m ? `name: ${m[1]}, namespace: ${m[2]} (with a ReferenceGrant there when it is another namespace)` : 'kind: Hostname, group: networking.istio.io for a ServiceEntry host, or the Service\'s own name';
      c.report(route, 'KIA1402', E, `${path}.name`,
        `${field(route.doc, 'kind')} backend "${name}" is a hostname, not a Service name: Istio refuses it ("service name invalid; the name of the Service must be used, not the hostname") and the rule gets no backend. Fix: ${fix}`);
    };
    list(field(route.doc, 'spec', 'rules')).forEach((rule, i) => {
      list(field(rule, 'backendRefs')).forEach((b, j) => check(b, `spec.rules[${i}].backendRefs[${j}]`));
      list(field(rule, 'filters')).forEach((f, j) => {
        if (field(f, 'requestMirror', 'backendRef') !== undefined) check(field(f, 'requestMirror', 'backendRef'), `spec.rules[${i}].filters[${j}].requestMirror.backendRef`);
      });
    });
  }
}

/** KIA1601: a ReferenceGrant `from` namespace the input does not define, one or two edits from one it does (a typo). */
function checkGrantNamespaces(c: RuleContext, ix: K8sGatewayIndex): void {
  for (const grant of ix.grants) {
    list(field(grant.doc, 'spec', 'from')).forEach((from, i) => {
      const ns = text(field(from, 'namespace'));
      if (ns === undefined || c.ix.definedNamespaces.has(ns)) return;
      const near = closest(ns, c.ix.definedNamespaces);
      if (!near) return;
      c.report(grant, 'KIA1601', W, `spec.from[${i}].namespace`,
        `ReferenceGrant ${docNs(grant.doc)}/${nameOf(grant.doc)} allows ${text(field(from, 'kind'))}s from namespace "${ns}", which the input does not define; it defines "${near}": the grant allows nothing the input references. Fix: did you mean "${near}"?`);
    });
  }
}

/** The rules, for the registry (`_rules.ts`). @internal */
export const _KIALI_K8S_RULES: readonly _RuleDefinition[] = [
  {
    id: 'KIA0701',
    severity: W,
    check: checkTargetPorts,
    mirrors: 'Kiali KIA0701 (Deployment exposing same port as Service not found)',
    catches: 'a Service port\'s numeric `targetPort` (or `port`) that no container of the pods it selects in the input declares while they declare other ports (a `containerPort` is informational, so containers without ports, gateways the injector completes (`image: auto`) and Istio\'s root namespace are not reported)',
  },
  {
    id: 'MESH410',
    severity: E,
    check: checkTargetPorts,
    mirrors: 'this library (Kubernetes `FindPort`; Kiali KIA0701 for named ports)',
    catches: 'a Service port\'s named `targetPort` that no container (or sidecar init container) of the pods it selects in the input defines with that protocol: those pods are no endpoints of the port',
  },
  {
    id: 'IST0116',
    severity: W,
    check: checkMultipleServices,
    mirrors: 'istioctl analyze `DeploymentAssociatedToMultipleServices` (keyed as the sidecar keys inbound listeners)',
    catches: 'a workload with a sidecar (its pod template, or its Namespace in the input, enables injection) selected by several Services that give one target port different protocols (port name or `appProtocol`; UDP is not captured): the sidecar takes the oldest Service\'s protocol. istioctl compares the Kubernetes `protocol` field of equal Service ports instead',
  },
  {
    id: 'IST0162',
    severity: W,
    check: checkGatewayServicePorts,
    mirrors: 'istioctl analyze `GatewayPortNotDefinedOnService`',
    catches: 'an Istio Gateway server port that the Services selecting its pods neither expose (a TCP port, which Istio translates to its target port) nor target; decided only when the input defines the gateway pods and their Service (a gateway Deployment defined in several files is a set of alternatives: each Gateway is paired with the copy and Services of its own file)',
  },
  {
    id: 'KIA1402',
    severity: E,
    check: checkK8sGateways,
    mirrors: 'Kiali KIA1402 (Reference doesn\'t have a valid service); Istio `buildDestination`',
    catches: 'a Gateway API route backend or mirror of kind Service named with dots (a hostname, `reviews.bookinfo.svc.cluster.local`), or of kind `Hostname` (`networking.istio.io`) with a `namespace`: Istio refuses both',
  },
  {
    id: 'KIA1501',
    severity: W,
    check: checkK8sGateways,
    mirrors: 'Kiali KIA1501 (More than one K8s Gateway for the same host port combination)',
    catches: 'Gateway API Gateways bound to the same existing gateway Service (Istio manual deployment: a `Hostname` address) with listeners for the same hostname and port (Gateways without addresses each get their own Deployment and Service, so they never conflict)',
  },
  {
    id: 'KIA1502',
    severity: W,
    check: checkK8sGateways,
    mirrors: 'Kiali KIA1502 (More than one K8s Gateway for the same address and type combination)',
    catches: 'Gateway API Gateways that each ask for the same IP address (`addresses: [{type: IPAddress}]`, Istio\'s `loadBalancerIP`); Gateways sharing a `Hostname` address bind to one Service on purpose (their listeners: KIA1501)',
  },
  {
    id: 'KIA1504',
    severity: W,
    check: checkK8sGateways,
    mirrors: 'Kiali KIA1504 (Gateway API Class not found)',
    catches: 'a Gateway API Gateway whose `gatewayClassName` is neither built into Istio 1.30 (`istio`, `istio-remote`, `istio-waypoint`; `istio-east-west`, `istio-agentgateway` behind their flags) nor a GatewayClass of the input',
  },
  {
    id: 'KIA1601',
    severity: W,
    check: checkK8sGateways,
    mirrors: 'Kiali KIA1601 (Namespace is not found)',
    catches: 'a ReferenceGrant `from` namespace the input does not define while it defines one within 1-2 edits (a typo); other namespaces may exist in the cluster and are not reported',
  },
];

/** How these rules answer Kiali's codes (README's Kiali table). @internal */
export const _KIALI_K8S_COVERAGE: readonly _KialiCoverage[] = [
  kiali('KIA0602', 'Port appProtocol must follow <protocol> form', ['IST0118'],
    'Istio reads `appProtocol` instead of the port name, its prefix before `-` and case-insensitively (`HTTP`, `http-api` are known, Kiali wants an exact name), plus `kubernetes.io/h2c`, `ws`, `wss`; an unknown one is IST0118 (a warning: Istio sniffs the protocol); UDP ports and well-known ports (25, 53, 3306, 27017) are exempt'),
  kiali('KIA0701', 'Deployment exposing same port as Service not found', ['KIA0701', 'MESH410'],
    'a named targetPort no selected pod defines breaks the endpoints (MESH410, an error); a numeric one is only reported when the containers declare other ports (containerPort is informational); every workload kind, matched by its pod template labels (Kiali matches Deployment labels)'),
  kiali('KIA1401', 'Route is pointing to a non-existent or inaccessible K8s gateway', ['MESH405', 'MESH406'],
    'MESH405 when the Gateway is missing from a namespace the input defines (external ones declared), MESH406 when no listener admits the route\'s namespace'),
  kiali('KIA1402', 'Reference doesn\'t have a valid service (Service name not found)', ['KIA1402', 'MESH401', 'MESH402', 'MESH403'],
    'KIA1402 for a Service named by its hostname (Istio refuses dots) or a namespaced Istio Hostname backend, MESH401/MESH402 for a missing Service or port, MESH403 for another namespace without a ReferenceGrant'),
  kiali('KIA1501', 'More than one K8s Gateway for the same host port combination', ['KIA1501'],
    'only Gateways bound to one existing Service (Hostname address): Istio deploys every other Gateway on its own, so Kiali\'s report on them is a false positive'),
  kiali('KIA1502', 'More than one K8s Gateway for the same address and type combination', ['KIA1502'],
    'IP addresses only: Gateways sharing a Hostname address is Istio\'s manual deployment, by design'),
  kiali('KIA1503', 'Each listener must have a unique combination of Hostname, Port, and Protocol', ['K8S-CEL'],
    'the Gateway CRD\'s own `x-kubernetes-validations` rule ("Combination of port, protocol and hostname must be unique for each listener"), run by the CEL checker: the API server refuses the Gateway'),
  kiali('KIA1504', 'Gateway API Class not found in Kiali configuration', ['KIA1504'],
    'offline: Istio\'s built-in classes and the GatewayClasses of the input are known; a warning, as another controller may own the class'),
  kiali('KIA1601', 'Namespace is not found or is not accessible', ['KIA1601'],
    'offline only a near miss of a namespace the input defines is decidable (a typo); a grant from a namespace that does not exist allows nothing and breaks nothing by itself'),
];
