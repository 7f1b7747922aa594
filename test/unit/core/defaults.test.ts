/**
 * Omitted timeout and retries mean the same on every mesh (core/defaults.ts); where a mesh gives the
 * omission another meaning, `anymesh check` reports the rule as lossy there (AM3017), and compile
 * output does not change.
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS, MESHES } from '../../../src/adapters/index.js';
import { DEFAULTED_FIELDS } from '../../../src/core/defaults.js';
import { checkPortability } from '../../../src/core/portability/index.js';
import { compileFor, load, traffic } from '../../support/kit.js';

const BARE = traffic(`  service: cart
  rules:
    - name: all
      backends: [{service: cart}]
`);
const EXPLICIT = traffic(`  service: cart
  rules:
    - name: all
      backends: [{service: cart}]
      timeout: 10s
      retries: {attempts: 2, retryOn: [connect-failure]}
`);
// A gRPC policy: one rule aborts with a gRPC status, the other sets neither field.
const GRPC = traffic(`  service: cart
  rules:
    - name: faulty
      matches: [{headers: [{name: x-test, exact: "1"}]}]
      fault: {abort: {grpcStatus: UNAVAILABLE, percentage: 1}}
      timeout: 1s
      retries: {attempts: 1, retryOn: [connect-failure]}
    - name: rest
`);

function check(text: string, mesh: string) {
  const loaded = load([{ name: 'p.yaml', text }], { overlaps: false });
  expect(loaded.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  const r = checkPortability(loaded.policies, [ADAPTERS[mesh]!], { allowDegraded: true });
  return r.policies[0]!.results[mesh]!;
}

const defaultLosses = (text: string, mesh: string) =>
  check(text, mesh)
    .losses.filter((l) => l.code === 'AM3017')
    .map((l) => `${l.feature} ${l.path}`);

describe('omitted timeout and retries', () => {
  it('every mesh declares what it does with each omitted field, with a source', () => {
    for (const m of MESHES)
      for (const f of DEFAULTED_FIELDS) {
        expect(m.defaults[f].behaviour.length, `${m.id} ${f}`).toBeGreaterThan(10);
        expect(m.defaults[f].source.length, `${m.id} ${f}`).toBeGreaterThan(10);
      }
  });

  it('check reports a rule without timeout or retries exactly where the mesh differs', () => {
    expect(defaultLosses(BARE, 'istio')).toEqual([]);
    expect(defaultLosses(BARE, 'linkerd')).toEqual([]);
    // Consul keeps Envoy's 15 s route timeout; it retries nothing, as the model means.
    expect(defaultLosses(BARE, 'consul')).toEqual(['timeout.request spec.rules[0]']);
    // App Mesh: a 15 s per-request timeout and its own default retry policy.
    expect(defaultLosses(BARE, 'appmesh')).toEqual([
      'timeout.request spec.rules[0]',
      'retries.attempts spec.rules[0]',
    ]);
    const consul = check(BARE, 'consul');
    expect(consul.status).toBe('lossy');
    const loss = consul.losses.find((l) => l.code === 'AM3017')!;
    expect(loss).toMatchObject({ kind: 'default', file: 'p.yaml', line: 7, column: 7 });
    expect(loss.reason).toContain('15 s');
  });

  it('explicit timeout and retries are lossless on every mesh that expresses them', () => {
    for (const m of MESHES) expect(defaultLosses(EXPLICIT, m.id), m.id).toEqual([]);
  });

  it("Istio's default retries differ only for gRPC services (UNAVAILABLE, CANCELLED)", () => {
    expect(defaultLosses(BARE, 'istio')).toEqual([]);
    expect(defaultLosses(GRPC, 'istio')).toEqual(['retries.attempts spec.rules[1]']);
  });

  it('compile does not report it: the output is what the mesh already does', () => {
    for (const m of MESHES) {
      const r = compileFor(m.id, BARE, { context: { options: {} } });
      expect(
        r.diagnostics.map((d) => d.code),
        m.id,
      ).not.toContain('AM3017');
    }
  });
});
