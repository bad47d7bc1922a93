/**
 * k-nearest-neighbour classification.
 */
import { checkInteger, checkMatrix, checkVectorLength, describe, ShapeError, type Matrix, type Vector } from './shapes.js';
import type { Offers } from '../registry.js';

/** A class label: a number (e.g. a 0-based class index) or a string (e.g. "cat"). */
export type Label = number | string;

/** Distance metric of `knnPredict`. */
export type KnnMetric = 'l1' | 'l2';

/**
 * k-nearest-neighbour prediction: the majority label among the k training examples closest to x,
 * with the L1 distance d₁ = Σ_p |x_p − x_ip| ('l1') or the L2 distance d₂ = √Σ_p (x_p − x_ip)²
 * ('l2'). Ties in distance go to the earlier training example; ties in the vote go to the label
 * whose nearest member is closest.
 * @param Xtr The training examples, an N×D matrix (one example per row).
 * @param ytr Their N labels: numbers (e.g. 0-based classes) or strings (e.g. "cat").
 * @param x The example to classify, a D-vector.
 * @param k The number of neighbours that vote: an integer in 1 … N.
 * @param metric The distance: "l1" (Manhattan) or "l2" (Euclidean).
 * @returns The predicted label, one of ytr.
 * @example knnPredict([[0, 0], [1, 1], [5, 5]], ["a", "a", "b"], [4, 4], 1, "l2") // "b"
 * @example knnPredict([[0, 0], [1, 1], [5, 5]], ["a", "a", "b"], [4, 4], 3, "l1") // "a"
 */
export function knnPredict<L extends Label>(Xtr: Matrix, ytr: L[], x: Vector, k: number, metric: KnnMetric): L {
  const F = 'knnPredict';
  checkMatrix(F, 'Xtr', Xtr);
  const n = Xtr.length;
  const d = Xtr[0].length;
  if (!Array.isArray(ytr)) throw new ShapeError(`${F}: ytr must be an array of labels, got ${describe(ytr)}`);
  if (ytr.length !== n) throw new ShapeError(`${F}: ytr has ${ytr.length} labels but Xtr has ${n} rows`);
  for (let i = 0; i < n; i++) {
    const y: unknown = ytr[i];
    if (typeof y === 'string') continue;
    if (typeof y !== 'number' || !Number.isFinite(y)) {
      throw new RangeError(`${F}: ytr[${i}] must be a finite number or a string, got ${describe(y)}`);
    }
  }
  checkVectorLength(F, 'x', x, d, `Xtr has ${d} columns`);
  checkInteger(F, 'k', k, 1);
  if (k > n) throw new RangeError(`${F}: k=${k} exceeds the ${n} training rows`);
  if (metric !== 'l1' && metric !== 'l2') throw new RangeError(`${F}: metric must be 'l1' or 'l2', got ${describe(metric)}`);
  const l1 = metric === 'l1';

  // Keep the k best as a sorted list by insertion: O(N·k) without sorting all N rows, and
  // because only strictly larger distances are shifted, equal distances keep index order.
  // Squared L2 ranks exactly like L2 and avoids the square root merging nearly equal values.
  const bestIdx = new Array<number>(k);
  const bestDist = new Array<number>(k);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const row = Xtr[i];
    let s = 0;
    if (l1) {
      for (let j = 0; j < d; j++) s += Math.abs(row[j] - x[j]);
    } else {
      for (let j = 0; j < d; j++) {
        const t = row[j] - x[j];
        s += t * t;
      }
    }
    if (count === k && s >= bestDist[k - 1]) continue;
    let p = count < k ? count++ : k - 1;
    while (p > 0 && bestDist[p - 1] > s) {
      bestDist[p] = bestDist[p - 1];
      bestIdx[p] = bestIdx[p - 1];
      p--;
    }
    bestDist[p] = s;
    bestIdx[p] = i;
  }

  const votes = new Map<L, number>();
  let top = 0;
  for (let p = 0; p < k; p++) {
    const label = ytr[bestIdx[p]];
    const c = (votes.get(label) ?? 0) + 1;
    votes.set(label, c);
    if (c > top) top = c;
  }
  // The first label in neighbour order to reach the top count is the one whose nearest
  // member is closest, which is the vote tie-break.
  for (let p = 0; p < k; p++) {
    const label = ytr[bestIdx[p]];
    if (votes.get(label) === top) return label;
  }
  /* c8 ignore next */
  throw new Error(`${F}: unreachable`);
}

/** What this module offers to template expressions (see ../registry.ts). */
export const offers = { knnPredict } satisfies Offers;
