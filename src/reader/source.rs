//! [`BatchSource`], what the writers read from, and [`drain`], their read loop.

use std::io::Read;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;

use crate::error::Result;
use crate::reject::{DecodeStats, Reject};

use super::Reader;
use crate::format::Format;

/// A source of record batches of one log format: [`Reader`] and
/// [`ParallelReader`](crate::ParallelReader). The writers ([`crate::ipc::write_ipc_stream`],
/// `parquet::write_parquet`) take any of them.
pub trait BatchSource {
    /// The log format being read.
    fn format(&self) -> Format;
    /// The schema of the batches.
    fn schema(&self) -> SchemaRef;
    /// Counters so far.
    fn stats(&self) -> DecodeStats;
    /// Decompressed input bytes read so far.
    fn bytes_read(&self) -> u64;
    /// The next batch, or `None` at the end of the input.
    ///
    /// # Errors
    ///
    /// As [`Reader::next_batch`].
    fn next_batch(&mut self) -> Result<Option<RecordBatch>>;
    /// Takes the rejected and repaired lines recorded so far.
    fn take_rejects(&mut self) -> Vec<Reject>;
}

impl<R: Read> BatchSource for Reader<R> {
    fn format(&self) -> Format {
        Reader::format(self)
    }

    fn schema(&self) -> SchemaRef {
        Reader::schema(self)
    }

    fn stats(&self) -> DecodeStats {
        Reader::stats(self)
    }

    fn bytes_read(&self) -> u64 {
        Reader::bytes_read(self)
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        Reader::next_batch(self)
    }

    fn take_rejects(&mut self) -> Vec<Reject> {
        Reader::take_rejects(self)
    }
}

/// Reads every batch of `source`, handing the non-empty ones to `write` and the rejects to
/// `on_rejects` after each (and at the end). The outer error is `write`'s or `on_rejects`'; the
/// inner one is the source's, returned after everything read before it was handed over, so
/// that a writer can still finish its output.
pub(crate) fn drain<S: BatchSource + ?Sized>(
    source: &mut S,
    mut write: impl FnMut(&RecordBatch) -> Result<()>,
    mut on_rejects: impl FnMut(Vec<Reject>) -> Result<()>,
) -> Result<Result<()>> {
    let read = loop {
        match source.next_batch() {
            Ok(Some(batch)) => {
                if batch.num_rows() > 0 {
                    write(&batch)?;
                }
                on_rejects(source.take_rejects())?;
            }
            Ok(None) => break Ok(()),
            Err(err) => break Err(err),
        }
    };
    let rejects = source.take_rejects();
    if !rejects.is_empty() {
        on_rejects(rejects)?;
    }
    Ok(read)
}
