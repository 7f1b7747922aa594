/**
 * `npm run bench`: times anymesh's whole pipeline (load + validate + compile for Istio + render
 * YAML) on 10,000 generated TrafficPolicies, beside a floor measured in the same run on the same
 * input: parsing it and dumping the same output with js-yaml alone. Reports the ratio to the floor
 * (goal: under 3x) and the peak memory (goal: under 500 MB). Each side runs in its own process so
 * that peak memory is its own. Speed is measured here, never in tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { policies } from './generate.js';

const COUNT = Number(process.env.BENCH_POLICIES) || 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 3;
const FILES = 20;

const dir = mkdtempSync(join(tmpdir(), 'anymesh-bench-'));
try {
  const all = [...policies(COUNT)];
  const perFile = Math.ceil(COUNT / FILES);
  for (let f = 0; f < FILES; f++) {
    writeFileSync(
      join(dir, `policies-${String(f).padStart(2, '0')}.yaml`),
      all.slice(f * perFile, (f + 1) * perFile).join('---\n'),
    );
  }
  const run = (side) =>
    JSON.parse(
      execFileSync(process.execPath, [join(import.meta.dirname, 'side.js'), side, dir], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      }),
    );
  const results = { floor: [], anymesh: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, so drift in machine load affects both sides alike.
    results.floor.push(run('floor'));
    results.anymesh.push(run('anymesh'));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const floorMs = median(results.floor.map((x) => x.ms));
  const anyMs = median(results.anymesh.map((x) => x.ms));
  const anyRss = Math.max(...results.anymesh.map((x) => x.maxRssMb));
  const floorRss = Math.max(...results.floor.map((x) => x.maxRssMb));
  const resources = results.anymesh[0].resources;
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(
    `input: ${COUNT} TrafficPolicies in ${FILES} files; output: ${resources} Istio resources; median of ${ROUNDS} rounds`,
  );
  console.log(`floor (js-yaml load + dump):        ${floorMs.toFixed(0)} ms, peak RSS ${floorRss} MB`);
  console.log(`anymesh (load+validate+compile+render): ${anyMs.toFixed(0)} ms, peak RSS ${anyRss} MB`);
  console.log(
    `ratio to floor: ${(anyMs / floorMs).toFixed(2)}x (goal < 3x); peak memory ${anyRss} MB (goal < 500 MB)`,
  );
  for (const [name, xs] of Object.entries(results.anymesh[0].phases ?? {}))
    console.log(`  phase ${name}: ${xs.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
