/**
 * How every property test runs: a number of runs, and a time limit that FAILS the test when it
 * interrupts the run. fast-check's default is to count an interrupted run as a success, so on a
 * slow machine a property could pass after a handful of inputs; here it fails and says so.
 * (fast-check 4.10 deprecates the `interruptAfterTimeLimit` / `markInterruptAsFailure` parameters
 * in favour of the plugin with `failOnInterrupt`, which means the same.)
 */
import fc from 'fast-check';

/** Generous for two shared cores; a property needing more is too slow, not unlucky. */
export const TIME_LIMIT_MS = 60_000;

/** Parameters for `fc.assert`: `numRuns` runs, failing (not passing) when the time limit cuts them short. */
export function runs(numRuns: number, timeLimitMs = TIME_LIMIT_MS): fc.Parameters<unknown> {
  return { numRuns, plugins: [fc.interruptAfterTimeLimit(timeLimitMs, { failOnInterrupt: true })] };
}
