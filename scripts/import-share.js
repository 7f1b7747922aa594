/**
 * The share of native fields an importer takes losslessly, over a folder of real configurations
 * (issue 14's measure: goal >= 95%, and 0 silent drops). Run after `npm run build`:
 *
 *   node scripts/import-share.js --from SOURCE DIR [--by file|dir] [--reasons N]
 *
 * Files are imported a folder at a time (`--by dir`, the default: objects that form one policy
 * live in several files of a folder) or one at a time. Prints, per group and in total, the native
 * leaves, those imported losslessly, those reported with a diagnostic, and those no importer
 * accounted for (each of which got AM1015, so none is silent either), plus the objects listed as
 * not imported. `--reasons N` adds, after the total, the N largest groups of reported leaves (by
 * diagnostic code, object kind and field, list indices left out) with one message of each, and the
 * objects not imported by kind: where the share is lost. Exit 1 when any group does not load, has
 * an error (an object refused for a wrong type, an imported policy that does not validate: the
 * import would write nothing) or leaves a field unaccounted. Which upstream repositories, commits
 * and files the published figures were measured on, and how they are exported: docs/migrate.md,
 * "Reproducing the measures".
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { importSourceFor } from '../dist/adapters/index.js';
import { importFiles } from '../dist/core/import-pipeline.js';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const from = flag('--from');
const by = flag('--by', 'dir');
const reasons = Number(flag('--reasons', '0'));
const source = from && importSourceFor(from);
if (!source || !args.length || (by !== 'dir' && by !== 'file') || !Number.isInteger(reasons) || reasons < 0) {
  console.error('usage: node scripts/import-share.js --from SOURCE DIR... [--by file|dir] [--reasons N]');
  process.exit(2);
}

/** YAML files, and the other forms the source reads (Consul: `consul config write` HCL and JSON). */
function* yamlFiles(path) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) yield* yamlFiles(join(path, name));
  } else if (/\.ya?ml$/.test(path) || source.format?.extensions?.test(path)) yield path;
}

const groups = new Map();
for (const root of args)
  for (const file of yamlFiles(root)) {
    const key = by === 'dir' ? dirname(file) : file;
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }

const sum = { total: 0, imported: 0, reported: 0, unaccounted: 0, skipped: 0 };
const losses = new Map();
const skippedKinds = new Map();
let failed = false;
for (const [key, files] of groups) {
  const run = importFiles(files, source);
  const loadErrors = run.diagnostics.filter((d) => d.level === 'error' && d.code.startsWith('AM10'));
  // Any other error (an object refused for a wrong type, AM2050; an imported policy that does not
  // validate, a bug) means the import writes nothing for this group: counted, shown, exit 1.
  const otherErrors = run.diagnostics.filter((d) => d.level === 'error' && !d.code.startsWith('AM10'));
  const f = run.fields;
  for (const k of ['total', 'imported', 'reported', 'unaccounted']) sum[k] += f[k];
  sum.skipped += run.skipped.length;
  for (const l of run.losses) {
    const key = `${l.code} ${l.kind} ${l.field}`;
    losses.set(key, {
      ...l,
      leaves: (losses.get(key)?.leaves ?? 0) + l.leaves,
      example: losses.get(key)?.example ?? l.example,
    });
  }
  for (const s of run.skipped) {
    const kind = s.ref.split('/')[0];
    skippedKinds.set(kind, (skippedKinds.get(kind) ?? 0) + 1);
  }
  if (loadErrors.length || otherErrors.length || f.unaccounted) failed = true;
  const share = f.total ? ((100 * f.imported) / f.total).toFixed(1) : '-';
  console.log(
    `${relative(process.cwd(), key) || key}: ${f.imported}/${f.total} imported (${share}%), ${f.reported} reported, ${f.unaccounted} unaccounted, ${run.skipped.length} objects not imported${loadErrors.length ? `, ${loadErrors.length} load errors` : ''}${otherErrors.length ? `, ${otherErrors.length} errors (${[...new Set(otherErrors.map((d) => d.code))].join(', ')}: nothing would be written)` : ''}`,
  );
}
const share = sum.total ? ((100 * sum.imported) / sum.total).toFixed(1) : '-';
console.log(
  `total: ${sum.imported}/${sum.total} native fields imported losslessly (${share}%), ${sum.reported} reported, ${sum.unaccounted} unaccounted (silent drops: 0; each unaccounted field got AM1015), ${sum.skipped} objects not imported`,
);
if (reasons) {
  console.log(`reported leaves by reason (top ${reasons}):`);
  const sorted = [...losses.values()].sort((a, b) => b.leaves - a.leaves || a.code.localeCompare(b.code));
  for (const l of sorted.slice(0, reasons))
    console.log(`  ${String(l.leaves).padStart(4)}  ${l.code} ${l.kind} ${l.field}: ${l.example}`);
  console.log('objects not imported by kind:');
  for (const [kind, n] of [...skippedKinds].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
    console.log(`  ${String(n).padStart(4)}  ${kind}`);
}
process.exit(failed ? 1 : 0);
