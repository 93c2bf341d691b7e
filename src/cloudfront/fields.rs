//! The CloudFront field registry and [`FieldList`]: which fields a log has, in which order,
//! and the Arrow columns they become.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{Field, Schema, SchemaRef};

use crate::columns::{AWS_NAME_KEY, ColumnType};
use crate::error::{Error, ErrorKind, Result};

/// How a field's text becomes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// Stored as logged.
    Text,
    /// Non-negative decimal integer of at most this value (at most `i64::MAX`: the column is
    /// signed).
    UInt(u64),
    /// Decimal number of seconds.
    Float,
    /// `1684226820.937`: epoch seconds with up to three decimals, parsed as fixed point.
    EpochSeconds,
    /// `1731620046814`: epoch milliseconds (`timestamp(ms)` of standard logging v2).
    EpochMillis,
    /// `2019-12-04` (standard logs; joined with `time`).
    Date,
    /// `21:02:31` (standard logs; joined with `date`).
    Time,
}

/// One known CloudFront field: AWS's name and how it is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownField {
    name: &'static str,
    kind: ValueKind,
}

impl KnownField {
    /// AWS's name, e.g. `cs-user-agent`.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

// Integer fields: the bound is the largest valid value, which also picks the column's signed
// type (see `column_type`): a status code fits an Int16, a port (0-65535) an Int32, a
// 32-bit AS number an Int64.
const I16: ValueKind = ValueKind::UInt(i16::MAX as u64);
const PORT: ValueKind = ValueKind::UInt(u16::MAX as u64);
const I32: ValueKind = ValueKind::UInt(i32::MAX as u64);
const ASN: ValueKind = ValueKind::UInt(u32::MAX as u64);
const I64: ValueKind = ValueKind::UInt(i64::MAX as u64);
const TEXT: ValueKind = ValueKind::Text;
const FLOAT: ValueKind = ValueKind::Float;

const fn f(name: &'static str, kind: ValueKind) -> KnownField {
    KnownField { name, kind }
}

/// Every CloudFront real-time log field, in AWS's canonical (delivery) order.
///
/// AWS delivers the configured fields in this order whatever the order of the configuration,
/// so [`FieldList::realtime`] sorts a configured list into it. Positions 1–46 and 65–67 follow
/// AWS's documentation; `s-ip` (3), the CMCD fields (47–64), `distribution-tenant-id` and
/// `connection-id` (68–69) follow widely used third-party lists.
pub const REALTIME_FIELDS: &[KnownField] = &[
    f("timestamp", ValueKind::EpochSeconds),
    f("c-ip", TEXT),
    f("s-ip", TEXT),
    f("time-to-first-byte", FLOAT),
    f("sc-status", I16),
    f("sc-bytes", I64),
    f("cs-method", TEXT),
    f("cs-protocol", TEXT),
    f("cs-host", TEXT),
    f("cs-uri-stem", TEXT),
    f("cs-bytes", I64),
    f("x-edge-location", TEXT),
    f("x-edge-request-id", TEXT),
    f("x-host-header", TEXT),
    f("time-taken", FLOAT),
    f("cs-protocol-version", TEXT),
    f("c-ip-version", TEXT),
    f("cs-user-agent", TEXT),
    f("cs-referer", TEXT),
    f("cs-cookie", TEXT),
    f("cs-uri-query", TEXT),
    f("x-edge-response-result-type", TEXT),
    f("x-forwarded-for", TEXT),
    f("ssl-protocol", TEXT),
    f("ssl-cipher", TEXT),
    f("x-edge-result-type", TEXT),
    f("fle-encrypted-fields", I32),
    f("fle-status", TEXT),
    f("sc-content-type", TEXT),
    f("sc-content-len", I64),
    f("sc-range-start", I64),
    f("sc-range-end", I64),
    f("c-port", PORT),
    f("x-edge-detailed-result-type", TEXT),
    f("c-country", TEXT),
    f("cs-accept-encoding", TEXT),
    f("cs-accept", TEXT),
    f("cache-behavior-path-pattern", TEXT),
    f("cs-headers", TEXT),
    f("cs-header-names", TEXT),
    f("cs-headers-count", I32),
    f("primary-distribution-id", TEXT),
    f("primary-distribution-dns-name", TEXT),
    f("origin-fbl", FLOAT),
    f("origin-lbl", FLOAT),
    f("asn", ASN),
    f("cmcd-encoded-bitrate", I64),
    f("cmcd-buffer-length", I64),
    f("cmcd-buffer-starvation", TEXT),
    f("cmcd-content-id", TEXT),
    f("cmcd-object-duration", I64),
    f("cmcd-deadline", I64),
    f("cmcd-measured-throughput", I64),
    f("cmcd-next-object-request", TEXT),
    f("cmcd-next-range-request", TEXT),
    f("cmcd-object-type", TEXT),
    f("cmcd-playback-rate", FLOAT),
    f("cmcd-requested-maximum-throughput", I64),
    f("cmcd-streaming-format", TEXT),
    f("cmcd-session-id", TEXT),
    f("cmcd-stream-type", TEXT),
    f("cmcd-startup", TEXT),
    f("cmcd-top-bitrate", I64),
    f("cmcd-version", I64),
    f("r-host", TEXT),
    f("sr-reason", TEXT),
    f("x-edge-mqcs", TEXT),
    f("distribution-tenant-id", TEXT),
    f("connection-id", TEXT),
];

/// The fields of CloudFront standard (W3C) logs that are typed (every other field, known or
/// not, is a Utf8 column): the 33 legacy fields and the additions of standard logging v2.
pub const STANDARD_FIELDS: &[KnownField] = &[
    f("date", ValueKind::Date),
    f("time", ValueKind::Time),
    f("x-edge-location", TEXT),
    f("sc-bytes", I64),
    f("c-ip", TEXT),
    f("cs-method", TEXT),
    f("cs(Host)", TEXT),
    f("cs-uri-stem", TEXT),
    f("sc-status", I16),
    f("cs(Referer)", TEXT),
    f("cs(User-Agent)", TEXT),
    f("cs-uri-query", TEXT),
    f("cs(Cookie)", TEXT),
    f("x-edge-result-type", TEXT),
    f("x-edge-request-id", TEXT),
    f("x-host-header", TEXT),
    f("cs-protocol", TEXT),
    f("cs-bytes", I64),
    f("time-taken", FLOAT),
    f("x-forwarded-for", TEXT),
    f("ssl-protocol", TEXT),
    f("ssl-cipher", TEXT),
    f("x-edge-response-result-type", TEXT),
    f("cs-protocol-version", TEXT),
    f("fle-status", TEXT),
    f("fle-encrypted-fields", I32),
    f("c-port", PORT),
    f("time-to-first-byte", FLOAT),
    f("x-edge-detailed-result-type", TEXT),
    f("sc-content-type", TEXT),
    f("sc-content-len", I64),
    f("sc-range-start", I64),
    f("sc-range-end", I64),
    f("c-country", TEXT),
    f("cache-behavior-path-pattern", TEXT),
    f("timestamp(ms)", ValueKind::EpochMillis),
    f("origin-fbl", FLOAT),
    f("origin-lbl", FLOAT),
    f("asn", ASN),
];

/// The snake_case column name of an AWS field name: lowercase, `-` and `(` become `_`, `)` is
/// dropped (`cs(User-Agent)` → `cs_user_agent`, `timestamp(ms)` → `timestamp_ms`).
///
/// ```
/// use aws_access_logs::cloudfront::column_name;
///
/// assert_eq!(column_name("cs(User-Agent)"), "cs_user_agent");
/// assert_eq!(column_name("time-to-first-byte"), "time_to_first_byte");
/// assert_eq!(column_name("timestamp(ms)"), "timestamp_ms");
/// ```
pub fn column_name(aws_name: &str) -> String {
    aws_name
        .chars()
        .filter(|&c| c != ')')
        .map(|c| match c {
            '-' | '(' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn column_type(kind: ValueKind) -> ColumnType {
    match kind {
        ValueKind::Text | ValueKind::Date | ValueKind::Time => ColumnType::Utf8,
        // The smallest signed type that holds every value up to the field's bound.
        ValueKind::UInt(max) if max <= i16::MAX as u64 => ColumnType::Int16,
        ValueKind::UInt(max) if max <= i32::MAX as u64 => ColumnType::Int32,
        ValueKind::UInt(_) => ColumnType::Int64,
        ValueKind::Float => ColumnType::Float64,
        ValueKind::EpochSeconds | ValueKind::EpochMillis => ColumnType::TimestampMs,
    }
}

/// Which CloudFront log a [`FieldList`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Flavor {
    Realtime,
    Standard,
}

impl Flavor {
    /// The flavor's name in error messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Flavor::Realtime => "cloudfront real-time log",
            Flavor::Standard => "cloudfront standard log",
        }
    }
}

/// The order of a configured real-time field list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FieldOrder {
    /// Sort the fields into AWS's canonical order ([`REALTIME_FIELDS`]), the order in which AWS
    /// delivers them whatever the configuration says (the default).
    #[default]
    Canonical,
    /// The fields are in the records in the order given.
    AsGiven,
}

/// What to do with a field name that is not in [`REALTIME_FIELDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UnknownFields {
    /// An unknown name is an error (the default).
    #[default]
    Reject,
    /// An unknown name becomes an opaque Utf8 column. Only with [`FieldOrder::AsGiven`]: the
    /// position of an unknown field in AWS's order is not known.
    Text,
}

/// One field of a [`FieldList`], in the order the fields appear in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedField {
    pub(crate) aws_name: String,
    pub(crate) kind: ValueKind,
}

/// The fields of a CloudFront log, in the order they appear in each record.
///
/// * Real-time logs have no header: build the list from the log configuration with
///   [`FieldList::realtime`] (a comma or whitespace separated list, or the JSON that
///   `aws cloudfront get-realtime-log-config` prints). The list is sorted into AWS's canonical
///   order, because that is the order AWS delivers the fields in.
/// * Standard logs name their fields in a `#Fields:` header, which the reader uses; build a
///   list with [`FieldList::standard`] only for input without one.
///
/// ```
/// use aws_access_logs::cloudfront::FieldList;
///
/// // The configuration's order does not matter: AWS delivers fields in canonical order.
/// let fields = FieldList::realtime("sc-status, timestamp, c-ip")?;
/// assert_eq!(fields.aws_names().collect::<Vec<_>>(), ["timestamp", "c-ip", "sc-status"]);
///
/// let json = r#"{"RealtimeLogConfig": {"Name": "cfg", "SamplingRate": 100,
///     "Fields": ["timestamp", "cs-user-agent", "c-ip"]}}"#;
/// let fields = FieldList::realtime(json)?;
/// assert_eq!(fields.aws_names().collect::<Vec<_>>(), ["timestamp", "c-ip", "cs-user-agent"]);
///
/// let err = FieldList::realtime("timestamp,c-ipp").unwrap_err();
/// assert!(err.to_string().contains("c-ipp"));
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldList {
    pub(crate) flavor: Flavor,
    pub(crate) fields: Vec<ListedField>,
}

fn invalid(detail: String) -> Error {
    Error::new(ErrorKind::InvalidArgument).with_detail(detail)
}

/// Splits a field list: a JSON document (its `Fields` array, or a bare array of strings) or
/// names separated by commas and/or whitespace.
fn split_list(text: &str) -> Result<Vec<String>> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return json_fields(trimmed);
    }
    Ok(trimmed
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect())
}

/// The strings of the `Fields` array of a JSON document (or of a bare JSON array).
fn json_fields(json: &str) -> Result<Vec<String>> {
    let bad = |what: &str| invalid(format!("field list JSON: {what}"));
    let array = if json.starts_with('[') {
        json
    } else {
        // The values of the "Fields" keys (a string "Fields" elsewhere is not followed by ':').
        let arrays: Vec<&str> = json
            .match_indices("\"Fields\"")
            .filter_map(|(i, key)| json[i + key.len()..].trim_start().strip_prefix(':'))
            .map(str::trim_start)
            .collect();
        match arrays.as_slice() {
            [] => return Err(bad("no \"Fields\" array")),
            [one] => *one,
            _ => {
                return Err(bad(
                    "several \"Fields\" arrays (the output of list-realtime-log-configs?): \
                     give one configuration's",
                ));
            }
        }
    };
    let mut chars = array
        .strip_prefix('[')
        .ok_or_else(|| bad("\"Fields\" is not an array"))?
        .chars();
    let mut names = Vec::new();
    loop {
        match chars.by_ref().find(|c| !c.is_whitespace() && *c != ',') {
            Some(']') => return Ok(names),
            Some('"') => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '/')) => name.push(c),
                            _ => return Err(bad("unsupported escape in a field name")),
                        },
                        Some(c) => name.push(c),
                        None => return Err(bad("unterminated string")),
                    }
                }
                names.push(name);
            }
            Some(c) => return Err(bad(&format!("unexpected {c:?} in the \"Fields\" array"))),
            None => return Err(bad("unterminated \"Fields\" array")),
        }
    }
}

/// The known real-time field closest to `name` (at most two edits away).
fn closest(name: &str) -> Option<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    }
    let lower = name.to_ascii_lowercase().replace('_', "-");
    REALTIME_FIELDS
        .iter()
        .map(|k| (distance(&lower, k.name), k.name))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

fn realtime_position(name: &str) -> Option<usize> {
    // Accept AWS's names and our column names (`cs_user_agent`).
    REALTIME_FIELDS
        .iter()
        .position(|k| k.name == name || column_name(k.name) == name)
}

impl FieldList {
    /// A real-time log's field list, sorted into AWS's canonical order
    /// ([`REALTIME_FIELDS`]). `list` is what the log configuration holds: names separated by
    /// commas and/or whitespace (`timestamp,c-ip,sc-status`), or the JSON that
    /// `aws cloudfront get-realtime-log-config` prints (its `Fields` array is used), or a JSON
    /// array of names. Column names (`cs_user_agent`) are accepted too.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] naming an unknown or repeated field, or for an empty
    /// list or malformed JSON.
    pub fn realtime(list: &str) -> Result<FieldList> {
        FieldList::realtime_with(list, FieldOrder::Canonical, UnknownFields::Reject)
    }

    /// A real-time log's field list with explicit rules: keep the order as given, and accept
    /// unknown names as opaque text columns (only with [`FieldOrder::AsGiven`]).
    ///
    /// ```
    /// use aws_access_logs::cloudfront::{FieldList, FieldOrder, UnknownFields};
    ///
    /// let fields = FieldList::realtime_with(
    ///     "timestamp c-ip some-new-field",
    ///     FieldOrder::AsGiven,
    ///     UnknownFields::Text,
    /// )?;
    /// assert_eq!(fields.schema().field(2).name(), "some_new_field");
    /// # Ok::<(), aws_access_logs::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`FieldList::realtime`]; also [`UnknownFields::Text`] with [`FieldOrder::Canonical`].
    pub fn realtime_with(
        list: &str,
        order: FieldOrder,
        unknown: UnknownFields,
    ) -> Result<FieldList> {
        if unknown == UnknownFields::Text && order == FieldOrder::Canonical {
            return Err(invalid(
                "unknown real-time fields can only be accepted when the field order is given \
                 (their position in AWS's order is not known)"
                    .into(),
            ));
        }
        let names = split_list(list)?;
        if names.is_empty() {
            return Err(invalid("the real-time field list is empty".into()));
        }
        let mut listed: Vec<(usize, ListedField)> = Vec::with_capacity(names.len());
        for name in names {
            let entry = match realtime_position(&name) {
                Some(pos) => (
                    pos,
                    ListedField {
                        aws_name: REALTIME_FIELDS[pos].name.to_string(),
                        kind: REALTIME_FIELDS[pos].kind,
                    },
                ),
                None if unknown == UnknownFields::Text => (
                    usize::MAX,
                    ListedField {
                        aws_name: name,
                        kind: ValueKind::Text,
                    },
                ),
                None => {
                    let hint = match closest(&name) {
                        Some(known) => format!("did you mean {known:?}? "),
                        None => String::new(),
                    };
                    return Err(invalid(format!(
                        "unknown CloudFront real-time field {name:?} ({hint}the known fields are \
                         listed in aws_access_logs::cloudfront::REALTIME_FIELDS; to keep an unknown \
                         field as text, give the fields in record order and accept unknown ones)"
                    )));
                }
            };
            listed.push(entry);
        }
        if order == FieldOrder::Canonical {
            listed.sort_by_key(|(pos, _)| *pos);
        }
        let list = FieldList {
            flavor: Flavor::Realtime,
            fields: listed.into_iter().map(|(_, f)| f).collect(),
        };
        list.check_unique_columns()?;
        Ok(list)
    }

    /// A standard (W3C) log's field list: the names of a `#Fields:` line (the `#Fields:`
    /// prefix is optional), split on any whitespace, in the order given. Unknown names become
    /// Utf8 columns.
    ///
    /// ```
    /// use aws_access_logs::cloudfront::FieldList;
    ///
    /// let fields = FieldList::standard("#Fields: date time\tsc-status cs(User-Agent)")?;
    /// let schema = fields.schema();
    /// // date + time become one `timestamp` column.
    /// let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    /// assert_eq!(names, ["timestamp", "sc_status", "cs_user_agent"]);
    /// # Ok::<(), aws_access_logs::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] for an empty list or two fields with the same column
    /// name.
    pub fn standard(header: &str) -> Result<FieldList> {
        let names = header
            .trim_start_matches('\u{feff}')
            .trim_start()
            .strip_prefix("#Fields:")
            .unwrap_or(header);
        let fields: Vec<ListedField> = names
            .split(|c: char| c.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
            .map(|name| ListedField {
                kind: standard_kind(name),
                aws_name: name.to_string(),
            })
            .collect();
        if fields.is_empty() {
            return Err(invalid("the #Fields: line names no fields".into()));
        }
        let list = FieldList {
            flavor: Flavor::Standard,
            fields,
        };
        list.check_unique_columns()?;
        Ok(list)
    }

    /// Number of fields in each record.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the list is empty (never, for a list built by this crate).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// AWS's field names, in record order.
    pub fn aws_names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| f.aws_name.as_str())
    }

    /// The Arrow schema of the records (before projection): one column per field in record
    /// order, except that a standard log's `date` and `time` become one `timestamp` column at
    /// the position of `date`. Each Arrow field keeps AWS's name (`date time` for the joined
    /// column) under the metadata key `aws_name`. Every column is nullable.
    pub fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> =
            self.columns()
                .iter()
                .map(|c| {
                    Field::new(c.name.clone(), c.ty.data_type(), true).with_metadata(HashMap::from(
                        [(AWS_NAME_KEY.to_string(), c.aws_name.clone())],
                    ))
                })
                .collect();
        Arc::new(Schema::new(fields))
    }

    /// The output columns, in schema order.
    pub(crate) fn columns(&self) -> Vec<ColumnSpec> {
        let date = self.position_of_kind(ValueKind::Date);
        let time = self.position_of_kind(ValueKind::Time);
        let joined = match (date, time) {
            (Some(d), Some(t)) if self.flavor == Flavor::Standard => Some((d, t)),
            _ => None,
        };
        let mut columns = Vec::with_capacity(self.fields.len());
        for (i, field) in self.fields.iter().enumerate() {
            if let Some((d, t)) = joined {
                if i == t {
                    continue;
                }
                if i == d {
                    columns.push(ColumnSpec {
                        name: "timestamp".into(),
                        aws_name: format!("{} {}", field.aws_name, self.fields[t].aws_name),
                        ty: ColumnType::TimestampMs,
                        kind: ValueKind::Date,
                        source: Source::DateTime(d, t),
                    });
                    continue;
                }
            }
            let kind = match field.kind {
                // A lone date or time stays text.
                ValueKind::Date | ValueKind::Time => ValueKind::Text,
                k => k,
            };
            columns.push(ColumnSpec {
                name: column_name(&field.aws_name),
                aws_name: field.aws_name.clone(),
                ty: column_type(kind),
                kind,
                source: Source::Field(i),
            });
        }
        columns
    }

    fn position_of_kind(&self, kind: ValueKind) -> Option<usize> {
        self.fields.iter().position(|f| f.kind == kind)
    }

    fn check_unique_columns(&self) -> Result<()> {
        let mut seen = std::collections::HashSet::with_capacity(self.fields.len());
        for f in &self.fields {
            if !seen.insert(f.aws_name.to_ascii_lowercase()) {
                return Err(invalid(format!("field {:?} is listed twice", f.aws_name)));
            }
        }
        let columns = self.columns();
        let mut names = std::collections::HashMap::with_capacity(columns.len());
        for c in &columns {
            if let Some(other) = names.insert(c.name.as_str(), c.aws_name.as_str()) {
                return Err(invalid(format!(
                    "fields {other:?} and {:?} both map to the column {:?}",
                    c.aws_name, c.name
                )));
            }
        }
        Ok(())
    }
}

fn standard_kind(name: &str) -> ValueKind {
    STANDARD_FIELDS
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(name))
        .map(|k| k.kind)
        // A `timestamp` field in a header (real-time records given a W3C header) is typed as in
        // real-time logs.
        .or_else(|| (name == "timestamp").then_some(ValueKind::EpochSeconds))
        .unwrap_or(ValueKind::Text)
}

/// Where a column's value comes from in a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// One field (0-based position in the record).
    Field(usize),
    /// A standard log's `date` and `time` fields.
    DateTime(usize, usize),
}

/// One output column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnSpec {
    pub(crate) name: String,
    pub(crate) aws_name: String,
    pub(crate) ty: ColumnType,
    pub(crate) kind: ValueKind,
    pub(crate) source: Source,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_fields_take_the_smallest_signed_type_that_holds_them() {
        let ty = |name: &str| {
            let field = REALTIME_FIELDS.iter().find(|f| f.name == name).unwrap();
            column_type(field.kind)
        };
        assert_eq!(ty("sc-status"), ColumnType::Int16);
        assert_eq!(ty("c-port"), ColumnType::Int32);
        assert_eq!(ty("fle-encrypted-fields"), ColumnType::Int32);
        assert_eq!(ty("cs-headers-count"), ColumnType::Int32);
        assert_eq!(ty("asn"), ColumnType::Int64);
        for name in [
            "sc-bytes",
            "cs-bytes",
            "sc-content-len",
            "sc-range-start",
            "sc-range-end",
        ] {
            assert_eq!(ty(name), ColumnType::Int64, "{name}");
        }
        for field in REALTIME_FIELDS.iter().chain(STANDARD_FIELDS.iter()) {
            if let ValueKind::UInt(max) = field.kind {
                let fits = match column_type(field.kind) {
                    ColumnType::Int16 => max <= i16::MAX as u64,
                    ColumnType::Int32 => max <= i32::MAX as u64 && max > i16::MAX as u64,
                    ColumnType::Int64 => max <= i64::MAX as u64 && max > i32::MAX as u64,
                    other => panic!("{}: {other:?}", field.name),
                };
                assert!(fits, "{}", field.name);
            }
        }
    }

    #[test]
    fn registry_has_unique_names_and_types() {
        for (i, a) in REALTIME_FIELDS.iter().enumerate() {
            assert!(REALTIME_FIELDS[..i].iter().all(|b| b.name != a.name));
        }
        assert_eq!(REALTIME_FIELDS[0].name, "timestamp");
        assert_eq!(REALTIME_FIELDS[45].name, "asn");
        assert_eq!(REALTIME_FIELDS[64].name, "r-host");
        assert_eq!(column_type(REALTIME_FIELDS[4].kind), ColumnType::Int16);
        assert_eq!(column_type(REALTIME_FIELDS[5].kind), ColumnType::Int64);
        assert_eq!(column_type(REALTIME_FIELDS[3].kind), ColumnType::Float64);
    }

    #[test]
    fn list_syntaxes() {
        let want = ["timestamp", "c-ip", "sc-status"];
        for text in [
            "timestamp,c-ip,sc-status",
            "sc-status c-ip\ttimestamp\n",
            " c-ip , sc-status,timestamp ",
            "[\"sc-status\", \"timestamp\", \"c-ip\"]",
            "{\"RealtimeLogConfig\":{\"ARN\":\"arn:x\",\"Fields\":[\"c-ip\",\"timestamp\",\"sc-status\"]}}",
            "timestamp,c_ip,sc_status",
            "{\"Name\": \"Fields\", \"Fields\" : [\"c-ip\", \"timestamp\", \"sc-status\"]}",
        ] {
            let list = FieldList::realtime(text).unwrap();
            assert_eq!(list.aws_names().collect::<Vec<_>>(), want, "{text}");
        }
        let given = FieldList::realtime_with(
            "sc-status,timestamp",
            FieldOrder::AsGiven,
            Default::default(),
        )
        .unwrap();
        assert_eq!(
            given.aws_names().collect::<Vec<_>>(),
            ["sc-status", "timestamp"]
        );
    }

    #[test]
    fn list_errors() {
        let err = FieldList::realtime("timestamp,bogus").unwrap_err();
        assert!(err.to_string().contains("\"bogus\""), "{err}");
        assert!(!err.to_string().contains("did you mean"), "{err}");
        let err = FieldList::realtime("timestamp,cs-user-agnet").unwrap_err();
        assert!(
            err.to_string().contains("did you mean \"cs-user-agent\"?"),
            "{err}"
        );
        assert!(FieldList::realtime("").is_err());
        assert!(FieldList::realtime("timestamp,timestamp").is_err());
        assert!(FieldList::realtime("{\"Fields\": [\"timestamp\"").is_err());
        assert!(FieldList::realtime("{\"Name\": 1}").is_err());
        let two = "{\"RealtimeLogConfigs\": {\"Items\": [{\"Fields\": [\"timestamp\"]}, {\"Fields\": [\"c-ip\"]}]}}";
        assert!(
            FieldList::realtime(two)
                .unwrap_err()
                .to_string()
                .contains("several")
        );
        assert!(
            FieldList::realtime_with("timestamp,x", FieldOrder::Canonical, UnknownFields::Text)
                .is_err()
        );
        assert!(FieldList::standard("#Fields:").is_err());
        assert!(FieldList::standard("date time date").is_err());
    }

    #[test]
    fn standard_columns() {
        let list = FieldList::standard(
            "#Fields: date time x-edge-location cs(Host) timestamp(ms) foo-Bar",
        )
        .unwrap();
        let cols = list.columns();
        let names: Vec<_> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "timestamp",
                "x_edge_location",
                "cs_host",
                "timestamp_ms",
                "foo_bar"
            ]
        );
        assert_eq!(cols[0].source, Source::DateTime(0, 1));
        assert_eq!(cols[0].aws_name, "date time");
        assert_eq!(cols[3].ty, ColumnType::TimestampMs);
        assert_eq!(cols[4].ty, ColumnType::Utf8);
        let lone = FieldList::standard("time sc-status").unwrap().columns();
        assert_eq!(lone[0].ty, ColumnType::Utf8);
        assert_eq!(lone[1].ty, ColumnType::Int16);
    }
}
