//! [`CloudFrontRecord`]: a borrowed, zero-copy view of one CloudFront log line.

use super::fields::{FieldList, Flavor, ValueKind};
use super::values;
use crate::error::{Error, ErrorKind, Result};
use crate::raw::Span;

/// Splits `line` on tabs into `spans` (cleared first). More than `max_fields` fields is a
/// [`ErrorKind::TooManyFields`] error (without format or position).
pub(crate) fn split_tabs(line: &[u8], spans: &mut Vec<Span>, max_fields: usize) -> Result<()> {
    split::<false>(line, spans, max_fields).map(|_| ())
}

/// [`split_tabs`], also telling whether the line is ASCII (then it needs no other UTF-8 check).
pub(crate) fn split_tabs_ascii(
    line: &[u8],
    spans: &mut Vec<Span>,
    max_fields: usize,
) -> Result<bool> {
    split::<true>(line, spans, max_fields)
}

/// The line is read 64 bytes at a time into a bitmap of its tabs, and every bit of the map
/// becomes a span end: a few instructions per tab, with no search and no hard-to-predict exit
/// per field (real-time lines have 40 or more fields of 15 to 20 bytes). With `ASCII`, the
/// same reads gather the bytes' high bits, and the result tells whether none was set.
#[inline(always)]
fn split<const ASCII: bool>(line: &[u8], spans: &mut Vec<Span>, max_fields: usize) -> Result<bool> {
    spans.clear();
    let Ok(len) = u32::try_from(line.len()) else {
        return Err(Error::new(ErrorKind::LineTooLong).with_detail("a line of 4 GiB or more"));
    };
    let mut start = 0u32;
    let mut high = 0u64;
    let mut push_tabs = |(mut tabs, high_bits): (u64, u64), base: u32, spans: &mut Vec<Span>| {
        if ASCII {
            high |= high_bits;
        }
        while tabs != 0 {
            let end = base + tabs.trailing_zeros();
            spans.push(Span { start, end });
            start = end + 1;
            tabs &= tabs - 1;
        }
    };
    let blocks = line.chunks_exact(64);
    let rest = blocks.remainder();
    for (i, block) in blocks.enumerate() {
        push_tabs(tab_map(block), 64 * i as u32, spans);
        if spans.len() >= max_fields.max(1) {
            return Err(too_many_fields(line, max_fields));
        }
    }
    if !rest.is_empty() {
        let mut padded = [0u8; 64];
        padded[..rest.len()].copy_from_slice(rest);
        push_tabs(tab_map(&padded), len - rest.len() as u32, spans);
        if spans.len() >= max_fields.max(1) {
            return Err(too_many_fields(line, max_fields));
        }
    }
    spans.push(Span { start, end: len });
    Ok(high == 0)
}

/// The tabs of `block` (64 bytes; bit `i` set when `block[i]` is a tab), and a word that is
/// zero exactly when the block is ASCII: four SSE2 comparisons of 16 bytes.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn tab_map(block: &[u8]) -> (u64, u64) {
    block
        .chunks_exact(16)
        .enumerate()
        .fold((0, 0), |(map, high), (k, part)| {
            let (tabs, high_bits) = crate::raw::matches16_and_high(part, b'\t');
            (
                map | u64::from(tabs) << (16 * k),
                high | u64::from(high_bits),
            )
        })
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use tab_map_swar as tab_map;

/// [`tab_map`] eight bytes at a time in a register (where SSE2 is not enabled).
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
#[inline(always)]
fn tab_map_swar(block: &[u8]) -> (u64, u64) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut map = 0;
    let mut high = 0;
    for (k, word) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        high |= word & !LOW7;
        let x = word ^ 0x0909_0909_0909_0909;
        // Bit 7 of each byte of `x` that is zero (a tab), exactly: the low seven bits + 0x7f
        // carry into bit 7 unless they are zero, and no carry crosses a byte.
        let flags = !(((x & LOW7) + LOW7) | x | LOW7);
        // The eight flags (bits 7, 15, ..., 63) gathered into one byte: the products of the
        // multiplication land on distinct bits, so nothing carries.
        let byte = ((flags >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        map |= byte << (8 * k);
    }
    (map, high)
}

fn too_many_fields(line: &[u8], max_fields: usize) -> Error {
    let count = 1 + memchr::memchr_iter(b'\t', line).count();
    Error::new(ErrorKind::TooManyFields)
        .with_detail(format!("{count} fields, maximum {max_fields}"))
}

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
        let label = super::decode::label(fields.flavor);
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
                    .with_format(super::decode::label(self.fields.flavor))
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
                    .with_format(super::decode::label(self.fields.flavor))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(line: &[u8]) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut start = 0;
        for (i, &b) in line.iter().enumerate() {
            if b == b'\t' {
                spans.push(Span::new(start, i));
                start = i + 1;
            }
        }
        spans.push(Span::new(start, line.len()));
        spans
    }

    #[test]
    fn split_tabs_agrees_with_a_byte_by_byte_split() {
        let mut spans = Vec::new();
        let mut line = Vec::new();
        // With a byte that differs from a tab by the high bit, and (ASCII lines) without.
        for (len, high) in (0..40)
            .chain(56..73)
            .chain(120..136)
            .flat_map(|len| [(len, 0x89), (len, b'!')])
        {
            // Every pattern of tabs in the first bytes, the rest filled with near-misses
            // (0x08 and 0x0a differ from a tab by one bit).
            for pattern in 0..(1u32 << len.min(10)) {
                line.clear();
                line.extend((0..len).map(|i| match i % 4 {
                    0 => high,
                    1 => b'a',
                    2 => 0x08,
                    _ => 0x0a,
                }));
                for bit in 0..len.min(10) {
                    if pattern & (1 << bit) != 0 {
                        line[len - 1 - bit] = b'\t';
                    }
                }
                for at in [3, 63, 64, 65] {
                    if at + 12 < len {
                        line[at] = b'\t';
                    }
                }
                let ascii = split_tabs_ascii(&line, &mut spans, 1000).unwrap();
                assert_eq!(spans, naive(&line), "{line:?}");
                assert_eq!(ascii, line.is_ascii(), "{line:?}");
            }
        }
    }

    #[test]
    fn tab_maps_mark_exactly_the_tabs() {
        // Near-misses of a tab: the high bit, one bit off, zero, all ones.
        let near = [0x89u8, 0x08, 0x0a, 0x19, 0x00, 0xff, b'a'];
        let mut blocks = Vec::new();
        for pos in 0..64 {
            let mut block: Vec<u8> = (0..64).map(|i| near[i % near.len()]).collect();
            block[pos] = b'\t';
            blocks.push(block);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..4000 {
            let block = (0..64)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    if x.is_multiple_of(5) {
                        b'\t'
                    } else {
                        near[(x >> 8) as usize % near.len()]
                    }
                })
                .collect();
            blocks.push(block);
        }
        blocks.push(vec![b'\t'; 64]);
        blocks.push(vec![0; 64]);
        // ASCII blocks, and blocks with one byte of 0x80 or more at each position.
        for pos in 0..64 {
            let mut block: Vec<u8> = (0..64).map(|i| [0x08, b'\t', 0x7f, 0][i % 4]).collect();
            blocks.push(block.clone());
            block[pos] = [0x80, 0x89, 0xff][pos % 3];
            blocks.push(block);
        }
        for block in &blocks {
            let expected = (0..64)
                .filter(|&i| block[i] == b'\t')
                .fold(0u64, |map, i| map | 1 << i);
            for (tabs, high) in [tab_map(block), tab_map_swar(block)] {
                assert_eq!(tabs, expected, "{block:?}");
                assert_eq!(high == 0, block.is_ascii(), "{block:?}");
            }
        }
    }

    #[test]
    fn split_tabs_counts_every_field_past_the_maximum() {
        let mut spans = Vec::new();
        let line = b"a\tb\tc\td\te\tf\tg\th\ti\tj\tk";
        assert!(split_tabs(line, &mut spans, 11).is_ok());
        assert_eq!(spans.len(), 11);
        for max in [1, 3, 8, 10] {
            let err = split_tabs(line, &mut spans, max).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TooManyFields);
            assert_eq!(
                err.detail(),
                Some(format!("11 fields, maximum {max}").as_str())
            );
        }
        // No tab: one field, whatever the maximum.
        assert!(split_tabs(b"abc", &mut spans, 0).is_ok());
    }
}
