// The shared cluster flags (src/cli/config-flags.ts): what they put on a command, how they resolve
// to a target, and that the target's client is the one install and discovery reach through the
// kubeconfig.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addConfigFlags, resolveConfigFlags } from '../../../src/cli/config-flags.js';
import { UsageError } from '../../../src/cli/exit.js';
import { clientFor } from '../../../src/cluster/client.js';

const dir = mkdtempSync(join(tmpdir(), 'anymesh-flags-'));
const kubeconfig = join(dir, 'config.yaml');
writeFileSync(
  kubeconfig,
  JSON.stringify({
    clusters: [{ name: 'c', cluster: { server: 'https://c.example:6443' } }],
    users: [{ name: 'u', user: { token: 't' } }],
    contexts: [
      { name: 'main', context: { cluster: 'c', user: 'u', namespace: 'team-a' } },
      { name: 'other', context: { cluster: 'c', user: 'u' } },
    ],
    'current-context': 'main',
  }),
);

describe('shared cluster flags', () => {
  it('adds --kubeconfig, --context, -n and --request-timeout, with a per-command meaning for -n', () => {
    const cmd = addConfigFlags(new Command('x'), { namespaceHelp: 'where the mesh runs' });
    expect(cmd.options.map((o) => o.flags)).toEqual([
      '--kubeconfig <file>',
      '--context <name>',
      '-n, --namespace <ns>',
      '--request-timeout <duration>',
    ]);
    expect(cmd.options.find((o) => o.long === '--namespace')?.description).toBe('where the mesh runs');
    const parsed = addConfigFlags(new Command('y'))
      .parse(['--kubeconfig', kubeconfig, '--context', 'other', '-n', 'b'], { from: 'user' })
      .opts();
    expect(parsed).toEqual({ kubeconfig, context: 'other', namespace: 'b' });
  });

  it("resolves to the context's namespace unless -n names one (and -n counts only where it is the target's)", () => {
    expect(resolveConfigFlags({ kubeconfig }).namespace).toBe('team-a');
    expect(resolveConfigFlags({ kubeconfig, namespace: 'b' }).namespace).toBe('b');
    expect(resolveConfigFlags({ kubeconfig, namespace: 'b' }, { namespaced: false }).namespace).toBe(
      'team-a',
    );
    const other = resolveConfigFlags({ kubeconfig, context: 'other' });
    expect([other.context, other.namespace, other.server]).toEqual([
      'other',
      'default',
      'https://c.example:6443',
    ]);
  });

  it("the target's client is the kubeconfig's client", () => {
    const t = resolveConfigFlags({ kubeconfig }, { retries: 0 });
    expect(clientFor(t.config)).toBe(t.client);
    expect(t.client.server).toBe('https://c.example:6443');
    expect(resolveConfigFlags({ kubeconfig }).client).not.toBe(t.client); // a new kubeconfig, a new client
  });

  it('a kubeconfig problem is a usage error that names the flag', () => {
    expect(() => resolveConfigFlags({ kubeconfig: join(dir, 'absent.yaml') })).toThrow(UsageError);
    expect(() => resolveConfigFlags({ kubeconfig, context: 'nope' })).toThrow(
      '--context nope: no such context; the kubeconfig has main, other',
    );
  });
});
