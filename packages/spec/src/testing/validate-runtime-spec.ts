import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/**
 * The official OCI runtime-spec schema files (runtime-spec `schema/`, Apache-2.0), copied into
 * the repository beside this file; SOURCE.txt says from which commit.
 */
export const SCHEMA_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), 'oci-runtime-spec-schema');
const BASE_ID = 'https://openaos.invalid/oci-runtime-spec/';

let validate: ValidateFunction | undefined;

// The schema files declare draft-04 but use nothing draft-04-only (no boolean
// exclusiveMaximum, no `id` keyword), so they load in Ajv's default draft once `$schema` is
// dropped. Each file gets an `$id` named after itself, so `defs.json#/…` refs resolve.
function compileSchema(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = addFormatsModule as unknown as (instance: Ajv) => Ajv;
  addFormats(ajv);
  for (const file of readdirSync(SCHEMA_DIRECTORY).filter((name) => name.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIRECTORY, file), 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    ajv.addSchema({ ...schema, $id: BASE_ID + file });
  }
  const compiled = ajv.getSchema(BASE_ID + 'config-schema.json');
  if (compiled === undefined) throw new Error('config-schema.json was not loaded');
  return compiled;
}

/** Problems of `spec` against the OCI runtime-spec config schema (empty when valid). */
export function listSchemaProblems(spec: unknown): string[] {
  validate ??= compileSchema();
  if (validate(spec)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
}
