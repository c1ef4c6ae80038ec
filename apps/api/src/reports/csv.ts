/**
 * RFC 4180 CSV: a header row, then one record per item; CRLF after every record; a field is
 * quoted when it holds a comma, a double quote, CR or LF (quotes doubled inside). null and
 * undefined are empty fields. UTF-8 on the wire (the caller's content type says so).
 */
export function toCsv<T>(columns: readonly (keyof T & string)[], items: readonly T[]): string {
  const lines = [columns.map(field).join(',')];
  for (const item of items) lines.push(columns.map((column) => field(item[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function field(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV when asked for by `format=csv`, or (without `format`) by an Accept header that prefers
 * text/csv to application/json; JSON otherwise.
 */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  if (format) return format === 'csv';
  if (!accept) return false;
  let csv = 0;
  let json = 0;
  for (const range of accept.split(',')) {
    const [type, ...parameters] = range.trim().toLowerCase().split(';');
    const q = Number(parameters.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    const quality = Number.isFinite(q) ? q : 0;
    if (type === 'text/csv') csv = Math.max(csv, quality);
    if (type === 'application/json') json = Math.max(json, quality);
  }
  return csv > json;
}
