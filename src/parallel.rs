//! Decoding one input on several threads: [`ParallelReader`], built by
//! [`ReaderBuilder::build_parallel`].
//!
//! A reading thread cuts the (decompressed) input into segments of
//! [`ReaderBuilder::with_segment_size`] bytes that end at line boundaries; decoding threads turn
//! each segment into batches and rejects with a decoder that numbers lines and offsets from the
//! segment's start; the caller's thread takes the batches in input order. Where an input cannot
//! be cut — a CloudFront standard log, whose `#Fields:` lines carry state from line to line, or
//! from a line longer than a segment onwards — the rest is decoded as one piece.

use std::io::{Cursor, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use arrow::array::{RecordBatch, RecordBatchReader};
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;

use crate::decoder::{Decoder, DecoderOptions};
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::reader::{BatchSource, GzipLimits, Input, ReadAhead, Reader, ReaderBuilder, read_input};
use crate::reject::{DecodeStats, HeldRejects, Reject};

/// The input type of a [`ParallelReader`]'s pieces.
type DynRead = Box<dyn Read + Send>;

/// One piece of work: a reader over one segment's bytes, or over the rest of the input.
type Job = Reader<DynRead>;

/// Batches a decoding thread may queue for one segment before it waits for the caller: none,
/// each is handed over directly, so at most one finished batch per thread waits (batches of long
/// lines reach 32 MiB; measured, a queue of two raised the converter's peak RSS on such input
/// from 114 to 179 MB).
const QUEUED_BATCHES: usize = 0;

/// What a decoding thread hands over for a segment.
enum Msg {
    Batch {
        batch: RecordBatch,
        rejects: Vec<Reject>,
        stats: DecodeStats,
    },
    End {
        rejects: Vec<Reject>,
        stats: DecodeStats,
        /// Decompressed bytes of the input up to the end of the segment.
        bytes_read: u64,
        error: Option<Error>,
    },
}

/// Runs `job` one batch further.
fn step(job: &mut Job) -> Msg {
    match job.next_batch() {
        Ok(Some(batch)) => Msg::Batch {
            batch,
            rejects: job.take_rejects(),
            stats: job.stats(),
        },
        result => Msg::End {
            rejects: job.take_rejects(),
            stats: job.stats(),
            bytes_read: job.bytes_read(),
            error: result.err(),
        },
    }
}

fn failed(error: Error) -> Msg {
    Msg::End {
        rejects: Vec::new(),
        stats: DecodeStats::default(),
        bytes_read: 0,
        error: Some(error),
    }
}

/// Cuts the input into jobs at line boundaries.
struct Segmenter {
    /// A job for the whole input (standard logs), handed out first.
    whole: Option<Job>,
    /// `None` once the input is used up or handed to a job.
    input: Option<Input<DynRead>>,
    /// Bytes read beyond the last segment.
    carry: Vec<u8>,
    /// Decompressed bytes read so far.
    bytes_in: u64,
    /// Number of the next segment's first line.
    next_line: u64,
    /// Offset of the next segment's first byte.
    next_offset: u64,
    options: DecoderOptions,
    limits: GzipLimits,
    segment_size: usize,
    /// Segment buffers handed back by finished jobs, reused so that each segment is not a
    /// fresh allocation (page faults) and is not zeroed; and the text room of their decoders.
    pool: Pool,
}

/// What finished jobs leave for the next ones.
#[derive(Default)]
struct Spares {
    /// Segment buffers for reuse (at most [`POOLED_BUFFERS`]).
    buffers: Vec<Vec<u8>>,
    /// Room for text per column that the last decoders ended with (after their last batch,
    /// the text of that batch and an eighth more), kept from falling fast: a new job's decoder
    /// starts with it, instead of growing its text columns by reallocation in its first batch.
    text: Vec<usize>,
}

type Pool = Arc<Mutex<Spares>>;

/// Most segment buffers kept for reuse.
const POOLED_BUFFERS: usize = 8;

/// Keeps `buf` for reuse (unless empty or the pool is full).
fn give_back(pool: &Pool, buf: Vec<u8>) {
    if buf.is_empty() {
        return;
    }
    if let Ok(mut pool) = pool.lock()
        && pool.buffers.len() < POOLED_BUFFERS
    {
        pool.buffers.push(buf);
    }
}

/// Hands a finished job's buffer back for reuse, and notes its decoder's room for text.
fn recycle(pool: &Pool, job: &mut Job) {
    let text = job.decoder().text_capacities();
    if let Ok(mut pool) = pool.lock() {
        let kept = &mut pool.text;
        kept.resize(text.len(), 0);
        for (kept, bytes) in kept.iter_mut().zip(text) {
            *kept = bytes.max(*kept - *kept / 8);
        }
    }
    give_back(pool, job.take_buffer());
}

impl Segmenter {
    fn new(reader: Job, segment_size: usize) -> Self {
        let options = reader.decoder().options().clone();
        let limits = reader.limits();
        // A format whose header lines set the schema of the lines after them is decoded whole.
        if !reader.format().spec().segmentable() {
            return Segmenter {
                whole: Some(reader),
                input: None,
                carry: Vec::new(),
                bytes_in: 0,
                next_line: 1,
                next_offset: 0,
                options,
                limits,
                segment_size,
                pool: Pool::default(),
            };
        }
        // The read-ahead may have counted blank lines at the start that it dropped: the first
        // segment starts after them.
        let next_line = reader.decoder().lines_before() + 1;
        let (input, carry, bytes_in) = reader.into_rest();
        Segmenter {
            whole: None,
            input: Some(input),
            next_offset: bytes_in - carry.len() as u64,
            carry,
            bytes_in,
            next_line,
            options,
            limits,
            segment_size,
            pool: Pool::default(),
        }
    }

    /// A buffer of at least `len` bytes (initialized): a pooled one, or a new one.
    fn buffer(&self, len: usize) -> Vec<u8> {
        let pooled = self
            .pool
            .lock()
            .ok()
            .and_then(|mut pool| pool.buffers.pop());
        let mut buf = pooled.unwrap_or_default();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        buf
    }

    /// A reader over `buf` (whose first line is the next segment's) reading further from
    /// `input`; a read error already met is `pending`.
    fn job(
        &self,
        input: Input<DynRead>,
        buf: Vec<u8>,
        end: usize,
        bytes_in: u64,
        pending: Option<Error>,
    ) -> Result<Job> {
        let mut decoder = Decoder::new(self.options.clone())?;
        decoder.start_at(self.next_line, self.next_offset);
        if let Ok(pool) = self.pool.lock() {
            decoder.reserve_text(&pool.text);
        }
        let ahead = ReadAhead { buf, end, bytes_in };
        Ok(Reader::new(input, decoder, self.limits, ahead, pending))
    }

    /// The next job, or `None` at the end of the input.
    fn next_job(&mut self) -> Option<Result<Job>> {
        if let Some(whole) = self.whole.take() {
            return Some(Ok(whole));
        }
        let mut input = self.input.take()?;
        let size = self.segment_size;
        // The carried start of the next line (or the read-ahead head), then fresh input.
        let mut seg = self.buffer(size.max(self.carry.len()));
        let mut len = self.carry.len();
        seg[..len].copy_from_slice(&self.carry);
        self.carry.clear();
        let mut error = None;
        // Line ends in `seg`, counted once as the bytes come in.
        let mut lines = count_lines(&seg[..len]);
        while len < size {
            let before = self.next_line - 1 + lines;
            match read_input(
                &mut input,
                &mut seg[len..size],
                self.bytes_in,
                before,
                self.limits,
            ) {
                Ok(0) => break,
                Ok(n) => {
                    lines += count_lines(&seg[len..len + n]);
                    len += n;
                    self.bytes_in += n as u64;
                }
                Err(err) => {
                    error = Some(err);
                    break;
                }
            }
        }
        if error.is_none() && len >= size {
            let Some(nl) = memchr::memrchr(b'\n', &seg[..size]) else {
                // A line longer than a segment: decode the rest of the input as one piece.
                return Some(self.job(input, seg, len, self.bytes_in, None));
            };
            self.carry.extend_from_slice(&seg[nl + 1..len]);
            lines -= count_lines(&self.carry);
            let job = self.segment(seg, nl + 1, lines, None);
            self.input = Some(input);
            return Some(job);
        }
        if len == 0 && error.is_none() {
            give_back(&self.pool, seg);
            return None;
        }
        Some(self.segment(seg, len, lines, error))
    }

    /// A job for one segment of complete lines, `seg[..end]` with `lines` line ends (the last
    /// line may lack its terminator, or be cut by the read `error`).
    fn segment(
        &mut self,
        seg: Vec<u8>,
        end: usize,
        lines: u64,
        error: Option<Error>,
    ) -> Result<Job> {
        let empty: DynRead = Box::new(std::io::empty());
        let input = Input::Plain(Cursor::new(Vec::new()).chain(empty));
        let len = end as u64;
        let job = self.job(input, seg, end, self.next_offset + len, error);
        self.next_line += lines;
        self.next_offset += len;
        job
    }
}

fn count_lines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Where the jobs come from.
enum Source {
    /// One thread: the caller's thread cuts and decodes.
    Inline(Box<Segmenter>),
    /// A reading thread and decoding threads; each job's messages come through its own channel,
    /// and the channels come in input order.
    Threads {
        order: Receiver<Receiver<Msg>>,
        handles: Vec<JoinHandle<()>>,
    },
    /// Finished: nothing more to read, the threads (if any) joined or left to end.
    Done,
}

/// The job whose batches are being handed out.
enum Current {
    Local(Box<Job>),
    Remote(Receiver<Msg>),
}

/// A reader that decodes one input on several threads, in segments cut at line boundaries, and
/// hands out the batches in input order. Built by [`ReaderBuilder::build_parallel`].
///
/// It gives the same rows, rejects (with the same line numbers and byte offsets), counters and
/// errors as a [`Reader`] over the same input; only the batch boundaries differ, as each
/// segment ends its last batch. The batches depend on the segment size, never on the number of
/// threads, so whatever is written from them is the same for any thread count.
///
/// ```
/// use aws_access_logs::{Format, ReaderBuilder};
///
/// let line = "79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
/// let log = line.repeat(1000) + "not a log line\n";
/// let mut reader = ReaderBuilder::new(Format::S3)
///     .with_segment_size(64 * 1024)
///     .build_parallel(std::io::Cursor::new(log), 2)?;
/// let rows: usize = reader.by_ref().map(|batch| batch.unwrap().num_rows()).sum();
/// assert_eq!(rows, 1000);
/// assert_eq!(reader.stats().rejected, 1);
/// assert_eq!(reader.take_rejects()[0].line(), 1001);
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
pub struct ParallelReader {
    format: Format,
    schema: SchemaRef,
    gzip: bool,
    source: Source,
    current: Option<Current>,
    /// Counters of the finished jobs.
    done_stats: DecodeStats,
    /// Counters of the current job so far.
    current_stats: DecodeStats,
    bytes_read: u64,
    /// The rejects of the batches handed out, bounded across segments
    /// ([`ReaderBuilder::with_max_rejects`]).
    rejects: HeldRejects,
    /// Rejects whose details were dropped here (the decoders' own count none: their rejects
    /// are taken after each batch).
    dropped: u64,
    finished: bool,
}

impl std::fmt::Debug for ParallelReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParallelReader")
            .field("format", &self.format)
            .field("gzip", &self.gzip)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl ReaderBuilder {
    /// A [`ParallelReader`] over `input` that decodes on `threads` threads (plus one that
    /// reads, and decompresses gzip). Gzip and format detection as [`ReaderBuilder::build`].
    /// With one thread nothing is spawned: the caller's thread does the work, in the same
    /// segments.
    ///
    /// Writing Parquet with [`ParquetOptions::with_threads`]`(n)`, which encoding dominates,
    /// decode on `n.div_ceil(2)` threads: with two, on the caller's thread alone (`threads` 1),
    /// which leaves the helper the encoding; that measured fastest (the converter does it).
    ///
    /// [`ParquetOptions::with_threads`]: crate::parquet::ParquetOptions::with_threads
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::build`]; [`ErrorKind::InvalidArgument`] for zero threads or a zero
    /// segment size.
    pub fn build_parallel<R: Read + Send + 'static>(
        self,
        input: R,
        threads: usize,
    ) -> Result<ParallelReader> {
        if threads == 0 {
            return Err(Error::new(ErrorKind::InvalidArgument)
                .with_detail("build_parallel needs at least one thread"));
        }
        let segment_size = self.segment_size();
        if segment_size == 0 {
            return Err(Error::new(ErrorKind::InvalidArgument)
                .with_detail("the segment size must be at least 1 byte"));
        }
        let reader = self.build(Box::new(input) as DynRead)?;
        let (format, schema, gzip) = (reader.format(), reader.schema(), reader.is_gzip());
        // Blank lines the read-ahead counted, unless its reader is the job that hands them over.
        let head_stats = if format.spec().segmentable() {
            reader.stats()
        } else {
            DecodeStats::default()
        };
        let (max_rejects, max_reject_bytes) = {
            let options = reader.decoder().options();
            (options.max_rejects, options.max_reject_bytes)
        };
        let segmenter = Box::new(Segmenter::new(reader, segment_size));
        let source = if threads == 1 {
            Source::Inline(segmenter)
        } else {
            spawn(segmenter, threads)
        };
        Ok(ParallelReader {
            format,
            schema,
            gzip,
            source,
            current: None,
            done_stats: head_stats,
            current_stats: DecodeStats::default(),
            bytes_read: 0,
            rejects: HeldRejects::new(max_rejects, max_reject_bytes),
            dropped: 0,
            finished: false,
        })
    }
}

/// Starts the reading thread and `threads` decoding threads.
fn spawn(mut segmenter: Box<Segmenter>, threads: usize) -> Source {
    let (order_tx, order) = sync_channel::<Receiver<Msg>>(threads);
    let (job_tx, job_rx) = sync_channel::<(Result<Job>, SyncSender<Msg>)>(0);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let pool = Arc::clone(&segmenter.pool);
    let mut handles = Vec::with_capacity(threads + 1);
    handles.push(std::thread::spawn(move || {
        while let Some(job) = segmenter.next_job() {
            let (tx, rx) = sync_channel(QUEUED_BATCHES);
            if order_tx.send(rx).is_err() || job_tx.send((job, tx)).is_err() {
                return;
            }
        }
    }));
    for _ in 0..threads {
        let job_rx = Arc::clone(&job_rx);
        let pool = Arc::clone(&pool);
        handles.push(std::thread::spawn(move || {
            loop {
                // Jobs are taken in input order, so the one the caller waits for is always
                // being decoded.
                let next = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((job, tx)) = next else { return };
                let mut job = match job {
                    Ok(job) => job,
                    Err(err) => {
                        let _ = tx.send(failed(err));
                        continue;
                    }
                };
                loop {
                    let msg = step(&mut job);
                    let end = matches!(msg, Msg::End { .. });
                    if end {
                        recycle(&pool, &mut job);
                    }
                    if tx.send(msg).is_err() || end {
                        break;
                    }
                }
            }
        }));
    }
    Source::Threads { order, handles }
}

impl ParallelReader {
    /// Whether the input was detected as gzip.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The log format being read.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The schema of the batches (after projection).
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Counters of the batches handed out so far.
    pub fn stats(&self) -> DecodeStats {
        let mut stats = add(self.done_stats, self.current_stats);
        stats.rejects_dropped += self.dropped;
        stats
    }

    /// Rejected and repaired lines of the batches handed out so far, not yet taken.
    pub fn rejects(&self) -> &[Reject] {
        self.rejects.held()
    }

    /// Takes the rejected and repaired lines of the batches handed out so far (take them after
    /// each batch to keep them all).
    ///
    /// As with a [`Reader`], the rejects held are bounded by
    /// [`ReaderBuilder::with_max_rejects`], across segments too: once they reach the limit,
    /// [`ParallelReader::next_batch`] returns (an empty batch if a segment ended without rows)
    /// so that they can be taken; if they are not taken by the next call, the details of
    /// further rejects are dropped (counted in [`DecodeStats::rejects_dropped`]). At most
    /// twice the limits are held (plus one line).
    pub fn take_rejects(&mut self) -> Vec<Reject> {
        self.rejects.take()
    }

    /// Keeps a job's rejects, unless the held ones overflowed (then only counts them).
    fn hold(&mut self, rejects: Vec<Reject>) {
        for reject in rejects {
            if !self.rejects.hold(reject) {
                self.dropped += 1;
            }
        }
    }

    /// Decompressed bytes of the input decoded so far (counted by whole segments).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The next batch, or `None` at the end of the input.
    ///
    /// # Errors
    ///
    /// As [`Reader::next_batch`], after the rows decoded before the error; and an
    /// [`ErrorKind::Io`] error if a decoding thread stopped unexpectedly.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        // The caller had the rejects after the last batch: left at their limit, further ones
        // are dropped.
        self.rejects.overflow_if_at_limit();
        while !self.finished {
            if self.current.is_none() {
                self.current = self.next_job();
                if self.current.is_none() {
                    self.finish();
                    return Ok(None);
                }
            }
            let msg = match self.current.as_mut() {
                Some(Current::Local(job)) => step(job),
                Some(Current::Remote(rx)) => rx.recv().unwrap_or_else(|_| {
                    failed(Error::new(ErrorKind::Io).with_detail(
                        "a decoding thread stopped unexpectedly (the rows before were handed out)",
                    ))
                }),
                None => unreachable!("a job was just taken"),
            };
            match msg {
                Msg::Batch {
                    batch,
                    rejects,
                    stats,
                } => {
                    self.hold(rejects);
                    self.current_stats = stats;
                    return Ok(Some(batch));
                }
                Msg::End {
                    rejects,
                    stats,
                    bytes_read,
                    error,
                } => {
                    self.hold(rejects);
                    self.current_stats = DecodeStats::default();
                    self.done_stats = add(self.done_stats, stats);
                    self.bytes_read = self.bytes_read.max(bytes_read);
                    if let (Some(Current::Local(job)), Source::Inline(segmenter)) =
                        (self.current.as_mut(), &self.source)
                    {
                        recycle(&segmenter.pool, job);
                    }
                    self.current = None;
                    if let Some(err) = error {
                        self.finish();
                        return Err(err);
                    }
                    if self.rejects.at_limit() && !self.rejects.overflowed() {
                        // A segment that ended without a batch: give the caller a chance to
                        // take the rejects before the next segment adds to them.
                        return Ok(Some(RecordBatch::new_empty(self.schema.clone())));
                    }
                }
            }
        }
        Ok(None)
    }

    fn next_job(&mut self) -> Option<Current> {
        match &mut self.source {
            Source::Inline(segmenter) => Some(match segmenter.next_job()? {
                Ok(job) => Current::Local(Box::new(job)),
                Err(err) => {
                    let (tx, rx) = sync_channel(1);
                    let _ = tx.send(failed(err));
                    Current::Remote(rx)
                }
            }),
            Source::Threads { order, .. } => order.recv().ok().map(Current::Remote),
            Source::Done => None,
        }
    }

    /// Ends the reading: no more batches; the threads wind down.
    fn finish(&mut self) {
        self.finished = true;
        self.current = None;
        let source = std::mem::replace(&mut self.source, Source::Done);
        if let Source::Threads { order, handles } = source {
            // Dropping the receivers stops the threads at their next hand-over. They are
            // joined once the reading thread is done (at the end of the input, at once); a
            // reading thread still blocked on a slow input after a short wait is left to end
            // on its own, and so are the decoding threads waiting for its jobs.
            drop(order);
            let Some(reading) = handles.first() else {
                return;
            };
            let waited = std::time::Instant::now();
            while !reading.is_finished() {
                if waited.elapsed() > std::time::Duration::from_millis(100) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
            for handle in handles {
                let _ = handle.join();
            }
        }
    }
}

impl Drop for ParallelReader {
    fn drop(&mut self) {
        if !self.finished {
            self.finish();
        }
    }
}

fn add(a: DecodeStats, b: DecodeStats) -> DecodeStats {
    DecodeStats {
        lines: a.lines + b.lines,
        rows: a.rows + b.rows,
        rejected: a.rejected + b.rejected,
        repaired: a.repaired + b.repaired,
        blank_lines: a.blank_lines + b.blank_lines,
        comment_lines: a.comment_lines + b.comment_lines,
        rejects_dropped: a.rejects_dropped + b.rejects_dropped,
    }
}

impl Iterator for ParallelReader {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch().map_err(ArrowError::from).transpose()
    }
}

impl RecordBatchReader for ParallelReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

impl BatchSource for ParallelReader {
    fn format(&self) -> Format {
        self.format
    }

    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn stats(&self) -> DecodeStats {
        ParallelReader::stats(self)
    }

    fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        ParallelReader::next_batch(self)
    }

    fn take_rejects(&mut self) -> Vec<Reject> {
        ParallelReader::take_rejects(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A segment's decoder starts with the room for text that the last one ended with, so
    /// that its text columns do not grow by reallocation; the rows are unchanged.
    #[test]
    fn a_segment_decoder_starts_with_the_text_room_of_the_last() {
        let line = format!(
            "79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE \
             REST.GET.OBJECT key \"GET /bucket1/{} HTTP/1.1\" 200 - 113 - 7 - \"-\" \"ua\" -\n",
            "k".repeat(2000)
        );
        let log = line.repeat(100);
        let reader = ReaderBuilder::new(Format::S3)
            .with_batch_size(64)
            .build(Box::new(Cursor::new(log)) as DynRead)
            .unwrap();
        let mut segmenter = Segmenter::new(reader, 40 * line.len());
        let mut first = segmenter.next_job().unwrap().unwrap();
        let fresh = first.decoder().text_capacities();
        let mut rows = 0;
        while let Some(batch) = first.next_batch().unwrap() {
            rows += batch.num_rows();
        }
        recycle(&segmenter.pool, &mut first);
        let mut second = segmenter.next_job().unwrap().unwrap();
        let room = second.decoder().text_capacities();
        // The request URI of 40 lines: 80 000 bytes and more, against 64 rows × 24 bytes for a
        // decoder that starts afresh.
        let uri = Format::S3
            .schema()
            .unwrap()
            .index_of("request_uri")
            .unwrap();
        assert_eq!(fresh[uri], 64 * 24);
        assert!(room[uri] >= 40 * 2000, "{room:?}");
        while let Some(batch) = second.next_batch().unwrap() {
            rows += batch.num_rows();
        }
        let mut third = segmenter.next_job().unwrap().unwrap();
        while let Some(batch) = third.next_batch().unwrap() {
            rows += batch.num_rows();
        }
        assert_eq!(rows, 100);
        assert!(segmenter.next_job().is_none());
    }
}
