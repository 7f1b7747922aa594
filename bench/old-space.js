/**
 * What the compile phase allocates that reaches the old generation (live at the end, or collected
 * only by a full GC): the allocations that make the heap, and peak memory, grow. Objects a
 * scavenge collects are left out: they cost time, not peak memory. A sampling heap profile (V8's
 * HeapProfiler.startSampling through node:inspector), summed by function, largest first.
 *
 *   npm run build && node bench/old-space.js 100000 appmesh [phase: compile | all]
 *
 * Issue 18's memory work started from it: at 100,000 policies on Linkerd, 2.0 of 3.0 GB was the
 * position scanner's node objects.
 */

import { readdirSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { writeInputs } from './inputs.js';

const [count = '10000', mesh = 'appmesh', phase = 'compile'] = process.argv.slice(2);
const dir = writeInputs(Number(count));
const files = readdirSync(dir)
  .sort()
  .map((f) => join(dir, f));
const { loadDocuments } = await import('../dist/core/loader/loader.js');
const { validateDocuments } = await import('../dist/core/model/validate.js');
const { compilePolicies } = await import('../dist/core/compiler/compile.js');
const { ADAPTERS } = await import('../dist/adapters/index.js');

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
const start = () =>
  post('HeapProfiler.startSampling', {
    samplingInterval: 64 * 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: false,
  });

if (phase === 'all') await start();
const loaded = loadDocuments(files);
const validated = validateDocuments(loaded.documents);
if (phase === 'compile') await start();
const r = compilePolicies(validated.policies, ADAPTERS[mesh], { allowDegraded: mesh !== 'istio' });
const { profile } = await post('HeapProfiler.stopSampling');
rmSync(dir, { recursive: true, force: true });

const bySelf = new Map();
const visit = (node) => {
  const f = node.callFrame;
  const where = f.url.replace(/.*\/(dist|node_modules)\//, '$1/');
  const key = `${f.functionName || '(anonymous)'} ${where}${where ? `:${f.lineNumber + 1}` : ''}`;
  bySelf.set(key, (bySelf.get(key) ?? 0) + node.selfSize);
  let sum = node.selfSize;
  for (const c of node.children) sum += visit(c);
  return sum;
};
const total = visit(profile.head);
const mb = (b) => `${(b / 2 ** 20).toFixed(0).padStart(6)} MB`;
console.log(
  `${count} policies, ${mesh}, ${phase}: ${mb(total)} reached the old generation; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; ${r.diagnostics.length} diagnostics, ${r.resources.length} resources`,
);
for (const [k, v] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${mb(v)}  ${k}`);
