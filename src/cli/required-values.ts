/**
 * `install --render`: the chart values a mesh cannot run without (Linkerd's trust anchor and
 * issuer), checked as install's preflight checks them, so a rendered Flux HelmRelease or Argo CD
 * Application is not committed to a GitOps repository only to fail when it syncs.
 */
import { chartValues } from '../cluster/install/install.js';
import { type InstallPlan, valueAt } from '../cluster/install/plan.js';

export interface MissingValue {
  readonly chart: string;
  readonly path: string;
  readonly hint: string;
}

export async function missingRequiredValues(plan: InstallPlan): Promise<MissingValue[]> {
  const missing: MissingValue[] = [];
  for (const chart of plan.release.charts) {
    if (!chart.requiredValues?.length) continue;
    const values = await chartValues(plan, chart);
    for (const req of chart.requiredValues) {
      const v = valueAt(values, req.path);
      if (v === undefined || v === '') missing.push({ chart: chart.chart, path: req.path, hint: req.hint });
    }
  }
  return missing;
}

/** What to tell the user: every missing value, and a values file that would supply them. */
export function missingValuesMessage(mesh: string, format: string, missing: readonly MissingValue[]): string {
  const lines = missing.map((m) => `  ${m.path} (chart ${m.chart}): ${m.hint}`);
  const skeleton = missing.map((m) => `  ${m.path}: ...`).join('\n');
  return [
    `error: ${mesh} --render=${format} needs chart values anymesh cannot make up; nothing was rendered:`,
    ...lines,
    `add them with --values FILE (or --set path=value, or spec.values of --from), e.g. a FILE with:`,
    skeleton.replace(/^ {2}/gm, '  # '),
    '',
  ].join('\n');
}
