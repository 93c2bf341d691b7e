//! [`Format`], and what the first lines of an input tell: its format ([`Format::detect`]) and,
//! for CloudFront standard logs, the field list of its `#Fields:` line.

use arrow::datatypes::SchemaRef;

use crate::cloudfront::{FieldList, Flavor};
use crate::error::{Error, ErrorKind, Result};
use crate::s3::S3Field;

/// An AWS access log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Amazon S3 server access logs (see [`crate::s3`]).
    S3,
    /// Amazon CloudFront real-time logs: tab-separated, no header; needs the configuration's
    /// field list ([`ReaderBuilder::with_fields`](crate::ReaderBuilder::with_fields)). See
    /// [`crate::cloudfront`].
    CloudFrontRealtime,
    /// Amazon CloudFront standard logs (W3C, `#Version:`/`#Fields:` header). See
    /// [`crate::cloudfront`].
    CloudFrontStandard,
}

impl Format {
    /// Every format (a slice: a new format is not a breaking change of its length).
    pub const ALL: &'static [Format] = &[
        Format::S3,
        Format::CloudFrontRealtime,
        Format::CloudFrontStandard,
    ];

    /// The format's short name: `"s3"`, `"cloudfront-realtime"` or `"cloudfront-standard"`.
    pub fn name(self) -> &'static str {
        match self {
            Format::S3 => "s3",
            Format::CloudFrontRealtime => "cloudfront-realtime",
            Format::CloudFrontStandard => "cloudfront-standard",
        }
    }

    /// The format's full Arrow schema (before projection) when it is fixed: S3 access logs.
    /// `None` for the CloudFront formats, whose schema comes from the field list
    /// ([`crate::cloudfront::FieldList::schema`],
    /// [`ReaderBuilder::schema`](crate::ReaderBuilder::schema)).
    pub fn schema(self) -> Option<SchemaRef> {
        match self {
            Format::S3 => Some(S3Field::schema()),
            Format::CloudFrontRealtime | Format::CloudFrontStandard => None,
        }
    }

    /// Detects the format from the first bytes of a (decompressed) input: the first non-empty
    /// line decides, after any `#` comment lines.
    ///
    /// * `#Version:` or `#Fields:` (or a `YYYY-MM-DD<tab>HH:MM:SS<tab>` data line): CloudFront
    ///   standard log;
    /// * epoch seconds (`1684226820.937`) followed by a tab: CloudFront real-time log (which
    ///   still needs its field list);
    /// * `owner bucket [dd/Mon/yyyy:HH:MM:SS +hhmm] ...`: S3 server access log.
    ///
    /// The three shapes exclude each other, so detection is never ambiguous.
    ///
    /// ```
    /// use aws_access_logs::Format;
    ///
    /// assert_eq!(Format::detect(b"#Version: 1.0\n#Fields: date time\n")?, Format::CloudFrontStandard);
    /// assert_eq!(Format::detect(b"1684226820.937\t192.0.2.1\t200\n")?, Format::CloudFrontRealtime);
    /// assert_eq!(
    ///     Format::detect(b"79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ...")?,
    ///     Format::S3
    /// );
    /// let err = Format::detect(b"\nhello world\n").unwrap_err();
    /// assert!(err.to_string().contains("\"hello world\""));
    /// # Ok::<(), aws_access_logs::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownFormat`], quoting the line that was seen, when no format matches or
    /// there is no non-empty line.
    pub fn detect(head: &[u8]) -> Result<Format> {
        Format::detect_after(head, 0)
    }

    /// [`Format::detect`] of an input's bytes after its first `skipped` lines (blank lines
    /// that the read-ahead dropped): line numbers count them.
    pub(super) fn detect_after(head: &[u8], skipped: u64) -> Result<Format> {
        for (index, line) in head.split(|&b| b == b'\n').enumerate() {
            let number = skipped as usize + index;
            let line = match head_line(number, line) {
                HeadLine::Blank => continue,
                HeadLine::Comment(c)
                    if c.starts_with(b"#Version:") || c.starts_with(b"#Fields:") =>
                {
                    return Ok(Format::CloudFrontStandard);
                }
                HeadLine::Comment(_) => continue,
                HeadLine::Data(line) => line,
            };
            if looks_realtime(line) {
                return Ok(Format::CloudFrontRealtime);
            }
            if looks_s3(line) {
                return Ok(Format::S3);
            }
            if looks_standard_row(line) {
                return Ok(Format::CloudFrontStandard);
            }
            let shown: String = line.iter().take(120).copied().map(char::from).collect();
            let shown = shown.escape_debug();
            let ellipsis = if line.len() > 120 { "..." } else { "" };
            return Err(Error::new(ErrorKind::UnknownFormat).with_detail(format!(
                "cannot detect the log format from line {}: \"{shown}\"{ellipsis}; expected an S3 \
                 server access log line (owner bucket [06/Feb/2019:00:00:38 +0000] ...), a \
                 CloudFront real-time record (epoch seconds like 1684226820.937, then a tab) or \
                 a CloudFront standard log header (#Version: / #Fields:)",
                number + 1
            )));
        }
        Err(Error::new(ErrorKind::UnknownFormat)
            .with_detail("cannot detect the log format: the input has no non-empty line"))
    }
}

/// A line of an input's first bytes, as detection and the header read-ahead see it.
pub(super) enum HeadLine<'a> {
    /// Empty, or only spaces and tabs.
    Blank,
    /// A `#` line.
    Comment(&'a [u8]),
    /// Anything else.
    Data(&'a [u8]),
}

/// Classifies the line at 0-based `index`, without its `\r` and, on the first line, a UTF-8
/// byte order mark (as the decoder does).
pub(super) fn head_line(index: usize, line: &[u8]) -> HeadLine<'_> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = match index {
        0 => line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line),
        _ => line,
    };
    if line.iter().all(|&b| b == b' ' || b == b'\t') {
        HeadLine::Blank
    } else if line.starts_with(b"#") {
        HeadLine::Comment(line)
    } else {
        HeadLine::Data(line)
    }
}

fn all_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

/// `1684226820.937<tab>`: epoch seconds, optional decimals, a tab.
fn looks_realtime(line: &[u8]) -> bool {
    let Some(tab) = memchr::memchr(b'\t', line) else {
        return false;
    };
    let first = &line[..tab];
    let (whole, frac) = match memchr::memchr(b'.', first) {
        Some(dot) => (&first[..dot], Some(&first[dot + 1..])),
        None => (first, None),
    };
    (9..=12).contains(&whole.len())
        && all_digits(whole)
        && frac.is_none_or(|f| (1..=3).contains(&f.len()) && all_digits(f))
}

/// `owner bucket [dd/Mon/yyyy:`.
fn looks_s3(line: &[u8]) -> bool {
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (Some(owner), Some(bucket), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !owner.is_empty()
        && !bucket.is_empty()
        && rest.len() >= 13
        && rest[0] == b'['
        && all_digits(&rest[1..3])
        && rest[3] == b'/'
        && rest[4..7].iter().all(u8::is_ascii_alphabetic)
        && rest[7] == b'/'
        && all_digits(&rest[8..12])
        && rest[12] == b':'
}

/// `2019-12-04<tab>21:02:31<tab>`: a standard log row (without its header).
fn looks_standard_row(line: &[u8]) -> bool {
    line.len() > 20
        && all_digits(&line[0..4])
        && line[4] == b'-'
        && line[7] == b'-'
        && line[10] == b'\t'
        && line[13] == b':'
        && line[16] == b':'
        && line[19] == b'\t'
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = Error;

    /// Parses `s3` (also `s3-access`, `s3-access-log`), `cloudfront-realtime` (also
    /// `cloudfront-real-time`, `cf-realtime`) and `cloudfront-standard` (also `cf-standard`,
    /// `cloudfront-w3c`).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "s3" | "s3-access" | "s3-access-log" => Ok(Format::S3),
            "cloudfront-realtime" | "cloudfront-real-time" | "cf-realtime" => {
                Ok(Format::CloudFrontRealtime)
            }
            "cloudfront-standard" | "cf-standard" | "cloudfront-w3c" => {
                Ok(Format::CloudFrontStandard)
            }
            other => Err(Error::new(ErrorKind::InvalidArgument).with_detail(format!(
                "unknown format {other:?} (known: s3, cloudfront-realtime, cloudfront-standard)"
            ))),
        }
    }
}

/// The field list of the last `#Fields:` line before the first data line of `head`. When the
/// head is not complete (it fills the read-ahead buffer), its last, partial line is ignored and
/// a missing `#Fields:` line is an error.
pub(super) fn standard_header(
    head: &[u8],
    complete: bool,
    max_fields: usize,
    skipped: u64,
) -> Result<Option<FieldList>> {
    let invalid_header = |detail: String| {
        Error::new(ErrorKind::InvalidHeader)
            .with_format(crate::cloudfront::label(Flavor::Standard))
            .with_detail(detail)
    };
    // An incomplete head is the whole read-ahead buffer.
    let read_ahead = head.len();
    let head = if complete {
        head
    } else {
        &head[..head.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)]
    };
    let mut fields = None;
    for (index, line) in head.split(|&b| b == b'\n').enumerate() {
        let number = skipped as usize + index;
        let line = match head_line(number, line) {
            HeadLine::Blank => continue,
            HeadLine::Comment(line) if line.starts_with(b"#Fields:") => line,
            HeadLine::Comment(_) => continue,
            HeadLine::Data(_) if fields.is_none() => {
                return Err(invalid_header(format!(
                    "line {} is a data line, and no #Fields: line comes before it: give the \
                     field list (ReaderBuilder::with_fields with FieldList::standard)",
                    number + 1
                )));
            }
            HeadLine::Data(_) => return Ok(fields),
        };
        let count = line[8..]
            .split(|b| b.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
            .count();
        if count > max_fields {
            return Err(invalid_header(format!(
                "line {}: the #Fields: line names {count} fields, more than the maximum fields \
                     ({max_fields})",
                number + 1
            )));
        }
        let Ok(text) = std::str::from_utf8(line) else {
            return Err(invalid_header(format!(
                "line {}: the #Fields: line is not UTF-8",
                number + 1
            )));
        };
        fields = Some(FieldList::standard(text).map_err(|e| {
            invalid_header(format!(
                "line {}: {}",
                number + 1,
                e.detail().unwrap_or_default()
            ))
        })?);
    }
    if !complete && fields.is_none() {
        return Err(invalid_header(format!(
            "no #Fields: line and no data line in the first {} KiB",
            read_ahead / 1024
        )));
    }
    Ok(fields)
}
