/**
 * A nearest-rank percentile of values sorted ascending: the smallest value such that at least
 * `p` percent of the values are at or below it (for p = 50 and an even count, the lower of the
 * two middle values). Always a value that occurred; null when there are none.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100));
  return sorted[rank - 1];
}

export interface DurationStatistics {
  /** Whole seconds (nearest-rank median); null when nothing was measured. */
  medianSeconds: number | null;
  /** Whole seconds (nearest-rank 90th percentile); null when nothing was measured. */
  p90Seconds: number | null;
}

/** Median and 90th percentile of durations given in milliseconds, in whole seconds. */
export function durationStatistics(durationsMs: readonly number[]): DurationStatistics {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));
  return { medianSeconds: seconds(percentile(sorted, 50)), p90Seconds: seconds(percentile(sorted, 90)) };
}
