/**
 * A small RFC 4180 CSV reader for imports: UTF-8 (a BOM is dropped), comma or semicolon
 * (detected from the header line), quoted fields with separators, doubled quotes and line
 * breaks inside, CRLF, LF or CR line ends. Whole-file problems (not UTF-8, a quote never
 * closed, text after a closing quote) throw a CsvFormatError naming the line.
 */

export class CsvFormatError extends Error {
  constructor(
    message: string,
    /** 1-based line of the file where the problem is. */
    readonly line: number,
    readonly code: 'invalid-utf8' | 'malformed-csv' | 'too-many-rows' = 'malformed-csv',
  ) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

export type CsvSeparator = ',' | ';';

export interface CsvRecord {
  /**
   * 1-based number of the record after the header. Blank lines are skipped but keep their
   * number, so in a file without line breaks inside quotes, row N is on line N + 1 (and is
   * row N + 1 of a spreadsheet).
   */
  row: number;
  /** 1-based line of the file on which the record starts. */
  line: number;
  fields: string[];
}

export interface ParsedCsv {
  separator: CsvSeparator;
  /** The header's fields as written (not trimmed); the header is line 1. */
  header: string[];
  /** The data records, blank lines left out. */
  records: CsvRecord[];
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** Decodes UTF-8 strictly (no replacement characters), dropping a leading byte order mark. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    // ignoreBOM: false (the default) strips a leading BOM.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8Byte(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === LF) line++;
    throw new CsvFormatError(`The file is not valid UTF-8 (byte ${offset + 1}, line ${line}); save it as UTF-8.`, line, 'invalid-utf8');
  }
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence. */
function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let extra: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      extra = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      extra = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      extra = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + extra >= bytes.length) return i; // cut short at the end
    let codePoint = b & (0xff >> (extra + 2));
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += extra + 1;
  }
  return bytes.length;
}

/** The separator of the header line: whichever of `;` and `,` it has more of (`,` on a tie). */
export function detectSeparator(text: string): CsvSeparator {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) break;
    else if (!quoted && c === 0x2c) commas++;
    else if (!quoted && c === 0x3b) semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/**
 * Parses the whole text. `maxRecords` bounds the data records (blank lines not counted):
 * one more throws a CsvFormatError with code `too-many-rows`, without reading further.
 */
export function parseCsv(input: string, options: { maxRecords?: number; separator?: CsvSeparator } = {}): ParsedCsv {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const separator = options.separator ?? detectSeparator(text);
  const sep = separator.charCodeAt(0);
  const maxRecords = options.maxRecords ?? Infinity;
  const n = text.length;

  let header: string[] | null = null;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let line = 1;
  let recordLine = 1;
  let row = 0;
  let i = 0;

  const endRecord = () => {
    const blank = fields.length === 1 && fields[0] === '';
    if (header === null) {
      header = fields;
    } else {
      row++;
      if (!blank) {
        if (records.length >= maxRecords) {
          throw new CsvFormatError(`The file has more than ${maxRecords} data rows.`, recordLine, 'too-many-rows');
        }
        records.push({ row, line: recordLine, fields });
      }
    }
    fields = [];
  };

  if (n === 0) return { separator, header: [], records };

  for (;;) {
    // One field, starting at i.
    if (text.charCodeAt(i) === QUOTE) {
      const openedOn = line;
      let value = '';
      let start = i + 1;
      for (;;) {
        const close = text.indexOf('"', start);
        if (close === -1) throw new CsvFormatError(`A quoted field opened on line ${openedOn} is never closed.`, openedOn);
        value += text.slice(start, close);
        if (text.charCodeAt(close + 1) === QUOTE) {
          value += '"';
          start = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      line += countLineBreaks(value);
      const after = text.charCodeAt(i);
      if (i < n && after !== sep && after !== CR && after !== LF) {
        throw new CsvFormatError(`Line ${line}: text after a closing quote; a quote inside a quoted field is written as two quotes ("").`, line);
      }
      fields.push(value);
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === sep || c === LF || c === CR) break;
        j++;
      }
      fields.push(text.slice(i, j));
      i = j;
    }

    // At a separator, a line break or the end.
    if (i >= n) {
      endRecord();
      break;
    }
    const c = text.charCodeAt(i);
    if (c === sep) {
      i++;
      continue;
    }
    i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    endRecord();
    line++;
    recordLine = line;
    if (i >= n) break; // a line break at the very end ends the last record, it does not start one
  }
  return { separator, header: header ?? [], records };
}

/** Line breaks in a field (CRLF counts once), to keep line numbers true after multi-line fields. */
function countLineBreaks(value: string): number {
  let count = 0;
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && value.charCodeAt(k + 1) !== LF) count++;
  }
  return count;
}
