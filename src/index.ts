export * from './base';
export * from './identity';
export * from './workload';
export * from './host';

// Generated L1 bindings (Istio 1.30.3 v1, Gateway API v1.5.1, prometheus-operator v0.93 v1), as submodules
export * as istio_networking from './imports/istio-networking.istio.io';
export * as istio_security from './imports/istio-security.istio.io';
export * as istio_telemetry from './imports/istio-telemetry.istio.io';
export * as gateway_api from './imports/gwapi-gateway.networking.k8s.io';
export * as monitoring from './imports/promop-monitoring.coreos.com';
export * from './validation/conformance';
export * from './validation/mesh-validation';
export * from './validation/plugin';
