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
  // src/cluster/kubeconfig.ts loads client-node's KubeConfig on first use; in the bundle it finds
  // it in client-node.js beside the chunks (below) instead of in node_modules.
  define: { ANYMESH_CLIENT_NODE_BUNDLE: JSON.stringify('./client-node.js') },
});

// client-node's KubeConfig (and what it imports: the generated API, undici, the auth plugins) as
// one file. Unbundled it is ~1,000 modules that every cluster command resolved, read and linked
// at start: ~0.45 s of CPU, a third of a no-op re-apply; one file loads in ~0.15 s.
await build({
  stdin: {
    contents: "export { KubeConfig } from '@kubernetes/client-node/dist/config.js';",
    resolveDir: ROOT,
    loader: 'js',
  },
  outfile: join(DIST, 'bundle', 'client-node.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  logLevel: 'error',
  banner: {
    js: "import { createRequire as __anymeshCreateRequire } from 'node:module'; const require = __anymeshCreateRequire(import.meta.url);",
  },
});
