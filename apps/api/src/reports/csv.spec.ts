import { toCsv, wantsCsv } from './csv';

describe('report CSV', () => {
  it('writes RFC 4180: header row, CRLF records, quoting only where needed, empty for null', () => {
    const items = [
      { week: '2026-W13', name: 'plain', count: 3, median: null },
      { week: '2026-W14', name: 'a, "quoted"\nline', count: 0, median: 7200 },
    ];
    expect(toCsv(['week', 'name', 'count', 'median'], items)).toBe('week,name,count,median\r\n2026-W13,plain,3,\r\n2026-W14,"a, ""quoted""\nline",0,7200\r\n');
    expect(toCsv(['week'], [])).toBe('week\r\n');
  });

  it('answers CSV for format=csv, or an Accept header preferring text/csv', () => {
    expect(wantsCsv('csv', 'application/json')).toBe(true);
    expect(wantsCsv('json', 'text/csv')).toBe(false);
    expect(wantsCsv(undefined, 'text/csv')).toBe(true);
    expect(wantsCsv(undefined, 'text/csv; charset=utf-8')).toBe(true);
    expect(wantsCsv(undefined, 'application/json, text/csv;q=0.5')).toBe(false);
    expect(wantsCsv(undefined, 'application/json;q=0.4, text/csv;q=0.8')).toBe(true);
    expect(wantsCsv(undefined, '*/*')).toBe(false);
    expect(wantsCsv(undefined, undefined)).toBe(false);
  });
});
