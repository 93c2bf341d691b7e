//! Reading a log as record batches: format detection (`detect`), [`ReaderBuilder`]
//! (`builder`), a log in a `bytes::Bytes` (`from_bytes`), the input side with gzip and its
//! limits (`input`), the pull [`Reader`] (here), and [`BatchSource`] (`source`).

use std::io::Read;

use arrow::array::{RecordBatch, RecordBatchReader};
use arrow::buffer::Buffer;
use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;

use crate::decoder::Decoder;
use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::reject::{DecodeStats, Reject};
use crate::views::SharedChunk;

mod builder;
mod detect;
mod from_bytes;
mod input;
mod source;

pub use builder::ReaderBuilder;
pub(crate) use input::{GzipLimits, Input, read_input};
pub use source::BatchSource;
pub(crate) use source::drain;

use input::READ_BUFFER;

/// What was read of an input before its [`Reader`] was made: `buf[..end]` holds the bytes
/// still to decode; `bytes_in` counts the decompressed bytes read so far (those and any
/// dropped before them).
pub(crate) struct ReadAhead {
    pub(crate) buf: Vec<u8>,
    pub(crate) end: usize,
    pub(crate) bytes_in: u64,
}

/// A pull reader: an [`Iterator`] of record batches and a [`RecordBatchReader`].
///
/// Built by [`ReaderBuilder::build`]. Gzip input is detected by its magic bytes and fully
/// decoded (all members). Rejected lines are collected as with [`Decoder`]; read them with
/// [`Reader::rejects`] or [`Reader::take_rejects`].
///
/// Errors are yielded as `ArrowError::ExternalError` wrapping this crate's [`Error`]; after an
/// error the iterator ends.
pub struct Reader<R> {
    input: Input<R>,
    decoder: Decoder,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    done: bool,
    bytes_in: u64,
    /// A read error, returned once the rows decoded before it have been.
    pending: Option<Error>,
    /// A fail-fast line's error, returned once the rows decoded before it have been.
    failed: Option<Error>,
    limits: GzipLimits,
    /// With string views: `buf`, once handed to the decoder, shared with the batches.
    shared: Option<SharedChunk>,
    /// With string views: earlier read buffers, reused once no batch points into them.
    spare: Vec<Buffer>,
    /// Chunks shared so far (their ids).
    chunks: u64,
}

/// Earlier read buffers a [`Reader`] keeps for reuse (string views): at most 16 MiB, and only
/// as many as were in use at once (a batch of long lines spans 20 or more 256 KiB chunks; with
/// fewer kept, every batch allocated and zeroed fresh buffers).
const SPARE_BUFFERS: usize = 64;

impl<R> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("gzip", &self.input.is_gzip())
            .field("decoder", &self.decoder)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl<R> Reader<R> {
    /// A reader that decodes `buf[..end]` first, then reads on from `input` (within `limits`).
    /// `bytes_in` counts the decompressed bytes of the input up to `buf[end]`. A read error
    /// already met, `pending`, ends the input: it comes after the rows of `buf[..end]`.
    pub(crate) fn new(
        input: Input<R>,
        decoder: Decoder,
        limits: GzipLimits,
        ahead: ReadAhead,
        pending: Option<Error>,
    ) -> Self {
        let ReadAhead { buf, end, bytes_in } = ahead;
        Reader {
            input,
            decoder,
            buf,
            start: 0,
            end,
            eof: pending.is_some(),
            done: false,
            bytes_in,
            pending,
            failed: None,
            limits,
            shared: None,
            spare: Vec::new(),
            chunks: 0,
        }
    }

    /// A reader that decodes the whole of `text`, a plain log in memory, where it lies (its
    /// `input` is not read: `text` is all of it).
    pub(crate) fn over_buffer(
        input: Input<R>,
        decoder: Decoder,
        limits: GzipLimits,
        text: Buffer,
    ) -> Self {
        Reader {
            input,
            decoder,
            buf: Vec::new(),
            start: 0,
            end: text.len(),
            eof: true,
            done: false,
            bytes_in: text.len() as u64,
            pending: None,
            failed: None,
            limits,
            shared: Some(SharedChunk {
                id: 1,
                buffer: text,
            }),
            spare: Vec::new(),
            chunks: 1,
        }
    }

    /// The decoder (its options, its counters).
    pub(crate) fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The gzip limits the input is read within.
    pub(crate) fn limits(&self) -> GzipLimits {
        self.limits
    }

    /// Takes the read buffer (for reuse, once the reader is done with it).
    pub(crate) fn take_buffer(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }

    /// The input, the bytes read from it that are not decoded yet (a copy), and the
    /// decompressed bytes read from it so far: what is left to read, to go on without the
    /// reader.
    pub(crate) fn into_rest(self) -> (Input<R>, Vec<u8>, u64) {
        let unread = self.buf[self.start..self.end].to_vec();
        (self.input, unread, self.bytes_in)
    }
}

impl<R: Read> Reader<R> {
    /// Whether the input was detected as gzip.
    pub fn is_gzip(&self) -> bool {
        self.input.is_gzip()
    }

    /// The log format being read.
    pub fn format(&self) -> Format {
        self.decoder.format()
    }

    /// The schema of the batches (after projection).
    pub fn schema(&self) -> SchemaRef {
        self.decoder.schema()
    }

    /// Counters so far.
    pub fn stats(&self) -> DecodeStats {
        self.decoder.stats()
    }

    /// Rejected and repaired lines recorded so far.
    pub fn rejects(&self) -> &[Reject] {
        self.decoder.rejects()
    }

    /// Takes the rejected and repaired lines recorded so far (see
    /// [`ReaderBuilder::with_max_rejects`]: take them after each batch to keep them all).
    pub fn take_rejects(&mut self) -> Vec<Reject> {
        self.decoder.take_rejects()
    }

    /// Decompressed bytes read from the input so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_in
    }

    /// The next batch, or `None` at the end of the input.
    ///
    /// # Errors
    ///
    /// I/O errors, truncated or corrupt gzip ([`ErrorKind::Gzip`], saying how many bytes and
    /// lines were decoded before), gzip input beyond its limits
    /// ([`ErrorKind::DecompressionLimit`]), and with
    /// [`ErrorPolicy::FailFast`](crate::ErrorPolicy::FailFast) the first bad line. Such an error
    /// comes after the rows decoded before it (nothing readable is lost); a line cut by a read
    /// error is recorded as a reject of the same kind, with its bytes.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        if self.done {
            return Ok(None);
        }
        let result = self.next_batch_inner();
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    /// After a fail-fast error: the buffered rows, then (on the next call) the error.
    fn flush_then_fail(&mut self) -> Result<Option<RecordBatch>> {
        match self.decoder.flush() {
            Ok(Some(batch)) => Ok(Some(batch)),
            Ok(None) | Err(_) => Err(self
                .failed
                .take()
                .unwrap_or_else(|| Error::new(ErrorKind::InvalidArgument))),
        }
    }

    fn next_batch_inner(&mut self) -> Result<Option<RecordBatch>> {
        if self.failed.is_some() {
            return self.flush_then_fail();
        }
        loop {
            if self.decoder.is_full() {
                return self.decoder.flush();
            }
            if self.start < self.end {
                let decoded = if self.decoder.options().string_view {
                    let chunk = self.shared_chunk();
                    self.decoder.decode_shared(&chunk, self.start, self.end)
                } else if let Some(chunk) = &self.shared {
                    // A buffer decoded where it lies (`build_from_buffer`).
                    self.decoder
                        .decode(&chunk.buffer.as_slice()[self.start..self.end])
                } else {
                    self.decoder.decode(&self.buf[self.start..self.end])
                };
                let n = match decoded {
                    Ok(n) => n,
                    Err(err) => {
                        // A fail-fast line: the rows before it first, then the error.
                        self.failed = Some(err);
                        return self.flush_then_fail();
                    }
                };
                self.start += n;
                if self.decoder.rejects_full() && !self.decoder.is_full() {
                    // Give the caller the rows so far and a chance to take the rejects.
                    return match self.decoder.flush()? {
                        Some(batch) => Ok(Some(batch)),
                        None => Ok(Some(RecordBatch::new_empty(self.decoder.schema()))),
                    };
                }
                continue;
            }
            if self.eof {
                match &self.pending {
                    Some(err) => {
                        let detail = err.detail().unwrap_or_default().to_string();
                        self.decoder.finish_truncated(err.kind(), &detail);
                    }
                    None => {
                        if let Err(err) = self.decoder.finish() {
                            self.failed = Some(err);
                            return self.flush_then_fail();
                        }
                    }
                }
                return match self.decoder.flush()? {
                    Some(batch) => Ok(Some(batch)),
                    None => match self.pending.take() {
                        Some(err) => Err(err),
                        None => Ok(None),
                    },
                };
            }
            match self.read_more() {
                Ok(0) => self.eof = true,
                Ok(n) => {
                    self.start = 0;
                    self.end = n;
                    self.bytes_in += n as u64;
                }
                Err(err) => {
                    // Return the rows decoded so far first; the error comes after them.
                    self.pending = Some(err);
                    self.eof = true;
                }
            }
        }
    }

    /// The read buffer as a chunk the batches may share (string views).
    fn shared_chunk(&mut self) -> SharedChunk {
        if let Some(chunk) = &self.shared {
            return chunk.clone();
        }
        self.chunks += 1;
        let chunk = SharedChunk {
            id: self.chunks,
            buffer: Buffer::from_vec(std::mem::take(&mut self.buf)),
        };
        self.shared = Some(chunk.clone());
        chunk
    }

    fn read_more(&mut self) -> Result<usize> {
        if let Some(chunk) = self.shared.take() {
            // The batches may still point into the shared buffer: read into another, one no
            // batch holds any more if there is one.
            self.spare.push(chunk.buffer);
            let free = self.spare.iter().position(|b| b.strong_count() == 1);
            let buf = free.and_then(|i| self.spare.swap_remove(i).into_vec::<u8>().ok());
            if self.spare.len() > SPARE_BUFFERS {
                self.spare.remove(0);
            }
            self.buf = buf.unwrap_or_else(|| vec![0; READ_BUFFER]);
        }
        let lines = self.decoder.lines_before();
        read_input(
            &mut self.input,
            &mut self.buf,
            self.bytes_in,
            lines,
            self.limits,
        )
    }
}

impl<R: Read> Iterator for Reader<R> {
    type Item = std::result::Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch().map_err(ArrowError::from).transpose()
    }
}

impl<R: Read> RecordBatchReader for Reader<R> {
    fn schema(&self) -> SchemaRef {
        self.decoder.schema()
    }
}
