import { describe, expect, it } from 'vitest';
import { cloudToUnitMessages, messageSchemas, unitToCloudMessages } from './catalog.js';
import { parseEnvelope } from './envelope.js';
import { isOpenAosMessageType } from './log-follow.js';
import type { Envelope } from './header.js';
import {
  alertRulePercentsOfDiskSchema,
  alertRulePercentsSchema,
  alertRulePointsSchema,
  nodeConfigSchema,
} from './unit-config.js';
import {
  archInfoSchema,
  osInfoSchema,
  resourceInfoSchema,
  runtimeInfoSchema,
  unitNodeInfoSchema,
  unitStatusSchema,
} from './unit-status.js';
import { csrSchema, issuedCertificateSchema } from './provisioning.js';
import { envVarSchema } from './env-vars.js';
import { renewCertificatesNotificationSchema } from './certificates.js';
import { blobInfoSchema, requestBlobUrlsSchema } from './blobs.js';
import { listAosEdgeProblems, listDefinitionProblems, readAosEdgeSchema } from './testing/aosedge-schema.js';
import { loadPkiFixture } from './testing/pki-fixture.js';
import { buildSampleEnvelopes } from './testing/samples.js';
import type { z } from 'zod';

const { signer } = loadPkiFixture();
const schema = readAosEdgeSchema();
const mapping = (schema.properties as { data: { discriminator: { mapping: Record<string, string> } } }).data
  .discriminator.mapping;
const samples = { full: buildSampleEnvelopes(signer, 'full'), minimal: buildSampleEnvelopes(signer, 'minimal') };

function messageTypeOf(envelope: Envelope): string {
  return (envelope.data as { messageType: string }).messageType;
}

function receiverOf(messageType: string): 'unit' | 'cloud' {
  return Object.hasOwn(cloudToUnitMessages, messageType) ? 'unit' : 'cloud';
}

/** A JSON copy: what goes over the wire. */
function wire<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('the v7 catalog against AosEdge’s schema', () => {
  it('has exactly the schema’s 26 message types besides OpenAos’s own, each in the direction AosEdge sends it', () => {
    const aosEdgeTypes = Object.keys(messageSchemas).filter((type) => !isOpenAosMessageType(type));
    expect(aosEdgeTypes.sort()).toEqual(Object.keys(mapping).sort());
    const both = Object.keys(cloudToUnitMessages).filter((type) => Object.hasOwn(unitToCloudMessages, type));
    expect(both.sort()).toEqual(['ack', 'nack']);
  });

  it.each(['full', 'minimal'] as const)('has a %s sample of every message type', (shape) => {
    expect(samples[shape].map(messageTypeOf).sort()).toEqual(Object.keys(mapping).sort());
  });

  describe.each(['full', 'minimal'] as const)('%s samples built with our create functions', (shape) => {
    it.each(samples[shape].map((envelope) => [messageTypeOf(envelope), envelope] as const))(
      '%s validates against the AosEdge schema and parses back unchanged',
      (messageType, envelope) => {
        const sent = wire(envelope);
        expect(listAosEdgeProblems(sent)).toEqual([]);
        const parsed = parseEnvelope(JSON.stringify(sent), { receiver: receiverOf(messageType) });
        expect(parsed.ok ? parsed.envelope : parsed.error.message).toEqual(sent);
      },
    );
  });
});

/**
 * Every field of every full sample is deleted, set to null and set to a value of another JSON
 * type, one at a time; our parse and AosEdge's schema must agree on each result. This checks
 * required fields, nullability and types everywhere, not only where a test names them.
 */
describe('our zod schemas and AosEdge’s schema agree on every field', () => {
  /** OpenAos's additions: AosEdge's schema allows any extra field, so only our schema checks them. */
  const extensions: Record<string, string[]> = {
    desiredStatus: ['/data/signature', '/data/items/0/isRollback'],
    nack: ['/data/errorInfo'],
  };

  it.each(samples.full.map((envelope) => [messageTypeOf(envelope), envelope] as const))(
    '%s',
    (messageType, envelope) => {
      const disagreements: string[] = [];
      const all = mutations(wire(envelope));
      for (const { label, value } of all) {
        const isSchemaValid = listAosEdgeProblems(value).length === 0;
        const isOurs = parseEnvelope(value, { receiver: receiverOf(messageType) }).ok;
        const extension = (extensions[messageType] ?? []).find(
          (path) => label.startsWith(`${path} `) || label.startsWith(`${path}/`),
        );
        // An extension may be left out; anything else done to it (or inside it) is refused by us only.
        const expected = extension === undefined ? isSchemaValid : label === `${extension} deleted`;
        if (extension !== undefined && !isSchemaValid)
          disagreements.push(`${label}: AosEdge refuses an extension field`);
        if (isOurs !== expected)
          disagreements.push(`${label}: ours ${isOurs ? 'accepts' : 'refuses'}, expected otherwise`);
      }
      expect(all.length).toBeGreaterThan(5);
      expect(disagreements).toEqual([]);
    },
  );
});

interface Mutation {
  label: string;
  value: unknown;
}

function mutations(root: unknown): Mutation[] {
  const result: Mutation[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      node.forEach((element, index) => visit(element, [...path, index]));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [key, member] of Object.entries(node)) {
      const at = [...path, key];
      const label = `/${at.join('/')}`;
      result.push({ label: `${label} deleted`, value: replaceAt(root, at, undefined) });
      result.push({ label: `${label} null`, value: replaceAt(root, at, null) });
      result.push({ label: `${label} as ${describeOther(member)}`, value: replaceAt(root, at, otherType(member)) });
      visit(member, at);
    }
  };
  visit(root, []);
  return result;
}

function otherType(value: unknown): unknown {
  if (typeof value === 'string') return 12;
  if (typeof value === 'number') return Number.isInteger(value) ? 'text' : 1.5e300;
  if (typeof value === 'boolean') return 'true';
  if (Array.isArray(value)) return { 0: value[0] };
  return ['x'];
}

function describeOther(value: unknown): string {
  return JSON.stringify(otherType(value));
}

function replaceAt(root: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = wire(root) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

describe('AosEdge’s own examples', () => {
  const sample = samples.full;
  const dataOf = (type: string): Record<string, unknown> =>
    wire(sample.find((envelope) => messageTypeOf(envelope) === type)?.data) as Record<string, unknown>;
  const unitStatus = dataOf('unitStatus') as { nodes: Record<string, unknown>[] };
  const node = unitStatus.nodes[0] as Record<string, unknown> & { runtimes: Record<string, unknown>[] };
  const unitConfig = (dataOf('desiredStatus') as { unitConfig: { nodes: Record<string, unknown>[] } }).unitConfig;
  const nodeConfig = unitConfig.nodes[0] as Record<string, unknown> & { alertRules: Record<string, unknown> };
  const alertRules = nodeConfig.alertRules as Record<string, Record<string, unknown>> & {
    partitions: Record<string, unknown>[];
  };
  const overrideItem = (dataOf('overrideEnvVars') as { items: { variables: Record<string, unknown>[] }[] }).items[0];
  const blobInfo = (dataOf('blobUrls') as { items: Record<string, unknown>[] }).items[0];

  /** Each definition with examples: our schema for it and a valid value to put the examples into. */
  const definitions: Record<string, [z.ZodType, Record<string, unknown> | undefined]> = {
    AlertRulePercents: [alertRulePercentsSchema, alertRules.cpu],
    AlertRulePercentsOfDisk: [alertRulePercentsOfDiskSchema, alertRules.partitions[0]],
    AlertRulePoints: [alertRulePointsSchema, alertRules.download],
    AosArchInfo: [archInfoSchema, { architecture: 'amd64' }],
    AosCSR: [csrSchema, { type: 'online', csr: 'x' }],
    AosEnvVar: [envVarSchema, overrideItem?.variables[0]],
    AosIssuedCertificateV7: [issuedCertificateSchema, { type: 'online', chain: 'x' }],
    AosOsInfo: [osInfoSchema, { os: 'linux' }],
    AosRenewCertsNotificationV7: [renewCertificatesNotificationSchema, dataOf('renewCertificatesNotification')],
    AosRequestBlobUrlsV7: [requestBlobUrlsSchema, dataOf('requestBlobUrls')],
    AosResourceInfo: [resourceInfoSchema, { name: 'x', sharedCount: 0 }],
    AosRuntimeInfo: [runtimeInfoSchema, node.runtimes[0]],
    AosUnitNodeInfo: [unitNodeInfoSchema, node],
    AosUnitStatusV7: [unitStatusSchema, unitStatus],
    AosUpdateItemBlobInfo: [blobInfoSchema, blobInfo],
    NodeConfig: [nodeConfigSchema, nodeConfig],
  };
  const examples = Object.entries(schema.$defs).flatMap(([definition, body]) =>
    Object.entries((body.properties ?? {}) as Record<string, { examples?: unknown[] }>).flatMap(([property, spec]) =>
      (spec.examples ?? []).map((example) => [definition, property, example] as const),
    ),
  );

  it('are all covered', () => {
    expect(new Set(examples.map(([definition]) => definition))).toEqual(new Set(Object.keys(definitions)));
    expect(examples.length).toBe(38);
  });

  it.each(
    examples.map(
      ([definition, property, example]) =>
        [`${definition}.${property}`, JSON.stringify(example), definition, property, example] as const,
    ),
  )(
    '%s = %s: accepted by our schema exactly when AosEdge’s schema accepts it',
    (_name, _text, definition, property, example) => {
      const [zodSchema, base] = definitions[definition] ?? [];
      if (zodSchema === undefined || base === undefined) throw new Error(`no sample for ${definition}`);
      const value = { ...base, [property]: example };
      const isSchemaValid = listDefinitionProblems(definition, value).length === 0;
      expect(zodSchema.safeParse(value).success).toBe(isSchemaValid);
    },
  );

  it('include three that AosEdge’s own schema refuses', () => {
    const refused = examples
      .filter(([definition, property, example]) => {
        const base = definitions[definition]?.[1];
        return listDefinitionProblems(definition, { ...base, [property]: example }).length > 0;
      })
      .map(([definition, property, example]) => `${definition}.${property}=${JSON.stringify(example)}`);
    expect(refused).toEqual([
      'AosRenewCertsNotificationV7.unitSecrets={"nodes":{"Node0":"mega strong secret","Node1":"super strong secret"},"version":1}',
      'AosRuntimeInfo.runtimeType=""',
      'AosUnitNodeInfo.attrs=["dynamic"]',
    ]);
  });
});
