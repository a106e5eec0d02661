/** CSV as spreadsheets read it (RFC 4180): comma separated, fields quoted when they hold a comma, quote or newline. */
export type Cell = string | number | boolean | null | undefined;

function field(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly Cell[], rows: ReadonlyArray<readonly Cell[]>): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** A square matrix with row and column labels, in the given order of indices. */
export function matrixCsv(labels: readonly string[], matrix: ReadonlyArray<ReadonlyArray<number | null>>, order?: readonly number[]): string {
  const idx = order ?? labels.map((_, i) => i);
  return toCsv(['', ...idx.map((i) => labels[i])], idx.map((i) => [labels[i], ...idx.map((j) => matrix[i]![j])]));
}
