import { createHash } from 'node:crypto';

/**
 * The `stateChecksum` of newState/updateState and the `checksum` of stateAcceptance, as OpenAos
 * computes it on both sides: hex SHA-256 of the state's UTF-8 bytes. (AosEdge's v6 CM used hex
 * SHA3-224; v7 documents "a checksum (digest) over the state content" and SHA-256 in unitStatus.)
 */
export function computeStateChecksum(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}
