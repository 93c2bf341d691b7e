//! `serde::Serialize` (feature `serde`) for the types whose JSON is not a plain derive:
//! [`Reject`] (its error as text, its bytes as text or base64) and [`Format`] (its name). The
//! other types derive it where they are defined: [`RejectOutcome`](crate::RejectOutcome),
//! [`DecodeStats`](crate::DecodeStats), [`ErrorKind`](crate::ErrorKind),
//! [`Position`](crate::Position), [`ErrorPolicy`](crate::ErrorPolicy) and, with `parquet`,
//! the Parquet options, compression and summary.

use std::fmt::Display;

use base64::display::Base64Display;
use base64::engine::general_purpose::STANDARD;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::{Format, Reject};

/// A value serialized as its `Display` text, without an intermediate `String`.
struct AsText<T>(T);

impl<T: Display> Serialize for AsText<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

/// A reject as an object of `byte_offset`, `error` (the error's `Display` text), `field`
/// (`null` when the error concerns no one field), `line`, `outcome` (`"rejected"` or
/// `"repaired"`) and `raw`, the line as text — or, when the line is not valid UTF-8,
/// `raw_base64`, its bytes in standard base64 instead. The keys are in alphabetical order,
/// the order in which `serde_json`'s default map writes them, so that a caller who adds keys
/// through a `serde_json::Value` (the converter adds `input`) keeps one order.
///
/// ```
/// # use aws_access_logs::{Format, ReaderBuilder};
/// let log = b"not an access log line\n";
/// let mut reader = ReaderBuilder::new(Format::S3).build(&log[..])?;
/// reader.by_ref().for_each(drop);
/// let reject = &reader.take_rejects()[0];
/// let json = serde_json::to_string(reject)?;
/// assert!(json.starts_with(r#"{"byte_offset":0,"error":"s3 access log: line 1 (byte 0), "#));
/// assert!(json.ends_with(r#","line":1,"outcome":"rejected","raw":"not an access log line"}"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl Serialize for Reject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Reject", 6)?;
        s.serialize_field("byte_offset", &self.byte_offset())?;
        s.serialize_field("error", &AsText(self.error()))?;
        s.serialize_field("field", &self.field())?;
        s.serialize_field("line", &self.line())?;
        s.serialize_field("outcome", &self.outcome())?;
        match std::str::from_utf8(self.raw()) {
            Ok(text) => s.serialize_field("raw", text)?,
            Err(_) => s.serialize_field(
                "raw_base64",
                &AsText(Base64Display::new(self.raw(), &STANDARD)),
            )?,
        }
        s.end()
    }
}

/// A format as its name ([`Format::name`]): `"s3"`, `"cloudfront-realtime"` or
/// `"cloudfront-standard"`.
impl Serialize for Format {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::error::Error;
    use crate::{DecodeStats, ErrorKind, ErrorPolicy, Format, Position, Reject, RejectOutcome};

    fn reject(raw: &[u8], field: Option<&'static str>, outcome: RejectOutcome) -> Reject {
        let mut error = Error::new(ErrorKind::InvalidUtf8)
            .with_format("s3 access log")
            .with_position(Position {
                line: 20,
                byte_offset: 6280,
            })
            .with_detail("invalid bytes replaced with U+FFFD; the row is kept");
        if let Some(field) = field {
            error = error.with_field(field);
        }
        Reject::new(error, raw.to_vec(), outcome)
    }

    #[test]
    fn reject_as_text_or_base64() {
        let text = reject(b"a \"b\"\tc", Some("user_agent"), RejectOutcome::Repaired);
        assert_eq!(
            serde_json::to_string(&text).unwrap(),
            concat!(
                r#"{"byte_offset":6280,"error":"s3 access log: line 20 (byte 6280), "#,
                r#"field user_agent: invalid UTF-8: invalid bytes replaced with U+FFFD; "#,
                r#"the row is kept","field":"user_agent","line":20,"outcome":"repaired","#,
                r#""raw":"a \"b\"\tc"}"#
            )
        );
        let bytes = reject(b"bad \xff\xfe agent", None, RejectOutcome::Rejected);
        let value = serde_json::to_value(&bytes).unwrap();
        assert_eq!(value["field"], Value::Null);
        assert_eq!(value["outcome"], "rejected");
        assert_eq!(value["raw_base64"], "YmFkIP/+IGFnZW50");
        assert!(value.get("raw").is_none());
        // The same keys, in the same order, straight or through a `Value`.
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            serde_json::to_string(&bytes).unwrap()
        );
        // An empty line is text.
        let empty = reject(b"", None, RejectOutcome::Rejected);
        assert_eq!(serde_json::to_value(&empty).unwrap()["raw"], "");
    }

    #[test]
    fn names_and_counters() {
        let names: Vec<Value> = Format::ALL
            .iter()
            .map(|f| serde_json::to_value(f).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "s3",
                "cloudfront-realtime",
                "cloudfront-standard",
                "alb",
                "nlb",
                "clb",
                "alb-connection"
            ]
            .map(Value::from)
        );
        for (kind, name) in [
            (ErrorKind::MissingField, "missing_field"),
            (ErrorKind::InvalidUtf8, "invalid_utf8"),
            (ErrorKind::Io, "io"),
            (ErrorKind::MissingFieldList, "missing_field_list"),
        ] {
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
        }
        assert_eq!(
            serde_json::to_value(RejectOutcome::Repaired).unwrap(),
            "repaired"
        );
        assert_eq!(
            serde_json::to_value(ErrorPolicy::FailFast).unwrap(),
            "fail_fast"
        );
        assert_eq!(
            serde_json::to_value(Position {
                line: 3,
                byte_offset: 7
            })
            .unwrap(),
            json!({"line": 3, "byte_offset": 7})
        );
        let stats = DecodeStats {
            lines: 30,
            rows: 21,
            rejected: 7,
            repaired: 2,
            blank_lines: 1,
            comment_lines: 1,
            rejects_dropped: 0,
        };
        assert_eq!(
            serde_json::to_string(&stats).unwrap(),
            r#"{"lines":30,"rows":21,"rejected":7,"repaired":2,"blank_lines":1,"comment_lines":1,"rejects_dropped":0}"#
        );
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_options_and_summary() {
        use crate::parquet::{ParquetCompression, ParquetOptions, ParquetSummary};

        let options = ParquetOptions::new()
            .with_bloom_filter(["request_id"])
            .with_threads(2);
        let value = serde_json::to_value(&options).unwrap();
        assert_eq!(value["compression"], json!({"zstd": 3}));
        assert_eq!(value["max_row_group_rows"], 1 << 20);
        assert_eq!(value["max_row_group_bytes"], 32 << 20);
        assert_eq!(value["bloom_filter"], json!(["request_id"]));
        assert_eq!(value["threads"], 2);
        assert!(value["max_pending_bytes"].is_u64());
        for (compression, json) in [
            (ParquetCompression::Snappy, json!("snappy")),
            (ParquetCompression::None, json!("none")),
        ] {
            assert_eq!(serde_json::to_value(compression).unwrap(), json);
        }
        let summary = ParquetSummary {
            stats: DecodeStats {
                lines: 2,
                rows: 1,
                rejected: 1,
                ..DecodeStats::default()
            },
            bytes_in: 100,
            row_groups: 1,
        };
        assert_eq!(
            serde_json::to_value(summary).unwrap(),
            json!({
                "stats": {"lines": 2, "rows": 1, "rejected": 1, "repaired": 0, "blank_lines": 0,
                    "comment_lines": 0, "rejects_dropped": 0},
                "bytes_in": 100,
                "row_groups": 1,
            })
        );
    }
}
