//! Related-article groups (관련기사): each body's MinHash signature over 5-character shingles, and
//! the table that puts a new document into the group of the earlier one it nearly copies. Folding a
//! result list by group is the search's (`search/fold.rs`).
//!
//! A signature keeps, for each of `HASHES` hash functions, 16 bits of the shingle with the smallest
//! value; two bodies agree on a hash with a probability equal to the Jaccard similarity of their
//! shingle sets, so the share of agreeing hashes estimates it. Candidates come from LSH banding
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

/// Odd multipliers and offsets of the hash family `a * h + b`, fixed so signatures stay comparable
/// across runs and versions.
const FAMILY: [(u64, u64); HASHES] = {
    let mut family = [(0u64, 0u64); HASHES];
    let mut state = 0x5eed_c4a7_a5e1_9e37u64;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let a = (state ^ (state >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) | 1;
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let b = (state ^ (state >> 31)).wrapping_mul(0x94d0_49bb_1331_11eb);
        family[i] = (a, b);
        i += 1;
    }
    family
};

impl Signature {
    /// The signature of `body`, or `None` when it has too few shingles to compare.
    pub fn of(body: &str) -> Option<Signature> {
        let mut window = [0u32; SHINGLE];
        let mut seen = 0usize;
        let mut mins = [u64::MAX; HASHES];
        let mut argmins = [0u64; HASHES];
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
            for (i, &(a, b)) in FAMILY.iter().enumerate() {
                let v = h.wrapping_mul(a).wrapping_add(b);
                if v < mins[i] {
                    mins[i] = v;
                    argmins[i] = h;
                }
            }
        }
        if seen + 1 < SHINGLE + MIN_SHINGLES {
            return None;
        }
        // 16 bits of the shingle that won, not of its value: the smallest values crowd near zero.
        Some(Signature(argmins.map(|h| (h >> 48) as u16)))
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
