import { _invalid } from './_utils';

/**
 * Validation of traffic weights and percentages, shared by the traffic L2s and L3s.
 * Nothing here is part of the public API.
 */

/**
 * A route weight: an integer percentage 0..100 (Istio's weights are int32; this library keeps them
 * percentages so that a split always reads as "x% of the traffic").
 * @internal
 */
export function _validateWeight(prop: string, weight: number): number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || !Number.isInteger(weight)) {
    throw _invalid(prop, weight, 'a weight must be a whole number of percent', `round it, e.g. ${Number.isFinite(weight) ? Math.round(weight) : 10}`);
  }
  if (weight < 0) {
    throw _invalid(prop, weight, 'a weight cannot be negative', 'use a value from 0 to 100');
  }
  if (weight > 100) {
    throw _invalid(prop, weight, 'a weight is a percentage and cannot exceed 100', 'use a value from 0 to 100');
  }
  return weight;
}

/**
 * The weights of one route's destinations: each valid, not all zero, summing to 100.
 * @internal
 */
export function _validateWeightSplit(prop: string, weights: number[]): void {
  weights.forEach((w, i) => _validateWeight(`${prop}[${i}].weight`, w));
  const total = weights.reduce((a, b) => a + b, 0);
  if (weights.length > 0 && total === 0) {
    throw _invalid(`${prop} weights`, weights, 'all weights are zero, so the route sends traffic nowhere (Istio rejects "total destination weight = 0")',
      'give at least one destination a positive weight');
  }
  if (total !== 100) {
    throw _invalid(`${prop} weights`, weights, `the weights sum to ${total}, not 100`, 'make the weights of one route add up to 100 (e.g. 90 and 10)');
  }
}

/**
 * A percentage of requests (fault injection, mirroring): a number from 0 to 100 (fractions allowed).
 * @internal
 */
export function _validatePercentage(prop: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw _invalid(prop, value, 'a percentage must be between 0 and 100', 'use a value such as 10 or 0.5');
  }
  return value;
}
