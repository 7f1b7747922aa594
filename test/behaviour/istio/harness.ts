/**
 * One golden case in a behaviour test: compile it for Istio, put it in its Kubernetes world, make
 * the calls through Istio's driver once, then let the tests read the answers.
 */
import { expect } from 'vitest';
import { type Answer, askIstio, type Call } from './driver.js';
import { compileCase, type PodDef, type ServiceDef, worldYaml } from './world.js';

export interface CaseRun {
  answer: Answer;
  output: string;
  diagnostics: string[];
}

export async function runCase(
  file: string,
  world: { services: ServiceDef[]; pods: PodDef[] },
  calls: Call[],
  mutate: (output: string) => string = (o) => o,
): Promise<CaseRun> {
  const compiled = compileCase(file);
  if (!compiled.ok)
    throw new Error(`${file} does not compile for Istio:\n${compiled.diagnostics.join('\n')}`);
  const output = mutate(compiled.yaml);
  const answer = await askIstio(`${output}---\n${worldYaml(world.services, world.pods)}`, calls);
  return { answer, output, diagnostics: compiled.diagnostics };
}

/**
 * Istio's analyzers found nothing, or only the messages listed, each with the reason it is
 * expected (code -> why).
 */
export function expectAnalyzers(answer: Answer, explained: Record<string, string> = {}): void {
  // The cross-resource analyzers (pods a DestinationRule selects, hosts a VirtualService names,
  // injection) must have run, or "no messages" would prove nothing.
  for (const name of [
    'destinationrule.SubsetSelectPodAnalyzer',
    'virtualservice.DestinationHostAnalyzer',
    'auth.AuthorizationPoliciesAnalyzer',
    'injection.Analyzer',
  ]) {
    expect(answer.analyzers, `analyzer ${name} ran`).toContain(name);
  }
  const unexplained = answer.messages.filter((m) => !(m.code in explained));
  expect(unexplained, 'analyzer messages on anymesh output').toEqual([]);
  for (const code of Object.keys(explained)) {
    expect(
      answer.messages.map((m) => m.code),
      `explained message ${code} occurs`,
    ).toContain(code);
  }
}
