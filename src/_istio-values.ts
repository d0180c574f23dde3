/**
 * Istio's value rules (pkg/config/validation, pkg/config/security of Istio 1.30.3) shared by the L2s that
 * build the objects and by the mesh rules that check YAML the L2s did not build (src/validation/_checks-webhook.ts):
 * one rule, one place. No dependency on the L2 classes (the mesh engine loads before them).
 */
import * as net from 'net';
import { _invalid } from './_utils';
import type { AuthorizationCondition } from './authorization-policy';
import type * as sec from './imports/istio-security.istio.io';

/** Istio accepts at most 16 service accounts per source (security.CheckServiceAccount). */
const MAX_SERVICE_ACCOUNTS = 16;

/**
 * The retry conditions Istio 1.30 accepts in `retryOn` (Envoy `x-envoy-retry-on` and
 * `x-envoy-retry-grpc-on`), besides HTTP status codes.
 * @internal
 */
export const _RETRY_ON: ReadonlySet<string> = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

/**
 * Why Istio rejects `cond` as a retryOn policy (validateHTTPRetry: an HTTP status code or a supported
 * policy), or undefined. @internal
 */
export function _retryOnProblem(cond: string): string | undefined {
  const code = /^[0-9]{3}$/.test(cond) ? Number(cond) : NaN;
  return _RETRY_ON.has(cond) || (code >= 100 && code <= 599) ? undefined : 'it is not a retry condition Istio accepts';
}

/** The object without its undefined fields. @internal */
export function _compact<T extends object>(o: T): T {
  const out: any = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** The values without duplicates, in order. @internal */
export function _unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Throws on empty values (security.CheckEmptyValues); the values without duplicates. @internal */
export function _checkStrings(prop: string, values: string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  values.forEach((v, i) => {
    if (typeof v !== 'string' || v.trim().length === 0) {
      throw _invalid(`${prop}[${i}]`, v, 'Istio rejects empty values', 'remove the empty entry');
    }
  });
  return _unique(values);
}

/** Throws unless the values are service accounts as security.CheckServiceAccount accepts them. @internal */
export function _checkServiceAccounts(prop: string, values: string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > MAX_SERVICE_ACCOUNTS) {
    throw _invalid(prop, values, `Istio accepts at most ${MAX_SERVICE_ACCOUNTS} service accounts per source`, 'split them over several rules');
  }
  for (const v of values) {
    if (typeof v !== 'string' || v.length === 0) throw _invalid(prop, v, 'Istio rejects empty values', 'remove the empty entry');
    if (v.includes('*')) {
      throw _invalid(prop, v, 'wildcards are not allowed in service accounts', 'name each service account, or allow a whole namespace with `from: [MeshIdentity.namespace(ns)]`');
    }
    const parts = v.split('/');
    if (parts.length > 2 || parts.some((p) => p.length === 0)) {
      throw _invalid(prop, v, 'the format is "serviceAccount" or "namespace/serviceAccount"', 'e.g. "frontend" or "shop/frontend"');
    }
    if (v.length > 320) throw _invalid(prop, v, 'a value has at most 320 characters', 'shorten it');
  }
  return _unique(values);
}

/** Throws unless `v` is an IP address or CIDR block (Istio's security.ValidateIPs). @internal */
export function _checkIp(prop: string, v: string): void {
  const slash = v.indexOf('/');
  const addr = slash >= 0 ? v.slice(0, slash) : v;
  const family = net.isIP(addr);
  let ok = family !== 0;
  if (ok && slash >= 0) {
    const bits = v.slice(slash + 1);
    ok = /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
  }
  if (!ok) throw _invalid(prop, v, 'it is not an IP address or CIDR block', 'use e.g. "10.1.2.3" or "10.1.0.0/16"');
}

const MAP_KEY_ATTRS = ['request.headers', 'request.experimental.inline.headers', 'request.auth.claims', 'experimental.envoy.filters.'];
const PLAIN_ATTRS = ['source.ip', 'remote.ip', 'source.namespace', 'source.serviceAccount', 'source.principal', 'request.auth.principal',
  'request.auth.audiences', 'request.auth.presenter', 'destination.ip', 'destination.port', 'connection.sni'];

/** Checks a `when` condition as Istio's webhook does (known keys, bracketed map keys, IP and port values) and renders it. @internal */
export function _checkCondition(c: AuthorizationCondition): sec.AuthorizationPolicySpecRulesWhen {
  const key = c?.key;
  if (typeof key !== 'string' || key.length === 0) {
    throw _invalid('rule.when key', key, 'the key is empty', 'give an attribute such as "request.auth.claims[groups]"');
  }
  const values = _checkStrings(`rule.when[${key}].values`, c.values);
  const notValues = _checkStrings(`rule.when[${key}].notValues`, c.notValues);
  if (!values && !notValues) {
    throw _invalid(`rule.when[${key}]`, c, 'a condition needs `values` or `notValues`', 'set the values the attribute must (or must not) match');
  }
  const prefix = MAP_KEY_ATTRS.find((a) => key.startsWith(a));
  if (prefix) {
    const open = key.indexOf('[');
    if (!(key.endsWith(']') && open > 0 && open < key.length - 2)) {
      throw _invalid('rule.when key', key, 'this attribute takes a name in brackets', `use e.g. "${prefix.replace(/\.$/, '')}[name]"`);
    }
  } else if (key === 'destination.namespace') {
    throw _invalid('rule.when key', key, 'Istio replaced it with the policy\'s metadata.namespace', 'put the policy in that namespace instead');
  } else if (key.startsWith('destination.labels')) {
    throw _invalid('rule.when key', key, 'Istio replaced it with the workload selector', 'use the policy\'s `selector`');
  } else if (key === 'destination.name' || key === 'destination.user') {
    throw _invalid('rule.when key', key, 'it was only supported by the removed v1alpha1 API', 'use the policy\'s `selector`');
  } else if (!PLAIN_ATTRS.includes(key)) {
    throw _invalid('rule.when key', key, 'it is not an attribute Istio authorization knows',
      'use e.g. request.headers[name], request.auth.claims[name], source.ip, remote.ip, source.namespace, source.principal, request.auth.principal, destination.port, connection.sni');
  }
  const all = [...(values ?? []), ...(notValues ?? [])];
  if (['source.ip', 'remote.ip', 'destination.ip'].includes(key)) for (const v of all) _checkIp(`rule.when[${key}]`, v);
  if (key === 'destination.port') {
    for (const v of all) {
      if (!/^\d+$/.test(v) || Number(v) > 65535) throw _invalid(`rule.when[${key}]`, v, 'a port is a number in 0..65535', 'e.g. "8080"');
    }
  }
  if (key === 'source.serviceAccount') {
    _checkServiceAccounts(`rule.when[${key}]`, values);
    _checkServiceAccounts(`rule.when[${key}]`, notValues);
  }
  return _compact({ key, values, notValues });
}
