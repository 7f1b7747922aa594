// The controller's metrics as a scraper reads them: prom-client's registry behind MetricsSink,
// every anymesh_ metric with its type, labels and values, the histogram's buckets, the default
// process metrics; and prom-client imported only when the controller starts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createMetrics, METRICS } from '../../../src/controller/metrics.js';
import { ROOT } from '../../support/cases.js';
import { parseExposition } from '../../support/prom-text.js';

describe('controller metrics (prom-client)', () => {
  it('exposes every metric with its type, labels and values, in the registry content type', async () => {
    const m = await createMetrics();
    expect(m.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    m.inc('anymesh_reconcile_total', { result: 'success' });
    m.inc('anymesh_reconcile_total', { result: 'success' });
    m.inc('anymesh_reconcile_total', { result: 'error' });
    m.inc('anymesh_reconcile_errors_total');
    m.inc('anymesh_writes_total', {}, 7);
    m.inc('anymesh_drift_total', { action: 'reverted' });
    m.set('anymesh_workqueue_depth', 3);
    m.set('anymesh_leader', 1);
    m.observe('anymesh_reconcile_duration_seconds', 0.02);
    m.observe('anymesh_reconcile_duration_seconds', 3);
    const e = parseExposition(await m.render());
    for (const [name, def] of Object.entries(METRICS)) expect(e.types.get(name), name).toBe(def.type);
    expect(e.value('anymesh_reconcile_total', { result: 'success' })).toBe(2);
    expect(e.value('anymesh_reconcile_total', { result: 'error' })).toBe(1);
    expect(e.value('anymesh_reconcile_errors_total')).toBe(1);
    expect(e.value('anymesh_writes_total')).toBe(7);
    expect(e.value('anymesh_drift_total', { action: 'reverted' })).toBe(1);
    expect(e.value('anymesh_workqueue_depth')).toBe(3);
    expect(e.value('anymesh_leader')).toBe(1);
    const h = 'anymesh_reconcile_duration_seconds';
    expect(e.value(`${h}_count`)).toBe(2);
    expect(e.value(`${h}_sum`)).toBeCloseTo(3.02);
    expect(e.value(`${h}_bucket`, { le: '0.025' })).toBe(1);
    expect(e.value(`${h}_bucket`, { le: '2.5' })).toBe(1);
    expect(e.value(`${h}_bucket`, { le: '5' })).toBe(2);
    expect(e.value(`${h}_bucket`, { le: '+Inf' })).toBe(2);
    // prom-client's default metrics, on the controller's own registry.
    expect(e.types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(e.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(e.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('each call has its own registry (two controllers in one process do not add up)', async () => {
    const a = await createMetrics();
    const b = await createMetrics();
    a.inc('anymesh_writes_total', {}, 5);
    expect(parseExposition(await b.render()).value('anymesh_writes_total')).toBe(0);
  });

  it('prom-client is imported by one module, with a dynamic import (no other command loads it)', () => {
    const importers: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
        if (!f.endsWith('.ts')) continue;
        const file = join(dir, f);
        const text = readFileSync(join(ROOT, file), 'utf8');
        if (!text.includes('prom-client')) continue;
        const js = ts.transpileModule(text, {
          compilerOptions: {
            module: ts.ModuleKind.ESNext,
            target: ts.ScriptTarget.ES2022,
            removeComments: true,
          },
        }).outputText;
        // Comments are gone from the emitted code; type-only imports too.
        const statics = js.match(/^\s*(import|export)\b[^;]*?\bfrom\s*['"]prom-client['"]/gm) ?? [];
        const dynamic = js.match(/\bimport\(\s*['"]prom-client['"]\s*\)/g) ?? [];
        if (statics.length + dynamic.length === 0) continue;
        importers.push(`${file}: ${statics.length} static, ${dynamic.length} dynamic`);
      }
    };
    walk('src');
    walk('bin');
    expect(importers).toEqual(['src/controller/metrics.ts: 0 static, 1 dynamic']);
  });
});
