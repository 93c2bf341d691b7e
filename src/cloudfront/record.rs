//! [`CloudFrontRecord`]: a borrowed, zero-copy view of one CloudFront log line.

use super::fields::{FieldList, Flavor, ValueKind};
use super::values;
use crate::error::{Error, ErrorKind, Result};
use crate::raw::{Span, split_tabs};

/// One CloudFront log line split on tabs, borrowing the line, its [`FieldList`] and a span
/// buffer that the caller reuses from line to line (nothing is allocated per line once the
/// buffer has grown). Fields are looked up by AWS's name; typed accessors return `None` for
/// `-` (and for an empty or absent field).
///
/// ```
/// use aws_access_logs::cloudfront::{FieldList, CloudFrontRecord};
///
/// let fields = FieldList::realtime("timestamp,c-ip,sc-status,time-taken,cs-user-agent")?;
/// let mut spans = Vec::new();
/// let line = b"1684226820.937\t192.0.2.10\t000\t0.082\t-";
/// let record = CloudFrontRecord::parse(line, &fields, &mut spans)?;
/// assert_eq!(record.timestamp()?, Some(1_684_226_820_937));
/// assert_eq!(record.text("c-ip"), Some(&b"192.0.2.10"[..]));
/// assert_eq!(record.uint("sc-status")?, Some(0));
/// assert_eq!(record.seconds("time-taken")?, Some(0.082));
/// assert_eq!(record.text("cs-user-agent"), None); // `-`
/// assert_eq!(record.text("cs-referer"), None); // not in the list
///
/// // A record with the wrong number of fields is an error, never misaligned.
/// let err = CloudFrontRecord::parse(b"1684226820.937\t192.0.2.10", &fields, &mut spans).unwrap_err();
/// assert_eq!(err.kind(), aws_access_logs::ErrorKind::FieldCount);
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CloudFrontRecord<'a> {
    line: &'a [u8],
    fields: &'a FieldList,
    spans: &'a [Span],
}

impl<'a> CloudFrontRecord<'a> {
    /// Parses `line` into its field spans (without its line terminator) for `fields`. Real-time records must have
    /// exactly as many fields as the list; standard rows may be shorter (the missing fields are
    /// absent) and may end with one empty field (a trailing tab), which is dropped.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::FieldCount`] when the record has more fields than the list (or, for
    /// real-time logs, fewer).
    pub fn parse(
        line: &'a [u8],
        fields: &'a FieldList,
        spans: &'a mut Vec<Span>,
    ) -> Result<CloudFrontRecord<'a>> {
        let label = fields.flavor.label();
        split_tabs(line, spans, usize::MAX).map_err(|e| e.with_format(label))?;
        check_count(fields.flavor, spans, fields.len()).map_err(|e| e.with_format(label))?;
        Ok(CloudFrontRecord {
            line,
            fields,
            spans,
        })
    }

    /// The line.
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// Number of fields present (a short standard row has fewer than its field list).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the record has no fields (never: an empty line is one empty field).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The bytes of the field at `index` (in record order), as logged.
    pub fn get(&self, index: usize) -> Option<&'a [u8]> {
        self.spans.get(index).map(|s| s.get(self.line))
    }

    fn position(&self, aws_name: &str) -> Option<usize> {
        self.fields
            .fields
            .iter()
            .position(|f| f.aws_name.eq_ignore_ascii_case(aws_name))
    }

    /// The bytes of the field named `aws_name` (e.g. `cs-user-agent`, `cs(User-Agent)`), as
    /// logged; `None` when the field is not in the list or not in this (short) row.
    pub fn raw(&self, aws_name: &str) -> Option<&'a [u8]> {
        self.get(self.position(aws_name)?)
    }

    /// Like [`CloudFrontRecord::raw`], but `None` for `-`.
    pub fn text(&self, aws_name: &str) -> Option<&'a [u8]> {
        self.raw(aws_name).filter(|b| *b != b"-")
    }

    fn typed<T>(
        &self,
        aws_name: &str,
        parse: impl FnOnce(&[u8]) -> std::result::Result<Option<T>, (ErrorKind, &'static str)>,
    ) -> Result<Option<T>> {
        match self.raw(aws_name) {
            None => Ok(None),
            Some(bytes) => parse(bytes).map_err(|(kind, detail)| {
                Error::new(kind)
                    .with_format(self.fields.flavor.label())
                    .with_field(super::column_name(aws_name))
                    .with_detail(detail)
            }),
        }
    }

    /// An unsigned integer field (`sc-status`, `sc-bytes`, ...).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInteger`] when the field is not digits or `-`.
    pub fn uint(&self, aws_name: &str) -> Result<Option<u64>> {
        self.typed(aws_name, |b| values::parse_unsigned(b, u64::MAX))
    }

    /// A decimal seconds field (`time-taken`, `time-to-first-byte`, ...).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidNumber`] when the field is not a decimal number or `-`.
    pub fn seconds(&self, aws_name: &str) -> Result<Option<f64>> {
        self.typed(aws_name, values::parse_seconds)
    }

    /// The record's time in milliseconds since the Unix epoch (UTC): from `timestamp`
    /// (real-time, `epoch.mmm` parsed as fixed point), `date` and `time` (standard), or
    /// `timestamp(ms)` (standard logging v2), whichever the list has first in that order.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidTimestamp`] for a malformed value.
    pub fn timestamp(&self) -> Result<Option<i64>> {
        let kinds = |name: &str| {
            self.fields
                .fields
                .iter()
                .find(|f| f.aws_name == name)
                .map(|f| f.kind)
        };
        if kinds("timestamp") == Some(ValueKind::EpochSeconds) {
            return self.typed("timestamp", values::parse_epoch_seconds);
        }
        if self.position("date").is_some() && self.position("time").is_some() {
            let (Some(date), Some(time)) = (self.raw("date"), self.raw("time")) else {
                return Ok(None);
            };
            return values::parse_date_time(date, time).map_err(|(kind, detail)| {
                Error::new(kind)
                    .with_format(self.fields.flavor.label())
                    .with_field("timestamp")
                    .with_detail(detail)
            });
        }
        self.typed("timestamp(ms)", values::parse_epoch_millis)
    }
}

/// Checks the number of fields in `spans` against the list's `expected`, dropping one trailing
/// empty field of a standard row.
pub(crate) fn check_count(flavor: Flavor, spans: &mut Vec<Span>, expected: usize) -> Result<()> {
    let found = spans.len();
    match flavor {
        Flavor::Realtime if found != expected => Err(Error::new(ErrorKind::FieldCount)
            .with_detail(format!(
                "{found} tab-separated fields, the field list has {expected}"
            ))),
        Flavor::Realtime => Ok(()),
        Flavor::Standard => {
            if found == expected + 1 && spans[found - 1].is_empty() {
                spans.pop();
            }
            if spans.len() > expected {
                return Err(Error::new(ErrorKind::FieldCount).with_detail(format!(
                    "{} tab-separated fields, the #Fields: line names {expected}",
                    spans.len()
                )));
            }
            Ok(())
        }
    }
}
