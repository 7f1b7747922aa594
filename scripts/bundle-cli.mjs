/**
 * Builds dist/bundle/, what bin/anymesh.js runs: the CLI (already compiled by tsc into dist/) as a
 * few files instead of ~500 modules, with the policy validators compiled at build time.
 *
 * Why: a one-file `anymesh validate` spent most of its start resolving, reading and linking
 * modules (TypeBox alone is 200) and running ajv's code generator for schemas that never change.
 * esbuild joins the modules (one chunk per command, still loaded only when that command runs) and
 * ajv's standalone mode writes each kind's validator as plain code. The library entry (dist/index.js)
 * stays tsc's output: only the command line is bundled.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist');
const { standaloneValidatorsSource } = await import(join(DIST, 'core/model/standalone-validators.js'));

// tsc emitted the module empty (tests compile validators at run time); fill it for dist/, so the
// library entry and the bundle both validate with the precompiled code.
writeFileSync(join(DIST, 'core/model/precompiled-validators.js'), standaloneValidatorsSource());

// Chunk names carry a hash: start empty so no chunk of an earlier build stays behind.
rmSync(join(DIST, 'bundle'), { recursive: true, force: true });
await build({
  entryPoints: { main: join(DIST, 'cli/main.js') },
  outdir: join(DIST, 'bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  logLevel: 'warning',
  // Bundled CommonJS code (ajv's runtime, commander) calls require(): give every chunk one.
  banner: {
    js: "import { createRequire as __anymeshCreateRequire } from 'node:module'; const require = __anymeshCreateRequire(import.meta.url);",
  },
});
