/**
 * One side of the compile benchmark, in its own process: prints {ms, maxRssMb, resources, phases}.
 * `node side.js floor DIR` or `node side.js anymesh DIR MESH`. Meshes other than Istio cannot
 * express every generated feature: they compile with allowDegraded, as `--allow-degraded` does,
 * so each policy gets its warnings (what Linkerd, Consul and App Mesh users see).
 */
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';

const [side, dir, mesh = 'istio'] = process.argv.slice(2);
const files = readdirSync(dir)
  .sort()
  .map((f) => join(dir, f));

if (side === 'floor') {
  // The floor: read and parse the same files, then dump what anymesh would output (an object of
  // the same size per policy: we dump the parsed documents twice, about the size of a VirtualService
  // plus a DestinationRule), with the fastest YAML library.
  const t0 = performance.now();
  let n = 0;
  let bytes = 0;
  for (const f of files) {
    for (const doc of loadAll(readFileSync(f, 'utf8'))) {
      bytes +=
        dump(doc, { noRefs: true, lineWidth: -1 }).length +
        dump(doc.spec, { noRefs: true, lineWidth: -1 }).length;
      n += 2;
    }
  }
  const ms = performance.now() - t0;
  console.log(
    JSON.stringify({ ms, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), resources: n, bytes }),
  );
} else {
  const { loadDocuments } = await import('../dist/core/loader/loader.js');
  const { validateDocuments } = await import('../dist/core/model/validate.js');
  const { compilePolicies } = await import('../dist/core/compiler/compile.js');
  const { renderYaml, yamlDocuments } = await import('../dist/core/render.js');
  // BENCH_STREAM=1: write the output document by document (to /dev/null) instead of building one
  // string, as a CLI writing to a pipe can; the growth run uses it to bound memory at 100k.
  const stream = process.env.BENCH_STREAM === '1';
  const { ADAPTERS } = await import('../dist/adapters/index.js');
  const t0 = performance.now();
  const loaded = loadDocuments(files);
  const t1 = performance.now();
  const validated = validateDocuments(loaded.documents);
  const t2 = performance.now();
  const r = compilePolicies(validated.policies, ADAPTERS[mesh], { allowDegraded: mesh !== 'istio' });
  const t3 = performance.now();
  let outBytes = 0;
  if (stream) {
    const fd = openSync('/dev/null', 'w');
    for (const doc of yamlDocuments(r.resources)) {
      writeSync(fd, doc);
      outBytes += doc.length;
    }
    closeSync(fd);
  } else {
    outBytes = renderYaml(r.resources).length;
  }
  const t4 = performance.now();
  if (
    !r.ok ||
    loaded.diagnostics.length ||
    validated.diagnostics.length ||
    (mesh === 'istio' && r.diagnostics.length)
  ) {
    console.error('benchmark input did not compile cleanly');
    process.exit(1);
  }
  console.log(
    JSON.stringify({
      ms: t4 - t0,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      resources: r.resources.length,
      diagnostics: r.diagnostics.length,
      bytes: outBytes,
      phases: { load: t1 - t0, validate: t2 - t1, compile: t3 - t2, render: t4 - t3 },
      // The machine is shared: the 1-minute load average at the end says what the time competed with.
      loadAverage: +loadavg()[0].toFixed(2),
    }),
  );
}
