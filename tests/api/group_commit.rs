//! Group commit (issue 17): writers waiting for the ledger at once share one transaction and
//! one commit, each in its own savepoint. Under many concurrent writers, also from a second
//! committer standing for another app instance, the ledger stays gapless, linked and verifiable;
//! a refused write inside a group takes nothing of the others with it.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use cartrec::db::{build_pool, DbConn};
use cartrec::error::AppError;
use cartrec::ledger::{self, group, Actor, EventKind, GroupCommit, NewEvent, Stream};
use serde_json::json;

use crate::helpers::spawn_app;
use crate::ledger_integrity::{append_test_events, assert_verifies, entry_count};

fn event(stream: &str, i: usize) -> NewEvent {
    NewEvent::from_value(
        Stream::parse(stream).expect("stream"),
        EventKind::parse("test.appended").expect("kind"),
        json!({ "i": i }),
    )
    .expect("event")
}

/// The `i` of every entry of `stream`, in order.
fn appended_in(conn: &mut DbConn, stream: &str) -> Vec<i64> {
    ledger::stream_entries(conn, &Stream::parse(stream).expect("stream"))
        .expect("entries")
        .iter()
        .map(|entry| {
            let payload: serde_json::Value =
                serde_json::from_slice(&entry.payload_bytes).expect("payload");
            payload["i"].as_i64().expect("i")
        })
        .collect()
}

/// Covers: GMP-LED-5
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_writers_in_groups_and_another_instance_stay_gapless_linked_and_verified() {
    let app = spawn_app().await;
    let before = entry_count(&mut app.db.connect());
    let pool = build_pool(&app.db.url, 20).expect("pool");
    let sealer = app.sealer();
    // Two committers: this instance's, and one standing for a second app instance on the same
    // database, which only the lock row serializes with the first.
    let instances = [
        GroupCommit::new(&app.db.url, group::DEFAULT_MAX_MEMBERS),
        GroupCommit::new(&app.db.url, group::DEFAULT_MAX_MEMBERS),
    ];
    const WRITERS: usize = 16;
    const EACH: usize = 150;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (pool, committer, sealer) =
                (pool.clone(), instances[w % 2].clone(), sealer.clone());
            std::thread::spawn(move || {
                let mut conn = pool.get().expect("connection");
                as_instance(&sealer, &committer, || {
                    append_test_events(&mut conn, &format!("G{w}"), EACH)
                });
            })
        })
        .collect();
    // And a writer with no committer at all (a command-line tool), one transaction each.
    let alone = {
        let (pool, sealer) = (pool.clone(), sealer.clone());
        std::thread::spawn(move || {
            ledger::heads::within(Some(&sealer), || {
                append_test_events(&mut pool.get().expect("c"), "ALONE", 100)
            })
        })
    };
    for writer in writers {
        writer.join().expect("writer finished");
    }
    alone.join().expect("alone finished");

    let total = before + (WRITERS * EACH) as i64 + 100;
    let mut conn = app.db.connect();
    for w in 0..WRITERS {
        assert_eq!(
            appended_in(&mut conn, &format!("batch/G{w}")),
            (0..EACH as i64).collect::<Vec<_>>()
        );
    }
    assert_verifies(&app, total);
    let stats: Vec<_> = instances.iter().map(|c| c.stats()).collect();
    let writes: u64 = stats.iter().map(|s| s.writes).sum();
    let groups: u64 = stats.iter().map(|s| s.groups).sum();
    assert_eq!(writes, (WRITERS * EACH) as u64, "{stats:?}");
    assert!(groups < writes, "no write shared a commit: {stats:?}");
    println!("{writes} writes in {groups} groups ({stats:?})");
}

/// Three writers in one group: the first holds its turn until the other two are queued, the
/// second appends and is then refused. The first and third commit; nothing of the second does.
///
/// Covers: GMP-LED-5
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_in_a_group_leaves_the_others_committed() {
    let app = spawn_app().await;
    let before = entry_count(&mut app.db.connect());
    let pool = build_pool(&app.db.url, 4).expect("pool");
    let sealer = app.sealer();
    let committer = GroupCommit::new(&app.db.url, group::DEFAULT_MAX_MEMBERS);
    let (go_on, wait) = mpsc::channel::<()>();

    let (entered, inside) = mpsc::channel::<()>();
    let write = |name: &'static str, refuse: bool, hold: Option<mpsc::Receiver<()>>| {
        let entered = entered.clone();
        let (pool, committer, sealer) = (pool.clone(), committer.clone(), sealer.clone());
        std::thread::spawn(move || {
            let mut conn = pool.get().expect("connection");
            as_instance(&sealer, &committer, || {
                ledger::write(&mut conn, |tx| {
                    tx.append(&Actor::system(), event(&format!("batch/{name}"), 0))?;
                    if let Some(hold) = hold {
                        entered.send(()).expect("tell the test");
                        hold.recv().expect("released");
                    }
                    if refuse {
                        return Err(AppError::BadRequest(format!("{name} refused")));
                    }
                    Ok::<_, AppError>(())
                })
            })
        })
    };
    let first = write("FIRST", false, Some(wait));
    inside
        .recv()
        .expect("the first is inside its turn, holding the group's connection");
    let second = write("SECOND", true, None);
    wait_until(|| committer.queued() == 1);
    let third = write("THIRD", false, None);
    wait_until(|| committer.queued() == 2);
    go_on.send(()).expect("release the first");

    assert!(first.join().expect("first").is_ok());
    let refused = second.join().expect("second");
    assert!(
        matches!(&refused, Err(AppError::BadRequest(m)) if m == "SECOND refused"),
        "{refused:?}"
    );
    assert!(third.join().expect("third").is_ok());

    assert_eq!(
        committer.stats(),
        group::GroupStats {
            groups: 1,
            writes: 2
        },
        "the three shared one group"
    );
    let mut conn = app.db.connect();
    assert_eq!(appended_in(&mut conn, "batch/FIRST"), vec![0]);
    assert_eq!(appended_in(&mut conn, "batch/SECOND"), Vec::<i64>::new());
    assert_eq!(appended_in(&mut conn, "batch/THIRD"), vec![0]);
    assert_verifies(&app, before + 2);
    // The lock row names the new head: a later write, alone, appends after it.
    app.sealed(|| append_test_events(&mut conn, "AFTER", 1));
    assert_verifies(&app, before + 3);
}

/// Runs `work` as a writer of `committer`'s instance, which signs with the server's key.
fn as_instance<R>(
    sealer: &std::sync::Arc<ledger::Sealer>,
    committer: &std::sync::Arc<GroupCommit>,
    work: impl FnOnce() -> R,
) -> R {
    ledger::heads::within(Some(sealer), || group::within(Some(committer), work))
}

fn wait_until(condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A writer whose work panics inside a transaction of its own (one level above its savepoint)
/// is rolled back to the group's level; the writer after it in the same group commits, and the
/// panicking writer's entry is nowhere.
///
/// Covers: GMP-LED-5
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_panics_inside_its_own_transaction_takes_nothing_with_it() {
    use diesel::Connection;
    let app = spawn_app().await;
    let before = entry_count(&mut app.db.connect());
    let pool = build_pool(&app.db.url, 4).expect("pool");
    let sealer = app.sealer();
    let committer = GroupCommit::new(&app.db.url, group::DEFAULT_MAX_MEMBERS);
    let (entered, inside) = mpsc::channel::<()>();
    let (go_on, wait) = mpsc::channel::<()>();

    let panicking = {
        let (pool, committer, sealer) = (pool.clone(), committer.clone(), sealer.clone());
        std::thread::spawn(move || {
            let mut conn = pool.get().expect("connection");
            as_instance(&sealer, &committer, || {
                ledger::write(&mut conn, |tx| {
                    tx.append(&Actor::system(), event("batch/PANIC", 0))?;
                    entered.send(()).expect("tell the test");
                    wait.recv().expect("released");
                    tx.conn()
                        .transaction::<(), AppError, _>(|_| panic!("a bug inside a transaction"))
                })
            })
        })
    };
    inside.recv().expect("the first writer holds its turn");
    let after = {
        let (pool, committer, sealer) = (pool.clone(), committer.clone(), sealer.clone());
        std::thread::spawn(move || {
            let mut conn = pool.get().expect("connection");
            as_instance(&sealer, &committer, || {
                append_test_events(&mut conn, "AFTER", 1)
            })
        })
    };
    wait_until(|| committer.queued() == 1);
    go_on.send(()).expect("release");
    assert!(
        panicking.join().is_err(),
        "the panic reaches its own caller"
    );
    after.join().expect("the next writer commits");

    let mut conn = app.db.connect();
    assert_eq!(appended_in(&mut conn, "batch/PANIC"), Vec::<i64>::new());
    assert_eq!(appended_in(&mut conn, "batch/AFTER"), vec![0]);
    assert_eq!(committer.stats().writes, 1);
    assert_verifies(&app, before + 1);
}

/// The group keeps one connection between groups. When PostgreSQL drops it (a restart, a
/// failover, an idle timeout), the next write connects afresh instead of failing, and so does
/// every write after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_replaced_by_the_next_write() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    if !app.db.is_postgres() {
        return; // a SQLite connection is a file handle: nothing can drop it
    }
    let before = entry_count(&mut app.db.connect());
    let pool = build_pool(&app.db.url, 2).expect("pool");
    let sealer = app.sealer();
    let committer = GroupCommit::new(&app.db.url, group::DEFAULT_MAX_MEMBERS);
    let write = |name: &str| {
        let mut conn = pool.get().expect("connection");
        as_instance(&sealer, &committer, || {
            append_test_events(&mut conn, name, 1)
        });
    };
    write("BEFORE");
    let mut admin = app.db.connect();
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&mut admin)
    .expect("terminate the other connections");
    write("AFTER-1");
    write("AFTER-2");
    assert_verifies(&app, before + 3);
}
