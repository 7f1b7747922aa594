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
  // lengths): turn each into an import, so the file is a module that Node, vitest and esbuild load.
  const imports: string[] = [];
  const body = code.replace(/require\("([^"]+)"\)/g, (_: string, path: string) => {
    const name = `ajvRuntime${imports.length}`;
    imports.push(`import ${name} from ${JSON.stringify(`${path}.js`)};`);
    return name;
  });
  return `${imports.join('\n')}\n${body}\nexport const PRECOMPILED = { ${KINDS.join(', ')} };\n`;
}
