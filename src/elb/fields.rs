//! The fields of each Elastic Load Balancing log, in log order, and the columns they become.

use std::sync::{Arc, OnceLock};

use arrow::datatypes::{Field, Schema, SchemaRef};

use crate::columns::{AWS_NAME_KEY, ColumnType};

/// One of the four Elastic Load Balancing log formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flavor {
    /// Application Load Balancer access logs ([`crate::Format::Alb`]).
    Alb,
    /// Network Load Balancer access logs, TLS listeners ([`crate::Format::Nlb`]).
    Nlb,
    /// Classic Load Balancer access logs ([`crate::Format::Clb`]).
    Clb,
    /// Application Load Balancer connection logs ([`crate::Format::AlbConnection`]).
    AlbConnection,
}

/// How a field's text becomes values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text, as logged.
    Text,
    /// An ISO 8601 UTC time (`2018-07-02T22:23:00.186641Z`; NLB: `2018-12-20T02:59:40`), as
    /// microseconds.
    Time,
    /// Seconds with decimals (`0.086`), or `-1` (not dispatched).
    Seconds,
    /// A non-negative integer of at most `max`.
    UInt(u64),
    /// An integer that may be `-1` (`matched_rule_priority`).
    Int(i64),
    /// `address:port` (IPv6 without brackets: split at the last colon): two columns.
    Endpoint,
    /// A request line: the whole line and its method, URL and HTTP version: four columns.
    Request,
}

/// A field of a log line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldDef {
    /// AWS's name.
    pub(crate) aws: &'static str,
    /// The column name (the first column's for an endpoint: `client` gives `client_ip` and
    /// `client_port`).
    pub(crate) column: &'static str,
    pub(crate) kind: Kind,
}

const fn f(aws: &'static str, column: &'static str, kind: Kind) -> FieldDef {
    FieldDef { aws, column, kind }
}

/// A field whose column has AWS's name.
const fn same(name: &'static str, kind: Kind) -> FieldDef {
    f(name, name, kind)
}

const STATUS: Kind = Kind::UInt(crate::values::I16_MAX);
const BYTES: Kind = Kind::UInt(crate::values::I64_MAX);
const PORT: Kind = Kind::UInt(u16::MAX as u64);

/// ALB access log fields (33; lines of 18 or more fields are read).
const ALB: &[FieldDef] = &[
    same("type", Kind::Text),
    same("time", Kind::Time),
    same("elb", Kind::Text),
    f("client:port", "client", Kind::Endpoint),
    f("target:port", "target", Kind::Endpoint),
    same("request_processing_time", Kind::Seconds),
    same("target_processing_time", Kind::Seconds),
    same("response_processing_time", Kind::Seconds),
    same("elb_status_code", STATUS),
    same("target_status_code", STATUS),
    same("received_bytes", BYTES),
    same("sent_bytes", BYTES),
    same("request", Kind::Request),
    same("user_agent", Kind::Text),
    same("ssl_cipher", Kind::Text),
    same("ssl_protocol", Kind::Text),
    same("target_group_arn", Kind::Text),
    same("trace_id", Kind::Text),
    same("domain_name", Kind::Text),
    same("chosen_cert_arn", Kind::Text),
    same("matched_rule_priority", Kind::Int(i32::MAX as i64)),
    same("request_creation_time", Kind::Time),
    same("actions_executed", Kind::Text),
    same("redirect_url", Kind::Text),
    same("error_reason", Kind::Text),
    f("target:port_list", "target_port_list", Kind::Text),
    same("target_status_code_list", Kind::Text),
    same("classification", Kind::Text),
    same("classification_reason", Kind::Text),
    same("conn_trace_id", Kind::Text),
    same("transformed_host", Kind::Text),
    same("transformed_uri", Kind::Text),
    same("request_transform_status", Kind::Text),
];

/// NLB access log fields (22; lines of 18 or more fields are read).
const NLB: &[FieldDef] = &[
    same("type", Kind::Text),
    same("version", Kind::Text),
    same("time", Kind::Time),
    same("elb", Kind::Text),
    same("listener", Kind::Text),
    f("client:port", "client", Kind::Endpoint),
    f("destination:port", "destination", Kind::Endpoint),
    same("connection_time", BYTES),
    same("tls_handshake_time", BYTES),
    same("received_bytes", BYTES),
    same("sent_bytes", BYTES),
    same("incoming_tls_alert", Kind::UInt(crate::values::I32_MAX)),
    same("chosen_cert_arn", Kind::Text),
    same("chosen_cert_serial", Kind::Text),
    same("tls_cipher", Kind::Text),
    same("tls_protocol_version", Kind::Text),
    same("tls_keyexchange", Kind::Text),
    same("domain_name", Kind::Text),
    same("alpn_fe_protocol", Kind::Text),
    same("alpn_be_protocol", Kind::Text),
    same("alpn_client_preference_list", Kind::Text),
    same("tls_connection_creation_time", Kind::Time),
];

/// CLB access log fields (15; lines of 12 or more fields are read).
const CLB: &[FieldDef] = &[
    same("time", Kind::Time),
    same("elb", Kind::Text),
    f("client:port", "client", Kind::Endpoint),
    f("backend:port", "backend", Kind::Endpoint),
    same("request_processing_time", Kind::Seconds),
    same("backend_processing_time", Kind::Seconds),
    same("response_processing_time", Kind::Seconds),
    same("elb_status_code", STATUS),
    same("backend_status_code", STATUS),
    same("received_bytes", BYTES),
    same("sent_bytes", BYTES),
    same("request", Kind::Request),
    same("user_agent", Kind::Text),
    same("ssl_cipher", Kind::Text),
    same("ssl_protocol", Kind::Text),
];

/// ALB connection log fields (15; lines of 11 or more fields are read). AWS's `timestamp` is
/// the `time` column, as in the other formats.
const CONNECTION: &[FieldDef] = &[
    f("timestamp", "time", Kind::Time),
    same("client_ip", Kind::Text),
    same("client_port", PORT),
    same("listener_port", PORT),
    same("tls_protocol", Kind::Text),
    same("tls_cipher", Kind::Text),
    same("tls_handshake_latency", Kind::Seconds),
    same("leaf_client_cert_subject", Kind::Text),
    same("leaf_client_cert_validity", Kind::Text),
    same("leaf_client_cert_serial_number", Kind::Text),
    same("tls_verify_status", Kind::Text),
    same("conn_trace_id", Kind::Text),
    same("tls_keyexchange", Kind::Text),
    same("elb", Kind::Text),
    same("ip_address", Kind::Text),
];

/// The most fields any flavor knows (ALB's 33).
pub(crate) const MAX_KNOWN: usize = 33;

/// Which part of a field a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The value (text or typed).
    Whole,
    /// An endpoint's address.
    Ip,
    /// An endpoint's port.
    Port,
    /// A request line's method.
    Method,
    /// A request line's URL.
    Url,
    /// A request line's HTTP version.
    Version,
    /// The unknown fields after the known ones.
    Trailing,
}

/// A column of the full schema: which field (an index into the flavor's fields; unused for
/// `trailing_fields`) and which part of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ColumnDef {
    pub(crate) field: usize,
    pub(crate) part: Part,
    pub(crate) ty: ColumnType,
}

impl Flavor {
    /// Every flavor.
    pub const ALL: &'static [Flavor] =
        &[Flavor::Alb, Flavor::Nlb, Flavor::Clb, Flavor::AlbConnection];

    /// The flavor's name in error messages.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Flavor::Alb => "ALB access log",
            Flavor::Nlb => "NLB access log",
            Flavor::Clb => "CLB access log",
            Flavor::AlbConnection => "ALB connection log",
        }
    }

    pub(crate) fn fields(self) -> &'static [FieldDef] {
        match self {
            Flavor::Alb => ALB,
            Flavor::Nlb => NLB,
            Flavor::Clb => CLB,
            Flavor::AlbConnection => CONNECTION,
        }
    }

    /// The fewest fields a line has: the first era of the format (ALB and NLB 18, CLB 12,
    /// connection logs 11). Older-era lines leave the later columns null.
    pub fn min_fields(self) -> usize {
        match self {
            Flavor::Alb | Flavor::Nlb => 18,
            Flavor::Clb => 12,
            Flavor::AlbConnection => 11,
        }
    }

    /// Whether fields may be quoted (`"GET / HTTP/1.1"`). NLB fields never are, and hold no
    /// spaces, but one holds quotes (`"h2","http/1.1"`): NLB lines are split on spaces only.
    pub(crate) fn quoting(self) -> bool {
        self != Flavor::Nlb
    }

    /// The AWS names of the known fields, in log order.
    pub fn field_names(self) -> Vec<&'static str> {
        self.fields().iter().map(|f| f.aws).collect()
    }

    /// The columns of the full schema, in order.
    pub(crate) fn columns(self) -> &'static [ColumnDef] {
        static COLUMNS: [OnceLock<Vec<ColumnDef>>; 4] = [const { OnceLock::new() }; 4];
        COLUMNS[self as usize].get_or_init(|| build(self).0)
    }

    /// The full Arrow schema (see [`crate::elb`] for the columns).
    pub fn schema(self) -> SchemaRef {
        static SCHEMAS: [OnceLock<SchemaRef>; 4] = [const { OnceLock::new() }; 4];
        SCHEMAS[self as usize].get_or_init(|| build(self).1).clone()
    }
}

/// The columns and schema of a flavor.
fn build(flavor: Flavor) -> (Vec<ColumnDef>, SchemaRef) {
    let mut columns = Vec::new();
    let mut fields = Vec::new();
    let mut push = |name: String, aws: &str, field: usize, part: Part, ty: ColumnType| {
        columns.push(ColumnDef { field, part, ty });
        fields.push(Field::new(name, ty.data_type(), true).with_metadata(
            std::collections::HashMap::from([(AWS_NAME_KEY.to_string(), aws.to_string())]),
        ));
    };
    for (i, def) in flavor.fields().iter().enumerate() {
        let (aws, name) = (def.aws, def.column);
        match def.kind {
            Kind::Endpoint => {
                push(format!("{name}_ip"), aws, i, Part::Ip, ColumnType::Utf8);
                push(
                    format!("{name}_port"),
                    aws,
                    i,
                    Part::Port,
                    ColumnType::Int32,
                );
            }
            Kind::Request => {
                push(name.into(), aws, i, Part::Whole, ColumnType::Utf8);
                push(
                    format!("{name}_method"),
                    aws,
                    i,
                    Part::Method,
                    ColumnType::Utf8,
                );
                push(format!("{name}_url"), aws, i, Part::Url, ColumnType::Utf8);
                push(
                    format!("{name}_http_version"),
                    aws,
                    i,
                    Part::Version,
                    ColumnType::Utf8,
                );
            }
            kind => push(name.into(), aws, i, Part::Whole, column_type(kind)),
        }
    }
    push(
        "trailing_fields".into(),
        "(fields after the last known one)",
        usize::MAX,
        Part::Trailing,
        ColumnType::Utf8,
    );
    let schema = Arc::new(Schema::new(fields));
    (columns, schema)
}

/// The column type of a one-column field.
fn column_type(kind: Kind) -> ColumnType {
    match kind {
        Kind::Text | Kind::Endpoint | Kind::Request => ColumnType::Utf8,
        Kind::Time => ColumnType::TimestampUs,
        Kind::Seconds => ColumnType::Float64,
        Kind::UInt(max) if max <= crate::values::I16_MAX => ColumnType::Int16,
        Kind::UInt(max) if max <= crate::values::I32_MAX => ColumnType::Int32,
        Kind::UInt(_) => ColumnType::Int64,
        Kind::Int(max) if max <= i64::from(i32::MAX) => ColumnType::Int32,
        Kind::Int(_) => ColumnType::Int64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_follow_the_rules() {
        for &flavor in Flavor::ALL {
            assert!(flavor.fields().len() <= MAX_KNOWN);
            let schema = flavor.schema();
            assert_eq!(schema.fields().len(), flavor.columns().len());
            for field in schema.fields() {
                let name = field.name();
                assert!(
                    name.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{name}"
                );
            }
            assert_eq!(schema.fields().last().unwrap().name(), "trailing_fields");
            assert_eq!(
                schema.field(0).name(),
                if flavor == Flavor::Alb || flavor == Flavor::Nlb {
                    "type"
                } else {
                    "time"
                }
            );
        }
        let alb = Flavor::Alb.schema();
        for name in [
            "client_ip",
            "client_port",
            "target_ip",
            "target_port",
            "request_method",
            "request_url",
            "request_http_version",
            "target_port_list",
        ] {
            assert!(alb.index_of(name).is_ok(), "{name}");
        }
        assert_eq!(alb.fields().len(), 39);
        assert_eq!(Flavor::Nlb.schema().fields().len(), 25);
        assert_eq!(Flavor::Clb.schema().fields().len(), 21);
        assert_eq!(Flavor::AlbConnection.schema().fields().len(), 16);
    }
}
