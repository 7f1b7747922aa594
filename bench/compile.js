/**
 * Compile rows: the whole pipeline (load + validate + compile + render) for every mesh on the same
 * generated policies, beside the js-yaml floor (parse the input, dump output of the same size),
 * each side in its own process, rounds interleaved so that drift in machine load hits all alike.
 * And the growth curves: every mesh at 1k, 10k and 100k policies, per-policy time and peak memory.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeInputs } from './inputs.js';
import { median } from './stats.js';

export const MESHES = ['istio', 'linkerd', 'consul', 'appmesh'];

function side(args, env = {}) {
  return JSON.parse(
    execFileSync(process.execPath, [join(import.meta.dirname, 'side.js'), ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...process.env, ...env },
    }),
  );
}

/** One row per mesh: median ms, ratio to the floor's median, peak RSS. */
export function compileRows(count, rounds) {
  const dir = writeInputs(count);
  try {
    const runs = { floor: [], ...Object.fromEntries(MESHES.map((m) => [m, []])) };
    for (let r = 0; r < rounds; r++) {
      runs.floor.push(side(['floor', dir]));
      for (const m of MESHES) runs[m].push(side(['anymesh', dir, m]));
    }
    const floorMs = median(runs.floor.map((x) => x.ms));
    const rows = MESHES.map((m) => {
      const ms = median(runs[m].map((x) => x.ms));
      const last = runs[m].at(-1);
      return {
        mesh: m,
        ms: Math.round(ms),
        ratio: +(ms / floorMs).toFixed(2),
        peakRssMb: Math.max(...runs[m].map((x) => x.maxRssMb)),
        resources: last.resources,
        diagnostics: last.diagnostics,
        phases: Object.fromEntries(Object.entries(last.phases).map(([k, v]) => [k, Math.round(v)])),
      };
    });
    return { count, rounds, floorMs: Math.round(floorMs), rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Per-policy time and peak memory at each size, for each mesh (output streamed, as to a pipe).
 * One input folder per size serves every mesh. Linkerd, Consul and App Mesh compile with
 * --allow-degraded and carry 6 to 9 warnings and notes per policy: their curve is the one that
 * grows (issue 18: 10k -> 100k at most 1.2x per policy, under 1.5 GB at 100k on every mesh).
 */
export function growthByMesh(sizes, meshes = MESHES, log = () => {}) {
  const rows = Object.fromEntries(meshes.map((m) => [m, []]));
  for (const n of sizes) {
    const dir = writeInputs(n);
    try {
      for (const mesh of meshes) {
        log(`growth: ${n} policies, ${mesh}`);
        const r = side(['anymesh', dir, mesh], { BENCH_STREAM: '1' });
        rows[mesh].push({
          policies: n,
          ms: Math.round(r.ms),
          usPerPolicy: Math.round((r.ms * 1000) / n),
          peakRssMb: r.maxRssMb,
          diagnostics: r.diagnostics,
          phases: Object.fromEntries(Object.entries(r.phases).map(([k, v]) => [k, Math.round(v)])),
          loadAverage: r.loadAverage,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

/** The Istio curve alone, as history.jsonl's `growth` has always held it. */
export function growth(sizes, mesh = 'istio') {
  return growthByMesh(sizes, [mesh])[mesh].map(({ policies, ms, usPerPolicy, peakRssMb }) => ({
    policies,
    ms,
    usPerPolicy,
    peakRssMb,
  }));
}
