//! What cartrec keeps on disk is its own account's alone: the data directory 0700 and every
//! file in it 0600 (the SQLite database and its logs, the keys, the checkpoint copies),
//! whatever the umask.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::helpers::spawn_app_with;

/// The process's umask for as long as this lives.
struct Umask(libc::mode_t);

impl Umask {
    fn set(mask: libc::mode_t) -> Umask {
        // SAFETY: a plain system call without pointers.
        Umask(unsafe { libc::umask(mask) })
    }
}

impl Drop for Umask {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::umask(self.0) };
    }
}

/// Every directory and file under `dir`, with its permission bits.
fn modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("entry").path();
        let metadata = std::fs::metadata(&path).expect("metadata");
        found.push((path.clone(), metadata.permissions().mode() & 0o7777));
        if metadata.is_dir() {
            found.extend(modes(&path));
        }
    }
    found
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o7777
}

/// Covers: A11-7.1, GMP-LED-8
#[tokio::test]
async fn the_data_directory_and_every_file_in_it_are_private_whatever_the_umask() {
    // The umask belongs to the whole test process: 0022, under which a directory would be made
    // 0755 and a file 0644, is the usual one, so the tests running meanwhile see no change.
    let _umask = Umask::set(0o022);
    let app = spawn_app_with(|settings| {
        // cartrec makes the data directory itself: the one the test made goes.
        std::fs::remove_dir(&settings.data_dir).expect("empty");
    })
    .await;
    let auditor = app.user_with_roles(&["auditor"]).await;
    app.sign_checkpoint(&auditor).await;

    let data = app.data_dir.path();
    let found = modes(data);
    let names: Vec<String> = found
        .iter()
        .map(|(path, _)| {
            path.strip_prefix(data)
                .expect("inside")
                .display()
                .to_string()
        })
        .collect();
    let mut expected = vec![
        "jwt.secret",
        "checkpoint.key",
        "checkpoint.vkey",
        "checkpoints",
    ];
    if !app.db.is_postgres() {
        expected.extend([
            "cartrec.sqlite3",
            "cartrec.sqlite3-wal",
            "cartrec.sqlite3-shm",
        ]);
    }
    for name in expected {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("checkpoints/checkpoint-")),
        "a checkpoint copy in {names:?}"
    );
    assert_eq!(mode_of(data), 0o700, "the data directory");
    for (path, mode) in found {
        let private = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, private, "{:o}: {}", mode, path.display());
    }
}
