import type { FieldError } from './problem';

/**
 * Rules every piece of input obeys, whatever route or file it comes through (JSON bodies,
 * query strings, path parameters, CSV imports), checked before validation and before any
 * handler sees the value.
 */

/** Deepest JSON nesting accepted: the deepest request body has four levels; 32 leaves room. */
export const MAX_JSON_DEPTH = 32;

/** True when the JSON text nests arrays and objects deeper than `max` (counted without parsing it). */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * Why a text may not be stored, or undefined when it may: control characters other than tab,
 * line feed and carriage return (NUL, escape, DEL, the C1 range) and UTF-16 surrogates that
 * are not part of a pair (not a character at all; they break encoders, emails and exports).
 */
export function textProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return `contains a control character (U+${hex(c)})`;
    } else if (c >= 0x7f && c <= 0x9f) {
      return `contains a control character (U+${hex(c)})`;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return 'contains an unpaired UTF-16 surrogate';
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return 'contains an unpaired UTF-16 surrogate';
    }
  }
  return undefined;
}

/** The first text in a value (strings and object keys, at any depth) that may not be stored. */
export function findBadText(value: unknown, path: string): FieldError | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { field: path || 'body', message: `${path || 'the body'} ${problem}` } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findBadText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { field: path || 'body', message: `a field name in ${path || 'the body'} ${keyProblem}` };
      const found = findBadText(inner, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}
