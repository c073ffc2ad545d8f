// PostgreSQL's text forms turned into spreadsheet values, only when nothing is
// lost: a number only when the double holds the decimal exactly, a date only
// inside Excel's calendar. Anything else stays text; the caller counts it.
import { PLAIN_NUMBER } from './formula-guard.ts';

/** Excel's largest and smallest magnitudes; beyond them a cell shows an error or zero. */
const EXCEL_MAX = 9.99999999999999e307;
const EXCEL_MIN = 2.2250738585072014e-308;
/** Excel's serial 60 is a 1900-02-29 that never was (its 1900 leap-year bug): dates before March 1900 shift. */
const EXCEL_FIRST_MS = Date.UTC(1900, 2, 1);
const EXCEL_END_MS = Date.UTC(10000, 0, 1);

const SHORT_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const DECIMAL_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal reduced to sign, significant digits and exponent: "1.50" and "15e-1" both give "15e-1". */
function canonicalDecimal(text: string): string | null {
  const parts = DECIMAL_PARTS.exec(text);
  if (!parts) return null;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = parts;
  if (whole === '' && fraction === '') return null;
  const digits = whole + fraction;
  const first = digits.search(/[1-9]/);
  if (first < 0) return '0';
  const significant = digits.slice(first).replace(/0+$/, '');
  const scale = Number(exponent) - fraction.length + (digits.length - first - significant.length);
  return `${sign === '-' ? '-' : ''}${significant}e${scale}`;
}

/** The number a decimal text denotes, when a double (and Excel) holds it without rounding; else null. */
export function exactNumber(text: string): number | null {
  // Up to 15 significant digits without an exponent, every decimal survives a double: skip the comparison.
  if (text.length <= 17 && SHORT_DECIMAL.test(text) && text.length - (text.charCodeAt(0) === 0x2d ? 1 : 0) - (text.includes('.') ? 1 : 0) <= 15) {
    return Number(text);
  }
  if (!PLAIN_NUMBER.test(text)) return null;
  const value = Number(text);
  if (!Number.isFinite(value)) return null;
  const magnitude = Math.abs(value);
  if (magnitude > EXCEL_MAX || (magnitude !== 0 && magnitude < EXCEL_MIN)) return null;
  return canonicalDecimal(text) === canonicalDecimal(String(value)) ? value : null;
}

export function parseBoolean(text: string): boolean | null {
  switch (text) {
    case 't':
    case 'true':
    case '1':
      return true;
    case 'f':
    case 'false':
    case '0':
      return false;
    default:
      return null;
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// ISO DateStyle: 2024-05-17 13:45:09.123456+05:30; BC, infinity and other styles do not match.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2024-02-30 over into March; a real date comes back unchanged.
  return new Date(time).getUTCDate() === day ? time : null;
}

const inExcelCalendar = (time: number | null): time is number => time !== null && time >= EXCEL_FIRST_MS && time < EXCEL_END_MS;

/** A date as midnight UTC (how exceljs counts Excel serials), or null outside Excel's calendar. */
export function parseDate(text: string): Date | null {
  const parts = DATE.exec(text);
  if (!parts) return null;
  const time = utcMs(Number(parts[1]), Number(parts[2]), Number(parts[3]));
  return inExcelCalendar(time) ? new Date(time) : null;
}

export interface ParsedTimestamp {
  /** The wall time as UTC fields; for a value with an offset, the instant in UTC. */
  date: Date;
  /** True when digits below the millisecond were not zero (a Date and an Excel serial cannot hold them). */
  droppedMicros: boolean;
}

export function parseTimestamp(text: string): ParsedTimestamp | null {
  const parts = TIMESTAMP.exec(text);
  if (!parts) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zulu, sign, offsetHours, offsetMinutes = '0', offsetSeconds = '0'] = parts;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  let time = utcMs(Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second), ms);
  if (time === null) return null;
  if (!zulu && sign) {
    const offset = (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60 + Number(offsetSeconds)) * 1000;
    time += sign === '-' ? offset : -offset;
  }
  if (!inExcelCalendar(time)) return null;
  return { date: new Date(time), droppedMicros: /[1-9]/.test(fraction.slice(3)) };
}
