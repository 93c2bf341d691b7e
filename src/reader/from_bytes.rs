//! [`ReaderBuilder::build_from_bytes`]: a log already in memory as a [`bytes::Bytes`] (say the
//! body of a downloaded object), decoded where it lies without a copy.

use std::io::Cursor;

use arrow::buffer::Buffer;
use bytes::Bytes;

use crate::error::Result;

use super::{Reader, ReaderBuilder};

impl ReaderBuilder {
    /// A [`Reader`] over `input`, a log already in memory as a [`bytes::Bytes`] (the body of
    /// a downloaded object, say: the AWS SDK's `ByteStream::collect` gives one).
    ///
    /// `input` becomes an [`arrow::buffer::Buffer`] without a copy (the buffer holds the
    /// `Bytes`), and the reader is [`ReaderBuilder::build_from_buffer`]'s: plain text is
    /// decoded where it lies, and with [`ReaderBuilder::with_string_view`] the batches' text
    /// values longer than 12 bytes are views into `input` itself (only text the decoder
    /// rewrites, such as a line's repaired invalid UTF-8, is a copy) — the batches keep it
    /// alive, however long after the last `Bytes` handle is dropped. Gzip input is
    /// decompressed as [`ReaderBuilder::build`] does (its text is then read into the reader's
    /// own buffers, which the views point into instead). Rows, rejects, counters and errors
    /// are those of [`ReaderBuilder::build`] over the same bytes; only the batch boundaries
    /// may differ.
    ///
    /// A `Bytes` that is a slice of a larger one (`Bytes::slice`) is read as the slice alone;
    /// the views point into the slice's bytes, and the batches keep the whole allocation
    /// alive.
    ///
    /// ```
    /// use arrow::array::{Array, AsArray};
    /// use aws_access_logs::{Format, ReaderBuilder};
    /// use bytes::Bytes;
    ///
    /// let line = "79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
    /// let body = Bytes::from(line.repeat(3));
    /// let memory = body.as_ptr_range();
    /// let mut reader = ReaderBuilder::new(Format::S3)
    ///     .with_string_view(true)
    ///     .build_from_bytes(body)?; // the last handle: the batches keep the bytes alive
    /// let batch = reader.next().unwrap()?;
    /// assert_eq!(batch.num_rows(), 3);
    /// let uri = batch.column_by_name("request_uri").unwrap().as_string_view();
    /// assert_eq!(uri.value(2), "GET /bucket1?versioning HTTP/1.1");
    /// // No copy: the value lies in the body's memory, and so does the batches' data buffer.
    /// assert!(memory.contains(&uri.value(2).as_ptr()));
    /// assert!(uri.data_buffers().iter().any(|b| b.as_ptr() == memory.start));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::build`].
    pub fn build_from_bytes(self, input: Bytes) -> Result<Reader<Cursor<Buffer>>> {
        self.build_from_buffer(Buffer::from(input))
    }
}
