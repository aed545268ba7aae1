import { isScalar } from 'yaml';
import { parsePortRange, parsePortSpec } from '../port-spec.js';
import { HOSTNAME_PATTERN, UUID_PATTERN, UUID_V4_PATTERN } from './patterns.js';
import { readString } from './read-values.js';
import { describeNode, type Field, type YamlReader } from './yaml-reader.js';

const EXPOSED_PORT_EXPECTED = 'a port (9000), a range (8089-8090), optionally with /tcp or /udp';
const CONNECTION_EXPECTED = '<service UUID v4>/<port or from-to>/<tcp|udp>';

export function readHostname(reader: YamlReader, field: Field): string | undefined {
  return readString(reader, field, {
    pattern: HOSTNAME_PATTERN,
    expected: 'a host name: letters, digits and hyphens, dot-separated labels of at most 63 characters',
  });
}

/** `exposedPorts`: numbers or "port[-port][/tcp|udp]" strings, normalised to strings. */
export function readExposedPorts(reader: YamlReader, field: Field): string[] | undefined {
  const items = reader.readList(field, `a list of ${EXPOSED_PORT_EXPECTED}`);
  if (items === undefined) return undefined;
  const ports: string[] = [];
  for (const item of items) {
    const value = reader.scalarValue(item);
    if (!isScalar(reader.resolve(item.value)) || (typeof value !== 'string' && typeof value !== 'number')) {
      reader.report(item, `must be a port (got ${describeNode(reader.resolve(item.value))})`, {
        expected: EXPOSED_PORT_EXPECTED,
      });
      continue;
    }
    const text = String(value);
    const spec = parsePortSpec(text);
    if (typeof spec === 'string') {
      reader.report(item, `"${text}": ${spec}`, { expected: EXPOSED_PORT_EXPECTED });
      continue;
    }
    ports.push(text);
  }
  return ports;
}

/** `allowedConnections`: "<uuid v4>/<port|range>/<tcp|udp>", exactly three parts. */
export function readAllowedConnections(reader: YamlReader, field: Field): string[] | undefined {
  const items = reader.readList(field, `a list of ${CONNECTION_EXPECTED}`);
  if (items === undefined) return undefined;
  const connections: string[] = [];
  for (const item of items) {
    const text = readString(reader, item, { expected: CONNECTION_EXPECTED });
    if (text === undefined) {
      if (reader.isAbsent(item)) reader.report(item, 'is empty', { expected: CONNECTION_EXPECTED });
      continue;
    }
    const reason = checkConnection(text);
    if (reason !== undefined) {
      reader.report(item, `"${text}": ${reason.message}`, { expected: CONNECTION_EXPECTED, hint: reason.hint });
      continue;
    }
    connections.push(text);
  }
  return connections;
}

function checkConnection(text: string): { message: string; hint?: string } | undefined {
  const parts = text.split('/');
  if (parts.length !== 3) return { message: `has ${parts.length} "/"-separated parts, not 3` };
  const [serviceId = '', ports = '', protocol = ''] = parts;
  if (!UUID_V4_PATTERN.test(serviceId)) {
    return {
      message: UUID_PATTERN.test(serviceId)
        ? `"${serviceId}" is a UUID but not a version 4 (random) UUID`
        : `"${serviceId}" is not a service UUID`,
      hint: 'use the Service ID of the service to connect to, as shown in the cloud',
    };
  }
  const range = parsePortRange(ports);
  if (typeof range === 'string') return { message: range };
  if (protocol !== 'tcp' && protocol !== 'udp') return { message: `protocol "${protocol}" is not tcp or udp` };
  return undefined;
}
