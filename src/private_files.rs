//! Nothing cartrec keeps on disk is open to another account: the data directory is 0700, and
//! every file cartrec creates (the SQLite database and the `-wal` and `-shm` files SQLite keeps
//! beside it, the key files, the checkpoint copies, backups) is 0600, whatever the umask. They
//! are all made through here; only the validation report, a document to hand out, is not.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::db::Backend;

const DIR_MODE: u32 = 0o700;
const FILE_MODE: u32 = 0o600;
/// What group and others may do.
const OPEN_TO_OTHERS: u32 = 0o077;

#[derive(Debug, thiserror::Error)]
#[error("cannot make {path} private to this account: {source}")]
pub struct PrivateError {
    path: PathBuf,
    source: io::Error,
}

/// Before anything is opened: the data directory 0700, and on SQLite the database file 0600.
pub fn prepare(settings: &Settings) -> Result<(), PrivateError> {
    private_dir(&settings.data_dir)?;
    sqlite_file(&settings.database_url())
}

/// Creates `dir` (and any missing parent) 0700; an existing one that other accounts may
/// enter is tightened, with a warning.
pub fn private_dir(dir: &Path) -> Result<(), PrivateError> {
    create_dir_all(dir).map_err(|source| PrivateError {
        path: dir.to_owned(),
        source,
    })?;
    tighten(dir)
}

/// Creates `dir` and any missing parent 0700. An existing directory keeps its mode: it may be
/// storage set up by someone else (a `checkpoint_dir` on WORM storage or another host).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir_all(parent)?;
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    match builder.create(dir) {
        // The umask may have taken bits away (0277 would leave 0500, a directory cartrec could
        // not write in): the mode is set again.
        Ok(()) => set_mode(dir, DIR_MODE),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens `path` for writing as `File::create` does (an existing file is emptied), mode 0600
/// whatever the umask or the mode an existing file had, set before anything is written.
pub fn create(path: &Path) -> io::Result<File> {
    open(
        path,
        OpenOptions::new().write(true).create(true).truncate(true),
    )
}

/// As [`create`], refusing a file that exists already.
pub fn create_new(path: &Path) -> io::Result<File> {
    open(path, OpenOptions::new().write(true).create_new(true))
}

/// Replaces `path` with `bytes` durably and whole: a private temporary file beside it, fsynced,
/// renamed over it, then the directory fsynced, so a crash leaves the old file or the new one,
/// never half of one.
pub fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    // One per process: the service and a command-line tool may write the same file.
    let partial = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let mut file = create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&partial, path)?;
    File::open(dir)?.sync_all()
}

fn open(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(options, FILE_MODE);
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(FILE_MODE))?;
    }
    Ok(file)
}

/// On SQLite, the database file created empty and 0600 before SQLite first opens it: SQLite
/// gives the `-wal` and `-shm` files it creates the mode of the database file (whatever the
/// umask). A database, or logs, left open to others by an earlier version are tightened.
pub fn sqlite_file(database_url: &str) -> Result<(), PrivateError> {
    let Some(path) = sqlite_path(database_url) else {
        return Ok(());
    };
    match create_new(&path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            for suffix in ["", "-wal", "-shm"] {
                tighten(&beside(&path, suffix))?;
            }
            Ok(())
        }
        Err(source) => Err(PrivateError { path, source }),
    }
}

/// `path` with `suffix` added to its name, as SQLite names its logs.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.to_owned().into_os_string();
    name.push(suffix);
    name.into()
}

/// The file a SQLite URL names. None for PostgreSQL, an in-memory database or a `file:` URI:
/// SQLite makes what those name itself.
fn sqlite_path(database_url: &str) -> Option<PathBuf> {
    if Backend::from_url(database_url) != Backend::Sqlite {
        return None;
    }
    let path = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    let special = path.is_empty() || path == ":memory:" || path.starts_with("file:");
    (!special).then(|| PathBuf::from(path))
}

/// Takes from an existing `path` what other accounts may do, with a warning. A path this
/// account may not change (a mount owned by another) keeps its mode, with a warning too:
/// refusing to start would not make it private.
fn tighten(path: &Path) -> Result<(), PrivateError> {
    let mode = match mode(path) {
        Ok(mode) => mode,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(PrivateError {
                path: path.to_owned(),
                source,
            })
        }
    };
    if mode & OPEN_TO_OTHERS == 0 {
        return Ok(());
    }
    let private = mode & !OPEN_TO_OTHERS;
    let (was, now) = (format!("{mode:04o}"), format!("{private:04o}"));
    match set_mode(path, private) {
        Ok(()) => {
            tracing::warn!(path = %path.display(), was, now, "was open to other accounts: tightened")
        }
        Err(e) => tracing::warn!(path = %path.display(), mode = was, error = %e,
            "is open to other accounts and its mode cannot be changed by this account"),
    }
    Ok(())
}

#[cfg(unix)]
fn mode(path: &Path) -> io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(fs::metadata(path)?.permissions().mode() & 0o7777)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

/// Elsewhere there are no modes to keep: nothing to tighten.
#[cfg(not(unix))]
fn mode(path: &Path) -> io::Result<u32> {
    fs::metadata(path).map(|_| 0)
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::io::{Read, Write};

    use diesel::connection::SimpleConnection;

    use super::*;

    fn mode_of(path: &Path) -> u32 {
        mode(path).expect("exists")
    }

    #[test]
    fn directories_are_made_0700_and_a_data_directory_open_to_others_is_tightened() {
        let root = tempfile::tempdir().expect("temp dir");
        let nested = root.path().join("made/data");
        private_dir(&nested).expect("made");
        assert_eq!(mode_of(&nested), 0o700);
        assert_eq!(
            mode_of(&root.path().join("made")),
            0o700,
            "a parent made too"
        );

        let open = root.path().join("open");
        fs::create_dir(&open).expect("made");
        set_mode(&open, 0o755).expect("opened");
        create_dir_all(&open).expect("left as it is");
        assert_eq!(
            mode_of(&open),
            0o755,
            "a directory someone else made keeps its mode"
        );
        private_dir(&open).expect("tightened");
        assert_eq!(mode_of(&open), 0o700);
    }

    #[test]
    fn files_are_0600_whatever_mode_an_existing_one_had() {
        let root = tempfile::tempdir().expect("temp dir");
        let path = root.path().join("secret");
        create_new(&path)
            .and_then(|mut f| f.write_all(b"first"))
            .expect("written");
        assert_eq!(mode_of(&path), 0o600);
        let again = create_new(&path).map(|_| ()).map_err(|e| e.kind());
        assert_eq!(again, Err(io::ErrorKind::AlreadyExists));

        set_mode(&path, 0o644).expect("opened");
        create(&path)
            .and_then(|mut f| f.write_all(b"second"))
            .expect("replaced");
        assert_eq!(mode_of(&path), 0o600);
        let mut text = String::new();
        File::open(&path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .expect("read");
        assert_eq!(text, "second");
    }

    #[test]
    fn sqlite_gives_its_logs_the_mode_of_the_database_file() {
        let root = tempfile::tempdir().expect("temp dir");
        let path = root.path().join("cartrec.sqlite3");
        let url = path.to_string_lossy().into_owned();
        sqlite_file(&url).expect("created");
        assert_eq!(mode_of(&path), 0o600);
        // As the server opens it (write-ahead log on), and written to.
        let mut conn = crate::db::ConnectionManager::new(&url)
            .connect()
            .expect("opens");
        conn.batch_execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
            .expect("written");
        for log in ["-wal", "-shm"] {
            assert_eq!(mode_of(&beside(&path, log)), 0o600, "{log}");
        }
    }

    #[test]
    fn a_database_left_open_to_others_is_tightened_with_its_logs() {
        let root = tempfile::tempdir().expect("temp dir");
        let path = root.path().join("cartrec.sqlite3");
        let files = [path.clone(), beside(&path, "-wal"), beside(&path, "-shm")];
        for file in &files {
            File::create(file).expect("made");
            set_mode(file, 0o644).expect("opened");
        }
        sqlite_file(&format!("sqlite://{}", path.display())).expect("tightened");
        for file in &files {
            assert_eq!(mode_of(file), 0o600, "{}", file.display());
        }
    }

    #[test]
    fn only_a_url_that_names_a_sqlite_file_makes_one() {
        assert_eq!(sqlite_path("postgres://cartrec@db/cartrec"), None);
        assert_eq!(sqlite_path("postgresql://cartrec@db/cartrec"), None);
        assert_eq!(sqlite_path(":memory:"), None);
        assert_eq!(sqlite_path("file:cartrec?mode=memory"), None);
        assert_eq!(
            sqlite_path("sqlite:///var/lib/cartrec/cartrec.sqlite3"),
            Some(PathBuf::from("/var/lib/cartrec/cartrec.sqlite3"))
        );
        assert_eq!(
            sqlite_path("data/cartrec.sqlite3"),
            Some(PathBuf::from("data/cartrec.sqlite3"))
        );
    }
}
