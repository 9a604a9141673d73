//! Group commit: writers that wait for the ledger at the same time share one database
//! transaction, one commit and one fsync.
//!
//! The group has a connection of its own. Each writer takes it in turn on its own thread (so
//! its `work` needs to be neither `Send` nor `'static`) and runs in a savepoint: a refusal rolls
//! back only that writer. A writer that finishes while others are queued for the connection
//! leaves the transaction open for them and waits; the first that finds nobody queued (or the
//! group full) commits for all and wakes them. Nobody is answered before the commit that holds
//! their entries, and a failed commit fails every member. The append lock (the lock row, in the
//! database) is taken once per group, so other processes and app instances still serialize
//! with it, and it also answers where to append.
//!
//! Password checks (argon2) are made before `ledger::write`, so never while a group holds the
//! lock.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use diesel::connection::{Connection, TransactionManager};

use super::append::{lock_checked, seal_if_moved, Appender};
use super::lock::Head;
use super::LedgerError;
use crate::db::{ConnectionManager, DbConn, DbError};

type Transactions = <DbConn as Connection>::TransactionManager;

/// How many writers (refused ones included) one group takes at most: bounds how long the
/// first of them waits for its answer and how long the lock is held.
pub const DEFAULT_MAX_MEMBERS: usize = 64;

/// How long a group stays open for more writers, however many are queued: a steady stream of
/// writers (refused ones too) never keeps the lock, and the first answers, waiting.
const MAX_OPEN: std::time::Duration = std::time::Duration::from_millis(25);

thread_local! {
    static CURRENT: RefCell<Option<Arc<GroupCommit>>> = const { RefCell::new(None) };
}

/// Runs `f` with `group` as the one `ledger::write` joins on this thread (`Db::run` sets it
/// around the work it runs for a request).
pub fn within<R>(group: Option<&Arc<GroupCommit>>, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|current| current.replace(group.cloned()));
    let restore = Restore(previous);
    let result = f();
    drop(restore);
    result
}

/// Puts back the thread's previous group, also when `f` panics.
struct Restore(Option<Arc<GroupCommit>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|current| *current.borrow_mut() = previous);
    }
}

pub(super) fn current() -> Option<Arc<GroupCommit>> {
    CURRENT.with(|current| current.borrow().clone())
}

/// The process's group committer for one database.
pub struct GroupCommit {
    connector: ConnectionManager,
    max_members: usize,
    shared: Mutex<Shared>,
    finished: Condvar,
    /// Writers waiting for the connection: while there are any, a finished writer leaves the
    /// transaction open for them.
    queued: AtomicUsize,
    groups_committed: AtomicU64,
    writes_committed: AtomicU64,
}

/// What a group committer has done since it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupStats {
    /// Groups committed with at least one write.
    pub groups: u64,
    /// Writes those groups committed.
    pub writes: u64,
}

#[derive(Default)]
struct Shared {
    conn: Option<DbConn>,
    open: Option<Open>,
    next_id: u64,
    /// How groups whose members still wait ended.
    ended: HashMap<u64, Ended>,
    /// A group ended since the waiting members were last woken.
    ended_since_notice: bool,
}

/// The group whose transaction is open.
struct Open {
    id: u64,
    /// Where the group's first entry went, for the log if its commit fails.
    first_seq: i64,
    /// The head the append lock answered with, and the head the members have left.
    locked: Head,
    head: Head,
    /// Writers whose work succeeded and waits for the commit (or committed the group).
    members: usize,
    /// Turns taken, refused ones included.
    turns: usize,
    opened: std::time::Instant,
}

struct Ended {
    outcome: Result<(), String>,
    waiting: usize,
}

/// How one writer's turn went.
enum Turn<T, E> {
    Done(T),
    Refused(E),
    Panicked(Box<dyn std::any::Any + Send>),
}

impl GroupCommit {
    pub fn new(database_url: &str, max_members: usize) -> Arc<GroupCommit> {
        Arc::new(GroupCommit {
            connector: ConnectionManager::new(database_url),
            max_members: max_members.max(1),
            shared: Mutex::new(Shared::default()),
            finished: Condvar::new(),
            queued: AtomicUsize::new(0),
            groups_committed: AtomicU64::new(0),
            writes_committed: AtomicU64::new(0),
        })
    }

    pub fn stats(&self) -> GroupStats {
        GroupStats {
            groups: self.groups_committed.load(Ordering::SeqCst),
            writes: self.writes_committed.load(Ordering::SeqCst),
        }
    }

    /// Writers waiting for their turn now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // Nothing that can panic runs under the lock (a writer's work is caught), so a poisoned
        // lock still holds consistent state.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` as a member of a group; see the module's documentation.
    pub(super) fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut Appender<'_>) -> Result<T, E>,
        E: From<diesel::result::Error> + From<LedgerError>,
    {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut shared = self.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        if shared.open.is_none() {
            if let Err(error) = shared.begin(&self.connector) {
                return Err(error.into());
            }
        }
        // A write nested in `work` on another connection must not queue behind its own group.
        let started = std::time::Instant::now();
        let turn = within(None, || shared.take_turn(work));
        crate::metrics::write_turn(started.elapsed());
        let id = shared.open.as_ref().map(|open| open.id);
        let full = shared.open.as_ref().is_some_and(|open| {
            open.turns >= self.max_members || open.opened.elapsed() >= MAX_OPEN
        });
        let member = matches!(turn, Turn::Done(_));
        let mut own_outcome = None;
        if shared.open.is_some() && (full || self.queued.load(Ordering::SeqCst) == 0) {
            let members = shared.open.as_ref().map_or(0, |open| open.members);
            let outcome = shared.close(member);
            if outcome.is_ok() && members > 0 {
                self.groups_committed.fetch_add(1, Ordering::SeqCst);
                self.writes_committed
                    .fetch_add(members as u64, Ordering::SeqCst);
            }
            own_outcome = Some(outcome);
        }
        if std::mem::take(&mut shared.ended_since_notice) {
            self.finished.notify_all();
        }
        match turn {
            Turn::Refused(error) => Err(error),
            Turn::Panicked(payload) => {
                drop(shared);
                panic::resume_unwind(payload)
            }
            Turn::Done(done) => {
                let outcome = match (own_outcome, id) {
                    (Some(outcome), _) => outcome,
                    (None, Some(id)) => self.wait_for(shared, id),
                    (None, None) => Err("the group's transaction broke".to_owned()),
                };
                outcome
                    .map(|()| done)
                    .map_err(|reason| LedgerError::GroupCommitFailed(reason).into())
            }
        }
    }

    /// Waits, without the connection, until group `id` has ended, and says how.
    fn wait_for(&self, mut shared: MutexGuard<'_, Shared>, id: u64) -> Result<(), String> {
        loop {
            if let Some(ended) = shared.ended.get_mut(&id) {
                let outcome = ended.outcome.clone();
                ended.waiting -= 1;
                if ended.waiting == 0 {
                    shared.ended.remove(&id);
                }
                return outcome;
            }
            shared = self
                .finished
                .wait(shared)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The connection's transaction depth: `Some(0)` outside a transaction, `None` if diesel's
/// view of it is broken.
fn depth(conn: &mut DbConn) -> Option<u32> {
    match Transactions::transaction_manager_status_mut(conn).transaction_depth() {
        Ok(None) => Some(0),
        Ok(Some(depth)) => Some(depth.get()),
        Err(_) => None,
    }
}

/// Whether a kept connection can begin a group: open, and outside any transaction.
fn usable(conn: &mut DbConn) -> bool {
    !diesel::r2d2::R2D2Connection::is_broken(conn) && depth(conn) == Some(0)
}

impl Shared {
    /// Opens the group's transaction and takes the append lock, connecting first if needed.
    fn begin(&mut self, connector: &ConnectionManager) -> Result<(), LedgerError> {
        // A kept connection may have died since its last group (the server restarted, the
        // network dropped it): if it cannot begin, one fresh connection tries again.
        let reused = self.conn.as_mut().is_some_and(usable);
        if !reused {
            self.conn = None;
            self.conn = Some(connector.connect()?);
        }
        match self.lock_for_a_group() {
            // Only a connection's failure is worth a second connection; a refusal is not.
            Err(LedgerError::Db(_)) if reused => {
                self.conn = Some(connector.connect()?);
                self.lock_for_a_group()
            }
            other => other,
        }
    }

    /// Opens the group's transaction on the kept connection and takes the append lock; drops
    /// the connection if it cannot.
    fn lock_for_a_group(&mut self) -> Result<(), LedgerError> {
        let conn = self.conn.as_mut().ok_or(DbError::TaskFailed)?;
        let locked = Transactions::begin_transaction(conn)
            .map_err(LedgerError::from)
            .and_then(|()| lock_checked(conn, super::heads::current().as_deref()));
        match locked {
            Ok(head) => {
                self.next_id += 1;
                self.open = Some(Open {
                    id: self.next_id,
                    first_seq: head.next_seq,
                    locked: head,
                    head,
                    members: 0,
                    turns: 0,
                    opened: std::time::Instant::now(),
                });
                Ok(())
            }
            Err(error) => {
                // Closing the connection rolls back the transaction it began.
                self.conn = None;
                Err(error)
            }
        }
    }

    /// One writer's turn, in a savepoint of the group's transaction.
    fn take_turn<T, E, F>(&mut self, work: F) -> Turn<T, E>
    where
        F: FnOnce(&mut Appender<'_>) -> Result<T, E>,
        E: From<diesel::result::Error> + From<LedgerError>,
    {
        let (Some(conn), Some(open)) = (self.conn.as_mut(), self.open.as_mut()) else {
            return Turn::Refused(LedgerError::from(DbError::TaskFailed).into());
        };
        if let Err(error) = Transactions::begin_transaction(conn) {
            self.fail_group(&error.to_string());
            return Turn::Refused(error.into());
        }
        open.turns += 1;
        let head = open.head;
        let ran = panic::catch_unwind(AssertUnwindSafe(|| {
            let mut appender = Appender::new(conn, head);
            let done = work(&mut appender)?;
            Ok::<_, E>((done, appender.head()))
        }));
        match ran {
            // The work must leave the depth as it found it (a panic inside a transaction of
            // its own would not): only then does releasing the savepoint keep its writes.
            Ok(Ok((done, head))) if depth(conn) == Some(2) => {
                match Transactions::commit_transaction(conn) {
                    Ok(()) if depth(conn) == Some(1) => {
                        open.head = head;
                        open.members += 1;
                        Turn::Done(done)
                    }
                    Ok(()) => {
                        self.fail_group("a write left a transaction of its own open");
                        Turn::Refused(LedgerError::from(DbError::TaskFailed).into())
                    }
                    Err(error) => {
                        self.fail_group(&error.to_string());
                        Turn::Refused(error.into())
                    }
                }
            }
            Ok(Ok(_)) => {
                self.fail_group("a write left a transaction of its own open");
                Turn::Refused(LedgerError::from(DbError::TaskFailed).into())
            }
            Ok(Err(refusal)) => {
                self.roll_back_turn();
                Turn::Refused(refusal)
            }
            Err(payload) => {
                self.roll_back_turn();
                Turn::Panicked(payload)
            }
        }
    }

    /// Undoes a refused turn, down to the group's own transaction (a panic may have left a
    /// transaction of the work's own open above the turn's savepoint); if that fails, the
    /// whole group is lost.
    fn roll_back_turn(&mut self) {
        let Some(conn) = self.conn.as_mut() else {
            return;
        };
        while depth(conn).is_some_and(|depth| depth > 1) {
            if let Err(error) = Transactions::rollback_transaction(conn) {
                self.fail_group(&format!("could not roll back a refused write: {error}"));
                return;
            }
        }
        if depth(conn) != Some(1) {
            self.fail_group("the group's transaction was lost with a refused write");
        }
    }

    /// Ends the open group: commits it (or, if no writer's work is in it, rolls it back) and
    /// keeps the outcome for the members waiting (all but the closer, if it is a member).
    fn close(&mut self, closer_is_member: bool) -> Result<(), String> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        let Some(conn) = self.conn.as_mut() else {
            return Err("the group's connection was lost".to_owned());
        };
        let started = std::time::Instant::now();
        let outcome = if depth(conn) != Some(1) {
            Err("the group's transaction was not at its own level".to_owned())
        } else if open.members == 0 {
            Transactions::rollback_transaction(conn).map_err(|e| e.to_string())
        } else {
            // The group's one signed head, in its transaction: a group that cannot sign it
            // commits nothing.
            match super::heads::current() {
                Some(sealer) => seal_if_moved(conn, &sealer, open.locked, open.head)
                    .map_err(|e| format!("the group's tree head was not signed: {e}")),
                None => Ok(()),
            }
            .and_then(|()| Transactions::commit_transaction(conn).map_err(|e| e.to_string()))
        };
        let outcome = outcome.and_then(|()| match depth(conn) {
            Some(0) => Ok(()),
            _ => Err("the group's transaction did not end".to_owned()),
        });
        if outcome.is_err() {
            // Whether a lost COMMIT took effect is unknown: name the entries for reconciling.
            tracing::error!(
                error = ?outcome,
                members = open.members,
                first_seq = open.first_seq,
                next_seq = open.head.next_seq,
                "a group commit failed"
            );
            self.discard_transaction();
        }
        let waiting = open.members - usize::from(closer_is_member);
        if waiting > 0 {
            self.ended.insert(
                open.id,
                Ended {
                    outcome: outcome.clone(),
                    waiting,
                },
            );
            self.ended_since_notice = true;
        }
        crate::metrics::group_committed(open.members, started.elapsed());
        outcome
    }

    /// The group's transaction broke: roll it back and tell its waiting members.
    fn fail_group(&mut self, reason: &str) {
        tracing::error!(reason, "a group's transaction broke; rolling it back");
        self.discard_transaction();
        if let Some(open) = self.open.take() {
            if open.members > 0 {
                self.ended.insert(
                    open.id,
                    Ended {
                        outcome: Err(reason.to_owned()),
                        waiting: open.members,
                    },
                );
                self.ended_since_notice = true;
            }
        }
    }

    /// Gives up the connection: closing it rolls back whatever it holds, on the server, even
    /// when diesel's view of it is broken. The next group connects afresh.
    fn discard_transaction(&mut self) {
        self.conn = None;
    }
}
