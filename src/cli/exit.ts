/** Exit codes scripts rely on (DESIGN.md's CLI contract). */
export const EXIT = {
  ok: 0,
  /** Invalid input, a refused feature, a check that found losses, a diff that found changes. */
  failed: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /**
   * No Kubernetes API server answers at the kubeconfig's address (refused, no answer in time, TLS
   * failed, not Kubernetes): the same code on every cluster command, and above diff's 1 (changes).
   */
  unreachable: 3,
} as const;

/** A mistake in the command line: printed with the command's usage hint, exit 2. */
export class UsageError extends Error {}
