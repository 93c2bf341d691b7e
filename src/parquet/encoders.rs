//! The column encoders of a [`ParquetWriter`](super::ParquetWriter): column writers fed by the
//! caller's thread and, with more than one thread, by helper threads that take any column's
//! next piece of work.
//!
//! Each column's work is a queue — start a row group, encode a batch's values, close the row
//! group — done in order, so a column chunk's bytes never depend on which thread did what. There
//! is no wait for every column at each batch: a thread that is done with one column takes
//! another's pending work, of the same batch or the next. The writer learns the encoded size of
//! a row group after each write once every column has done it ([`Encoders::snapshot`]); it
//! judges row groups by the size [`LAG`] writes back, so that this many writes can be in
//! progress at once, on any number of threads alike.
//!
//! A thread keeps the columns it worked on last while they have work (their state is in its
//! caches). The caller's thread, which also decodes and queues the writes, only takes work of
//! the writes it waits for, so that it is soon back to queue the next one; it waits too while
//! the writes in progress hold more than their limit ([`DEFAULT_MAX_PENDING_BYTES`] unless
//! set), and it drops the values the
//! helpers are done with, as it allocated them ([`State::made_here`]).

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use parquet::arrow::arrow_writer::{ArrowColumnChunk, ArrowColumnWriter, ArrowLeafColumn};
use parquet::errors::{ParquetError, Result};
use parquet::file::writer::SerializedRowGroupWriter;

use super::chunk::ColumnChunk;
use super::integers::IntegerColumnWriter;
use super::text::TextColumnWriter;

/// A column's writer for one row group: parquet's, or this crate's for text and integer
/// columns.
pub(super) enum ColumnWriter {
    Arrow(Box<ArrowColumnWriter>),
    Text(Box<TextColumnWriter>),
    Integers(Box<IntegerColumnWriter>),
}

/// A column's values of one write: parquet's leaves, or the Arrow column for this crate's
/// writers.
pub(super) enum Leaf {
    Arrow(ArrowLeafColumn),
    Array(arrow::array::ArrayRef),
}

/// A closed column chunk.
pub(super) enum Chunk {
    Arrow(ArrowColumnChunk),
    Own(ColumnChunk),
}

impl ColumnWriter {
    fn write(&mut self, leaf: &Leaf) -> Result<()> {
        match (self, leaf) {
            (ColumnWriter::Arrow(writer), Leaf::Arrow(leaf)) => writer.write(leaf),
            (ColumnWriter::Text(writer), Leaf::Array(array)) => writer.write(array.as_ref()),
            (ColumnWriter::Integers(writer), Leaf::Array(array)) => writer.write(array.as_ref()),
            _ => Err(ParquetError::General(
                "a column's values do not match its writer".into(),
            )),
        }
    }

    /// Estimated encoded bytes so far.
    fn estimated_total_bytes(&self) -> usize {
        match self {
            ColumnWriter::Arrow(writer) => writer.get_estimated_total_bytes(),
            ColumnWriter::Text(writer) => writer.estimated_total_bytes(),
            ColumnWriter::Integers(writer) => writer.estimated_total_bytes(),
        }
    }

    /// Heap bytes held.
    fn memory_size(&self) -> usize {
        match self {
            ColumnWriter::Arrow(writer) => writer.memory_size(),
            ColumnWriter::Text(writer) => writer.memory_size(),
            ColumnWriter::Integers(writer) => writer.memory_size(),
        }
    }

    fn close(self) -> Result<Chunk> {
        match self {
            ColumnWriter::Arrow(writer) => writer.close().map(Chunk::Arrow),
            ColumnWriter::Text(writer) => writer.close().map(Chunk::Own),
            ColumnWriter::Integers(writer) => writer.close().map(Chunk::Own),
        }
    }
}

impl Chunk {
    /// Appends the chunk to the row group being written.
    pub(super) fn append_to_row_group<W: std::io::Write + Send>(
        self,
        writer: &mut SerializedRowGroupWriter<'_, W>,
    ) -> Result<()> {
        match self {
            Chunk::Arrow(chunk) => chunk.append_to_row_group(writer),
            Chunk::Own(chunk) => chunk.append_to_row_group(writer),
        }
    }
}

/// Writes a row group's size is judged behind by: the writer decides where a row group ends
/// from its encoded size after the write this many writes before the next one.
pub(super) const LAG: u64 = 2;

/// Most Arrow bytes of writes in progress before the writer waits for them (however many
/// [`LAG`] allows), by default: batches of long lines reach 32 MiB each.
pub(crate) const DEFAULT_MAX_PENDING_BYTES: usize = 40 << 20;

/// One piece of one column's work.
enum Task {
    /// The column writer of the next row group.
    Start(ColumnWriter),
    /// Encode the values of write `seq`.
    Write(u64, Leaf),
    /// Close the row group `group` (numbered from 0); queued after write `seq - 1`.
    Close { group: u64, seq: u64 },
}

impl Task {
    /// The write this task comes with: the order in which the columns' work is taken.
    fn seq(&self) -> u64 {
        match self {
            Task::Start(_) => 0,
            Task::Write(seq, _) | Task::Close { seq, .. } => *seq,
        }
    }
}

struct Column {
    /// The writer of the row group in progress (taken while a thread works with it).
    writer: Option<ColumnWriter>,
    tasks: VecDeque<Task>,
    busy: bool,
    /// What the last writes took, in microseconds (a running average): the costliest column
    /// is taken first among equals.
    cost: u64,
    /// The thread that worked on it last (it keeps it, while it has work, for its caches).
    owner: usize,
}

/// A write that not every column has done yet.
struct Pending {
    seq: u64,
    /// Rows of the row group after the write.
    rows: usize,
    /// Estimated encoded bytes of the columns that did it.
    bytes: usize,
    /// Heap bytes the writers of the columns that did it hold (their buffered pages,
    /// dictionaries and encoders).
    held: usize,
    done: usize,
    /// Arrow bytes of its values.
    memory: usize,
}

/// A row group in progress after a write that every column has done.
#[derive(Debug, Clone, Copy)]
pub(super) struct Snapshot {
    seq: u64,
    /// Rows of the row group.
    pub(super) rows: usize,
    /// Estimated encoded bytes of its columns.
    pub(super) bytes: usize,
    /// Heap bytes its column writers hold: the encoded pages, and what the estimate leaves
    /// out — the dictionaries' hash tables and value ranges, the buffers of the pages being
    /// filled.
    pub(super) held: usize,
}

/// A row group whose columns are being closed.
struct Closing {
    chunks: Vec<Option<Chunk>>,
    missing: usize,
}

#[derive(Default)]
struct State {
    columns: Vec<Column>,
    pending: VecDeque<Pending>,
    /// Arrow bytes of the writes in `pending`.
    pending_memory: usize,
    /// The last writes every column has done, oldest first.
    finished: VecDeque<Snapshot>,
    /// Row groups closed and not yet handed out, oldest first, from number `closing_from`.
    closing: VecDeque<Closing>,
    closing_from: u64,
    error: Option<ParquetError>,
    /// Set once an error was handed out: nothing more is done.
    failed: bool,
    stop: bool,
    /// Helpers waiting for work.
    sleeping: usize,
    /// Values that helpers are done with, left for the caller's thread to drop: it allocated
    /// them, and a thread that frees another's allocations takes the allocator's lock of that
    /// thread's heap (glibc), which stalled both threads hundreds of times per second.
    made_here: Vec<Leaf>,
    /// While the caller's thread waits: the last write whose work it would take.
    main_waits: Option<u64>,
}

impl State {
    /// The column whose next task comes first (the costliest among equals), after setting up
    /// the columns whose next task is a new row group's writer.
    fn pick(&mut self, me: usize, limit: u64) -> Option<usize> {
        if self.error.is_some() || self.failed {
            return None;
        }
        let mut best = None;
        for (i, column) in self.columns.iter_mut().enumerate() {
            if column.busy {
                continue;
            }
            if let Some(Task::Start(_)) = column.tasks.front() {
                let Some(Task::Start(writer)) = column.tasks.pop_front() else {
                    unreachable!("just seen")
                };
                column.writer = Some(writer);
            }
            let Some(task) = column.tasks.front().filter(|t| t.seq() <= limit) else {
                continue;
            };
            let key = (
                column.owner != me,
                task.seq(),
                std::cmp::Reverse(column.cost),
            );
            if best.as_ref().is_none_or(|(_, b)| key < *b) {
                best = Some((i, key));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Records that a column did write `seq` (and has `bytes` encoded, `held` in memory);
    /// returns whether every column has now done it.
    fn wrote(&mut self, seq: u64, bytes: usize, held: usize) -> bool {
        let columns = self.columns.len();
        let front = self.pending.front().map_or(seq, |p| p.seq);
        let entry = &mut self.pending[(seq - front) as usize];
        entry.bytes += bytes;
        entry.held += held;
        entry.done += 1;
        let complete = entry.done == columns;
        while self.pending.front().is_some_and(|p| p.done == columns) {
            let p = self.pending.pop_front().expect("just seen");
            self.pending_memory -= p.memory;
            self.finished.push_back(Snapshot {
                seq: p.seq,
                rows: p.rows,
                bytes: p.bytes,
                held: p.held,
            });
            if self.finished.len() > LAG as usize + 1 {
                self.finished.pop_front();
            }
        }
        complete
    }

    /// Records a closed column chunk; returns whether its row group is now complete.
    fn closed(&mut self, group: u64, column: usize, chunk: Chunk) -> bool {
        let closing = &mut self.closing[(group - self.closing_from) as usize];
        closing.chunks[column] = Some(chunk);
        closing.missing -= 1;
        closing.missing == 0
    }

    /// Records the first error; returns true (something the caller's thread must see).
    fn fail(&mut self, error: ParquetError) -> bool {
        if self.error.is_none() && !self.failed {
            self.error = Some(error);
        }
        true
    }
}

struct Shared {
    state: Mutex<State>,
    /// Wakes a helper: work was queued, or a column with work was let go.
    work: Condvar,
    /// Wakes the caller's thread: what it waits for may have happened, or work it would take
    /// was let go.
    progress: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A thread that panicked while holding the lock left the state as it was between two
        // tasks; its column stays busy, and the caller gets an error when it waits for it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes whoever may want to know that column `c` was let go after a task (which
    /// `progressed`: completed a write or a row group, or failed). Only threads that wait are
    /// woken, and only for what they wait for.
    fn let_go(&self, st: &State, c: usize, progressed: bool) {
        let next = st.columns[c].tasks.front().map(Task::seq);
        if let Some(limit) = st.main_waits
            && (progressed || next.is_some_and(|seq| seq <= limit))
        {
            self.progress.notify_one();
        }
        if st.sleeping > 0 && next.is_some() {
            self.work.notify_one();
        }
    }

    /// Wakes the helpers that wait, once work was queued.
    fn queued(&self, st: &State) {
        if st.sleeping > 0 {
            self.work.notify_all();
        }
    }

    /// Does one task, if one is ready; returns the guard and whether a task was done.
    fn work_once<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        me: usize,
        limit: u64,
    ) -> (MutexGuard<'a, State>, bool) {
        let Some(c) = st.pick(me, limit) else {
            return (st, false);
        };
        let column = &mut st.columns[c];
        let task = column.tasks.pop_front().expect("picked for its task");
        column.owner = me;
        let mut writer = column.writer.take().expect("a started column has a writer");
        column.busy = true;
        drop(st);
        let started = Instant::now();
        match task {
            Task::Write(seq, leaf) => {
                let result = writer
                    .write(&leaf)
                    .map(|()| (writer.estimated_total_bytes(), writer.memory_size()));
                let took = started.elapsed().as_micros() as u64;
                let mut st = self.lock();
                if me != 0 {
                    // Freed by the caller's thread, which made it (see `State::made_here`).
                    st.made_here.push(leaf);
                }
                let column = &mut st.columns[c];
                column.writer = Some(writer);
                column.busy = false;
                column.cost = (column.cost * 3 + took) / 4;
                let progressed = match result {
                    Ok((bytes, held)) => st.wrote(seq, bytes, held),
                    Err(e) => st.fail(e),
                };
                self.let_go(&st, c, progressed);
                (st, true)
            }
            Task::Close { group, .. } => {
                let result = writer.close();
                let mut st = self.lock();
                st.columns[c].busy = false;
                let progressed = match result {
                    Ok(chunk) => st.closed(group, c, chunk),
                    Err(e) => st.fail(e),
                };
                self.let_go(&st, c, progressed);
                (st, true)
            }
            Task::Start(_) => unreachable!("set up by pick"),
        }
    }
}

/// The column writers and the threads that feed them.
pub(super) struct Encoders {
    shared: Arc<Shared>,
    helpers: Vec<JoinHandle<()>>,
    /// Writes queued so far (the next write's number).
    next_seq: u64,
    /// Row groups closed so far (the next one's number).
    next_group: u64,
    /// Most Arrow bytes of writes in progress before [`Encoders::write`] waits.
    max_pending: usize,
}

impl Encoders {
    /// Encoders for `columns` columns on `threads` threads: the caller's and `threads - 1`
    /// helpers, holding at most `max_pending` Arrow bytes of writes in progress.
    pub(super) fn new(columns: usize, threads: usize, max_pending: usize) -> Self {
        let state = State {
            columns: (0..columns)
                .map(|_| Column {
                    writer: None,
                    tasks: VecDeque::new(),
                    busy: false,
                    cost: 0,
                    owner: 0,
                })
                .collect(),
            ..State::default()
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            work: Condvar::new(),
            progress: Condvar::new(),
        });
        let helpers = (1..threads)
            .map(|me| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || {
                    let mut st = shared.lock();
                    while !st.stop {
                        let (guard, worked) = shared.work_once(st, me, u64::MAX);
                        st = guard;
                        if !worked && !st.stop {
                            st.sleeping += 1;
                            st = shared.work.wait(st).unwrap_or_else(|e| e.into_inner());
                            st.sleeping -= 1;
                        }
                    }
                })
            })
            .collect();
        Encoders {
            shared,
            helpers,
            next_seq: 0,
            next_group: 0,
            max_pending,
        }
    }

    /// The next write's number.
    pub(super) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Starts a row group with these column writers (one per column, in order).
    pub(super) fn start(&mut self, writers: Vec<ColumnWriter>) {
        let mut st = self.shared.lock();
        for (column, writer) in st.columns.iter_mut().zip(writers) {
            column.tasks.push_back(Task::Start(writer));
        }
        self.shared.queued(&st);
    }

    /// Queues a write of `leaves` (one per column, `memory` Arrow bytes); `rows` is the row
    /// group's rows after it. Returns once the writes in progress hold at most
    /// `max_pending` bytes (or none is left, on one thread).
    pub(super) fn write(&mut self, leaves: Vec<Leaf>, rows: usize, memory: usize) -> Result<()> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let mut st = self.shared.lock();
        let spent = std::mem::take(&mut st.made_here);
        st.pending.push_back(Pending {
            seq,
            rows,
            bytes: 0,
            held: 0,
            done: 0,
            memory,
        });
        st.pending_memory += memory;
        for (column, leaf) in st.columns.iter_mut().zip(leaves) {
            column.tasks.push_back(Task::Write(seq, leaf));
        }
        self.shared.queued(&st);
        let max_pending = self.max_pending;
        let over = st.pending_memory > max_pending;
        drop(st);
        drop(spent);
        if self.helpers.is_empty() {
            // Alone: do it now, so that nothing waits in memory.
            drop(self.wait_until(u64::MAX, |st| st.pending.is_empty())?);
        } else if over {
            // The oldest writes first: the limit is `seq`, the newest.
            drop(self.wait_until(seq, |st| st.pending_memory <= max_pending)?);
        }
        Ok(())
    }

    /// Queues the closing of the row group in progress.
    pub(super) fn close(&mut self) -> Result<()> {
        let group = self.next_group;
        self.next_group += 1;
        let mut st = self.shared.lock();
        let columns = st.columns.len();
        st.closing.push_back(Closing {
            chunks: (0..columns).map(|_| None).collect(),
            missing: columns,
        });
        let seq = self.next_seq;
        for column in &mut st.columns {
            column.tasks.push_back(Task::Close { group, seq });
        }
        self.shared.queued(&st);
        drop(st);
        if self.helpers.is_empty() {
            drop(self.wait_until(u64::MAX, |st| {
                st.closing.back().is_none_or(|c| c.missing == 0)
            })?);
        }
        Ok(())
    }

    /// The row group after write `seq` (which must be one of the last [`LAG`] + 1 writes),
    /// once every column has done it; the caller's thread works meanwhile.
    pub(super) fn snapshot(&mut self, seq: u64) -> Result<Snapshot> {
        debug_assert!(seq < self.next_seq && seq + LAG + 1 >= self.next_seq);
        let st = self.wait_until(seq, |st| st.finished.back().is_some_and(|f| f.seq >= seq))?;
        st.finished
            .iter()
            .find(|f| f.seq == seq)
            .copied()
            .ok_or_else(|| ParquetError::General(format!("write {seq} is no longer known")))
    }

    /// The chunks of the oldest closed row group, if all its columns are closed; with `wait`,
    /// waits for them (`None` only when no row group is closing).
    pub(super) fn closed(&mut self, wait: bool) -> Result<Option<Vec<Chunk>>> {
        let ready = |st: &State| st.closing.front().is_none_or(|c| c.missing == 0);
        let mut st = if wait {
            self.wait_until(u64::MAX, ready)?
        } else {
            let st = self.shared.lock();
            if !ready(&st) {
                return Ok(None);
            }
            st
        };
        let Some(closing) = st.closing.pop_front() else {
            return Ok(None);
        };
        st.closing_from += 1;
        Ok(Some(
            closing
                .chunks
                .into_iter()
                .map(|c| c.expect("every column closed"))
                .collect(),
        ))
    }

    /// Works (or waits for the helpers) until `done` holds; the first error of any task ends
    /// the wait, and every later one.
    fn wait_until(
        &self,
        limit: u64,
        done: impl Fn(&State) -> bool,
    ) -> Result<MutexGuard<'_, State>> {
        let mut st = self.shared.lock();
        loop {
            if !st.made_here.is_empty() {
                // Dropped outside the lock, before judging what the writes hold.
                let spent = std::mem::take(&mut st.made_here);
                drop(st);
                drop(spent);
                st = self.shared.lock();
                continue;
            }
            if let Some(error) = st.error.take() {
                st.failed = true;
                return Err(error);
            }
            if st.failed {
                return Err(ParquetError::General(
                    "the Parquet encoding failed before".into(),
                ));
            }
            if done(&st) {
                return Ok(st);
            }
            let (guard, worked) = self.shared.work_once(st, 0, limit);
            st = guard;
            if !worked {
                // Helpers only end when told to: one that ended (a panic) left its column's
                // work undone; alone, nothing left to do means nothing will change.
                if self.helpers.iter().any(|h| h.is_finished()) || self.helpers.is_empty() {
                    st.failed = true;
                    return Err(ParquetError::General(
                        "a Parquet encoding thread stopped unexpectedly".into(),
                    ));
                }
                st.main_waits = Some(limit);
                st = self
                    .shared
                    .progress
                    .wait_timeout(st, std::time::Duration::from_millis(50))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
                st.main_waits = None;
            }
        }
    }
}

impl Drop for Encoders {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.work.notify_all();
        for helper in self.helpers.drain(..) {
            let _ = helper.join();
        }
    }
}
