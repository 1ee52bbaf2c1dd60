//! Group commit for the audit events of reads.
//!
//! A read of patient data must leave its audit event durable before the
//! answer leaves, but alone it would pay a whole `INSERT` and commit (a WAL
//! flush) for one row: for `GET /patients/{id}` that is the dearest of its
//! statements. Reads therefore hand their events to one writer thread,
//! which takes every event waiting when it wakes, writes them as one
//! multi-row `INSERT` (one statement, one commit) and then releases each
//! read to answer. Under load the batch grows with the queue; alone, a read
//! waits for its own commit, as before. Changes keep writing their events
//! in their own transaction (`audit::log`).

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

use diesel::PgConnection;
use tokio::sync::oneshot;

use super::store::{self, Actor, Entry};
use crate::db::PgPool;
use crate::error::{ApiError, ApiResult};

/// At most this many events go in one statement: 11 parameters a row stays
/// far below Postgres' 65,535.
const MAX_BATCH: usize = 1_000;

/// The events a read recorded, and who recorded them, held until the writer
/// has committed them. The flow that answers makes it before the caller is
/// confirmed (a read may confirm its caller in its own statement), so the
/// actor comes with the first event.
#[derive(Debug, Clone, Default)]
pub struct Held(Arc<Mutex<Holding>>);

#[derive(Debug, Default)]
struct Holding {
    actor: Option<Actor>,
    entries: Vec<Entry>,
}

impl Held {
    /// Keeps `entry`, recorded by `actor`, for the writer. A read runs as one
    /// caller, so the first actor stands for all its events.
    pub fn hold(&self, actor: &Actor, entry: Entry) {
        let mut holding = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if holding.actor.is_none() {
            holding.actor = Some(actor.clone());
        }
        holding.entries.push(entry);
    }

    fn take(&self) -> Option<(Actor, Vec<Entry>)> {
        let mut holding = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = std::mem::take(&mut holding.entries);
        holding
            .actor
            .take()
            .filter(|_| !entries.is_empty())
            .map(|actor| (actor, entries))
    }
}

/// One read's events and the way to tell it they are committed.
struct Pending {
    actor: Actor,
    entries: Vec<Entry>,
    committed: oneshot::Sender<ApiResult<()>>,
}

/// The handle reads write through; the thread behind it stops when the
/// last handle is dropped (with the server's pool).
#[derive(Debug)]
pub struct Writer {
    queue: Sender<Pending>,
}

impl Writer {
    /// Starts the writer thread on connections from `pool`.
    pub fn start(pool: PgPool) -> std::io::Result<Writer> {
        let (queue, pending) = mpsc::channel();
        thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || run(&pool, &pending))?;
        Ok(Writer { queue })
    }

    /// Writes the events `held` collected and returns once they are
    /// committed (at once when there are none).
    pub async fn write(&self, held: &Held) -> ApiResult<()> {
        let Some((actor, entries)) = held.take() else {
            return Ok(());
        };
        let (committed, done) = oneshot::channel();
        let stopped = || ApiError::internal("the audit writer stopped");
        self.queue
            .send(Pending {
                actor,
                entries,
                committed,
            })
            .map_err(|_| stopped())?;
        done.await.map_err(|_| stopped())?
    }
}

fn run(pool: &PgPool, pending: &Receiver<Pending>) {
    while let Ok(first) = pending.recv() {
        let mut rows = first.entries.len();
        let mut batch = vec![first];
        while rows < MAX_BATCH {
            match pending.try_recv() {
                Ok(next) => {
                    rows += next.entries.len();
                    batch.push(next);
                }
                Err(_) => break,
            }
        }
        let results = commit_each(&batch, |reads| write_reads(pool, reads));
        for (read, result) in batch.into_iter().zip(results) {
            // A read whose client went away no longer waits; its events
            // are written all the same.
            let _ = read.committed.send(result);
        }
    }
}

/// Commits `batch` with `write`, in one go when it can: the result for
/// each read, in order. When the whole batch fails, each read is written
/// alone, so an event the database refuses fails only its own read, not
/// the others that happened to share its batch. A database that is away
/// (`Unavailable`) fails them all at once: retrying one by one would only
/// wait longer for the same answer.
fn commit_each<T>(
    batch: &[T],
    mut write: impl FnMut(&[&T]) -> ApiResult<()>,
) -> Vec<ApiResult<()>> {
    let all: Vec<&T> = batch.iter().collect();
    match write(&all) {
        Ok(()) => vec![Ok(()); batch.len()],
        Err(e) if batch.len() == 1 || matches!(e, ApiError::Unavailable(_)) => {
            vec![Err(e); batch.len()]
        }
        Err(_) => batch.iter().map(|read| write(&[read])).collect(),
    }
}

/// Commits the events each of `helds` collected on `conn`, all in one
/// statement when it can (as the writer thread does): the result for each,
/// in order. For a thread that read the records itself and holds a
/// connection already (`http::batch`).
pub fn commit_held(conn: &mut PgConnection, helds: &[Held]) -> Vec<ApiResult<()>> {
    let taken: Vec<Option<(Actor, Vec<Entry>)>> = helds.iter().map(Held::take).collect();
    commit_present(&taken, |reads| {
        store::record_all(
            conn,
            reads
                .iter()
                .flat_map(|(actor, entries)| entries.iter().map(move |e| (actor, e))),
        )?;
        Ok(())
    })
}

/// [`commit_each`] over the reads that have events (`Some`); a read
/// without any (refused, or found nothing) succeeds and sends nothing.
fn commit_present<T>(
    reads: &[Option<T>],
    mut write: impl FnMut(&[&T]) -> ApiResult<()>,
) -> Vec<ApiResult<()>> {
    let present: Vec<&T> = reads.iter().flatten().collect();
    if present.is_empty() {
        return vec![Ok(()); reads.len()];
    }
    let mut written = commit_each(&present, |rows: &[&&T]| {
        let rows: Vec<&T> = rows.iter().map(|r| **r).collect();
        write(&rows)
    })
    .into_iter();
    reads
        .iter()
        .map(|read| match read {
            Some(_) => written.next().unwrap_or(Ok(())),
            None => Ok(()),
        })
        .collect()
}

fn write_reads(pool: &PgPool, reads: &[&Pending]) -> ApiResult<()> {
    let mut conn = pool.get()?;
    store::record_all(
        &mut conn,
        reads
            .iter()
            .flat_map(|read| read.entries.iter().map(move |e| (&read.actor, e))),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake database: refuses any write that holds a negative number, or
    /// everything while it is "away"; counts the statements it was sent.
    fn database(away: bool, statements: &mut usize) -> impl FnMut(&[&i32]) -> ApiResult<()> + '_ {
        move |rows| {
            *statements += 1;
            if away {
                Err(ApiError::Unavailable("the database is away".into()))
            } else if rows.iter().any(|r| **r < 0) {
                Err(ApiError::internal("value out of range"))
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn a_batch_the_database_takes_is_one_statement_and_every_read_succeeds() {
        let mut statements = 0;
        let results = commit_each(&[1, 2, 3], database(false, &mut statements));
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(statements, 1);
    }

    #[test]
    fn an_event_the_database_refuses_fails_only_its_own_read() {
        let mut statements = 0;
        let results = commit_each(&[1, -2, 3], database(false, &mut statements));
        let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
        assert_eq!(ok, vec![true, false, true]);
        assert_eq!(statements, 4, "the batch, then each read alone");
    }

    #[test]
    fn a_database_that_is_away_fails_the_whole_batch_at_once_with_a_503() {
        let mut statements = 0;
        let results = commit_each(&[1, 2, 3], database(true, &mut statements));
        assert_eq!(results.len(), 3);
        assert!(
            results
                .iter()
                .all(|r| matches!(r, Err(ApiError::Unavailable(_))))
        );
        assert_eq!(statements, 1);
    }

    #[test]
    fn reads_without_events_succeed_and_send_nothing_while_a_refused_event_fails_only_its_read() {
        let mut statements = 0;
        let results = commit_present(
            &[Some(1), None, Some(-2), None, Some(3)],
            database(false, &mut statements),
        );
        let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
        assert_eq!(ok, vec![true, true, false, true, true]);
        assert_eq!(statements, 4, "the batch, then each read with events alone");
    }

    #[test]
    fn a_batch_of_reads_without_events_sends_no_statement() {
        let mut statements = 0;
        let results = commit_present(&[None::<i32>, None], database(false, &mut statements));
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(statements, 0);
    }

    #[test]
    fn a_lone_read_that_fails_is_not_written_twice() {
        let mut statements = 0;
        let results = commit_each(&[-1], database(false, &mut statements));
        assert!(results[0].is_err());
        assert_eq!(statements, 1);
    }
}
