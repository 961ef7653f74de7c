//! Related-article groups (관련기사): each body's MinHash signature over 5-character shingles, and
//! the table that puts a new document into the group of the earlier one it nearly copies. Folding a
//! result list by group is the search's (`search/fold.rs`).
//!
//! A signature keeps, for each of `HASHES` bins of one hash function, 16 bits of the shingle with the
//! smallest value in the bin (one-permutation MinHash); two bodies agree on a bin with a probability
//! about equal to the Jaccard similarity of their shingle sets, so the share of agreeing bins
//! estimates it. Candidates come from LSH banding
//! (`BANDS` bands of `ROWS` hashes: bodies agreeing on a whole band are compared), and a document
//! joins the group of the most similar candidate whose estimate reaches the threshold.

use rustc_hash::FxHashMap;

/// Hash functions in a signature.
pub const HASHES: usize = 64;
/// LSH bands and the hashes in each (the first `BANDS * ROWS` hashes).
const BANDS: usize = 12;
const ROWS: usize = 2;
/// Characters in a shingle (spaces left out).
const SHINGLE: usize = 5;
/// Bodies with fewer shingles than this get no signature and stay alone: a line or two of text
/// says too little to call it a copy.
const MIN_SHINGLES: usize = 20;

/// A body's MinHash signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature(pub [u16; HASHES]);

/// 64-bit finaliser (splitmix64): spreads a shingle's key over every bit.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

impl Signature {
    /// The signature of `body`, or `None` when it has too few shingles to compare.
    ///
    /// One-permutation MinHash: each shingle is hashed once, its top bits choose one of `HASHES`
    /// bins and the rest compete for the bin's minimum (one hash per shingle instead of one per
    /// shingle and function). A bin no shingle fell in borrows from the next filled one, offset by
    /// the distance (rotation densification), so short bodies still compare bin by bin.
    pub fn of(body: &str) -> Option<Signature> {
        const BIN_BITS: u32 = HASHES.trailing_zeros();
        let mut window = [0u32; SHINGLE];
        let mut seen = 0usize;
        let mut mins = [u64::MAX; HASHES];
        for c in body.chars().filter(|c| !c.is_whitespace()) {
            window.rotate_left(1);
            window[SHINGLE - 1] = c as u32;
            seen += 1;
            if seen < SHINGLE {
                continue;
            }
            let key = window
                .iter()
                .fold(0u64, |h, &c| h.rotate_left(21) ^ u64::from(c));
            let h = mix(key);
            let bin = (h >> (64 - BIN_BITS)) as usize;
            let rest = h << BIN_BITS >> BIN_BITS;
            if rest < mins[bin] {
                mins[bin] = rest;
            }
        }
        if seen + 1 < SHINGLE + MIN_SHINGLES {
            return None;
        }
        let mut values = [0u16; HASHES];
        for (i, value) in values.iter_mut().enumerate() {
            // The bin itself, or the next filled one to the right and how far away it is.
            let (distance, min) = (0..HASHES as u64)
                .map(|d| (d, mins[(i + d as usize) % HASHES]))
                .find(|&(_, m)| m != u64::MAX)
                .unwrap_or((0, 0));
            // 16 bits of the winning shingle's hash, not of its rank: small minima crowd near zero.
            *value = (mix(min ^ distance.wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 48) as u16;
        }
        Some(Signature(values))
    }

    /// Estimated Jaccard similarity of the two bodies' shingle sets.
    pub fn similarity(&self, other: &Signature) -> f32 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / HASHES as f32
    }

    /// The signature as stored in the index.
    pub fn to_bytes(self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// A stored signature; `None` for bytes of another length.
    pub fn from_bytes(bytes: &[u8]) -> Option<Signature> {
        if bytes.len() != HASHES * 2 {
            return None;
        }
        let mut values = [0u16; HASHES];
        for (v, pair) in values.iter_mut().zip(bytes.chunks_exact(2)) {
            *v = u16::from_le_bytes([pair[0], pair[1]]);
        }
        Some(Signature(values))
    }

    /// The keys of its LSH bands (band number mixed in).
    fn bands(&self) -> impl Iterator<Item = u32> + '_ {
        self.0
            .chunks_exact(ROWS)
            .take(BANDS)
            .enumerate()
            .map(|(band, rows)| {
                let key = rows
                    .iter()
                    .fold(band as u64, |h, &v| h << 16 | u64::from(v));
                (mix(key) >> 32) as u32
            })
    }
}

/// The group of a document that copies nothing earlier: its own, named after its id.
pub fn own_group(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    id.hash(&mut hasher);
    mix(hasher.finish())
}

/// Every signature seen and its group, with the LSH band index over them. Slots are never removed:
/// a deleted document's signature still brings its copies together.
#[derive(Debug, Default)]
pub struct Table {
    signatures: Vec<Signature>,
    groups: Vec<u64>,
    /// Band key → the latest slot with that band.
    bands: FxHashMap<u32, u32>,
    threshold: f32,
}

impl Table {
    /// An empty table grouping bodies whose estimated similarity is at least `threshold`.
    pub fn new(threshold: f32) -> Table {
        Table {
            threshold,
            ..Table::default()
        }
    }

    /// Documents in the table.
    pub fn len(&self) -> usize {
        self.signatures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.signatures.is_empty()
    }

    /// Bytes the table holds (signatures, groups and the band index).
    pub fn memory(&self) -> usize {
        self.signatures.capacity() * std::mem::size_of::<Signature>()
            + self.groups.capacity() * 8
            + self.bands.capacity() * (8 + 1)
    }

    /// The group of the most similar earlier document, when one reaches the threshold.
    pub fn find(&self, signature: &Signature) -> Option<u64> {
        let mut best: Option<(f32, u32)> = None;
        for key in signature.bands() {
            let Some(&slot) = self.bands.get(&key) else {
                continue;
            };
            let similarity = signature.similarity(&self.signatures[slot as usize]);
            if similarity >= self.threshold && best.is_none_or(|(s, _)| similarity > s) {
                best = Some((similarity, slot));
            }
        }
        best.map(|(_, slot)| self.groups[slot as usize])
    }

    /// Records a document's signature under `group`.
    pub fn insert(&mut self, signature: Signature, group: u64) {
        let slot = self.signatures.len() as u32;
        for key in signature.bands() {
            self.bands.insert(key, slot);
        }
        self.signatures.push(signature);
        self.groups.push(group);
    }

    /// The table of every live document of `searcher` (an index opened for writing), in segment
    /// order. Documents without a signature (short bodies, an index from before groups) are left out.
    pub fn load(
        searcher: &tantivy::Searcher,
        threshold: f32,
    ) -> Result<Table, tantivy::TantivyError> {
        let mut table = Table::new(threshold);
        let mut bytes = Vec::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Ok(groups), Ok(Some(signatures))) = (fast.u64("group"), fast.bytes("signature"))
            else {
                continue;
            };
            for doc in segment.doc_ids_alive() {
                let (Some(group), Some(ord)) =
                    (groups.first(doc), signatures.term_ords(doc).next())
                else {
                    continue;
                };
                bytes.clear();
                signatures.ord_to_bytes(ord, &mut bytes)?;
                if let Some(signature) = Signature::from_bytes(&bytes) {
                    table.insert(signature, group);
                }
            }
        }
        Ok(table)
    }

    /// The group of a new document with this id and body: the group of the earlier document it
    /// nearly copies, or its own; recorded for the documents after it.
    pub fn assign(&mut self, id: &str, signature: Option<Signature>) -> u64 {
        let Some(signature) = signature else {
            return own_group(id);
        };
        let group = self.find(&signature).unwrap_or_else(|| own_group(id));
        self.insert(signature, group);
        group
    }
}

#[cfg(test)]
mod tests;
