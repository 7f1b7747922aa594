import { describe, expect, it } from 'vitest';
import { consulCapabilities } from '../../../src/adapters/consul/capabilities.js';
import { consulAdapter } from '../../../src/adapters/consul/index.js';
import { FEATURE_IDS } from '../../../src/core/features/index.js';
import { FEATURE_FIXTURES } from '../../support/feature-fixtures.js';
import { compileFor, findObject, traffic } from '../../support/kit.js';

const refused = FEATURE_IDS.filter((f) => consulCapabilities[f].support === 'none');

describe('Consul refuses what it cannot express', () => {
  it('refuses exactly these features', () => {
    expect(refused).toEqual([
      'routing.sources.namespace',
      'routing.sources.serviceAccount',
      'routing.sources.labels',
      'retries.perTryTimeout',
      'retries.backoff',
      'retries.backoff.max',
      'fault.delay',
      'fault.abort.http',
      'fault.abort.grpc',
      'mirror',
      'mirror.percentage',
      'cors',
      'cors.allowOrigins.prefix',
      'cors.allowOrigins.regex',
      'mtls.scope.namespace',
      'access.from.namespace',
      'access.to.ports',
      'access.from.ipBlock',
      'backend.outlierDetection',
      'backend.outlierDetection.gatewayErrors',
      'backend.connectionLimits.maxConnections',
      'backend.connectionLimits.maxPendingRequests',
      'backend.connectionLimits.maxRequests',
      'backend.connectionLimits.maxRequestsPerConnection',
      'backend.rateLimit',
      'backend.rateLimit.burst',
      // Health is the pod's Kubernetes readiness, synced into Consul's catalog.
      'backend.healthCheck',
      // Issue 16: routers and splitters need an HTTP-based protocol; no redirect, no host or
      // whole-path rewrite (prefixRewrite only).
      'protocol.tcp',
      'protocol.tcp.weighted',
      'protocol.tcp.idleTimeout',
      'route.redirect',
      'route.redirect.path.full',
      'route.redirect.path.prefix',
      'route.rewrite.host',
      'route.rewrite.path.full',
      // Issue 14: ingress routes are the API gateway's HTTPRoutes, not yet compiled.
      'gateway.route',
      'gateway.hostnames',
      'gateway.port',
    ]);
  });

  it.each(refused)('%s: AM3001 at the field that uses it, with reason and workaround', (feature) => {
    const r = compileFor('consul', FEATURE_FIXTURES[feature]);
    expect(r.ok).toBe(false);
    expect(r.resources).toEqual([]);
    const d = r.diagnostics.find((x) => x.code === 'AM3001' && x.feature === feature)!;
    expect(d).toBeDefined();
    expect(d.location!.line).toBeGreaterThan(0);
    expect(d.message).toContain(consulCapabilities[feature].reason);
    expect(d.message).toContain(consulCapabilities[feature].workaround!);
  });

  it('names the reasons users look for: hashicorp/consul#9827 for mirroring and CORS, Enterprise 1.18 for faults', () => {
    expect(consulCapabilities.mirror.reason).toContain('hashicorp/consul#9827');
    expect(consulCapabilities['fault.delay'].reason).toContain('Enterprise 1.18');
    expect(consulCapabilities['retries.perTryTimeout'].reason).toContain('no per-try timeout');
    expect(consulCapabilities['routing.sources.labels'].reason).toContain('every caller');
  });

  it('leaves refused features out with --allow-degraded and keeps the rest', () => {
    const r = compileFor(
      'consul',
      traffic(`  service: reviews
  rules:
    - timeout: 2s
      retries: {attempts: 2, perTryTimeout: 500ms, retryOn: [5xx]}
      fault: {delay: {duration: 1s, percentage: 10}}`),
      { allowDegraded: true },
    );
    expect(r.ok).toBe(true);
    expect(r.diagnostics.filter((d) => d.code === 'AM3002').map((d) => d.feature)).toEqual([
      'retries.perTryTimeout',
      'fault.delay',
    ]);
    expect(findObject(r.resources, 'ServiceRouter').spec.routes[0].destination).toEqual({
      service: 'reviews',
      requestTimeout: '2s',
      numRetries: 2,
      retryOn: ['5xx'],
    });
  });

  it('declares its options and only AM43xx codes', () => {
    expect(consulAdapter.options.map((o) => o.key)).toEqual([
      'consul.format',
      'consul.enterprise',
      'consul.globalNamespace',
    ]);
    for (const m of Object.values(consulAdapter.messages)) expect(m.code).toMatch(/^AM43\d\d$/);
  });
});
