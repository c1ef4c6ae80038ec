import { CsvFormatError, CsvStreamReader, decodeUtf8, detectSeparator, parseCsv, Utf8StreamDecoder } from './csv';

const fieldsOf = (text: string) => parseCsv(text).records.map((r) => r.fields);

describe('CSV reader', () => {
  it('reads a header and rows, comma-separated, LF', () => {
    const parsed = parseCsv('a,b,c\n1,2,3\n4,,6\n');
    expect(parsed.separator).toBe(',');
    expect(parsed.header).toEqual(['a', 'b', 'c']);
    expect(parsed.records).toEqual([
      { row: 1, line: 2, fields: ['1', '2', '3'] },
      { row: 2, line: 3, fields: ['4', '', '6'] },
    ]);
  });

  it('detects semicolons from the header line, not from the data', () => {
    expect(detectSeparator('a;b;c\n1,5;2,5;x')).toBe(';');
    expect(detectSeparator('"x;y",b\n1;2;3;4')).toBe(',');
    const parsed = parseCsv('name;amount\nAcme, Inc.;1,50\n');
    expect(parsed.separator).toBe(';');
    expect(parsed.records[0].fields).toEqual(['Acme, Inc.', '1,50']);
  });

  it('handles CRLF, a last line without a line break, and a lone CR', () => {
    expect(fieldsOf('a,b\r\n1,2\r\n3,4')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(fieldsOf('a,b\r1,2\r')).toEqual([['1', '2']]);
  });

  it('reads quoted fields with separators, doubled quotes and line breaks inside', () => {
    const parsed = parseCsv('a,b,c\r\n"Acme, Inc.","She said ""hi""","line one\r\nline two"\r\nx,"",z\r\n');
    expect(parsed.records).toEqual([
      { row: 1, line: 2, fields: ['Acme, Inc.', 'She said "hi"', 'line one\r\nline two'] },
      { row: 2, line: 4, fields: ['x', '', 'z'] },
    ]);
  });

  it('skips blank lines, which keep their row number', () => {
    const parsed = parseCsv('a,b\n1,2\n\n3,4\n\n');
    expect(parsed.records.map((r) => [r.row, r.line, r.fields])).toEqual([
      [1, 2, ['1', '2']],
      [3, 4, ['3', '4']],
    ]);
  });

  it('keeps a trailing empty field and rows of different widths as they are', () => {
    expect(fieldsOf('a,b\n1,\n1,2,3\n')).toEqual([['1', ''], ['1', '2', '3']]);
  });

  it('drops a byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('company_name;contact_name\nAçaí Ltda;José\n', 'utf8')]);
    const parsed = parseCsv(decodeUtf8(bytes));
    expect(parsed.header).toEqual(['company_name', 'contact_name']);
    expect(parsed.records[0].fields).toEqual(['Açaí Ltda', 'José']);
    expect(parseCsv('\ufeffa,b\n1,2').header).toEqual(['a', 'b']);
  });

  it('refuses bytes that are not UTF-8, naming the line', () => {
    const latin1 = Buffer.concat([Buffer.from('a,b\n1,2\nJos'), Buffer.from([0xe9]), Buffer.from(',3\n')]);
    expect(() => decodeUtf8(latin1)).toThrow(CsvFormatError);
    expect(() => decodeUtf8(latin1)).toThrow(/not valid UTF-8 \(byte 12, line 3\)/);
    for (const bad of [[0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf5, 0x80, 0x80, 0x80]]) {
      expect(() => decodeUtf8(Buffer.from(bad))).toThrow(expect.objectContaining({ code: 'invalid-utf8', line: 1 }));
    }
    expect(decodeUtf8(Buffer.from('€ 😀', 'utf8'))).toBe('€ 😀');
  });

  it('refuses a quote never closed, and text after a closing quote', () => {
    expect(() => parseCsv('a,b\n1,2\n"open,3\n4,5\n')).toThrow(/opened on line 3 is never closed/);
    expect(() => parseCsv('a,b\n"x"y,2\n')).toThrow(expect.objectContaining({ code: 'malformed-csv', line: 2 }));
  });

  it('stops at the row limit', () => {
    expect(parseCsv('a\n1\n2\n\n3\n', { maxRecords: 3 }).records).toHaveLength(3);
    expect(() => parseCsv('a\n1\n2\n3\n4\n', { maxRecords: 3 })).toThrow(expect.objectContaining({ code: 'too-many-rows', line: 5 }));
  });

  it('answers nothing for an empty text', () => {
    expect(parseCsv('')).toEqual({ separator: ',', header: [], records: [] });
  });

  describe('fed in pieces, as a request body arrives', () => {
    const samples = [
      'a,b,c\r\n"Acme, Inc.","She said ""hi""","line one\r\nline two"\r\nx,"",z\r\n',
      'name;amount\nAcme, Inc.;1,50\n\n"q;1";2\r3;4\r',
      '\ufeffcompany_name,contact_name\nAçaí Ltda,José 😀\n1,\n',
      'a,b\n1,2',
    ];

    it('reads the same records wherever the text is cut', () => {
      for (const text of samples) {
        const whole = parseCsv(text);
        for (let cut = 0; cut <= text.length; cut++) {
          for (const size of [1, 2, 3, 7]) {
            const reader = new CsvStreamReader();
            reader.push(text.slice(0, cut));
            for (let k = cut; k < text.length; k += size) reader.push(text.slice(k, k + size));
            expect({ text, cut, size, parsed: reader.end() }).toEqual({ text, cut, size, parsed: whole });
          }
        }
      }
    });

    it('reports the same errors wherever the text is cut', () => {
      for (const text of ['a,b\n1,2\n"open,3\n4,5\n', 'a,b\n"x\r\ny"y,2\n']) {
        let whole: unknown;
        try {
          parseCsv(text);
        } catch (error) {
          whole = error;
        }
        for (let cut = 1; cut < text.length; cut++) {
          const reader = new CsvStreamReader();
          expect(() => {
            reader.push(text.slice(0, cut));
            reader.push(text.slice(cut));
            reader.end();
          }).toThrow(expect.objectContaining({ message: (whole as Error).message, line: (whole as CsvFormatError).line }));
        }
      }
    });

    it('decodes UTF-8 split inside a character, and names the bad byte across pieces', () => {
      const bytes = Buffer.from('\ufeffé€😀 a\nb', 'utf8');
      for (let cut = 0; cut <= bytes.length; cut++) {
        const decoder = new Utf8StreamDecoder();
        expect(decoder.push(bytes.subarray(0, cut)) + decoder.push(bytes.subarray(cut)) + decoder.end()).toBe('é€😀 a\nb');
      }
      const latin1 = Buffer.concat([Buffer.from('a,b\n1,2\nJos'), Buffer.from([0xe9]), Buffer.from(',3\n')]);
      for (let cut = 0; cut <= latin1.length; cut++) {
        const decoder = new Utf8StreamDecoder();
        expect(() => {
          decoder.push(latin1.subarray(0, cut));
          decoder.push(latin1.subarray(cut));
          decoder.end();
        }).toThrow(/not valid UTF-8 \(byte 12, line 3\)/);
      }
      const cutShort = new Utf8StreamDecoder();
      cutShort.push(Buffer.from([0x61, 0xe2, 0x82]));
      expect(() => cutShort.end()).toThrow(expect.objectContaining({ code: 'invalid-utf8' }));
    });
  });
});
