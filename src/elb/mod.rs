//! Elastic Load Balancing logs: Application Load Balancer (ALB) access logs, Network Load
//! Balancer (NLB) access logs, Classic Load Balancer (CLB) access logs and ALB connection
//! logs ([`Format::Alb`](crate::Format::Alb), [`Format::Nlb`](crate::Format::Nlb),
//! [`Format::Clb`](crate::Format::Clb), [`Format::AlbConnection`](crate::Format::AlbConnection)).
//!
//! ```
//! use aws_access_logs::{Format, ReaderBuilder};
//!
//! let log = br#"https 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 2001:db8::7:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://example.com:443/a b HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 - "Root=1-58337281-1d84f3d73c47ec4e58577259" "example.com" "-" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_37acbe0641d1c34287fee137ef3a5286 "-" "-" "-" 198.51.100.7
//! "#;
//! let mut reader = ReaderBuilder::auto().build(&log[..])?;
//! let batch = reader.next().unwrap()?;
//! assert_eq!(reader.format(), Format::Alb);
//! let text = |name: &str| {
//!     let column = batch.column_by_name(name).unwrap().as_any();
//!     column.downcast_ref::<arrow::array::StringArray>().unwrap().value(0).to_string()
//! };
//! assert_eq!(text("client_ip"), "2001:db8::7");
//! assert_eq!(text("request_url"), "https://example.com:443/a b");
//! assert_eq!(text("trailing_fields"), "198.51.100.7");
//! # Ok::<(), aws_access_logs::Error>(())
//! ```
//!
//! # Lines
//!
//! Fields are separated by a space. In ALB, CLB and connection logs a field that starts with
//! `"` is quoted and may hold spaces; it ends at the next `"`, which must be followed by a
//! space or the end of the line (else the line is rejected, [`crate::ErrorKind::InvalidQuoting`]).
//! NLB lines are split on spaces only: their fields hold no spaces, but the ALPN list holds
//! quotes (`"h2","http/1.1"`, one value).
//!
//! AWS adds fields at the end of the line now and then. Every era is read: lines need only the
//! fields of the first one ([`Flavor::min_fields`]: ALB and NLB 18, CLB 12, connection logs 11),
//! the later columns are null for older lines, and fields after the known ones are kept, as
//! logged, in `trailing_fields` (null when there are none).
//!
//! # Columns
//!
//! Every format reads alike:
//!
//! * columns are AWS's field names with `:`, `-` and spaces turned into `_`; the Arrow field
//!   keeps AWS's name under the metadata key `aws_name`;
//! * each `X:port` field (`client`, `target`, `backend`, `destination`) becomes `X_ip` (text)
//!   and `X_port` (Int32), split at the *last* colon: IPv6 addresses are logged without
//!   brackets;
//! * the request line is kept whole in `request` and split into `request_method`,
//!   `request_url` and `request_http_version`: the method up to the first space, the version
//!   after the last one (trailing spaces trimmed), the URL between them, spaces included; an
//!   empty or `-` part is null, and a malformed request line (`- http://host:80- -`) is not an
//!   error;
//! * the time column is `time`, `Timestamp(Microsecond, "UTC")`, keeping the precision AWS
//!   logs (ALB and CLB microseconds; NLB whole seconds, logged without `Z`, are UTC too);
//! * `-` (bare or quoted) is null, `""` is the empty string; processing times are Float64
//!   seconds, and `-1` (not dispatched) stays `-1`; integer columns are signed (a value beyond
//!   its column's range rejects the line);
//! * lists (`target_port_list`, `target_status_code_list`) stay text, as logged;
//! * text is raw: ALB's `\xHH` escapes are kept. To decode them (`\x22` is `"`), name the
//!   columns in [`ReaderBuilder::with_percent_decoding`](crate::ReaderBuilder::with_percent_decoding):
//!   ALB, CLB and connection-log columns decode `\xHH`, NLB columns (`domain_name` and the
//!   ALPN list are URL-encoded) `%HH`. A value that would not decode to valid UTF-8 is kept as
//!   logged.
//!
//! ## ALB access logs (`alb`)
//!
//! | column | Arrow type | AWS field |
//! |---|---|---|
//! | `type` | Utf8 | type |
//! | `time` | Timestamp(µs, UTC) | time (the response was generated) |
//! | `elb` | Utf8 | elb |
//! | `client_ip`, `client_port` | Utf8, Int32 | client:port |
//! | `target_ip`, `target_port` | Utf8, Int32 | target:port |
//! | `request_processing_time`, `target_processing_time`, `response_processing_time` | Float64 | seconds, `-1` not dispatched |
//! | `elb_status_code`, `target_status_code` | Int16 | |
//! | `received_bytes`, `sent_bytes` | Int64 | |
//! | `request`, `request_method`, `request_url`, `request_http_version` | Utf8 | request |
//! | `user_agent`, `ssl_cipher`, `ssl_protocol`, `target_group_arn`, `trace_id`, `domain_name`, `chosen_cert_arn` | Utf8 | |
//! | `matched_rule_priority` | Int32 | `-1` error in rule evaluation |
//! | `request_creation_time` | Timestamp(µs, UTC) | |
//! | `actions_executed`, `redirect_url`, `error_reason` | Utf8 | |
//! | `target_port_list`, `target_status_code_list` | Utf8 | target:port_list, target_status_code_list |
//! | `classification`, `classification_reason`, `conn_trace_id` | Utf8 | |
//! | `transformed_host`, `transformed_uri`, `request_transform_status` | Utf8 | |
//! | `trailing_fields` | Utf8 | unknown fields after the known ones |
//!
//! ## NLB access logs (`nlb`)
//!
//! | column | Arrow type | AWS field |
//! |---|---|---|
//! | `type`, `version` | Utf8 | |
//! | `time` | Timestamp(µs, UTC) | time (the TLS connection ended) |
//! | `elb`, `listener` | Utf8 | |
//! | `client_ip`, `client_port` | Utf8, Int32 | client:port |
//! | `destination_ip`, `destination_port` | Utf8, Int32 | destination:port |
//! | `connection_time`, `tls_handshake_time` | Int64 | milliseconds |
//! | `received_bytes`, `sent_bytes` | Int64 | |
//! | `incoming_tls_alert` | Int32 | |
//! | `chosen_cert_arn`, `chosen_cert_serial`, `tls_cipher`, `tls_protocol_version`, `tls_keyexchange`, `domain_name` | Utf8 | |
//! | `alpn_fe_protocol`, `alpn_be_protocol`, `alpn_client_preference_list` | Utf8 | |
//! | `tls_connection_creation_time` | Timestamp(µs, UTC) | |
//! | `trailing_fields` | Utf8 | |
//!
//! ## CLB access logs (`clb`)
//!
//! | column | Arrow type | AWS field |
//! |---|---|---|
//! | `time` | Timestamp(µs, UTC) | time (the request was received) |
//! | `elb` | Utf8 | elb (the load balancer's name) |
//! | `client_ip`, `client_port` | Utf8, Int32 | client:port |
//! | `backend_ip`, `backend_port` | Utf8, Int32 | backend:port |
//! | `request_processing_time`, `backend_processing_time`, `response_processing_time` | Float64 | seconds, `-1` not dispatched |
//! | `elb_status_code`, `backend_status_code` | Int16 | `-` on TCP listeners |
//! | `received_bytes`, `sent_bytes` | Int64 | |
//! | `request`, `request_method`, `request_url`, `request_http_version` | Utf8 | request (`- - - ` on TCP listeners) |
//! | `user_agent`, `ssl_cipher`, `ssl_protocol` | Utf8 | |
//! | `trailing_fields` | Utf8 | |
//!
//! ## ALB connection logs (`alb-connection`)
//!
//! | column | Arrow type | AWS field |
//! |---|---|---|
//! | `time` | Timestamp(µs, UTC) | timestamp |
//! | `client_ip` | Utf8 | |
//! | `client_port`, `listener_port` | Int32 | |
//! | `tls_protocol`, `tls_cipher` | Utf8 | |
//! | `tls_handshake_latency` | Float64 | seconds |
//! | `leaf_client_cert_subject`, `leaf_client_cert_validity`, `leaf_client_cert_serial_number`, `tls_verify_status` | Utf8 | |
//! | `conn_trace_id`, `tls_keyexchange`, `elb`, `ip_address` | Utf8 | |
//! | `trailing_fields` | Utf8 | |
//!
//! # Telling them apart
//!
//! The four formats land under one prefix, `AWSLogs/<account>/elasticloadbalancing/`.
//! [`Format::detect`](crate::Format::detect) and [`ReaderBuilder::auto`](crate::ReaderBuilder::auto)
//! tell them apart by their first line: an ALB line starts with its type (`https`) and a time,
//! an NLB line with `tls` and its version, a CLB line with a time, a name and `client:port`, a
//! connection log line with a time, an address and two ports. The object
//! `AWSLogs/<account>/ELBAccessLogTestFile` that AWS writes when logging is enabled is not a
//! log.

mod decode;
mod fields;
mod format;
mod record;
mod values;

pub use fields::Flavor;
pub(crate) use format::{ALB, ALB_CONNECTION, CLB, NLB};
pub use record::ElbRecord;
