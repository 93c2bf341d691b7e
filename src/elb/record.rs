//! [`ElbRecord`]: one Elastic Load Balancing log line split into its fields, borrowed.

use memchr::memchr;

use super::fields::{Flavor, MAX_KNOWN};
use crate::error::{Error, ErrorKind, Result};
use crate::raw::Span;

/// One log line split into fields, borrowing the line: no allocation, no copy.
///
/// Fields are separated by one space. In ALB, CLB and connection logs a field that starts with
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
        let label = flavor.label();
        let fields = flavor.fields();
        if line.len() > u32::MAX as usize {
            return Err(Error::new(ErrorKind::LineTooLong)
                .with_format(label)
                .with_detail("a line of 4 GiB or more"));
        }
        let len = line.len();
        let quoting = flavor.quoting();
        let mut spans = [Span { start: 0, end: 0 }; MAX_KNOWN];
        let mut known = 0;
        let mut pos = 0;
        let mut trailing = None;
        let mut extra = 0;
        loop {
            if known == fields.len() {
                trailing = Some(Span {
                    start: pos as u32,
                    end: len as u32,
                });
                extra = count_fields(&line[pos..], quoting);
                break;
            }
            let (start, end, next) = if quoting && line.get(pos) == Some(&b'"') {
                let Some(close) = memchr(b'"', &line[pos + 1..]).map(|i| pos + 1 + i) else {
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
                let end = memchr(b' ', &line[pos..]).map_or(len, |i| pos + i);
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
                .with_format(label)
                .with_detail(format!(
                    "{known} fields; a line has at least {}",
                    flavor.min_fields()
                )));
        }
        Ok(ElbRecord {
            line,
            flavor,
            spans,
            known,
            trailing,
            field_count: known + extra,
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

    pub(crate) fn trailing_span(&self) -> Option<Span> {
        self.trailing
    }
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
    fn nlb_lines_are_split_on_spaces_only() {
        let line = br#"tls 2.0 2020-04-01T08:51:42 net/a/b l 192.0.2.1:1 198.51.100.1:443 5 2 98 246 - - - - - - "x"y - - "h2","http/1.1""#;
        let r = ElbRecord::parse(Flavor::Nlb, line).unwrap();
        assert_eq!(r.field_count(), 21);
        assert_eq!(fields(&r)[17], "\"x\"y");
        assert_eq!(fields(&r)[20], "\"h2\",\"http/1.1\"");
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
