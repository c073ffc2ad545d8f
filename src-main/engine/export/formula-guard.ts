// Formula-injection guard (OWASP "CSV injection"): a spreadsheet reads a cell
// that starts with = + - @ tab or CR as a formula. Such text gets a leading
// apostrophe so it shows as text. A number is never altered, negative ones
// included: -5 in a numeric column stays -5.
import type { ValueKind } from '../../../src-preload/contract.ts';

const EQUALS = 0x3d;
const PLUS = 0x2b;
const MINUS = 0x2d;
const AT = 0x40;
const TAB = 0x09;
const CR = 0x0d;

/** A plain decimal literal as PostgreSQL prints numbers (no NaN or Infinity: those are words). */
export const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const isNumericKind = (kind: ValueKind): boolean => kind === 'integer' || kind === 'number';

/** Whether a spreadsheet would read this value as the start of a formula. */
export function looksLikeFormula(value: string, kind: ValueKind): boolean {
  const first = value.charCodeAt(0);
  if (first !== EQUALS && first !== PLUS && first !== MINUS && first !== AT && first !== TAB && first !== CR) return false;
  return !(isNumericKind(kind) && PLAIN_NUMBER.test(value));
}

/** The value as a spreadsheet should receive it: formula-looking text behind an apostrophe. */
export function guardFormula(value: string, kind: ValueKind): string {
  return looksLikeFormula(value, kind) ? `'${value}` : value;
}
