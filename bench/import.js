/**
 * Import rows: `anymesh import` of what anymesh compiled from the generated policies, for every
 * mesh (and Istio's ambient column), beside the js-yaml floor (parse the same native files, dump
 * each object), each side in its own process, rounds interleaved. A migration reads a whole
 * cluster's configuration, so the figure that matters is how it grows: rows at two sizes give the
 * per-object time at each (a join that searched every object per object, as the App Mesh and
 * Istio imports did before 2026-12-06, shows as a per-object time that grows with the size).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeInputs } from './inputs.js';
import { median } from './stats.js';

/** The columns imported: the source, and the compile options that write its objects. */
export const IMPORT_COLUMNS = [
  { column: 'istio', source: 'istio', options: {} },
  { column: 'istio-ambient', source: 'istio', options: { 'istio.dataplane': 'ambient' } },
  { column: 'linkerd', source: 'linkerd', options: {} },
  { column: 'consul', source: 'consul', options: {} },
  { column: 'appmesh', source: 'appmesh', options: {} },
];
/** Native files per column: each under the loader's per-file size limit at 100k policies too. */
const FILES = 40;

function side(args) {
  return JSON.parse(
    execFileSync(process.execPath, [join(import.meta.dirname, 'import-side.js'), ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    }),
  );
}

/** Compiles the generated policies for each column into its own folder of native YAML files. */
async function nativeInputs(count) {
  const { loadDocuments } = await import('../dist/core/loader/loader.js');
  const { validateDocuments } = await import('../dist/core/model/validate.js');
  const { compilePolicies } = await import('../dist/core/compiler/compile.js');
  const { renderYaml } = await import('../dist/core/render.js');
  const { ADAPTERS } = await import('../dist/adapters/index.js');
  const policiesDir = writeInputs(count);
  const root = mkdtempSync(join(tmpdir(), 'anymesh-bench-import-'));
  try {
    const files = readdirSync(policiesDir).map((f) => join(policiesDir, f));
    const validated = validateDocuments(loadDocuments(files).documents);
    const objects = {};
    for (const c of IMPORT_COLUMNS) {
      // What cannot be expressed is left out, as `compile --allow-degraded` does: what remains is
      // what a cluster of that mesh holds, and imports losslessly.
      const r = compilePolicies(validated.policies, ADAPTERS[c.source], {
        allowDegraded: true,
        context: { options: c.options },
      });
      const dir = join(root, c.column);
      mkdirSync(dir);
      const n = r.resources.length;
      for (let i = 0; i < FILES; i++)
        writeFileSync(
          join(dir, `native-${String(i).padStart(2, '0')}.yaml`),
          renderYaml(r.resources.slice(Math.floor((i * n) / FILES), Math.floor(((i + 1) * n) / FILES))),
        );
      objects[c.column] = n;
    }
    return { root, objects };
  } finally {
    rmSync(policiesDir, { recursive: true, force: true });
  }
}

/** One row per column and size: median ms, ratio to the floor, per-object time, peak RSS. */
export async function importRows(sizes, rounds) {
  const rows = [];
  for (const count of sizes) {
    const { root, objects } = await nativeInputs(count);
    try {
      for (const c of IMPORT_COLUMNS) {
        const dir = join(root, c.column);
        const floor = [];
        const runs = [];
        for (let r = 0; r < rounds; r++) {
          floor.push(side(['floor', dir]));
          runs.push(side(['anymesh', dir, c.source]));
        }
        const ms = median(runs.map((x) => x.ms));
        const floorMs = median(floor.map((x) => x.ms));
        rows.push({
          column: c.column,
          policies: count,
          objects: objects[c.column],
          fields: runs.at(-1).fields,
          ms: Math.round(ms),
          floorMs: Math.round(floorMs),
          ratio: +(ms / floorMs).toFixed(2),
          usPerObject: Math.round((ms * 1000) / objects[c.column]),
          peakRssMb: Math.max(...runs.map((x) => x.maxRssMb)),
          loadAverage: runs.at(-1).loadAverage,
        });
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return rows;
}
