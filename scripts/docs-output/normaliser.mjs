// Makes a captured transcript the same on every run: values that differ each time (the
// sandbox folder, ports, generated passwords, IDs, times, certificate serials, anything
// signed with a freshly made key) become stable names; the rest of the output stays as it
// was printed. A value no rule covers makes the docs check fail on the next run, which is how
// a new varying value is found.
import { Buffer } from 'node:buffer';

/**
 * @typedef {object} ReplaceOptions
 * @property {boolean} [isWord] only where it is not part of a longer word or number (a port)
 * @property {boolean} [isPadded] pad the replacement to the value's width in a table column (default true;
 *   false where two spaces separate fields rather than align columns, as in `sha256sum` output)
 */

/**
 * @typedef {object} Normaliser
 * @property {(value: string, replacement: string, options?: ReplaceOptions) => void} replace an exact value
 *   (IDs, paths, passwords). A hex value of 64+ characters is also replaced in its 32-character form
 *   followed by `…`, as the CLI abbreviates it
 * @property {(value: string) => void} keep leave a value that looks varying alone (a fixed input such as a chosen UUID)
 * @property {(rule: (text: string) => string) => void} addRule a rewrite of its own, applied after the others
 *   (a scenario's knowledge of a table whose cells vary)
 * @property {(text: string) => string} apply
 */

/** Times, except the fixed creation time of packages and images (2000-01-01). */
const TIME = /\b(?!2000-01-01T00:00:00)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;
/** A certificate's SHA-256 fingerprint, `AB:CD:…`. */
const FINGERPRINT = /\b(?:[0-9A-F]{2}:){31}[0-9A-F]{2}\b/g;
/** Certificate serial numbers: upper-case hex (hashes are printed in lower case). */
const SERIAL = /\b[0-9A-F]{32}\b/g;
/** A base64 run long enough to be an aos `kid` (checked by decoding it: `<issuer>:<serial>`). */
const BASE64 = /\b[A-Za-z0-9+/]{40,}={0,2}/g;
/** Next.js reports how long loading its config took. */
const DURATION = /\btook \d+(?:\.\d+)?m?s\b/g;

/**
 * @returns {Normaliser}
 */
export function createNormaliser() {
  /** @type {[string, string, ReplaceOptions][]} */
  const exact = [];
  const kept = new Set();
  /** @type {((text: string) => string)[]} */
  const rules = [];
  return {
    replace(value, replacement, options = {}) {
      if (!value) throw new Error('normaliser: an empty value cannot be replaced');
      exact.push([value, replacement, options]);
      if (/^[0-9a-f]{64,}$/.test(value)) exact.push([`${value.slice(0, 32)}…`, `${replacement}…`, options]);
    },
    keep(value) {
      kept.add(value);
    },
    addRule(rule) {
      rules.push(rule);
    },
    apply(text) {
      let result = text;
      // Longest first, so that a path is replaced before a shorter path inside it.
      for (const [value, replacement, options] of [...exact].sort((a, b) => b[0].length - a[0].length))
        result = replaceAll(result, value, replacement, options);
      result = result.replace(TIME, (match, offset, whole) => padColumn(match, '<time>', offset, whole));
      result = result.replace(UUID, (match, offset, whole) =>
        kept.has(match) ? match : padColumn(match, '<uuid>', offset, whole),
      );
      result = result.replace(FINGERPRINT, '<sha-256 fingerprint>');
      result = result.replace(BASE64, (match) => (isKeyId(match) ? '<kid>' : match));
      result = result.replace(SERIAL, (match) => (kept.has(match) ? match : '<serial>'));
      result = result.replace(DURATION, 'took <n>ms');
      return rules.reduce((text, rule) => rule(text), result);
    },
  };
}

/**
 * Replace every occurrence of `value`.
 * @param {string} text
 * @param {string} value
 * @param {string} replacement
 * @param {ReplaceOptions} options
 */
function replaceAll(text, value, replacement, { isWord = false, isPadded = true }) {
  const isWordCharacter = (/** @type {string | undefined} */ character) => /\w/.test(character ?? '');
  let result = '';
  let from = 0;
  for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
    if (isWord && (isWordCharacter(text[at - 1]) || isWordCharacter(text[at + value.length]))) continue;
    result += text.slice(from, at) + (isPadded ? padColumn(value, replacement, at, text) : replacement);
    from = at + value.length;
    at = from - 1;
  }
  return result + text.slice(from);
}

/**
 * A shorter replacement padded to the width of what it replaces when a table column follows
 * (two spaces), so the columns after it stay aligned.
 * @param {string} match
 * @param {string} replacement
 * @param {number} offset
 * @param {string} whole
 */
function padColumn(match, replacement, offset, whole) {
  const isInColumn = whole.startsWith('  ', offset + match.length);
  return isInColumn && replacement.length < match.length ? replacement.padEnd(match.length) : replacement;
}

/**
 * Whether a base64 text is an aos key ID: base64 of `<issuer DN>:<serial in hex>`.
 * @param {string} text
 */
function isKeyId(text) {
  const decoded = Buffer.from(text, 'base64').toString('latin1');
  return /^[\x20-\x7e]+:[0-9A-Fa-f]+$/.test(decoded);
}
