import type { SignResult } from './commands/sign.js';
import { displayPath } from './display-path.js';
import { field, lines } from './format-lines.js';
import { formatBytes } from './format-size.js';

// Apart from format-output.ts (which needs config.yaml's problem formatting) because `aos go`'s
// output (format-cloud.ts) shows it too.
export function formatSign(result: SignResult): string {
  return lines(
    `Signed ${displayPath(result.path)} (${formatBytes(result.size)})`,
    field('service', `${result.serviceUid} version ${result.version}`),
    field('sha256', result.sha256),
    field('sha3-512', result.sha3_512),
    ...result.files.map((file) => field(file.name, `${formatBytes(file.size)} sha3-512 ${file.hash.slice(0, 32)}…`)),
    field('signed by', `${result.signer.subject} (${displayPath(result.credentialPath)})`),
    field('kid', result.signer.keyId),
  );
}
