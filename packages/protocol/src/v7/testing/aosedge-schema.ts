import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** AosEdge's JSON schema of every v7 message, copied unchanged into the package (see its SOURCE.txt). */
export const AOSEDGE_V7_SCHEMA_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../schemas/aosedge/aos-unit-messages-v7.schema.json',
);
const SCHEMA_ID = 'https://openaos.invalid/aosedge/aos-unit-messages-v7.schema.json';

/** The schema as JSON. */
export function readAosEdgeSchema(): Record<string, unknown> & { $defs: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(AOSEDGE_V7_SCHEMA_PATH, 'utf8')) as ReturnType<typeof readAosEdgeSchema>;
}

let ajv: Ajv2020 | undefined;

/**
 * Ajv (draft 2020-12, strict) with the schema loaded. Two formats the schema uses are not in
 * ajv-formats and are added as pydantic defines them: `uuid4` (a version-4 UUID) and `base64`.
 * `discriminator` is declared as an annotation: Ajv's own discriminator refuses `mapping`, and the
 * `oneOf` under it already decides alone (each branch has a distinct `messageType`/`tag` const).
 * `decription` is a typo in the schema (AosAlertDownloadProgressV7.digest), also an annotation.
 */
function loadAjv(): Ajv2020 {
  if (ajv) return ajv;
  const instance = new Ajv2020({ allErrors: true, strictTypes: false });
  const addFormats = addFormatsModule as unknown as (target: Ajv2020) => Ajv2020;
  addFormats(instance);
  instance.addFormat('uuid4', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
  instance.addFormat('base64', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
  instance.addVocabulary(['discriminator', 'decription']);
  instance.addSchema({ ...readAosEdgeSchema(), $id: SCHEMA_ID });
  ajv = instance;
  return instance;
}

function validator(pointer: string): ValidateFunction {
  const validate = loadAjv().getSchema(`${SCHEMA_ID}${pointer}`);
  if (validate === undefined) throw new Error(`no schema at ${pointer}`);
  return validate;
}

function describe(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}

/**
 * Problems of a whole message `{header, data}` against AosEdge's schema (empty when valid). When
 * it fails, the problems are those of the one definition its `messageType` maps to (the whole
 * schema's `oneOf` would list every other message type's complaints too).
 */
export function listAosEdgeProblems(message: unknown): string[] {
  const whole = validator('');
  if (whole(message)) return [];
  const schema = readAosEdgeSchema();
  const data = (message as { data?: { messageType?: unknown } } | undefined)?.data;
  const mapping = (
    (schema.properties as Record<string, Record<string, unknown>>).data?.discriminator as {
      mapping: Record<string, string>;
    }
  ).mapping;
  const target = typeof data?.messageType === 'string' ? mapping[data.messageType] : undefined;
  const problems = describe(whole).filter((problem) => !problem.includes('must be equal to constant'));
  if (target === undefined) return problems.length > 0 ? problems : ['/ matches no message type'];
  const definition = validator(target);
  definition(data);
  const header = validator('#/$defs/AosUnitHeaderV7');
  header((message as { header?: unknown }).header);
  const specific = [
    ...describe(header).map((line) => `/header${line}`),
    ...describe(definition).map((line) => `/data${line}`),
  ];
  return specific.length > 0 ? specific : problems;
}

/** Problems of `value` against one definition, e.g. `AosUnitNodeInfo` (empty when valid). */
export function listDefinitionProblems(definition: string, value: unknown): string[] {
  const validate = validator(`#/$defs/${definition}`);
  return validate(value) ? [] : describe(validate);
}
