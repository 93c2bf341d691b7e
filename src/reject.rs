//! Rejected and repaired lines, counters, and the error policy.

use crate::error::{Error, ErrorKind};

/// What the decoder does with a line that fails to parse (serialized as `"skip"` or
/// `"fail_fast"`, feature `serde`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ErrorPolicy {
    /// Skip the line and record it as a [`Reject`] (the default).
    #[default]
    Skip,
    /// Record the line as a [`Reject`] and return its error.
    FailFast,
}

/// What became of a line recorded as a [`Reject`] (serialized as [`RejectOutcome::as_str`],
/// feature `serde`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum RejectOutcome {
    /// The line produced no row.
    Rejected,
    /// The line produced a row, but some of it had to be repaired (invalid UTF-8 replaced with
    /// U+FFFD, or S3 words that did not fit an optional trailing field kept in
    /// `trailing_fields`); the original bytes are kept here.
    Repaired,
}

impl RejectOutcome {
    /// `"rejected"` or `"repaired"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectOutcome::Rejected => "rejected",
            RejectOutcome::Repaired => "repaired",
        }
    }
}

/// A line that was rejected (no row) or repaired (row kept), with its position,
/// the reason and its raw bytes, so that nothing is ever lost. Serialized (feature `serde`) as
/// an object of `byte_offset`, `error` (its text), `field`, `line`, `outcome`, and `raw` (the
/// line as text) or, for a line that is not UTF-8, `raw_base64`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    error: Error,
    raw: Vec<u8>,
    outcome: RejectOutcome,
}

impl Reject {
    pub(crate) fn new(error: Error, raw: Vec<u8>, outcome: RejectOutcome) -> Self {
        Reject {
            error,
            raw,
            outcome,
        }
    }

    /// 1-based line number.
    pub fn line(&self) -> u64 {
        self.error.position().map_or(0, |p| p.line)
    }

    /// 0-based byte offset of the start of the line in the (decompressed) input.
    pub fn byte_offset(&self) -> u64 {
        self.error.position().map_or(0, |p| p.byte_offset)
    }

    /// The snake_case name of the offending field, when the error concerns one field.
    pub fn field(&self) -> Option<&str> {
        self.error.field()
    }

    /// The error kind.
    pub fn kind(&self) -> ErrorKind {
        self.error.kind()
    }

    /// The full error (its `Display` names format, position, field and reason).
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The line's bytes, without line terminator. For a line longer than the maximum line
    /// length, only its first `max_line_length` bytes.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// Whether the line was rejected or repaired.
    pub fn outcome(&self) -> RejectOutcome {
        self.outcome
    }
}

/// Rejects held until they are taken, bounded by a count and by their raw bytes
/// ([`crate::ReaderBuilder::with_max_rejects`]). A holder stops once they reach the limit, so
/// that they can be taken; if it is resumed without that, [`HeldRejects::overflow_if_at_limit`]
/// makes it drop the details of further rejects (the holder counts them) until they are.
#[derive(Debug)]
pub(crate) struct HeldRejects {
    rejects: Vec<Reject>,
    /// Raw bytes held in `rejects`.
    bytes: usize,
    max: usize,
    max_bytes: usize,
    /// The rejects reached their limit and were left: further ones are dropped.
    overflow: bool,
}

impl HeldRejects {
    pub(crate) fn new(max: usize, max_bytes: usize) -> Self {
        HeldRejects {
            rejects: Vec::new(),
            bytes: 0,
            max,
            max_bytes,
            overflow: false,
        }
    }

    /// Whether the rejects held reached their limit.
    pub(crate) fn at_limit(&self) -> bool {
        self.rejects.len() >= self.max || self.bytes >= self.max_bytes
    }

    /// Whether further rejects are being dropped.
    pub(crate) fn overflowed(&self) -> bool {
        self.overflow
    }

    /// The holder goes on although the rejects were not taken: if they are at their limit,
    /// further ones are dropped until they are taken.
    pub(crate) fn overflow_if_at_limit(&mut self) {
        if self.at_limit() {
            self.overflow = true;
        }
    }

    /// Keeps `reject`, unless the held ones overflowed: then it is dropped and `false`
    /// returned (for the caller to count).
    pub(crate) fn hold(&mut self, reject: Reject) -> bool {
        if self.overflow {
            return false;
        }
        self.bytes += reject.raw().len();
        self.rejects.push(reject);
        true
    }

    /// The rejects held, in input order.
    pub(crate) fn held(&self) -> &[Reject] {
        &self.rejects
    }

    /// Takes the rejects held, leaving none (and ending an overflow).
    pub(crate) fn take(&mut self) -> Vec<Reject> {
        self.bytes = 0;
        self.overflow = false;
        std::mem::take(&mut self.rejects)
    }
}

/// Counters of one decoding run. For any input,
/// `rows + rejected + blank_lines + comment_lines == lines` (repaired lines are among `rows`);
/// [`DecodeStats::skipped`] is `blank_lines + comment_lines`. Serialized (feature `serde`) as
/// an object of its fields, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct DecodeStats {
    /// Lines seen (complete lines, plus a last line without terminator).
    pub lines: u64,
    /// Lines that became rows.
    pub rows: u64,
    /// Lines that were rejected.
    pub rejected: u64,
    /// Rows that were repaired (also counted in `rows`, see [`RejectOutcome::Repaired`]).
    pub repaired: u64,
    /// Empty lines, or lines of only spaces and tabs, skipped.
    pub blank_lines: u64,
    /// CloudFront `#` header and comment lines (`#Version:`, `#Fields:`, ...) skipped.
    pub comment_lines: u64,
    /// Rejected or repaired lines (counted in `rejected` or `repaired`) whose [`Reject`]
    /// details were not kept, because the rejects held had reached their limit and were not
    /// taken ([`crate::ReaderBuilder::with_max_rejects`]).
    pub rejects_dropped: u64,
}

impl DecodeStats {
    /// Lines skipped without a row or a reject: blank lines and comment lines.
    pub fn skipped(&self) -> u64 {
        self.blank_lines + self.comment_lines
    }
}
