// Base and shared vocabulary
export * from './base';
export * from './identity';
export * from './workload';
export * from './host';
export * from './http-method';
export * from './protocol';
export * from './namespace-ref';

// Security
export * from './policy-target';
export * from './peer-authentication';
export * from './authorization-policy';
export * from './request-authentication';
export * from './waypoint';
export * from './mesh-enrolment';
export * from './ext-authz';

// Traffic
export * from './gateway-binding';
export * from './match';
export * from './traffic-split';
export * from './traffic-dialect';
export * from './destination-rule';
export * from './traffic-policy';
export * from './http-route';
export * from './virtual-service';
export * from './gateway';
export * from './k8s-gateway';
export * from './k8s-http-route';
export * from './k8s-grpc-route';
export * from './k8s-tls-route';
export * from './route-parent';
export * from './reference-grant';
export * from './certificate';
export * from './service-entry';
export * from './sidecar';

// Observability
export * from './telemetry';
export * from './observability/providers';
export * from './observability/mesh-config';
export * from './observability/monitoring-target';
export * from './observability/service-alerts';
export * from './observability/canary-analysis';
export * from './observability/scraping';
export * from './observability/recording-rules';
export * from './observability/dashboards';
export * from './observability/mesh-observability';
export * from './observability/jaeger';

// Patterns (L3)
export * from './patterns/access-intent';
export * from './patterns/secure-namespace';
export * from './patterns/canary-service';
export * from './patterns/multi-version-service';
export * from './patterns/mesh-gateway';
export * from './patterns/gateway-workload';
export * from './patterns/alb-ingress';
export * from './patterns/egress-gateway';
export * from './patterns/mesh-dependencies';

// Validation
export * from './validation/conformance';
export * from './validation/mesh-validation';
export * from './validation/plugin';

// Testing helpers for users
export * from './testing/route-tester';

// Generated L1 bindings (Istio 1.30.3 v1, Gateway API v1.5.1, prometheus-operator v0.93 v1, cert-manager v1.21 v1), as submodules
export * as istio_networking from './imports/istio-networking.istio.io';
export * as istio_security from './imports/istio-security.istio.io';
export * as istio_telemetry from './imports/istio-telemetry.istio.io';
export * as gateway_api from './imports/gwapi-gateway.networking.k8s.io';
export * as monitoring from './imports/promop-monitoring.coreos.com';
export * as cert_manager from './imports/certmanager-cert-manager.io';
export * as argo_rollouts from './imports/argo-argoproj.io';
export * as flagger from './imports/flagger-flagger.app';
