#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (npm run build, or npm install's prepare step).
// A bare `--version` is answered without loading the CLI (commander and the command table): it is
// what scripts and version checks call most, and it should cost little more than starting Node.
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  const { VERSION } = await import('../dist/cli/version.js');
  process.stdout.write(`${VERSION}\n`);
} else {
  const { run } = await import('../dist/cli/main.js');
  process.exitCode = await run(args);
}
