import { ImageError } from './errors.js';

/**
 * Read a SOURCE_DATE_EPOCH value (reproducible-builds.org): whole seconds since 1970-01-01 UTC,
 * decimal digits only, as `date +%s` prints them. Unset or empty gives undefined. Each app reads
 * the variable in its env.ts and passes the value through here, so the CLI and the cloud accept
 * exactly the same thing.
 */
export function parseSourceDateEpoch(value: string | undefined): Date | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  const seconds = /^\d{1,12}$/.test(text) ? Number(text) : Number.NaN;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) {
    throw new ImageError(
      'bad-config',
      `reading SOURCE_DATE_EPOCH: ${JSON.stringify(value.slice(0, 40))} is not a whole number of seconds since 1970 (as \`date +%s\` prints it); set one or unset the variable`,
    );
  }
  return date;
}
