/**
 * The Universal Scalability Law (Gunther), fitted to a capacity check's steps (pure):
 *   X(N) = γN / (1 + α(N − 1) + βN(N − 1))
 * with N the concurrency (Little's law: throughput × mean response time) and X the throughput.
 * α is contention, β coherence (crosstalk), γ the throughput of one. Fitted by nonlinear least
 * squares (ml-levenberg-marquardt, analytical Jacobian) with the bounds and start values of R's
 * `usl` package: γ ≥ 0, 0 ≤ α, β ≤ 1; γ₀ = max X/N, α₀ = 0.01, β₀ = 1e-4.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';

export interface UslPoint {
  /** Mean requests in flight (throughput × mean latency in seconds). */
  concurrency: number;
  /** Completed requests per second. */
  throughput: number;
}

export interface UslParameters {
  alpha: number;
  beta: number;
  gamma: number;
}

export interface UslFit extends UslParameters {
  /** N* = √((1 − α)/β): the concurrency of the highest throughput (Infinity when β = 0). */
  peakConcurrency: number;
  /** X(N*), or the roof γ/α when there is no peak (β = 0), or Infinity when neither bounds it. */
  maxThroughput: number;
  /** Coefficient of determination of the throughput (1: the curve passes through every point). */
  rSquared: number;
  points: number;
  /** Why the fit should not be trusted (too few points, a poor fit), when it should not. */
  warning?: string;
}

/** The usl packages' floor: below it the three parameters are barely determined. */
export const MIN_USL_POINTS = 6;
/** Below this R² the curve does not describe the steps. */
export const POOR_FIT_R2 = 0.9;

export function uslThroughput(n: number, { alpha, beta, gamma }: UslParameters): number {
  return (gamma * n) / (1 + alpha * (n - 1) + beta * n * (n - 1));
}

export function peakOf(p: UslParameters): { peakConcurrency: number; maxThroughput: number } {
  if (p.beta > 0) {
    const peakConcurrency = Math.sqrt(Math.max(0, 1 - p.alpha) / p.beta);
    return { peakConcurrency, maxThroughput: uslThroughput(peakConcurrency, p) };
  }
  return {
    peakConcurrency: Number.POSITIVE_INFINITY,
    maxThroughput: p.alpha > 0 ? p.gamma / p.alpha : Infinity,
  };
}

/** Fits the USL; undefined with fewer than 3 usable points (three parameters). */
export function fitUsl(input: readonly UslPoint[]): UslFit | undefined {
  const points = input.filter(
    (p) =>
      Number.isFinite(p.concurrency) &&
      Number.isFinite(p.throughput) &&
      p.concurrency > 0 &&
      p.throughput > 0,
  );
  if (points.length < 3) return undefined;
  const x = points.map((p) => p.concurrency);
  const y = points.map((p) => p.throughput);
  const gamma0 = Math.max(...points.map((p) => p.throughput / p.concurrency));
  const model =
    ([gamma, alpha, beta]: number[]) =>
    (n: number) =>
      uslThroughput(n, { gamma: gamma as number, alpha: alpha as number, beta: beta as number });
  const jacobian =
    ([gamma, alpha, beta]: number[]) =>
    (n: number) => {
      const g = gamma as number;
      const d = 1 + (alpha as number) * (n - 1) + (beta as number) * n * (n - 1);
      return [n / d, (-g * n * (n - 1)) / (d * d), (-g * n * n * (n - 1)) / (d * d)];
    };
  const { parameterValues } = levenbergMarquardt({ x, y }, model, {
    initialValues: [gamma0, 0.01, 1e-4],
    minValues: [0, 0, 0],
    maxValues: [Number.MAX_VALUE, 1, 1],
    jacobianFunction: jacobian,
    maxIterations: 1000,
    errorTolerance: 1e-10,
  });
  const [gamma, alpha, beta] = parameterValues as [number, number, number];
  const parameters = { alpha, beta, gamma };
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const total = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  const residual = points.reduce(
    (a, p) => a + (p.throughput - uslThroughput(p.concurrency, parameters)) ** 2,
    0,
  );
  const rSquared = total > 0 ? 1 - residual / total : residual === 0 ? 1 : 0;
  const warnings: string[] = [];
  if (points.length < MIN_USL_POINTS)
    warnings.push(`only ${points.length} steps (the USL needs at least ${MIN_USL_POINTS} to be trusted)`);
  if (rSquared < POOR_FIT_R2)
    warnings.push(`a poor fit (R² ${rSquared.toFixed(2)} < ${POOR_FIT_R2}): the steps do not follow the USL`);
  return {
    ...parameters,
    ...peakOf(parameters),
    rSquared,
    points: points.length,
    ...(warnings.length ? { warning: warnings.join('; ') } : {}),
  };
}
