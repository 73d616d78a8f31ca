package io.github.netatmotoken.benchmarks;

/** Nearest-rank percentiles of sorted samples, the definition that never reports a value nobody measured. */
final class Percentile {
    private Percentile() {
    }

    /** The sample at or below which {@code fraction} of the sorted {@code samples} lie. */
    static long of(long[] sorted, double fraction) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
