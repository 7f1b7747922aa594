/**
 * What stays live after each phase (load, validate, compile), and what the diagnostics and the
 * resources hold of it: a full GC before each figure, so only reachable memory counts. Where the
 * compile's peak RSS comes from (issue 18: under 1.5 GB at 100,000 policies).
 *
 *   npm run build && node --expose-gc bench/live-probe.mjs 100000 appmesh
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeInputs } from './inputs.js';
const [count = '100000', mesh = 'appmesh'] = process.argv.slice(2);
const dir = writeInputs(Number(count));
const files = readdirSync(dir).sort().map((f) => join(dir, f));
const { loadDocuments } = await import('../dist/core/loader/loader.js');
const { validateDocuments } = await import('../dist/core/model/validate.js');
const { compilePolicies } = await import('../dist/core/compiler/compile.js');
const { ADAPTERS } = await import('../dist/adapters/index.js');
const live = (what) => { gc(); gc(); const m = process.memoryUsage(); console.log(what.padEnd(24), 'heap', m.heapUsed >> 20, 'ext', m.external >> 20, 'rssMax', process.resourceUsage().maxRSS >> 10); };
live('start');
const loaded = loadDocuments(files);
live('loaded');
const validated = validateDocuments(loaded.documents);
live('validated');
const r = compilePolicies(validated.policies, ADAPTERS[mesh], { allowDegraded: mesh !== 'istio' });
live('compiled');
const nd = r.diagnostics.length; r.diagnostics.length = 0;
live(`-diagnostics(${nd})`);
const nr = r.resources.length; r.resources.length = 0;
live(`-resources(${nr})`);
rmSync(dir, { recursive: true, force: true });
