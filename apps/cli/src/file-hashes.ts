import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** SHA-256 and SHA3-512 (the hash package.sign uses) of a file, in one read. */
export async function hashFile(path: string): Promise<{ sha256: string; sha3_512: string; size: number }> {
  const sha256 = createHash('sha256');
  const sha3 = createHash('sha3-512');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    sha256.update(buffer);
    sha3.update(buffer);
    size += buffer.length;
  }
  return { sha256: sha256.digest('hex'), sha3_512: sha3.digest('hex'), size };
}
