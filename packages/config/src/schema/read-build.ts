import type { BuildSection, PublisherSection, SymlinkPolicy } from '../types.js';
import { KNOWN_BUILD_ARCHITECTURES, isKnownArchitecture } from '../map-architecture.js';
import { readBoolean, readEnum, readString } from './read-values.js';
import { entry, type Field, type YamlReader } from './yaml-reader.js';

const PUBLISHER_KEYS = ['author', 'company'] as const;
export const BUILD_KEYS = [
  'os',
  'arch',
  'sign_pkcs12',
  'sign_key',
  'sign_certificate',
  'symlinks',
  'remove_non_regular_files',
  'context',
  'source_folder',
  'package_folder',
] as const;
const SYMLINK_POLICIES: readonly SymlinkPolicy[] = ['copy', 'delete', 'raise'];

export function readPublisher(reader: YamlReader, field: Field): PublisherSection | undefined {
  const entries = reader.readMap(field, PUBLISHER_KEYS);
  if (entries === undefined) return undefined;
  const publisher: PublisherSection = {};
  const author = readString(reader, entry(entries, field, 'author'));
  const company = readString(reader, entry(entries, field, 'company'));
  if (author !== undefined) publisher.author = author;
  if (company !== undefined) publisher.company = company;
  return publisher;
}

/** `build` with aos-signer's defaults; undefined (reported) when it is not a mapping. */
export function readBuild(
  reader: YamlReader,
  field: Field,
): { build: BuildSection; entries: Map<string, Field> } | undefined {
  const entries = reader.readMap(field, BUILD_KEYS);
  if (entries === undefined) return undefined;
  const at = (key: string): Field => entry(entries, field, key);
  const build: BuildSection = {
    symlinks: readEnum(reader, at('symlinks'), SYMLINK_POLICIES) ?? 'copy',
    source_folder: readFolder(reader, at('source_folder')) ?? 'src',
    package_folder: readFolder(reader, at('package_folder')) ?? '.',
  };
  const os = readString(reader, at('os'));
  if (os !== undefined) {
    if (os !== 'linux') {
      reader.report(at('os'), `"${os}" is not supported`, {
        expected: 'linux',
        hint: 'AosEdge services run on Linux only',
      });
    }
    build.os = os;
  }
  const arch = readString(reader, at('arch'));
  if (arch !== undefined) {
    if (!isKnownArchitecture(arch)) {
      reader.report(at('arch'), `unknown architecture "${arch}"`, {
        expected: `one of: ${KNOWN_BUILD_ARCHITECTURES.join(', ')}`,
      });
    }
    build.arch = arch;
  }
  for (const key of ['sign_pkcs12', 'sign_key', 'sign_certificate', 'context'] as const) {
    const value = readPath(reader, at(key));
    if (value !== undefined) build[key] = value;
  }
  const removeNonRegular = readBoolean(reader, at('remove_non_regular_files'));
  if (removeNonRegular !== undefined) build.remove_non_regular_files = removeNonRegular;
  if ((build.sign_key === undefined) !== (build.sign_certificate === undefined)) {
    const missing = build.sign_key === undefined ? 'sign_key' : 'sign_certificate';
    const given = missing === 'sign_key' ? 'sign_certificate' : 'sign_key';
    reader.report(at(given), `${given} is given without ${missing}`, {
      expected: 'both sign_key and sign_certificate, or sign_pkcs12 alone',
      hint: `add build.${missing}, or use sign_pkcs12: aos-user-sp.p12`,
    });
  }
  return { build, entries };
}

/** A file path; aos-signer caps these at 255 characters. */
export function readPath(reader: YamlReader, field: Field): string | undefined {
  const value = readString(reader, field, { expected: 'a file path' });
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > 255) {
    reader.report(field, `the path is ${value.length === 0 ? 'empty' : 'longer than 255 characters'}`, {
      expected: 'a file path of 1 to 255 characters',
    });
    return undefined;
  }
  return value;
}

/** A folder relative to the service root, which must stay inside it. */
function readFolder(reader: YamlReader, field: Field): string | undefined {
  const value = readPath(reader, field);
  if (value === undefined) return undefined;
  if (value.startsWith('/') || value.split(/[\\/]/).includes('..')) {
    reader.report(field, `"${value}" leaves the service folder`, {
      expected: 'a path relative to the folder that holds meta/, without ".."',
    });
    return undefined;
  }
  return value;
}
