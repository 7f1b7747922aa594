/**
 * Round trip of Istio's ambient security output: for every golden case whose ambient output is
 * access and mTLS only (AuthorizationPolicies by selector for ztunnel, by targetRefs for a
 * waypoint with its ztunnel guard, PeerAuthentications, the waypoint and its Service binding),
 * `anymesh import --from istio` gives back the case's policies, and compiling them for ambient
 * gives the same objects, byte for byte. Ambient routes (Gateway API HTTPRoute, GRPCRoute,
 * TCPRoute) are not imported by `--from istio` yet, so cases with routing are not claimed here.
 */
import { describe, expect, it } from 'vitest';
import { ADAPTERS, importSourceFor } from '../../src/adapters/index.js';
import { sourcesOf } from '../../src/core/adapter.js';
import { compileFiles, compileLoaded } from '../../src/core/pipeline.js';
import { renderYaml } from '../../src/core/render.js';
import { goldenCases } from '../support/cases.js';
import { importText } from './support.js';

const AMBIENT = { options: { 'istio.dataplane': 'ambient' } };
const ROUTES = new Set(['HTTPRoute', 'GRPCRoute', 'TCPRoute']);

const cases = goldenCases().flatMap((c) => {
  const r = compileFiles([c.file], ADAPTERS.istio!, { context: AMBIENT });
  const kinds = new Set(r.resources.map((o) => o.kind));
  const securityOnly =
    r.ok &&
    kinds.has('AuthorizationPolicy') &&
    ![...kinds].some((k) => ROUTES.has(k) || k === 'DestinationRule');
  return securityOnly ? [{ ...c, result: r }] : [];
});

describe('round trip istio ambient (access and mTLS)', () => {
  it('has cases with waypoint-enforced policies and guards', () => {
    const guarded = cases.filter((c) =>
      c.result.resources.some((o) => o.metadata.name.endsWith('-waypoint-only')),
    );
    expect(cases.length).toBeGreaterThan(3);
    expect(guarded.length).toBeGreaterThan(1);
  });
  it.each(cases)('$name', ({ result }) => {
    const native = renderYaml(result.resources);
    const imported = importText(native, importSourceFor('istio')!);
    expect(imported.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    expect(imported.fields.unaccounted).toBe(0);
    // The waypoint Gateway and the Service binding are listed as not imported (what anymesh
    // binds to the waypoint follows from the policies); nothing else is skipped.
    const kind = (ref: string) => ref.split('/')[0];
    expect(
      imported.skipped.map((s) => kind(s.ref)).filter((k) => k !== 'Gateway' && k !== 'Service'),
    ).toEqual([]);
    const made = new Set(result.resources.flatMap(sourcesOf));
    expect(imported.loaded.policies.map((p) => p.ref).sort()).toEqual([...made].sort());
    const again = compileLoaded(imported.loaded, ADAPTERS.istio!, { context: AMBIENT });
    expect(again.ok, again.diagnostics.map((d) => d.message).join('\n')).toBe(true);
    expect(renderYaml(again.resources)).toBe(native);
  });
});
