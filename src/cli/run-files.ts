/**
 * The files of a run folder, rendered from an allocation result, in a fixed
 * order. `allocate` writes them; later commands re-render them to compare.
 */
import type { AllocationResult } from '../core/allocate.js';
import type { LoadedInputs } from '../io/load-inputs.js';
import type { OutputFile } from '../io/run-folder.js';
import { renderCsv } from '../render/csv.js';
import { summaryDocument } from '../render/summary.js';
import { allocationsTable, checksTable, provincesTable } from '../render/tables.js';

export interface RenderedRun {
  readonly summary: Record<string, unknown>;
  readonly files: readonly OutputFile[];
}

export function renderRun(result: AllocationResult, loaded: LoadedInputs): RenderedRun {
  const summary = summaryDocument(result, { command: 'allocate', warnings: loaded.warnings, skippedBlankRows: loaded.skippedBlankRows, overrides: loaded.overrides });
  return {
    summary,
    files: [
      { name: 'allocations.csv', content: renderCsv(allocationsTable(result)) },
      { name: 'provinces.csv', content: renderCsv(provincesTable(result)) },
      { name: 'checks.csv', content: renderCsv(checksTable(result)) },
      { name: 'summary.json', content: `${JSON.stringify(summary, null, 2)}\n` },
    ],
  };
}
