/**
 * The share of native fields an importer takes losslessly, measured on a folder of native YAML
 * nobody wrote for anymesh (upstream samples, a cluster dump): `npm run build && node
 * scripts/import-share.js --from linkerd DIR...`. Every file is imported on its own (samples are
 * independent), and the totals are printed: fields imported losslessly, reported (with a
 * diagnostic naming file:line:col), and unaccounted (the ledger's AM1015, a field no importer code
 * read: the "silent drops" the importer would have made without the ledger), plus the objects of
 * kinds not imported. `-v` lists every report. Nothing here is a test: it measures.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { importSourceFor } from '../dist/adapters/index.js';
import { formatDiagnostic } from '../dist/core/diagnostics.js';
import { importFiles } from '../dist/core/import-pipeline.js';

const args = process.argv.slice(2);
const from = args[args.indexOf('--from') + 1];
const verbose = args.includes('-v');
const dirs = args.filter((a, i) => !a.startsWith('-') && args[i - 1] !== '--from');
const source = from && importSourceFor(from);
if (!source || !dirs.length) {
  console.error('usage: node scripts/import-share.js --from MESH [-v] DIR...');
  process.exit(2);
}
const files = (p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .sort()
        .flatMap((f) => files(join(p, f)))
    : /\.(ya?ml|golden)$/.test(p)
      ? [p]
      : [];
const total = { files: 0, total: 0, imported: 0, reported: 0, unaccounted: 0, skipped: 0, policies: 0 };
const byCode = new Map();
for (const file of dirs.flatMap(files)) {
  const r = importFiles([file], source);
  total.files++;
  for (const k of ['total', 'imported', 'reported', 'unaccounted']) total[k] += r.fields[k];
  total.skipped += r.skipped.length;
  total.policies += r.policies.length;
  for (const d of r.diagnostics) {
    if (d.level === 'info' && d.code !== 'AM1015') continue;
    byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
    if (verbose) console.log(formatDiagnostic(d));
  }
}
const pct = (n) => ((100 * n) / Math.max(total.total, 1)).toFixed(1);
console.log(
  `${total.files} files, ${total.policies} neutral policies: ${total.imported} of ${total.total} native fields imported losslessly (${pct(total.imported)}%), ${total.reported} reported (${pct(total.reported)}%), ${total.unaccounted} unaccounted; ${total.skipped} objects of kinds not imported (listed)`,
);
console.log(`diagnostics by code: ${[...byCode].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
