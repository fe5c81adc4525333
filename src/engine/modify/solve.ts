// Small dense linear solves for the colour fits: normal equations of 4 unknowns (Y, Cb, Cr, 1),
// a few right-hand sides. Gaussian elimination with partial pivoting, in float64.

/**
 * Solves A·X = B for X, A n×n and B n×m (row-major), both copied. A singular column leaves its
 * unknowns at 0 (the callers regularise, so this only guards against a degenerate input).
 */
export function solve(a: ArrayLike<number>, b: ArrayLike<number>, n: number, m: number): Float64Array {
  const A = Float64Array.from(a);
  const B = Float64Array.from(b);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r * n + col]!) > Math.abs(A[pivot * n + col]!)) pivot = r;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [A[col * n + k], A[pivot * n + k]] = [A[pivot * n + k]!, A[col * n + k]!];
      for (let k = 0; k < m; k++) [B[col * m + k], B[pivot * m + k]] = [B[pivot * m + k]!, B[col * m + k]!];
    }
    const d = A[col * n + col]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = A[r * n + col]! / d;
      if (f === 0) continue;
      for (let k = col; k < n; k++) A[r * n + k]! -= f * A[col * n + k]!;
      for (let k = 0; k < m; k++) B[r * m + k]! -= f * B[col * m + k]!;
    }
  }
  const X = new Float64Array(n * m);
  for (let r = 0; r < n; r++) {
    const d = A[r * n + r]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let k = 0; k < m; k++) X[r * m + k] = B[r * m + k]! / d;
  }
  return X;
}
