import { isScalar } from 'yaml';
import { ConfigError } from '../config-error.js';
import { DURATION_DESCRIPTION, parseIsoDuration } from '../parse-duration.js';
import { SIZE_UNITS_DESCRIPTION, parseSize } from '../parse-size.js';
import { describeNode, type Field, type YamlReader } from './yaml-reader.js';

export interface StringRules {
  /** The value must match; otherwise `expected`/`hint` are reported. */
  pattern?: RegExp;
  expected?: string;
  hint?: string;
  /** Message when the pattern does not match; default: `"<value>" is not valid`. */
  mismatch?: string;
}

/** A text value; numbers and booleans are refused (quote them) so "1.0" stays "1.0". */
export function readString(reader: YamlReader, field: Field, rules: StringRules = {}): string | undefined {
  if (reader.isAbsent(field)) return undefined;
  const value = reader.scalarValue(field);
  if (typeof value !== 'string') {
    const node = reader.resolve(field.value);
    // A number or boolean where text is expected (version: 1.0) is fixed by quoting it.
    const source = isScalar(node) ? (node.source ?? String(value)) : undefined;
    reader.report(field, `must be a text value (got ${describeNode(node)})`, {
      expected: rules.expected ?? 'a string',
      hint: source === undefined ? rules.hint : `put it in quotes: "${source}"`,
    });
    return undefined;
  }
  if (rules.pattern && !rules.pattern.test(value)) {
    reader.report(field, `${JSON.stringify(value)} ${rules.mismatch ?? 'is not valid'}`, {
      expected: rules.expected,
      hint: rules.hint,
    });
    return undefined;
  }
  return value;
}

export function readBoolean(reader: YamlReader, field: Field): boolean | undefined {
  if (reader.isAbsent(field)) return undefined;
  const value = reader.scalarValue(field);
  if (typeof value !== 'boolean') {
    reader.report(field, `must be true or false (got ${describeNode(reader.resolve(field.value))})`, {
      expected: 'true or false (also True/False, as aos-signer writes them)',
    });
    return undefined;
  }
  return value;
}

export interface NumberRules {
  min?: number;
  max?: number;
  integer?: boolean;
  hint?: string;
}

export function readNumber(reader: YamlReader, field: Field, rules: NumberRules = {}): number | undefined {
  if (reader.isAbsent(field)) return undefined;
  const raw = reader.scalarValue(field);
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  const expected = describeNumberRules(rules);
  if (typeof value !== 'number' || !Number.isFinite(value) || (rules.integer === true && !Number.isInteger(value))) {
    reader.report(field, `must be ${expected} (got ${describeNode(reader.resolve(field.value))})`, {
      expected,
      hint: rules.hint,
    });
    return undefined;
  }
  if ((rules.min !== undefined && value < rules.min) || (rules.max !== undefined && value > rules.max)) {
    reader.report(field, `${value} is out of range`, { expected, hint: rules.hint });
    return undefined;
  }
  return value;
}

function describeNumberRules(rules: NumberRules): string {
  const kind = rules.integer === true ? 'a whole number' : 'a number';
  if (rules.min !== undefined && rules.max !== undefined) return `${kind} from ${rules.min} to ${rules.max}`;
  if (rules.min !== undefined) return `${kind} of at least ${rules.min}`;
  if (rules.max !== undefined) return `${kind} of at most ${rules.max}`;
  return kind;
}

/** A size such as 2kB, 100M, 64 (bytes), 1GiB → bytes. */
export function readSize(reader: YamlReader, field: Field): number | undefined {
  if (reader.isAbsent(field)) return undefined;
  const value = reader.scalarValue(field);
  if (typeof value !== 'string' && typeof value !== 'number') {
    reader.report(field, `must be a size (got ${describeNode(reader.resolve(field.value))})`, {
      expected: SIZE_UNITS_DESCRIPTION,
    });
    return undefined;
  }
  try {
    return parseSize(value);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    reader.report(field, `${JSON.stringify(value)} is not a size`, {
      expected: SIZE_UNITS_DESCRIPTION,
      hint: 'write e.g. 64KB, 200MB, 1GB or 512MiB',
    });
    return undefined;
  }
}

/** An ISO 8601 duration, validated and returned as written. */
export function readDuration(reader: YamlReader, field: Field): string | undefined {
  const value = readString(reader, field, { expected: DURATION_DESCRIPTION });
  if (value === undefined) return undefined;
  try {
    parseIsoDuration(value);
    return value;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    reader.report(field, `${JSON.stringify(value)} is not an ISO 8601 duration`, {
      expected: DURATION_DESCRIPTION,
      hint: "P starts it, T starts the time part: 'PT30S' is 30 seconds, 'PT5M' 5 minutes, 'P1D' a day",
    });
    return undefined;
  }
}

export function readEnum<T extends string>(reader: YamlReader, field: Field, values: readonly T[]): T | undefined {
  if (reader.isAbsent(field)) return undefined;
  const value = reader.scalarValue(field);
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    reader.report(field, `${describeNode(reader.resolve(field.value))} is not allowed`, {
      expected: `one of: ${values.join(', ')}`,
    });
    return undefined;
  }
  return value as T;
}

/** A list of text values, each checked with `rules`. Invalid items are reported and skipped. */
export function readStringList(
  reader: YamlReader,
  field: Field,
  rules: StringRules & { itemExpected: string },
): string[] | undefined {
  const items = reader.readList(field, `a list of ${rules.itemExpected}`);
  if (items === undefined) return undefined;
  const values: string[] = [];
  for (const item of items) {
    const value = reader.isAbsent(item)
      ? reportEmptyItem(reader, item, rules.itemExpected)
      : readString(reader, item, { ...rules, expected: rules.expected ?? rules.itemExpected });
    if (value !== undefined) values.push(value);
  }
  return values;
}

function reportEmptyItem(reader: YamlReader, item: Field, expected: string): undefined {
  reader.report(item, 'is empty', { expected });
  return undefined;
}

/** Report a required value that is absent. */
export function requireValue(
  reader: YamlReader,
  field: Field,
  expected: string,
  hint?: string,
  message = 'is required',
): void {
  if (reader.isAbsent(field)) reader.report(field, message, { expected, hint });
}
