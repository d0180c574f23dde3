/**
 * How this analyzer answers each of Kiali's manifest-only validation codes (Kiali's catalogue:
 * kiali/kiali models/istio_validation.go). A code is reported under its own id when the rule is the same
 * as Kiali's, under another id when an istioctl or library rule already catches it (one problem, one
 * finding), or not at all when Istio 1.30 accepts the configuration or the check needs the live cluster
 * (the note says which). README's "Kiali codes" table is generated from these entries.
 */

/** One Kiali code and how it is answered here. @internal */
export interface _KialiCoverage {
  /** Kiali's code, `KIA1106`. */
  readonly code: string;
  /** Kiali's message (its catalogue's words). */
  readonly kiali: string;
  /** The rule ids here that report it; empty when not reported. */
  readonly reportedAs: readonly string[];
  /** Where Istio's semantics differ from Kiali's, or why it is not reported (Istio accepts it; needs the cluster). */
  readonly note: string;
}

/** @internal */
export function kiali(code: string, message: string, reportedAs: readonly string[], note: string): _KialiCoverage {
  return { code, kiali: message, reportedAs, note };
}

/** Codes answered by the first rules (istioctl-parity and library rules in `_rules.ts`). @internal */
export const _KIALI_CORE_COVERAGE: readonly _KialiCoverage[] = [
  kiali('KIA0002', 'More than one selector-less object in the same namespace', ['KIA0002'],
    'PeerAuthentications (Istio applies the oldest); not RequestAuthentications, which Istio merges; Sidecars as IST0111, Telemetries as IST0160'),
  kiali('KIA0003', 'More than one object applied to the same workload', ['KIA0003'],
    'PeerAuthentications with the same selector; not RequestAuthentications (merged)'),
  kiali('KIA0601', 'Port name must follow <protocol>[-suffix] form', ['IST0118'],
    'istioctl\'s rule (a warning: Istio then sniffs the protocol); skipped when `appProtocol` is set, as Istio does'),
  kiali('KIA1102', 'VirtualService is pointing to a non-existent gateway', ['IST0101'],
    'checked when the gateway\'s namespace is in the input; external gateways declared with `--external-gateway`'),
  kiali('KIA1106', 'More than one Virtual Service for same host', ['IST0109', 'KIA1106'],
    'Istio\'s semantics: on the mesh gateway an error (IST0109, as istioctl); on another gateway Istio merges them (creation order, catch-alls last: SortVHostRoutes), so KIA1106 warns only on a match two of them share'),
  kiali('KIA1107', 'Subset not found', ['IST0101'],
    'an error, as in istioctl: traffic to a missing subset fails (503 NR)'),
];
