/**
 * Which circular shifts DFT-CCA augments with, and the frequency blocks that follow (docs/dft-cca.md).
 *
 * Same spatial size (h×w both): every one of the h·w shifts; after a 2-D DFT per channel the covariance of the
 * augmented dataset is block diagonal with one c×c block per frequency (u, v) (Theorem 1 of [Raghu2017-SVCCA]).
 *
 * Different sizes — the rule `common-shifts`: both maps are taken to cover the same field of view (as a stride-2
 * layer covers its input), so a shift is only applied when it moves BOTH maps by whole pixels. With
 * g_h = gcd(h_A, h_B) and g_w = gcd(w_A, w_B) those are the g_h·g_w shifts of the common lattice: (a·h_A/g_h,
 * b·w_A/g_w) pixels in A together with (a·h_B/g_h, b·w_B/g_w) in B. Averaging over that smaller group leaves
 * frequency u coupled to every u' ≡ u (mod g_h) (and likewise v): the blocks are the classes (u mod g_h, v mod g_w),
 * holding all of a layer's frequencies that alias onto that class. Equal sizes are the special case g = (h, w);
 * coprime sizes leave one class, i.e. plain CCA of the flattened layers without augmentation. The result is still
 * exactly plain CCA on an augmented dataset — the one augmented with the shifts both layers share.
 *
 * Conjugate symmetry: the maps are real, so class (−r, −s) carries the complex conjugate of class (r, s) and has the
 * same canonical correlations. Only one class of each conjugate pair is computed; `multiplicity` says how many
 * classes it stands for (1 for self-conjugate classes such as (0, 0) and Nyquist classes, else 2).
 */

export type SpatialRule = 'same-size' | 'common-shifts';

export interface FrequencyClass {
  /** The class (r, s) on the common lattice: r = u mod g_h, s = v mod g_w (numpy's fft index order). */
  readonly frequency: readonly [number, number];
  /** Its conjugate class (equal to `frequency` when self-conjugate). */
  readonly conjugate: readonly [number, number];
  readonly multiplicity: 1 | 2;
  /** The class of the zero frequency: the only one the augmented mean touches, so the only one centered. */
  readonly isZero: boolean;
  /** Flat frequency indices u·w + v of layer A that belong to the class, ascending. */
  readonly a: Int32Array;
  /** Same for layer B. */
  readonly b: Int32Array;
}

export interface ShiftLattice {
  readonly rule: SpatialRule;
  /** [g_h, g_w]: the number of shifts along each axis (h×w of the common lattice). */
  readonly lattice: readonly [number, number];
  /** One shift of the lattice in pixels of A and of B: [h/g_h, w/g_w]. */
  readonly stepA: readonly [number, number];
  readonly stepB: readonly [number, number];
  /** One class per conjugate pair, in flat order of `frequency`. */
  readonly classes: readonly FrequencyClass[];
}

export function greatestCommonDivisor(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y) [x, y] = [y, x % y];
  return x;
}

export function shiftLattice(sizeA: readonly [number, number], sizeB: readonly [number, number]): ShiftLattice {
  const [ha, wa] = sizeA;
  const [hb, wb] = sizeB;
  const gh = greatestCommonDivisor(ha, hb);
  const gw = greatestCommonDivisor(wa, wb);
  const rule: SpatialRule = ha === hb && wa === wb ? 'same-size' : 'common-shifts';
  const classes: FrequencyClass[] = [];
  for (let r = 0; r < gh; r++) {
    for (let s = 0; s < gw; s++) {
      const cr = (gh - r) % gh;
      const cs = (gw - s) % gw;
      const flat = r * gw + s;
      const conjFlat = cr * gw + cs;
      if (conjFlat < flat) continue; // its conjugate class stands for it
      classes.push({
        frequency: [r, s],
        conjugate: [cr, cs],
        multiplicity: conjFlat === flat ? 1 : 2,
        isZero: r === 0 && s === 0,
        a: classMembers(r, s, gh, gw, ha, wa),
        b: classMembers(r, s, gh, gw, hb, wb),
      });
    }
  }
  return { rule, lattice: [gh, gw], stepA: [ha / gh, wa / gw], stepB: [hb / gh, wb / gw], classes };
}

/** Flat indices u·w + v with u ≡ r (mod g_h), v ≡ s (mod g_w), of an h×w map. */
function classMembers(r: number, s: number, gh: number, gw: number, h: number, w: number): Int32Array {
  const out: number[] = [];
  for (let u = r; u < h; u += gh) for (let v = s; v < w; v += gw) out.push(u * w + v);
  return Int32Array.from(out);
}
