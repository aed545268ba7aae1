import { ConfigError } from './config-error.js';

/**
 * Multipliers by lower-cased unit. aos-signer's `size_with_units_to_bytes` knows
 * b, k/kb, ki/kibits, m/mb, g/gb — all decimal except `ki`. We add the binary
 * KiB/MiB/GiB (and Mi/Gi, by analogy with aos-signer's Ki) because people write them.
 * Units are case-insensitive as in aos-signer, so "32Kb" is 32000 bytes, not bits.
 */
const UNIT_MULTIPLIERS: Readonly<Record<string, number>> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kibits: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Units accepted by parseSize, for messages. */
export const SIZE_UNITS_DESCRIPTION =
  'a number of bytes or a number with a unit: B, K/KB (1000), M/MB, G/GB, Ki/KiB (1024), MiB, GiB (case-insensitive)';

const SIZE_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i;

/**
 * Parse a size as aos-signer does ("2kB" → 2000, "1.5k" → 1500, 64 → 64) plus KiB/MiB/GiB.
 * Fractions of a byte are truncated, as Python's int() does.
 * @throws ConfigError code 'invalid-size' for anything else (negative, unknown unit, empty).
 */
export function parseSize(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) {
      throw invalidSize(value, 'a size must be a finite number of bytes, zero or more');
    }
    return Math.trunc(value);
  }
  const match = SIZE_PATTERN.exec(value.trim());
  if (!match) throw invalidSize(value, `expected ${SIZE_UNITS_DESCRIPTION}`);
  const amount = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase();
  const multiplier = unit === '' ? 1 : UNIT_MULTIPLIERS[unit];
  if (multiplier === undefined) {
    throw invalidSize(value, `unknown unit "${match[2]}"; expected ${SIZE_UNITS_DESCRIPTION}`);
  }
  const bytes = Math.trunc(amount * multiplier);
  if (!Number.isSafeInteger(bytes)) throw invalidSize(value, 'the size is too large');
  return bytes;
}

function invalidSize(value: string | number, reason: string): ConfigError {
  return new ConfigError('invalid-size', `parsing size ${JSON.stringify(value)}: ${reason}`);
}
