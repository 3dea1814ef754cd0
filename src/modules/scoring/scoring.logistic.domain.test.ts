import { describe, expect, it } from 'vitest';
import { choleskySolve, fitLogistic, sigmoid } from './scoring.logistic.domain.ts';
import { normal, seededRng } from './scoring.rng.domain.ts';

describe('logistic regression (IRLS)', () => {
  it('solves a small SPD system', () => {
    const a = Float64Array.from([4, 2, 2, 3]);
    const x = choleskySolve(a, Float64Array.from([2, 1]), 2);
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });

  it('recovers known coefficients on generated data', () => {
    const r = seededRng(11);
    const n = 20_000;
    const truth = { b0: -1, beta: [0.8, -0.5, 1.2] };
    const x = new Float64Array(n * 3);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let eta = truth.b0;
      for (let j = 0; j < 3; j++) {
        const v = normal(r);
        x[i * 3 + j] = v;
        eta += truth.beta[j]! * v;
      }
      y[i] = r() < sigmoid(eta) ? 1 : 0;
    }
    const fit = fitLogistic(x, y, 3, { l2: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(12);
    expect(fit.intercept).toBeCloseTo(truth.b0, 1);
    truth.beta.forEach((b, j) => expect(Math.abs(fit.coefficients[j]! - b)).toBeLessThan(0.06));
    // The L2 penalty shrinks coefficients, never the intercept's role.
    const shrunk = fitLogistic(x, y, 3, { l2: 5000 });
    truth.beta.forEach((_, j) => expect(Math.abs(shrunk.coefficients[j]!)).toBeLessThan(Math.abs(fit.coefficients[j]!)));
  });
});
