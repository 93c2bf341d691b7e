//! The input side of a reader: gzip sniffing and decompression within its limits, and the
//! read-ahead of an input's first lines.

use std::io::{Cursor, Read};

use flate2::read::MultiGzDecoder;

use crate::error::{Error, ErrorKind, Result};

use crate::raw::{HeadLine, head_line};

/// Decompressed bytes before the ratio limit applies ([`ReaderBuilder::GZIP_RATIO_GRACE`]).
///
/// [`ReaderBuilder::GZIP_RATIO_GRACE`]: super::ReaderBuilder::GZIP_RATIO_GRACE
pub(super) const GZIP_RATIO_GRACE: u64 = 16 << 20;

/// Limits on how far a gzip input may expand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GzipLimits {
    /// Most decompressed bytes.
    pub(super) max_bytes: u64,
    /// Most decompressed bytes per compressed byte, once past the grace.
    pub(super) max_ratio: u64,
}

/// `input` as gzip (one or more members) when it starts with the gzip magic bytes, as plain
/// text otherwise.
pub(super) fn open<R: Read>(mut input: R) -> Result<Input<R>> {
    let mut magic = Vec::with_capacity(2);
    while magic.len() < 2 {
        let mut byte = [0u8; 1];
        match read_retrying(&mut input, &mut byte).map_err(Error::io)? {
            0 => break,
            _ => magic.push(byte[0]),
        }
    }
    let gzip = magic == [0x1f, 0x8b];
    let chained = Cursor::new(magic).chain(input);
    Ok(if gzip {
        Input::Gzip(Box::new(MultiGzDecoder::new(Counted {
            inner: chained,
            count: 0,
            over_limit: false,
        })))
    } else {
        Input::Plain(chained)
    })
}

/// Reads decompressed bytes into `buf`; `bytes_in` and `lines` (read and counted so far) are
/// for the error messages.
pub(crate) fn read_input<R: Read>(
    input: &mut Input<R>,
    buf: &mut [u8],
    bytes_in: u64,
    lines: u64,
    limits: GzipLimits,
) -> Result<usize> {
    match input {
        Input::Plain(r) => read_retrying(r, buf).map_err(Error::io),
        Input::Gzip(gz) => read_gzip_limited(gz, buf, bytes_in, lines, limits),
    }
}

/// Reads decompressed bytes, holding the gzip limits: the bytes up to the absolute limit are
/// returned, the error comes with the next read; a read that takes the expansion past the ratio
/// limit (after the grace) is refused.
fn read_gzip_limited<R: Read>(
    gz: &mut GzInput<R>,
    buf: &mut [u8],
    bytes_in: u64,
    lines: u64,
    limits: GzipLimits,
) -> Result<usize> {
    let compressed_before = gz.get_ref().count;
    let limit_error = |what: String| {
        Error::new(ErrorKind::DecompressionLimit).with_detail(format!(
            "{what}; stopped after {bytes_in} decompressed bytes ({lines} lines) from \
             {compressed_before} compressed bytes"
        ))
    };
    let over_bytes = || {
        limit_error(format!(
            "the gzip stream decompresses to more than {} bytes \
             (ReaderBuilder::with_max_decompressed_bytes)",
            limits.max_bytes
        ))
    };
    if gz.get_ref().over_limit {
        return Err(over_bytes());
    }
    // Read at most one byte past the absolute limit, to see whether it is crossed.
    let room = limits.max_bytes.saturating_sub(bytes_in).saturating_add(1);
    let len = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
    let n = read_retrying(gz, &mut buf[..len]).map_err(|e| {
        Error::new(ErrorKind::Gzip)
            .with_detail(format!(
                "truncated or corrupt gzip stream after {bytes_in} decompressed bytes ({lines} \
                 lines): {e}"
            ))
            .with_source(e)
    })?;
    let total = bytes_in + n as u64;
    if total > limits.max_bytes {
        gz.get_mut().over_limit = true;
        return match limits.max_bytes - bytes_in {
            0 => Err(over_bytes()),
            allowed => Ok(allowed as usize),
        };
    }
    let compressed = gz.get_ref().count.max(1);
    if total > GZIP_RATIO_GRACE && total / compressed > limits.max_ratio {
        return Err(limit_error(format!(
            "the gzip stream expands more than {}× (a gzip bomb? \
             ReaderBuilder::with_max_gzip_ratio)",
            limits.max_ratio
        )));
    }
    Ok(n)
}

/// `read`, retried when interrupted.
fn read_retrying(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            result => return result,
        }
    }
}

/// Counts the bytes read through it (the compressed bytes of a gzip input).
pub(crate) struct Counted<R> {
    inner: R,
    count: u64,
    /// Set once the decompressed bytes passed the absolute limit.
    over_limit: bool,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

pub(crate) type GzInput<R> = MultiGzDecoder<Counted<std::io::Chain<Cursor<Vec<u8>>, R>>>;

/// The size of a reader's read buffer and of the read-ahead.
pub(super) const READ_BUFFER: usize = 256 * 1024;

/// A reader's input: plain text, or gzip decompressed (its first bytes, read to sniff the gzip
/// magic, chained back in front).
pub(crate) enum Input<R> {
    Plain(std::io::Chain<Cursor<Vec<u8>>, R>),
    Gzip(Box<GzInput<R>>),
}

impl<R> Input<R> {
    /// Whether the input is gzip.
    pub(crate) fn is_gzip(&self) -> bool {
        matches!(self, Input::Gzip(_))
    }
}

/// Blank lines at the start of an input that the read-ahead dropped from its buffer as it
/// filled up (so that any number of them can come before the first line that tells the
/// format, in a buffer of fixed size).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Skipped {
    pub(super) lines: u64,
    pub(super) bytes: u64,
}

/// Reads until the buffer holds a complete data line (neither blank nor `#`), the end of the
/// input, or a full buffer. Blank lines at the start (at most `max_line_length` bytes each,
/// so that the decoder would count them as blank too) are dropped from the buffer whenever it
/// fills up, however many there are. Returns the bytes in the buffer, whether the head is
/// complete (a data line or the end of the input was reached), and the blank lines dropped.
pub(super) fn read_head<R: Read>(
    input: &mut Input<R>,
    buf: &mut [u8],
    limits: GzipLimits,
    max_line_length: usize,
) -> Result<(usize, bool, Skipped)> {
    let mut end = 0;
    let mut scanned = 0;
    let mut index = 0;
    let mut skipped = Skipped::default();
    // Whether every line scanned so far in the buffer is a blank line the decoder would count
    // as one, and how many there are.
    let mut all_blank = true;
    let mut blank = 0;
    loop {
        if end == buf.len() {
            if !all_blank || scanned == 0 {
                return Ok((end, false, skipped));
            }
            buf.copy_within(scanned..end, 0);
            skipped.lines += blank;
            skipped.bytes += scanned as u64;
            end -= scanned;
            scanned = 0;
            blank = 0;
        }
        let n = read_input(
            input,
            &mut buf[end..],
            skipped.bytes + end as u64,
            skipped.lines + blank,
            limits,
        )?;
        if n == 0 {
            return Ok((end, true, skipped));
        }
        end += n;
        while let Some(nl) = memchr::memchr(b'\n', &buf[scanned..end]) {
            let line = &buf[scanned..scanned + nl];
            scanned += nl + 1;
            match head_line(index, line) {
                HeadLine::Data(_) => return Ok((end, true, skipped)),
                HeadLine::Blank if all_blank && blank_length(index, line) <= max_line_length => {
                    blank += 1;
                }
                _ => all_blank = false,
            }
            index += 1;
        }
    }
}

/// The length the decoder gives the line at 0-based `index`: without its `\r`, and on the
/// first line without a byte order mark.
fn blank_length(index: usize, line: &[u8]) -> usize {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match index {
        0 => line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line).len(),
        _ => line.len(),
    }
}
