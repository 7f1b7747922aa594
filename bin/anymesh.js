#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (npm run build, or npm install's prepare step).
// Written for any Node that can parse it: the engine check comes before the CLI is imported, so an
// older Node gets one sentence and exit 2 instead of a crash deep in a cluster command.
import { readFileSync } from 'node:fs';
import module from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const wanted = /^>=\s*(\d+)/.exec(pkg.engines?.node ?? '')?.[1];
const major = Number(process.versions.node.split('.')[0]);
if (wanted && major < Number(wanted)) {
  process.stderr.write(
    `error: anymesh needs Node ${pkg.engines.node} (package.json "engines"); this is Node ${process.versions.node}: ` +
      `run it with a newer node (in a clone, npx anymesh uses the Node 24 in node_modules/.bin)\n`,
  );
  process.exit(2);
}

// A reader that went away (`anymesh capabilities -o json | head -1`) ends the output, quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// A bare `--version` is answered without loading the CLI (commander and the command table): it is
// what scripts and version checks call most, and it should cost little more than starting Node.
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  const { VERSION } = await import('../dist/cli/version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  // V8's code cache on disk (Node >= 22.1): later runs skip compiling the bundle's JavaScript.
  module.enableCompileCache?.();
  const { run } = await import('../dist/bundle/main.js');
  process.exitCode = await run(args);
}
