//! One object: read, decode, write a Parquet file per time partition, the rejects object and
//! the `latest` document.
//!
//! # Reading: whole in memory, or streaming
//!
//! An object of at most [`Config::in_memory_object_bytes`] bytes as stored (32 MiB by
//! default; the `Content-Length` is known before the body is read) is downloaded whole into
//! one `bytes::Bytes` and read with `ReaderBuilder::build_from_bytes` (`open_whole`): a
//! plain body is decoded where it lies, its text values as string views into the body (no
//! read buffers, no text copied); a gzip body is decompressed from memory, its values copied
//! as when streaming (views into the decompressed buffers would pin them for as long as a
//! partition holds rows). The body is held for the whole object, so a further pass decodes
//! it again from memory instead of reading it again from the store, and a real-time log
//! detected without its field list is simply built again from the same bytes.
//!
//! A larger object, or one of unknown size, streams as the reader asks for bytes
//! (`open_stream`): memory stays bounded whatever its size (up to
//! [`Config::max_object_bytes`]).
//!
//! The Parquet files are the same either way, byte for byte: text is written as Parquet
//! strings whether it comes as views or not; a file depends only on its partition's rows in
//! their order, not on when its writer opened (rows held as views are counted differently,
//! so the number of passes may differ); and the writer sizes its writes by the bytes of the
//! rows, not by their Arrow memory (which for string views into a whole body counts the
//! body, once per column).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Cursor, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::array::{
    Array, AsArray, RecordBatch, TimestampMicrosecondArray, TimestampMillisecondArray,
};
use arrow::compute::{max, min};
use arrow::datatypes::SchemaRef;
use aws_access_logs::parquet::{ParquetOptions, ParquetWriter};
use aws_access_logs::partition::{self, Granularity, Partition};
use aws_access_logs::{BatchSource, DecodeStats, ErrorKind, Format, ReaderBuilder, Reject};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::config::{Config, Routing, SourceType};
use crate::events::ObjectRef;
use crate::store::{ObjectBody, ObjectStore, Precondition, StoreError};

/// Content type of the Parquet objects.
pub const PARQUET_CONTENT_TYPE: &str = "application/vnd.apache.parquet";
/// Content type of the rejects objects (gzip of JSON lines).
pub const REJECTS_CONTENT_TYPE: &str = "application/gzip";

/// How many compressed bytes are kept to replay the start of an object whose format is detected
/// as CloudFront real-time logs (detection reads at most 256 KiB of text).
const REPLAY_LIMIT: usize = 4 << 20;

/// The most JSON-line bytes a rejects object lists (before gzip): an object of garbage must
/// not exhaust the function's memory. Lines past it are counted in one last line.
pub const MAX_REJECTS_TEXT: usize = 32 << 20;

/// Bytes of Parquet per part of a multipart upload (S3 wants at least
/// [`crate::store::MIN_PART_SIZE`] in every part but the last). A Parquet file that stays
/// below it is written with one `PutObject`.
pub const PART_SIZE: usize = 8 << 20;

/// Most encoded bytes of a row group of one Parquet writer (the library's default is 32 MiB):
/// with up to [`Config::max_open_partitions`] writers open at once, each holds a row group.
/// It must not change between the passes over an object (a file's bytes depend on it).
pub const ROW_GROUP_BYTES: usize = 4 << 20;

/// Most Arrow bytes of rows held for partitions without a writer yet: partitions of a few
/// rows (an access log that spans years) are written at the end of the pass, one at a time,
/// without a writer each.
pub const PENDING_BYTES: usize = 16 << 20;

/// Most bytes of finished Parquet files held until the object's outputs are completed; past
/// it, a finished file's rest is uploaded at once as the last part of its multipart upload.
pub const HELD_TAIL_BYTES: usize = 16 << 20;

/// What processing one object did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Source bucket.
    pub bucket: String,
    /// Source key.
    pub key: String,
    /// The source type, routed or detected.
    pub source_type: SourceType,
    /// Decoding counters.
    pub stats: DecodeStats,
    /// Bytes of the object as stored (compressed, for gzip objects).
    pub bytes_in: u64,
    /// Decompressed text bytes.
    pub text_bytes: u64,
    /// Bytes of the Parquet object (0 when there was no row).
    pub parquet_bytes: u64,
    /// Bytes of the rejects object (0 when there was none).
    pub rejects_bytes: u64,
    /// Rejected or repaired lines not listed in the rejects object (past
    /// [`MAX_REJECTS_TEXT`]).
    pub rejects_omitted: u64,
    /// The keys of the Parquet objects written, one per partition the rows fall in, in
    /// partition order (empty when there was no row).
    pub parquet_keys: Vec<String>,
    /// The rejects object's key, when one was written.
    pub rejects_key: Option<String>,
    /// Whether the format's `latest` document now names this object's Parquet files.
    pub latest_updated: bool,
    /// Earliest and latest record times (ms since the epoch), when there were rows.
    pub time_range: Option<(i64, i64)>,
    /// Why the input stopped before its end, when it did (a truncated or corrupt gzip, an
    /// object over its size limit): the rows before are written, the Parquet files record
    /// the cause under `aws_access_logs.incomplete`. Not retried: the input cannot change.
    pub incomplete: Option<String>,
    /// Passes over the object: 1, or more when its rows fall in more partitions than
    /// [`Config::max_open_partitions`] writers could take at once.
    pub passes: usize,
    /// Whether the object was read whole into memory (at most
    /// [`Config::in_memory_object_bytes`] bytes), rather than streamed.
    pub in_memory: bool,
    /// Wall time spent on the object.
    pub duration_ms: f64,
}

impl Outcome {
    /// Bytes written for the object: the Parquet object plus the rejects object.
    pub fn bytes_out(&self) -> u64 {
        self.parquet_bytes + self.rejects_bytes
    }

    /// `100 × (1 − bytes_out / bytes_in)`.
    pub fn reduction_pct(&self) -> f64 {
        if self.bytes_in == 0 {
            0.0
        } else {
            100.0 * (1.0 - self.bytes_out() as f64 / self.bytes_in as f64)
        }
    }
}

/// Why an object could not be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Source bucket.
    pub bucket: String,
    /// Source key.
    pub key: String,
    /// What went wrong.
    pub cause: String,
    /// Whether retrying cannot help: the object itself is at fault (too large, undetectable
    /// format, unreadable from its start), not the transport or the store. Such a failure is
    /// logged and not retried.
    pub permanent: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}: {}", self.bucket, self.key, self.cause)
    }
}

impl std::error::Error for Failure {}

/// The output object names of one source object (id `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputKeys {
    /// The Parquet file of each partition: `{prefix}{format}/{partition}/{id}.parquet` (see
    /// [`parquet_key`]).
    pub parquet: Vec<String>,
    /// The rejects object: `{prefix}_rejects/{format}/year=…/month=…/day=…/{id}.jsonl.gz`, by
    /// the source object's last-modified day (UTC; see [`rejects_key`]).
    pub rejects: String,
    /// The format's `latest` document: `{prefix}_latest/{format}.json`.
    pub latest: String,
}

/// The output keys of an object of `source_type` with id `id`, whose rows fall in
/// `partitions`, last modified at `last_modified_ms`.
pub fn output_keys(
    prefix: &str,
    source_type: SourceType,
    partitions: &[Partition],
    last_modified_ms: Option<i64>,
    id: &str,
) -> OutputKeys {
    OutputKeys {
        parquet: partitions
            .iter()
            .map(|p| parquet_key(prefix, source_type, p, id))
            .collect(),
        rejects: rejects_key(prefix, source_type, last_modified_ms, id),
        latest: latest_key(prefix, source_type),
    }
}

/// The Parquet file of the rows of partition `partition`:
/// `{prefix}{format}/{partition.path()}/{id}.parquet`. Under `{prefix}{format}/` there are only
/// these files: a query engine or a crawler can take the folder as the table.
pub fn parquet_key(
    prefix: &str,
    source_type: SourceType,
    partition: &Partition,
    id: &str,
) -> String {
    format!("{prefix}{source_type}/{}/{id}.parquet", partition.path())
}

/// The rejects object: `{prefix}_rejects/{format}/year=…/month=…/day=…/{id}.jsonl.gz`, in the
/// day (UTC) the source object was last modified — a time every object has, known before it
/// is read and the same on every retry — or in the `__HIVE_DEFAULT_PARTITION__` day when
/// the store gave none.
pub fn rejects_key(
    prefix: &str,
    source_type: SourceType,
    last_modified_ms: Option<i64>,
    id: &str,
) -> String {
    let day = match last_modified_ms {
        Some(ms) => Granularity::Day.of(ms),
        None => Partition::Untimed(Granularity::Day),
    };
    format!(
        "{prefix}_rejects/{source_type}/{}/{id}.jsonl.gz",
        day.path()
    )
}

/// The format's `latest` document: `{prefix}_latest/{format}.json`.
pub fn latest_key(prefix: &str, source_type: SourceType) -> String {
    format!("{prefix}_latest/{source_type}.json")
}

/// A stable id of one version of a source object: the first 128 bits, in hex, of the SHA-256 of
/// its bucket, key and version id (or ETag when the bucket is not versioned).
pub fn object_id(bucket: &str, key: &str, version: Option<&str>, etag: Option<&str>) -> String {
    let mut hash = Sha256::new();
    hash.update(bucket.as_bytes());
    hash.update(b"\n");
    hash.update(key.as_bytes());
    hash.update(b"\n");
    match (version, etag) {
        (Some(v), _) => hash.update(format!("version:{v}")),
        (None, Some(e)) => hash.update(format!("etag:{e}")),
        (None, None) => hash.update(b"-"),
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The body as the reader sees it: counts the bytes read from the store and, until told to
/// stop, keeps them so that the start can be read again.
#[derive(Clone)]
struct Body(Arc<Mutex<BodyState>>);

struct BodyState {
    inner: Box<dyn Read + Send>,
    read: u64,
    kept: Option<Vec<u8>>,
}

impl Body {
    fn new(inner: Box<dyn Read + Send>) -> Body {
        Body(Arc::new(Mutex::new(BodyState {
            inner,
            read: 0,
            kept: Some(Vec::new()),
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BodyState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bytes_read(&self) -> u64 {
        self.lock().read
    }

    /// Stops keeping bytes; returns those kept, if they are the whole start of the body.
    fn stop_keeping(&self) -> Option<Vec<u8>> {
        self.lock().kept.take()
    }
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut state = self.lock();
        let n = state.inner.read(buf)?;
        state.read += n as u64;
        if let Some(kept) = &mut state.kept {
            if kept.len() + n > REPLAY_LIMIT {
                state.kept = None;
            } else {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        Ok(n)
    }
}

/// Why an object could not be converted.
#[derive(Debug)]
struct ConvertError {
    cause: String,
    permanent: bool,
}

impl ConvertError {
    fn retryable(cause: impl Into<String>) -> Self {
        ConvertError {
            cause: cause.into(),
            permanent: false,
        }
    }

    /// A reader error, classified: the object's bytes (permanent) or the way to them.
    fn of(err: &aws_access_logs::Error) -> Self {
        let permanent = is_permanent(err);
        let cause = match err.kind() {
            ErrorKind::UnknownFormat => format!("undetectable format: {err}"),
            ErrorKind::Gzip if permanent => format!("corrupt gzip: {err}"),
            ErrorKind::Gzip | ErrorKind::Io => format!("reading the object failed: {err}"),
            _ => err.to_string(),
        };
        ConvertError { cause, permanent }
    }
}

/// Whether a reader error lies in the object's bytes, which a retry reads again unchanged:
/// a corrupt or truncated gzip, a decompression limit, an undetectable format, a bad header.
/// Reading errors (the connection), options (the configuration) and the writers are
/// retryable.
fn is_permanent(err: &aws_access_logs::Error) -> bool {
    match err.kind() {
        ErrorKind::Io
        | ErrorKind::InvalidArgument
        | ErrorKind::MissingFieldList
        | ErrorKind::Arrow
        | ErrorKind::Parquet => false,
        ErrorKind::Gzip => !is_transport_error(err),
        _ => true,
    }
}

/// `builder` with the configured real-time field list.
fn with_realtime_fields(
    config: &Config,
    builder: ReaderBuilder,
) -> Result<ReaderBuilder, ConvertError> {
    match &config.realtime_fields {
        Some(fields) => Ok(builder.with_fields(fields.clone())),
        // The configuration can change: retryable (the event waits in the dead-letter queue).
        None => Err(ConvertError::retryable(format!(
            "the object holds CloudFront real-time logs, which need {}",
            crate::config::REALTIME_FIELDS_VAR
        ))),
    }
}

/// The reader's options for the routed source type `route`, or for detection (`None`; the
/// field list is not given then, so that an undetectable object is not taken for real-time
/// logs), within the size limit. Plain objects are checked against the limit by their size
/// before reading; gzip ones as they are decompressed.
fn builder(config: &Config, route: Option<SourceType>) -> Result<ReaderBuilder, ConvertError> {
    let limit = config.max_object_bytes;
    match route {
        Some(t) => {
            let builder = ReaderBuilder::new(t.format()).with_max_decompressed_bytes(limit);
            if t == SourceType::CloudFrontRealtime {
                with_realtime_fields(config, builder)
            } else {
                Ok(builder)
            }
        }
        None => Ok(ReaderBuilder::auto().with_max_decompressed_bytes(limit)),
    }
}

/// The builder for an object detected as real-time logs without a field list: the format
/// given, with the configured field list.
fn realtime_builder(config: &Config) -> Result<ReaderBuilder, ConvertError> {
    with_realtime_fields(
        config,
        ReaderBuilder::new(Format::CloudFrontRealtime)
            .with_max_decompressed_bytes(config.max_object_bytes),
    )
}

/// The first bytes of a gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Why an object named as one kind of Elastic Load Balancing log does not hold it: its first
/// line is of another format (permanent: the bytes will not change).
fn not_what_the_name_says(named: SourceType, found: Format) -> ConvertError {
    let found = SourceType::of_format(found);
    ConvertError {
        cause: format!(
            "the object's name is that of {} ({}), but its first line is one of {} ({}); map \
             its key prefix in {} to say which it holds",
            named.description(),
            named.name(),
            found.description(),
            found.name(),
            crate::config::SOURCE_TYPE_MAP_VAR
        ),
        permanent: true,
    }
}

/// What to do with a reader built with detection for an Elastic Load Balancing object named
/// as `named`: keep it when the content is of that format; a permanent failure when it is of
/// another; `Ok(None)` when no format can be detected (no line at all, or lines of no
/// format): the object is then read as its name says (each line that is not a record is a
/// rejected line, with its reason).
fn confirm_name(
    named: SourceType,
    detected: aws_access_logs::Result<Box<dyn BatchSource>>,
) -> Result<Option<Box<dyn BatchSource>>, ConvertError> {
    match detected {
        Ok(reader) if reader.format() == named.format() => Ok(Some(reader)),
        Ok(reader) => Err(not_what_the_name_says(named, reader.format())),
        Err(err) if err.kind() == ErrorKind::MissingFieldList => {
            Err(not_what_the_name_says(named, Format::CloudFrontRealtime))
        }
        Err(err) if err.kind() == ErrorKind::UnknownFormat => Ok(None),
        Err(err) => Err(ConvertError::of(&err)),
    }
}

/// Opens the decoder over a body read whole (see the module's documentation): the routed
/// format, the one an Elastic Load Balancing object's name says (confirmed by its first line),
/// or the detected one. A plain body is decoded where it lies with string views into it; a gzip
/// body is decompressed from memory (its text copied into the columns, as when streaming).
fn open_whole(
    config: &Config,
    routing: Routing,
    body: &Bytes,
) -> Result<Box<dyn BatchSource>, ConvertError> {
    let views = !body.starts_with(&GZIP_MAGIC);
    let build = |builder: ReaderBuilder| {
        builder
            .with_string_view(views)
            .build_from_bytes(body.clone())
            .map(|reader| Box::new(reader) as Box<dyn BatchSource>)
    };
    let reader = match routing {
        Routing::Prefix(t) => build(builder(config, Some(t))?),
        Routing::ElbName(t) => match confirm_name(t, build(builder(config, None)?))? {
            Some(reader) => Ok(reader),
            None => build(builder(config, Some(t))?),
        },
        Routing::Detect => match build(builder(config, None)?) {
            // Detected as real-time logs, which need the configured field list: built again
            // from the same bytes with it.
            Err(err) if err.kind() == ErrorKind::MissingFieldList => {
                build(realtime_builder(config)?)
            }
            reader => reader,
        },
    };
    reader.map_err(|err| ConvertError::of(&err))
}

/// Opens the decoder over a streaming body: the routed format, the one an Elastic Load
/// Balancing object's name says (confirmed by its first line), or the detected one.
fn open_stream(
    config: &Config,
    routing: Routing,
    body: &Body,
) -> Result<Box<dyn BatchSource>, ConvertError> {
    let boxed = |reader| Box::new(reader) as Box<dyn BatchSource>;
    let input = || Box::new(body.clone()) as Box<dyn Read + Send>;
    // The start of the body again, then the rest: for a second reader after detection.
    let replay = || {
        let start = body.stop_keeping().ok_or_else(|| ConvertError {
            cause: "the start of the object was too large to read again".to_string(),
            permanent: true,
        })?;
        Ok::<_, ConvertError>(
            Box::new(Cursor::new(start).chain(body.clone())) as Box<dyn Read + Send>
        )
    };
    let reader = match routing {
        Routing::Prefix(t) => {
            body.stop_keeping();
            builder(config, Some(t))?.build(input()).map(boxed)
        }
        Routing::ElbName(t) => {
            let detected = builder(config, None)?.build(input()).map(boxed);
            match confirm_name(t, detected)? {
                Some(reader) => {
                    body.stop_keeping();
                    Ok(reader)
                }
                None => builder(config, Some(t))?.build(replay()?).map(boxed),
            }
        }
        Routing::Detect => match builder(config, None)?.build(input()) {
            Ok(reader) => {
                body.stop_keeping();
                Ok(boxed(reader))
            }
            // Detected as real-time logs, which need the configured field list: read the
            // start again with it.
            Err(err) if err.kind() == ErrorKind::MissingFieldList => {
                realtime_builder(config)?.build(replay()?).map(boxed)
            }
            Err(err) => Err(err),
        },
    };
    reader.map_err(|err| ConvertError::of(&err))
}

/// The range of a batch's time column in milliseconds (`None` without one, or when every value
/// is null).
fn time_range(batch: &RecordBatch, column: Option<usize>) -> Option<(i64, i64)> {
    let column = batch.column(column?).as_any();
    if let Some(times) = column.downcast_ref::<TimestampMillisecondArray>() {
        return Some((min(times)?, max(times)?));
    }
    // Elastic Load Balancing times are microseconds: milliseconds, rounded down.
    let times = column.downcast_ref::<TimestampMicrosecondArray>()?;
    Some((min(times)?.div_euclid(1000), max(times)?.div_euclid(1000)))
}

fn merge(a: Option<(i64, i64)>, b: Option<(i64, i64)>) -> Option<(i64, i64)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (a, b) => a.or(b),
    }
}

/// One rejected or repaired line as a JSON object: the reject's own JSON
/// (`aws_access_logs::Reject`'s `Serialize`) with the object's `bucket` and `key`, all keys in
/// alphabetical order (`serde_json`'s map).
pub fn reject_json(bucket: &str, key: &str, reject: &Reject) -> serde_json::Result<Value> {
    let mut obj = serde_json::to_value(reject)?;
    obj["bucket"] = bucket.into();
    obj["key"] = key.into();
    Ok(obj)
}

/// Whether a gzip error came from reading the object (the connection), not from its bytes:
/// the decompressor reports bad data as `InvalidInput`/`InvalidData`, a cut stream as
/// `UnexpectedEof`.
fn is_transport_error(err: &aws_access_logs::Error) -> bool {
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            return !matches!(
                io.kind(),
                io::ErrorKind::InvalidInput
                    | io::ErrorKind::InvalidData
                    | io::ErrorKind::UnexpectedEof
            );
        }
        source = e.source();
    }
    false
}

/// What the decoding thread asks of the uploader, in order.
#[derive(Debug)]
enum Upload {
    /// Output file `file` goes to `key`.
    Open { file: usize, key: String },
    /// The next part of file `file` ([`PART_SIZE`] bytes).
    Part { file: usize, bytes: Bytes },
    /// The rest of finished file `file`, uploaded at once as the last part of its multipart
    /// upload (started now if it has none), so that finished files do not pile up in memory.
    /// The upload is completed with the others, after the rejects object.
    Last { file: usize, bytes: Bytes },
}

/// Where a Parquet writer writes: bytes are cut into parts of exactly
/// [`Config::part_size`] bytes
/// (the same cuts on every run) and handed to the uploader, which keeps at most one part
/// waiting; the tail stays here for the end. A clone shares the buffer.
#[derive(Clone)]
struct PartSink(Arc<Mutex<SinkState>>);

struct SinkState {
    file: usize,
    part_size: usize,
    buffer: Vec<u8>,
    parts: usize,
    bytes: u64,
    uploads: mpsc::Sender<Upload>,
}

impl PartSink {
    fn new(file: usize, part_size: usize, uploads: mpsc::Sender<Upload>) -> Self {
        PartSink(Arc::new(Mutex::new(SinkState {
            file,
            part_size: part_size.max(1),
            buffer: Vec::new(),
            parts: 0,
            bytes: 0,
            uploads,
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SinkState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The bytes not sent as parts (the whole file when it stayed below [`PART_SIZE`]), the
    /// number of parts sent and the file's size.
    fn take_tail(&self) -> (Vec<u8>, usize, u64) {
        let mut state = self.lock();
        (std::mem::take(&mut state.buffer), state.parts, state.bytes)
    }
}

impl Write for PartSink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut state = self.lock();
        state.buffer.extend_from_slice(data);
        state.bytes += data.len() as u64;
        // Strictly more than a part: the last part is never empty.
        let part_size = state.part_size;
        // Parts are cut from `start` on, and the bytes sent dropped once, after the loop.
        let mut start = 0;
        while state.buffer.len() - start > part_size {
            let part = Bytes::copy_from_slice(&state.buffer[start..start + part_size]);
            start += part_size;
            state.parts += 1;
            let file = state.file;
            // Blocks while the uploader is busy with the part before; fails once it stopped.
            state
                .uploads
                .blocking_send(Upload::Part { file, bytes: part })
                .map_err(|_| io::Error::other("the upload stopped"))?;
        }
        state.buffer.drain(..start);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The rejects of one batch, as gzip JSON lines (capped at [`MAX_REJECTS_TEXT`]).
struct Rejects {
    gzip: GzEncoder<Vec<u8>>,
    count: u64,
    text: usize,
    omitted: u64,
}

impl Rejects {
    fn add(&mut self, object: &ObjectRef, batch: Vec<Reject>) -> Result<(), ConvertError> {
        for reject in batch {
            if self.text >= MAX_REJECTS_TEXT {
                self.omitted += 1;
                continue;
            }
            let mut line = reject_json(&object.bucket, &object.key, &reject)
                .and_then(|obj| serde_json::to_vec(&obj))
                .map_err(|e| ConvertError::retryable(format!("writing the rejects: {e}")))?;
            line.push(b'\n');
            self.gzip
                .write_all(&line)
                .map_err(|e| ConvertError::retryable(format!("compressing the rejects: {e}")))?;
            self.text += line.len();
            self.count += 1;
        }
        Ok(())
    }

    fn finish(mut self, object: &ObjectRef) -> Result<(Option<Vec<u8>>, u64), ConvertError> {
        let omitted = self.omitted;
        if omitted > 0 {
            // Say so in the object itself: the counts stay exact in the metrics and the Parquet.
            let line = json!({"bucket": object.bucket, "key": object.key, "omitted": omitted,
                "error": format!("{omitted} more rejected or repaired lines are not listed: \
                    the rejects object is capped at {MAX_REJECTS_TEXT} bytes of JSON lines")});
            serde_json::to_writer(&mut self.gzip, &line)
                .and_then(|()| self.gzip.write_all(b"\n").map_err(serde_json::Error::io))
                .map_err(|e| ConvertError::retryable(format!("compressing the rejects: {e}")))?;
        }
        let bytes = self
            .gzip
            .finish()
            .map_err(|e| ConvertError::retryable(format!("compressing the rejects: {e}")))?;
        Ok(((self.count > 0).then_some(bytes), omitted))
    }
}

/// Counts of one partition's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct PartitionRows {
    rows: u64,
    /// Earliest and latest record time (`None` for the untimed partition).
    range: Option<(i64, i64)>,
}

/// A Parquet file of one partition, being written.
struct OpenFile {
    file: usize,
    key: String,
    writer: ParquetWriter<PartSink>,
    sink: PartSink,
}

/// A partition's rows in the pass: gathered into batches of at least [`WRITE_ROWS`] rows
/// (see [`Slot::gather`]), held until the partition gets a writer, then written as they come.
#[derive(Default)]
struct Slot {
    /// Pieces not yet gathered into a batch (fewer than [`WRITE_ROWS`] rows).
    pieces: Vec<RecordBatch>,
    pieces_rows: usize,
    /// [`held_memory`] of `pieces`.
    pieces_memory: usize,
    /// Gathered batches waiting for a writer.
    pending: Vec<RecordBatch>,
    /// [`held_memory`] of `pending`.
    pending_memory: usize,
    /// Arrow bytes of `pieces` and `pending` ([`Slot::held_bytes`]) when last counted.
    pending_bytes: usize,
    writer: Option<OpenFile>,
    rows: PartitionRows,
}

/// The rows a partition's pieces are gathered into before they go to its writer: a batch of
/// the reader (8,192 rows) that falls in one partition goes as it is.
const WRITE_ROWS: usize = 1024;

/// The most pieces a partition keeps apart: more are concatenated into one (a piece of a few
/// rows costs an allocation per buffer of each column).
const MAX_PIECES: usize = 8;

impl Slot {
    /// Takes a piece of the partition's rows; returns a batch for the writer once the pieces
    /// hold [`WRITE_ROWS`] rows (or, with `last`, whatever they hold).
    ///
    /// What goes to the writer depends only on the partition's own pieces, in their order —
    /// not on other partitions, nor on when the writer was opened — so that the file's bytes
    /// are the same whichever pass writes it.
    fn gather(
        &mut self,
        piece: Option<RecordBatch>,
        last: bool,
    ) -> Result<Option<RecordBatch>, ConvertError> {
        if let Some(piece) = piece {
            self.pieces_rows += piece.num_rows();
            self.pieces_memory += held_memory(&piece);
            self.pieces.push(piece);
        }
        if self.pieces.is_empty() || (!last && self.pieces_rows < WRITE_ROWS) {
            if self.pieces.len() >= MAX_PIECES {
                let joined = concat(&self.pieces)?;
                self.pieces_memory = held_memory(&joined);
                self.pieces = vec![joined];
            }
            return Ok(None);
        }
        let batch = concat(&self.pieces)?;
        self.pieces.clear();
        self.pieces_rows = 0;
        self.pieces_memory = 0;
        Ok(Some(batch))
    }

    /// Holds a gathered batch until the partition gets a writer.
    fn hold(&mut self, batch: RecordBatch) {
        self.pending_memory += held_memory(&batch);
        self.pending.push(batch);
    }

    /// Takes the gathered batches held, for the partition's new writer.
    fn take_pending(&mut self) -> Vec<RecordBatch> {
        self.pending_memory = 0;
        std::mem::take(&mut self.pending)
    }

    /// The Arrow bytes of the rows held ([`held_memory`] of each batch, counted once).
    fn held_bytes(&self) -> usize {
        self.pieces_memory + self.pending_memory
    }
}

/// The Arrow bytes of a batch, as the budget of held rows ([`Config::pending_bytes`]) counts
/// them: its columns' memory (`get_array_memory_size`), except that a string view column
/// counts its views, its validity and the bytes of its values longer than 12 bytes (what a
/// `Utf8` column of the same values holds) rather than the buffers they point into. Those are
/// the object's body, read whole and held for the pass anyway, which `get_array_memory_size`
/// would count whole in every text column of every piece of every batch. This still
/// overstates what held views add (their values are not copies). A streamed batch's `Utf8`
/// columns count their spare capacity too, so the two ways of reading may open writers at
/// different points, and take different numbers of passes: the files are the same.
fn held_memory(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|column| match column.as_string_view_opt() {
            Some(array) => {
                let views = array.views();
                // A view's low 32 bits are its value's length (0 for a null).
                let long: usize = views
                    .iter()
                    .map(|&view| match view as u32 {
                        len @ 13.. => len as usize,
                        _ => 0,
                    })
                    .sum();
                views.len() * std::mem::size_of::<u128>()
                    + array.nulls().map_or(0, |n| n.buffer().len())
                    + long
            }
            None => column.get_array_memory_size(),
        })
        .sum()
}

/// The pieces as one batch (the piece itself when there is one).
fn concat(pieces: &[RecordBatch]) -> Result<RecordBatch, ConvertError> {
    match pieces {
        [one] => Ok(one.clone()),
        _ => {
            let schema = pieces
                .first()
                .map(RecordBatch::schema)
                .ok_or_else(|| ConvertError::retryable("no rows to gather"))?;
            arrow::compute::concat_batches(&schema, pieces).map_err(|e| {
                ConvertError::retryable(format!("gathering a partition's rows failed: {e}"))
            })
        }
    }
}

/// A finished Parquet file.
struct Finished {
    /// Its number in the uploader's list.
    file: usize,
    partition: Partition,
    key: String,
    /// The bytes not sent as parts (the whole file when it stayed below the part size);
    /// `None` once they were sent as the last part of its multipart upload.
    tail: Option<Vec<u8>>,
    bytes: u64,
    rows: PartitionRows,
}

/// The partitions' Parquet writers of one pass over an object.
///
/// A partition's rows are first held as Arrow batches (at most [`Config::pending_bytes`] in
/// all); past that, the partitions holding the most get a writer each, up to
/// [`Config::max_open_partitions`] writers, and once every writer is taken the others are
/// *deferred*: their rows are dropped for this pass and written by a later one. At the end of
/// the pass the open files are finished, then the partitions still held are written one at a
/// time. A file's bytes depend only on its partition's batches, which the reader cuts the same
/// way on every read: they are the same whichever pass writes it.
struct Writers<'a> {
    config: &'a Config,
    source_type: SourceType,
    id: &'a str,
    schema: SchemaRef,
    format: Format,
    options: ParquetOptions,
    uploads: mpsc::Sender<Upload>,
    slots: BTreeMap<Partition, Slot>,
    deferred: BTreeSet<Partition>,
    open: usize,
    pending: usize,
    next_file: usize,
    held_tails: usize,
    finished: Vec<Finished>,
    /// In a further pass over an object read whole by the first: each partition's rows and
    /// the object's counts, so that a file is finished as soon as it has all its rows.
    complete: Option<(BTreeMap<Partition, u64>, DecodeStats)>,
}

fn parquet_failed(e: aws_access_logs::Error) -> ConvertError {
    ConvertError::retryable(format!("writing the Parquet failed: {e}"))
}

impl Writers<'_> {
    /// Adds a batch of partition `partition`'s rows.
    fn add(
        &mut self,
        partition: Partition,
        batch: RecordBatch,
        rows: PartitionRows,
    ) -> Result<(), ConvertError> {
        if self.deferred.contains(&partition) {
            return Ok(());
        }
        let slot = self.slots.entry(partition).or_default();
        slot.rows.rows += rows.rows;
        slot.rows.range = merge(slot.rows.range, rows.range);
        let gathered = slot.gather(Some(batch), false)?;
        match (&mut slot.writer, gathered) {
            (Some(open), Some(batch)) => open.writer.write(&batch).map_err(parquet_failed)?,
            (None, Some(batch)) => slot.hold(batch),
            (_, None) => {}
        }
        let before = slot.pending_bytes;
        slot.pending_bytes = slot.held_bytes();
        self.pending = self.pending + slot.pending_bytes - before;
        self.finish_if_complete(partition)
    }

    /// Brings the rows held back under [`Config::pending_bytes`] (to half of it, so that this
    /// does not run at every batch): the partitions holding the most get writers while there
    /// are free ones; the others are deferred to a later pass.
    fn relieve(&mut self) -> Result<(), ConvertError> {
        let budget = self.config.pending_bytes;
        if self.pending <= budget {
            return Ok(());
        }
        let mut held: Vec<(usize, Partition)> = self
            .slots
            .iter()
            .filter(|(_, s)| s.writer.is_none() && s.pending_bytes > 0)
            .map(|(p, s)| (s.pending_bytes, *p))
            .collect();
        // Most held first; among equals, the earliest partition.
        held.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (bytes, partition) in held {
            if self.pending <= budget / 2 {
                break;
            }
            if self.open < self.config.max_open_partitions.max(1) {
                self.open_writer(partition)?;
            } else {
                self.slots.remove(&partition);
                self.deferred.insert(partition);
                self.pending -= bytes;
            }
        }
        Ok(())
    }

    /// Opens the Parquet file of `partition` and writes its rows held so far.
    fn open_writer(&mut self, partition: Partition) -> Result<(), ConvertError> {
        let key = parquet_key(
            &self.config.output_prefix,
            self.source_type,
            &partition,
            self.id,
        );
        let file = self.next_file;
        self.next_file += 1;
        self.uploads
            .blocking_send(Upload::Open {
                file,
                key: key.clone(),
            })
            .map_err(|_| ConvertError::retryable("the upload stopped"))?;
        let sink = PartSink::new(file, self.config.part_size, self.uploads.clone());
        let mut writer = ParquetWriter::try_new(
            sink.clone(),
            Arc::clone(&self.schema),
            self.format,
            &self.options,
        )
        .map_err(parquet_failed)?;
        let slot = self.slots.entry(partition).or_default();
        for batch in slot.take_pending() {
            writer.write(&batch).map_err(parquet_failed)?;
        }
        let before = slot.pending_bytes;
        slot.pending_bytes = slot.held_bytes();
        self.pending -= before - slot.pending_bytes;
        slot.writer = Some(OpenFile {
            file,
            key,
            writer,
            sink,
        });
        self.open += 1;
        Ok(())
    }

    /// Finishes every file of the pass: those open, then those of the partitions still held,
    /// one at a time. The metadata's row count is the file's (`aws_access_logs.rows`); the
    /// rejected count is the object's.
    fn finish(
        mut self,
        stats: &DecodeStats,
        incomplete: Option<&aws_access_logs::Error>,
    ) -> Result<(Vec<Finished>, BTreeSet<Partition>), ConvertError> {
        let partitions: Vec<Partition> = self.slots.keys().copied().collect();
        let (open, held): (Vec<Partition>, Vec<Partition>) = partitions
            .into_iter()
            .partition(|p| self.slots[p].writer.is_some());
        for partition in open.into_iter().chain(held) {
            self.finish_one(partition, stats, incomplete)?;
        }
        Ok((self.finished, self.deferred))
    }

    /// In a further pass, finishes the file of `partition` as soon as it has all its rows
    /// (counted by the first pass), which frees its writer for the next partition: a log in
    /// time order then takes one further pass whatever it spans. (Not for an incomplete
    /// object, whose files record the error at the end of the pass.)
    fn finish_if_complete(&mut self, partition: Partition) -> Result<(), ConvertError> {
        let Some((expected, stats)) = &self.complete else {
            return Ok(());
        };
        let stats = *stats;
        let Some(slot) = self.slots.get(&partition) else {
            return Ok(());
        };
        if expected.get(&partition) != Some(&slot.rows.rows) {
            return Ok(());
        }
        if slot.writer.is_none() {
            if self.open >= self.config.max_open_partitions.max(1) {
                // Held until a writer is free, or the end of the pass.
                return Ok(());
            }
            self.open_writer(partition)?;
        }
        self.finish_one(partition, &stats, None)
    }

    /// Finishes the file of `partition` (opening it if its rows were only held).
    fn finish_one(
        &mut self,
        partition: Partition,
        stats: &DecodeStats,
        incomplete: Option<&aws_access_logs::Error>,
    ) -> Result<(), ConvertError> {
        if self
            .slots
            .get(&partition)
            .is_some_and(|s| s.writer.is_none())
        {
            self.open_writer(partition)?;
        }
        let Some(mut slot) = self.slots.remove(&partition) else {
            return Ok(());
        };
        self.pending -= slot.pending_bytes.min(self.pending);
        let last = slot.gather(None, true)?;
        let Some(mut open) = slot.writer else {
            return Ok(());
        };
        if let Some(batch) = last {
            open.writer.write(&batch).map_err(parquet_failed)?;
        }
        self.open -= 1;
        let mut file_stats = *stats;
        file_stats.rows = slot.rows.rows;
        match incomplete {
            None => open.writer.finish(&file_stats),
            Some(err) => open.writer.finish_incomplete(&file_stats, err),
        }
        .map_err(parquet_failed)?;
        let (mut tail, _, bytes) = open.sink.take_tail();
        // The buffer grew while the file was written (to twice a part, once parts were
        // cut): keep only the bytes.
        tail.shrink_to_fit();
        let tail = if self.held_tails + tail.len() > self.config.held_tail_bytes {
            self.uploads
                .blocking_send(Upload::Last {
                    file: open.file,
                    bytes: Bytes::from(tail),
                })
                .map_err(|_| ConvertError::retryable("the upload stopped"))?;
            None
        } else {
            self.held_tails += tail.len();
            Some(tail)
        };
        self.finished.push(Finished {
            file: open.file,
            partition,
            key: open.key,
            tail,
            bytes,
            rows: slot.rows,
        });
        Ok(())
    }
}

/// What one pass over an object did.
struct Pass {
    source_type: SourceType,
    /// The files it wrote.
    finished: Vec<Finished>,
    /// The partitions left for a later pass.
    deferred: BTreeSet<Partition>,
    /// The rows of every partition the pass was to write (all of them in the first pass).
    partitions: BTreeMap<Partition, PartitionRows>,
    /// The rejects object (first pass only).
    rejects: Option<Vec<u8>>,
    rejects_omitted: u64,
    stats: DecodeStats,
    text_bytes: u64,
    stored_bytes: u64,
    incomplete: Option<String>,
}

/// What [`convert`] needs besides the body.
struct Job {
    config: Arc<Config>,
    routing: Routing,
    object: ObjectRef,
    id: String,
    /// The partitions to write: `None` in the first pass (all, and the rejects); later passes
    /// write the partitions the pass before deferred.
    only: Option<BTreeSet<Partition>>,
    /// The uploader's number of the pass's first file.
    first_file: usize,
    /// Bytes of finished files held from the passes before.
    held_tails: usize,
    /// In a further pass: each partition's rows and the object's counts from the first pass
    /// (`None` in the first pass, and for an object that stopped early).
    complete: Option<(BTreeMap<Partition, u64>, DecodeStats)>,
}

/// One pass over the body (read whole or streaming, see the module's documentation): decodes
/// it, splits every batch by the partition of each row's record time, and writes the
/// partitions' Parquet files, streamed to `uploads` as they grow (blocking: runs on a blocking
/// thread). The first pass also keeps the rejects (gzip JSON lines).
///
/// A Parquet file is opened when its partition gets a writer, so its key is known before its
/// first part is uploaded.
fn convert(
    job: Job,
    body: ObjectBody,
    uploads: mpsc::Sender<Upload>,
) -> Result<Pass, ConvertError> {
    let Job {
        config,
        routing,
        object,
        id,
        only,
        first_file,
        held_tails,
        complete,
    } = job;
    // A stream counts the bytes read from it; a body read whole is all there.
    let (mut reader, stream, whole_size) = match body {
        ObjectBody::Whole(bytes) => (open_whole(&config, routing, &bytes)?, None, bytes.len()),
        ObjectBody::Stream(read) => {
            let body = Body::new(read);
            (open_stream(&config, routing, &body)?, Some(body), 0)
        }
    };
    let source_type = SourceType::of_format(reader.format());
    let schema = reader.schema();
    let time_column = partition::time_column(&schema);
    let mut writers = Writers {
        config: &config,
        source_type,
        id: &id,
        schema: Arc::clone(&schema),
        format: reader.format(),
        options: ParquetOptions::default().with_max_row_group_bytes(config.row_group_bytes),
        uploads,
        slots: BTreeMap::new(),
        deferred: BTreeSet::new(),
        open: 0,
        pending: 0,
        next_file: first_file,
        held_tails,
        finished: Vec::new(),
        complete,
    };
    let mut partitions: BTreeMap<Partition, PartitionRows> = BTreeMap::new();
    let mut rejects = only.is_none().then(|| Rejects {
        gzip: GzEncoder::new(Vec::new(), Compression::default()),
        count: 0,
        text: 0,
        omitted: 0,
    });
    let mut take_rejects = |reader: &mut dyn BatchSource| match &mut rejects {
        Some(rejects) => rejects.add(&object, reader.take_rejects()),
        // Kept by the first pass; a later one only drops them.
        None => {
            drop(reader.take_rejects());
            Ok(())
        }
    };
    let read = loop {
        let batch = match reader.next_batch() {
            Ok(Some(batch)) => batch,
            Ok(None) => break Ok(()),
            Err(err) => break Err(err),
        };
        if batch.num_rows() > 0 {
            let pieces = partition::split(&batch, time_column, config.partition_by)
                .map_err(parquet_failed)?;
            drop(batch);
            for (partition, piece) in pieces {
                if only.as_ref().is_some_and(|only| !only.contains(&partition)) {
                    continue;
                }
                let rows = PartitionRows {
                    rows: piece.num_rows() as u64,
                    range: time_range(&piece, time_column),
                };
                let seen = partitions.entry(partition).or_default();
                seen.rows += rows.rows;
                seen.range = merge(seen.range, rows.range);
                writers.add(partition, piece, rows)?;
            }
            writers.relieve()?;
        }
        take_rejects(reader.as_mut())?;
    };
    take_rejects(reader.as_mut())?;
    let stats = reader.stats();
    let incomplete = match read {
        Ok(()) => None,
        Err(err) => {
            let err_kind = ConvertError::of(&err);
            if !err_kind.permanent {
                // The connection, not the object: nothing is kept, the event is retried.
                return Err(err_kind);
            }
            // The object itself stops here, and will again: keep the rows before (as the
            // converter does), mark the files incomplete, and do not retry.
            Some((err, err_kind.cause))
        }
    };
    let (finished, deferred) = writers.finish(&stats, incomplete.as_ref().map(|(e, _)| e))?;
    let (rejects, rejects_omitted) = match rejects {
        Some(rejects) => rejects.finish(&object)?,
        None => (None, 0),
    };
    Ok(Pass {
        source_type,
        finished,
        deferred,
        partitions,
        rejects,
        rejects_omitted,
        stats,
        text_bytes: reader.bytes_read(),
        stored_bytes: stream.map_or(whole_size as u64, |body| body.bytes_read()),
        incomplete: incomplete.map(|(_, cause)| cause),
    })
}

/// How far past its object's last-modified time a record's time still counts for
/// the `latest` document (records are written before their object; this leaves room for clock
/// skew).
pub const LATEST_SLACK_MS: i64 = 3_600_000;

/// One Parquet file written for an object, as the `latest` document lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetFile {
    /// Its key in the output bucket.
    pub key: String,
    /// Its partition.
    pub partition: Partition,
    /// Its rows.
    pub rows: u64,
    /// Earliest and latest record time (ms since the epoch; `None` for the untimed partition).
    pub range: Option<(i64, i64)>,
}

/// The `latest` document of an object's outputs: `files` (every Parquet file written for it,
/// in partition order, each with `key`, `partition`, `rows`, `earliest` and `latest`; the
/// times `null` for the untimed partition), `rejects` (the rejects object's key, or `null`),
/// and for the object as a whole `rows`, `earliest`, `latest`, `latest_ms`, `source`, plus
/// `key`: the file holding its latest records.
///
/// `latest_ms`, which orders the documents, is the latest record time capped at the object's
/// last-modified time plus [`LATEST_SLACK_MS`], so that one record stamped in the future
/// cannot pin the document; an object whose rows have no time counts as its last-modified
/// time.
pub fn latest_document(
    config: &Config,
    source_type: SourceType,
    object: &ObjectRef,
    files: &[ParquetFile],
    rejects_key: Option<&str>,
    last_modified_ms: Option<i64>,
) -> Value {
    let range = files
        .iter()
        .fold(None, |range, file| merge(range, file.range));
    let fallback = last_modified_ms.unwrap_or(0);
    let (earliest, latest) = range.unwrap_or((fallback, fallback));
    let order = last_modified_ms.map_or(latest, |m| latest.min(m.saturating_add(LATEST_SLACK_MS)));
    // Files are in partition order, the untimed partition last: the newest timed one.
    let newest = files
        .iter()
        .rev()
        .find(|f| f.range.is_some())
        .or(files.last());
    let listed: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({
                "key": f.key,
                "partition": f.partition.path(),
                "rows": f.rows,
                "earliest": f.range.map(|(e, _)| rfc3339(e)),
                "latest": f.range.map(|(_, l)| rfc3339(l)),
            })
        })
        .collect();
    json!({
        "bucket": config.output_bucket,
        "key": newest.map(|f| f.key.as_str()),
        "format": source_type.name(),
        "rows": files.iter().map(|f| f.rows).sum::<u64>(),
        "earliest": rfc3339(earliest),
        "latest": rfc3339(latest),
        "latest_ms": order,
        "source": {"bucket": object.bucket, "key": object.key},
        "files": listed,
        "rejects": rejects_key,
    })
}

/// Writes `document` as `latest_key` unless the current one names a newer object (latest
/// record time, then key). Conditional writes make concurrent updates safe. Returns whether it
/// was written.
async fn update_latest<S: ObjectStore>(
    store: &S,
    bucket: &str,
    latest_key: &str,
    document: &Value,
) -> Result<bool, String> {
    let ours = (
        document["latest_ms"].as_i64().unwrap_or(i64::MIN),
        document["key"].as_str().unwrap_or_default().to_string(),
    );
    let bytes = serde_json::to_vec_pretty(document).map_err(|e| e.to_string())?;
    // Reads denied, then found to exist by a conditional write.
    let mut denied_but_present = 0;
    for attempt in 0..8 {
        let mut denied = false;
        let precondition = match store.get_small(bucket, latest_key).await {
            Ok((current, etag)) => {
                let current: Value = serde_json::from_slice(&current).unwrap_or(Value::Null);
                let theirs = (
                    current["latest_ms"].as_i64().unwrap_or(i64::MIN),
                    current["key"].as_str().unwrap_or_default().to_string(),
                );
                if theirs >= ours {
                    return Ok(false);
                }
                match etag {
                    Some(etag) => Precondition::Matches(etag),
                    None => {
                        tracing::warn!(
                            bucket,
                            key = latest_key,
                            "the store gave no ETag: the latest document replaced without a condition"
                        );
                        Precondition::None
                    }
                }
            }
            Err(StoreError::NotFound) => Precondition::Absent,
            // S3 answers 403 for a missing key to a caller who may not list the bucket (the
            // role has no s3:ListBucket): a write on the condition that there is none tells.
            Err(StoreError::Forbidden) => {
                denied = true;
                Precondition::Absent
            }
            Err(err) => return Err(format!("reading s3://{bucket}/{latest_key}: {err}")),
        };
        match store
            .put(
                bucket,
                latest_key,
                bytes.clone(),
                "application/json",
                precondition,
            )
            .await
        {
            Ok(()) => return Ok(true),
            // Someone else wrote it meanwhile: compare again.
            Err(StoreError::PreconditionFailed) if denied => {
                denied_but_present += 1;
                if denied_but_present >= 2 {
                    return Err(format!(
                        "reading s3://{bucket}/{latest_key}: access denied (the object exists: \
                         the function needs s3:GetObject on it)"
                    ));
                }
                continue;
            }
            Err(StoreError::PreconditionFailed | StoreError::Conflict) => {
                tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
                continue;
            }
            Err(err) => return Err(format!("writing s3://{bucket}/{latest_key}: {err}")),
        }
    }
    Err(format!(
        "writing s3://{bucket}/{latest_key}: it kept changing under concurrent writers"
    ))
}

/// A multipart upload in progress.
struct Uploading {
    key: String,
    upload_id: Option<String>,
    parts: Vec<(i32, String)>,
}

/// Receives the decoding thread's parts and uploads them, one at a time (the thread
/// fills the next part meanwhile). Stops at the first error (the decoding thread then
/// fails to send, and stops too).
async fn upload_parts<S: ObjectStore>(
    store: &S,
    bucket: &str,
    uploads: &mut mpsc::Receiver<Upload>,
    files: &mut Vec<Uploading>,
) -> Result<(), String> {
    while let Some(message) = uploads.recv().await {
        match message {
            Upload::Open { file, key } => {
                debug_assert_eq!(file, files.len());
                files.push(Uploading {
                    key,
                    upload_id: None,
                    parts: Vec::new(),
                });
            }
            Upload::Part { file, bytes } | Upload::Last { file, bytes } => {
                let upload = files
                    .get_mut(file)
                    .ok_or_else(|| format!("a part of an unknown file {file}"))?;
                upload_part(store, bucket, upload, bytes)
                    .await
                    .map_err(|e| format!("writing s3://{bucket}/{}: {e}", upload.key))?;
            }
        }
    }
    Ok(())
}

async fn upload_part<S: ObjectStore>(
    store: &S,
    bucket: &str,
    upload: &mut Uploading,
    bytes: Bytes,
) -> Result<(), StoreError> {
    let upload_id = match &upload.upload_id {
        Some(id) => id.clone(),
        None => {
            let id = store
                .create_multipart(bucket, &upload.key, PARQUET_CONTENT_TYPE)
                .await?;
            upload.upload_id = Some(id.clone());
            id
        }
    };
    let number = i32::try_from(upload.parts.len() + 1).unwrap_or(i32::MAX);
    let etag = store
        .upload_part(bucket, &upload.key, &upload_id, number, bytes)
        .await?;
    upload.parts.push((number, etag));
    Ok(())
}

/// Aborts the multipart uploads still open, so that no parts remain.
async fn abort_all<S: ObjectStore>(store: &S, bucket: &str, files: &mut [Uploading]) {
    for upload in files {
        if let Some(upload_id) = upload.upload_id.take()
            && let Err(err) = store.abort_multipart(bucket, &upload.key, &upload_id).await
        {
            tracing::warn!(
                bucket,
                key = %upload.key,
                upload_id,
                cause = %err,
                "could not abort a multipart upload (an S3 lifecycle rule \
                 AbortIncompleteMultipartUpload removes its parts)"
            );
        }
    }
}

/// Reads the object the event names (whole when it holds at most `whole_up_to` bytes, see
/// [`ObjectStore::get`]). A key whose encoding is uncertain (see
/// [`ObjectRef::alternative_key`]) is resolved by the other reading when no object answers
/// under the first, and by the event's ETag when it names one: the object read is the one
/// that has it.
async fn open_object<S: ObjectStore>(
    store: &S,
    object: &ObjectRef,
    whole_up_to: u64,
) -> Result<(String, crate::store::Object), Failure> {
    let fail = |cause: String, permanent: bool| Failure {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        cause,
        permanent,
    };
    let version_id = object.version_id.as_deref();
    let alternative = object.alternative_key.as_ref();
    // The ETag checks the object only where another reading could name another object.
    let if_match = alternative.and(object.etag.as_deref());
    let first = store
        .get(
            &object.bucket,
            &object.key,
            version_id,
            if_match,
            whole_up_to,
        )
        .await;
    let err = match (first, alternative) {
        (Ok(opened), _) => return Ok((object.key.clone(), opened)),
        // A missing key reads as 403 without `s3:ListBucket` (as the template grants).
        (
            Err(
                err @ (StoreError::NotFound
                | StoreError::PreconditionFailed
                | StoreError::Forbidden),
            ),
            Some(alt),
        ) => match store
            .get(&object.bucket, alt, version_id, if_match, whole_up_to)
            .await
        {
            Ok(opened) => return Ok((alt.clone(), opened)),
            Err(StoreError::NotFound | StoreError::PreconditionFailed | StoreError::Forbidden) => {
                err
            }
            Err(other) => other,
        },
        (Err(err), _) => err,
    };
    Err(match err {
        // Overwritten since the event: the newer object has its own event.
        StoreError::PreconditionFailed => fail(
            format!(
                "cannot read the object: no object under the key has the event's ETag {}",
                object.etag.as_deref().unwrap_or("-")
            ),
            true,
        ),
        err => fail(format!("cannot read the object: {err}"), false),
    })
}

/// Processes one object: reads it (whole in memory up to [`Config::in_memory_object_bytes`],
/// streaming beyond; see the module's documentation), writes one Parquet file per partition
/// its rows fall in (streamed, as multipart uploads once they outgrow [`PART_SIZE`];
/// partitions past [`Config::max_open_partitions`] by further passes over the object,
/// decoded again from memory or read again from the store pinned to the same version), the
/// rejects object, and updates the `latest` document.
///
/// Nothing is left half-done by a failure: the multipart uploads are aborted, and the
/// rejects object (written just before the Parquet files are completed) is deleted if
/// completing them fails. Only the `latest` document may lag behind written outputs, until a
/// retry.
///
/// # Errors
///
/// A [`Failure`] naming the object and the cause: a read or write error, an undetectable
/// format, an object over [`Config::max_object_bytes`] (the last two permanent). Bad lines are
/// never failures: they go to the rejects object. An input that stops early (a truncated or
/// corrupt gzip) is not a failure either: its rows are written, and
/// [`Outcome::incomplete`] says why it stopped.
pub async fn process<S: ObjectStore>(
    store: &S,
    config: &Arc<Config>,
    object: &ObjectRef,
) -> Result<Outcome, Failure> {
    let started = Instant::now();
    // Never more than the size limit: a larger object is refused below, unread.
    let whole_up_to = config.in_memory_object_bytes.min(config.max_object_bytes);
    let (key, opened) = open_object(store, object, whole_up_to).await?;
    let object = &ObjectRef {
        key,
        alternative_key: None,
        ..object.clone()
    };
    let version = opened
        .version_id
        .clone()
        .or_else(|| object.version_id.clone());
    let etag = opened.etag.clone().or_else(|| object.etag.clone());
    let fail = |cause: String, permanent: bool| Failure {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        cause,
        permanent,
    };
    if let Some(size) = opened.size
        && size > config.max_object_bytes
    {
        return Err(fail(
            format!(
                "too large: the object holds {size} bytes, over the limit of {} ({}); \
                 convert it with the aws-access-logs command line instead, or raise the \
                 limit along with the function's memory and timeout",
                config.max_object_bytes,
                crate::config::MAX_OBJECT_BYTES_VAR
            ),
            true,
        ));
    }
    let last_modified_ms = opened.last_modified_ms;
    let id = object_id(
        &object.bucket,
        &object.key,
        version.as_deref(),
        etag.as_deref(),
    );
    let bucket = &config.output_bucket;
    let routing = config.routing(&object.key);
    let mut files: Vec<Uploading> = Vec::new();
    let mut finished: Vec<Finished> = Vec::new();
    let mut first: Option<Pass> = None;
    let mut only = None;
    let mut body = opened.body;
    let in_memory = matches!(body, ObjectBody::Whole(_));
    let mut passes = 0;
    loop {
        passes += 1;
        // A body read whole is kept for a further pass: decoded again from memory.
        let whole = match &body {
            ObjectBody::Whole(bytes) => Some(bytes.clone()),
            ObjectBody::Stream(_) => None,
        };
        let job = Job {
            config: Arc::clone(config),
            routing,
            object: object.clone(),
            id: id.clone(),
            only: only.clone(),
            first_file: files.len(),
            held_tails: finished
                .iter()
                .map(|f| f.tail.as_ref().map_or(0, Vec::len))
                .sum(),
            complete: first.as_ref().filter(|f| f.incomplete.is_none()).map(|f| {
                let rows = f.partitions.iter().map(|(p, r)| (*p, r.rows)).collect();
                (rows, f.stats)
            }),
        };
        let mut pass = match run_pass(store, bucket, job, body, &mut files).await {
            Ok(pass) => pass,
            Err((cause, permanent)) => {
                abort_all(store, bucket, &mut files).await;
                return Err(fail(cause, permanent));
            }
        };
        if let (Some(first), Some(only)) = (&first, &only) {
            // The same object, read again: the same rows, cut the same way.
            let expected: BTreeMap<Partition, PartitionRows> = first
                .partitions
                .iter()
                .filter(|(p, _)| only.contains(p))
                .map(|(p, r)| (*p, *r))
                .collect();
            if pass.partitions != expected
                || pass.stats != first.stats
                || pass.incomplete != first.incomplete
            {
                abort_all(store, bucket, &mut files).await;
                return Err(fail(
                    format!(
                        "the object read differently in pass {passes} ({} rows) than in the \
                         first ({} rows)",
                        pass.stats.rows, first.stats.rows
                    ),
                    false,
                ));
            }
        }
        let wrote = pass.finished.len();
        finished.append(&mut pass.finished);
        let deferred = std::mem::take(&mut pass.deferred);
        if first.is_none() {
            first = Some(pass);
        }
        if deferred.is_empty() {
            break;
        }
        tracing::info!(
            bucket = %object.bucket,
            key = %object.key,
            pass = passes,
            files = wrote,
            deferred = deferred.len(),
            in_memory = whole.is_some(),
            "more partitions than open writers: the object is read again for the rest"
        );
        only = Some(deferred);
        if let Some(bytes) = whole {
            // The same bytes, without another request.
            body = ObjectBody::Whole(bytes);
            continue;
        }
        // Pinned: the same version (or the same ETag) as the first read. It streams again.
        let if_match = if version.is_none() {
            etag.as_deref()
        } else {
            None
        };
        body = match store
            .get(&object.bucket, &object.key, version.as_deref(), if_match, 0)
            .await
        {
            Ok(opened) => opened.body,
            Err(err) => {
                abort_all(store, bucket, &mut files).await;
                // Overwritten since (and not versioned): the newer object has its own event.
                let permanent = err == StoreError::PreconditionFailed;
                return Err(fail(
                    format!(
                        "cannot read the object again for pass {}: {err}",
                        passes + 1
                    ),
                    permanent,
                ));
            }
        };
    }
    let Some(first) = first else {
        return Err(fail("no pass over the object".to_string(), false));
    };
    finished.sort_by_key(|f| f.partition);
    let rejects_key = rejects_key(
        &config.output_prefix,
        first.source_type,
        last_modified_ms,
        &id,
    );
    let rejects = first
        .rejects
        .as_deref()
        .map(|bytes| (rejects_key.as_str(), bytes));
    if let Err(cause) = write_outputs(store, bucket, &finished, rejects, &mut files).await {
        abort_all(store, bucket, &mut files).await;
        return Err(fail(cause, false));
    }
    let parquet_files: Vec<ParquetFile> = finished
        .iter()
        .map(|f| ParquetFile {
            key: f.key.clone(),
            partition: f.partition,
            rows: f.rows.rows,
            range: f.rows.range,
        })
        .collect();
    let mut outcome = Outcome {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        source_type: first.source_type,
        stats: first.stats,
        bytes_in: first.stored_bytes,
        text_bytes: first.text_bytes,
        parquet_bytes: finished.iter().map(|f| f.bytes).sum(),
        rejects_bytes: first.rejects.as_ref().map_or(0, |r| r.len() as u64),
        rejects_omitted: first.rejects_omitted,
        parquet_keys: parquet_files.iter().map(|f| f.key.clone()).collect(),
        rejects_key: first.rejects.as_ref().map(|_| rejects_key.clone()),
        latest_updated: false,
        time_range: parquet_files
            .iter()
            .fold(None, |range, f| merge(range, f.range)),
        incomplete: first.incomplete.clone(),
        passes,
        in_memory,
        duration_ms: 0.0,
    };
    if !parquet_files.is_empty() {
        let document = latest_document(
            config,
            first.source_type,
            object,
            &parquet_files,
            outcome.rejects_key.as_deref(),
            last_modified_ms,
        );
        let latest_key = latest_key(&config.output_prefix, first.source_type);
        outcome.latest_updated = update_latest(store, bucket, &latest_key, &document)
            .await
            .map_err(|cause| fail(cause, false))?;
    }
    outcome.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(outcome)
}

/// One pass over the object: the decoding thread and the uploader, side by side. The error
/// is the cause and whether it is permanent.
async fn run_pass<S: ObjectStore>(
    store: &S,
    bucket: &str,
    job: Job,
    body: ObjectBody,
    files: &mut Vec<Uploading>,
) -> Result<Pass, (String, bool)> {
    // One part waiting at most: memory stays bounded whatever the object's size.
    let (sender, mut receiver) = mpsc::channel(1);
    let decoding = tokio::task::spawn_blocking(move || convert(job, body, sender));
    let uploaded = upload_parts(store, bucket, &mut receiver, files).await;
    // Once the uploads stop, the decoding thread fails to send and stops.
    drop(receiver);
    match (uploaded, decoding.await) {
        (Err(cause), _) => Err((cause, false)),
        (Ok(()), Err(e)) => Err((format!("the decoding task failed: {e}"), false)),
        (Ok(()), Ok(Err(e))) => Err((e.cause, e.permanent)),
        (Ok(()), Ok(Ok(pass))) => Ok(pass),
    }
}

/// Writes the outputs of a converted object, in an order that leaves nothing half-done: the
/// Parquet files' last parts, then the rejects object, then the Parquet files are completed
/// (or put whole, when small). If completing fails, the rejects object is deleted again; the
/// caller aborts the uploads.
async fn write_outputs<S: ObjectStore>(
    store: &S,
    bucket: &str,
    finished: &[Finished],
    rejects: Option<(&str, &[u8])>,
    files: &mut [Uploading],
) -> Result<(), String> {
    let unknown = |file: &Finished| format!("writing s3://{bucket}/{}: no such upload", file.key);
    for file in finished {
        let upload = files.get_mut(file.file).ok_or_else(|| unknown(file))?;
        if let Some(tail) = &file.tail
            && upload.upload_id.is_some()
        {
            upload_part(store, bucket, upload, Bytes::from(tail.clone()))
                .await
                .map_err(|e| format!("writing s3://{bucket}/{}: {e}", file.key))?;
        }
    }
    if let Some((rejects_key, rejects)) = rejects {
        store
            .put(
                bucket,
                rejects_key,
                rejects.to_vec(),
                REJECTS_CONTENT_TYPE,
                Precondition::None,
            )
            .await
            .map_err(|e| format!("writing s3://{bucket}/{rejects_key}: {e}"))?;
    }
    for file in finished {
        let upload = files.get_mut(file.file).ok_or_else(|| unknown(file))?;
        let written = match (upload.upload_id.clone(), &file.tail) {
            (Some(upload_id), _) => {
                let parts = std::mem::take(&mut upload.parts);
                let done = store
                    .complete_multipart(bucket, &file.key, &upload_id, parts)
                    .await;
                if done.is_ok() {
                    upload.upload_id = None;
                }
                done
            }
            (None, Some(tail)) => {
                store
                    .put(
                        bucket,
                        &file.key,
                        tail.clone(),
                        PARQUET_CONTENT_TYPE,
                        Precondition::None,
                    )
                    .await
            }
            (None, None) => Err(StoreError::Other(
                "the file's bytes were neither held nor uploaded".to_string(),
            )),
        };
        if let Err(err) = written {
            let cause = format!("writing s3://{bucket}/{}: {err}", file.key);
            // (With several files, those completed before stay: a retry rewrites them with
            // the same bytes.)
            if let Some((rejects_key, _)) = rejects
                && let Err(e) = store.delete(bucket, rejects_key).await
            {
                tracing::warn!(
                    bucket,
                    key = %rejects_key,
                    cause = %e,
                    "could not delete the rejects object of a failed object"
                );
            }
            return Err(cause);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rejects object's line: the keys in alphabetical order, a line that is not UTF-8 in
    /// base64.
    #[test]
    fn reject_lines() {
        let log = b"not a log\n\xff\n";
        let mut reader = ReaderBuilder::new(Format::S3).build(&log[..]).unwrap();
        reader.by_ref().for_each(drop);
        let lines: Vec<String> = reader
            .take_rejects()
            .iter()
            .map(|r| serde_json::to_string(&reject_json("logs", "a/b.log", r).unwrap()).unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                concat!(
                    r#"{"bucket":"logs","byte_offset":0,"error":"s3 access log: line 1 (byte 0), "#,
                    r#"field remote_ip: missing field: the line ended before this field","#,
                    r#""field":"remote_ip","key":"a/b.log","line":1,"outcome":"rejected","#,
                    r#""raw":"not a log"}"#
                ),
                concat!(
                    r#"{"bucket":"logs","byte_offset":10,"error":"s3 access log: line 2 "#,
                    r#"(byte 10), field bucket: missing field: the line ended before this "#,
                    r#"field","field":"bucket","key":"a/b.log","line":2,"outcome":"rejected","#,
                    r#""raw_base64":"/w=="}"#
                ),
            ]
        );
    }
}
