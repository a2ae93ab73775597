//! Spherical k-means over comment embeddings (cosine similarity), with k
//! chosen by the silhouette.
//!
//! Deterministic on purpose: the same comments must give the same summary
//! (the host caches results, and a retry must not contradict the first
//! answer), so k-means++ draws its seeds from a fixed-seed generator rather
//! than from the OS.

/// Fewer comments than this are not clustered: groups of two or three
/// comments say nothing about "the reactions".
pub const MIN_POINTS: usize = 8;
/// The most groups ever formed; a summary names three at most.
pub const MAX_K: usize = 8;
/// Average comments per group at the least, which bounds k for small sets.
const MIN_PER_CLUSTER: usize = 4;
/// Points the silhouette is measured on, at most: the measure is
/// quadratic, and a sample ranks k just as well.
const SILHOUETTE_SAMPLE: usize = 400;
const MAX_ITERATIONS: usize = 50;
const SEED: u64 = 0x5EED_C0DE_2026_0002;

/// The grouping of a set of vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    pub k: usize,
    /// Each point's cluster.
    pub assignments: Vec<usize>,
    /// Unit centroids.
    pub centroids: Vec<Vec<f32>>,
    /// Mean silhouette of the chosen k (−1..1; higher is better separated).
    pub silhouette: f64,
}

/// `v` scaled to unit length (a zero vector stays zero).
pub fn normalized(v: &[f32]) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 { v.to_vec() } else { v.iter().map(|x| x / norm).collect() }
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// SplitMix64: a tiny generator with a fixed seed, so runs repeat.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn mean_direction(points: &[Vec<f32>], members: impl Iterator<Item = usize>, dimension: usize) -> Vec<f32> {
    let mut sum = vec![0f32; dimension];
    for i in members {
        for (s, x) in sum.iter_mut().zip(&points[i]) {
            *s += x;
        }
    }
    normalized(&sum)
}

/// k-means++ seeding, then Lloyd's iterations on unit vectors.
pub fn kmeans(points: &[Vec<f32>], k: usize) -> (Vec<usize>, Vec<Vec<f32>>) {
    let n = points.len();
    let dimension = points.first().map_or(0, Vec::len);
    let k = k.clamp(1, n.max(1));
    let mut rng = Rng(SEED);
    let mut centroids: Vec<Vec<f32>> = vec![points[(rng.next() % n as u64) as usize].clone()];
    // Distance to the nearest seed so far (cosine distance, 0..2).
    let mut nearest: Vec<f64> = points.iter().map(|p| 1.0 - dot(p, &centroids[0]) as f64).collect();
    while centroids.len() < k {
        let total: f64 = nearest.iter().map(|d| d * d).sum();
        let chosen = if total <= f64::EPSILON {
            // Every point sits on a seed: the rest are duplicates.
            (rng.next() % n as u64) as usize
        } else {
            let mut target = rng.unit() * total;
            let mut chosen = n - 1;
            for (i, d) in nearest.iter().enumerate() {
                target -= d * d;
                if target <= 0.0 {
                    chosen = i;
                    break;
                }
            }
            chosen
        };
        centroids.push(points[chosen].clone());
        for (d, p) in nearest.iter_mut().zip(points) {
            *d = d.min(1.0 - dot(p, &points[chosen]) as f64);
        }
    }
    let mut assignments = vec![usize::MAX; n];
    for _ in 0..MAX_ITERATIONS {
        let mut changed = false;
        for (i, p) in points.iter().enumerate() {
            let best = (0..k)
                .max_by(|&a, &b| dot(p, &centroids[a]).total_cmp(&dot(p, &centroids[b])).then(b.cmp(&a)))
                .unwrap_or(0);
            if assignments[i] != best {
                assignments[i] = best;
                changed = true;
            }
        }
        let mut sizes = vec![0usize; k];
        assignments.iter().for_each(|&c| sizes[c] += 1);
        for (c, centroid) in centroids.iter_mut().enumerate() {
            if sizes[c] > 0 {
                *centroid = mean_direction(points, (0..n).filter(|&i| assignments[i] == c), dimension);
            }
        }
        for c in 0..k {
            if sizes[c] > 0 {
                continue;
            }
            // An empty cluster takes the point its own cluster fits worst.
            let worst = (0..n).filter(|&i| sizes[assignments[i]] > 1).min_by(|&a, &b| {
                let fit = |i: usize| dot(&points[i], &centroids[assignments[i]]);
                fit(a).total_cmp(&fit(b)).then(a.cmp(&b))
            });
            if let Some(worst) = worst {
                sizes[assignments[worst]] -= 1;
                sizes[c] = 1;
                assignments[worst] = c;
                centroids[c] = points[worst].clone();
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (assignments, centroids)
}

/// Mean silhouette of an assignment, measured on a sample of the points.
pub fn silhouette(points: &[Vec<f32>], assignments: &[usize], k: usize) -> f64 {
    let n = points.len();
    // A fixed-seed random sample rather than a stride, which could fall in
    // step with some periodic order of the points.
    let mut sample: Vec<usize> = (0..n).collect();
    if n > SILHOUETTE_SAMPLE {
        let mut rng = Rng(SEED ^ 0x51_1E77E);
        for i in 0..SILHOUETTE_SAMPLE {
            let j = i + (rng.next() % (n - i) as u64) as usize;
            sample.swap(i, j);
        }
        sample.truncate(SILHOUETTE_SAMPLE);
    }
    let mut total = 0.0;
    for &i in &sample {
        let mut sums = vec![0.0f64; k];
        let mut counts = vec![0usize; k];
        for &j in &sample {
            if i != j {
                sums[assignments[j]] += 1.0 - dot(&points[i], &points[j]) as f64;
                counts[assignments[j]] += 1;
            }
        }
        let own = assignments[i];
        if counts[own] == 0 {
            continue; // a singleton scores 0 by definition
        }
        let a = sums[own] / counts[own] as f64;
        let b = (0..k)
            .filter(|&c| c != own && counts[c] > 0)
            .map(|c| sums[c] / counts[c] as f64)
            .fold(f64::INFINITY, f64::min);
        if b.is_finite() && a.max(b) > 0.0 {
            total += (b - a) / a.max(b);
        }
    }
    total / sample.len().max(1) as f64
}

/// Cluster `vectors` (any length; they are normalised here) with the k of
/// the best silhouette between 2 and [`MAX_K`]; `None` for fewer than
/// [`MIN_POINTS`] vectors or vectors of unequal dimension.
pub fn cluster(vectors: &[Vec<f32>]) -> Option<Clustering> {
    let n = vectors.len();
    let dimension = vectors.first().map_or(0, Vec::len);
    if n < MIN_POINTS || dimension == 0 || vectors.iter().any(|v| v.len() != dimension) {
        return None;
    }
    let points: Vec<Vec<f32>> = vectors.iter().map(|v| normalized(v)).collect();
    let max_k = MAX_K.min(n / MIN_PER_CLUSTER).max(2);
    let mut best: Option<Clustering> = None;
    for k in 2..=max_k {
        let (assignments, centroids) = kmeans(&points, k);
        let used = {
            let mut seen = vec![false; k];
            assignments.iter().for_each(|&c| seen[c] = true);
            seen.iter().filter(|s| **s).count()
        };
        if used < k {
            continue;
        }
        let score = silhouette(&points, &assignments, k);
        // Ties keep the smaller k: fewer, broader groups read better.
        if best.as_ref().is_none_or(|b| score > b.silhouette + 1e-9) {
            best = Some(Clustering { k, assignments, centroids, silhouette: score });
        }
    }
    best
}

/// Members of `members` ordered by closeness to `centroid`, closest first.
pub fn by_closeness(vectors: &[Vec<f32>], members: &[usize], centroid: &[f32]) -> Vec<usize> {
    let mut scored: Vec<(usize, f32)> = members.iter().map(|&i| (i, dot(&normalized(&vectors[i]), centroid))).collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.into_iter().map(|(i, _)| i).collect()
}

/// The unit mean of `members`' vectors.
pub fn centroid(vectors: &[Vec<f32>], members: &[usize]) -> Vec<f32> {
    let dimension = vectors.first().map_or(0, Vec::len);
    let units: Vec<Vec<f32>> = members.iter().map(|&i| normalized(&vectors[i])).collect();
    mean_direction(&units, 0..units.len(), dimension)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three well separated directions with small, deterministic jitter.
    fn three_blobs(per: usize) -> Vec<Vec<f32>> {
        let mut out = Vec::new();
        for blob in 0..3 {
            for i in 0..per {
                let mut v = vec![0.05f32; 6];
                v[blob * 2] = 1.0;
                v[blob * 2 + 1] = 0.1 * ((i % 5) as f32);
                v[(blob * 2 + 2) % 6] += 0.02 * (i as f32 % 3.0);
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn well_separated_groups_are_found_with_their_number() {
        let vectors = three_blobs(10);
        let c = cluster(&vectors).unwrap();
        assert_eq!(c.k, 3);
        for blob in 0..3 {
            let first = c.assignments[blob * 10];
            assert!(c.assignments[blob * 10..blob * 10 + 10].iter().all(|&a| a == first));
        }
        assert!(c.silhouette > 0.5, "{}", c.silhouette);
    }

    #[test]
    fn interleaved_groups_in_a_large_set_are_all_found() {
        // Six directions, points in turn (i % 6): a sample taken by stride
        // would see only some of them.
        let vectors: Vec<Vec<f32>> = (0..600)
            .map(|i| {
                let mut v = vec![0.0f32; 12];
                v[(i % 6) * 2] = 1.0;
                v[(i % 6) * 2 + 1] = 0.05 * ((i / 6) % 7) as f32;
                v
            })
            .collect();
        assert_eq!(cluster(&vectors).unwrap().k, 6);
    }

    #[test]
    fn the_same_vectors_give_the_same_clusters() {
        let vectors = three_blobs(12);
        assert_eq!(cluster(&vectors), cluster(&vectors));
    }

    #[test]
    fn too_few_or_ragged_vectors_are_not_clustered() {
        assert!(cluster(&three_blobs(2)).is_none());
        let mut ragged = three_blobs(5);
        ragged[3].pop();
        assert!(cluster(&ragged).is_none());
    }

    #[test]
    fn members_are_ordered_by_closeness_to_the_centroid() {
        let vectors = vec![vec![1.0, 0.0], vec![0.8, 0.6], vec![0.6, 0.8]];
        let c = centroid(&vectors, &[0, 1, 2]);
        assert_eq!(by_closeness(&vectors, &[0, 1, 2], &c)[0], 1);
    }
}
