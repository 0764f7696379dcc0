/** Small statistics for benchmarks: medians and percentiles over repeated runs. */

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** Time `fn` over `rounds` rounds of `iterations` calls; returns µs per call for each round. */
export async function timeRounds(fn: () => unknown, rounds: number, iterations: number): Promise<number[]> {
  const perCall: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    perCall.push(Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  return perCall;
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
