import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { matrixCsv, toCsv } from '../../../renderer/src/shaping/csv.js';
import { groupLabel, groupSeries, runFilter, summarise } from '../../../renderer/src/shaping/grouping.js';
import { smoothEma } from '../../../renderer/src/shaping/smoothing.js';

describe('csv', () => {
  it('quotes fields with commas, quotes and newlines, and leaves non-finite numbers empty', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [1.5, Number.NaN], ['line\nbreak', null]])).toBe(
      'a,b\r\n"x,y","say ""hi"""\r\n1.5,\r\n"line\nbreak",\r\n',
    );
  });
  it('writes a labelled matrix in the display order', () => {
    expect(matrixCsv(['r0', 'r1'], [[1, 0.25], [0.5, 1]], [1, 0])).toBe(',r1,r0\r\nr1,1,0.5\r\nr0,0.25,1\r\n');
  });
});

describe('smoothEma', () => {
  it('is the debiased exponential moving average', () => {
    const ys = [1, 3, 2, 5, 4];
    const w = 0.6;
    let s = 0;
    const expected = ys.map((y, i) => {
      s = w * s + (1 - w) * y;
      return s / (1 - w ** (i + 1));
    });
    smoothEma(ys, w).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    expect(smoothEma(ys, 0)).toEqual(ys);
  });
});

describe('summarise', () => {
  it('gives mean ± population sd per step, interpolating inside each run and never extrapolating (numpy reference)', () => {
    const runs = [
      { name: 'a', points: [[0, 0.1], [10, 0.5], [20, 0.9]] as Array<[number, number]> },
      { name: 'b', points: [[0, 0.2], [20, 0.6]] as Array<[number, number]> },
      { name: 'c', points: [[10, 0.7], [30, 0.8]] as Array<[number, number]> },
    ];
    const script = `
import json, numpy as np
runs = ${JSON.stringify(runs.map((r) => r.points))}
xs = sorted({p[0] for r in runs for p in r})
out = []
for x in xs:
    vals = [float(np.interp(x, [p[0] for p in r], [p[1] for p in r])) for r in runs if r[0][0] <= x <= r[-1][0]]
    m, s = np.mean(vals), np.std(vals)
    out.append([x, m, m - s, m + s, len(vals)])
print(json.dumps(out))`;
    const expected: number[][] = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' }));
    const got = summarise('g', runs).rows;
    expect(got).toHaveLength(expected.length);
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 12)));
  });

  it('groups by a run.json key and filters names by regex (invalid pattern = substring)', () => {
    const meta: Record<string, Record<string, unknown>> = { a: { lr: 0.1 }, b: { lr: 0.01 }, c: {} };
    const groups = groupSeries(['a', 'b', 'c'].map((name) => ({ name, points: [] })), (n) => groupLabel(meta[n]!, 'lr'));
    expect([...groups.keys()]).toEqual(['0.1', '0.01', '(none)']);
    expect(['true_lr0.1', 'random_lr0.01'].filter(runFilter('^true_'))).toEqual(['true_lr0.1']);
    expect(['a(b', 'ab'].filter(runFilter('a('))).toEqual(['a(b']);
  });
});
