//! Snapshots: a consistent copy of an index's last commit, taken while it serves and takes writes
//! (the committed segment files never change, so they are hard-linked, or copied across file
//! systems, with the commit's metadata and the index's settings), and restoring one into an empty
//! folder.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::Index;

use super::List;
use crate::error::{Error, UserError};

/// What a snapshot holds.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub path: PathBuf,
    pub documents: u64,
    pub files: usize,
    pub bytes: u64,
}

/// Files kept beside an index that belong in its snapshot.
fn settings_files() -> impl Iterator<Item = &'static str> {
    List::ALL
        .map(List::file)
        .into_iter()
        .chain([super::ANALYSIS_FILE, "chaja-analyzer.json"])
}

/// Copies the last commit of `index` (in `dir`) into the new folder `into`. Holding the commit's
/// segment metadata keeps tantivy from deleting their files while they are linked.
pub fn take(index: &Index, dir: &Path, into: &Path) -> Result<Snapshot, Error> {
    if into.exists() {
        return Err(UserError::Conflict(format!("{} exists", into.display())).into());
    }
    let metas = index.load_metas()?;
    let partial = into.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)?;
    let mut files = 0;
    let mut bytes = 0;
    let mut link = |name: &Path| -> Result<(), Error> {
        let from = dir.join(name);
        let to = partial.join(name);
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to)?;
        }
        files += 1;
        bytes += std::fs::metadata(&to)?.len();
        Ok(())
    };
    for segment in &metas.segments {
        for file in segment.list_files() {
            if dir.join(&file).exists() {
                link(&file)?;
            }
        }
    }
    // The commit's metadata as it was read, not as a later commit may have rewritten it.
    let meta = serde_json::to_string_pretty(&metas).map_err(|e| {
        crate::error::InternalError::Task(format!("cannot write the snapshot's metadata: {e}"))
    })?;
    std::fs::write(partial.join("meta.json"), meta)?;
    for name in settings_files() {
        if dir.join(name).is_file() {
            std::fs::copy(dir.join(name), partial.join(name))?;
        }
    }
    std::fs::rename(&partial, into)?;
    Ok(Snapshot {
        path: into.to_path_buf(),
        documents: metas.segments.iter().map(|s| u64::from(s.num_docs())).sum(),
        files: files + 1,
        bytes,
    })
}

/// A new snapshot folder's name for the index `name`: `NAME-YYYYMMDDTHHMMSSZ`, with a counter when
/// two are taken in one second.
pub fn folder_for(root: &Path, name: &str) -> PathBuf {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut path = root.join(format!("{name}-{stamp}"));
    let mut n = 1;
    while path.exists() || path.with_extension("partial").exists() {
        n += 1;
        path = root.join(format!("{name}-{stamp}-{n}"));
    }
    path
}

/// Restores the snapshot in `from` into `into`, which must be empty or absent; returns the documents
/// it holds. The files are copied, so the snapshot stays as it was.
pub fn restore(from: &Path, into: &Path) -> Result<u64, Error> {
    if !from.join("meta.json").is_file() {
        return Err(UserError::BadParameter(format!(
            "{} is not a snapshot (no meta.json in it)",
            from.display()
        ))
        .into());
    }
    if into.exists() && std::fs::read_dir(into)?.next().is_some() {
        return Err(UserError::Conflict(format!(
            "{} is not empty: restore into a new or empty folder (move the old index aside first)",
            into.display()
        ))
        .into());
    }
    let partial = into.with_extension("restoring");
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), partial.join(entry.file_name()))?;
        }
    }
    let documents = {
        let directory = tantivy::directory::MmapDirectory::open(&partial)
            .map_err(crate::error::InternalError::from)?;
        Index::open(directory)?.reader()?.searcher().num_docs()
    };
    if into.exists() {
        std::fs::remove_dir(into)?;
    }
    std::fs::rename(&partial, into)?;
    Ok(documents)
}
