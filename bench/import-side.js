/**
 * One side of the import benchmark, in its own process: prints {ms, maxRssMb, policies, fields}.
 * `node import-side.js floor DIR` parses the native files with js-yaml and dumps each object back
 * (reading and writing as much YAML as the import does, with the fastest library);
 * `node import-side.js anymesh DIR SOURCE` is `anymesh import`'s pipeline (load, CRD type check,
 * import, the ledger's walk of every field, validation and rendering of the policies).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';

const [side, dir, source] = process.argv.slice(2);
const files = readdirSync(dir)
  .sort()
  .map((f) => join(dir, f));

const t0 = performance.now();
let result;
if (side === 'floor') {
  let objects = 0;
  let bytes = 0;
  for (const f of files)
    for (const doc of loadAll(readFileSync(f, 'utf8'))) {
      bytes += dump(doc, { noRefs: true, lineWidth: -1 }).length;
      objects++;
    }
  result = { objects, bytes };
} else {
  const { importSourceFor } = await import('../dist/adapters/index.js');
  const { importFiles } = await import('../dist/core/import-pipeline.js');
  const run = importFiles(files, importSourceFor(source));
  if (!run.ok || run.fields.imported !== run.fields.total) {
    console.error(`benchmark input did not import losslessly: ${JSON.stringify(run.fields)}`);
    process.exit(1);
  }
  result = { policies: run.policies.length, fields: run.fields.total, bytes: run.yaml.length };
}
const ms = performance.now() - t0;
console.log(
  JSON.stringify({
    ms,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ...result,
    loadAverage: +loadavg()[0].toFixed(2),
  }),
);
