// A first, friendly check of a report's SQL: one statement, and one that reads.
// It is not the security boundary (the read-only transaction and the role's
// grants are); it turns the common mistakes into clear messages before the
// server sees them.
import { ReportError } from '../errors.ts';

const READING = new Set(['select', 'with', 'values', 'table']);
const WRITING = new Set([
  'insert', 'update', 'delete', 'merge', 'upsert', 'create', 'drop', 'alter', 'truncate', 'grant', 'revoke', 'copy',
  'set', 'reset', 'begin', 'commit', 'rollback', 'start', 'vacuum', 'analyze', 'reindex', 'cluster', 'lock', 'call',
  'do', 'comment', 'refresh', 'security', 'discard', 'listen', 'notify', 'prepare', 'execute', 'deallocate', 'import',
]);

/** Splits off comments and quoted text; returns the statement's code with them blanked, for keyword checks. */
function blankQuotedAndComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      }
      out += ' ';
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j++;
      }
      out += ` ${c}${c} `;
      i = j + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? sql.length : end + tag.length;
        out += " '' ";
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Returns the statement without its trailing semicolon, or throws a clear, typed error. */
export function checkReadOnlySql(sql: string): string {
  const trimmed = sql.trim().replace(/;\s*$/, '').trim();
  const code = blankQuotedAndComments(trimmed);
  if (code.trim() === '') throw new ReportError('InvalidQuery', 'The SQL statement is empty. Write one SELECT statement.');
  if (code.includes(';')) {
    throw new ReportError('InvalidQuery', 'A report runs one statement; this SQL has several. Remove everything after the first semicolon.');
  }
  const first = /^[\s(]*([A-Za-z_]+)/.exec(code)?.[1]?.toLowerCase() ?? '';
  if (WRITING.has(first)) {
    throw new ReportError('WriteNotAllowed', `Reports only read data; "${first.toUpperCase()}" would change the database. Write a SELECT statement.`);
  }
  if (!READING.has(first)) throw new ReportError('InvalidQuery', `A report is one SELECT statement; this one starts with "${first || code.trim().slice(0, 20)}".`);
  if (/\b(insert|update|delete|merge)\b/i.test(code) && first === 'with' && /\bas\s*(not\s+materialized\s*|materialized\s*)?\(\s*(insert|update|delete|merge)\b/i.test(code)) {
    throw new ReportError('WriteNotAllowed', 'Reports only read data; this WITH clause changes the database. Write a SELECT statement.');
  }
  return trimmed;
}
