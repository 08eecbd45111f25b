/**
 * Running mean and variance over batches (Chan et al.'s parallel update, as
 * in EPyMARL's RunningMeanStd), used to standardise rewards.
 * @example
 * ```ts
 * const stats = new RunningMeanStd();
 * stats.update(batchRewards);
 * const z = (r - stats.mean) / Math.sqrt(stats.variance);
 * ```
 */
export class RunningMeanStd {
  /** Starts as EPyMARL does: mean 0, variance 1, a tiny pseudo-count. */
  constructor(
    public mean = 0,
    public variance = 1,
    public count = 1e-4,
  ) {}

  /**
   * Folds a batch of values in.
   * @example
   * ```ts
   * const s = new RunningMeanStd();
   * s.update([1, 2, 3]);
   * s.mean; // ~2
   * ```
   */
  update(values: ArrayLike<number>): void {
    const n = values.length;
    if (n === 0) return;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[i];
    const bMean = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (values[i] - bMean) ** 2;
    const bVar = sq / n;
    const delta = bMean - this.mean;
    const total = this.count + n;
    this.mean += (delta * n) / total;
    const m2 = this.variance * this.count + bVar * n + (delta * delta * this.count * n) / total;
    this.variance = m2 / total;
    this.count = total;
  }
}
