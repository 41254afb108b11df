/**
 * Plain padded tables for the terminal (numbers right-aligned), and the same tables as Markdown
 * for docs/performance.md (`BENCH_MARKDOWN=<file>`).
 */
export type Cell = string | number;

export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** Lines printed under the table. */
  readonly notes?: readonly string[];
}

const NUMERIC = /^[-+~≈$]?[\d.,]+(?:\s?(?:%|×|ms|s|KiB|MiB|B|\/s))?$/;

/** A number with `digits` decimals and thousands separators; NaN as "n/a". */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A dollar amount with enough significant digits for small prices. */
export function usd(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value === 0) return '$0';
  const digits = value >= 1 ? 2 : Math.min(6, Math.max(2, 1 - Math.floor(Math.log10(value)) + 1));
  return `$${value.toFixed(digits)}`;
}

const text = (cell: Cell) => (typeof cell === 'number' ? fmt(cell) : cell);

export function renderTable(table: Table): string {
  const cells = [table.headers.map(String), ...table.rows.map((row) => row.map(text))];
  const widths = table.headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const numeric = table.headers.map((_, column) => table.rows.length > 0 && table.rows.every((row) => NUMERIC.test(text(row[column] ?? '')) || text(row[column] ?? '') === 'n/a' || text(row[column] ?? '') === '–'));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (numeric[column] && column > 0 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  const body = [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)];
  const notes = (table.notes ?? []).map((note) => `  ${note}`);
  return ['', table.title, '', ...body.map((row) => `  ${row}`), ...(notes.length ? ['', ...notes] : []), ''].join('\n');
}

export function markdownTable(table: Table): string {
  const cells = table.rows.map((row) => row.map(text));
  const numeric = table.headers.map((_, column) => column > 0 && cells.length > 0 && cells.every((row) => NUMERIC.test(row[column] ?? '') || row[column] === 'n/a' || row[column] === '–'));
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `#### ${table.title}`,
    '',
    `| ${table.headers.map(escape).join(' | ')} |`,
    `|${numeric.map((right) => (right ? '---:' : '---')).join('|')}|`,
    ...cells.map((row) => `| ${row.map(escape).join(' | ')} |`),
    ...(table.notes?.length ? ['', ...table.notes.map((note) => `- ${note}`)] : []),
    '',
  ].join('\n');
}
