/**
 * From a received desired status to the agent's target. Invariants:
 * - One at a time, in arrival order; while one is being applied only the newest waiting one is
 *   kept (an older one would be refused as replayed anyway).
 * - Nothing is applied unless verified (judge-desired-status.ts), and nothing is half-applied:
 *   every item's blobs are downloaded and verified first; a failed download applies nothing,
 *   reports the item `failed` and is retried later (the same generation is not yet applied).
 * - `acceptTarget` persists the target before anything acts on it; only then is the generation
 *   recorded as applied (applied-store.ts), so a crash in between re-applies the same status.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import type { DesiredStatus as AgentTarget } from '../formats/desired-status.js';
import type { UnitStatus as AgentStatus } from '../formats/unit-status.js';
import type { DesiredStatus } from '@openaos/protocol/v7';
import { describeError } from '../errors.js';
import { readAppliedState, writeAppliedState, type AppliedState } from './applied-store.js';
import { downloadPaths } from './download-blob.js';
import { fetchItemImage, type ImageFetcher } from './fetch-item-image.js';
import { judgeDesiredStatus } from './judge-desired-status.js';
import { identityName, mapDesiredStatus, type ResolvedImage } from './map-desired-status.js';
import type { ItemOverlay } from './map-unit-status.js';

export interface ApplierOptions {
  systemId: string;
  trustedCa: X509Certificate[];
  /** The unit certificate's fingerprint: what was applied under another one is not a replay guard. */
  identityFingerprint: string;
  /** agent/cloud-applied.json. */
  appliedPath: string;
  /** The downloads directory (blob source of the mapped target). */
  downloadsDir: string;
  acceptTarget(target: AgentTarget): Promise<unknown>;
  /** The agent's last status: items it already has installed are not shown as downloading. */
  agentStatus(): AgentStatus | undefined;
  /** The link's items changed (downloading, failed): send a status. */
  onOverlay(overlay: ItemOverlay[]): void;
  /** A refused desired status: the link sends an alert. */
  onRefused(message: string): void;
  log(message: string): void;
}

export type ApplyOutcome = 'applied' | 'resent' | 'refused' | 'failed' | 'superseded';

export class DesiredStatusApplier {
  private state: AppliedState = { images: {} };
  private isLoaded = false;
  private running: Promise<unknown> = Promise.resolve();
  private waiting: { rawData: unknown; fetcher: ImageFetcher } | undefined;
  private overlay: ItemOverlay[] = [];
  /** Blobs in downloads/ per item version, deleted once the agent reports it installed. */
  private readonly downloaded = new Map<string, string[]>();

  constructor(private readonly options: ApplierOptions) {}

  get lastApplied(): AppliedState['applied'] {
    return this.state.applied;
  }

  get items(): ItemOverlay[] {
    return this.overlay;
  }

  /**
   * Apply `rawData` (the desired status as received) after the one in progress; resolves with
   * what became of it. Never rejects.
   */
  handle(rawData: unknown, fetcher: ImageFetcher): Promise<ApplyOutcome> {
    this.waiting = { rawData, fetcher };
    const turn = this.running.then(async (): Promise<ApplyOutcome> => {
      const next = this.waiting;
      if (next === undefined || next.rawData !== rawData) return 'superseded';
      this.waiting = undefined;
      try {
        return await this.apply(next.rawData, next.fetcher);
      } catch (error) {
        this.options.log(`cloud link: applying the desired status failed: ${describeError(error)}`);
        return 'failed';
      }
    });
    this.running = turn;
    return turn;
  }

  private async apply(rawData: unknown, fetcher: ImageFetcher): Promise<ApplyOutcome> {
    if (!this.isLoaded) {
      this.state = await readAppliedState(this.options.appliedPath, this.options.identityFingerprint);
      this.isLoaded = true;
    }
    const judgement = judgeDesiredStatus(rawData, {
      systemId: this.options.systemId,
      trustedCa: this.options.trustedCa,
      ...(this.state.applied ? { lastApplied: this.state.applied } : {}),
    });
    if (judgement.kind === 'refuse') {
      const message = `desired status refused (${judgement.code}): ${judgement.message}; nothing applied`;
      this.options.log(`cloud link: ${message}`);
      this.options.onRefused(message);
      return 'refused';
    }
    if (judgement.kind === 'resent') {
      this.options.log(`cloud link: desired status generation ${judgement.applied.generation} is already applied`);
      return 'resent';
    }
    const { desiredStatus, applied } = judgement;
    const images = await this.fetchImages(desiredStatus, fetcher);
    if (!images) return 'failed';
    const target = mapDesiredStatus(desiredStatus, images, this.options.downloadsDir);
    await this.options.acceptTarget(target);
    // The agent has the items now and reports them itself: no overlay while the state is written.
    this.setOverlay([]);
    this.state = { applied, identity: this.options.identityFingerprint, images: Object.fromEntries(images) };
    await writeAppliedState(this.options.appliedPath, this.state);
    await this.pruneDownloads(desiredStatus);
    this.options.log(
      `cloud link: applied desired status generation ${applied.generation} (${target.services?.length ?? 0} item(s), ${target.instances?.length ?? 0} instance entr(ies))`,
    );
    return 'applied';
  }

  /** Every item's image, downloaded and verified; undefined (items marked failed) when one failed. */
  private async fetchImages(
    desiredStatus: DesiredStatus,
    fetcher: ImageFetcher,
  ): Promise<Map<string, ResolvedImage> | undefined> {
    const installed = new Set(
      (this.options.agentStatus()?.services ?? [])
        .filter((service) => service.status === 'installed')
        .map((service) => `${service.id}@${service.version}`),
    );
    const pending = desiredStatus.items.filter((item) => !installed.has(`${identityName(item.item)}@${item.version}`));
    this.setOverlay(
      pending.map((item) => ({ id: identityName(item.item) ?? '', version: item.version, state: 'downloading' })),
    );
    const images = new Map<string, ResolvedImage>();
    const failures: ItemOverlay[] = [];
    for (const item of desiredStatus.items) {
      const id = identityName(item.item) ?? '';
      try {
        const fetched = await fetchItemImage(fetcher, item.indexDigest, this.state.images[item.indexDigest]);
        images.set(item.indexDigest, { manifestDigest: fetched.manifestDigest, size: fetched.size });
        this.downloaded.set(`${id}@${item.version}`, fetched.blobs);
      } catch (error) {
        this.options.log(`cloud link: ${id}@${item.version}: ${describeError(error)}`);
        failures.push({ id, version: item.version, state: 'failed', errorInfo: { message: describeError(error) } });
      }
    }
    if (failures.length === 0) return images;
    const failed = new Set(failures.map((item) => `${item.id}@${item.version}`));
    this.setOverlay([...failures, ...this.overlay.filter((item) => !failed.has(`${item.id}@${item.version}`))]);
    return undefined;
  }

  private setOverlay(overlay: ItemOverlay[]): void {
    this.overlay = overlay;
    this.options.onOverlay(overlay);
  }

  /**
   * Delete what downloads/ holds for no item of the applied status: blobs and partial files of
   * items that were replaced or never applied (a failed download), so they do not pile up.
   */
  private async pruneDownloads(desiredStatus: DesiredStatus): Promise<void> {
    const current = new Set(desiredStatus.items.map((item) => `${identityName(item.item)}@${item.version}`));
    for (const key of [...this.downloaded.keys()]) if (!current.has(key)) this.downloaded.delete(key);
    const keep = new Set([...this.downloaded.values()].flat().map((digest) => digest.replace(/^sha256:/, '')));
    for (const dir of [join(this.options.downloadsDir, 'blobs', 'sha256'), join(this.options.downloadsDir, 'partial')])
      for (const name of await readdir(dir).catch(() => [] as string[]))
        if (!keep.has(name)) await rm(join(dir, name), { force: true });
  }

  /** The agent reported a status: drop the downloaded copies of what it has installed (the blob store has them). */
  async releaseInstalled(status: AgentStatus): Promise<void> {
    const installed = status.services.filter((service) => service.status === 'installed');
    for (const service of installed) {
      const key = `${service.id}@${service.version}`;
      const blobs = this.downloaded.get(key);
      if (!blobs) continue;
      this.downloaded.delete(key);
      const stillNeeded = new Set([...this.downloaded.values()].flat());
      for (const digest of blobs)
        if (!stillNeeded.has(digest)) await rm(downloadPaths(this.options.downloadsDir, digest).blob, { force: true });
    }
  }
}
