/**
 * Equal parts of output objects, made once and shared (frozen) by every object that holds them.
 * Why: at 100,000 policies App Mesh writes 600,000 objects, and the listener and port lists that
 * most of them repeat word for word were ~50 MB of the compile's peak. Output is never edited in
 * place (metadata is replaced, cluster/plan.ts), so a shared part can be frozen: an edit would
 * throw instead of changing every object at once.
 *
 * Bounded, and cleared when full, as positions.ts's formatted paths are: a long-running controller
 * must not keep every port it has ever seen.
 */
export class Interned<T extends object> {
  readonly #values = new Map<string, Readonly<T>>();

  constructor(private readonly limit = 1024) {}

  /** The shared value for `key`, made by `make` (and frozen, all the way down) the first time. */
  get(key: string, make: () => T): Readonly<T> {
    let v = this.#values.get(key);
    if (v === undefined) {
      if (this.#values.size >= this.limit) this.#values.clear();
      v = deepFreeze(make());
      this.#values.set(key, v);
    }
    return v;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
