/**
 * The source of every kind's validator as plain ES module code (ajv's standalone mode), for the CLI
 * bundle (scripts/bundle-cli.mjs writes it beside validate.js). Build-time only: nothing the CLI
 * runs imports this module, so ajv's code generator never loads at start-up.
 */
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { KIND_SCHEMAS, KINDS } from './schema.js';
import { AJV_OPTIONS } from './validate.js';

export function standaloneValidatorsSource(): string {
  // The runtime compile's options, plus source kept for the code writer, in ES module form.
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true } });
  for (const kind of KINDS) ajv.addSchema(KIND_SCHEMAS[kind], kind);
  const code = standalone.default(ajv, Object.fromEntries(KINDS.map((k) => [k, k])));
  // Even in ES module form ajv require()s its small runtime helpers (ucs2length for string
  // lengths) and reads `.default` off them, CommonJS style: give the module a real require, so the
  // helpers load with CommonJS semantics under Node, vitest and the bundle alike (an ES import of
  // them means module.exports in Node but exports.default in vite's interop).
  return `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${code}\nexport const PRECOMPILED = { ${KINDS.join(', ')} };\n`;
}
