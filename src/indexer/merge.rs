//! Merging an index's segments into few: the plan (segments of at most `index.merge_segment_mb`),
//! and running it at the end of `chaja index`, a re-analysis or a compaction.

use std::path::Path;

use tantivy::index::SegmentId;
use tantivy::merge_policy::NoMergePolicy;
use tantivy::{Index, IndexWriter};

use super::dir_size;
use crate::error::Error;

/// Merges the index's segments into about equal ones of at most about `most_mb` MB each (a small
/// index into one: at 100,000 passages one segment answers a question in 0.83× the time two take on
/// two cores, docs/performance.md). A merge maps the files it reads, so merges run side by side
/// (one core each) only while what they read adds up to at most `most_mb` MB.
pub fn merge_segments(index: &Index, dir: &Path, most_mb: usize) -> Result<(), Error> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let groups = sized_merge_plan(index, dir, most_mb)?;
    if groups.is_empty() {
        return Ok(());
    }
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 16 << 20)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    for wave in merge_waves(&groups, (most_mb as u64) << 20, cores) {
        let running: Vec<_> = wave.iter().map(|ids| writer.merge(ids)).collect();
        for merge in running {
            merge.wait()?;
        }
    }
    writer.garbage_collect_files().wait()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// The groups of a merge plan in waves run one after the other: each wave at most `side_by_side`
/// groups whose bytes add up to at most `bytes` (a larger group alone).
fn merge_waves(
    groups: &[(u64, Vec<SegmentId>)],
    bytes: u64,
    side_by_side: usize,
) -> Vec<Vec<Vec<SegmentId>>> {
    let mut waves: Vec<(u64, Vec<Vec<SegmentId>>)> = Vec::new();
    for (size, ids) in groups {
        match waves.last_mut() {
            Some((sum, wave)) if *sum + size <= bytes && wave.len() < side_by_side => {
                *sum += size;
                wave.push(ids.clone());
            }
            _ => waves.push((*size, vec![ids.clone()])),
        }
    }
    waves.into_iter().map(|(_, wave)| wave).collect()
}

/// The merges that bring the index's segments to about equal ones of at most about `most_mb` MB
/// (none when it has no more segments than that).
pub fn merge_plan(index: &Index, dir: &Path, most_mb: usize) -> Result<Vec<Vec<SegmentId>>, Error> {
    Ok(sized_merge_plan(index, dir, most_mb)?
        .into_iter()
        .map(|(_, ids)| ids)
        .collect())
}

/// [`merge_plan`], each group with the bytes it reads (estimated from its share of the documents).
fn sized_merge_plan(
    index: &Index,
    dir: &Path,
    most_mb: usize,
) -> Result<Vec<(u64, Vec<SegmentId>)>, Error> {
    if most_mb == 0 {
        return Ok(Vec::new());
    }
    // Ids only: a segment's metadata held here would keep its files from being deleted.
    let mut segments: Vec<(u32, SegmentId)> = index
        .searchable_segment_metas()?
        .iter()
        .map(|m| (m.max_doc(), m.id()))
        .collect();
    let bytes = dir_size(dir);
    let wanted = bytes.div_ceil((most_mb as u64) << 20).max(1) as usize;
    if segments.len() <= wanted {
        return Ok(Vec::new());
    }
    // Largest first, each into the group holding the fewest documents so far.
    segments.sort_by_key(|&(docs, _)| std::cmp::Reverse(docs));
    let mut groups: Vec<(u64, Vec<SegmentId>)> = vec![(0, Vec::new()); wanted];
    for &(docs, id) in &segments {
        if let Some(group) = groups.iter_mut().min_by_key(|g| g.0) {
            group.0 += u64::from(docs);
            group.1.push(id);
        }
    }
    tracing::info!(from = segments.len(), into = wanted, "merging segments");
    let documents = segments
        .iter()
        .map(|&(docs, _)| u64::from(docs))
        .sum::<u64>()
        .max(1);
    Ok(groups
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(docs, ids)| (bytes * docs / documents, ids))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<SegmentId> {
        (0..n).map(|_| SegmentId::generate_random()).collect()
    }

    #[test]
    fn merges_run_side_by_side_while_they_read_at_most_the_bound() {
        let mb = 1 << 20;
        // A small index: both merges at once, one per core.
        let small = [(80 * mb, ids(2)), (80 * mb, ids(2))];
        let waves = merge_waves(&small, 512 * mb, 2);
        assert_eq!(waves.iter().map(Vec::len).collect::<Vec<_>>(), [2]);
        // A large one: each merge alone (a group over the bound too).
        let large = [(400 * mb, ids(3)), (400 * mb, ids(3)), (600 * mb, ids(4))];
        let waves = merge_waves(&large, 512 * mb, 2);
        assert_eq!(waves.iter().map(Vec::len).collect::<Vec<_>>(), [1, 1, 1]);
        assert_eq!(waves[2][0], large[2].1);
        // No more at once than cores.
        let many = [(10 * mb, ids(2)), (10 * mb, ids(2)), (10 * mb, ids(2))];
        let waves = merge_waves(&many, 512 * mb, 2);
        assert_eq!(waves.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
    }
}
