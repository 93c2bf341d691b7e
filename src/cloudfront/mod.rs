//! Amazon CloudFront logs: real-time logs and standard (W3C) logs.
//!
//! Both are tab-separated text with `-` as the null token. Their fields are chosen per
//! configuration, so the schema comes from a [`FieldList`]:
//!
//! * **Real-time logs** (Kinesis Data Streams → Firehose → S3, usually gzip) have no header.
//!   Give the configuration's field list with [`crate::ReaderBuilder::with_fields`] and
//!   [`FieldList::realtime`] (a comma/whitespace separated list, or the JSON that
//!   `aws cloudfront get-realtime-log-config` prints). Lines starting with `#` (a header some
//!   tools add) are skipped as comments.
//! * **Standard logs** start with `#Version:` and `#Fields:` lines; the reader takes the schema
//!   from each input's `#Fields:` line (split on any whitespace), skips `#` lines (they are
//!   counted in [`crate::DecodeStats::comment_lines`]), and accepts the legacy 24-, 26- and
//!   33-field layouts as well as the field selections of standard logging v2.
//!
//! # The field-order rule (real-time logs)
//!
//! AWS delivers real-time fields **in its canonical order** ([`REALTIME_FIELDS`]), whatever the
//! order of the log configuration's field list — adding a field can shift the positions of
//! the others. [`FieldList::realtime`] therefore sorts the configured fields into canonical
//! order. [`FieldList::realtime_with`] and [`FieldOrder::AsGiven`] keep the order as given (for
//! records produced by something other than CloudFront), and only then
//! [`UnknownFields::Text`] accepts names this crate does not know, as opaque text columns. A
//! record whose field count differs from the list is rejected ([`crate::ErrorKind::FieldCount`]),
//! never misaligned.
//!
//! # Schema
//!
//! One nullable column per field; column names are AWS's names in lowercase with `-` and `(`
//! turned into `_` and `)` dropped ([`column_name`]: `cs(User-Agent)` → `cs_user_agent`,
//! `time-to-first-byte` → `time_to_first_byte`). Each Arrow field keeps AWS's name under the
//! metadata key `aws_name`. `-` is null in every column; in typed columns an empty field is
//! null too. Text is stored as logged (URL-encoded) unless percent-decoding is asked for.
//! Integer columns are signed, each the smallest type that holds every valid value of its
//! field, in Arrow and in Parquet alike (Athena, Spark and other Java readers cannot read
//! unsigned Parquet integers); a value beyond that rejects the line
//! ([`crate::ErrorKind::InvalidInteger`]).
//!
//! | fields | Arrow type | values |
//! |---|---|---|
//! | `timestamp` (real-time) | Timestamp(ms, "UTC") | `1684226820.937`, epoch seconds parsed as fixed point (no float rounding) |
//! | `date` + `time` (standard) | Timestamp(ms, "UTC"), one column named `timestamp` | `2019-12-04` `21:02:31`, UTC |
//! | `timestamp(ms)` (standard v2) | Timestamp(ms, "UTC"), column `timestamp_ms` | epoch milliseconds |
//! | `sc-status` | Int16 | `000` (viewer closed the connection) is 0 |
//! | `c-port` | Int32 | 0–65535 |
//! | `fle-encrypted-fields`, `cs-headers-count` | Int32 | |
//! | `asn` | Int64 | a 32-bit AS number (up to 4294967295) |
//! | `sc-bytes`, `cs-bytes`, `sc-content-len`, `sc-range-start`, `sc-range-end` | Int64 | |
//! | `time-to-first-byte`, `time-taken`, `origin-fbl`, `origin-lbl` | Float64 | seconds |
//! | `cmcd-encoded-bitrate`, `cmcd-buffer-length`, `cmcd-object-duration`, `cmcd-deadline`, `cmcd-measured-throughput`, `cmcd-requested-maximum-throughput`, `cmcd-top-bitrate`, `cmcd-version` | Int64 | |
//! | `cmcd-playback-rate` | Float64 | |
//! | every other field, known or not | Utf8 | as logged |
//!
//! In a standard log, `date` and `time` become one `timestamp` column at the position of
//! `date` (its `aws_name` is `date time`).
//!
//! # `cs-host` and `x-host-header` mean opposite things
//!
//! | | real-time log | standard log |
//! |---|---|---|
//! | `cs-host` / `cs(Host)` → column `cs_host` | the viewer's `Host` header | the distribution's domain (`d111111abcdef8.cloudfront.net`) |
//! | `x-host-header` → column `x_host_header` | the distribution's domain | the viewer's `Host` header (e.g. a CNAME) |
//!
//! The columns keep AWS's names, so the meaning depends on the format: do not join the two
//! formats on these columns without swapping them.
//!
//! Also: in real-time logs `cs-uri-stem` includes the query string (which `cs-uri-query`
//! repeats); in standard logs it does not.
//!
//! To look at single lines without Arrow, split them into a borrowed [`CloudFrontRecord`].
//!
//! # Percent-decoding
//!
//! Off by default. [`crate::ReaderBuilder::with_percent_decoding`] decodes chosen text columns
//! once, and also undoes the legacy double-encoded `%2520`, `%2522` and `%255C` that standard
//! logs carried until about 2019 (space, `"`, `\`). A value with an invalid escape, or that
//! would decode to invalid UTF-8, is kept as logged.
//!
//! # Example
//!
//! ```
//! use aws_access_logs::{Format, ReaderBuilder};
//! use aws_access_logs::cloudfront::FieldList;
//! use arrow::array::{Array, AsArray};
//! use arrow::datatypes::{Int16Type, TimestampMillisecondType};
//!
//! // The configuration lists the fields in another order; records follow AWS's order.
//! let fields = FieldList::realtime("sc-status,timestamp,c-ip,cs-user-agent")?;
//! let log = "1684226820.937\t192.0.2.10\t403\tcurl/7.88.1\n\
//!            1684226821.002\t2001:db8::1\t200\tMozilla/5.0%20(X11)\n";
//! let mut reader = ReaderBuilder::new(Format::CloudFrontRealtime)
//!     .with_fields(fields)
//!     .with_percent_decoding(["cs_user_agent"])
//!     .build(log.as_bytes())?;
//! let batch = reader.next().unwrap()?;
//! let ts = batch.column(0).as_primitive::<TimestampMillisecondType>();
//! assert_eq!(ts.value(0), 1_684_226_820_937);
//! let status = batch.column_by_name("sc_status").unwrap().as_primitive::<Int16Type>();
//! assert_eq!(status.value(1), 200);
//! let ua = batch.column_by_name("cs_user_agent").unwrap().as_string::<i32>();
//! assert_eq!(ua.value(1), "Mozilla/5.0 (X11)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod decode;
mod fields;
mod format;
mod record;
mod values;

pub use fields::{
    FieldList, FieldOrder, KnownField, REALTIME_FIELDS, STANDARD_FIELDS, UnknownFields, column_name,
};
pub(crate) use format::{REALTIME, STANDARD};
pub use record::CloudFrontRecord;
