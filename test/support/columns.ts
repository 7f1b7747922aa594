/**
 * Every capability column the tests prove: each mesh's shown columns (`MeshAdapter.columns`), the
 * first being its default. Golden files of a column live in test/golden/<column id>/.
 */
import { MESHES } from '../../src/adapters/index.js';
import type { MeshAdapter } from '../../src/core/adapter.js';
import type { CapabilityColumn } from '../../src/core/capabilities.js';
import { columnOf, shownColumns } from '../../src/core/columns.js';

export interface TestColumn {
  /** The column id: the mesh id for a default column, e.g. `istio-ambient` for another. */
  readonly id: string;
  readonly adapter: MeshAdapter;
  /** Options selecting the column; empty for a default column (compiled exactly as the CLI does). */
  readonly options: Readonly<Record<string, string>>;
  readonly cells: CapabilityColumn;
}

export function testColumns(): TestColumn[] {
  return MESHES.flatMap((adapter) =>
    shownColumns(adapter).map((c, i) => ({
      id: c.id,
      adapter,
      options: i === 0 ? {} : c.options,
      cells: columnOf(adapter, i === 0 ? {} : c.options),
    })),
  );
}
