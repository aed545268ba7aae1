import { ArchiveError } from './archive-error.js';

/** Default mtime of packed entries: fixed so the same tree gives the same bytes. */
export const DEFAULT_MTIME = new Date('2000-01-01T00:00:00Z');

export const BLOCK_SIZE = 512;
/** Two zero blocks end a tar archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK_SIZE);
const ZERO_BLOCK = Buffer.alloc(BLOCK_SIZE);

export type HeaderType = 'file' | 'hardlink' | 'symlink' | 'directory';

export interface HeaderFields {
  /** Full entry name as stored (directories get a trailing "/" here). */
  name: string;
  type: HeaderType;
  size: number;
  mode: number;
  mtime: Date;
  linkname?: string;
}

const TYPE_FLAGS: Record<HeaderType | 'pax', number> = {
  file: 0x30, // '0'
  hardlink: 0x31, // '1'
  symlink: 0x32, // '2'
  directory: 0x35, // '5'
  pax: 0x78, // 'x'
};

/** Largest size a 12-byte octal field holds (8 GiB - 1); beyond it a PAX size record is written. */
const MAX_OCTAL_SIZE = 0o77777777777;

/**
 * Encode the header block(s) of one entry: plain ustar when the name fits (using the prefix
 * field when needed), otherwise a PAX extended header first. Deterministic: uid/gid 0, no
 * user or group names, device numbers 0.
 */
export function encodeHeaders(fields: HeaderFields): Buffer[] {
  if (fields.name.includes('\0') || (fields.linkname ?? '').includes('\0')) {
    throw new ArchiveError('corrupt', `writing tar entry ${JSON.stringify(fields.name)}: names cannot contain NUL`, {
      entry: fields.name,
    });
  }
  const nameBytes = Buffer.from(fields.name, 'utf8');
  const linkBytes = Buffer.from(fields.linkname ?? '', 'utf8');
  const split = splitUstarName(nameBytes);
  const needsPaxSize = fields.size > MAX_OCTAL_SIZE;
  const needsPaxLink = linkBytes.length > 100;

  if (split !== undefined && !needsPaxSize && !needsPaxLink) {
    return [encodeBlock({ ...fields, nameField: split.name, prefixField: split.prefix, linkField: linkBytes })];
  }

  const records: [string, string][] = [];
  if (split === undefined) records.push(['path', fields.name]);
  if (needsPaxLink) records.push(['linkpath', fields.linkname ?? '']);
  if (needsPaxSize) records.push(['size', String(fields.size)]);
  const pax = encodePaxRecords(records);
  const paxHeader = encodeBlock({
    name: '././@PaxHeader',
    type: 'file',
    size: pax.length,
    mode: 0o644,
    mtime: fields.mtime,
    nameField: Buffer.from('././@PaxHeader'),
    prefixField: Buffer.alloc(0),
    linkField: Buffer.alloc(0),
    typeFlag: TYPE_FLAGS.pax,
  });
  const fallbackName = split ?? { name: truncateUtf8(nameBytes, 100), prefix: Buffer.alloc(0) };
  const main = encodeBlock({
    ...fields,
    size: needsPaxSize ? 0 : fields.size,
    nameField: fallbackName.name,
    prefixField: fallbackName.prefix,
    linkField: needsPaxLink ? truncateUtf8(linkBytes, 100) : linkBytes,
  });
  return [paxHeader, pax, padding(pax.length), main].filter((buffer) => buffer.length > 0);
}

/** Zero bytes that pad content of `size` bytes to a whole block. */
export function padding(size: number): Buffer {
  const remainder = size % BLOCK_SIZE;
  return remainder === 0 ? ZERO_BLOCK.subarray(0, 0) : ZERO_BLOCK.subarray(0, BLOCK_SIZE - remainder);
}

function encodeBlock(
  fields: HeaderFields & { nameField: Buffer; prefixField: Buffer; linkField: Buffer; typeFlag?: number },
): Buffer {
  // From Buffer's shared pool (allocUnsafe below 4 KiB), zeroed: one ArrayBuffer per header
  // would be 18,000 allocations for a tree of 18,000 files, and as many for the GC to sweep.
  const block = Buffer.allocUnsafe(BLOCK_SIZE).fill(0);
  fields.nameField.copy(block, 0);
  writeOctal(block, 100, 8, fields.mode & 0o7777);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, Math.max(0, Math.floor(fields.mtime.getTime() / 1000)));
  block.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  block[156] = fields.typeFlag ?? TYPE_FLAGS[fields.type];
  fields.linkField.copy(block, 157);
  block.write('ustar\x0000', 257, 'latin1');
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  fields.prefixField.copy(block, 345);
  let sum = 0;
  for (let index = 0; index < BLOCK_SIZE; index += 1) sum += block[index] as number;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return block;
}

/** NUL-terminated, zero-padded octal as GNU tar and Python's tarfile write it. */
function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new RangeError(`tar header value ${value} does not fit ${length} bytes`);
  block.write(digits + '\0', offset, 'latin1');
}

/** Split a name into ustar's prefix (155 bytes) and name (100 bytes) at a "/", if it can be. */
function splitUstarName(name: Buffer): { name: Buffer; prefix: Buffer } | undefined {
  if (name.length <= 100) return { name, prefix: Buffer.alloc(0) };
  if (name.length > 256) return undefined;
  // The last "/" that leaves at most 100 bytes of name and at most 155 of prefix.
  for (let index = name.length - 1; index >= 0; index -= 1) {
    if (name[index] !== 0x2f) continue;
    const rest = name.length - index - 1;
    if (rest > 100) return undefined;
    if (index <= 155 && rest > 0) return { prefix: name.subarray(0, index), name: name.subarray(index + 1) };
  }
  return undefined;
}

function truncateUtf8(bytes: Buffer, length: number): Buffer {
  return bytes.subarray(0, Math.min(bytes.length, length));
}

/** PAX records "<len> key=value\n" where len counts the whole record, itself included. */
function encodePaxRecords(records: [string, string][]): Buffer {
  const parts = records.map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    const bodyLength = Buffer.byteLength(body, 'utf8');
    let length = bodyLength + String(bodyLength).length;
    if (String(length).length !== String(bodyLength).length) length = bodyLength + String(length).length;
    return Buffer.from(`${length}${body}`, 'utf8');
  });
  return Buffer.concat(parts);
}
