/**
 * A mesh's capability columns: the one that holds under given options (`--option`), and the ones
 * shown side by side. Every reader of the matrix (compile, check, capabilities, explain, docs) goes
 * through here, so an option-dependent column is honoured everywhere alike.
 */
import { type ColumnVariant, DEFAULT_CONTEXT, type MeshAdapter } from './adapter.js';
import type { CapabilityColumn } from './capabilities.js';

type Options = Readonly<Record<string, string>>;

/** The column that holds under the options. */
export function columnOf(adapter: MeshAdapter, options: Options = {}): CapabilityColumn {
  return adapter.capabilitiesFor?.({ ...DEFAULT_CONTEXT, options }) ?? adapter.capabilities;
}

/** The columns a mesh shows side by side; the first is its default. */
export function shownColumns(adapter: MeshAdapter): readonly ColumnVariant[] {
  return adapter.columns ?? [{ id: adapter.id, title: adapter.displayName, options: {} }];
}

/** The shown column the options select (the last whose options all hold), else the default one. */
export function columnVariant(adapter: MeshAdapter, options: Options = {}): ColumnVariant {
  const shown = shownColumns(adapter);
  const matching = shown.filter((c) => Object.entries(c.options).every(([k, v]) => options[k] === v));
  return matching[matching.length - 1] ?? shown[0]!;
}
