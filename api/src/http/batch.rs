//! Reads of one record by id, many callers' at once.
//!
//! `GET /patients/{id}` is the API's busiest read. Alone, each read sends
//! its own statement (the sign-in check and the record together,
//! `Reading::load`) and shares a commit of its audit event with whichever
//! reads the audit writer found waiting, and the database's cost per
//! statement, not the server's, sets how many reads a second it can
//! answer. A [`Batcher`] hands every read waiting when its thread wakes to
//! one use case that reads them all in one statement, then commits all
//! their audit events in one `INSERT` on the same connection
//! (`audit::writer::commit_held`, which fails only the read whose event
//! the database refuses) and answers each: two statements for the batch,
//! and one thread hop per read. Under load the batch grows with the
//! queue; alone, a read waits for nobody and costs what it did. Each
//! caller is still confirmed by their own sign-in, in Rust, from the rows
//! the statement found beside their record.
//!
//! Measured against the same reads handing their events on to the audit
//! writer thread (bench/RESULTS.md, "The patient read batched"), the two
//! were alike; one thread doing both keeps a lone read to one hop.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use diesel::PgConnection;
use tokio::sync::oneshot;

use crate::audit;
use crate::audit::writer::Held;
use crate::auth::Reading;
use crate::db::PgPool;
use crate::error::{ApiError, ApiResult};

/// At most this many reads go in one statement: enough to drain the queue
/// of a busy server, few enough that one batch never keeps the next
/// waiting long.
const MAX_BATCH: usize = 64;

/// A use case that reads one record for each of many callers at once: an
/// answer per read, in order, each refused or missing on its own.
pub type ReadMany<Id, R> = fn(&mut PgConnection, Vec<(Reading, Id)>) -> Vec<ApiResult<R>>;

/// The handle reads are sent through; the thread behind it stops when the
/// last handle is dropped (with the server).
#[derive(Debug)]
pub struct Batcher<Id, R> {
    queue: Sender<Ask<Id, R>>,
}

/// One caller's read and the way to answer it.
struct Ask<Id, R> {
    reading: Reading,
    held: Held,
    id: Id,
    answer: oneshot::Sender<ApiResult<R>>,
}

impl<Id: Send + 'static, R: Send + 'static> Batcher<Id, R> {
    /// Starts a thread named `name` that answers reads with `use_case`, on
    /// connections from `pool`.
    pub fn start(name: &str, pool: PgPool, use_case: ReadMany<Id, R>) -> std::io::Result<Self> {
        let (queue, asks) = mpsc::channel();
        thread::Builder::new()
            .name(name.into())
            .spawn(move || run(&pool, &asks, use_case))?;
        Ok(Batcher { queue })
    }

    /// Reads record `id` as the caller `reading` names, with whichever
    /// other reads are waiting, and answers once the audit events the
    /// read left in `held` are committed.
    pub async fn read(&self, reading: Reading, held: Held, id: Id) -> ApiResult<R> {
        let (answer, answered) = oneshot::channel();
        let stopped = || ApiError::internal("the read batcher stopped");
        self.queue
            .send(Ask {
                reading,
                held,
                id,
                answer,
            })
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

fn run<Id, R>(pool: &PgPool, asks: &Receiver<Ask<Id, R>>, use_case: ReadMany<Id, R>) {
    while let Ok(first) = asks.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match asks.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let mut reads = Vec::with_capacity(batch.len());
        let mut helds = Vec::with_capacity(batch.len());
        let mut answers = Vec::with_capacity(batch.len());
        for ask in batch {
            reads.push((ask.reading, ask.id));
            helds.push(ask.held);
            answers.push(ask.answer);
        }
        let count = reads.len();
        let results = match pool.get() {
            // A bug that panics fails this batch's reads (their answers are
            // dropped: a 500 each), not every read after it.
            Ok(mut conn) => catch_unwind(AssertUnwindSafe(|| {
                let outcomes = use_case(&mut conn, reads);
                // What a read found before failing was still read: its
                // events are written all the same.
                let written = audit::writer::commit_held(&mut conn, &helds);
                outcomes
                    .into_iter()
                    .zip(written)
                    .map(|(outcome, written)| {
                        let value = outcome?;
                        written?;
                        Ok(value)
                    })
                    .collect()
            }))
            .unwrap_or_else(|_| Vec::new()),
            Err(e) => {
                let e = ApiError::from(e);
                (0..count).map(|_| Err(e.clone())).collect()
            }
        };
        for (answer, result) in answers.into_iter().zip(results) {
            // A caller who went away no longer waits.
            let _ = answer.send(result);
        }
    }
}
