// PostgreSQL text to spreadsheet values: typed only when nothing is lost.
import { describe, expect, it } from 'vitest';
import { exactNumber, parseBoolean, parseDate, parseTimestamp } from '../../src-main/engine/export/cell-values.ts';
import { csvField } from '../../src-main/engine/export/csv-writer.ts';
import { cutAt, sheetName } from '../../src-main/engine/export/xlsx-columns.ts';

describe('cell values', () => {
  it('makes a number only of a decimal a double holds exactly', () => {
    expect(exactNumber('1.50')).toBe(1.5);
    expect(exactNumber('0.1')).toBe(0.1);
    expect(exactNumber('-5')).toBe(-5);
    expect(exactNumber('123.4500000000')).toBe(123.45);
    expect(exactNumber('9007199254740992')).toBe(9007199254740992);
    expect(exactNumber('1e+300')).toBe(1e300);
    expect(exactNumber('-1.5e-07')).toBe(-1.5e-7);
    expect(exactNumber('0.30000000000000004')).toBe(0.30000000000000004);
    expect(exactNumber('9007199254740993')).toBeNull();
    expect(exactNumber('12345678901234567890')).toBeNull();
    expect(exactNumber('9223372036854775807')).toBeNull();
    expect(exactNumber('-9223372036854775808')).toBeNull();
    expect(exactNumber('0.1000000000000000055511151231257827')).toBeNull();
    expect(exactNumber('1.7976931348623157e+308')).toBeNull(); // beyond Excel's largest number
    expect(exactNumber('NaN')).toBeNull();
    expect(exactNumber('Infinity')).toBeNull();
    expect(exactNumber('1,5')).toBeNull();
  });

  it('reads ISO dates and timestamps inside Excel\'s calendar, converting offsets to UTC', () => {
    expect(parseDate('2024-02-29')).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(parseDate('1900-03-01')).toEqual(new Date('1900-03-01T00:00:00Z'));
    expect(parseDate('1900-02-28')).toBeNull(); // Excel's phantom 1900-02-29 would shift it
    expect(parseDate('0044-03-15 BC')).toBeNull();
    expect(parseDate('infinity')).toBeNull();
    expect(parseDate('2023-02-29')).toBeNull();
    expect(parseDate('17/05/2024')).toBeNull();
    expect(parseTimestamp('2024-05-17 19:15:09.123456+05:30')).toEqual({ date: new Date('2024-05-17T13:45:09.123Z'), droppedMicros: true });
    expect(parseTimestamp('2024-05-17 13:45:09.5')).toEqual({ date: new Date('2024-05-17T13:45:09.500Z'), droppedMicros: false });
    expect(parseTimestamp('2024-05-17 13:45:09.123000-07')).toEqual({ date: new Date('2024-05-17T20:45:09.123Z'), droppedMicros: false });
    expect(parseTimestamp('1900-01-01 00:00:00+00:53:28')).toBeNull();
    expect(parseTimestamp('-infinity')).toBeNull();
    expect(parseTimestamp('10000-01-01 00:00:00')).toBeNull();
  });

  it('reads booleans as PostgreSQL prints them', () => {
    expect([parseBoolean('t'), parseBoolean('f'), parseBoolean('yes')]).toEqual([true, false, null]);
  });

  it('quotes CSV fields exactly when COPY does', () => {
    expect(csvField(null, false)).toBe('');
    expect(csvField('', false)).toBe('""');
    expect(csvField('a,b', false)).toBe('"a,b"');
    expect(csvField('say "hi"', false)).toBe('"say ""hi"""');
    expect(csvField('a\rb', false)).toBe('"a\rb"');
    expect(csvField('tab\there', false)).toBe('tab\there');
    expect(csvField('\\.', false)).toBe('\\.');
    expect(csvField('\\.', true)).toBe('"\\."');
  });

  it('makes sheet names Excel accepts and cuts text without breaking a character', () => {
    expect(sheetName('Quarterly revenue: EMEA/APAC [draft] 2024, final', 1)).toBe('Quarterly revenue EMEA APAC dra');
    expect(sheetName('Quarterly revenue: EMEA/APAC [draft] 2024, final', 12)).toBe('Quarterly revenue EMEA APA (12)');
    expect(sheetName("'History'", 1)).toBe('Report');
    expect(sheetName('', 2)).toBe('Report (2)');
    expect(cutAt('ab🚀', 3)).toBe('ab');
    expect(cutAt('abc', 3)).toBe('abc');
  });
});
