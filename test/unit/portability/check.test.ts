import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { cellForVersion } from '../../../src/core/capabilities.js';
import { checkPortability } from '../../../src/core/portability/index.js';
import { load, policy } from '../../support/kit.js';

const traffic = (name: string, body: string, extra = '') =>
  policy('TrafficPolicy', `  service: ${name}\n${extra}  rules:\n${body}`, { name, namespace: 'shop' });

function check(text: string, meshes = Object.values(ADAPTERS), options = {}) {
  // As `anymesh check` loads: it reports overlaps itself.
  const loaded = load([{ name: 'p.yaml', text }], { overlaps: false });
  expect(loaded.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  return checkPortability(loaded.policies, meshes, options);
}

const SIMPLE = traffic('cart', '    - matches: [{path: {exact: /api/cart}}]\n      timeout: 3s\n');

describe('checkPortability', () => {
  it('reports every policy on every mesh, in input order, only compiled kinds', () => {
    const install = `apiVersion: anymesh.dev/v1alpha1
kind: MeshInstallation
metadata: {name: mesh}
spec: {mesh: istio}
`;
    const r = check(`${SIMPLE}---\n${install}`);
    expect(r.policies.map((p) => p.policy)).toEqual(['TrafficPolicy/shop/cart']);
    expect(Object.keys(r.policies[0]!.results)).toEqual(Object.keys(ADAPTERS));
    expect(r.meshes.map((m) => m.id)).toEqual(Object.keys(ADAPTERS));
    expect(r.policies[0]).toMatchObject({ file: 'p.yaml', line: 1, column: 1 });
  });

  it('lossless where every feature is full and the adapter accepts the policy', () => {
    const r = check(SIMPLE, [ADAPTERS.istio!, ADAPTERS.linkerd!]);
    expect(r.ok).toBe(true);
    expect(r.policies[0]!.results.istio).toEqual({ status: 'lossless', losses: [] });
    expect(r.meshes[0]!.counts).toEqual({ lossless: 1, lossy: 0, refused: 0 });
  });

  it('refused when the adapter itself refuses (App Mesh needs spec.port), not only the matrix', () => {
    const r = check(SIMPLE, [ADAPTERS.appmesh!]);
    const res = r.policies[0]!.results.appmesh!;
    expect(res.status).toBe('refused');
    expect(res.losses.map((l) => [l.kind, l.level])).toContainEqual(['adapter', 'error']);
    expect(res.losses.find((l) => l.kind === 'adapter')!.docs).toMatch(/^https:\/\//);
    // The end-of-support warning is a mesh note, not a loss of this policy.
    expect(r.meshes[0]!.notes.map((d) => d.code)).toEqual(['AM3010']);
    expect(r.ok).toBe(false);
  });

  it('judges a protocol-dependent cell by the policy protocol (gRPC retries on Linkerd)', () => {
    const retry = '    - retries: {attempts: 2, retryOn: [unavailable]}\n';
    const http = check(traffic('cart', retry, '  port: 50051\n'), [ADAPTERS.linkerd!]);
    const refused = http.policies[0]!.results.linkerd!;
    expect(refused.status).toBe('refused');
    const variant = ADAPTERS.linkerd!.capabilities['retries.on.grpc'].byProtocol!.http!;
    expect(refused.losses[0]).toMatchObject({
      feature: 'retries.on.grpc',
      support: 'none',
      reason: variant.reason,
      workaround: variant.workaround,
    });
    const grpc = check(traffic('cart', retry, '  port: 50051\n  protocol: grpc\n'), [ADAPTERS.linkerd!]);
    expect(grpc.policies[0]!.results.linkerd!.losses.filter((l) => l.feature === 'retries.on.grpc')).toEqual(
      [],
    );
  });

  const FAULT = traffic('ratings', '    - fault: {delay: {duration: 1s, percentage: 10}}\n');

  it('refused for a feature the mesh cannot express, with feature, position, reason and docs', () => {
    const r = check(FAULT, [ADAPTERS.linkerd!]);
    const res = r.policies[0]!.results.linkerd!;
    expect(res.status).toBe('refused');
    const cell = ADAPTERS.linkerd!.capabilities['fault.delay'];
    expect(res.losses).toEqual([
      expect.objectContaining({
        kind: 'unsupported',
        code: 'AM3001',
        level: 'error',
        feature: 'fault.delay',
        support: 'none',
        file: 'p.yaml',
        line: 7,
        path: 'spec.rules[0].fault.delay',
        reason: cell.reason,
        docs: cell.docs,
      }),
    ]);
  });

  it('lossy with --allow-degraded (dropped) or onUnsupported: warn', () => {
    const degraded = check(FAULT, [ADAPTERS.linkerd!], { allowDegraded: true });
    expect(degraded.policies[0]!.results.linkerd!.status).toBe('lossy');
    expect(degraded.policies[0]!.results.linkerd!.losses.map((l) => [l.kind, l.code, l.feature])).toEqual([
      ['dropped', 'AM3002', 'fault.delay'],
    ]);
    const warn = check(FAULT.replace('  rules:', '  onUnsupported: warn\n  rules:'), [ADAPTERS.linkerd!]);
    expect(warn.policies[0]!.results.linkerd!.status).toBe('lossy');
  });

  it('lossy for a partial feature, with what differs as the reason', () => {
    const r = check(traffic('cart', '    - matches: [{path: {prefix: /api}}]\n      timeout: 1s\n'), [
      ADAPTERS.linkerd!,
    ]);
    const res = r.policies[0]!.results.linkerd!;
    expect(res.status).toBe('lossy');
    const cell = ADAPTERS.linkerd!.capabilities['match.path.prefix'];
    expect(res.losses.map((l) => [l.kind, l.code, l.feature, l.support, l.reason])).toEqual([
      ['partial', 'AM3003', 'match.path.prefix', 'partial', cell.differs],
    ]);
  });

  it('answers for a mesh version: a feature newer than the version is refused', () => {
    const retries = traffic('cart', '    - retries: {attempts: 2}\n');
    const now = check(retries, [ADAPTERS.linkerd!]);
    expect(now.policies[0]!.results.linkerd!.status).toBe('lossless');
    const old = check(retries, [ADAPTERS.linkerd!], { context: { meshVersion: '2.15' } });
    const res = old.policies[0]!.results.linkerd!;
    expect(res.status).toBe('refused');
    expect(res.losses[0]).toMatchObject({
      kind: 'unsupported',
      feature: 'retries.attempts',
      reason: cellForVersion(ADAPTERS.linkerd!.capabilities['retries.attempts'], '2.15').reason,
    });
    expect(old.meshes[0]!.version).toBe('2.15');
  });

  it('overlap conflicts fail the check; shadowed rules only warn', () => {
    const shadowed = check(
      traffic('cart', '    - timeout: 1s\n    - matches: [{path: {exact: /x}}]\n      timeout: 2s\n'),
      [ADAPTERS.istio!],
    );
    expect(shadowed.overlaps.map((o) => o.diagnostic.code)).toEqual(['AM3012']);
    expect(shadowed.ok).toBe(true);
    const a = traffic('cart', '    - timeout: 1s\n');
    // Equally specific (neither has a port or sources): both catch every call, with other timeouts.
    const b = traffic('cart', '    - timeout: 2s\n').replace('name: cart,', 'name: cart-b,');
    const conflict = check(`${a}---\n${b}`, [ADAPTERS.istio!]);
    expect(conflict.policies.map((p) => p.results.istio!.status)).toEqual(['lossless', 'lossless']);
    expect(conflict.overlaps.map((o) => o.diagnostic.code)).toEqual(['AM3011']);
    expect(conflict.ok).toBe(false);
  });
});
