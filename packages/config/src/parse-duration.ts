import { ConfigError } from './config-error.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Calendar units have no fixed length; like Go's and most device-side readers we take a
// year as 365 days and a month as 30 days. Only relative comparisons depend on this.
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

const NUMBER = String.raw`(\d+(?:[.,]\d+)?)`;
const DESIGNATOR_PATTERN = new RegExp(
  String.raw`^P(?:${NUMBER}Y)?(?:${NUMBER}M)?(?:${NUMBER}W)?(?:${NUMBER}D)?` +
    String.raw`(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`,
);
/** The "alternative format" P0003-06-04T12:30:05 that python isoduration and the Go device accept. */
const ALTERNATIVE_PATTERN = /^P(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}(?:[.,]\d+)?)$/;

/** What parseIsoDuration accepts, for messages. */
export const DURATION_DESCRIPTION = "an ISO 8601 duration such as 'PT10S', 'PT1M', 'P1DT3H' or 'P7D'";

/**
 * Parse an ISO 8601 duration ("PT10S", "P1DT3H", "P1W", "PT0.5S", "P0000-00-01T00:00:00")
 * into milliseconds. Years count 365 days and months 30 days.
 * @throws ConfigError code 'invalid-duration' when the text is not such a duration.
 */
export function parseIsoDuration(value: string): number {
  const text = value.trim();
  const alternative = ALTERNATIVE_PATTERN.exec(text);
  if (alternative) {
    const [years = 0, months = 0, days = 0, hours = 0, minutes = 0, seconds = 0] = alternative.slice(1).map(toNumber);
    return Math.round(years * YEAR + months * MONTH + days * DAY + hours * HOUR + minutes * MINUTE + seconds * SECOND);
  }
  const match = DESIGNATOR_PATTERN.exec(text);
  // "P" and "PT" alone match the pattern but carry no component; ISO 8601 requires one.
  if (!match || match.slice(1).every((part) => part === undefined) || text.endsWith('T')) {
    throw new ConfigError(
      'invalid-duration',
      `parsing duration ${JSON.stringify(value)}: expected ${DURATION_DESCRIPTION}`,
    );
  }
  const units = [YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND];
  let milliseconds = 0;
  units.forEach((unit, index) => {
    const part = match[index + 1];
    if (part !== undefined) milliseconds += toNumber(part) * unit;
  });
  return Math.round(milliseconds);
}

/** True when parseIsoDuration would accept the value. */
export function isIsoDuration(value: string): boolean {
  try {
    parseIsoDuration(value);
    return true;
  } catch {
    return false;
  }
}

function toNumber(text: string | undefined): number {
  return Number((text ?? '0').replace(',', '.'));
}
