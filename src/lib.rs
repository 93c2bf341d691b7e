//! Fast, zero-copy parsing of AWS access logs into Apache Arrow record batches and Parquet.
//!
//! Seven formats ([`Format`]):
//!
//! * **Amazon S3 server access logs** ([`s3`]): every era of the format (17 to 27 fields, and
//!   any fields AWS appends later), with its quirks — the bracketed time with a UTC offset,
//!   quoted fields whose inner quotes are not escaped, bare `-` and `"-"`, requesters with
//!   spaces, IPv6 addresses.
//! * **Amazon CloudFront real-time logs** ([`cloudfront`]): tab-separated, no header, fields in
//!   AWS's canonical order whatever the configuration's order; give the field list with
//!   [`ReaderBuilder::with_fields`].
//! * **Amazon CloudFront standard logs** ([`cloudfront`]): W3C, schema from each input's
//!   `#Fields:` line; legacy 24/26/33-field layouts and standard logging v2 selections.
//! * **Elastic Load Balancing logs** ([`elb`]): Application Load Balancer (ALB) access logs,
//!   Network Load Balancer (NLB) access logs, Classic Load Balancer (CLB) access logs and ALB
//!   connection logs; every era of each (unknown trailing fields kept), IPv6 endpoints split
//!   into address and port, the request line whole and split.
//!
//! [`Format::detect`] and [`ReaderBuilder::auto`] recognise the format from the first lines.
//!
//! # Which type do I want?
//!
//! * Read a file or stream (plain or gzip) as batches: [`ReaderBuilder::build`] → [`Reader`],
//!   an `Iterator` of [`RecordBatch`](arrow::array::RecordBatch)es and a
//!   [`RecordBatchReader`](arrow::array::RecordBatchReader).
//! * Read a log already in memory where it lies, without copying it into read buffers:
//!   [`ReaderBuilder::build_from_bytes`] (a `bytes::Bytes`, say an S3 object's body) or
//!   [`ReaderBuilder::build_from_buffer`] (an Arrow `Buffer`); with
//!   [`ReaderBuilder::with_string_view`] the text values point into it.
//! * Decode one large input on several cores: [`ReaderBuilder::build_parallel`] →
//!   [`ParallelReader`] (the same rows, rejects and counters, in input order).
//! * Feed bytes as they arrive (network, your own decompression): [`ReaderBuilder::build_decoder`]
//!   → [`Decoder`] (`decode` / `flush` / `finish`).
//! * Write Parquet: [`parquet::write_parquet`] (feature `parquet`); an Arrow IPC stream:
//!   [`ipc::write_ipc_stream`].
//! * Look at single lines without Arrow: [`s3::S3Record::parse`], a borrowed record with typed
//!   accessors, [`cloudfront::CloudFrontRecord::parse`], [`elb::ElbRecord::parse`]; [`raw`] has
//!   the line splitter.
//!
//! # Nothing is lost
//!
//! Every line becomes a row, a [`Reject`] (line number, byte offset, field, error, raw bytes),
//! or a skipped blank or `#` comment line: [`DecodeStats`] keeps
//! `rows + rejected + blank_lines + comment_lines == lines`.
//! A line with invalid UTF-8 keeps its row (invalid bytes become U+FFFD) and is also recorded
//! as [`RejectOutcome::Repaired`] with its original bytes. With [`ErrorPolicy::FailFast`] the
//! first bad line is returned as an [`Error`] instead.
//!
//! # Hostile input
//!
//! Logs are untrusted. Limits with documented defaults bound what any input can cost: line
//! length ([`ReaderBuilder::with_max_line_length`], 1 MiB), fields per line
//! ([`ReaderBuilder::with_max_fields`], 256), gzip expansion
//! ([`ReaderBuilder::with_max_gzip_ratio`], 100× once 16 MiB are out; a gzip bomb is an
//! [`ErrorKind::DecompressionLimit`] error) and decompressed size
//! ([`ReaderBuilder::with_max_decompressed_bytes`], none by default), plus the batch and reject
//! bounds. The crate's `unsafe` code does three things. The string views of
//! [`ReaderBuilder::with_string_view`] are made straight from the field spans of a line whose
//! UTF-8 was checked once, and their arrays are assembled without checking it again value by
//! value (a field starts and ends next to an ASCII separator, so it holds whole characters;
//! debug builds, the tests and the fuzz targets check every such array again); the values of
//! `Utf8` columns are copied from that line's spans the same way, and their arrays assembled
//! without checking their UTF-8 again (debug builds check it). A CloudFront
//! line whose bytes are all ASCII (found by the same SSE2 reads that find its tabs) is taken as
//! text without another UTF-8 check. And those SSE2 comparisons, which also find the ends of S3
//! fields, are called (compiled only where the build enables SSE2).
//! It is fuzzed with cargo-fuzz (the repository's `fuzz/`).
//!
//! # Example
//!
//! ```
//! use aws_access_logs::{Format, ReaderBuilder};
//! use arrow::array::{AsArray, Array};
//! use arrow::datatypes::Int16Type;
//!
//! let log = concat!(
//!     "79a5 amzn-s3-demo-bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE ",
//!     "REST.GET.OBJECT photos/cat.jpg \"GET /photos/cat.jpg HTTP/1.1\" 200 - 113 113 7 6 ",
//!     "\"-\" \"curl/8.0\" -\n",
//! );
//! let mut reader = ReaderBuilder::new(Format::S3).build(log.as_bytes())?;
//! let batch = reader.next().unwrap()?;
//! let status = batch.column_by_name("http_status").unwrap().as_primitive::<Int16Type>();
//! assert_eq!(status.value(0), 200);
//! assert!(batch.column_by_name("referer").unwrap().is_null(0));
//! assert_eq!(reader.stats().rows, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Cargo features
//!
//! * `parquet` (default): the [`parquet`] module, a streaming Parquet writer.
//! * `serde`: `serde::Serialize` for [`Reject`] (the JSON of a rejected or repaired line),
//!   [`DecodeStats`], [`Format`] (its name), [`RejectOutcome`], [`ErrorKind`], [`Position`],
//!   [`ErrorPolicy`] and the Parquet options and summary.
//!
//! The library never prints and never reads environment variables; it spawns threads only when
//! asked to ([`ReaderBuilder::build_parallel`] with more than one thread).

#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]
// On docs.rs (`--cfg docsrs`, see Cargo.toml): items that need a feature say which.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod cloudfront;
mod columns;
mod contract;
pub mod ddl;
mod decoder;
pub mod elb;
mod error;
mod format;
pub mod ipc;
mod parallel;
#[cfg(feature = "parquet")]
#[cfg_attr(docsrs, doc(cfg(feature = "parquet")))]
pub mod parquet;
pub mod partition;
pub mod raw;
mod reader;
mod reject;
pub mod s3;
#[cfg(feature = "serde")]
mod ser;
mod text;
mod unchecked;
mod values;
mod views;

/// The `parquet` crate that the [`parquet`] module writes with, re-exported for the same
/// reason (to read the files back with its `ParquetRecordBatchReaderBuilder`, say).
#[cfg(feature = "parquet")]
#[cfg_attr(docsrs, doc(cfg(feature = "parquet")))]
pub use ::parquet as parquet_crate;
/// The `arrow` crate whose types this crate's API takes and returns (`RecordBatch`, `Schema`,
/// …), re-exported so that a caller uses the very same version without naming it in its own
/// `Cargo.toml`.
pub use arrow;
pub use decoder::Decoder;
pub use error::{Error, ErrorKind, Position, Result};
pub use format::Format;
pub use parallel::ParallelReader;
pub use reader::{BatchSource, Reader, ReaderBuilder};
pub use reject::{DecodeStats, ErrorPolicy, Reject, RejectOutcome};

#[cfg(all(doctest, feature = "parquet"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
