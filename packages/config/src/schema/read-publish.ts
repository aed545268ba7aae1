import type { PublishSection } from '../types.js';
import { readPath } from './read-build.js';
import { SEMVER_PATTERN, UUID_PATTERN } from './patterns.js';
import { readString } from './read-values.js';
import { entry, type Field, type YamlReader } from './yaml-reader.js';

export const PUBLISH_KEYS = ['url', 'service_uid', 'tls_pkcs12', 'tls_key', 'tls_certificate', 'version'] as const;

const HOST_PATTERN = /^[a-z0-9.-]+(?::\d{1,5})?$/i;

export function readPublish(
  reader: YamlReader,
  field: Field,
): { publish: PublishSection; entries: Map<string, Field> } | undefined {
  const entries = reader.readMap(field, PUBLISH_KEYS);
  if (entries === undefined) return undefined;
  const at = (key: string): Field => entry(entries, field, key);
  const publish: PublishSection = {};
  const url = readString(reader, at('url'));
  if (url !== undefined) {
    if (/^[a-z]+:\/\//i.test(url) || !HOST_PATTERN.test(url)) {
      reader.report(at('url'), `"${url}" is not a host name`, {
        expected: 'the cloud host without scheme or path, e.g. aoscloud.io',
        hint: `write url: ${url.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '')}`,
      });
    } else publish.url = url;
  }
  const serviceUid = readString(reader, at('service_uid'), {
    pattern: UUID_PATTERN,
    expected: 'a UUID such as 2efd1506-564e-40de-9466-66ae7a25fac0',
    hint: 'copy the Service ID from the service page in the cloud (or `aos service list`)',
  });
  if (serviceUid !== undefined) publish.service_uid = serviceUid.toLowerCase();
  for (const key of ['tls_pkcs12', 'tls_key', 'tls_certificate'] as const) {
    const value = readPath(reader, at(key));
    if (value !== undefined) publish[key] = value;
  }
  const version = readString(reader, at('version'), {
    pattern: SEMVER_PATTERN,
    expected: 'a SemVer version such as "1.0.0" or "1.1.0-beta.1"',
    hint: 'use SemVer: MAJOR.MINOR.PATCH, quoted',
  });
  if (version !== undefined) publish.version = version;
  return { publish, entries };
}
