/**
 * The target network's utilities per replay episode, kept between updates
 * while the target weights stay the same.
 *
 * Why: the target agent network runs forward over every episode of every
 * batch (about a quarter of a host update), yet its output for an episode
 * depends only on that episode's inputs and the target weights, which change
 * only when the target is copied (every `targetUpdateInterval` episodes, 200
 * in pymarl) or soft-updated. Episodes are sampled many times in that time:
 * early in a run each one in nearly every batch, later still often (pymarl's
 * 200 updates of 32 samples over a full 5,000-episode buffer reuse about 44%).
 * A reused entry is bit for bit what the forward pass would give: a row's
 * utilities do not depend on the other rows of the batch (the kernel's
 * products sum each output in the same order whatever the row count).
 *
 * Entries are keyed by the replay's episode serials (`EpisodeBatch.episodeIds`)
 * and dropped together when the target weights are not the very tensors
 * they were computed with (any assign gives a variable new data). Imports no
 * tfjs: the caller passes the weights' identities.
 */

/** Default memory for entries: 32 MiB (pymarl's 5,000 Carrot Heist episodes need 30). */
export const TARGET_CACHE_BYTES = 32 * 2 ** 20;

/**
 * Per-episode target utilities `[L + 1, nAgents, nActions]` (steps 0..L of
 * an episode of L transitions), valid for one set of target weights.
 * @example
 * ```ts
 * const cache = new TargetQCache();
 * cache.sync(targetVariables.map((v) => v.dataId));
 * const q = cache.get(batch.episodeIds[0]) ?? compute();
 * ```
 */
export class TargetQCache {
  private entries = new Map<number, Float32Array>();
  private weights: readonly object[] = [];
  private bytesHeld = 0;
  private hitCount = 0;
  private missCount = 0;

  /** @param maxBytes memory for entries; the oldest go first beyond it (0 turns the cache off). */
  constructor(readonly maxBytes = TARGET_CACHE_BYTES) {
    if (!(Number.isFinite(maxBytes) && maxBytes >= 0)) throw new RangeError(`target cache bytes must be a finite number >= 0, got ${maxBytes}`);
  }

  /** Drops every entry unless `weights` are the same objects, in the same order, as at the last sync. */
  sync(weights: readonly object[]): void {
    const same = weights.length === this.weights.length && weights.every((w, i) => w === this.weights[i]);
    if (!same) {
      this.clear();
      this.weights = [...weights];
    }
  }

  /** The entry for episode `id` (counted as a hit), or undefined (a miss; NaN ids always miss). */
  get(id: number): Float32Array | undefined {
    const q = this.maxBytes > 0 ? this.entries.get(id) : undefined;
    if (q === undefined) this.missCount++;
    else this.hitCount++;
    return q;
  }

  /** Keeps `q` for episode `id` (not for NaN ids, nor beyond `maxBytes`: the oldest entries make room). */
  set(id: number, q: Float32Array): void {
    if (Number.isNaN(id) || q.byteLength > this.maxBytes) return;
    const old = this.entries.get(id);
    if (old) this.bytesHeld -= old.byteLength;
    this.entries.delete(id);
    this.entries.set(id, q);
    this.bytesHeld += q.byteLength;
    // Map order is insertion order: the first key is the oldest entry (and, replay being FIFO, the likeliest to be gone from it).
    for (const [k, v] of this.entries) {
      if (this.bytesHeld <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytesHeld -= v.byteLength;
    }
  }

  /** Drops every entry (the counts stay). */
  clear(): void {
    this.entries.clear();
    this.bytesHeld = 0;
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** Memory the entries hold, in bytes. */
  get bytes(): number {
    return this.bytesHeld;
  }

  /** Episodes whose target utilities were reused, and computed, since construction. */
  get counts(): { readonly hits: number; readonly misses: number } {
    return { hits: this.hitCount, misses: this.missCount };
  }
}
