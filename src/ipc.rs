//! Arrow IPC output (the streaming format), for piping record batches to other tools
//! (`pyarrow.ipc.open_stream`, DuckDB's `arrow` extension, Polars `read_ipc_stream`, ...).

use std::io::Write;

use arrow::ipc::writer::StreamWriter;

use crate::error::Result;
use crate::reader::BatchSource;
use crate::reject::{DecodeStats, Reject};

/// What [`write_ipc_stream`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IpcSummary {
    /// Decoding counters (rows, rejected, ...).
    pub stats: DecodeStats,
    /// Decompressed input bytes read.
    pub bytes_in: u64,
    /// Record batches written.
    pub batches: usize,
}

/// Reads every batch of `reader` and writes them to `out` as an Arrow IPC stream, handing the
/// rejects to `on_rejects` after each batch. The schema message carries the schema's metadata
/// (each field's `aws_name`).
///
/// ```
/// use aws_access_logs::{Format, ReaderBuilder};
/// use aws_access_logs::ipc::write_ipc_stream;
///
/// let log = "#Fields: date time sc-status\n2019-12-04\t21:02:31\t200\n";
/// let mut reader = ReaderBuilder::new(Format::CloudFrontStandard).build(log.as_bytes())?;
/// let mut out = Vec::new();
/// let summary = write_ipc_stream(&mut reader, &mut out, |_| Ok(()))?;
/// assert_eq!(summary.stats.rows, 1);
///
/// let read = arrow::ipc::reader::StreamReader::try_new(&out[..], None).unwrap();
/// let rows: usize = read.map(|b| b.unwrap().num_rows()).sum();
/// assert_eq!(rows, 1);
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
///
/// # Errors
///
/// Reader errors (I/O, gzip, fail-fast lines), Arrow and I/O errors on output, and the errors
/// of `on_rejects`. After a reader error the batches read before it are still written and the
/// stream is finished, then the error is returned.
pub fn write_ipc_stream<S: BatchSource + ?Sized, W: Write>(
    reader: &mut S,
    out: W,
    on_rejects: impl FnMut(Vec<Reject>) -> Result<()>,
) -> Result<IpcSummary> {
    let schema = reader.schema();
    let mut writer = StreamWriter::try_new(out, &schema)?;
    let mut batches = 0;
    let read = crate::reader::drain(
        reader,
        |batch| {
            batches += 1;
            Ok(writer.write(batch)?)
        },
        on_rejects,
    )?;
    writer.finish()?;
    read?;
    Ok(IpcSummary {
        stats: reader.stats(),
        bytes_in: reader.bytes_read(),
        batches,
    })
}
