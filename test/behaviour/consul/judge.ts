/**
 * Deploys one compiled case on the agent (instances, then the entries in write order) and observes
 * what Consul made of it, beside what the case should mean (expectations.ts). The meaning test
 * asserts every observation; the mutation test shows that a wrong output changes at least one.
 */
import { expect } from 'vitest';
import type { ConsulAgent, ConsulEntry } from '../../support/consul-agent.js';
import { chainBalancing, chainMeaning } from './chain-meaning.js';
import type { CaseMeaning } from './expectations.js';
import { checkAllowed, requestDecision } from './intentions.js';
import { deregister, register } from './workloads.js';

export interface Observation {
  what: string;
  actual: unknown;
  expected: unknown;
}

/** Runs `fn` with the case deployed, and removes everything afterwards, even on failure. */
export async function deployed<T>(
  agent: ConsulAgent,
  meaning: CaseMeaning,
  entries: readonly ConsulEntry[],
  fn: () => Promise<T>,
): Promise<T> {
  await register(agent, meaning.instances);
  let written: ConsulEntry[] = [];
  try {
    for (const e of entries) {
      await agent.putAll([e]);
      written = [...written, e];
    }
    return await fn();
  } finally {
    await agent.remove(written);
    await deregister(agent, meaning.instances);
  }
}

export async function observeRoutes(agent: ConsulAgent, meaning: CaseMeaning): Promise<Observation[]> {
  const out: Observation[] = [];
  for (const [service, expected] of Object.entries(meaning.chains)) {
    out.push({ what: `routes of ${service}`, actual: await chainMeaning(agent, service), expected });
  }
  return out;
}

export async function observeBalancing(agent: ConsulAgent, meaning: CaseMeaning): Promise<Observation[]> {
  const out: Observation[] = [];
  for (const [service, expected] of Object.entries(meaning.balancing ?? {})) {
    out.push({ what: `balancing of ${service}`, actual: await chainBalancing(agent, service), expected });
  }
  return out;
}

export async function observeIntentions(agent: ConsulAgent, meaning: CaseMeaning): Promise<Observation[]> {
  const out: Observation[] = [];
  for (const [source, destination, expected] of meaning.connections ?? []) {
    out.push({
      what: `intentions/check ${source} -> ${destination}`,
      actual: await checkAllowed(agent, source, destination),
      expected,
    });
  }
  for (const [source, destination, request, expected] of meaning.requests ?? []) {
    out.push({
      what: `${source} -> ${destination} ${request.method} ${request.path}${request.headers ? ` ${JSON.stringify(request.headers)}` : ''}`,
      actual: await requestDecision(agent, source, destination, request),
      expected,
    });
  }
  return out;
}

/** The observations that do not hold, compared exactly as the meaning test compares them. */
export function failing(observations: readonly Observation[]): Observation[] {
  return observations.filter((o) => {
    try {
      expect(o.actual).toEqual(o.expected);
      return false;
    } catch {
      return true;
    }
  });
}
