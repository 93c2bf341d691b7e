//! One object: read, decode, write the Parquet, rejects and `latest.json` objects.

use std::io::{self, Cursor, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::array::{Array, RecordBatch, TimestampMillisecondArray};
use arrow::compute::{max, min};
use arrow::datatypes::{DataType, TimeUnit};
use aws_access_logs::parquet::{ParquetOptions, ParquetWriter};
use aws_access_logs::{DecodeStats, ErrorKind, Format, Reader, ReaderBuilder, Reject};
use base64::Engine as _;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::config::{Config, SourceType};
use crate::events::ObjectRef;
use crate::store::{ObjectStore, Precondition, StoreError};

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
    /// Whether `latest.json` now names this object's Parquet.
    pub latest_updated: bool,
    /// Earliest and latest record times (ms since the epoch), when there were rows.
    pub time_range: Option<(i64, i64)>,
    /// Why the input stopped before its end, when it did (a truncated or corrupt gzip, an
    /// object over its size limit): the rows before are written, the Parquet file records
    /// the cause under `aws_access_logs.incomplete`. Not retried: the input cannot change.
    pub incomplete: Option<String>,
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

/// The output object names for an object with id `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputKeys {
    /// The temporal Parquet object.
    pub parquet: String,
    /// The rejects object.
    pub rejects: String,
    /// The format's `latest.json`.
    pub latest: String,
}

/// The output keys of an object of `source_type` whose partition time is `partition_ms`.
pub fn output_keys(
    prefix: &str,
    source_type: SourceType,
    partition_ms: i64,
    id: &str,
) -> OutputKeys {
    let time = DateTime::<Utc>::from_timestamp_millis(partition_ms).unwrap_or_default();
    let partition = time.format("year=%Y/month=%m/day=%d/hour=%H");
    let base = format!("{prefix}{source_type}");
    OutputKeys {
        parquet: format!("{base}/{partition}/{id}.parquet"),
        rejects: format!("{base}/rejects/{partition}/{id}.jsonl.gz"),
        latest: format!("{base}/latest.json"),
    }
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

type BodyReader = Reader<Box<dyn Read + Send>>;

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
        ErrorKind::Io | ErrorKind::InvalidArgument | ErrorKind::Arrow | ErrorKind::Parquet => false,
        ErrorKind::Gzip => !is_transport_error(err),
        _ => true,
    }
}

/// Opens the decoder: the routed format, or the detected one.
fn open(
    config: &Config,
    route: Option<SourceType>,
    body: &Body,
) -> Result<BodyReader, ConvertError> {
    let with_fields = |builder: ReaderBuilder| match &config.realtime_fields {
        Some(fields) => Ok(builder.with_fields(fields.clone())),
        // The configuration can change: retryable (the event waits in the dead-letter queue).
        None => Err(ConvertError::retryable(format!(
            "the object holds CloudFront real-time logs, which need {}",
            crate::config::REALTIME_FIELDS_VAR
        ))),
    };
    // Plain objects are checked against the limit by their size before reading.
    let limit = config.max_object_bytes;
    let reader = match route {
        Some(t) => {
            body.stop_keeping();
            let builder = ReaderBuilder::new(t.format()).with_max_decompressed_bytes(limit);
            let builder = if t == SourceType::CloudFrontRealtime {
                with_fields(builder)?
            } else {
                builder
            };
            builder.build(Box::new(body.clone()) as Box<dyn Read + Send>)
        }
        None => match ReaderBuilder::auto()
            .with_max_decompressed_bytes(limit)
            .build(Box::new(body.clone()) as Box<dyn Read + Send>)
        {
            Ok(reader) => {
                body.stop_keeping();
                Ok(reader)
            }
            // Detected as real-time logs, which need the configured field list: read the
            // start again with it.
            Err(err)
                if err.kind() == ErrorKind::InvalidArgument
                    && err.to_string().contains("real-time") =>
            {
                let start = body.stop_keeping().ok_or_else(|| ConvertError {
                    cause: "the start of the object was too large to read again".to_string(),
                    permanent: true,
                })?;
                let builder = with_fields(
                    ReaderBuilder::new(Format::CloudFrontRealtime)
                        .with_max_decompressed_bytes(limit),
                )?;
                let input = Cursor::new(start).chain(body.clone());
                builder.build(Box::new(input) as Box<dyn Read + Send>)
            }
            Err(err) => Err(err),
        },
    };
    reader.map_err(|err| ConvertError::of(&err))
}

/// The range of a batch's time column (`None` without one, or when every value is null).
fn time_range(batch: &RecordBatch, column: Option<usize>) -> Option<(i64, i64)> {
    let times = batch
        .column(column?)
        .as_any()
        .downcast_ref::<TimestampMillisecondArray>()?;
    Some((min(times)?, max(times)?))
}

fn merge(a: Option<(i64, i64)>, b: Option<(i64, i64)>) -> Option<(i64, i64)> {
    match (a, b) {
        (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
        (a, b) => a.or(b),
    }
}

/// One rejected or repaired line as a JSON object.
pub fn reject_json(bucket: &str, key: &str, reject: &Reject) -> Value {
    let mut obj = json!({
        "bucket": bucket,
        "key": key,
        "line": reject.line(),
        "byte_offset": reject.byte_offset(),
        "field": reject.field(),
        "error": reject.error().to_string(),
        "outcome": reject.outcome().as_str(),
    });
    match std::str::from_utf8(reject.raw()) {
        Ok(text) => obj["raw"] = text.into(),
        Err(_) => {
            obj["raw_base64"] = base64::engine::general_purpose::STANDARD
                .encode(reject.raw())
                .into()
        }
    }
    obj
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

/// A Parquet file being written: one per output partition (for now, one per object).
struct OutputFile {
    key: String,
    partition_ms: i64,
    writer: ParquetWriter<PartSink>,
    sink: PartSink,
    range: Option<(i64, i64)>,
}

/// A finished Parquet file: its tail is still to be uploaded.
struct Finished {
    key: String,
    tail: Vec<u8>,
    parts: usize,
    bytes: u64,
    range: Option<(i64, i64)>,
}

struct Converted {
    rejects_omitted: u64,
    source_type: SourceType,
    files: Vec<Finished>,
    rejects: Option<Vec<u8>>,
    rejects_key: String,
    stats: DecodeStats,
    text_bytes: u64,
    stored_bytes: u64,
    time_range: Option<(i64, i64)>,
    incomplete: Option<String>,
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
            let mut line =
                serde_json::to_vec(&reject_json(&object.bucket, &object.key, &reject))
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

/// What [`convert`] needs besides the body.
struct Job {
    config: Arc<Config>,
    route: Option<SourceType>,
    object: ObjectRef,
    id: String,
    last_modified_ms: Option<i64>,
}

/// Decodes the body into Parquet files, streamed to `uploads` as they grow, and gzip JSON
/// lines (blocking: runs on a blocking thread).
///
/// A Parquet file is opened when the first row of its partition comes, so its key is known
/// before its first part is uploaded. For now every row of an object goes to one file,
/// partitioned by the earliest record time of the object's first batch of rows.
fn convert(
    job: Job,
    body: Box<dyn Read + Send>,
    uploads: mpsc::Sender<Upload>,
) -> Result<Converted, ConvertError> {
    let Job {
        config,
        route,
        object,
        id,
        last_modified_ms,
    } = job;
    let body = Body::new(body);
    let mut reader = open(&config, route, &body)?;
    let source_type = SourceType::of_format(reader.format());
    let schema = reader.schema();
    let time_column = schema
        .fields()
        .iter()
        .position(|f| matches!(f.data_type(), DataType::Timestamp(TimeUnit::Millisecond, _)));
    let options = ParquetOptions::default();
    let mut files: Vec<OutputFile> = Vec::new();
    let mut rejects = Rejects {
        gzip: GzEncoder::new(Vec::new(), Compression::default()),
        count: 0,
        text: 0,
        omitted: 0,
    };
    let written = |e: aws_access_logs::Error| {
        ConvertError::retryable(format!("writing the Parquet failed: {e}"))
    };
    let read = loop {
        let batch = match reader.next_batch() {
            Ok(Some(batch)) => batch,
            Ok(None) => break Ok(()),
            Err(err) => break Err(err),
        };
        if batch.num_rows() > 0 {
            let range = time_range(&batch, time_column);
            if files.is_empty() {
                // Rows without a time are partitioned by the object's last-modified time.
                let partition_ms = match range.map(|(earliest, _)| earliest).or(last_modified_ms) {
                    Some(ms) => ms,
                    None => {
                        tracing::warn!(
                            bucket = %object.bucket,
                            key = %object.key,
                            "no record time and no last-modified time: partitioned under \
                             1970-01-01"
                        );
                        0
                    }
                };
                let key =
                    output_keys(&config.output_prefix, source_type, partition_ms, &id).parquet;
                let file = files.len();
                uploads
                    .blocking_send(Upload::Open {
                        file,
                        key: key.clone(),
                    })
                    .map_err(|_| ConvertError::retryable("the upload stopped"))?;
                let sink = PartSink::new(file, config.part_size, uploads.clone());
                let writer = ParquetWriter::try_new(
                    sink.clone(),
                    reader.schema(),
                    reader.format(),
                    &options,
                )
                .map_err(written)?;
                files.push(OutputFile {
                    key,
                    partition_ms,
                    writer,
                    sink,
                    range: None,
                });
            }
            let file = &mut files[0];
            file.range = merge(file.range, range);
            file.writer.write(&batch).map_err(written)?;
        }
        rejects.add(&object, reader.take_rejects())?;
    };
    rejects.add(&object, reader.take_rejects())?;
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
    let partition_ms = files
        .first()
        .map(|f| f.partition_ms)
        .or(last_modified_ms)
        .unwrap_or(0);
    let mut finished = Vec::with_capacity(files.len());
    let mut time_range_all = None;
    for file in files {
        match &incomplete {
            None => file.writer.finish(&stats),
            Some((err, _)) => file.writer.finish_incomplete(&stats, err),
        }
        .map_err(written)?;
        let (tail, parts, bytes) = file.sink.take_tail();
        time_range_all = merge(time_range_all, file.range);
        finished.push(Finished {
            key: file.key,
            tail,
            parts,
            bytes,
            range: file.range,
        });
    }
    let (rejects, rejects_omitted) = rejects.finish(&object)?;
    Ok(Converted {
        source_type,
        files: finished,
        rejects,
        rejects_key: output_keys(&config.output_prefix, source_type, partition_ms, &id).rejects,
        rejects_omitted,
        stats,
        text_bytes: reader.bytes_read(),
        stored_bytes: body.bytes_read(),
        time_range: time_range_all,
        incomplete: incomplete.map(|(_, cause)| cause),
    })
}

/// How far past its object's last-modified time a record's time still counts for
/// `latest.json` (records are written before their object; this leaves room for clock skew).
pub const LATEST_SLACK_MS: i64 = 3_600_000;

/// The `latest.json` document for a Parquet object. `latest_ms`, which orders the documents,
/// is the latest record time capped at the object's last-modified time plus
/// [`LATEST_SLACK_MS`], so that one record stamped in the future cannot pin `latest.json`.
pub fn latest_document(
    config: &Config,
    parquet_key: &str,
    source_type: SourceType,
    object: &ObjectRef,
    rows: u64,
    (earliest, latest): (i64, i64),
    last_modified_ms: Option<i64>,
) -> Value {
    let order = last_modified_ms.map_or(latest, |m| latest.min(m.saturating_add(LATEST_SLACK_MS)));
    json!({
        "bucket": config.output_bucket,
        "key": parquet_key,
        "format": source_type.name(),
        "rows": rows,
        "earliest": rfc3339(earliest),
        "latest": rfc3339(latest),
        "latest_ms": order,
        "source": {"bucket": object.bucket, "key": object.key},
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
                            "the store gave no ETag: latest.json replaced without a condition"
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
            Upload::Part { file, bytes } => {
                let upload = &mut files[file];
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

/// Reads the object the event names. An EventBridge key whose encoding is uncertain (see
/// [`ObjectRef::alternative_key`]) is resolved by the event's ETag: the object read is the
/// one that has it.
async fn open_object<S: ObjectStore>(
    store: &S,
    object: &ObjectRef,
) -> Result<(String, crate::store::Object), Failure> {
    let fail = |cause: String, permanent: bool| Failure {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        cause,
        permanent,
    };
    let version_id = object.version_id.as_deref();
    let (alternative, if_match) = match (&object.alternative_key, &object.etag) {
        (Some(alternative), Some(etag)) => (Some(alternative), Some(etag.as_str())),
        _ => (None, None),
    };
    let first = store
        .get(&object.bucket, &object.key, version_id, if_match)
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
        ) => match store.get(&object.bucket, alt, version_id, if_match).await {
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

/// Processes one object: reads it (streaming), writes its Parquet (streamed, as a multipart
/// upload once it outgrows [`PART_SIZE`]) and rejects objects, and updates `latest.json`.
///
/// Nothing is left half-done by a failure: the multipart uploads are aborted, and the
/// rejects object (written just before the Parquet is completed) is deleted if completing
/// the Parquet fails. Only `latest.json` may lag behind written outputs, until a retry.
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
    let (key, opened) = open_object(store, object).await?;
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
    // One part waiting at most: memory stays bounded whatever the object's size.
    let (sender, mut receiver) = mpsc::channel(1);
    let job = Job {
        config: Arc::clone(config),
        route: config.route(&object.key),
        object: object.clone(),
        id,
        last_modified_ms,
    };
    let body = opened.body;
    let decoding = tokio::task::spawn_blocking(move || convert(job, body, sender));
    let mut files = Vec::new();
    let uploaded = upload_parts(store, bucket, &mut receiver, &mut files).await;
    // Once the uploads stop, the decoding thread fails to send and stops.
    drop(receiver);
    let converted = decoding.await;
    let converted = match (uploaded, converted) {
        (Err(cause), _) => Err(fail(cause, false)),
        (Ok(()), Err(e)) => Err(fail(format!("the decoding task failed: {e}"), false)),
        (Ok(()), Ok(Err(e))) => Err(fail(e.cause, e.permanent)),
        (Ok(()), Ok(Ok(converted))) => Ok(converted),
    };
    let converted = match converted {
        Ok(converted) => converted,
        Err(failure) => {
            abort_all(store, bucket, &mut files).await;
            return Err(failure);
        }
    };
    match write_outputs(store, bucket, &converted, &mut files).await {
        Ok(()) => {}
        Err(cause) => {
            abort_all(store, bucket, &mut files).await;
            return Err(fail(cause, false));
        }
    }

    let mut outcome = Outcome {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        source_type: converted.source_type,
        stats: converted.stats,
        bytes_in: converted.stored_bytes,
        text_bytes: converted.text_bytes,
        parquet_bytes: converted.files.iter().map(|f| f.bytes).sum(),
        rejects_bytes: converted.rejects.as_ref().map_or(0, |r| r.len() as u64),
        rejects_omitted: converted.rejects_omitted,
        parquet_keys: converted.files.iter().map(|f| f.key.clone()).collect(),
        rejects_key: converted
            .rejects
            .as_ref()
            .map(|_| converted.rejects_key.clone()),
        latest_updated: false,
        time_range: converted.time_range,
        incomplete: converted.incomplete.clone(),
        duration_ms: 0.0,
    };
    for file in &converted.files {
        // Rows without a time (a standard log without date and time fields) are partitioned
        // by the object's last-modified time.
        let fallback = last_modified_ms.unwrap_or(0);
        let range = file.range.unwrap_or((fallback, fallback));
        let latest_key = output_keys(&config.output_prefix, converted.source_type, 0, "").latest;
        let document = latest_document(
            config,
            &file.key,
            converted.source_type,
            object,
            converted.stats.rows,
            range,
            last_modified_ms,
        );
        outcome.latest_updated |= update_latest(store, bucket, &latest_key, &document)
            .await
            .map_err(|cause| fail(cause, false))?;
    }
    outcome.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(outcome)
}

/// Writes the outputs of a converted object, in an order that leaves nothing half-done: the
/// Parquet files' last parts, then the rejects object, then the Parquet files are completed
/// (or put whole, when small). If completing fails, the rejects object is deleted again; the
/// caller aborts the uploads.
async fn write_outputs<S: ObjectStore>(
    store: &S,
    bucket: &str,
    converted: &Converted,
    files: &mut [Uploading],
) -> Result<(), String> {
    for (file, upload) in converted.files.iter().zip(files.iter_mut()) {
        if file.parts > 0 {
            upload_part(store, bucket, upload, Bytes::from(file.tail.clone()))
                .await
                .map_err(|e| format!("writing s3://{bucket}/{}: {e}", file.key))?;
        }
    }
    if let Some(rejects) = &converted.rejects {
        store
            .put(
                bucket,
                &converted.rejects_key,
                rejects.clone(),
                REJECTS_CONTENT_TYPE,
                Precondition::None,
            )
            .await
            .map_err(|e| format!("writing s3://{bucket}/{}: {e}", converted.rejects_key))?;
    }
    for (file, upload) in converted.files.iter().zip(files.iter_mut()) {
        let written = match upload.upload_id.clone() {
            Some(upload_id) => {
                let parts = std::mem::take(&mut upload.parts);
                let done = store
                    .complete_multipart(bucket, &file.key, &upload_id, parts)
                    .await;
                if done.is_ok() {
                    upload.upload_id = None;
                }
                done
            }
            None => {
                store
                    .put(
                        bucket,
                        &file.key,
                        file.tail.clone(),
                        PARQUET_CONTENT_TYPE,
                        Precondition::None,
                    )
                    .await
            }
        };
        if let Err(err) = written {
            let cause = format!("writing s3://{bucket}/{}: {err}", file.key);
            // (With several files, those completed before stay: a retry rewrites them with
            // the same bytes.)
            if converted.rejects.is_some()
                && let Err(e) = store.delete(bucket, &converted.rejects_key).await
            {
                tracing::warn!(
                    bucket,
                    key = %converted.rejects_key,
                    cause = %e,
                    "could not delete the rejects object of a failed object"
                );
            }
            return Err(cause);
        }
    }
    Ok(())
}
