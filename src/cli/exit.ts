/** Exit codes scripts rely on (DESIGN.md's CLI contract). */
export const EXIT = {
  ok: 0,
  /** Invalid input, a refused feature, a check that found losses, a diff that found changes. */
  failed: 1,
  /** The command line itself is wrong. */
  usage: 2,
} as const;

/** A mistake in the command line: printed with the command's usage hint, exit 2. */
export class UsageError extends Error {}
