/**
 * Internal helpers shared by every construct. Nothing here is part of the public API.
 */
import { ApiObjectMetadataDefinition, Chart, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _field } from './validation/_json';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether `value` is an RFC 1123 DNS subdomain (at most 253 characters). @internal */
export function _isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/**
 * Formats the library's one error shape: what went wrong (naming the prop), the value received, the fix.
 * @internal
 */
export function _invalid(prop: string, value: unknown, problem: string, fix: string): Error {
  return new Error(`Invalid ${prop} ${_show(value)}: ${problem}. Fix: ${fix}`);
}

/** @internal */
export function _show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return '(undefined)';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * `value` if it is a port number (an integer from 1 to 65535), else a clear error naming `prop`, with the
 * call site's `fix`.
 * @internal
 */
export function _validatePort(prop: string, value: number, fix: string = 'use e.g. 8080'): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw _invalid(prop, value, 'a port is an integer from 1 to 65535', fix);
  }
  return value;
}

/**
 * Keeps a removed static factory as a run-time error for JavaScript callers (TypeScript and jsii callers no
 * longer see it, so their code fails to compile): the message names the replacement. Used where a factory's
 * argument order changed, so that no old call silently runs with its arguments swapped.
 * @internal
 */
export function _removedFactory(cls: object, method: string, old: string, replacement: string): void {
  Object.defineProperty(cls, method, {
    enumerable: false,
    value: (...args: unknown[]) => {
      throw _invalid(old, args, 'it was removed: the arguments are now in Istio\'s namespace/name order, under a new name, so that no old call swaps them silently',
        `call ${replacement}`);
    },
  });
}

/**
 * Throws unless `props` is an object (JavaScript and jsii callers are not type-checked): a construct's
 * props, or an options object. `undefined` is accepted when the object is optional.
 * @internal
 */
export function _checkProps<T>(prop: string, props: T, required: boolean, example: string): T {
  if (props === undefined && !required) return props;
  if (typeof props !== 'object' || props === null || Array.isArray(props)) {
    throw _invalid(prop, props, required ? 'it is required and must be an object' : 'it must be an object when given', `pass e.g. ${example}`);
  }
  return props;
}

/**
 * Throws unless `value` is an RFC 1123 DNS label (namespaces, service names, port names).
 * @internal
 */
export function _validateDnsLabel(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw _invalid(prop, value, typeof value === 'string' || value === undefined || value === null ? 'it is empty' : `it is a ${typeof value}, not a string`,
      'give a lowercase RFC 1123 name such as "shop"');
  }
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw _invalid(prop, value, 'it is not an RFC 1123 DNS label (at most 63 characters: lowercase letters, digits and "-", starting and ending with a letter or digit)',
      `use a name such as "${_suggestName(value, 63)}"`);
  }
  return value;
}

/**
 * Throws unless `value` is an RFC 1123 DNS subdomain (names of Kubernetes and Istio objects).
 * @internal
 */
export function _validateDnsSubdomain(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw _invalid(prop, value, typeof value === 'string' || value === undefined || value === null ? 'it is empty' : `it is a ${typeof value}, not a string`,
      'give a lowercase RFC 1123 name such as "catalog"');
  }
  if (!_isDnsSubdomain(value)) {
    throw _invalid(prop, value, 'it is not an RFC 1123 DNS subdomain (at most 253 characters: lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit)',
      `use a name such as "${_suggestName(value, 253)}"`);
  }
  return value;
}

/**
 * A DNS-safe rendering of an arbitrary string, used only to suggest a fix in error messages and to
 * derive subset names from versions ("1.2.0" -> "1-2-0").
 * @internal
 */
export function _suggestName(value: string, max: number = 63): string {
  const s = String(value).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
  return s.length > 0 ? s : 'name';
}

/**
 * The same text as one flat string. V8 keeps a string built with `+` or a template literal as a tree of
 * its pieces until something reads it whole; generated text that lives for the whole synth (a service's
 * PromQL: ~75 pieces per expression) would otherwise keep hundreds of small heap objects per service
 * alive, and every garbage collection of a large app walks them.
 *
 * @internal
 */
export function _flatString(s: string): string {
  return JSON.parse(JSON.stringify(s));
}

/**
 * Renders a cdk8s Duration in protobuf JSON form ("10s", "0.25s"), which every Istio version parses.
 * Istio rejects durations below 1ms; sub-millisecond precision is not representable here.
 * @internal
 */
export function _renderDuration(prop: string, d: Duration, minMillis: number = 1): string {
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || !Number.isInteger(ms)) {
    throw _invalid(prop, d.toHumanString(), 'it is not a whole number of milliseconds', 'use Duration.millis(n) with an integer n');
  }
  if (ms < minMillis) {
    throw _invalid(prop, d.toHumanString(), `it is shorter than ${minMillis}ms, which Istio rejects`, `use at least Duration.millis(${minMillis})`);
  }
  const seconds = Math.floor(ms / 1000);
  const frac = ms % 1000;
  if (frac === 0) return `${seconds}s`;
  return `${seconds}.${String(frac).padStart(3, '0').replace(/0+$/, '')}s`;
}

/** @internal */
export function _undefinedIfEmpty<T>(value: T[] | undefined): T[] | undefined;
/** @internal */
export function _undefinedIfEmpty<T extends object>(value: T | undefined): T | undefined;
/** @internal */
export function _undefinedIfEmpty(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value;
  if (typeof value === 'object') return Object.keys(value).length === 0 ? undefined : value;
  return value;
}

/**
 * Copies a string map with keys sorted, so rendered output never depends on insertion order.
 * @internal
 */
export function _sortedRecord(record: { [key: string]: string } | undefined): { [key: string]: string } | undefined {
  if (!record) return undefined;
  const keys = Object.keys(record).sort();
  if (keys.length === 0) return undefined;
  const out: { [key: string]: string } = {};
  for (const k of keys) out[k] = record[k];
  return out;
}

/**
 * Validates a Kubernetes label map (keys: optional DNS-subdomain prefix + name; values: at most 63
 * characters of alphanumerics, "-", "_", ".").
 * @internal
 */
export function _validateLabels(prop: string, labels: { [key: string]: string }): void {
  const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (prefix !== undefined && !_isDnsSubdomain(prefix)) {
      throw _invalid(`${prop} key`, key, 'its prefix is not a DNS subdomain', 'use a key such as "app" or "example.com/app"');
    }
    if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
      throw _invalid(`${prop} key`, key, 'it is not a valid label name (at most 63 alphanumerics, "-", "_", ".")', 'use a key such as "app" or "version"');
    }
    if (typeof value !== 'string' || value.length > 63 || (value.length > 0 && !NAME.test(value))) {
      throw _invalid(`${prop}["${key}"]`, value, 'it is not a valid label value (at most 63 alphanumerics, "-", "_", ".")', `use a value such as "${_suggestName(String(value))}"`);
    }
  }
}

/**
 * The namespace of any construct: its own `metadata.namespace`, else its chart's.
 * @internal
 */
export function _namespaceOf(c: IConstruct): string | undefined {
  const meta = _field(c, 'metadata') as ApiObjectMetadataDefinition | undefined;
  if (meta && typeof meta.namespace === 'string') return meta.namespace;
  try {
    return Chart.of(c).namespace;
  } catch {
    return undefined; // imported objects (e.g. fromServiceAccountName) may live outside any chart
  }
}

/**
 * The namespace of a kplus subject: the one it reports, else its own metadata or its chart's.
 * @internal
 */
export function _namespaceOfSubject(c: IConstruct, reported: string | undefined): string | undefined {
  return reported ?? _namespaceOf(c);
}

/** Istio's wildcard first label (pkg/config/labels wildcardPrefix): `*foo`, `*-foo`. */
const PARTIAL_WILDCARD_LABEL = /^\*-?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const FQDN_LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;

/**
 * Validates a DNS host name, optionally with a wildcard first label: `*` alone ("*.example.com"), and with
 * `partialWildcard` (the default: Istio's hosts, which match by suffix) also Istio's `*foo`/`*-foo`; Gateway
 * API hostnames and certificate DNS names take the whole-label form only (`partialWildcard` false).
 * @internal
 */
export function _validateHost(prop: string, host: string, allowWildcardPrefix: boolean, requireDot: boolean, partialWildcard = true): void {
  if (typeof host !== 'string' || host.trim().length === 0) {
    throw _invalid(prop, host, 'the host is empty', 'give a fully qualified name such as "api.example.com"');
  }
  if (host.length > 253) {
    throw _invalid(prop, host, 'a DNS name has at most 253 characters', 'shorten the host');
  }
  const labels = host.split('.');
  const wildcardFirst = labels[0].startsWith('*');
  if (wildcardFirst && !allowWildcardPrefix) {
    throw _invalid(prop, host, 'wildcards are not allowed here', 'give a fully qualified name');
  }
  if (wildcardFirst && labels[0] !== '*' && !(partialWildcard && PARTIAL_WILDCARD_LABEL.test(labels[0]))) {
    throw _invalid(prop, host, partialWildcard ? `"${labels[0]}" is not a wildcard label Istio accepts` : `a partial wildcard "${labels[0]}" is not allowed here (Gateway API hostnames and certificate DNS names take a whole "*." label only)`,
      partialWildcard ? 'use "*", "*.example.com" or "*foo.example.com"' : 'use "*.example.com" or list the hosts');
  }
  const rest = wildcardFirst ? labels.slice(1) : labels;
  for (const label of rest) {
    if (label.includes('*')) {
      throw _invalid(prop, host, 'only the first label may hold a wildcard, as a leading "*" ("*.example.com"); wildcards like "api*.example.com" never match',
        'use "*.example.com" or list the hosts');
    }
    if (label.length === 0 || label.length > 63 || !FQDN_LABEL.test(label)) {
      throw _invalid(prop, host, `"${label}" is not a valid DNS label`, 'use letters, digits and "-" between dots, e.g. "api.example.com"');
    }
  }
  if (requireDot && rest.length < (wildcardFirst ? 1 : 2)) {
    throw _invalid(prop, host, 'a short name is resolved relative to the namespace of the resource using it, which is rarely what was meant',
      'give a fully qualified name (e.g. "api.example.com"), or use ServiceHost.inNamespace(namespace, name) for a Kubernetes Service');
  }
}


