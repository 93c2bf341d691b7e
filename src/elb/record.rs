//! [`ElbRecord`]: one Elastic Load Balancing log line split into its fields, borrowed.

use memchr::memchr;

use super::fields::{Flavor, MAX_KNOWN};
use crate::error::{Error, ErrorKind, Result};
use crate::raw::{Span, find_byte};

/// One log line split into fields, borrowing the line: no allocation, no copy.
///
/// Fields are separated by one space (spaces at the end of the line are ignored). In ALB, CLB and connection logs a field that starts with
/// `"` is quoted: it ends at the next `"`, which must be followed by a space or the end of the
/// line (ALB writes a `"` inside a value as `\x22`), and may hold spaces. NLB fields are never
/// quoted and hold no spaces, but one of them holds quotes (`"h2","http/1.1"`): NLB lines are
/// split on spaces only.
///
/// The first [`Flavor::min_fields`] fields must be there; later known fields may be missing
/// (lines of older eras); fields after the known ones are kept together, as logged, in
/// [`ElbRecord::trailing_fields`].
///
/// ```
/// use aws_access_logs::elb::{ElbRecord, Flavor};
///
/// let line = br#"tls 2.0 2020-04-01T08:51:42 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 192.0.2.1:51341 198.51.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:123456789012:certificate/x - ECDHE-RSA-AES128-SHA tlsv12 - my-nlb.example.com h2 h2 "h2","http/1.1" 2020-04-01T08:51:20"#;
/// let record = ElbRecord::parse(Flavor::Nlb, line)?;
/// assert_eq!(record.field_count(), 22);
/// assert_eq!(record.field(5), Some(&b"192.0.2.1:51341"[..]));
/// assert_eq!(record.field(20), Some(&br#""h2","http/1.1""#[..]));
/// assert_eq!(record.trailing_fields(), None);
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ElbRecord<'a> {
    line: &'a [u8],
    flavor: Flavor,
    spans: [Span; MAX_KNOWN],
    known: usize,
    trailing: Option<Span>,
    field_count: usize,
}

/// Counting the fields after the known ones stops past this many (it only has to tell whether
/// a line has more fields than the reader's maximum).
const COUNT_LIMIT: usize = 1 << 16;

impl<'a> ElbRecord<'a> {
    /// Splits `line` (without its terminator) into the fields of `flavor`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidQuoting`] for a quote that does not close, or a closing quote not
    /// followed by a space or the end of the line; [`ErrorKind::FieldCount`] for fewer fields
    /// than [`Flavor::min_fields`]; [`ErrorKind::LineTooLong`] for a line of 4 GiB or more.
    pub fn parse(flavor: Flavor, line: &'a [u8]) -> Result<Self> {
        let mut spans = [Span { start: 0, end: 0 }; MAX_KNOWN];
        let split = split(flavor, line, &mut spans)?;
        Ok(ElbRecord {
            line,
            flavor,
            spans,
            known: split.known,
            trailing: split.trailing,
            field_count: split.field_count,
        })
    }

    /// The line the record was parsed from.
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// The flavor the record was parsed as.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The number of fields of the line, unknown trailing ones included (counted up to 65 536).
    pub fn field_count(&self) -> usize {
        self.field_count
    }

    /// The number of known fields the line has (at most the flavor's field count).
    pub fn known_fields(&self) -> usize {
        self.known
    }

    /// The `i`-th field (0-based, in log order, [`Flavor::field_names`]) as logged, without
    /// the quotes of a quoted field; `None` when the line stops before it.
    pub fn field(&self, i: usize) -> Option<&'a [u8]> {
        self.span(i)
            .map(|s| &self.line[s.start as usize..s.end as usize])
    }

    /// Where the `i`-th field lies in the line (see [`ElbRecord::field`]).
    pub fn span(&self, i: usize) -> Option<Span> {
        (i < self.known).then(|| self.spans[i])
    }

    /// The field named `aws_name` (AWS's name, such as `client:port`), as logged.
    pub fn get(&self, aws_name: &str) -> Option<&'a [u8]> {
        let i = self
            .flavor
            .fields()
            .iter()
            .position(|f| f.aws == aws_name)?;
        self.field(i)
    }

    /// The fields after the known ones, as logged (quotes included), or `None` when there are
    /// none.
    pub fn trailing_fields(&self) -> Option<&'a [u8]> {
        self.trailing
            .map(|s| &self.line[s.start as usize..s.end as usize])
    }
}

/// How a line splits: the number of known fields (their spans written to the caller's array),
/// the unknown trailing fields, and the field count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split {
    pub(crate) known: usize,
    pub(crate) trailing: Option<Span>,
    pub(crate) field_count: usize,
}

/// Splits `line` into the fields of `flavor` (see [`ElbRecord`]), writing the spans of the
/// known ones to `spans`.
#[inline]
pub(crate) fn split(flavor: Flavor, line: &[u8], spans: &mut [Span; MAX_KNOWN]) -> Result<Split> {
    let fields = flavor.fields().len();
    if line.len() > u32::MAX as usize {
        return Err(Error::new(ErrorKind::LineTooLong)
            .with_format(flavor.label())
            .with_detail("a line of 4 GiB or more"));
    }
    // Spaces at the end of a line end no field (a quoted field's spaces are inside its quotes).
    let len = line.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
    let line = &line[..len];
    let quoting = flavor.quoting();
    let mut known = 0;
    let mut pos = 0;
    loop {
        if known == fields {
            let extra = count_fields(&line[pos..], quoting);
            return Ok(Split {
                known,
                trailing: Some(Span {
                    start: pos as u32,
                    end: len as u32,
                }),
                field_count: known + extra,
            });
        }
        let (start, end, next) = if quoting && line.get(pos) == Some(&b'"') {
            let Some(close) = find_quote(line, pos + 1) else {
                return Err(quoting_error(flavor, known, "a quote that does not close"));
            };
            if close + 1 < len && line[close + 1] != b' ' {
                return Err(quoting_error(
                    flavor,
                    known,
                    "a closing quote followed by something else than a space",
                ));
            }
            (pos + 1, close, close + 1)
        } else {
            let end = find_space(line, pos);
            (pos, end, end)
        };
        spans[known] = Span {
            start: start as u32,
            end: end as u32,
        };
        known += 1;
        if next >= len {
            break;
        }
        // `line[next]` is the space after the field.
        pos = next + 1;
    }
    if known < flavor.min_fields() {
        return Err(Error::new(ErrorKind::FieldCount)
            .with_format(flavor.label())
            .with_detail(format!(
                "{known} fields; a line has at least {}",
                flavor.min_fields()
            )));
    }
    Ok(Split {
        known,
        trailing: None,
        field_count: known,
    })
}

/// The first space of `line` at or after `from`, or the line's length. Unquoted fields are
/// short (a status code, a port, an ARN): 16 bytes are compared at a time inline
/// ([`find_byte`]: SSE2 on x86-64) instead of calling `memchr` for each.
#[inline(always)]
pub(crate) fn find_space(line: &[u8], from: usize) -> usize {
    find_byte(line, from, b' ').unwrap_or(line.len())
}

/// The first quote of `line` at or after `from`, searched as [`find_space`] searches.
#[inline(always)]
fn find_quote(line: &[u8], from: usize) -> Option<usize> {
    find_byte(line, from, b'"')
}

fn quoting_error(flavor: Flavor, field: usize, detail: &'static str) -> Error {
    let name = flavor
        .fields()
        .get(field)
        .map_or("trailing_fields", |f| f.column);
    Error::new(ErrorKind::InvalidQuoting)
        .with_format(flavor.label())
        .with_field(name)
        .with_detail(detail)
}

/// The number of fields of `rest` (unknown trailing fields, kept as logged): spaces outside
/// quotes, plus one; a quote that does not close is
/// not a quote. Stops past [`COUNT_LIMIT`].
fn count_fields(rest: &[u8], quoting: bool) -> usize {
    let mut count = 1;
    let mut pos = 0;
    while count <= COUNT_LIMIT {
        if quoting
            && rest.get(pos) == Some(&b'"')
            && let Some(close) = memchr(b'"', &rest[pos + 1..])
        {
            pos += close + 2;
        }
        match rest.get(pos..).and_then(|r| memchr(b' ', r)) {
            Some(space) => {
                count += 1;
                pos += space + 1;
            }
            None => break,
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(r: &ElbRecord<'a>) -> Vec<&'a str> {
        (0..r.known_fields())
            .map(|i| std::str::from_utf8(r.field(i).unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn quoted_fields_hold_spaces_and_lists() {
        let line = br#"2015-05-13T23:39:43.945958Z my-lb 192.0.2.1:2817 - 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -"#;
        let r = ElbRecord::parse(Flavor::Clb, line).unwrap();
        assert_eq!(r.field_count(), 15);
        assert_eq!(fields(&r)[11], "- - - ");
        assert_eq!(fields(&r)[12], "-");
        assert_eq!(r.trailing_fields(), None);
        assert_eq!(r.get("backend:port"), Some(&b"-"[..]));
    }

    #[test]
    fn trailing_fields_are_kept_as_logged() {
        let line = br#"2024-11-29T13:45:24.599544Z 192.0.2.9 58206 80 - - - "-" - - - TID_1 - app/x/1 192.0.2.10 - "a b" c"#;
        let r = ElbRecord::parse(Flavor::AlbConnection, line).unwrap();
        assert_eq!(r.known_fields(), 15);
        assert_eq!(r.trailing_fields(), Some(&br#"- "a b" c"#[..]));
        assert_eq!(r.field_count(), 18);
    }

    #[test]
    fn bad_quoting_and_short_lines_are_errors() {
        let short = b"2015-05-13T23:39:43.945958Z my-lb 192.0.2.1:2817";
        let e = ElbRecord::parse(Flavor::Clb, short).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FieldCount);
        let open = br#"2015-05-13T23:39:43.945958Z my-lb 192.0.2.1:2817 - 1 1 1 - - 82 305 "GET / HTTP/1.1"#;
        let e = ElbRecord::parse(Flavor::Clb, open).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidQuoting);
        assert_eq!(e.field(), Some("request"));
        let glued = br#"2015-05-13T23:39:43.945958Z my-lb 192.0.2.1:2817 - 1 1 1 - - 82 305 "GET / HTTP/1.1"x "-" - -"#;
        let e = ElbRecord::parse(Flavor::Clb, glued).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidQuoting);
    }

    #[test]
    fn spaces_at_the_end_of_a_line_end_no_field() {
        let line =
            br#"2015-05-13T23:39:43.945958Z my-lb 192.0.2.1:2817 - 1 1 1 - - 82 305 "- - - "  "#;
        let r = ElbRecord::parse(Flavor::Clb, line).unwrap();
        assert_eq!(r.field_count(), 12);
        assert_eq!(r.field(11), Some(&b"- - - "[..]));
        let line = br#"2024-11-29T13:45:24.599544Z 192.0.2.9 58206 80 - - - "-" - - - TID_1 - app/x/1 192.0.2.10 "#;
        let r = ElbRecord::parse(Flavor::AlbConnection, line).unwrap();
        assert_eq!((r.field_count(), r.trailing_fields()), (15, None));
        let e = ElbRecord::parse(Flavor::Clb, b"    ").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::FieldCount);
    }

    #[test]
    fn nlb_lines_are_split_on_spaces_only() {
        let line = br#"tls 2.0 2020-04-01T08:51:42 net/a/b l 192.0.2.1:1 198.51.100.1:443 5 2 98 246 - - - - - - "x"y - - "h2","http/1.1""#;
        let r = ElbRecord::parse(Flavor::Nlb, line).unwrap();
        assert_eq!(r.field_count(), 21);
        assert_eq!(fields(&r)[17], "\"x\"y");
        assert_eq!(fields(&r)[20], "\"h2\",\"http/1.1\"");
    }

    #[test]
    fn the_space_scan_finds_the_first_space() {
        let mut line = vec![b'x'; 40];
        assert_eq!(find_space(&line, 0), 40);
        for at in 0..40 {
            line[at] = b' ';
            for from in 0..=at {
                assert_eq!(find_space(&line, from), at, "space at {at}, from {from}");
            }
            // Bytes just above and below a space (0x21, 0x1f) are no spaces.
            if at + 1 < 40 {
                line[at + 1] = 0x21;
            }
            if at > 0 {
                line[at - 1] = 0x1f;
            }
            assert_eq!(find_space(&line, at.saturating_sub(1)), at);
            line[at] = b'x';
            assert_eq!(find_space(&line, at), 40);
            line.fill(b'x');
        }
        for len in 0..40 {
            let mut line = vec![b'x'; len];
            for at in 0..len {
                line[at] = b'"';
                for from in 0..=at {
                    assert_eq!(find_quote(&line, from), Some(at), "quote at {at} of {len}");
                }
                assert_eq!(find_quote(&line, at + 1), None);
                line[at] = b'x';
            }
        }
        // Two spaces in one word: the first.
        let line = b"ab c d efgh";
        assert_eq!(find_space(line, 0), 2);
        assert_eq!(find_space(line, 3), 4);
        assert_eq!(find_space(line, 11), 11);
    }

    #[test]
    fn counting_unknown_fields_is_bounded() {
        assert_eq!(count_fields(b"a", true), 1);
        assert_eq!(count_fields(b"a \"b c\" d", true), 3);
        assert_eq!(count_fields(b"\"open a b", true), 3);
        assert_eq!(count_fields(b"\"", true), 1);
        let many = vec![b' '; 200_000];
        assert_eq!(count_fields(&many, false), COUNT_LIMIT + 1);
    }
}
