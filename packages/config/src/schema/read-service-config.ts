import type { Document, LineCounter } from 'yaml';
import { isErrorProblem, type ConfigProblem } from '../config-error.js';
import type { BuildSection, ServiceConfig } from '../types.js';
import { readBuild, readPublisher } from './read-build.js';
import { readConfiguration } from './read-configuration.js';
import { readPublish } from './read-publish.js';
import { requireValue } from './read-values.js';
import { entry, YamlReader, type Field } from './yaml-reader.js';

const TOP_LEVEL_KEYS = ['publisher', 'build', 'publish', 'configuration'] as const;

/**
 * Read a parsed meta/config.yaml document against schema v1, collecting every problem.
 * The config is returned only when there is no error-level problem.
 */
export function readServiceConfig(
  document: Document.Parsed,
  lineCounter: LineCounter,
  options: { file: string; forSigning?: boolean },
): { config: ServiceConfig | undefined; problems: ConfigProblem[] } {
  const reader = new YamlReader(options.file, document, lineCounter);
  const root: Field = { path: '', value: document.contents, key: document.contents };
  if (reader.isAbsent(root)) {
    reader.report(root, 'the file has no settings', {
      expected: 'the sections build, publish and configuration',
      hint: 'run `aos init` to write a commented meta/config.yaml',
    });
    return { config: undefined, problems: reader.problems };
  }
  const sections = reader.readMap(root, TOP_LEVEL_KEYS);
  if (sections === undefined) return { config: undefined, problems: reader.problems };
  const at = (key: string): Field => entry(sections, root, key);
  for (const key of ['build', 'publish', 'configuration']) {
    requireValue(reader, at(key), `the ${key} section`, 'see `aos init` for a commented example');
  }
  const publisher = readPublisher(reader, at('publisher'));
  const build = readBuild(reader, at('build'));
  const publish = readPublish(reader, at('publish'));
  const configuration = readConfiguration(reader, at('configuration'), publish?.publish.version);
  if (options.forSigning === true) {
    if (build) checkSigningCredential(reader, at('build'), build.build);
    if (publish) checkPublishForSigning(reader, at('publish'), publish.entries);
  }
  const problems = reader.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  if (problems.some(isErrorProblem) || !build || !publish || !configuration) return { config: undefined, problems };
  const config: ServiceConfig = { build: build.build, publish: publish.publish, configuration };
  if (publisher !== undefined) config.publisher = publisher;
  return { config, problems };
}

function checkSigningCredential(reader: YamlReader, buildField: Field, build: BuildSection): void {
  if (build.sign_pkcs12 !== undefined || (build.sign_key !== undefined && build.sign_certificate !== undefined)) return;
  reader.report(
    { path: 'build.sign_pkcs12', value: undefined, key: buildField.key ?? null },
    'no signing credential: sign_pkcs12, or sign_key with sign_certificate, is required for signing',
    {
      expected: 'sign_pkcs12: aos-user-sp.p12 (or sign_key + sign_certificate PEM paths)',
      hint: 'put your SP certificate aos-user-sp.p12 in meta/ or ~/.aos/security/ and name it in build.sign_pkcs12',
    },
  );
}

function checkPublishForSigning(reader: YamlReader, publishField: Field, entries: Map<string, Field>): void {
  requireValue(
    reader,
    entry(entries, publishField, 'service_uid'),
    'the Service ID (a UUID) of the service in the cloud',
    'the Service UID can be found on the cloud service details page (or `aos service list`)',
    'is required for signing',
  );
  requireValue(
    reader,
    entry(entries, publishField, 'version'),
    'a SemVer version such as "1.0.0"',
    'add publish.version: "1.0.0" (SemVer, quoted); raise it for every upload',
    'is required for signing',
  );
}
