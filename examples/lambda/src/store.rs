//! Where objects are read and written: Amazon S3 (or any S3-compatible server), or memory.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::future::Future;
use std::io::{self, Cursor, Read};
use std::sync::{Arc, Mutex};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::primitives::{ByteStream, ByteStreamError};
use bytes::{Bytes, BytesMut};
use sha2::{Digest, Sha256};

/// An object's body: streaming, or read whole (see [`ObjectStore::get`]).
pub enum ObjectBody {
    /// Read on a blocking thread as the decoder asks for bytes (for S3 it pulls from the
    /// network as it is read): memory does not grow with the object.
    Stream(Box<dyn Read + Send>),
    /// The whole body in memory, to be decoded where it lies.
    Whole(Bytes),
}

impl fmt::Debug for ObjectBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectBody::Stream(_) => f.write_str("Stream(..)"),
            ObjectBody::Whole(bytes) => write!(f, "Whole({} bytes)", bytes.len()),
        }
    }
}

/// An object being read.
pub struct Object {
    /// The body: whole in memory when its size was known and at most what the caller of
    /// [`ObjectStore::get`] allowed, streaming otherwise.
    pub body: ObjectBody,
    /// ETag without quotes.
    pub etag: Option<String>,
    /// Version id, when the bucket is versioned.
    pub version_id: Option<String>,
    /// Last-modified time, milliseconds since the epoch.
    pub last_modified_ms: Option<i64>,
    /// Size as stored (`Content-Length`), when the store says.
    pub size: Option<u64>,
}

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Object")
            .field("body", &self.body)
            .field("etag", &self.etag)
            .field("version_id", &self.version_id)
            .finish_non_exhaustive()
    }
}

/// A condition on a write (S3 conditional writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// Write unconditionally.
    None,
    /// Write only if no object has the key (`If-None-Match: *`).
    Absent,
    /// Write only if the current object has this ETag (`If-Match`).
    Matches(String),
}

/// A failed store operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No such object (or bucket).
    NotFound,
    /// The write's precondition did not hold.
    PreconditionFailed,
    /// A concurrent conditional write conflicted (S3's 409 `ConditionalRequestConflict`):
    /// retry.
    Conflict,
    /// Access denied (403). S3 answers a read of a missing key this way when the caller may
    /// not list the bucket.
    Forbidden,
    /// Anything else, after the client's retries.
    Other(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound => f.write_str("no such object"),
            StoreError::PreconditionFailed => f.write_str("precondition failed"),
            StoreError::Conflict => f.write_str("conflicting concurrent write"),
            StoreError::Forbidden => f.write_str("access denied"),
            StoreError::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for StoreError {}

/// S3's smallest part of a multipart upload, except the last.
pub const MIN_PART_SIZE: usize = 5 << 20;

/// The object store the handler works on.
pub trait ObjectStore: Send + Sync + 'static {
    /// Opens an object (a given version, when `version_id` is set; only if its ETag is
    /// `if_match`, when set, else [`StoreError::PreconditionFailed`]). A body whose size
    /// (`Content-Length`) is known and at most `whole_up_to` bytes is read whole
    /// ([`ObjectBody::Whole`]; a failure while reading it is a [`StoreError::Other`] that
    /// says "reading the object failed"); any other streams ([`ObjectBody::Stream`]).
    fn get(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        if_match: Option<&str>,
        whole_up_to: u64,
    ) -> impl Future<Output = Result<Object, StoreError>> + Send;

    /// Reads a small object whole; returns its bytes and ETag.
    fn get_small(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = Result<(Vec<u8>, Option<String>), StoreError>> + Send;

    /// Writes an object.
    fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        precondition: Precondition,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Starts a multipart upload of `key`; returns its upload id. Nothing is visible under
    /// `key` until [`ObjectStore::complete_multipart`].
    fn create_multipart(
        &self,
        bucket: &str,
        key: &str,
        content_type: &str,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// Uploads part `number` (from 1) of an upload; returns the part's ETag. Every part but
    /// the last must hold at least [`MIN_PART_SIZE`] bytes.
    fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        number: i32,
        body: Bytes,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    /// Completes an upload from its parts (number and ETag, in order): the object appears.
    fn complete_multipart(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: Vec<(i32, String)>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Aborts an upload: its parts are discarded.
    fn abort_multipart(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes an object (no error when there is none).
    fn delete(
        &self,
        bucket: &str,
        key: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

fn unquote(etag: &str) -> String {
    etag.trim_matches('"').to_string()
}

/// Amazon S3 through the AWS SDK.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
}

impl S3Store {
    /// A store over `client`.
    pub fn new(client: aws_sdk_s3::Client) -> Self {
        S3Store { client }
    }

    /// The client the store uses.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }
}

fn sdk_error<E>(err: SdkError<E, HttpResponse>) -> StoreError
where
    E: std::error::Error + Send + Sync + 'static,
{
    match err.raw_response().map(|r| r.status().as_u16()) {
        Some(404) => StoreError::NotFound,
        Some(403) => StoreError::Forbidden,
        Some(412) => StoreError::PreconditionFailed,
        Some(409) => StoreError::Conflict,
        _ => StoreError::Other(DisplayErrorContext(&err).to_string()),
    }
}

impl ObjectStore for S3Store {
    async fn get(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        if_match: Option<&str>,
        whole_up_to: u64,
    ) -> Result<Object, StoreError> {
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .set_version_id(version_id.map(str::to_string))
            .set_if_match(if_match.map(|etag| format!("\"{etag}\"")))
            .send()
            .await
            .map_err(sdk_error)?;
        let etag = out.e_tag().map(unquote);
        let version_id = out
            .version_id()
            .filter(|v| !v.is_empty() && *v != "null")
            .map(str::to_string);
        let last_modified_ms = out.last_modified().and_then(|t| t.to_millis().ok());
        let size = out.content_length().and_then(|n| u64::try_from(n).ok());
        let body = if let Some(n) = size.filter(|&n| n <= whole_up_to) {
            // Read whole: the HTTP body's chunks copied, as they arrive, into one buffer of the
            // announced size (`ByteStream::collect` would keep them all, then copy them into
            // one `Bytes`: twice the body at once).
            let failed = |e: ByteStreamError| {
                StoreError::Other(format!(
                    "reading the object failed: {}",
                    DisplayErrorContext(&e)
                ))
            };
            let mut stream = out.body;
            let mut whole = BytesMut::with_capacity(usize::try_from(n).unwrap_or(0));
            while let Some(chunk) = stream.try_next().await.map_err(failed)? {
                whole.extend_from_slice(&chunk);
            }
            ObjectBody::Whole(whole.freeze())
        } else {
            // Streams: the bridge reads the HTTP body as the decoder asks for bytes.
            let reader = Box::pin(out.body.into_async_read());
            ObjectBody::Stream(Box::new(tokio_util::io::SyncIoBridge::new(reader)))
        };
        Ok(Object {
            body,
            etag,
            version_id,
            last_modified_ms,
            size,
        })
    }

    async fn get_small(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<(Vec<u8>, Option<String>), StoreError> {
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(sdk_error)?;
        let etag = out.e_tag().map(unquote);
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Other(format!("reading the body: {e}")))?;
        Ok((bytes.to_vec(), etag))
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        precondition: Precondition,
    ) -> Result<(), StoreError> {
        let mut request = self
            .client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body));
        request = match precondition {
            Precondition::None => request,
            Precondition::Absent => request.if_none_match("*"),
            Precondition::Matches(etag) => request.if_match(format!("\"{etag}\"")),
        };
        request.send().await.map_err(sdk_error)?;
        Ok(())
    }

    async fn create_multipart(
        &self,
        bucket: &str,
        key: &str,
        content_type: &str,
    ) -> Result<String, StoreError> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(bucket)
            .key(key)
            .content_type(content_type)
            .send()
            .await
            .map_err(sdk_error)?;
        out.upload_id()
            .map(str::to_string)
            .ok_or_else(|| StoreError::Other("CreateMultipartUpload gave no upload id".into()))
    }

    async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        number: i32,
        body: Bytes,
    ) -> Result<String, StoreError> {
        let out = self
            .client
            .upload_part()
            .bucket(bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(number)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(sdk_error)?;
        out.e_tag()
            .map(str::to_string)
            .ok_or_else(|| StoreError::Other(format!("UploadPart {number} gave no ETag")))
    }

    async fn complete_multipart(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: Vec<(i32, String)>,
    ) -> Result<(), StoreError> {
        let parts = parts
            .into_iter()
            .map(|(number, etag)| {
                aws_sdk_s3::types::CompletedPart::builder()
                    .part_number(number)
                    .e_tag(etag)
                    .build()
            })
            .collect();
        self.client
            .complete_multipart_upload()
            .bucket(bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                aws_sdk_s3::types::CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn abort_multipart(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(), StoreError> {
        self.client
            .abort_multipart_upload()
            .bucket(bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn delete(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct Stored {
    bytes: Bytes,
    etag: String,
    content_type: String,
    last_modified_ms: i64,
}

/// The last-modified time [`MemoryStore::insert`] gives objects: 2030-01-01T00:00:00Z.
pub const DEFAULT_LAST_MODIFIED_MS: i64 = 1_893_456_000_000;

#[derive(Debug, Default)]
struct Memory {
    objects: BTreeMap<(String, String), Stored>,
    failing_reads: HashSet<String>,
    failing_writes: Vec<String>,
    failing_completes: Vec<String>,
    conflicts: usize,
    puts: Vec<(String, String)>,
    /// Multipart uploads in progress, by upload id.
    uploads: BTreeMap<String, Upload>,
    uploads_started: usize,
    parts_uploaded: usize,
    largest_part: usize,
    deletes: Vec<(String, String)>,
    /// Reads of a missing key answer 403, as S3 does without `s3:ListBucket`.
    missing_is_forbidden: bool,
    /// The smallest part but the last ([`MIN_PART_SIZE`] unless lowered).
    min_part_size: Option<usize>,
}

#[derive(Debug)]
struct Upload {
    bucket: String,
    key: String,
    content_type: String,
    parts: BTreeMap<i32, Bytes>,
}

impl Memory {
    fn stored(&self, bucket: &str, key: &str) -> Result<Stored, StoreError> {
        match self.objects.get(&(bucket.to_string(), key.to_string())) {
            Some(stored) => Ok(stored.clone()),
            None if self.missing_is_forbidden => Err(StoreError::Forbidden),
            None => Err(StoreError::NotFound),
        }
    }

    fn check_write(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        if self.failing_writes.iter().any(|p| key.starts_with(p)) {
            return Err(StoreError::Other(format!(
                "injected write failure for s3://{bucket}/{key}"
            )));
        }
        Ok(())
    }

    fn store(&mut self, bucket: &str, key: &str, body: Bytes, content_type: &str) {
        let id = (bucket.to_string(), key.to_string());
        let etag = etag_of(&body);
        self.objects.insert(
            id.clone(),
            Stored {
                bytes: body,
                etag,
                content_type: content_type.to_string(),
                last_modified_ms: DEFAULT_LAST_MODIFIED_MS,
            },
        );
        self.puts.push(id);
    }
}

/// An in-memory object store, for tests: supports conditional writes, and failures on
/// chosen keys.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<Memory>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores an object, last modified at [`DEFAULT_LAST_MODIFIED_MS`].
    pub fn insert(&self, bucket: &str, key: &str, bytes: impl Into<Vec<u8>>) {
        self.insert_modified_at(bucket, key, bytes, DEFAULT_LAST_MODIFIED_MS);
    }

    /// Stores an object last modified at `last_modified_ms` (milliseconds since the epoch).
    pub fn insert_modified_at(
        &self,
        bucket: &str,
        key: &str,
        bytes: impl Into<Vec<u8>>,
        last_modified_ms: i64,
    ) {
        let bytes = bytes.into();
        let etag = etag_of(&bytes);
        self.lock().objects.insert(
            (bucket.to_string(), key.to_string()),
            Stored {
                bytes: Bytes::from(bytes),
                etag,
                content_type: "application/octet-stream".into(),
                last_modified_ms,
            },
        );
    }

    /// An object's bytes.
    pub fn object(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.lock()
            .objects
            .get(&(bucket.to_string(), key.to_string()))
            .map(|s| s.bytes.to_vec())
    }

    /// An object's content type.
    pub fn content_type(&self, bucket: &str, key: &str) -> Option<String> {
        self.lock()
            .objects
            .get(&(bucket.to_string(), key.to_string()))
            .map(|s| s.content_type.clone())
    }

    /// The keys in `bucket`, in order.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        self.lock()
            .objects
            .keys()
            .filter(|(b, _)| b == bucket)
            .map(|(_, k)| k.clone())
            .collect()
    }

    /// Every successful write so far, as (bucket, key), in order.
    pub fn puts(&self) -> Vec<(String, String)> {
        self.lock().puts.clone()
    }

    /// Reading `key` fails half-way through its body, as a broken connection would (a body read
    /// whole fails before any of it is returned).
    pub fn fail_reads_of(&self, key: &str) {
        self.lock().failing_reads.insert(key.to_string());
    }

    /// The next `n` conditional writes fail with [`StoreError::Conflict`], as when another
    /// writer races them.
    pub fn fail_conditional_writes(&self, n: usize) {
        self.lock().conflicts = n;
    }

    /// Writes of keys starting with `prefix` fail (puts, parts and completions).
    pub fn fail_writes_under(&self, prefix: &str) {
        self.lock().failing_writes.push(prefix.to_string());
    }

    /// Completing a multipart upload of a key starting with `prefix` fails (its parts were
    /// accepted).
    pub fn fail_completes_under(&self, prefix: &str) {
        self.lock().failing_completes.push(prefix.to_string());
    }

    /// Reads of missing keys fail with [`StoreError::Forbidden`] (403), as S3 answers a
    /// caller without `s3:ListBucket`.
    pub fn forbid_reads_of_missing_keys(&self) {
        self.lock().missing_is_forbidden = true;
    }

    /// Lowers the smallest part a multipart upload accepts (but the last), so that tests
    /// can use small parts.
    pub fn set_min_part_size(&self, bytes: usize) {
        self.lock().min_part_size = Some(bytes);
    }

    /// Multipart uploads started so far.
    pub fn uploads_started(&self) -> usize {
        self.lock().uploads_started
    }

    /// Multipart uploads neither completed nor aborted.
    pub fn uploads_in_progress(&self) -> usize {
        self.lock().uploads.len()
    }

    /// Parts uploaded so far, and the largest one's size.
    pub fn parts_uploaded(&self) -> (usize, usize) {
        let memory = self.lock();
        (memory.parts_uploaded, memory.largest_part)
    }

    /// Every delete so far, as (bucket, key), in order.
    pub fn deletes(&self) -> Vec<(String, String)> {
        self.lock().deletes.clone()
    }
}

fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// A body that fails after `good` bytes.
struct FailingBody {
    bytes: Cursor<Bytes>,
    good: u64,
}

impl Read for FailingBody {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.good.saturating_sub(self.bytes.position());
        if left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset while reading the object",
            ));
        }
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        self.bytes.read(&mut buf[..n])
    }
}

impl ObjectStore for MemoryStore {
    async fn get(
        &self,
        bucket: &str,
        key: &str,
        _version_id: Option<&str>,
        if_match: Option<&str>,
        whole_up_to: u64,
    ) -> Result<Object, StoreError> {
        let (stored, failing) = {
            let memory = self.lock();
            (
                memory.stored(bucket, key)?,
                memory.failing_reads.contains(key),
            )
        };
        if if_match.is_some_and(|etag| etag != stored.etag) {
            return Err(StoreError::PreconditionFailed);
        }
        let size = Some(stored.bytes.len() as u64);
        let body = if stored.bytes.len() as u64 <= whole_up_to {
            if failing {
                return Err(StoreError::Other(
                    "reading the object failed: connection reset while reading the object"
                        .to_string(),
                ));
            }
            // The stored bytes themselves (shared, not copied), as a download gathers them.
            ObjectBody::Whole(stored.bytes)
        } else {
            let cursor = Cursor::new(stored.bytes);
            ObjectBody::Stream(if failing {
                let good = cursor.get_ref().len() as u64 / 2;
                Box::new(FailingBody {
                    bytes: cursor,
                    good,
                })
            } else {
                Box::new(cursor)
            })
        };
        Ok(Object {
            body,
            etag: Some(stored.etag),
            version_id: None,
            last_modified_ms: Some(stored.last_modified_ms),
            size,
        })
    }

    async fn get_small(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<(Vec<u8>, Option<String>), StoreError> {
        let stored = self.lock().stored(bucket, key)?;
        Ok((stored.bytes.to_vec(), Some(stored.etag)))
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
        precondition: Precondition,
    ) -> Result<(), StoreError> {
        let mut memory = self.lock();
        memory.check_write(bucket, key)?;
        if precondition != Precondition::None && memory.conflicts > 0 {
            memory.conflicts -= 1;
            return Err(StoreError::Conflict);
        }
        let id = (bucket.to_string(), key.to_string());
        let current = memory.objects.get(&id).map(|s| s.etag.clone());
        let holds = match (&precondition, &current) {
            (Precondition::None, _) => true,
            (Precondition::Absent, current) => current.is_none(),
            (Precondition::Matches(etag), Some(current)) => etag == current,
            (Precondition::Matches(_), None) => false,
        };
        if !holds {
            return Err(StoreError::PreconditionFailed);
        }
        memory.store(bucket, key, Bytes::from(body), content_type);
        Ok(())
    }

    async fn create_multipart(
        &self,
        bucket: &str,
        key: &str,
        content_type: &str,
    ) -> Result<String, StoreError> {
        let mut memory = self.lock();
        memory.check_write(bucket, key)?;
        memory.uploads_started += 1;
        let id = format!("upload-{}", memory.uploads_started);
        memory.uploads.insert(
            id.clone(),
            Upload {
                bucket: bucket.to_string(),
                key: key.to_string(),
                content_type: content_type.to_string(),
                parts: BTreeMap::new(),
            },
        );
        Ok(id)
    }

    async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        number: i32,
        body: Bytes,
    ) -> Result<String, StoreError> {
        let mut memory = self.lock();
        memory.check_write(bucket, key)?;
        if !(1..=10_000).contains(&number) {
            return Err(StoreError::Other(format!(
                "part number {number} out of range"
            )));
        }
        let etag = etag_of(&body);
        let len = body.len();
        let upload = memory
            .uploads
            .get_mut(upload_id)
            .filter(|u| u.bucket == bucket && u.key == key)
            .ok_or(StoreError::NotFound)?;
        upload.parts.insert(number, body);
        memory.parts_uploaded += 1;
        memory.largest_part = memory.largest_part.max(len);
        Ok(etag)
    }

    async fn complete_multipart(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: Vec<(i32, String)>,
    ) -> Result<(), StoreError> {
        let mut memory = self.lock();
        memory.check_write(bucket, key)?;
        if memory.failing_completes.iter().any(|p| key.starts_with(p)) {
            return Err(StoreError::Other(format!(
                "injected failure completing s3://{bucket}/{key}"
            )));
        }
        let upload = memory
            .uploads
            .get(upload_id)
            .filter(|u| u.bucket == bucket && u.key == key)
            .ok_or(StoreError::NotFound)?;
        // S3's rules: parts in ascending order, as uploaded, all but the last of 5 MiB or more.
        let mut body = Vec::new();
        for (i, (number, etag)) in parts.iter().enumerate() {
            let part = upload
                .parts
                .get(number)
                .filter(|p| etag_of(p) == *etag)
                .ok_or_else(|| StoreError::Other(format!("InvalidPart: part {number}")))?;
            if i > 0 && parts[i - 1].0 >= *number {
                return Err(StoreError::Other("InvalidPartOrder".into()));
            }
            let min_part_size = memory.min_part_size.unwrap_or(MIN_PART_SIZE);
            if i + 1 < parts.len() && part.len() < min_part_size {
                return Err(StoreError::Other(format!(
                    "EntityTooSmall: part {number} holds {} bytes",
                    part.len()
                )));
            }
            body.extend_from_slice(part);
        }
        let content_type = upload.content_type.clone();
        memory.uploads.remove(upload_id);
        memory.store(bucket, key, Bytes::from(body), &content_type);
        Ok(())
    }

    async fn abort_multipart(
        &self,
        _bucket: &str,
        _key: &str,
        upload_id: &str,
    ) -> Result<(), StoreError> {
        self.lock()
            .uploads
            .remove(upload_id)
            .map(|_| ())
            .ok_or(StoreError::NotFound)
    }

    async fn delete(&self, bucket: &str, key: &str) -> Result<(), StoreError> {
        let mut memory = self.lock();
        memory.check_write(bucket, key)?;
        memory
            .objects
            .remove(&(bucket.to_string(), key.to_string()));
        memory.deletes.push((bucket.to_string(), key.to_string()));
        Ok(())
    }
}
