// The real check of the Consul adapter: every config entry anymesh compiles from examples/ and
// test/cases/ is written to a real `consul agent -dev` (Consul 1.16.3, the newest MPL-licensed release,
// built from the Go module proxy by scripts/build-consul.sh) through PUT /v1/config, and read back.
// Consul validates each entry on write, including the whole discovery chain it belongs to (protocol
// http before routers and splitters, subsets defined before use, weights summing to 100), so this
// proves the entries are accepted, not only that they match a schema. The HCL rendering is written
// too, with `consul config write`, and must read back identical to the JSON one.
//
// Independent of the kube-apiserver the integration project's global setup starts: the agent
// (test/support/consul-agent.ts, shared with the behaviour tier) runs on its own free loopback ports
// with in-memory state and is stopped after the file.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configEntries, renderConfigEntries } from '../../src/adapters/consul/config-entry.js';
import { consulAdapter } from '../../src/adapters/consul/index.js';
import { formatDuration } from '../../src/core/model/duration.js';
import { compileFiles, compileLoaded, loadInputs } from '../../src/core/pipeline.js';
import { goldenCases, ROOT } from '../support/cases.js';
import {
  type ConsulAgent,
  type ConsulEntry as Entry,
  entryName as nameOf,
  startConsulAgent,
} from '../support/consul-agent.js';

let agent: ConsulAgent;

// Cached after the first build; a cold build takes several minutes (hookTimeout is 10 minutes).
beforeAll(async () => {
  agent = await startConsulAgent();
}, 600_000);

afterAll(async () => {
  await agent?.stop();
});

const put = (entry: Entry) => agent.put(entry);
const get = (kind: string, name: string) => agent.get(kind, name);
const remove = (entries: readonly Entry[]) => agent.remove(entries);

/** Consul adds bookkeeping fields on read; compare only what was written. */
function written(readBack: Entry, sent: Entry): Entry {
  return Object.fromEntries(Object.keys(sent).map((k) => [k, readBack[k]])) as Entry;
}

// Intentions read back with Precedence and Type added per source; strip those.
function normalise(e: Entry): Entry {
  if (e.Kind === 'service-resolver') return cookieTtl(e);
  if (e.Kind !== 'service-intentions' || !Array.isArray(e.Sources)) return e;
  return {
    ...e,
    Sources: (e.Sources as Record<string, unknown>[]).map(({ Precedence: _p, Type: _t, ...rest }) => rest),
  };
}

/**
 * CookieConfig.TTL is a plain time.Duration in Consul (agent/structs/config_entry_discoverychain.go),
 * so it reads back as nanoseconds where it was written as a Go duration string: compare it written
 * the way anymesh writes it.
 */
function cookieTtl(e: Entry): Entry {
  const lb = e.LoadBalancer as { HashPolicies?: { CookieConfig?: { TTL?: unknown } }[] } | undefined;
  for (const h of lb?.HashPolicies ?? []) {
    const c = h.CookieConfig;
    if (c && typeof c.TTL === 'number') c.TTL = formatDuration(c.TTL / 1e6);
  }
  return e;
}

const cases = goldenCases()
  .map((c) => ({ ...c, result: compileFiles([join(ROOT, c.file)], consulAdapter) }))
  .filter((c) => c.result.ok && c.result.resources.length > 0);

describe('Consul 1.16.3 agent accepts every compiled config entry', () => {
  it('has cases to check', () => {
    // The consul-* cases and the canary example compile cleanly for Consul; if none did, this file
    // would check nothing.
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'example-bookinfo-canary',
        'case-consul-l7-routing',
        'case-consul-intentions',
        'case-consul-permissive',
      ]),
    );
  });

  it.each(cases)('$name: PUT /v1/config in order, read back identical', async ({ result }) => {
    const entries = configEntries(result.resources, false) as Entry[];
    for (const e of entries) {
      const r = await put(e);
      expect(r, `${e.Kind}/${nameOf(e)}: ${r.body}`).toEqual({ status: 200, body: 'true' });
    }
    for (const e of entries) {
      expect(normalise(written(await get(e.Kind, nameOf(e)), e)), `${e.Kind}/${nameOf(e)}`).toEqual(e);
    }
    await remove(entries);
  });

  it.each(cases)(
    '$name: the HCL rendering, written with `consul config write`, reads back the same',
    async ({ result }) => {
      const entries = configEntries(result.resources, false) as Entry[];
      const hcl = renderConfigEntries(result.resources, false, 'yaml');
      const chunks = hcl.split(/^(?=# --- )/m);
      expect(chunks.length).toBe(entries.length);
      chunks.forEach((chunk, i) => {
        const file = join(agent.workDir, `entry-${i}.hcl`);
        writeFileSync(file, chunk);
        execFileSync(agent.bin, ['config', 'write', `-http-addr=${agent.http}`, file], {
          encoding: 'utf8',
          stdio: 'pipe',
        });
      });
      for (const e of entries) {
        expect(normalise(written(await get(e.Kind, nameOf(e)), e)), `${e.Kind}/${nameOf(e)}`).toEqual(e);
      }
      await remove(entries);
    },
  );

  it('an intention of 30 AccessPolicies names their count in Meta; the agent takes it, and refuses the whole list', async () => {
    const text = Array.from(
      { length: 30 },
      (_, i) => `apiVersion: anymesh.dev/v1alpha1
kind: AccessPolicy
metadata: {name: reviews-readers-${i}, namespace: bookinfo}
spec: {service: reviews, action: allow, from: [{namespace: bookinfo, serviceAccount: caller-${i}}]}
`,
    ).join('---\n');
    const result = compileLoaded(loadInputs([{ name: 'access.yaml', text }]), consulAdapter);
    expect(result.ok).toBe(true);
    const entries = configEntries(result.resources, false) as Entry[];
    const intention = entries.find((e) => e.Kind === 'service-intentions')!;
    expect((intention.Meta as Record<string, string>)['source-policy-count']).toBe('30');
    for (const e of entries) expect((await put(e)).status, `${e.Kind}/${nameOf(e)}`).toBe(200);
    expect(normalise(written(await get(intention.Kind, nameOf(intention)), intention))).toEqual(intention);
    // The list it replaces is over Consul's 512-character Meta value limit.
    const list = Array.from({ length: 30 }, (_, i) => `AccessPolicy/bookinfo/reviews-readers-${i}`).join(',');
    const refused = await put({ ...intention, Meta: { 'managed-by': 'anymesh', 'source-policies': list } });
    expect(refused.status).toBe(500);
    expect(refused.body).toContain('Meta');
    await remove(entries);
  });

  it('is a real check: Consul refuses a router to a subset no resolver defines', async () => {
    expect((await put({ Kind: 'service-defaults', Name: 'probe', Protocol: 'http' })).status).toBe(200);
    const r = await put({
      Kind: 'service-router',
      Name: 'probe',
      Routes: [
        { Match: { HTTP: { PathPrefix: '/x' } }, Destination: { Service: 'probe', ServiceSubset: 'v9' } },
      ],
    });
    expect(r.status).toBe(500);
    expect(r.body).toContain('v9');
    await remove([{ Kind: 'service-defaults', Name: 'probe' }]);
  });
});
