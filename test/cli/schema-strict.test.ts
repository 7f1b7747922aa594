// The published JSON Schema is as strict as the CLI for closed vocabularies: retryOn takes the
// conditions the model knows or an HTTP status code, and nothing else, as `anymesh validate` does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { RETRY_ON } from '../../src/core/model/schema.js';
import { runCli } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'all.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const policy = (retryOn: unknown[]) => ({
  apiVersion: 'anymesh.dev/v1alpha1',
  kind: 'TrafficPolicy',
  metadata: { name: 'r', namespace: 'shop' },
  spec: { service: 'r', rules: [{ retries: { attempts: 2, retryOn } }] },
});

const yaml = (retryOn: string[]) =>
  `apiVersion: anymesh.dev/v1alpha1\nkind: TrafficPolicy\nmetadata: {name: r, namespace: shop}\nspec:\n  service: r\n  rules: [{retries: {attempts: 2, retryOn: [${retryOn.map((r) => JSON.stringify(r)).join(', ')}]}}]\n`;

describe('retryOn in the published schema', () => {
  it('agrees with validate on every condition, a status code, and a made-up word', async () => {
    for (const retryOn of [[...RETRY_ON], ['503'], ['sometimes'], ['5xx', '999'], ['42']]) {
      const editor = validate(policy(retryOn));
      const cli = (await runCli(['validate', '-f', '-'], { stdin: yaml(retryOn) })).code === 0;
      expect(editor, JSON.stringify(retryOn)).toBe(cli);
    }
    expect(validate(policy(['sometimes']))).toBe(false);
    expect(validate(policy(['503', 'reset']))).toBe(true);
  });
});

describe('default keywords', () => {
  it('constant defaults the descriptions state are published as `default`', () => {
    const defs = (schema as { definitions: Record<string, { properties: Record<string, never> }> })
      .definitions;
    const tp = JSON.stringify(defs.TrafficPolicy);
    expect(tp).toContain('"default":"reject"');
    expect(tp).toContain('"default":100');
    expect(tp).toContain('"default":false');
    expect(JSON.stringify(defs.AccessPolicy)).toContain('"default":"default"');
  });
});
