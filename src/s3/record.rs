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
//! * **Request-URI** is quoted (or bare `-`) and inner quotes are not escaped. A *reading* closes
//!   it at a `"` followed by a space (or the end of the line) after which come a status, an error
//!   code, four integers (or `-`) and a quoted field (or `-`), and the rest of the line splits up
//!   to the User-Agent. The first reading is taken; a later reading that also splits makes the
//!   line ambiguous ([`ErrorKind::InvalidQuoting`], naming both), except that a reading followed
//!   by a bare `-` Referer never competes with one followed by a quoted Referer (a quoted
//!   Request-URI comes with quoted Referer and User-Agent). When no quote fits, it closes at the
//!   first `"` followed by a space, and a line that then fails to split is rejected as
//!   [`ErrorKind::InvalidQuoting`] on `request_uri`.
//! * **Referer** closes at a `"` followed by ` "` (a quoted User-Agent follows, which closes at
//!   the last quote of the line); two such quotes are two readings, and the line is rejected as
//!   ambiguous, naming both. Without one, it closes at the last quote of the line when a bare `-`
//!   User-Agent follows.
//! * **User-Agent** closes at the last `"` of the line: the fields after it never contain quotes.
//! * A value may end in literal quotes (`"…Safari/604.1""` is the value `…Safari/604.1"`): only a
//!   quote followed by a space can close a value, so the last quote of a run closes it. A
//!   backslash-escaped quote (`"agent \"x\""`) is kept as logged.
//! * After the User-Agent come Version Id and, from 2019 on, the *optional trailing fields*
//!   Host Id, Signature Version, …, Source Region. The fields up to Version Id are *core*: a bad
//!   value there rejects the line. The optional trailing fields never reject it:
//!   * the 2019 block (Host Id … TLS version) is recognised by its Signature Version; when that
//!     word is neither `-` nor `SigV…`, the line is an 18-field line followed by fields this
//!     crate does not know, and the words after Version Id are all kept in `trailing_fields`
//!     (AWS asks parsers to keep trailing fields they do not understand);
//!   * in a recognised block, a word that does not fit its position (an Access Point ARN that
//!     is neither `-` nor `arn:…`, aclRequired neither `Yes` nor `-`, a Source Region that is
//!     not a Region code) ends the known fields there: that field and the ones after it are
//!     absent (null), the words from it on are kept as logged in `trailing_fields`, and the
//!     record carries a [`S3Record::repair`] naming the field and why (the decoder records the
//!     line as repaired);
//!   * words after Source Region are kept in `trailing_fields`.

use memchr::{memchr_iter, memrchr};

use crate::error::{Error, ErrorKind, Result};
use crate::raw::{FieldCursor, Span};

use super::fields::S3Field;
use super::values::{parse_acl_required, parse_time};
use crate::values::{I16_MAX, I32_MAX, I64_MAX, ValueError, is_dash, parse_uint};

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
    /// The optional trailing field whose word did not fit, when one did not.
    repair: Option<Repair>,
}

/// Why the words from an optional trailing field on were kept in `trailing_fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Repair {
    field: S3Field,
    kind: ErrorKind,
    detail: &'static str,
}

/// The typed (non-text) values of one record, all parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct S3Values {
    /// `time` in milliseconds since the Unix epoch, UTC.
    pub time: Option<i64>,
    /// `http_status`.
    pub http_status: Option<i16>,
    /// `bytes_sent` (`-` is 0).
    pub bytes_sent: i64,
    /// `object_size`.
    pub object_size: Option<i64>,
    /// `total_time_ms`.
    pub total_time_ms: Option<i32>,
    /// `turn_around_time_ms`.
    pub turn_around_time_ms: Option<i32>,
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

/// `arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP` (any partition) or `-`.
fn looks_like_arn_or_dash(bytes: &[u8]) -> bool {
    is_dash(bytes) || bytes.starts_with(b"arn:")
}

/// A Region code (`us-east-1`, `us-gov-west-1`, `cn-north-1`) or `-`.
fn looks_like_region_or_dash(bytes: &[u8]) -> bool {
    is_dash(bytes)
        || (bytes.first().is_some_and(u8::is_ascii_lowercase)
            && bytes.contains(&b'-')
            && bytes
                .iter()
                .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
}

/// The first of Access Point ARN, aclRequired and Source Region (among the `known` fields)
/// whose word does not fit its position, with why.
#[inline]
fn misfit_trailing_field(
    line: &[u8],
    spans: &[Span; 28],
    known: usize,
) -> Option<(S3Field, ErrorKind, &'static str)> {
    let word = |field: S3Field| spans[field.index()].get(line);
    if known > S3Field::AccessPointArn.index()
        && !looks_like_arn_or_dash(word(S3Field::AccessPointArn))
    {
        return Some((
            S3Field::AccessPointArn,
            ErrorKind::InvalidValue,
            "expected an ARN ('arn:…') or '-'; the words from here on are kept in trailing_fields",
        ));
    }
    if known > S3Field::AclRequired.index()
        && parse_acl_required(word(S3Field::AclRequired)).is_err()
    {
        return Some((
            S3Field::AclRequired,
            ErrorKind::InvalidBoolean,
            "expected 'Yes' or '-'; the words from here on are kept in trailing_fields",
        ));
    }
    if known > S3Field::SourceRegion.index()
        && !looks_like_region_or_dash(word(S3Field::SourceRegion))
    {
        return Some((
            S3Field::SourceRegion,
            ErrorKind::InvalidValue,
            "expected a Region code or '-'; the words from here on are kept in trailing_fields",
        ));
    }
    None
}

fn looks_like_signature_version(bytes: &[u8]) -> bool {
    is_dash(bytes) || bytes.starts_with(b"SigV")
}

/// Ends a quoted field at `close` (the offset of its closing quote) and returns the span inside
/// the quotes.
fn end_quoted(c: &mut FieldCursor<'_>, open: usize, close: usize) -> Span {
    c.advance_to(close + 1);
    Span::new(open + 1, close)
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

/// Two closing quotes for `field` both split the line.
fn ambiguous(field: S3Field, first: usize, second: usize) -> Error {
    Error::new(ErrorKind::InvalidQuoting)
        .with_format(FORMAT_LABEL)
        .with_field(field.name())
        .with_detail(format!(
            "ambiguous: the line splits with the value closed by the quote at byte {first} of the \
             line and also by the quote at byte {second}"
        ))
}

/// Whether `err` is an [`ambiguous`] error.
fn is_ambiguity(err: &Error) -> bool {
    err.kind() == ErrorKind::InvalidQuoting
        && err.detail().is_some_and(|d| d.starts_with("ambiguous"))
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
        take_request_uri_to_user_agent(&mut c, &mut spans)?;

        let mut known = S3Field::REQUIRED;
        let mut repair = None;
        let mut trailing_start = None;
        if let Some(span) = c.next_field() {
            spans[S3Field::VersionId.index()] = span;
            known += 1;
            let mut peek = c;
            let _host_id = peek.next_field();
            match peek.next_field() {
                // Not the 2019 block: an 18-field line followed by fields this crate does not
                // know, kept as they are.
                Some(sig) if !looks_like_signature_version(sig.get(line)) => {}
                _ => {
                    while known < S3Field::KNOWN {
                        let Some(span) = c.next_field() else { break };
                        spans[known] = span;
                        known += 1;
                    }
                    if let Some((field, kind, detail)) = misfit_trailing_field(line, &spans, known)
                    {
                        trailing_start = Some(spans[field.index()].start as usize);
                        known = field.index();
                        repair = Some(Repair {
                            field,
                            kind,
                            detail,
                        });
                    }
                }
            }
        }
        let trailing_start = trailing_start.unwrap_or(c.pos());
        let has_trailing = trailing_start < line.len();
        if has_trailing {
            spans[S3Field::TrailingFields.index()] = Span::new(trailing_start, line.len());
        }
        Ok(S3Record {
            line,
            spans,
            known: known as u8,
            has_trailing,
            repair,
        })
    }

    /// When a word in an optional trailing field's position did not fit it, why: an error
    /// naming the field (kind [`ErrorKind::InvalidValue`] or [`ErrorKind::InvalidBoolean`]).
    /// That field and the ones after it are then absent, and the words from it on are kept in
    /// `trailing_fields`; the row is kept. `None` for a line whose fields all fit.
    ///
    /// ```
    /// use aws_access_logs::s3::{S3Field, S3Record};
    ///
    /// let line = br#"79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57 REST.GET.OBJECT k "GET /k HTTP/1.1" 200 - 113 113 7 6 "-" "curl/8.0" - host+id= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader bucket1.s3.us-west-1.amazonaws.com TLSv1.2 test1 test2"#;
    /// let record = S3Record::parse(line).unwrap();
    /// assert_eq!(record.repair().unwrap().field(), Some("access_point_arn"));
    /// assert!(!record.has(S3Field::AccessPointArn));
    /// assert_eq!(record.trailing_fields(), Some(&b"test1 test2"[..]));
    /// assert_eq!(record.acl_required().unwrap(), None);
    /// ```
    pub fn repair(&self) -> Option<Error> {
        self.repair.map(|r| field_error(r.field, r.kind, r.detail))
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
        parse: impl FnOnce(&[u8]) -> std::result::Result<T, ValueError>,
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
    pub fn http_status(&self) -> Result<Option<i16>> {
        let v = self.typed(S3Field::HttpStatus, |b| parse_uint(b, I16_MAX))?;
        Ok(v.flatten().map(|v| v as i16))
    }

    /// `bytes_sent`; `-` means 0.
    pub fn bytes_sent(&self) -> Result<i64> {
        let v = self.typed(S3Field::BytesSent, |b| parse_uint(b, I64_MAX))?;
        Ok(v.flatten().map_or(0, |v| v as i64))
    }

    /// `object_size`.
    pub fn object_size(&self) -> Result<Option<i64>> {
        let v = self.typed(S3Field::ObjectSize, |b| parse_uint(b, I64_MAX))?;
        Ok(v.flatten().map(|v| v as i64))
    }

    fn millis(&self, field: S3Field) -> Result<Option<i32>> {
        let v = self.typed(field, |b| parse_uint(b, I32_MAX))?;
        Ok(v.flatten().map(|v| v as i32))
    }

    /// `total_time_ms`.
    pub fn total_time_ms(&self) -> Result<Option<i32>> {
        self.millis(S3Field::TotalTimeMs)
    }

    /// `turn_around_time_ms`.
    pub fn turn_around_time_ms(&self) -> Result<Option<i32>> {
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
/// Returns whether that field (the Referer) is quoted, when they fit.
fn request_uri_followers_fit(mut t: FieldCursor<'_>) -> Option<bool> {
    let line = t.line();
    match t.next_field() {
        Some(status) if is_dash_or_digits(status.get(line)) => {}
        _ => return None,
    }
    t.next_field()?;
    for _ in 0..4 {
        match t.next_field() {
            Some(n) if is_dash_or_digits(n.get(line)) => {}
            _ => return None,
        }
    }
    if t.is_done() || !starts_quoted_or_dash(&t) {
        return None;
    }
    Some(t.rest().first() == Some(&b'"'))
}

/// Status through User-Agent. Returns whether another reading of the Request-URI could still
/// split the line: `false` when no quote after the Request-URI but the Referer's closing one
/// and the last one of the line is followed by a space (then no later quote can close the
/// Request-URI with a quoted Referer after it).
fn take_middle(c: &mut FieldCursor<'_>, spans: &mut [Span; 28]) -> Result<bool> {
    let plain_words = S3Field::HttpStatus.index()..=S3Field::TurnAroundTimeMs.index();
    for field in &S3Field::ALL[plain_words] {
        spans[field.index()] = take(c, *field)?;
    }
    let error_code_quote = spans[S3Field::ErrorCode.index()].get(c.line()).last() == Some(&b'"');
    let (referer, spaced_quotes) = take_referer(c)?;
    spans[S3Field::Referer.index()] = referer;
    spans[S3Field::UserAgent.index()] = take_user_agent(c)?;
    Ok(error_code_quote || spaced_quotes)
}

/// A reading of the Request-URI that split the line up to the User-Agent.
struct UriReading<'a> {
    close: usize,
    quoted_referer: bool,
    after: FieldCursor<'a>,
}

/// Request-URI through User-Agent: every reading of the Request-URI's closing quote is tried
/// (see the module docs); the first that splits is kept, and a second one is an ambiguity.
fn take_request_uri_to_user_agent(c: &mut FieldCursor<'_>, spans: &mut [Span; 28]) -> Result<()> {
    let field = S3Field::RequestUri;
    let open = match open_quoted(c, field)? {
        Ok(dash) => {
            spans[field.index()] = dash;
            return take_middle(c, spans).map(|_| ());
        }
        Err(open) => open,
    };
    let line = c.line();
    let mut fallback = None;
    let mut chosen: Option<UriReading<'_>> = None;
    let mut first_error = None;
    // The first reading after which the rest of the line splits two ways, with that error.
    let mut split_twice: Option<(usize, Error)> = None;
    // Where later readings are split, only to tell whether they also fit.
    let mut scratch = None;
    for q in memchr_iter(b'"', &line[open + 1..]).map(|i| open + 1 + i) {
        if q + 1 < line.len() && line[q + 1] != b' ' {
            continue;
        }
        fallback.get_or_insert(q);
        let mut t = *c;
        t.advance_to(q + 1);
        let Some(quoted_referer) = request_uri_followers_fit(t) else {
            continue;
        };
        // A quoted Request-URI comes with a quoted Referer: a later reading followed by a bare
        // `-` does not compete with one followed by a quoted Referer.
        if chosen
            .as_ref()
            .is_some_and(|r| r.quoted_referer && !quoted_referer)
        {
            continue;
        }
        let target = if chosen.is_none() {
            &mut *spans
        } else {
            scratch.get_or_insert([Span::default(); 28])
        };
        match take_middle(&mut t, target) {
            Ok(more) => match (&chosen, &split_twice) {
                (None, None) => {
                    chosen = Some(UriReading {
                        close: q,
                        quoted_referer,
                        after: t,
                    });
                    if quoted_referer && !more {
                        break;
                    }
                }
                (Some(first), _) => return Err(ambiguous(field, first.close, q)),
                (None, Some((first, _))) => return Err(ambiguous(field, *first, q)),
            },
            // This reading splits the rest of the line two ways: it counts as a valid reading.
            Err(err) if is_ambiguity(&err) => match &chosen {
                Some(first) => return Err(ambiguous(field, first.close, q)),
                None => {
                    split_twice.get_or_insert((q, err));
                }
            },
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    if let Some((_, err)) = split_twice {
        return Err(err);
    }
    if let Some(reading) = chosen {
        spans[field.index()] = Span::new(open + 1, reading.close);
        *c = reading.after;
        return Ok(());
    }
    if let Some(err) = first_error {
        return Err(err);
    }
    let Some(q) = fallback else {
        return Err(unterminated(field));
    };
    // No quote is followed by the fields that come after a Request-URI: close at the first
    // candidate, so that a line whose fields only have bad values (a status that is not a
    // number) is rejected for that value; a structural error after it most likely comes from
    // this guess.
    spans[field.index()] = end_quoted(c, open, q);
    take_middle(c, spans).map(|_| ()).map_err(|_| {
        field_error(
            field,
            ErrorKind::InvalidQuoting,
            "no closing quote followed by the fields that come after the Request-URI",
        )
    })
}

/// The Referer, and whether a quote other than its closing one and the last one of the line is
/// followed by a space (in the Referer or the User-Agent; always `true` for a bare `-`).
fn take_referer(c: &mut FieldCursor<'_>) -> Result<(Span, bool)> {
    let field = S3Field::Referer;
    let open = match open_quoted(c, field)? {
        Ok(dash) => return Ok((dash, true)),
        Err(open) => open,
    };
    let line = c.line();
    let last_quote = memrchr(b'"', line).unwrap_or(open);
    let mut chosen = None;
    let mut fallback = None;
    let mut spaced = usize::from(line.get(open + 1) == Some(&b' '));
    for q in memchr_iter(b'"', &line[open + 1..last_quote + 1]).map(|i| open + 1 + i) {
        let after = &line[q + 1..];
        if after.starts_with(b" \"") && q + 2 < last_quote {
            // A quoted User-Agent follows, closed by the last quote.
            match chosen {
                None => chosen = Some(q),
                Some(first) => return Err(ambiguous(field, first, q)),
            }
        } else if chosen.is_none()
            && q == last_quote
            && (after == b" -" || after.starts_with(b" - "))
        {
            // A bare `-` User-Agent follows (no quote after it).
            chosen = Some(q);
        }
        if after.is_empty() || after[0] == b' ' {
            fallback.get_or_insert(q);
            if q != last_quote {
                spaced += 1;
            }
        }
    }
    let Some(q) = chosen.or(fallback) else {
        return Err(unterminated(field));
    };
    // The closing quote is one of those counted unless it is the last one of the line.
    let others = spaced - usize::from(q != last_quote);
    Ok((end_quoted(c, open, q), others > 0))
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
        Some(q) => Ok(end_quoted(c, open, q)),
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
    fn values_ending_in_literal_quotes_are_kept() {
        // aws-samples/siem-on-amazon-opensearch-service#34: a user agent ending in a quote.
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT aaa/f.txt \"GET /p/f.txt HTTP/1.1\" 200 - 49851 49851 23 22 \"https://example,com/some/url\" \"Mozilla/5.0 (iPad; ...) Safari/604.1\"\" - someID - ECDHE-RSA-AES128-GCM-SHA256 - s3-ap-northeast-1.amazonaws.com TLSv1.2"
        );
        let r = parse(&line);
        assert_eq!(
            text(&r, S3Field::UserAgent),
            Some("Mozilla/5.0 (iPad; ...) Safari/604.1\"")
        );
        assert_eq!(text(&r, S3Field::HostId), Some("someID"));
        assert_eq!(text(&r, S3Field::TlsVersion), Some("TLSv1.2"));
        assert_eq!(r.repair(), None);
        // The same for Referer and Request-URI, with one and with two literal quotes.
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET /k\" HTTP/1.1\"\"\" 200 - 1 1 1 1 \"http://x?id=1\"\" \"UA\"\" -"
        );
        let r = parse(&line);
        assert_eq!(text(&r, S3Field::RequestUri), Some("GET /k\" HTTP/1.1\"\""));
        assert_eq!(text(&r, S3Field::Referer), Some("http://x?id=1\""));
        assert_eq!(text(&r, S3Field::UserAgent), Some("UA\""));
        assert_eq!(r.field_count(), 18);
    }

    #[test]
    fn two_readings_are_rejected_naming_both() {
        // The Referer could end before `"b"` or after it.
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"a\" \"b\" \"c\" -"
        );
        let err = S3Record::parse(line.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidQuoting);
        assert_eq!(err.field(), Some("referer"));
        let detail = err.detail().unwrap();
        assert!(detail.starts_with("ambiguous"), "{detail}");
        let first = line.find("a\"").unwrap() + 1;
        let second = line.find("b\"").unwrap() + 1;
        assert!(
            detail.contains(&format!("byte {first} "))
                && detail.ends_with(&format!("byte {second}")),
            "{detail}"
        );
        // The Request-URI could end after `/a` or after `HTTP/1.1`.
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET /a\" 200 - 1 1 1 1 \"b HTTP/1.1\" 200 - 5 5 5 5 \"-\" \"ua\" -"
        );
        let err = S3Record::parse(line.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidQuoting);
        assert_eq!(err.field(), Some("request_uri"));
        assert!(err.detail().unwrap().starts_with("ambiguous"));
        // A reading followed by a bare `-` Referer, and a later one after which the Referer
        // itself splits two ways: still two readings (found by the property test).
        let line = format!("{HEAD} - ID REST.GET.OBJECT - \"\" 0 \" - - - - - - \"-\" \" \"\"");
        let err = S3Record::parse(line.as_bytes()).unwrap_err();
        assert_eq!(err.field(), Some("request_uri"));
        assert!(err.detail().unwrap().starts_with("ambiguous"));
    }

    #[test]
    fn dash_tail_does_not_compete_with_quoted_referer() {
        // Closing the Request-URI at the User-Agent's quote would also split (every field after
        // it is `-`), but a quoted Request-URI comes with a quoted Referer.
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\" - - - - - - - - - -"
        );
        let r = parse(&line);
        assert_eq!(text(&r, S3Field::RequestUri), Some("GET / HTTP/1.1"));
        assert_eq!(r.field_count(), 27);
        assert_eq!(r.acl_required().unwrap(), Some(false));
    }

    #[test]
    fn words_that_do_not_fit_optional_trailing_fields_are_kept_as_trailing() {
        let tail = "h SigV4 c AuthHeader host TLSV1.1";
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\" - {tail} test1 test2"
        );
        let r = parse(&line);
        let repair = r.repair().unwrap();
        assert_eq!(repair.field(), Some("access_point_arn"));
        assert_eq!(repair.kind(), ErrorKind::InvalidValue);
        assert_eq!(text(&r, S3Field::TlsVersion), Some("TLSV1.1"));
        assert!(!r.has(S3Field::AccessPointArn) && !r.has(S3Field::AclRequired));
        assert_eq!(text(&r, S3Field::TrailingFields), Some("test1 test2"));
        assert_eq!(r.values().unwrap().acl_required, None);
        assert_eq!(r.field_count(), 26);

        // An ARN, then a word that is not an aclRequired value.
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\" - {tail} arn:aws:s3:us-west-1:1:accesspoint/ap maybe us-east-1"
        );
        let r = parse(&line);
        let repair = r.repair().unwrap();
        assert_eq!(repair.field(), Some("acl_required"));
        assert_eq!(repair.kind(), ErrorKind::InvalidBoolean);
        assert_eq!(
            text(&r, S3Field::AccessPointArn),
            Some("arn:aws:s3:us-west-1:1:accesspoint/ap")
        );
        assert_eq!(text(&r, S3Field::TrailingFields), Some("maybe us-east-1"));
        assert_eq!(r.acl_required().unwrap(), None);

        // A Source Region that is not a Region code.
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\" - {tail} - Yes US_EAST x"
        );
        let r = parse(&line);
        assert_eq!(r.repair().unwrap().field(), Some("source_region"));
        assert_eq!(r.acl_required().unwrap(), Some(true));
        assert_eq!(text(&r, S3Field::TrailingFields), Some("US_EAST x"));

        // Valid values need no repair.
        let line = format!(
            "{HEAD} - ID REST.GET.OBJECT k \"GET / HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\" - {tail} - yes us-gov-west-1"
        );
        assert_eq!(parse(&line).repair(), None);
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
        assert_eq!(r.repair(), None);
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
