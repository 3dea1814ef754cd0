/**
 * Logistic regression by iteratively reweighted least squares (Newton–Raphson) with an L2
 * penalty on the coefficients (never the intercept). Design matrix row-major, n × p.
 *
 * Written here rather than taken from npm: the maintained JS options fit by gradient descent
 * without a penalty (ml-logistic-regression 2.0.0 pulls in ml-matrix for it); IRLS on the ~10–30
 * WoE columns of a scorecard is a few dozen lines and converges in ~6 iterations.
 */

export interface LogisticFit {
  intercept: number;
  coefficients: Float64Array;
  iterations: number;
  converged: boolean;
}

export interface LogisticOptions {
  /** L2 penalty λ in −loglik + λ/2·‖β‖². */
  l2?: number;
  maxIterations?: number;
  tolerance?: number;
}

/** Solves A x = b for symmetric positive-definite A (k × k, row-major) by Cholesky; A is not modified. */
export const choleskySolve = (a: Float64Array, b: Float64Array, k: number): Float64Array => {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j] as number;
      for (let m = 0; m < j; m++) s -= (l[i * k + m] as number) * (l[j * k + m] as number);
      if (i === j) {
        if (s <= 0) throw new Error('choleskySolve: matrix is not positive definite');
        l[i * k + i] = Math.sqrt(s);
      } else l[i * k + j] = s / (l[j * k + j] as number);
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i] as number;
    for (let m = 0; m < i; m++) s -= (l[i * k + m] as number) * (z[m] as number);
    z[i] = s / (l[i * k + i] as number);
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i] as number;
    for (let m = i + 1; m < k; m++) s -= (l[m * k + i] as number) * (x[m] as number);
    x[i] = s / (l[i * k + i] as number);
  }
  return x;
};

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export const fitLogistic = (x: Float64Array, y: ArrayLike<number>, p: number, opts: LogisticOptions = {}): LogisticFit => {
  const n = y.length;
  if (x.length !== n * p) throw new Error(`fitLogistic: design has ${x.length} cells, expected ${n} × ${p}`);
  const l2 = opts.l2 ?? 1e-4;
  const maxIterations = opts.maxIterations ?? 50;
  const tolerance = opts.tolerance ?? 1e-8;
  const k = p + 1; // parameter 0 is the intercept
  const beta = new Float64Array(k);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i] as number;
  mean = Math.min(1 - 1e-9, Math.max(1e-9, mean / n));
  beta[0] = Math.log(mean / (1 - mean));
  const h = new Float64Array(k * k);
  const g = new Float64Array(k);
  const row = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    h.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      row[0] = 1;
      let eta = beta[0] as number;
      const off = i * p;
      for (let j = 0; j < p; j++) {
        const v = x[off + j] as number;
        row[j + 1] = v;
        eta += (beta[j + 1] as number) * v;
      }
      const mu = sigmoid(eta);
      const w = Math.max(mu * (1 - mu), 1e-12);
      const r = (y[i] as number) - mu;
      for (let a = 0; a < k; a++) {
        const ra = row[a] as number;
        g[a]! += ra * r;
        const wa = w * ra;
        for (let b = 0; b <= a; b++) h[a * k + b]! += wa * (row[b] as number);
      }
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) h[b * k + a] = h[a * k + b] as number;
    for (let a = 1; a < k; a++) {
      h[a * k + a]! += l2;
      g[a]! -= l2 * (beta[a] as number);
    }
    h[0]! += 1e-10;
    const step = choleskySolve(h, g, k);
    let maxStep = 0;
    for (let a = 0; a < k; a++) {
      beta[a]! += step[a] as number;
      maxStep = Math.max(maxStep, Math.abs(step[a] as number));
    }
    if (maxStep < tolerance) {
      converged = true;
      break;
    }
  }
  return { intercept: beta[0] as number, coefficients: beta.slice(1), iterations, converged };
};
