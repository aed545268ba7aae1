import { createHash } from 'node:crypto';
import type { Credential } from '@openaos/pki';
import type { MessageInput, MessageType } from '../catalog.js';
import { signDesiredStatus } from '../desired-status-signature.js';
import { createAck, createEnvelope, createErrorReply, createNack } from '../envelope.js';
import type { Envelope } from '../header.js';
import { createPlainBlobInfo } from '../plain-blob.js';
import { ProtocolError } from '../../errors.js';

/** Identities and values the samples share. */
export const SAMPLE = {
  systemId: 'unit-test-1',
  serviceId: '9931560c-be75-4f60-9abf-08297d905332',
  subjectId: '5b7d1f8e-2a45-4c1b-9f0e-3d2c1b0a9e8f',
  ownerId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  node: { codename: 'main', type: 'node' as const, title: 'Main node' },
  runtime: { codename: 'runc', type: 'runtime' as const },
  digest: `sha256:${'3c3a4604a545cdc127456d94e421cd355bca5b528f4a9c1905b15da2eb4a4c6b'}`,
  timestamp: '2026-12-01T10:00:00.000Z',
  csr: '-----BEGIN CERTIFICATE REQUEST-----\nMIIB…\n-----END CERTIFICATE REQUEST-----\n',
  chain: '-----BEGIN CERTIFICATE-----\nMIIC…\n-----END CERTIFICATE-----\n',
};

const item = { id: SAMPLE.serviceId, type: 'service' as const, codename: 'hello', title: 'Hello' };
const subject = { id: SAMPLE.subjectId, type: 'subject' as const };
const errorInfo = { aosCode: 1, exitCode: 137, message: 'killed: out of memory' };
const sample = {
  timestamp: SAMPLE.timestamp,
  ram: 52_428_800,
  cpu: 1_200,
  download: 1_024,
  upload: 512,
  partitions: [{ name: 'storage', usedSize: 4_096 }],
};
const osInfo = { os: 'linux', version: '6.1.0', features: ['cgroup-v1'] };
const archInfo = { architecture: 'amd64', variant: null };

type Sendable = { [T in MessageType]: MessageInput<T> & { messageType: T } }[MessageType];

/**
 * The data of one sample of every message type other than ack/nack, with every field the schema
 * defines filled in ("full") or only the required ones ("minimal").
 */
export function buildSampleData(credential: Credential, shape: 'full' | 'minimal'): Sendable[] {
  const full = shape === 'full';
  const desired = signDesiredStatus(
    {
      messageType: 'desiredStatus',
      items: full
        ? [
            {
              item,
              version: '1.2.0',
              owner: { id: SAMPLE.ownerId, type: 'sp' },
              indexDigest: SAMPLE.digest,
              isRollback: true,
            },
          ]
        : [],
      ...(full && {
        nodes: [{ item: SAMPLE.node, state: 'provisioned' }],
        unitConfig: {
          version: '1.0.0',
          formatVersion: '7',
          nodes: [
            {
              nodeGroupSubject: { codename: 'main-node' },
              node: SAMPLE.node,
              alertRules: {
                cpu: { minThreshold: 10, maxThreshold: 90, minTimeout: 0.5 },
                ram: { minThreshold: 10, maxThreshold: 90, minTimeout: 100 },
                partitions: [{ name: 'storage', minThreshold: 10, maxThreshold: 95, minTimeout: 5 }],
                download: { minThreshold: 0, maxThreshold: 1_000_000, minTimeout: 5 },
                upload: { minThreshold: 0, maxThreshold: 1_000_000, minTimeout: 5 },
              },
              resourceRatios: { cpu: 50, ram: 50, storage: 50, state: 10 },
              labels: ['main'],
              priority: 1,
            },
          ],
        },
        instances: [{ item, subject, priority: 10, numInstances: 2, labels: ['main'] }],
        subjects: [{ identity: subject, type: 'group' }],
        certificates: [{ certificate: credential.certificate.raw.toString('base64'), fingerprint: 'AB:CD' }],
        certificateChains: [{ name: 'cloud', fingerprints: ['AB:CD'] }],
      }),
    },
    { systemId: SAMPLE.systemId, generation: 7, credential },
  );
  const sha3 = createHash('sha3-256').update('blob').digest();
  return [
    desired,
    {
      messageType: 'blobUrls',
      correlationId: 'c-1',
      items: [
        createPlainBlobInfo({ digest: SAMPLE.digest, size: 4, urls: ['https://cloud.test/blobs/x'], sha3_256: sha3 }),
      ],
    },
    {
      messageType: 'requestLog',
      logType: 'instanceLog',
      filter: full
        ? {
            from: SAMPLE.timestamp,
            till: '2026-12-01T11:00:00+01:00',
            nodeIds: [SAMPLE.node],
            item,
            subject,
            instance: 0,
          }
        : {},
      ...(full && {
        correlationId: 'log-1',
        uploadOptions: {
          type: 'https',
          url: 'https://cloud.test/logs',
          bearerToken: 't',
          bearerTokenTtl: SAMPLE.timestamp,
        },
      }),
    },
    {
      messageType: 'stateAcceptance',
      item,
      subject,
      instance: 0,
      checksum: 'abc',
      result: 'rejected',
      reason: full ? 'too large' : '',
    },
    {
      messageType: 'updateState',
      instance: 0,
      stateChecksum: 'abc',
      state: full ? 'state content' : '',
      ...(full && { item, subject }),
    },
    {
      messageType: 'overrideEnvVars',
      items: [
        full
          ? { item, subject, instance: 1, variables: [{ name: 'LEVEL', value: 'debug', ttl: SAMPLE.timestamp }] }
          : { variables: [{ name: 'LEVEL', value: '' }] },
      ],
    },
    {
      messageType: 'renewCertificatesNotification',
      certificates: [
        full
          ? { type: 'online', node: SAMPLE.node, serial: '0A1B', validTill: SAMPLE.timestamp }
          : { type: 'online', node: SAMPLE.node },
      ],
      unitSecrets: full ? { version: 7, nodes: { node: SAMPLE.node, secret: 's3cret' } } : { version: 7 },
    },
    {
      messageType: 'issuedUnitCertificates',
      certificates: [{ type: 'online', node: SAMPLE.node, certificateChain: SAMPLE.chain }],
    },
    { messageType: 'startProvisioningRequest', node: SAMPLE.node, password: 'pw' },
    {
      messageType: 'finishProvisioningRequest',
      node: SAMPLE.node,
      certificates: [{ type: 'online', chain: SAMPLE.chain }],
      password: 'pw',
    },
    { messageType: 'deprovisioningRequest', node: SAMPLE.node, password: 'pw' },
    {
      messageType: 'unitStatus',
      ...(full && {
        isDeltaInfo: false,
        unitConfig: [{ version: '1.0.0', state: 'installed', errorInfo: {} }],
        nodes: [
          {
            identity: SAMPLE.node,
            nodeGroupSubject: { codename: 'main-node' },
            maxDmips: 10_000,
            physicalRam: 8_000_000_000,
            totalRam: 10_000_000_000,
            osInfo,
            cpus: [{ modelName: 'Test CPU', totalNumCores: 2, totalNumThreads: 4, archInfo, maxDmips: 10_000 }],
            attrs: { static: '', name1: 'value1' },
            partitions: [{ name: 'storage', types: ['storage', 'state'], totalSize: 1_000_000_000 }],
            runtimes: [
              {
                identity: SAMPLE.runtime,
                runtimeType: 'runc',
                archInfo: { architecture: 'amd64', variant: 'v2' },
                osInfo,
                maxDmips: 10_000,
                allowedDmips: 8_000,
                totalRam: 8_000_000_000,
                allowedRam: 6_000_000_000,
                maxInstances: 0,
              },
            ],
            resources: [{ name: 'camera0', sharedCount: 1 }],
            isConnected: true,
            state: 'provisioned',
            errorInfo: {},
          },
        ],
        items: [{ item, version: '1.2.0', state: 'failed', errorInfo }],
        instances: [
          {
            item,
            subject,
            version: '1.2.0',
            instances: [
              {
                node: SAMPLE.node,
                runtime: SAMPLE.runtime,
                instance: 0,
                stateChecksum: 'q83vEjRWeJA=',
                state: 'failed',
                errorInfo,
              },
            ],
          },
        ],
        subjects: [subject],
      }),
    },
    {
      messageType: 'monitoringData',
      nodes: [
        full
          ? {
              node: SAMPLE.node,
              nodeStates: [{ timestamp: SAMPLE.timestamp, connected: true, state: 'provisioned' }],
              items: [sample],
            }
          : { node: SAMPLE.node, items: [{ timestamp: SAMPLE.timestamp, ram: 0, cpu: 0 }] },
      ],
      ...(full && {
        instances: [
          {
            item,
            subject,
            instance: 0,
            node: SAMPLE.node,
            itemStates: [{ timestamp: SAMPLE.timestamp, state: 'active' }],
            items: [sample],
          },
        ],
      }),
    },
    {
      messageType: 'alerts',
      items: full
        ? [
            {
              timestamp: SAMPLE.timestamp,
              tag: 'coreAlert',
              node: SAMPLE.node,
              coreComponent: 'agent',
              message: 'restarted',
            },
            {
              timestamp: SAMPLE.timestamp,
              tag: 'deviceAllocateAlert',
              item,
              subject,
              instance: 0,
              node: SAMPLE.node,
              deviceId: 'camera0',
              message: 'busy',
            },
            {
              timestamp: SAMPLE.timestamp,
              tag: 'downloadProgressAlert',
              digest: SAMPLE.digest,
              url: 'https://cloud.test/blobs/x',
              downloadedBytes: 10,
              totalBytes: 20,
              state: 'interrupted',
              reason: 'connection reset',
              errorInfo,
            },
            {
              timestamp: SAMPLE.timestamp,
              tag: 'instanceQuotaAlert',
              item,
              subject,
              instance: 0,
              parameter: 'ram',
              value: 1_000,
            },
            {
              timestamp: SAMPLE.timestamp,
              tag: 'updateItemInstanceAlert',
              item,
              subjectId: subject,
              instance: 0,
              version: '1.2.0',
              message: 'rolled back',
            },
            { timestamp: SAMPLE.timestamp, tag: 'systemAlert', node: SAMPLE.node, message: 'disk error' },
            { timestamp: SAMPLE.timestamp, tag: 'systemQuotaAlert', node: SAMPLE.node, parameter: 'cpu', value: 95 },
          ]
        : [],
    },
    { messageType: 'requestBlobUrls', digests: [SAMPLE.digest], ...(full && { correlationId: 'c-1' }) },
    {
      messageType: 'newState',
      instance: 0,
      stateChecksum: 'abc',
      state: full ? 'state content' : '',
      ...(full && { item, subject }),
    },
    { messageType: 'stateRequest', item, subject, instance: 0, default: full },
    {
      messageType: 'pushLog',
      node: SAMPLE.node,
      status: full ? 'ok' : 'absent',
      ...(full && {
        correlationId: 'log-1',
        part: 1,
        partsCount: 1,
        content: Buffer.from('log line\n').toString('base64'),
        errorInfo: {},
      }),
    },
    {
      messageType: 'overrideEnvVarsStatus',
      statuses: [
        full
          ? { item, subjectId: subject, instance: 1, name: 'LEVEL', errorInfo }
          : { item, subjectId: subject, instance: 1, name: 'LEVEL' },
      ],
    },
    { messageType: 'issueUnitCertificates', requests: [{ type: 'online', node: SAMPLE.node, csr: SAMPLE.csr }] },
    {
      messageType: 'installUnitCertificatesConfirmation',
      certificates: [
        full
          ? { type: 'online', node: SAMPLE.node, serial: '0A1B', errorInfo }
          : { type: 'online', node: SAMPLE.node, serial: '0A1B' },
      ],
    },
    {
      messageType: 'startProvisioningResponse',
      node: SAMPLE.node,
      csrs: [{ type: 'online', csr: SAMPLE.csr }],
      ...(full && { errorInfo: {} }),
    },
    { messageType: 'finishProvisioningResponse', node: SAMPLE.node, ...(full && { errorInfo }) },
    { messageType: 'deprovisioningResponse', node: SAMPLE.node, ...(full && { errorInfo }) },
  ];
}

/**
 * One envelope of every v7 message type, built the way the channel builds them: createEnvelope
 * for the data above, createAck/createNack/createErrorReply for the replies.
 */
export function buildSampleEnvelopes(credential: Credential, shape: 'full' | 'minimal'): Envelope[] {
  const options = { systemId: SAMPLE.systemId };
  const refusal = new ProtocolError('invalid-message', 'parsing unitStatus: data.items.0.state: invalid option');
  return [
    ...buildSampleData(credential, shape).map((data) => createEnvelope(data, options)),
    createAck('txn-1', options),
    shape === 'full' ? createErrorReply(refusal, { ...options, txn: 'txn-2' }) : createNack('txn-2', options),
  ];
}
