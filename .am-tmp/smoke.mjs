import { ADAPTERS } from '/work/main/.am-tmp/dist/adapters/index.js';
import { formatDiagnostic } from '/work/main/.am-tmp/dist/core/diagnostics.js';
import { compileFiles } from '/work/main/.am-tmp/dist/core/pipeline.js';
import { renderYaml } from '/work/main/.am-tmp/dist/core/render.js';
const args = process.argv.slice(2);
const opts = {}; const files = []; let degraded = false;
for (const a of args) { if (a === '--allow-degraded') degraded = true; else if (a.includes('=')) { const i=a.indexOf('='); opts[a.slice(0,i)] = a.slice(i+1); } else files.push(a); }
const r = compileFiles(files, ADAPTERS.appmesh, { allowDegraded: degraded, context: { options: opts } });
for (const d of r.diagnostics) console.log('#', formatDiagnostic(d));
console.log(renderYaml(r.resources));
