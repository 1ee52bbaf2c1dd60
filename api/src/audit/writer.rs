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

use tokio::sync::oneshot;

use super::store::{self, Actor, Entry};
use crate::db::PgPool;
use crate::error::{ApiError, ApiResult};

/// At most this many events go in one statement: 11 parameters a row stays
/// far below Postgres' 65,535.
const MAX_BATCH: usize = 1_000;

/// The events a read recorded, held until the writer has committed them.
#[derive(Debug, Clone, Default)]
pub struct Held(Arc<Mutex<Vec<Entry>>>);

impl Held {
    /// Keeps `entry` for the writer.
    pub fn hold(&self, entry: Entry) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }

    fn take(&self) -> Vec<Entry> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
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

    /// Writes the events `held` collected for `actor` and returns once they
    /// are committed (at once when there are none).
    pub async fn write(&self, actor: Actor, held: &Held) -> ApiResult<()> {
        let entries = held.take();
        if entries.is_empty() {
            return Ok(());
        }
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
        let result = write_batch(pool, &batch);
        for read in batch {
            // A read whose client went away no longer waits; its events
            // are written all the same.
            let _ = read.committed.send(result.clone());
        }
    }
}

fn write_batch(pool: &PgPool, batch: &[Pending]) -> ApiResult<()> {
    let mut conn = pool.get()?;
    store::record_all(
        &mut conn,
        batch
            .iter()
            .flat_map(|read| read.entries.iter().map(move |e| (&read.actor, e))),
    )?;
    Ok(())
}
