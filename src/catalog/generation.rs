//! Index generations on disk: a re-analysed index is built beside the one being served
//! (`DIR.next`), marked complete, and swapped in by renames; `recover` finishes or undoes a swap a
//! crash interrupted, so a restarted server always finds one complete generation at `DIR`.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Written into a new generation once it holds every document: only then may it replace `DIR`.
const READY: &str = "chaja-generation-ready";

/// Where the next generation of the index in `dir` is built.
pub fn staging(dir: &Path) -> PathBuf {
    sibling(dir, "next")
}

/// Where the replaced generation waits to be deleted.
fn retired(dir: &Path) -> PathBuf {
    sibling(dir, "old")
}

fn sibling(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    dir.with_file_name(name)
}

/// Marks the generation in `staging` complete (durably: the marker is synced, then its folder).
pub fn mark_ready(staging: &Path) -> Result<(), Error> {
    let marker = staging.join(READY);
    std::fs::write(&marker, b"complete\n")?;
    std::fs::File::open(&marker)?.sync_all()?;
    sync_dir(staging);
    Ok(())
}

/// Replaces the generation at `dir` with the complete one at `staging(dir)`. The old one is
/// renamed aside and deleted; its files stay readable to searches that still hold them.
pub fn swap(dir: &Path) -> Result<(), Error> {
    let next = staging(dir);
    let old = retired(dir);
    if old.exists() {
        std::fs::remove_dir_all(&old)?;
    }
    std::fs::rename(dir, &old)?;
    std::fs::rename(&next, dir)?;
    finish(dir);
    Ok(())
}

/// Removes the marker and the retired generation once `dir` holds the new one.
fn finish(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(READY));
    if let Some(parent) = dir.parent() {
        sync_dir(parent);
    }
    let old = retired(dir);
    if old.exists() {
        if let Err(error) = std::fs::remove_dir_all(&old) {
            tracing::warn!(%error, dir = %old.display(), "cannot delete the replaced generation");
        }
    }
}

/// Drops an unfinished next generation (a failed or abandoned re-analysis).
pub fn discard(dir: &Path) {
    let next = staging(dir);
    if next.exists() {
        if let Err(error) = std::fs::remove_dir_all(&next) {
            tracing::warn!(%error, dir = %next.display(), "cannot delete an unfinished generation");
        }
    }
}

/// Brings `dir` to one complete generation after a crash: a swap cut between its renames is
/// finished (or undone when the new generation is not complete), an unfinished next generation is
/// deleted. Returns what it did, for the log.
pub fn recover(dir: &Path) -> Result<Option<&'static str>, Error> {
    let next = staging(dir);
    let old = retired(dir);
    let ready = next.join(READY).is_file();
    let done = match (dir.exists(), next.exists(), old.exists()) {
        // The old generation was renamed aside, the new one not yet into place.
        (false, true, _) if ready => {
            std::fs::rename(&next, dir)?;
            finish(dir);
            Some("finished an interrupted swap: serving the new generation")
        }
        (false, _, true) => {
            std::fs::rename(&old, dir)?;
            discard(dir);
            Some("undid an interrupted swap: serving the old generation")
        }
        // Complete but not swapped in: the swap is finished now.
        (true, true, _) if ready => {
            swap(dir)?;
            Some("finished an interrupted swap: serving the new generation")
        }
        (true, true, _) => {
            discard(dir);
            Some("deleted an unfinished re-analysis: serving the old generation")
        }
        (true, false, true) => {
            finish(dir);
            None
        }
        _ => {
            let _ = std::fs::remove_file(dir.join(READY));
            None
        }
    };
    Ok(done)
}

fn sync_dir(dir: &Path) {
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generation(dir: &Path, name: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("which"), name).unwrap();
    }

    fn which(dir: &Path) -> String {
        std::fs::read_to_string(dir.join("which")).unwrap()
    }

    fn layout() -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("news");
        (root, dir)
    }

    #[test]
    fn a_swap_serves_the_new_generation_and_deletes_the_old() {
        let (_root, dir) = layout();
        generation(&dir, "old");
        generation(&staging(&dir), "new");
        mark_ready(&staging(&dir)).unwrap();
        swap(&dir).unwrap();
        assert_eq!(which(&dir), "new");
        assert!(!staging(&dir).exists() && !retired(&dir).exists());
        assert!(!dir.join(READY).exists());
    }

    #[test]
    fn every_crash_point_recovers_to_one_complete_generation() {
        // Crash while building: the unfinished generation goes, the old one serves.
        let (_root, dir) = layout();
        generation(&dir, "old");
        generation(&staging(&dir), "half");
        assert!(recover(&dir).unwrap().is_some());
        assert_eq!(which(&dir), "old");
        assert!(!staging(&dir).exists());

        // Crash after marking complete, before the first rename: the swap is finished.
        generation(&staging(&dir), "new");
        mark_ready(&staging(&dir)).unwrap();
        recover(&dir).unwrap();
        assert_eq!(which(&dir), "new");

        // Crash between the renames: the new generation is moved into place.
        std::fs::rename(&dir, retired(&dir)).unwrap();
        generation(&staging(&dir), "newer");
        mark_ready(&staging(&dir)).unwrap();
        recover(&dir).unwrap();
        assert_eq!(which(&dir), "newer");
        assert!(!retired(&dir).exists());

        // Old renamed aside but the new one never completed: the old one comes back.
        std::fs::rename(&dir, retired(&dir)).unwrap();
        generation(&staging(&dir), "half");
        recover(&dir).unwrap();
        assert_eq!(which(&dir), "newer");
        assert!(!staging(&dir).exists());

        // Nothing to do.
        assert_eq!(recover(&dir).unwrap(), None);
    }
}
