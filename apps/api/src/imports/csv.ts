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
  const decoder = new Utf8StreamDecoder();
  return decoder.push(bytes) + decoder.end();
}

/**
 * Strict UTF-8 decoding of a byte stream, chunk by chunk: a character split between chunks
 * waits for its last bytes; bad bytes throw a CsvFormatError naming the byte and the line.
 * A byte order mark at the start is dropped.
 */
export class Utf8StreamDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private carry: Uint8Array = new Uint8Array(0);
  /** Bytes decoded so far, and the line breaks among them (for error positions). */
  private offset = 0;
  private lines = 1;
  private started = false;

  push(chunk: Uint8Array): string {
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const complete = completeUtf8Length(bytes);
    const text = this.decode(bytes.subarray(0, complete));
    this.carry = bytes.slice(complete);
    return text;
  }

  end(): string {
    if (this.carry.length > 0) this.fail(this.carry, 0); // cut short at the end
    return '';
  }

  private decode(bytes: Uint8Array): string {
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch {
      this.fail(bytes, firstInvalidUtf8Byte(bytes));
    }
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === LF) this.lines++;
    this.offset += bytes.length;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    return text;
  }

  private fail(bytes: Uint8Array, at: number): never {
    let line = this.lines;
    for (let i = 0; i < at; i++) if (bytes[i] === LF) line++;
    throw new CsvFormatError(`The file is not valid UTF-8 (byte ${this.offset + at + 1}, line ${line}); save it as UTF-8.`, line, 'invalid-utf8');
  }
}

/** How many leading bytes end on a character boundary (a sequence cut by the chunk's end is left for the next). */
function completeUtf8Length(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
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
  const reader = new CsvStreamReader(options);
  reader.push(input);
  return reader.end();
}

const enum State {
  /** At the start of a field. */
  FieldStart,
  /** Inside a field without quotes. */
  Unquoted,
  /** Inside a quoted field. */
  Quoted,
  /** Just after a quote inside a quoted field: a second quote, or the field's end. */
  QuoteInQuoted,
  /** Just after a CR that ended a record: an LF here belongs to it. */
  AfterCr,
}

/**
 * The CSV reader fed text as it arrives, so a file is parsed while it is received and never
 * held whole. The separator is detected from the header line once it is complete.
 */
export class CsvStreamReader {
  private separator: CsvSeparator | undefined;
  private sep = 0;
  private readonly maxRecords: number;
  /** Text held until the header line is complete (for the separator). */
  private head = '';
  private headScanned = 0;
  private headQuoted = false;
  private started = false;

  private state = State.FieldStart;
  private value = '';
  private fields: string[] = [];
  private header: string[] | null = null;
  private readonly records: CsvRecord[] = [];
  private line = 1;
  private recordLine = 1;
  private quoteOpenedOn = 1;
  private row = 0;
  /** Inside a quoted value, the last character was a CR (a following LF is the same line break). */
  private lastWasCr = false;

  constructor(options: { maxRecords?: number; separator?: CsvSeparator } = {}) {
    this.maxRecords = options.maxRecords ?? Infinity;
    if (options.separator) this.useSeparator(options.separator);
  }

  /** Data records so far (blank lines not counted). */
  get recordCount(): number {
    return this.records.length;
  }

  push(input: string): void {
    let text = input;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.separator === undefined) {
      this.head += text;
      if (!this.headerLineComplete()) return;
      this.useSeparator(detectSeparator(this.head));
      text = this.head;
      this.head = '';
    }
    this.scan(text);
  }

  end(): ParsedCsv {
    if (this.separator === undefined) {
      this.useSeparator(detectSeparator(this.head));
      this.scan(this.head);
      this.head = '';
    }
    switch (this.state) {
      case State.Quoted:
        throw new CsvFormatError(`A quoted field opened on line ${this.quoteOpenedOn} is never closed.`, this.quoteOpenedOn);
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.endField();
        this.endRecord();
        break;
      case State.FieldStart:
        if (this.fields.length > 0) {
          this.endField(); // after a trailing separator: an empty last field
          this.endRecord();
        }
        break;
      case State.AfterCr:
        break;
    }
    return { separator: this.separator!, header: this.header ?? [], records: this.records };
  }

  private useSeparator(separator: CsvSeparator): void {
    this.separator = separator;
    this.sep = separator.charCodeAt(0);
  }

  /** Whether the held text has a line break outside quotes (scanned once, however it arrives). */
  private headerLineComplete(): boolean {
    for (; this.headScanned < this.head.length; this.headScanned++) {
      const c = this.head.charCodeAt(this.headScanned);
      if (c === QUOTE) this.headQuoted = !this.headQuoted;
      else if (!this.headQuoted && (c === LF || c === CR)) return true;
    }
    return false;
  }

  private scan(text: string): void {
    const n = text.length;
    const sep = this.sep;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case State.AfterCr:
          this.state = State.FieldStart;
          if (text.charCodeAt(i) === LF) i++;
          break;
        case State.FieldStart:
          if (text.charCodeAt(i) === QUOTE) {
            this.state = State.Quoted;
            this.quoteOpenedOn = this.line;
            this.lastWasCr = false;
            i++;
          } else {
            this.state = State.Unquoted;
          }
          break;
        case State.Unquoted: {
          let j = i;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === sep || c === LF || c === CR) break;
            j++;
          }
          this.value += text.slice(i, j);
          i = j;
          if (i < n) i = this.afterField(text, i);
          break;
        }
        case State.Quoted: {
          const close = text.indexOf('"', i);
          const end = close === -1 ? n : close;
          this.appendQuoted(text.slice(i, end));
          i = end;
          if (close !== -1) {
            this.state = State.QuoteInQuoted;
            i++;
          }
          break;
        }
        case State.QuoteInQuoted: {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            this.appendQuoted('"');
            this.state = State.Quoted;
            i++;
          } else if (c === sep || c === LF || c === CR) {
            i = this.afterField(text, i);
          } else {
            throw new CsvFormatError(`Line ${this.line}: text after a closing quote; a quote inside a quoted field is written as two quotes ("").`, this.line);
          }
          break;
        }
      }
    }
  }

  /** At the separator or line break after a field, at `i`: ends the field (and the record); answers where to go on. */
  private afterField(text: string, i: number): number {
    this.endField();
    const c = text.charCodeAt(i);
    if (c === this.sep) {
      this.state = State.FieldStart;
      return i + 1;
    }
    this.endRecord();
    this.line++;
    this.recordLine = this.line;
    this.state = c === CR ? State.AfterCr : State.FieldStart;
    return i + 1;
  }

  private appendQuoted(part: string): void {
    for (let k = 0; k < part.length; k++) {
      const c = part.charCodeAt(k);
      if (c === LF) {
        if (!this.lastWasCr) this.line++;
        this.lastWasCr = false;
      } else if (c === CR) {
        this.line++;
        this.lastWasCr = true;
      } else {
        this.lastWasCr = false;
      }
    }
    this.value += part;
  }

  private endField(): void {
    this.fields.push(this.value);
    this.value = '';
  }

  private endRecord(): void {
    const fields = this.fields;
    this.fields = [];
    if (this.header === null) {
      this.header = fields;
      return;
    }
    this.row++;
    if (fields.length === 1 && fields[0] === '') return; // a blank line keeps its number
    if (this.records.length >= this.maxRecords) {
      throw new CsvFormatError(`The file has more than ${this.maxRecords} data rows.`, this.recordLine, 'too-many-rows');
    }
    this.records.push({ row: this.row, line: this.recordLine, fields });
  }
}
