import { isScalar, isSeq } from 'yaml';
import { splitCommand } from '../split-command.js';
import type { InstanceSettings, LayerReference, RunParameters, StateSettings } from '../types.js';
import { ENV_ENTRY_PATTERN, compareSemVer, parseSemVer, SEMVER_PATTERN } from './patterns.js';
import { readBoolean, readDuration, readNumber, readString, readStringList } from './read-values.js';
import { entry, type Field, type YamlReader } from './yaml-reader.js';

/** `cmd`: one string (split like a shell would) or a list of strings. */
export function readCommand(reader: YamlReader, field: Field): string | string[] | undefined {
  if (reader.isAbsent(field)) return undefined;
  const expected = 'a command line (e.g. python3 -u /hello.py) or a list of its words';
  if (isSeq(reader.resolve(field.value))) {
    const words = readStringList(reader, field, { itemExpected: 'a word of the command' });
    if (words !== undefined && words.length === 0) reader.report(field, 'the command is empty', { expected });
    return words !== undefined && words.length > 0 ? words : undefined;
  }
  const command = readString(reader, field, { expected });
  if (command === undefined) return undefined;
  const words = splitCommand(command);
  if (typeof words === 'string') {
    reader.report(field, `cannot split the command into words: ${words}`, { expected, hint: 'close the quote' });
    return undefined;
  }
  if (words.length === 0) {
    reader.report(field, 'the command is empty', { expected });
    return undefined;
  }
  return command;
}

export function readState(reader: YamlReader, field: Field): StateSettings | undefined {
  const entries = reader.readMap(field, ['filename', 'required']);
  if (entries === undefined) return undefined;
  const filename = readString(reader, entry(entries, field, 'filename'), {
    pattern: /^[^/\\]+$/,
    expected: 'a file name inside meta/, e.g. state.dat',
  });
  return {
    filename: filename ?? 'state.dat',
    required: readBoolean(reader, entry(entries, field, 'required')) ?? false,
  };
}

/** `layers`: strings (the demo services' form) or {uid, minVersion?, maxVersion?}; no duplicate uid. */
export function readLayers(reader: YamlReader, field: Field): LayerReference[] | undefined {
  const items = reader.readList(field, 'a list of layer ids or {uid, minVersion, maxVersion}');
  if (items === undefined) return undefined;
  const layers: LayerReference[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const node = reader.resolve(item.value);
    const layer = isScalar(node) ? readLayerId(reader, item) : readLayerObject(reader, item);
    if (layer === undefined) continue;
    if (seen.has(layer.uid)) {
      reader.report(item, `layer "${layer.uid}" is listed twice`, { hint: 'keep one entry per layer' });
      continue;
    }
    seen.add(layer.uid);
    layers.push(layer);
  }
  return layers;
}

function readLayerId(reader: YamlReader, item: Field): LayerReference | undefined {
  const uid = readString(reader, item, { pattern: /\S/, expected: 'a layer id' });
  return uid === undefined ? undefined : { uid };
}

function readLayerObject(reader: YamlReader, item: Field): LayerReference | undefined {
  const entries = reader.readMap(item, ['uid', 'minVersion', 'maxVersion']);
  if (entries === undefined) {
    if (reader.isAbsent(item)) reader.report(item, 'is empty', { expected: 'a layer id' });
    return undefined;
  }
  const uidField = entry(entries, item, 'uid');
  const uid = readString(reader, uidField, { pattern: /\S/, expected: 'a layer id' });
  if (uid === undefined) {
    if (reader.isAbsent(uidField)) reader.report(uidField, 'is required', { expected: 'a layer id' });
    return undefined;
  }
  const layer: LayerReference = { uid };
  const versionRules = { pattern: SEMVER_PATTERN, expected: 'a SemVer version such as "1.2.0"' };
  const minVersion = readString(reader, entry(entries, item, 'minVersion'), versionRules);
  const maxVersion = readString(reader, entry(entries, item, 'maxVersion'), versionRules);
  if (minVersion !== undefined) layer.minVersion = minVersion;
  if (maxVersion !== undefined) layer.maxVersion = maxVersion;
  if (minVersion !== undefined && maxVersion !== undefined) {
    const [min, max] = [parseSemVer(minVersion), parseSemVer(maxVersion)];
    if (min && max && compareSemVer(min, max) > 0) {
      reader.report(entry(entries, item, 'minVersion'), `minVersion ${minVersion} is above maxVersion ${maxVersion}`, {
        expected: 'minVersion ≤ maxVersion',
      });
    }
  }
  return layer;
}

/** `env`: "NAME=value" entries. */
export function readEnvironment(reader: YamlReader, field: Field): string[] | undefined {
  return readStringList(reader, field, {
    itemExpected: 'NAME=value',
    pattern: ENV_ENTRY_PATTERN,
    mismatch: 'is not NAME=value',
    hint: 'write each variable as NAME=value (the value may be empty: NAME=)',
  });
}

export function readInstances(reader: YamlReader, field: Field): InstanceSettings | undefined {
  const entries = reader.readMap(field, ['minInstances', 'priority', 'labels']);
  if (entries === undefined) return undefined;
  const instances: InstanceSettings = {};
  const minInstances = readNumber(reader, entry(entries, field, 'minInstances'), { integer: true, min: 0 });
  const priority = readNumber(reader, entry(entries, field, 'priority'), {
    integer: true,
    min: 0,
    max: 1_000_000_000,
    hint: '0 is the lowest priority',
  });
  const labels = readStringList(reader, entry(entries, field, 'labels'), { itemExpected: 'a node label' });
  if (minInstances !== undefined) instances.minInstances = minInstances;
  if (priority !== undefined) instances.priority = priority;
  if (labels !== undefined) instances.labels = labels;
  return instances;
}

export function readRunParameters(reader: YamlReader, field: Field): RunParameters | undefined {
  const entries = reader.readMap(field, ['startInterval', 'startBurst', 'restartInterval']);
  if (entries === undefined) return undefined;
  const parameters: RunParameters = {};
  const startInterval = readDuration(reader, entry(entries, field, 'startInterval'));
  const startBurst = readNumber(reader, entry(entries, field, 'startBurst'), { integer: true, min: 0 });
  const restartInterval = readDuration(reader, entry(entries, field, 'restartInterval'));
  if (startInterval !== undefined) parameters.startInterval = startInterval;
  if (startBurst !== undefined) parameters.startBurst = startBurst;
  if (restartInterval !== undefined) parameters.restartInterval = restartInterval;
  return parameters;
}
