/**
 * App Mesh connection pools follow the listener's protocol (API_VirtualNodeConnectionPool: "the
 * same protocol as the one chosen under port mapping"): tcp {maxConnections}, http
 * {maxConnections, maxPendingRequests}, http2 and grpc {maxRequests}. Before, every pool was
 * written under `http`, which an http2 or grpc listener does not take, and maxRequests was refused
 * on grpc and http2 listeners that have it.
 */
import { describe, expect, it } from 'vitest';
import { listenerPool } from '../../../src/adapters/appmesh/pool.js';
import { policyProtocols } from '../../../src/core/capabilities.js';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import type { PolicyDoc } from '../../../src/core/model/policy-doc.js';
import type { BackendPolicy } from '../../../src/core/model/schema.js';
import { codes, compileFor, load } from '../../support/kit.js';

const policies = (protocol: string, limits: string) => `apiVersion: anymesh.dev/v1alpha1
kind: TrafficPolicy
metadata: {name: api, namespace: web}
spec:
  service: api
  port: 8080
  protocol: ${protocol}
  rules: [{timeout: 3s}]
---
apiVersion: anymesh.dev/v1alpha1
kind: BackendPolicy
metadata: {name: api, namespace: web}
spec:
  service: api
  port: 8080
  connectionLimits: ${limits}
`;

const listener = (r: ReturnType<typeof compileFor>) => {
  const node = r.resources.find((o) => o.kind === 'VirtualNode')!;
  return (node.spec as { listeners: { portMapping: { protocol: string }; connectionPool?: unknown }[] })
    .listeners[0]!;
};

describe('App Mesh listener connection pools', () => {
  it.each([
    [
      'http',
      '{maxConnections: 10, maxPendingRequests: 5}',
      { http: { maxConnections: 10, maxPendingRequests: 5 } },
    ],
    ['http', '{maxPendingRequests: 5}', { http: { maxConnections: 1024, maxPendingRequests: 5 } }],
    ['tcp', '{maxConnections: 10}', { tcp: { maxConnections: 10 } }],
    ['http2', '{maxRequests: 20}', { http2: { maxRequests: 20 } }],
    ['grpc', '{maxRequests: 20}', { grpc: { maxRequests: 20 } }],
  ])('a %s listener gets the pool of its protocol (%s)', (protocol, limits, pool) => {
    const r = compileFor('appmesh', policies(protocol, limits));
    expect(r.ok).toBe(true);
    const l = listener(r);
    expect(l.portMapping.protocol).toBe(protocol);
    expect(l.connectionPool).toEqual(pool);
  });

  it.each([
    ['http2', 'maxConnections: 10', 'spec.connectionLimits.maxConnections'],
    ['grpc', 'maxPendingRequests: 5', 'spec.connectionLimits.maxPendingRequests'],
    ['tcp', 'maxPendingRequests: 5', 'spec.connectionLimits.maxPendingRequests'],
    ['tcp', 'maxRequests: 5', 'spec.connectionLimits.maxRequests'],
    ['http', 'maxRequests: 5', 'spec.connectionLimits.maxRequests'],
  ])('refuses on a %s listener a limit its pool lacks (%s), at the field', (protocol, limit, path) => {
    const r = compileFor('appmesh', policies(protocol, `{${limit}}`));
    expect(r.ok).toBe(false);
    const refusal = r.diagnostics.find((d) => d.code === 'AM3001')!;
    expect(refusal.path).toBe(path);
    expect(refusal.message).toContain(`${protocol} listener takes only the ${protocol} connection pool`);
    expect(refusal.location?.line).toBe(16);
  });

  it('leaves the limit out under --allow-degraded and keeps the ones the pool has', () => {
    const r = compileFor('appmesh', policies('http2', '{maxConnections: 10, maxRequests: 20}'), {
      allowDegraded: true,
    });
    expect(r.ok).toBe(true);
    expect(codes(r.diagnostics)).toContain('AM3002');
    expect(listener(r).connectionPool).toEqual({ http2: { maxRequests: 20 } });
  });

  it("a BackendPolicy's protocol is its service's TrafficPolicy's: http without one, none when they disagree", () => {
    const both = policies('grpc', '{maxRequests: 1}');
    const other = both.replace(
      'name: api, namespace: web}\nspec:\n  service: api\n  port: 8080\n  protocol: grpc',
      'name: api-b, namespace: web}\nspec:\n  service: api\n  protocol: tcp',
    );
    const backendOnly = both.split('---\n')[1]!;
    const of = (text: string) => policyProtocols(load(text).policies).get('BackendPolicy/web/api');
    expect(of(both)).toBe('grpc');
    expect(of(backendOnly)).toBe('http');
    expect(of(`${both.split('---\n')[0]}---\n${other}`)).toBeUndefined();
  });

  it('the adapter itself refuses a misplaced limit (AM4472) should the protocol differ from the cells', () => {
    const loaded = load(policies('grpc', '{maxConnections: 10}'));
    const backend = loaded.policies.find((p) => p.kind === 'BackendPolicy')!;
    const diagnostics: Diagnostic[] = [];
    const pool = listenerPool(
      backend as PolicyDoc<BackendPolicy>,
      { protocol: 'grpc', service: 'api' },
      diagnostics,
    );
    expect(pool).toBeUndefined();
    expect(codes(diagnostics)).toEqual(['AM4472']);
    expect(diagnostics[0]!.path).toBe('spec.connectionLimits.maxConnections');
  });
});
