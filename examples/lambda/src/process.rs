//! One object: read, decode, write the Parquet, rejects and `latest.json` objects.

use std::io::{self, Cursor, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow::array::{Array, RecordBatch, TimestampMillisecondArray};
use arrow::compute::{max, min};
use arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use aws_access_logs::parquet::{ParquetOptions, write_parquet_with_rejects};
use aws_access_logs::{BatchSource, DecodeStats, ErrorKind, Format, Reader, ReaderBuilder, Reject};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

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
    /// The Parquet object's key, when one was written.
    pub parquet_key: Option<String>,
    /// The rejects object's key, when one was written.
    pub rejects_key: Option<String>,
    /// Whether `latest.json` now names this object's Parquet.
    pub latest_updated: bool,
    /// Earliest and latest record times (ms since the epoch), when there were rows.
    pub time_range: Option<(i64, i64)>,
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

/// Opens the decoder: the routed format, or the detected one.
fn open(config: &Config, route: Option<SourceType>, body: &Body) -> Result<BodyReader, String> {
    let with_fields = |builder: ReaderBuilder| match &config.realtime_fields {
        Some(fields) => Ok(builder.with_fields(fields.clone())),
        None => Err(format!(
            "the object holds CloudFront real-time logs, which need {}",
            crate::config::REALTIME_FIELDS_VAR
        )),
    };
    let reader = match route {
        Some(t) => {
            body.stop_keeping();
            let builder = ReaderBuilder::new(t.format());
            let builder = if t == SourceType::CloudFrontRealtime {
                with_fields(builder)?
            } else {
                builder
            };
            builder.build(Box::new(body.clone()) as Box<dyn Read + Send>)
        }
        None => match ReaderBuilder::auto().build(Box::new(body.clone()) as Box<dyn Read + Send>) {
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
                let start = body.stop_keeping().ok_or_else(|| {
                    "the start of the object was too large to read again".to_string()
                })?;
                let builder = with_fields(ReaderBuilder::new(Format::CloudFrontRealtime))?;
                let input = Cursor::new(start).chain(body.clone());
                builder.build(Box::new(input) as Box<dyn Read + Send>)
            }
            Err(err) => Err(err),
        },
    };
    reader.map_err(|err| match err.kind() {
        ErrorKind::UnknownFormat => format!("undetectable format: {err}"),
        _ => err.to_string(),
    })
}

/// Observes the batches going to the Parquet writer: the range of the time column.
struct Observed<'a, S: BatchSource> {
    inner: &'a mut S,
    time_column: Option<usize>,
    range: Option<(i64, i64)>,
}

impl<S: BatchSource> Observed<'_, S> {
    fn observe(&mut self, batch: &RecordBatch) {
        let Some(column) = self.time_column else {
            return;
        };
        let Some(times) = batch
            .column(column)
            .as_any()
            .downcast_ref::<TimestampMillisecondArray>()
        else {
            return;
        };
        // `None` when every value is null.
        if let (Some(lo), Some(hi)) = (min(times), max(times)) {
            self.range = Some(match self.range {
                None => (lo, hi),
                Some((a, b)) => (a.min(lo), b.max(hi)),
            });
        }
    }
}

impl<S: BatchSource> BatchSource for Observed<'_, S> {
    fn format(&self) -> Format {
        self.inner.format()
    }

    fn schema(&self) -> SchemaRef {
        self.inner.schema()
    }

    fn stats(&self) -> DecodeStats {
        self.inner.stats()
    }

    fn bytes_read(&self) -> u64 {
        self.inner.bytes_read()
    }

    fn next_batch(&mut self) -> aws_access_logs::Result<Option<RecordBatch>> {
        let batch = self.inner.next_batch()?;
        if let Some(batch) = &batch {
            self.observe(batch);
        }
        Ok(batch)
    }

    fn take_rejects(&mut self) -> Vec<Reject> {
        self.inner.take_rejects()
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

struct Converted {
    rejects_omitted: u64,
    source_type: SourceType,
    parquet: Vec<u8>,
    rejects: Option<Vec<u8>>,
    stats: DecodeStats,
    text_bytes: u64,
    stored_bytes: u64,
    time_range: Option<(i64, i64)>,
}

/// Decodes the body into Parquet and gzip JSON lines (blocking: runs on a blocking thread).
fn convert(
    config: &Config,
    route: Option<SourceType>,
    object: &ObjectRef,
    body: Box<dyn Read + Send>,
) -> Result<Converted, String> {
    let body = Body::new(body);
    let mut reader = open(config, route, &body)?;
    let source_type = SourceType::of_format(reader.format());
    let schema = reader.schema();
    let time_column = schema
        .fields()
        .iter()
        .position(|f| matches!(f.data_type(), DataType::Timestamp(TimeUnit::Millisecond, _)));
    let mut observed = Observed {
        inner: &mut reader,
        time_column,
        range: None,
    };
    let mut parquet = Vec::new();
    let mut rejects = GzEncoder::new(Vec::new(), Compression::default());
    let mut reject_count = 0u64;
    let mut reject_text = 0usize;
    let mut rejects_omitted = 0u64;
    let summary = write_parquet_with_rejects(
        &mut observed,
        &mut parquet,
        &ParquetOptions::default(),
        |batch| {
            for reject in batch {
                if reject_text >= MAX_REJECTS_TEXT {
                    rejects_omitted += 1;
                    continue;
                }
                let mut line =
                    serde_json::to_vec(&reject_json(&object.bucket, &object.key, &reject))
                        .map_err(|e| aws_access_logs::Error::from(io::Error::other(e)))?;
                line.push(b'\n');
                rejects.write_all(&line)?;
                reject_text += line.len();
                reject_count += 1;
            }
            Ok(())
        },
    )
    .map_err(|err| match err.kind() {
        ErrorKind::Gzip if !is_transport_error(&err) => format!("corrupt gzip: {err}"),
        ErrorKind::Gzip | ErrorKind::Io => format!("reading the object failed: {err}"),
        _ => err.to_string(),
    })?;
    let time_range = observed.range;
    if rejects_omitted > 0 {
        // Say so in the object itself: the counts stay exact in the metrics and the Parquet.
        let line = json!({"bucket": object.bucket, "key": object.key, "omitted": rejects_omitted,
            "error": format!("{rejects_omitted} more rejected or repaired lines are not listed: \
                the rejects object is capped at {MAX_REJECTS_TEXT} bytes of JSON lines")});
        serde_json::to_writer(&mut rejects, &line)
            .and_then(|()| rejects.write_all(b"\n").map_err(serde_json::Error::io))
            .map_err(|e| format!("compressing the rejects: {e}"))?;
    }
    let rejects = rejects
        .finish()
        .map_err(|e| format!("compressing the rejects: {e}"))?;
    Ok(Converted {
        source_type,
        parquet,
        rejects: (reject_count > 0).then_some(rejects),
        rejects_omitted,
        stats: summary.stats,
        text_bytes: summary.bytes_in,
        stored_bytes: body.bytes_read(),
        time_range,
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
    for attempt in 0..8 {
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

/// Processes one object: reads it (streaming), writes its Parquet and rejects objects, and
/// updates `latest.json`.
///
/// # Errors
///
/// A [`Failure`] naming the object and the cause: a read or write error, a corrupt gzip, an
/// undetectable format. Bad lines are never failures: they go to the rejects object.
pub async fn process<S: ObjectStore>(
    store: &S,
    config: &Arc<Config>,
    object: &ObjectRef,
) -> Result<Outcome, Failure> {
    let started = Instant::now();
    let fail = |cause: String| Failure {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        cause,
    };
    let version_id = object.version_id.as_deref();
    let mut key = object.key.clone();
    let mut opened = store.get(&object.bucket, &key, version_id).await;
    if let (Err(StoreError::NotFound), Some(given)) = (&opened, &object.key_as_given) {
        // The key may not have been encoded after all (EventBridge).
        key = given.clone();
        opened = store.get(&object.bucket, &key, version_id).await;
    }
    let opened = opened.map_err(|err| fail(format!("cannot read the object: {err}")))?;
    let object = &ObjectRef {
        key,
        ..object.clone()
    };
    let version = opened
        .version_id
        .clone()
        .or_else(|| object.version_id.clone());
    let etag = opened.etag.clone().or_else(|| object.etag.clone());
    let fail = |cause: String| Failure {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        cause,
    };
    let last_modified_ms = opened.last_modified_ms;
    let route = config.route(&object.key);
    let converted = {
        let config = Arc::clone(config);
        let object = object.clone();
        let body = opened.body;
        tokio::task::spawn_blocking(move || convert(&config, route, &object, body))
            .await
            .map_err(|e| fail(format!("the decoding task failed: {e}")))?
            .map_err(fail)?
    };

    let id = object_id(
        &object.bucket,
        &object.key,
        version.as_deref(),
        etag.as_deref(),
    );
    let partition_ms = match converted
        .time_range
        .map(|(earliest, _)| earliest)
        .or(last_modified_ms)
    {
        Some(ms) => ms,
        None => {
            tracing::warn!(
                bucket = %object.bucket,
                key = %object.key,
                "no record time and no last-modified time: partitioned under 1970-01-01"
            );
            0
        }
    };
    let keys = output_keys(
        &config.output_prefix,
        converted.source_type,
        partition_ms,
        &id,
    );
    let bucket = &config.output_bucket;
    let mut outcome = Outcome {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        source_type: converted.source_type,
        stats: converted.stats,
        bytes_in: converted.stored_bytes,
        text_bytes: converted.text_bytes,
        parquet_bytes: 0,
        rejects_bytes: 0,
        rejects_omitted: converted.rejects_omitted,
        parquet_key: None,
        rejects_key: None,
        latest_updated: false,
        time_range: converted.time_range,
        duration_ms: 0.0,
    };
    if let Some(rejects) = converted.rejects {
        outcome.rejects_bytes = rejects.len() as u64;
        store
            .put(
                bucket,
                &keys.rejects,
                rejects,
                REJECTS_CONTENT_TYPE,
                Precondition::None,
            )
            .await
            .map_err(|e| fail(format!("writing s3://{bucket}/{}: {e}", keys.rejects)))?;
        outcome.rejects_key = Some(keys.rejects.clone());
    }
    if converted.stats.rows > 0 {
        // Rows without a time (a standard log without date and time fields) are partitioned
        // by the object's last-modified time.
        let range = converted.time_range.unwrap_or((partition_ms, partition_ms));
        outcome.parquet_bytes = converted.parquet.len() as u64;
        store
            .put(
                bucket,
                &keys.parquet,
                converted.parquet,
                PARQUET_CONTENT_TYPE,
                Precondition::None,
            )
            .await
            .map_err(|e| fail(format!("writing s3://{bucket}/{}: {e}", keys.parquet)))?;
        let document = latest_document(
            config,
            &keys.parquet,
            converted.source_type,
            object,
            converted.stats.rows,
            range,
            last_modified_ms,
        );
        outcome.latest_updated = update_latest(store, bucket, &keys.latest, &document)
            .await
            .map_err(fail)?;
        outcome.parquet_key = Some(keys.parquet);
    }
    outcome.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(outcome)
}
