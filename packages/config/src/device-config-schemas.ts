import { z } from 'zod';
import { isIsoDuration } from './parse-duration.js';

/**
 * Durations on the device side: ISO 8601 strings, or what the Go device also reads —
 * a number of seconds or a Go duration ("1m30s") — converted to ISO 8601.
 */
const GO_DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const GO_UNIT_MILLISECONDS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const Duration = z.union([z.string(), z.number().nonnegative()]).transform((value, context) => {
  if (typeof value === 'number') return `PT${value}S`;
  if (isIsoDuration(value)) return value;
  if (GO_DURATION_PATTERN.test(value)) {
    let milliseconds = 0;
    for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
      // The pattern's unit group always matches one of the table's keys.
      milliseconds += Number(amount) * (GO_UNIT_MILLISECONDS[unit ?? ''] ?? 0);
    }
    return `PT${milliseconds / 1000}S`;
  }
  context.addIssue({ code: 'custom', message: `"${value}" is not an ISO 8601 duration such as PT10S` });
  return z.NEVER;
});

const Count = z.number().int().nonnegative();
const Threshold = z.number().nonnegative();

const AlertRuleSchema = z.object({ minTimeout: Duration, minThreshold: Threshold, maxThreshold: Threshold });
const PartitionAlertRuleSchema = AlertRuleSchema.extend({ name: z.string() });

const QuotasSchema = z.object({
  cpuLimit: Count.optional(),
  cpuDmipsLimit: Count.optional(),
  ramLimit: Count.optional(),
  pidsLimit: Count.optional(),
  noFileLimit: Count.optional(),
  tmpLimit: Count.optional(),
  stateLimit: Count.optional(),
  storageLimit: Count.optional(),
  uploadSpeed: Count.optional(),
  downloadSpeed: Count.optional(),
  uploadLimit: Count.optional(),
  downloadLimit: Count.optional(),
});

const DeviceSchema = z.object({ name: z.string().min(1), permissions: z.string() });

/**
 * service_config.json as devices of both eras have written it: our output, the docs'
 * older form (`runner`, `sysctl` as a list of maps), Go's (`offlineTtl`, null pointers),
 * and era B's item config (`runtimes` objects, `resources` objects, `alertRules.storage`).
 * Unknown keys are dropped. Key case is normalised before this schema runs.
 */
export const ServiceConfigInputSchema = z.object({
  created: z.iso.datetime({ offset: true }),
  author: z.string().default(''),
  skipResourceLimits: z.boolean().default(false),
  hostname: z.string().min(1).optional(),
  balancingPolicy: z.enum(['enabled', 'disabled']).default('enabled'),
  runners: z.array(z.string().min(1)).optional(),
  runner: z.string().min(1).optional(),
  runtimes: z.array(z.union([z.string().min(1), z.object({ codename: z.string().min(1) })])).optional(),
  runParameters: z
    .object({ startInterval: Duration.optional(), startBurst: Count.optional(), restartInterval: Duration.optional() })
    .nullish(),
  sysctl: z.union([z.record(z.string(), z.string()), z.array(z.record(z.string(), z.string()))]).nullish(),
  offlineTTL: Duration.nullish(),
  quotas: QuotasSchema.nullish(),
  requestedResources: z
    .object({ cpu: Count.optional(), ram: Count.optional(), storage: Count.optional(), state: Count.optional() })
    .nullish(),
  allowedConnections: z.union([z.record(z.string(), z.object({})), z.array(z.string())]).nullish(),
  exposedPorts: z.array(z.string()).nullish(),
  devices: z.union([DeviceSchema, z.array(DeviceSchema)]).nullish(),
  resources: z.array(z.union([z.string(), z.object({ name: z.string().min(1) })])).nullish(),
  permissions: z.record(z.string(), z.record(z.string(), z.string())).nullish(),
  alertRules: z
    .object({
      ram: AlertRuleSchema.nullish(),
      cpu: AlertRuleSchema.nullish(),
      partitions: z.array(PartitionAlertRuleSchema).nullish(),
      storage: PartitionAlertRuleSchema.nullish(),
      download: AlertRuleSchema.nullish(),
      upload: AlertRuleSchema.nullish(),
    })
    .nullish(),
});

export type ServiceConfigInput = z.infer<typeof ServiceConfigInputSchema>;

const StringList = z.array(z.string()).nullish();

/** OCI image config; `config` keys are case-normalised first (aos_core_cpp writes "cmd"). */
export const ImageConfigInputSchema = z.object({
  created: z.string().optional(),
  author: z.string().optional(),
  architecture: z.string().min(1),
  os: z
    .string()
    .transform((os) => os.toLowerCase())
    .pipe(z.literal('linux')),
  config: z
    .object({
      Cmd: StringList,
      Entrypoint: StringList,
      Env: StringList,
      WorkingDir: z.string().optional(),
      ExposedPorts: z.record(z.string().regex(/^\d+(?:-\d+)?(?:\/(?:tcp|udp))?$/), z.object({})).nullish(),
    })
    .nullish(),
  rootfs: z.object({
    type: z.literal('layers'),
    diff_ids: z.array(z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex digits>')),
  }),
});

export type ImageConfigInput = z.infer<typeof ImageConfigInputSchema>;
