//! A full disk under the index: writes get a clear 507 while searches go on, and writes resume once
//! there is room again. Runs the real binary on a small tmpfs, which needs the right to mount one
//! (root, as in CI); elsewhere the test is listed as ignored.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{free_port, http, start_logging_to};

/// A tmpfs of `mb` MB mounted on a fresh folder, unmounted when dropped (before the folder goes).
struct Tmpfs {
    point: PathBuf,
    _folder: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(mb: usize) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().ok()?;
        let point = dir.path().join("disk");
        std::fs::create_dir(&point).ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(&point)
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then_some(Tmpfs {
            point,
            _folder: dir,
        })
    }

    fn path(&self) -> &Path {
        &self.point
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.point).status();
    }
}

/// Whether this process may mount a tmpfs.
pub fn can_mount() -> bool {
    Tmpfs::mount(1).is_some()
}

/// Fills the disk under `path` with one file, until the disk refuses more.
fn fill(path: &Path) {
    let mut file = std::fs::File::create(path).expect("filler file");
    let chunk = vec![7u8; 64 << 10];
    while file
        .write_all(&chunk)
        .and_then(|_| file.sync_data())
        .is_ok()
    {}
}

fn batch(prefix: &str) -> String {
    let docs: Vec<String> = (0..20)
        .map(|i| {
            format!(
                "{{\"id\":\"{prefix}{i}\",\"body\":\"{}\"}}",
                "디스크 시험 기사 ".repeat(200)
            )
        })
        .collect();
    format!("[{}]", docs.join(","))
}

pub fn a_full_disk_refuses_writes_with_507_while_searches_go_on() {
    let disk = Tmpfs::mount(24).expect("a tmpfs can be mounted (needs root)");
    let port = free_port();
    // Its log on the same disk: a log it cannot write must not fail requests either.
    let log = disk.path().join("serve.log");
    let mut server = start_logging_to(disk.path(), port, &log);
    let ok = http(port, "POST", "/api/documents", &batch("before")).expect("server answers");
    assert_eq!(ok.0, 200, "{}", ok.1);

    let filler = disk.path().join("filler");
    fill(&filler);
    let full = http(port, "POST", "/api/documents", &batch("full")).expect("server answers");
    assert_eq!(full.0, 507, "{}", full.1);
    assert!(full.1.contains("disk_full"), "{}", full.1);
    let search = http(port, "GET", "/api/search?q=%EB%94%94%EC%8A%A4%ED%81%AC", "").unwrap();
    assert_eq!(search.0, 200, "searches go on: {}", search.1);
    assert!(search.1.contains("\"total\":20"), "{}", search.1);

    std::fs::remove_file(&filler).unwrap();
    let again = http(port, "POST", "/api/documents", &batch("after")).expect("server answers");
    assert_eq!(again.0, 200, "writes resume: {}", again.1);
    let found = http(port, "GET", "/api/documents/after0", "").unwrap();
    assert_eq!(found.0, 200);
    let lost = http(port, "GET", "/api/documents/full0", "").unwrap();
    assert_eq!(lost.0, 404, "the refused batch was not half-written");
    server.kill().unwrap();
    server.wait().unwrap();
}
