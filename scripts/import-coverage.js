/**
 * How much of a folder of native configuration an importer takes losslessly, for measuring an
 * importer on samples it was not written against (e.g. a mesh's own repository, exported to a
 * temporary folder; nothing of them belongs in this project):
 *
 *   npm run build && node scripts/import-coverage.js --from consul DIR [--by-file] [--json]
 *
 * The YAML files of each directory are imported together (one application's manifests, whose
 * entries join); files with the same content as one already counted are left out. Prints the native fields (leaves) of the imported kinds, the
 * share imported losslessly, the share reported (with a diagnostic naming file, line, column and
 * field path) and the silent drops, which must be 0: a leaf the importer neither took nor reported
 * is still reported by the ledger (AM1015) and counted here. Objects of kinds the importer does
 * not read are listed, as `anymesh import` lists them.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { importSourceFor } from '../dist/adapters/index.js';
import { importLoaded } from '../dist/core/import-pipeline.js';
import { parseInputs } from '../dist/core/loader/loader.js';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const from = args[args.indexOf('--from') + 1];
const dir = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--from')[0];
const source = from && importSourceFor(from);
if (!source || !dir) {
  console.error('usage: node scripts/import-coverage.js --from SOURCE DIR [--by-file] [--json]');
  process.exit(2);
}

function* yamlFiles(d) {
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) yield* yamlFiles(p);
    else if (/\.ya?ml$/.test(name)) yield p;
  }
}

const seen = new Set();
const totals = {
  dirs: 0,
  files: 0,
  duplicates: 0,
  total: 0,
  imported: 0,
  reported: 0,
  unaccounted: 0,
  skipped: 0,
};
const codes = {};
const rows = [];
const byDir = new Map();
for (const file of yamlFiles(dir)) {
  const text = readFileSync(file, 'utf8');
  const hash = createHash('sha256').update(text).digest('hex');
  if (seen.has(hash)) {
    totals.duplicates++;
    continue;
  }
  seen.add(hash);
  const d = relative(dir, dirname(file)) || '.';
  byDir.set(d, [...(byDir.get(d) ?? []), { name: relative(dir, file), text }]);
}
for (const [d, inputs] of byDir) {
  const run = importLoaded(parseInputs(inputs), source, {});
  totals.dirs++;
  totals.files += inputs.length;
  for (const k of ['total', 'imported', 'reported', 'unaccounted']) totals[k] += run.fields[k];
  totals.skipped += run.skipped.length;
  for (const x of run.diagnostics)
    if (x.level !== 'info' || x.code === 'AM1015') codes[x.code] = (codes[x.code] ?? 0) + 1;
  rows.push({ dir: d, files: inputs.length, ...run.fields, skipped: run.skipped.map((x) => x.ref) });
}
const pct = (n) => (totals.total ? ((100 * n) / totals.total).toFixed(1) : '0.0');
if (flag('--json')) {
  console.log(JSON.stringify({ source: source.id, totals, codes, files: rows }, null, 2));
} else {
  if (flag('--by-file'))
    for (const r of rows)
      console.log(
        `${r.dir} (${r.files} files): ${r.imported}/${r.total} lossless, ${r.reported} reported, ${r.unaccounted} silent${r.skipped.length ? `; ${r.skipped.length} objects not imported` : ''}`,
      );
  console.log(
    `${source.displayName}: ${totals.files} files in ${totals.dirs} directories (${totals.duplicates} duplicates left out), ${totals.total} native fields of imported kinds: ` +
      `${totals.imported} imported losslessly (${pct(totals.imported)}%), ${totals.reported} reported (${pct(totals.reported)}%), ` +
      `${totals.unaccounted} silent drops; ${totals.skipped} objects of kinds not imported (listed)`,
  );
  console.log(
    `reports by code: ${
      Object.entries(codes)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ') || 'none'
    }`,
  );
}
