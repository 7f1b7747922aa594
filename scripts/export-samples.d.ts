// Types of scripts/export-samples.js, for its unit test.
export function envsubst(text: string): string;
export function pageYaml(page: string): string;
export const SELECTIONS: Readonly<Record<string, unknown>>;
export function exportSamples(selection: string, checkout: string, out: string): { commit: string; kept: number };
