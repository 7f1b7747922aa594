/**
 * The shape of a feature family: the data `featuresUsed` (the usage walk), `anymesh explain` and the
 * registry fixtures all read, so a feature is described once, next to its siblings.
 *
 * Field paths are written against the JSON Schema of the kind (`model/schema.ts`): the kind, then
 * the property names, with `[]` for "every entry of this list", e.g.
 * `TrafficPolicy.spec.rules[].matches[].path.exact`. A test checks every path exists in the schema.
 */

/** What is removed when the feature is left out (`--allow-degraded`, `onUnsupported: warn`). */
export type DropScope =
  /** The field at `drop` (and parents left empty). */
  | 'field'
  /** The match entry (`spec.rules[].matches[]`); the rule too when no entry is left. */
  | 'matchEntry'
  /** The rule (`spec.rules[]`). */
  | 'rule'
  /** The source entry (`spec.sources[]`); the whole policy when none is left. */
  | 'sourceEntry'
  /** The whole policy. */
  | 'policy';

/** What a predicate sees besides the field's value. */
export interface UseContext {
  /** The object that holds the field (for `orDefault`: the object missing it). */
  readonly parent: Readonly<Record<string, unknown>>;
  /** The whole policy document: a field's meaning can depend on the policy (spec.protocol). */
  readonly root: Readonly<Record<string, unknown>>;
}

/** One field whose presence (or, with `when`, whose value) means the feature is used. */
export interface FieldUse {
  readonly field: string;
  readonly scope: DropScope;
  /**
   * For scope `field`: what leaving the feature out removes, the field itself or one of its parents
   * (a prefix of `field`). Default: the field itself.
   */
  readonly drop?: string;
  /** Where presence alone is not the meaning: the value (undefined for a default) decides. */
  readonly when?: (value: unknown, ctx: UseContext) => boolean;
  /**
   * The field's default can use the feature too (an MTLSPolicy without `scope` still has one): when
   * the field is absent, `when` is asked with `undefined` and the use is reported at the parent.
   */
  readonly orDefault?: boolean;
}

/** A fixture: a small policy file using the feature, and what else it cannot help using. */
export interface Fixture {
  readonly yaml: string;
  /**
   * Features the fixture uses besides its own, because a valid policy needs them (a port, a
   * backend, a companion TrafficPolicy for security policies). A test checks the list is exact.
   */
  readonly companions: readonly string[];
}

export interface FeatureDef<Id extends string = string> {
  readonly id: Id;
  readonly description: string;
  readonly uses: readonly FieldUse[];
  /**
   * Fields that configure the feature without using it on their own (`spec.versions` names the
   * versions `backends.version` routes to): `anymesh explain` lists the feature for them.
   */
  readonly related?: readonly string[];
  readonly fixture: Fixture;
}

/**
 * A group of fields `anymesh explain` describes together: `field` (written without `[]`, as users
 * type it) and every field below it list every feature whose id starts with `features`. With
 * `whole`, fields below it that a feature claims are still explained as the group.
 */
export interface ExplainGroup {
  readonly field: string;
  readonly features: string;
  readonly whole?: boolean;
}

export interface FamilyDef<F extends readonly FeatureDef[] = readonly FeatureDef[]> {
  /** The first segment of every id in the family. */
  readonly name: string;
  /** In catalogue order: ids keep their order across releases (capability columns, docs). */
  readonly features: F;
  readonly explain: readonly ExplainGroup[];
}

/** Declares a family; `const` keeps the ids literal, so `FeatureId` stays a union of literals. */
export function defineFamily<const F extends readonly FeatureDef[]>(def: FamilyDef<F>): FamilyDef<F> {
  return def;
}
