//! Amazon S3 server access logs: fields, the borrowed [`S3Record`], value parsers and schema.
//!
//! # Schema
//!
//! One column per field, in log order ([`S3Field::schema`]); each Arrow field keeps AWS's name
//! under the metadata key `aws_name`. `-` is null unless the table says otherwise; quoted
//! fields are stored without their quotes, and bare `-` and `"-"` are both null. Integer
//! columns are signed, each the smallest type that holds every valid value of its field, in
//! Arrow and in Parquet alike (Athena, Spark and other Java readers cannot read unsigned
//! Parquet integers); a value beyond its column's range rejects the line
//! ([`crate::ErrorKind::InvalidInteger`]).
//!
//! | column | Arrow type | AWS field | notes |
//! |---|---|---|---|
//! | `bucket_owner` | Utf8 | Bucket Owner | |
//! | `bucket` | Utf8 | Bucket | |
//! | `time` | Timestamp(ms, "UTC") | Time | converted to UTC from the logged offset |
//! | `remote_ip` | Utf8 | Remote IP | |
//! | `requester` | Utf8 | Requester | may contain spaces |
//! | `request_id` | Utf8 | Request ID | |
//! | `operation` | Utf8 | Operation | |
//! | `key` | Utf8 | Key | as logged, not URL-decoded |
//! | `request_uri` | Utf8 | Request-URI | as logged, without quotes |
//! | `http_status` | Int16 | HTTP status | 3 digits; above 32767 out of range |
//! | `error_code` | Utf8 | Error Code | |
//! | `bytes_sent` | Int64, not null | Bytes Sent | `-` is 0 |
//! | `object_size` | Int64 | Object Size | |
//! | `total_time_ms` | Int32 | Total Time | milliseconds (up to 24.8 days) |
//! | `turn_around_time_ms` | Int32 | Turn-Around Time | milliseconds (up to 24.8 days) |
//! | `referer` | Utf8 | Referer | without quotes |
//! | `user_agent` | Utf8 | User-Agent | without quotes |
//! | `version_id` | Utf8 | Version Id | null when the line stops before it |
//! | `host_id` | Utf8 | Host Id | |
//! | `signature_version` | Utf8 | Signature Version | |
//! | `cipher_suite` | Utf8 | Cipher Suite | |
//! | `authentication_type` | Utf8 | Authentication Type | |
//! | `host_header` | Utf8 | Host Header | |
//! | `tls_version` | Utf8 | TLS version | as logged (`TLSv1.2`, `TLSV1.2`) |
//! | `access_point_arn` | Utf8 | Access Point ARN | |
//! | `acl_required` | Boolean | aclRequired | `Yes` true, `-` false, absent null |
//! | `source_region` | Utf8 | Source Region | |
//! | `trailing_fields` | Utf8 | — | unknown fields after the known ones, as logged |

mod decode;
mod fields;
mod format;
mod record;
mod values;

pub use crate::columns::AWS_NAME_KEY;
pub use fields::S3Field;
pub(crate) use format::S3;
pub use record::{S3Record, S3Values};
