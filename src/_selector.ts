/**
 * Internal: Istio's workload-selector rules (pkg/config/validation validateWorkloadSelector and the CRD's CEL
 * rules), checked at synth because a selector's labels are read lazily. Not part of the public API.
 */
import { _invalid } from './_utils';
import { IMeshWorkload } from './workload';

/** @internal */
export function _selectorErrors(selector: IMeshWorkload | undefined, policyNamespace: string | undefined): string[] {
  if (!selector) return [];
  if (selector.workloadNamespace !== undefined && policyNamespace !== undefined && selector.workloadNamespace !== policyNamespace) {
    return [_invalid('selector', `${selector.workloadKey} (namespace ${selector.workloadNamespace})`,
      `a selector only matches workloads in the policy's own namespace "${policyNamespace}"`,
      `put the policy in namespace "${selector.workloadNamespace}" (metadata.namespace)`).message];
  }
  const labels = selector.toSelectorLabels();
  const keys = Object.keys(labels);
  if (keys.length === 0) {
    return [_invalid('selector', selector.workloadKey, 'it selects no labels, and Istio treats an empty selector as namespace-wide',
      'give the workload at least one label, or leave the selector out for a namespace-wide policy').message];
  }
  const errors: string[] = [];
  for (const k of keys) {
    const v = labels[k];
    if (k.length === 0 || k.includes('*') || String(v).includes('*') || String(v).length > 63) {
      errors.push(_invalid('selector', `${k}=${v}`, 'Istio rejects empty keys, wildcards and values over 63 characters in a workload selector',
        'select the workload by its exact labels').message);
    }
  }
  return errors;
}
