#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (npm run build, or npm install's prepare step).
import { run } from '../dist/cli/main.js';

const code = await run(process.argv.slice(2));
process.exitCode = code;
