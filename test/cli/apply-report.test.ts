// Apply summaries say what was written, not what was planned: a refused apply (RBAC at the
// dry-run) and one cut off after some writes, in text and in -o json.
import { describe, expect, it } from 'vitest';
import { type ClusterRun, printApplyReport } from '../../src/cli/commands/apply.js';
import { type Io, newTally } from '../../src/cli/output.js';
import type { ApplyReport } from '../../src/cluster/apply.js';
import type { ObjectResult } from '../../src/cluster/results.js';

function capture(): Io & { outText: () => string; errText: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    stdin: () => Buffer.alloc(0),
    interactive: false,
    outText: () => out,
    errText: () => err,
  };
}

const obj = (name: string, action: ObjectResult['action'], written: boolean): ObjectResult => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  namespace: 'shop',
  name,
  action,
  written,
});

function report(objects: ObjectResult[], writes: number, ok = false): ApplyReport {
  return {
    ok,
    dryRun: 'none',
    applySet: {
      name: 'anymesh-istio',
      namespace: 'shop',
      id: 'x',
      parent: 'Secret shop/applyset-anymesh-istio',
    },
    objects,
    diagnostics: [],
    requests: { writes, dryRuns: 0, reads: 0, retries: 0 },
  };
}

const run = (format: 'text' | 'json') =>
  ({
    format,
    adapter: { id: 'istio' },
    target: { context: 'x', server: 'https://k' },
    diagnostics: [],
  }) as unknown as ClusterRun;

describe('apply summaries', () => {
  it('a refused apply: 0 created and 20 not written, not "20 created"', () => {
    const objects = Array.from({ length: 20 }, (_, i) => obj(`vs-${i}`, 'created', false));
    const io = capture();
    printApplyReport(io, report(objects, 0), run('text'));
    expect(io.errText()).toContain(
      'FAILED: 0 created, 0 configured, 0 unchanged, 0 pruned, 20 not written (of 20 planned changes); 0 writes;',
    );
    expect(io.outText()).toBe(''); // no "created" line for an object that was not
    const json = capture();
    printApplyReport(json, report(objects, 0), run('json'));
    const doc = JSON.parse(json.outText());
    expect(doc.summary).toEqual({ created: 0, configured: 0, unchanged: 0, pruned: 0, notWritten: 20 });
    expect(doc.planned.created).toBe(20);
  });

  it('-o json carries the compiler warnings, and --max-warnings counts them once', () => {
    const warning = { code: 'AM3003', level: 'warning' as const, message: 'partly' };
    const tally = newTally();
    const io = { ...capture(), display: { tally } };
    const withWarning = { ...run('json'), diagnostics: [warning] } as unknown as ClusterRun;
    const r = report([obj('vs', 'created', true)], 1);
    printApplyReport(io, { ...r, diagnostics: [warning] }, withWarning);
    const doc = JSON.parse(io.outText());
    expect(doc.diagnostics.map((d: { code: string }) => d.code)).toEqual(['AM3003', 'AM3003']);
    // The same diagnostic object in both lists is one warning.
    expect(tally.warnings).toBe(1);
  });

  it('a run cut off after 104 of 1000 writes says 104 created', () => {
    const objects = [
      ...Array.from({ length: 104 }, (_, i) => obj(`w-${i}`, 'created', true)),
      ...Array.from({ length: 890 }, (_, i) => obj(`n-${i}`, 'created', false)),
      ...Array.from({ length: 6 }, (_, i) => obj(`u-${i}`, 'unchanged', false)),
    ];
    const io = capture();
    printApplyReport(io, report(objects, 105), run('text'));
    expect(io.errText()).toContain(
      'FAILED: 104 created, 0 configured, 6 unchanged, 0 pruned, 890 not written',
    );
    expect(io.errText()).toContain('; 105 writes;');
    expect(io.outText().split('\n').filter(Boolean)).toHaveLength(110);
  });

  it('a dry run reports the plan, and says nothing was written', () => {
    const io = capture();
    printApplyReport(io, { ...report([obj('a', 'created', false)], 0, true), dryRun: 'server' }, run('text'));
    expect(io.errText()).toContain(
      '1 created, 0 configured, 0 unchanged, 0 pruned (--dry-run=server: nothing written); 0 writes',
    );
    expect(io.outText()).toBe('VirtualService shop/a created (server dry run)\n');
  });
});
