/**
 * The fixture policy of every feature id (they live with their features in `src/core/features/`),
 * as the registry and adapter tests read them, and the adapter options they compile with.
 */
import { FEATURE_DEFS, type FeatureId } from '../../src/core/features/index.js';

export const FEATURE_FIXTURES = Object.fromEntries(FEATURE_DEFS.map((f) => [f.id, f.fixture.yaml])) as Record<
  FeatureId,
  string
>;

/**
 * Adapter options the fixtures compile with, for meshes that need facts a policy does not carry
 * (Linkerd's strict mTLS needs the ports to cover with Servers).
 */
export const FIXTURE_OPTIONS: Record<string, Record<string, string>> = {
  linkerd: { 'linkerd.serverPorts': '8080' },
  // App Mesh mTLS needs a certificate source; SPIRE through SDS is the common one.
  appmesh: {
    'appmesh.tls.certificate': 'sds',
    'appmesh.tls.sdsSecretName': 'spiffe://cluster.local/ns/{namespace}/sa/{service}',
  },
};
