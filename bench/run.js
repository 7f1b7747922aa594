/**
 * `npm run bench`: every row of issue 18's table in one run, each beside its baseline measured in
 * the same run, printed as ratios with the machine, and appended to bench/history.jsonl (the
 * previous run of the same mode is shown beside each figure). Speed is measured here, never in
 * tests.
 *
 *   compile   10,000 generated policies per mesh vs the js-yaml floor (parse + dump), 3 rounds
 *   growth    every mesh at 1k / 10k / 100k policies: per-policy time and peak memory (about 6
 *             minutes on 2 cores; BENCH_GROWTH_MESHES=linkerd,appmesh measures some)
 *   import    `anymesh import` of every mesh's compiled output (and Istio ambient's) at 2,000 and
 *             20,000 policies vs the js-yaml floor (parse + dump the native files): ratio and
 *             per-object time at each size, which must not grow with it
 *   startup   `anymesh --version` and `validate` of one small file vs `node -e 0`
 *   cluster   apply / re-apply / diff / status / delete of 1,000 Istio objects on a real API server,
 *             vs kubectl apply --server-side (per object, serially; and one call for all)
 *   controller `anymesh controller` from cold on 1,000 policies (time, peak memory) and a resync
 *             with nothing changed (writes counted from the API server's audit log)
 *
 * BENCH_QUICK=1 (or `--quick`): 2,000 policies, one round, growth to 10k, 200 objects, for
 * development. BENCH_ONLY=compile,startup,... runs some parts. BENCH_POLICIES / BENCH_ROUNDS /
 * BENCH_OBJECTS override the sizes. Where peak memory goes: bench/live-probe.mjs (what stays live), bench/old-space.js (what a compile
 * allocates into the old generation, by function).
 */
import { loadavg } from 'node:os';
import { clusterRows } from './cluster.js';
import { compileRows, growthByMesh, MESHES } from './compile.js';
import { controllerRows } from './controller.js';
import { lastRun, record } from './history.js';
import { importRows } from './import.js';
import { startupRows } from './startup.js';
import { machine } from './stats.js';

const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const mode = quick ? 'quick' : 'full';
const only = (process.env.BENCH_ONLY ?? 'compile,growth,import,startup,cluster,controller').split(',');
const size = {
  policies: Number(process.env.BENCH_POLICIES) || (quick ? 2_000 : 10_000),
  rounds: Number(process.env.BENCH_ROUNDS) || (quick ? 1 : 3),
  growth: quick ? [1_000, 10_000] : [1_000, 10_000, 100_000],
  importSizes: quick ? [500, 5_000] : [2_000, 20_000],
  startupRuns: quick ? 5 : 11,
  objects: Number(process.env.BENCH_OBJECTS) || (quick ? 200 : 1_000),
  serialSample: quick ? 20 : 100,
  controllerPolicies: Number(process.env.BENCH_CONTROLLER_POLICIES) || (quick ? 200 : 1_000),
};
const log = (s) => process.stderr.write(`[bench] ${s}\n`);
const prev = lastRun(mode);
const was = (v) => (v === undefined ? '' : ` (last run: ${v})`);

const m = machine();
console.log(
  `machine: ${m.cores} x ${m.model}, ${m.memGiB} GiB, Node ${m.node}; commit ${m.commit}; ${mode} mode; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const run = { date: new Date().toISOString(), mode, machine: m, size };

if (only.includes('compile')) {
  log(`compile: ${size.policies} policies x ${size.rounds} rounds, every mesh`);
  run.compile = compileRows(size.policies, size.rounds);
  console.log(
    `\ncompile ${size.policies} policies (median of ${size.rounds}); floor (js-yaml parse + dump): ${run.compile.floorMs} ms`,
  );
  for (const r of run.compile.rows) {
    const p = prev?.compile?.rows.find((x) => x.mesh === r.mesh);
    console.log(
      `  ${r.mesh.padEnd(8)} ${String(r.ms).padStart(6)} ms  ${r.ratio.toFixed(2)}x floor (goal <= 2.0)${was(p?.ratio)}  peak ${r.peakRssMb} MB; ${r.resources} resources, ${r.diagnostics} diagnostics; ${Object.entries(
        r.phases,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} ms`,
    );
  }
}

if (only.includes('growth')) {
  const meshes = process.env.BENCH_GROWTH_MESHES?.split(',') ?? MESHES;
  log(`growth: ${size.growth.join(' / ')} policies, ${meshes.join(', ')} (output streamed)`);
  const t0 = performance.now();
  const byMesh = growthByMesh(size.growth, meshes, log);
  // `growth` keeps its old form (Istio's curve) so that earlier lines compare; every mesh's curve
  // is in `growthByMesh`, with diagnostics, phases and the load average of each point.
  if (byMesh.istio)
    run.growth = byMesh.istio.map(({ policies, ms, usPerPolicy, peakRssMb }) => ({
      policies,
      ms,
      usPerPolicy,
      peakRssMb,
    }));
  run.growthByMesh = byMesh;
  run.growthSeconds = Math.round((performance.now() - t0) / 1000);
  console.log(`\ngrowth (output streamed; ${run.growthSeconds} s for every point):`);
  for (const [mesh, rows] of Object.entries(byMesh)) {
    const p = prev?.growthByMesh?.[mesh] ?? (mesh === 'istio' ? prev?.growth : undefined);
    for (const g of rows) {
      const last = p?.find((x) => x.policies === g.policies);
      console.log(
        `  ${mesh.padEnd(8)} ${String(g.policies).padStart(7)} policies  ${String(g.ms).padStart(7)} ms  ${String(g.usPerPolicy).padStart(5)} us/policy  peak ${String(g.peakRssMb).padStart(5)} MB  ${String(g.diagnostics).padStart(7)} diagnostics  load ${g.loadAverage}${was(last && `${last.usPerPolicy} us, ${last.peakRssMb} MB`)}`,
      );
    }
    const at = (n) => rows.find((g) => g.policies === n);
    if (at(10_000) && at(100_000))
      console.log(
        `  ${mesh.padEnd(8)} per-policy 10k -> 100k: ${(at(100_000).usPerPolicy / at(10_000).usPerPolicy).toFixed(2)}x (goal <= 1.2); peak at 100k ${at(100_000).peakRssMb} MB (goal < 1536)`,
      );
  }
}

if (only.includes('import')) {
  log(
    `import: ${size.importSizes.join(' / ')} policies compiled for each mesh, then imported, ${size.rounds} rounds`,
  );
  run.import = await importRows(size.importSizes, size.rounds);
  console.log(
    `\nimport of compiled output (median of ${size.rounds}) vs the js-yaml floor (parse + dump the native files):`,
  );
  for (const r of run.import) {
    const p = prev?.import?.find((x) => x.column === r.column && x.policies === r.policies);
    console.log(
      `  ${r.column.padEnd(13)} ${String(r.policies).padStart(6)} policies ${String(r.objects).padStart(7)} objects  ${String(r.ms).padStart(6)} ms  ${r.ratio.toFixed(2)}x floor  ${String(r.usPerObject).padStart(4)} us/object${was(p && `${p.ratio}x, ${p.usPerObject} us`)}  peak ${r.peakRssMb} MB`,
    );
  }
  for (const column of new Set(run.import.map((r) => r.column))) {
    const [small, large] = run.import.filter((r) => r.column === column);
    if (small && large)
      console.log(
        `  ${column.padEnd(13)} per-object ${small.policies} -> ${large.policies} policies: ${(large.usPerObject / small.usPerObject).toFixed(2)}x (linear: about 1)`,
      );
  }
}

if (only.includes('startup')) {
  log(`startup: ${size.startupRuns} runs each`);
  run.startup = startupRows(size.startupRuns);
  console.log(`\nstart-up (median of ${size.startupRuns}); node -e 0: ${run.startup.nodeMs} ms`);
  for (const r of run.startup.rows) {
    const p = prev?.startup?.rows.find((x) => x.what === r.what);
    console.log(
      `  ${r.what.padEnd(34)} ${String(r.ms).padStart(5)} ms  ${r.ratio.toFixed(2)}x (goal <= ${r.goal})${was(p?.ratio)}`,
    );
  }
}

if (only.includes('cluster')) {
  try {
    const c = await clusterRows(size.objects, size.serialSample, log);
    run.cluster = c;
    const p = prev?.cluster?.ratios ?? {};
    console.log(
      `\ncluster: ${c.objects} Istio objects in ${c.namespaces} namespaces, kube-apiserver ${c.apiServer}`,
    );
    console.log(`  first apply              ${c.firstApplyMs} ms  (${JSON.stringify(c.firstApplyRequests)})`);
    console.log(
      `  API server + etcd CPU    ${c.firstApplyServerCpuMs} ms for the first apply, ${c.kubectlBulkServerCpuMs} ms for kubectl -f: on ${c.cores} cores the first apply cannot take less than ${c.ratios.floorVsBulk} of kubectl -f`,
    );
    console.log(
      `  anymesh's own CPU        ${c.firstApplyClientCpuMs} ms (kubectl -f: ${c.kubectlBulkClientCpuMs} ms); server + anymesh on ${c.cores} cores: at least ${c.ratios.cpuFloorVsBulk} of kubectl -f`,
    );
    console.log(
      `  kubectl, one per object  ${c.kubectlSerialMs} ms  (scaled from ${c.kubectlSerialSample}): anymesh ${c.ratios.firstVsSerial}x faster (goal >= 10)${was(p.firstVsSerial)}`,
    );
    console.log(
      `  kubectl -f, one call     ${c.kubectlBulkMs} ms: anymesh takes ${c.ratios.firstVsBulk} of its time (goal <= 0.3)${was(p.firstVsBulk)}`,
    );
    console.log(
      `  re-apply, nothing changed ${c.reapplyMs} ms  (${JSON.stringify(c.reapplyRequests)}, ${c.reapplyUnchanged} unchanged): ${c.ratios.reapplyVsFirst} of the first apply (goal <= 0.15)${was(p.reapplyVsFirst)}`,
    );
    console.log(
      `  diff                     ${c.diffMs} ms: ${c.ratios.diffVsReapply}x the re-apply (goal <= 1)${was(p.diffVsReapply)}; CPU ${c.diffCpuMs} ms vs ${c.reapplyCpuMs} ms: ${c.ratios.diffVsReapplyCpu}x; rounds (ms) diff ${c.diffRunsMs.join(' ')}, re-apply ${c.reapplyRunsMs.join(' ')}`,
    );
    console.log(`  status                   ${c.statusMs} ms (goal <= 3000)${was(prev?.cluster?.statusMs)}`);
    console.log(`  delete                   ${c.deleteMs} ms`);
  } catch (e) {
    console.log(`\ncluster: not measured: ${e.message.split('\n')[0]}`);
    run.clusterError = e.message.split('\n')[0];
  }
}

if (only.includes('controller')) {
  try {
    const c = await controllerRows(size.controllerPolicies, log);
    run.controller = c;
    const p = prev?.controller;
    const r = c.resyncRequests;
    console.log(
      `\ncontroller: ${c.policies} TrafficPolicies in ${c.namespaces} namespaces, kube-apiserver ${c.apiServer}`,
    );
    console.log(
      `  from cold                ${c.coldMs} ms (goal <= 60000)${was(p?.coldMs)}; load average then ${c.loadAtCold.join(' ')}; ${c.coldRequests.writes} writes, ${c.coldRequests.dryRuns} dry-runs, ${c.coldRequests.reads} reads`,
    );
    console.log(
      `  CPU in the cold phase    controller ${c.coldCpuSeconds.controller} s, kube-apiserver ${c.coldCpuSeconds.apiServer} s, etcd ${c.coldCpuSeconds.etcd} s (of ${(c.coldMs / 1000).toFixed(0)} s wall on ${m.cores} cores)`,
    );
    console.log(`  peak RSS                 ${c.peakRssMb} MB (goal <= 500)${was(p?.peakRssMb)}`);
    console.log(
      `  resync, nothing changed  ${r.writes} writes (goal 0) in ${c.resyncSeconds} s, from the audit log; ${c.resyncReconciles} reconciles, ${r.dryRuns} dry-runs, ${r.reads} reads${was(p?.resyncRequests?.writes)}`,
    );
    if (c.profileDir) console.log(`  CPU profile in ${c.profileDir}`);
  } catch (e) {
    console.log(`\ncontroller: not measured: ${e.message.split('\n')[0]}`);
    run.controllerError = e.message.split('\n')[0];
  }
}

record(run);
console.log(
  `\nrecorded in bench/history.jsonl${prev ? ` (previous ${mode} run: ${prev.date}, commit ${prev.machine.commit})` : ''}`,
);
