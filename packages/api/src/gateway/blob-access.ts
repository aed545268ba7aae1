import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { schema } from '@openaos/db';
import type { CloudDependencies } from '../dependencies.js';

/** The largest index or manifest read to find the blobs below it. */
const MAX_JSON_BLOB_BYTES = 1024 * 1024;
/** Remembered answers, so a unit's many requests do not reread the same index and manifests. */
const MAX_CACHED = 512;

/** Facts about a blob the gateway hands out: its size and the SHA3-256 AosCore checks (base64). */
export interface BlobFacts {
  size: number;
  sha3_256: string;
}

/**
 * Which blobs a unit may download: those reachable from the items of its current desired status
 * (index → manifests → config, aosService, layers). Cached per desired-status digest; blobs are
 * immutable, so their facts are cached by digest.
 */
export class BlobAccess {
  private readonly reachable = new Map<string, Promise<Set<string>>>();
  private readonly facts = new Map<string, Promise<BlobFacts | undefined>>();

  constructor(private readonly deps: Pick<CloudDependencies, 'db' | 'blobs'>) {}

  /** The digests the unit may fetch now (empty when it has no desired status). */
  async allowedDigests(unitId: string): Promise<Set<string>> {
    const [row] = await this.deps.db
      .select({ digest: schema.unitDesiredStatuses.digest, document: schema.unitDesiredStatuses.document })
      .from(schema.unitDesiredStatuses)
      .where(eq(schema.unitDesiredStatuses.unitId, unitId));
    if (!row) return new Set();
    return remember(this.reachable, row.digest, () => this.walk(indexDigestsOf(row.document)));
  }

  /** Size and SHA3-256 of a stored blob, or undefined when the store does not have it. */
  factsOf(digest: string): Promise<BlobFacts | undefined> {
    return remember(this.facts, digest, async () => {
      const size = await this.deps.blobs.sizeOf(digest);
      if (size === undefined) {
        queueMicrotask(() => this.facts.delete(digest));
        return undefined;
      }
      const hash = createHash('sha3-256');
      for await (const chunk of this.deps.blobs.get(digest)) hash.update(chunk as Buffer);
      return { size, sha3_256: hash.digest('base64') };
    });
  }

  private async walk(indexDigests: string[]): Promise<Set<string>> {
    const allowed = new Set<string>();
    for (const indexDigest of indexDigests) {
      const index = await this.readJson(indexDigest);
      if (!index) continue;
      allowed.add(indexDigest);
      for (const manifestDigest of descriptorDigests(index.manifests)) {
        const manifest = await this.readJson(manifestDigest);
        if (!manifest) continue;
        allowed.add(manifestDigest);
        for (const digest of [
          ...descriptorDigests([manifest.config, manifest.aosService]),
          ...descriptorDigests(manifest.layers),
        ])
          allowed.add(digest);
      }
    }
    return allowed;
  }

  private async readJson(digest: string): Promise<Record<string, unknown> | undefined> {
    const size = await this.deps.blobs.sizeOf(digest);
    if (size === undefined || size > MAX_JSON_BLOB_BYTES) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of this.deps.blobs.get(digest)) chunks.push(chunk as Buffer);
    try {
      const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
}

function indexDigestsOf(document: Record<string, unknown>): string[] {
  const items = Array.isArray(document.items) ? (document.items as unknown[]) : [];
  return items.flatMap((item) => {
    const digest = (item as { indexDigest?: unknown }).indexDigest;
    return typeof digest === 'string' ? [digest] : [];
  });
}

function descriptorDigests(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [];
  return list.flatMap((entry) => {
    const digest = (entry as { digest?: unknown } | null)?.digest;
    return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest) ? [digest] : [];
  });
}

/** A bounded memo: a failed computation is forgotten so the next call tries again. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  const cached = cache.get(key);
  if (cached) return cached;
  const promise = compute();
  cache.set(key, promise);
  promise.catch(() => cache.delete(key));
  if (cache.size > MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return promise;
}
