/**
 * Exponential moving average with debiasing (the smoothing TensorBoard applies): s_t = w·s_{t-1} + (1-w)·y_t,
 * divided by (1 - w^t) so the first points are not pulled towards zero. weight 0 returns the input.
 */
export function smoothEma(ys: readonly number[], weight: number): number[] {
  if (!(weight > 0)) return ys.slice();
  const w = Math.min(weight, 0.999);
  const out: number[] = new Array<number>(ys.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i]!;
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * w + (1 - w) * y;
    count++;
    out[i] = last / (1 - Math.pow(w, count));
  }
  return out;
}
