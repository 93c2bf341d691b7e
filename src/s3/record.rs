//! The S3 access log tokenizer and its borrowed record view, [`S3Record`].
//!
//! Fields are separated by single spaces, but four of them are compound and one may contain
//! spaces, so a plain split is wrong. The tokenizer anchors on the shapes of the neighbouring
//! fixed fields instead of on the next quote:
//!
//! * **Time** is one bracketed token with a space: `[06/Feb/2019:00:00:38 +0000]` (or `-`).
//! * **Requester** may contain spaces (`arn:aws:iam::cloudfront:user/CloudFront Origin Access
//!   Identity E2EXAMPLE`). That form takes its five words. Otherwise the requester is one word
//!   unless the words after it then fail to look like *request id, operation (`REST.GET.OBJECT`
//!   or `-`), key, quoted Request-URI (or `-`)*; then it takes as many words as make that fit,
//!   with an operation-shaped operation.
//! * **Request-URI** is quoted (or bare `-`) and inner quotes are not escaped. It closes at the
//!   first `"` after which come a status, an error code, four integers (or `-`) and a quoted
//!   field (or `-`). When no quote fits, it closes at the first `"` followed by a space, and a
//!   line that then fails to split is rejected as [`ErrorKind::InvalidQuoting`] on `request_uri`.
//! * **Referer** closes at the first `"` followed by ` "` (a quoted User-Agent follows) or by
//!   ` -` with no quote after it (a bare `-` User-Agent follows).
//! * **User-Agent** closes at the last `"` of the line: the fields after it never contain quotes.
//! * A quoted value whose closing quote is doubled (`…452""`) is rejected as
//!   [`ErrorKind::InvalidQuoting`]: the line cannot be split with confidence. A backslash-escaped
//!   quote just before the closing one (`"agent \"x\""`) is kept as logged.
//! * After the User-Agent come Version Id and, from 2019 on, Host Id, Signature Version, …,
//!   Source Region. When the word in the Signature Version position is neither `-` nor `SigV…`
//!   the words after Version Id are not that block, and they are all kept in `trailing_fields`.
//!   Words after Source Region are kept in `trailing_fields` too.

use memchr::{memchr_iter, memrchr};

use crate::error::{Error, ErrorKind, Result};
use crate::raw::{FieldCursor, Span};

use super::fields::S3Field;
use super::values::{is_dash, parse_acl_required, parse_time, parse_uint};

/// Name of the format in error messages.
pub(crate) const FORMAT_LABEL: &str = "s3 access log";

/// How many extra words a requester with spaces may have.
const MAX_REQUESTER_EXTRA_WORDS: usize = 16;

/// One S3 server access log line, split into fields that borrow the line's bytes.
///
/// Parsing only splits the line; the typed accessors parse values on demand and
/// [`S3Record::values`] parses all of them at once.
///
/// ```
/// use aws_access_logs::s3::{S3Field, S3Record};
///
/// let line = br#"79a5 amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE 3E57427F3EXAMPLE REST.GET.OBJECT photos/cat.jpg "GET /photos/cat.jpg HTTP/1.1" 200 - 113 113 7 6 "-" "curl/8.0" - host+id= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSv1.2 - Yes us-east-1"#;
/// let record = S3Record::parse(line).unwrap();
/// assert_eq!(
///     record.text(S3Field::Requester),
///     Some(&b"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE"[..])
/// );
/// assert_eq!(record.text(S3Field::Referer), None); // "-"
/// assert_eq!(record.time().unwrap(), Some(1_549_411_238_000));
/// assert_eq!(record.http_status().unwrap(), Some(200));
/// assert_eq!(record.acl_required().unwrap(), Some(true));
/// assert_eq!(record.field_count(), 27);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Record<'a> {
    line: &'a [u8],
    spans: [Span; 28],
    /// Number of known fields present (17 to 27).
    known: u8,
    has_trailing: bool,
}

/// The typed (non-text) values of one record, all parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct S3Values {
    /// `time` in milliseconds since the Unix epoch, UTC.
    pub time: Option<i64>,
    /// `http_status`.
    pub http_status: Option<u16>,
    /// `bytes_sent` (`-` is 0).
    pub bytes_sent: u64,
    /// `object_size`.
    pub object_size: Option<u64>,
    /// `total_time_ms`.
    pub total_time_ms: Option<u32>,
    /// `turn_around_time_ms`.
    pub turn_around_time_ms: Option<u32>,
    /// `acl_required` (`Yes` true, `-` false, absent from the line `None`).
    pub acl_required: Option<bool>,
}

fn field_error(field: S3Field, kind: ErrorKind, detail: &'static str) -> Error {
    Error::new(kind)
        .with_format(FORMAT_LABEL)
        .with_field(field.name())
        .with_detail(detail)
}

fn missing(field: S3Field) -> Error {
    field_error(
        field,
        ErrorKind::MissingField,
        "the line ended before this field",
    )
}

fn take(c: &mut FieldCursor<'_>, field: S3Field) -> Result<Span> {
    c.next_field().ok_or_else(|| missing(field))
}

/// Whether the rest of the line starts with a quoted field or a bare `-` field.
fn starts_quoted_or_dash(c: &FieldCursor<'_>) -> bool {
    let rest = c.rest();
    rest.first() == Some(&b'"') || rest == b"-" || rest.starts_with(b"- ")
}

fn is_dash_or_digits(bytes: &[u8]) -> bool {
    is_dash(bytes) || (!bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit))
}

/// `REST.GET.OBJECT`, `S3.EXPIRE.OBJECT`, `BATCH.DELETE.OBJECT`, `REST.COPY.OBJECT_GET`, ...
fn looks_like_operation(bytes: &[u8]) -> bool {
    bytes.len() >= 3
        && bytes[0].is_ascii_uppercase()
        && bytes.contains(&b'.')
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

fn looks_like_signature_version(bytes: &[u8]) -> bool {
    is_dash(bytes) || bytes.starts_with(b"SigV")
}

/// Rejects a quoted value whose closing quote is doubled (`"…452""`); a backslash-escaped
/// quote before the closing one (`"…\"x\""`) is kept as logged.
fn check_closing_quote(line: &[u8], open: usize, close: usize, field: S3Field) -> Result<()> {
    let doubled = close > open + 1 && line[close - 1] == b'"';
    let escaped = close > open + 2 && line[close - 2] == b'\\';
    if doubled && !escaped {
        return Err(field_error(
            field,
            ErrorKind::InvalidQuoting,
            "doubled quote before the closing quote",
        ));
    }
    Ok(())
}

/// Ends a quoted field at `close` (the offset of its closing quote) and returns the span inside
/// the quotes.
fn end_quoted(c: &mut FieldCursor<'_>, open: usize, close: usize, field: S3Field) -> Result<Span> {
    check_closing_quote(c.line(), open, close, field)?;
    c.advance_to(close + 1);
    Ok(Span::new(open + 1, close))
}

/// A quoted field's position must hold `"…"` or a bare `-`. Returns the bare `-` span, or the
/// offset of the opening quote.
fn open_quoted(
    c: &mut FieldCursor<'_>,
    field: S3Field,
) -> Result<std::result::Result<Span, usize>> {
    if c.is_done() {
        return Err(missing(field));
    }
    let rest = c.rest();
    if rest == b"-" || rest.starts_with(b"- ") {
        return Ok(Ok(take(c, field)?));
    }
    if rest.first() != Some(&b'"') {
        return Err(field_error(
            field,
            ErrorKind::InvalidQuoting,
            "expected a quoted value or '-'",
        ));
    }
    Ok(Err(c.pos()))
}

fn unterminated(field: S3Field) -> Error {
    field_error(
        field,
        ErrorKind::InvalidQuoting,
        "unterminated quoted value",
    )
}

impl<'a> S3Record<'a> {
    /// Splits one line (without its line terminator) into fields.
    ///
    /// Only the structure is checked here (enough fields, quoting, the bracketed time's
    /// brackets); values are checked by the typed accessors and [`S3Record::values`].
    /// Lines of 4 GiB or more are an [`ErrorKind::LineTooLong`] error.
    pub fn parse(line: &'a [u8]) -> Result<Self> {
        if u32::try_from(line.len()).is_err() {
            return Err(Error::new(ErrorKind::LineTooLong)
                .with_format(FORMAT_LABEL)
                .with_detail("lines of 4 GiB or more are not supported"));
        }
        let line = trim_end_spaces(line);
        let mut spans = [Span::default(); 28];
        let mut c = FieldCursor::new(line, b' ');
        spans[S3Field::BucketOwner.index()] = take(&mut c, S3Field::BucketOwner)?;
        spans[S3Field::Bucket.index()] = take(&mut c, S3Field::Bucket)?;
        spans[S3Field::Time.index()] = take_time(&mut c)?;
        spans[S3Field::RemoteIp.index()] = take(&mut c, S3Field::RemoteIp)?;
        take_requester_block(&mut c, &mut spans)?;
        let (uri, uri_anchored) = take_request_uri(&mut c)?;
        spans[S3Field::RequestUri.index()] = uri;
        let middle = take_middle(&mut c, &mut spans);
        if let Err(err) = middle {
            // Without the anchor, the Request-URI's end was a guess; a structural error after
            // it most likely comes from that guess.
            return Err(if uri_anchored {
                err
            } else {
                field_error(
                    S3Field::RequestUri,
                    ErrorKind::InvalidQuoting,
                    "no closing quote followed by the fields that come after the Request-URI",
                )
            });
        }

        let mut known = S3Field::REQUIRED;
        if let Some(span) = c.next_field() {
            spans[S3Field::VersionId.index()] = span;
            known += 1;
            let mut peek = c;
            let _host_id = peek.next_field();
            let extended = peek
                .next_field()
                .is_none_or(|sig| looks_like_signature_version(sig.get(line)));
            if extended {
                while known < S3Field::KNOWN {
                    let Some(span) = c.next_field() else { break };
                    spans[known] = span;
                    known += 1;
                }
            }
        }
        let has_trailing = !c.is_done();
        if has_trailing {
            spans[S3Field::TrailingFields.index()] = Span::new(c.pos(), line.len());
        }
        Ok(S3Record {
            line,
            spans,
            known: known as u8,
            has_trailing,
        })
    }

    /// The line this record borrows (without trailing spaces).
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// Number of fields on the line: known fields present plus the words in `trailing_fields`.
    pub fn field_count(&self) -> usize {
        let trailing = match self.trailing_fields() {
            Some(t) => memchr_iter(b' ', t).count() + 1,
            None => 0,
        };
        usize::from(self.known) + trailing
    }

    /// Whether the line has this field (old lines stop early).
    pub fn has(&self, field: S3Field) -> bool {
        match field {
            S3Field::TrailingFields => self.has_trailing,
            f => f.index() < usize::from(self.known),
        }
    }

    /// The field as logged, without the quotes of quoted fields; `None` when the line has no
    /// such field. `-` is returned as `-`.
    #[inline]
    pub fn raw(&self, field: S3Field) -> Option<&'a [u8]> {
        self.has(field)
            .then(|| self.spans[field.index()].get(self.line))
    }

    /// The span of a field within [`S3Record::line`], when the line has the field.
    pub fn span(&self, field: S3Field) -> Option<Span> {
        self.has(field).then(|| self.spans[field.index()])
    }

    /// A text field's value: `None` when absent or `-` (bare or quoted). `trailing_fields` is
    /// returned as logged, even when it is `-`.
    #[inline]
    pub fn text(&self, field: S3Field) -> Option<&'a [u8]> {
        self.text_span(field).map(|span| span.get(self.line))
    }

    /// The span of a text field's value: `None` when absent or `-` (see [`S3Record::text`]).
    #[inline]
    pub(crate) fn text_span(&self, field: S3Field) -> Option<Span> {
        let span = self.span(field)?;
        if field != S3Field::TrailingFields && is_dash(span.get(self.line)) {
            None
        } else {
            Some(span)
        }
    }

    fn typed<T>(
        &self,
        field: S3Field,
        parse: impl FnOnce(&[u8]) -> std::result::Result<T, super::values::ValueError>,
    ) -> Result<Option<T>> {
        match self.raw(field) {
            None => Ok(None),
            Some(raw) => parse(raw)
                .map(Some)
                .map_err(|(kind, detail)| field_error(field, kind, detail)),
        }
    }

    /// `time` in milliseconds since the Unix epoch (UTC, the logged offset applied).
    pub fn time(&self) -> Result<Option<i64>> {
        Ok(self.typed(S3Field::Time, parse_time)?.flatten())
    }

    /// `http_status`.
    pub fn http_status(&self) -> Result<Option<u16>> {
        let v = self.typed(S3Field::HttpStatus, |b| parse_uint(b, u64::from(u16::MAX)))?;
        Ok(v.flatten().map(|v| v as u16))
    }

    /// `bytes_sent`; `-` means 0.
    pub fn bytes_sent(&self) -> Result<u64> {
        let v = self.typed(S3Field::BytesSent, |b| parse_uint(b, u64::MAX))?;
        Ok(v.flatten().unwrap_or(0))
    }

    /// `object_size`.
    pub fn object_size(&self) -> Result<Option<u64>> {
        Ok(self
            .typed(S3Field::ObjectSize, |b| parse_uint(b, u64::MAX))?
            .flatten())
    }

    fn millis(&self, field: S3Field) -> Result<Option<u32>> {
        let v = self.typed(field, |b| parse_uint(b, u64::from(u32::MAX)))?;
        Ok(v.flatten().map(|v| v as u32))
    }

    /// `total_time_ms`.
    pub fn total_time_ms(&self) -> Result<Option<u32>> {
        self.millis(S3Field::TotalTimeMs)
    }

    /// `turn_around_time_ms`.
    pub fn turn_around_time_ms(&self) -> Result<Option<u32>> {
        self.millis(S3Field::TurnAroundTimeMs)
    }

    /// `acl_required`: `Yes` true, `-` false, `None` when the line has no such field.
    pub fn acl_required(&self) -> Result<Option<bool>> {
        self.typed(S3Field::AclRequired, parse_acl_required)
    }

    /// Unknown fields after the last known one, as logged.
    pub fn trailing_fields(&self) -> Option<&'a [u8]> {
        self.raw(S3Field::TrailingFields)
    }

    /// Parses every typed field, failing on the first invalid one (in log order).
    pub fn values(&self) -> Result<S3Values> {
        Ok(S3Values {
            time: self.time()?,
            http_status: self.http_status()?,
            bytes_sent: self.bytes_sent()?,
            object_size: self.object_size()?,
            total_time_ms: self.total_time_ms()?,
            turn_around_time_ms: self.turn_around_time_ms()?,
            acl_required: self.acl_required()?,
        })
    }
}

fn trim_end_spaces(line: &[u8]) -> &[u8] {
    let end = line.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
    &line[..end]
}

/// `[06/Feb/2019:00:00:38 +0000]` → the span inside the brackets; anything else is one word.
fn take_time(c: &mut FieldCursor<'_>) -> Result<Span> {
    if c.rest().first() != Some(&b'[') {
        return take(c, S3Field::Time);
    }
    let line = c.line();
    let open = c.pos();
    let Some(close) = memchr::memchr(b']', &line[open..]).map(|i| open + i) else {
        return Err(field_error(
            S3Field::Time,
            ErrorKind::InvalidTimestamp,
            "unterminated '['",
        ));
    };
    if close + 1 < line.len() && line[close + 1] != b' ' {
        return Err(field_error(
            S3Field::Time,
            ErrorKind::InvalidTimestamp,
            "expected a space after ']'",
        ));
    }
    c.advance_to(close + 1);
    Ok(Span::new(open + 1, close))
}

/// Requester, Request ID, Operation and Key.
///
/// Readings are tried in order: the CloudFront origin access identity form (five words), then
/// one, two, ... words. A reading fits when the operation looks like one (or is `-`, for the
/// one-word reading) and the word after the key opens a quoted Request-URI or is `-`.
fn take_requester_block(c: &mut FieldCursor<'_>, spans: &mut [Span; 28]) -> Result<()> {
    let oai = c.rest().starts_with(OAI_PREFIX.as_bytes());
    let readings = oai
        .then_some((OAI_EXTRA_WORDS, false))
        .into_iter()
        .chain(std::iter::once((0, true)))
        .chain((1..=MAX_REQUESTER_EXTRA_WORDS).map(|extra| (extra, true)));
    for (extra, needs_operation) in readings {
        if let Some(t) = requester_reading(c, spans, extra, needs_operation) {
            *c = t;
            return Ok(());
        }
    }
    // No reading fits: take one word each, so that the error names the field where the line
    // stops making sense.
    for field in [
        S3Field::Requester,
        S3Field::RequestId,
        S3Field::Operation,
        S3Field::Key,
    ] {
        spans[field.index()] = take(c, field)?;
    }
    Ok(())
}

/// The requester of a CloudFront origin access identity: `… Origin Access Identity E2EXAMPLE`.
const OAI_PREFIX: &str = "arn:aws:iam::cloudfront:user/CloudFront ";
const OAI_EXTRA_WORDS: usize = 4;

/// Tries the reading in which the requester has `extra` more words; on success the spans are
/// set and the advanced cursor is returned.
fn requester_reading<'a>(
    c: &FieldCursor<'a>,
    spans: &mut [Span; 28],
    extra: usize,
    needs_operation: bool,
) -> Option<FieldCursor<'a>> {
    let mut t = *c;
    let start = c.pos();
    let mut end = start;
    for _ in 0..=extra {
        end = t.next_field()?.end as usize;
    }
    let (id, op, key) = (t.next_field()?, t.next_field()?, t.next_field()?);
    let op_text = op.get(t.line());
    let op_fits = match (needs_operation, extra) {
        (false, _) => true,
        (true, 0) => is_dash(op_text) || looks_like_operation(op_text),
        (true, _) => looks_like_operation(op_text),
    };
    if !(op_fits && !t.is_done() && starts_quoted_or_dash(&t)) {
        return None;
    }
    spans[S3Field::Requester.index()] = Span::new(start, end);
    spans[S3Field::RequestId.index()] = id;
    spans[S3Field::Operation.index()] = op;
    spans[S3Field::Key.index()] = key;
    Some(t)
}

/// After a Request-URI: status, error code, four integers (or `-`), then a quoted field or `-`.
fn request_uri_followers_fit(mut t: FieldCursor<'_>) -> bool {
    let line = t.line();
    match t.next_field() {
        Some(status) if is_dash_or_digits(status.get(line)) => {}
        _ => return false,
    }
    if t.next_field().is_none() {
        return false;
    }
    for _ in 0..4 {
        match t.next_field() {
            Some(n) if is_dash_or_digits(n.get(line)) => {}
            _ => return false,
        }
    }
    !t.is_done() && starts_quoted_or_dash(&t)
}

/// Status through User-Agent.
fn take_middle(c: &mut FieldCursor<'_>, spans: &mut [Span; 28]) -> Result<()> {
    let plain_words = S3Field::HttpStatus.index()..=S3Field::TurnAroundTimeMs.index();
    for field in &S3Field::ALL[plain_words] {
        spans[field.index()] = take(c, *field)?;
    }
    spans[S3Field::Referer.index()] = take_referer(c)?;
    spans[S3Field::UserAgent.index()] = take_user_agent(c)?;
    Ok(())
}

/// The Request-URI span, and whether its end was confirmed by the fields after it.
fn take_request_uri(c: &mut FieldCursor<'_>) -> Result<(Span, bool)> {
    let field = S3Field::RequestUri;
    let open = match open_quoted(c, field)? {
        Ok(dash) => return Ok((dash, true)),
        Err(open) => open,
    };
    let line = c.line();
    let mut fallback = None;
    for q in memchr_iter(b'"', &line[open + 1..]).map(|i| open + 1 + i) {
        if q + 1 == line.len() {
            fallback.get_or_insert(q);
        } else if line[q + 1] == b' ' {
            fallback.get_or_insert(q);
            let mut t = *c;
            t.advance_to(q + 1);
            if request_uri_followers_fit(t) {
                return Ok((end_quoted(c, open, q, field)?, true));
            }
        }
    }
    match fallback {
        Some(q) => Ok((end_quoted(c, open, q, field)?, false)),
        None => Err(unterminated(field)),
    }
}

fn take_referer(c: &mut FieldCursor<'_>) -> Result<Span> {
    let field = S3Field::Referer;
    let open = match open_quoted(c, field)? {
        Ok(dash) => return Ok(dash),
        Err(open) => open,
    };
    let line = c.line();
    let last_quote = memrchr(b'"', line).unwrap_or(open);
    let mut fallback = None;
    for q in memchr_iter(b'"', &line[open + 1..]).map(|i| open + 1 + i) {
        let after = &line[q + 1..];
        let quoted_ua_follows = after.starts_with(b" \"") && q + 2 < last_quote;
        let dash_ua_follows = q == last_quote && (after == b" -" || after.starts_with(b" - "));
        if quoted_ua_follows || dash_ua_follows {
            return end_quoted(c, open, q, field);
        }
        if after.is_empty() || after[0] == b' ' {
            fallback.get_or_insert(q);
        }
    }
    match fallback {
        Some(q) => end_quoted(c, open, q, field),
        None => Err(unterminated(field)),
    }
}

fn take_user_agent(c: &mut FieldCursor<'_>) -> Result<Span> {
    let field = S3Field::UserAgent;
    let open = match open_quoted(c, field)? {
        Ok(dash) => return Ok(dash),
        Err(open) => open,
    };
    let line = c.line();
    let closes = |q: usize| q + 1 == line.len() || line[q + 1] == b' ';
    let close = match memrchr(b'"', line) {
        Some(q) if q > open && closes(q) => Some(q),
        _ => memchr_iter(b'"', &line[open + 1..])
            .map(|i| open + 1 + i)
            .find(|&q| closes(q)),
    };
    match close {
        Some(q) => end_quoted(c, open, q, field),
        None => Err(unterminated(field)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> S3Record<'_> {
        S3Record::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    fn text<'a>(r: &S3Record<'a>, f: S3Field) -> Option<&'a str> {
        r.text(f).map(|b| std::str::from_utf8(b).unwrap())
    }

    const HEAD: &str = "o b [06/Feb/2019:00:00:38 +0000] 192.0.2.3";

    #[test]
    fn inner_quotes_in_request_uri_referer_and_user_agent() {
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET /\" HTTP/1.1\" 200 - 1 1 1 1 \"http://x/\"a\" b\" \"UA \"q\" z\" -"
        );
        let r = parse(&line);
        assert_eq!(text(&r, S3Field::RequestUri), Some("GET /\" HTTP/1.1"));
        assert_eq!(text(&r, S3Field::Referer), Some("http://x/\"a\" b"));
        assert_eq!(text(&r, S3Field::UserAgent), Some("UA \"q\" z"));
        assert_eq!(r.field_count(), 18);
    }

    #[test]
    fn doubled_closing_quote_is_rejected() {
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"http://x?id=1\"\" \"UA\" -"
        );
        let err = S3Record::parse(line.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidQuoting);
        assert_eq!(err.field(), Some("referer"));
    }

    #[test]
    fn escaped_quote_before_closing_quote_is_kept() {
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"Mozilla \\\"x\\\"\" -"
        );
        let r = parse(&line);
        assert_eq!(text(&r, S3Field::UserAgent), Some("Mozilla \\\"x\\\""));
    }

    #[test]
    fn requester_with_spaces_other_than_oai() {
        let line =
            format!("{HEAD} X Y ID REST.GET.BUCKET - \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\"");
        let r = parse(&line);
        assert_eq!(text(&r, S3Field::Requester), Some("X Y"));
        assert_eq!(text(&r, S3Field::Operation), Some("REST.GET.BUCKET"));
        assert_eq!(r.text(S3Field::Key), None);
    }

    #[test]
    fn bare_dash_quoted_fields() {
        let line = format!("{HEAD} - ID BATCH.DELETE.OBJECT k - 204 - - 5 - - - - -");
        let r = parse(&line);
        assert_eq!(r.raw(S3Field::RequestUri), Some(&b"-"[..]));
        assert_eq!(r.text(S3Field::Referer), None);
        assert_eq!(r.text(S3Field::UserAgent), None);
        assert_eq!(r.text(S3Field::VersionId), None);
        assert!(r.has(S3Field::VersionId));
        assert_eq!(r.field_count(), 18);
    }

    #[test]
    fn quoted_referer_then_dash_user_agent() {
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"http://r\" - v"
        );
        let r = parse(&line);
        assert_eq!(text(&r, S3Field::Referer), Some("http://r"));
        assert_eq!(r.text(S3Field::UserAgent), None);
        assert_eq!(text(&r, S3Field::VersionId), Some("v"));
    }

    #[test]
    fn requester_with_spaces_and_dash_key() {
        let line = format!(
            "{HEAD} arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EX ID REST.GET.OBJECT - \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\""
        );
        let r = parse(&line);
        assert_eq!(
            text(&r, S3Field::Requester),
            Some("arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EX")
        );
        assert_eq!(text(&r, S3Field::RequestId), Some("ID"));
        assert_eq!(text(&r, S3Field::Operation), Some("REST.GET.OBJECT"));
        assert_eq!(r.text(S3Field::Key), None);
        assert_eq!(r.field_count(), 17);
    }

    #[test]
    fn unknown_block_after_version_id_is_trailing() {
        let line = format!(
            "{HEAD} - ID REST.HEAD.OBJECT k \"HEAD /k HTTP/1.1\" 200 - - 4 9 - \"-\" \"-\" - any other fields"
        );
        let r = parse(&line);
        assert_eq!(r.text(S3Field::HostId), None);
        assert!(!r.has(S3Field::HostId));
        assert_eq!(text(&r, S3Field::TrailingFields), Some("any other fields"));
        assert_eq!(r.field_count(), 21);
    }

    #[test]
    fn fields_after_source_region_are_trailing() {
        let line = format!(
            "{HEAD} - ID REST.HEAD.OBJECT k \"HEAD /k HTTP/1.1\" 200 - - 4 9 - \"-\" \"-\" - h SigV4 c AuthHeader host TLSv1.3 - - eu-west-1 new1 new2"
        );
        let r = parse(&line);
        assert_eq!(text(&r, S3Field::SourceRegion), Some("eu-west-1"));
        assert_eq!(r.acl_required().unwrap(), Some(false));
        assert_eq!(text(&r, S3Field::TrailingFields), Some("new1 new2"));
        assert_eq!(r.field_count(), 29);
    }

    #[test]
    fn missing_fields_name_the_field() {
        let err = S3Record::parse(b"bad match").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingField);
        assert_eq!(err.field(), Some("time"));
        let err = S3Record::parse(b"o b - 1.2.3.4").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingField);
        assert_eq!(err.field(), Some("requester"));
        let line = format!("{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"-\"");
        let err = S3Record::parse(line.as_bytes()).unwrap_err();
        assert_eq!(err.field(), Some("user_agent"));
        assert_eq!(err.kind(), ErrorKind::MissingField);
    }
}
