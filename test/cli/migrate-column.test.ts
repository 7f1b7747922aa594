/**
 * `anymesh migrate plan --from istio --to istio --option istio.dataplane=ambient`: the sidecar ->
 * ambient path of issue 14, through the installed binary. The source is compared in its own
 * (default, sidecar) column, not the target's options; the plan names both columns, marks what
 * changes between them, proposes the ambient objects and same-mesh steps (nothing installed beside
 * Istio: the other data plane is enabled and namespaces switched one by one).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runBin } from '../support/bin.js';

beforeAll(() => ensureBuilt(), 180_000);

const bin = (args: readonly string[], input?: string) => {
  const r = runBin(args, input === undefined ? {} : { input });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
};

let native = '';
beforeAll(() => {
  native = bin(['compile', '-f', 'examples/bookinfo-canary.yaml', '--mesh', 'istio']).stdout;
  expect(native).toContain('kind: VirtualService');
});

/** The sidecar -> ambient plan of `input`. */
const planOf = (input: string, ...extra: string[]) =>
  bin(
    [
      'migrate',
      'plan',
      '-f',
      '-',
      '--from',
      'istio',
      '--to',
      'istio',
      '--option',
      'istio.dataplane=ambient',
      ...extra,
    ],
    input,
  );
const plan = (...extra: string[]) => planOf(native, ...extra);

interface PlanJson {
  source: { id: string; column?: string };
  target: { id: string; column?: string };
  policies: {
    features: {
      feature: string;
      source?: { support: string };
      target: { support: string };
      changed?: boolean;
    }[];
  }[];
  objects: { kind: string }[];
  steps: { action: string; command?: string; rollback?: string }[];
}

describe('migrate plan: Istio sidecar -> ambient', () => {
  it('-o json: both columns named, subsets (full in sidecar) emulated in ambient and marked changed', () => {
    const r = plan('-o', 'json');
    // Lossy: versions become Services in ambient (an emulated feature), so exit 1, as any loss.
    expect(r.status, r.stderr).toBe(1);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.source).toMatchObject({ id: 'istio', column: 'Istio (sidecar)' });
    expect(p.target).toMatchObject({ id: 'istio', column: 'Istio (ambient)' });
    const versions = p.policies[0]!.features.find((f) => f.feature === 'backends.version')!;
    expect(versions).toMatchObject({
      source: { support: 'full' },
      target: { support: 'emulated' },
      changed: true,
    });
    const weighted = p.policies[0]!.features.find((f) => f.feature === 'backends.weighted')!;
    expect(weighted.changed).toBeUndefined();
    // The target objects are the ambient ones: HTTPRoute and a waypoint, no VirtualService.
    const kinds = new Set(p.objects.map((o) => o.kind));
    expect(kinds.has('HTTPRoute')).toBe(true);
    expect(kinds.has('Gateway')).toBe(true);
    expect(kinds.has('VirtualService')).toBe(false);
    // Same-mesh steps: nothing installed "beside" Istio, namespaces switched, the options carried.
    const text = JSON.stringify(p.steps);
    expect(text).not.toMatch(/beside Istio\b|second deployment/);
    expect(p.steps.some((s) => /switch it from Istio \(sidecar\) to Istio \(ambient\)/.test(s.action))).toBe(
      true,
    );
    expect(p.steps.some((s) => s.command?.includes('--option istio.dataplane=ambient'))).toBe(true);
    expect(p.steps.some((s) => s.rollback?.includes('rollback point'))).toBe(true);
  });

  it('ingress routes: Gateway API Gateways beside the Istio ones, then clients shifted to them', () => {
    const ingress = bin(['compile', '-f', 'test/cases/gateway-tcp.yaml', '--mesh', 'istio']).stdout;
    const r = planOf(ingress);
    const steps = r.stdout.slice(r.stdout.indexOf('cut-over steps:'));
    const create = steps.indexOf(
      'Create the Istio (ambient) ingress gateways the policies are bound to (edge/edge-gw)',
    );
    const apply = steps.indexOf('Apply the Istio (ambient) objects');
    const shift = steps.indexOf('Shift clients from the Istio (sidecar) gateways');
    expect(create, steps).toBeGreaterThan(0);
    expect(steps).toContain('kind: Gateway, name, namespace');
    expect(apply).toBeGreaterThan(create);
    expect(shift).toBeGreaterThan(apply);
    // Without gateway policies, no gateway steps.
    expect(JSON.stringify(plan('-o', 'json').stdout)).not.toMatch(/ingress gateways|Shift clients/);
  });

  it('text: the title names the columns and each changed feature says how', () => {
    const r = plan();
    expect(r.stdout.split('\n')[0]).toBe('migrate plan: Istio (sidecar) -> Istio (ambient)');
    expect(r.stdout).toMatch(/feature backends\.version: full -> emulated {2}\(changes: ambient: /);
  });

  it('between meshes the steps stay side by side, and only support changes are annotated', () => {
    const r = bin(['migrate', 'plan', '-f', '-', '--from', 'istio', '--to', 'consul'], native);
    expect(r.stdout).toMatch(/Install Consul beside Istio/);
    expect(r.stdout).not.toMatch(/\(now: /);
  });
});
