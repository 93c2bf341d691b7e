//! The fields of an S3 server access log line, in log order, and the Arrow schema they map to.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{Field, Schema, SchemaRef};

use crate::columns::{AWS_NAME_KEY, ColumnType};

/// One field (column) of an S3 server access log, in log order.
///
/// `TrailingFields` is not an AWS field: it holds, as logged, whatever follows the last field
/// this version knows (AWS appends fields over time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum S3Field {
    /// Canonical user ID of the source bucket's owner.
    BucketOwner,
    /// Name of the bucket the request was processed against.
    Bucket,
    /// Time the request was received, converted to UTC.
    Time,
    /// Apparent IP address of the requester.
    RemoteIp,
    /// Canonical user ID, IAM/STS ARN or service principal of the requester (may contain spaces).
    Requester,
    /// Request ID.
    RequestId,
    /// Operation, e.g. `REST.GET.OBJECT`.
    Operation,
    /// Object key, as logged (URL-encoded by S3; not decoded here).
    Key,
    /// Request-URI of the HTTP request line, without its quotes.
    RequestUri,
    /// HTTP status code.
    HttpStatus,
    /// S3 error code.
    ErrorCode,
    /// Response bytes sent, excluding protocol overhead (`-` means 0).
    BytesSent,
    /// Total size of the object.
    ObjectSize,
    /// Milliseconds from request received to last response byte sent.
    TotalTimeMs,
    /// Milliseconds from last request byte received to first response byte sent.
    TurnAroundTimeMs,
    /// Referer header, without its quotes.
    Referer,
    /// User-Agent header, without its quotes.
    UserAgent,
    /// Version ID of the object.
    VersionId,
    /// `x-amz-id-2` extended request ID.
    HostId,
    /// Signature version (`SigV2`, `SigV4`).
    SignatureVersion,
    /// TLS cipher suite.
    CipherSuite,
    /// Authentication type (`AuthHeader`, `QueryString`).
    AuthenticationType,
    /// Endpoint host name used for the request.
    HostHeader,
    /// TLS version (`TLSv1.2`, ...), as logged.
    TlsVersion,
    /// Access point ARN.
    AccessPointArn,
    /// Whether an ACL was required to authorize the request (`Yes` true, `-` false).
    AclRequired,
    /// AWS Region the request came from.
    SourceRegion,
    /// Unknown fields after the last known one, as logged.
    TrailingFields,
}

impl S3Field {
    /// Every field, in log order (the order of the columns of [`S3Field::schema`]).
    pub const ALL: &'static [S3Field] = &[
        S3Field::BucketOwner,
        S3Field::Bucket,
        S3Field::Time,
        S3Field::RemoteIp,
        S3Field::Requester,
        S3Field::RequestId,
        S3Field::Operation,
        S3Field::Key,
        S3Field::RequestUri,
        S3Field::HttpStatus,
        S3Field::ErrorCode,
        S3Field::BytesSent,
        S3Field::ObjectSize,
        S3Field::TotalTimeMs,
        S3Field::TurnAroundTimeMs,
        S3Field::Referer,
        S3Field::UserAgent,
        S3Field::VersionId,
        S3Field::HostId,
        S3Field::SignatureVersion,
        S3Field::CipherSuite,
        S3Field::AuthenticationType,
        S3Field::HostHeader,
        S3Field::TlsVersion,
        S3Field::AccessPointArn,
        S3Field::AclRequired,
        S3Field::SourceRegion,
        S3Field::TrailingFields,
    ];

    /// Number of AWS fields this version knows (all but `TrailingFields`).
    pub const KNOWN: usize = 27;

    /// Fields a line must have at least: everything up to and including the User-Agent.
    pub const REQUIRED: usize = 17;

    /// 0-based position in log order (and column index in the full schema).
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The snake_case column name.
    pub fn name(self) -> &'static str {
        match self {
            S3Field::BucketOwner => "bucket_owner",
            S3Field::Bucket => "bucket",
            S3Field::Time => "time",
            S3Field::RemoteIp => "remote_ip",
            S3Field::Requester => "requester",
            S3Field::RequestId => "request_id",
            S3Field::Operation => "operation",
            S3Field::Key => "key",
            S3Field::RequestUri => "request_uri",
            S3Field::HttpStatus => "http_status",
            S3Field::ErrorCode => "error_code",
            S3Field::BytesSent => "bytes_sent",
            S3Field::ObjectSize => "object_size",
            S3Field::TotalTimeMs => "total_time_ms",
            S3Field::TurnAroundTimeMs => "turn_around_time_ms",
            S3Field::Referer => "referer",
            S3Field::UserAgent => "user_agent",
            S3Field::VersionId => "version_id",
            S3Field::HostId => "host_id",
            S3Field::SignatureVersion => "signature_version",
            S3Field::CipherSuite => "cipher_suite",
            S3Field::AuthenticationType => "authentication_type",
            S3Field::HostHeader => "host_header",
            S3Field::TlsVersion => "tls_version",
            S3Field::AccessPointArn => "access_point_arn",
            S3Field::AclRequired => "acl_required",
            S3Field::SourceRegion => "source_region",
            S3Field::TrailingFields => "trailing_fields",
        }
    }

    /// The field's name in AWS's documentation (kept in the Arrow field metadata).
    pub fn aws_name(self) -> &'static str {
        match self {
            S3Field::BucketOwner => "Bucket Owner",
            S3Field::Bucket => "Bucket",
            S3Field::Time => "Time",
            S3Field::RemoteIp => "Remote IP",
            S3Field::Requester => "Requester",
            S3Field::RequestId => "Request ID",
            S3Field::Operation => "Operation",
            S3Field::Key => "Key",
            S3Field::RequestUri => "Request-URI",
            S3Field::HttpStatus => "HTTP status",
            S3Field::ErrorCode => "Error Code",
            S3Field::BytesSent => "Bytes Sent",
            S3Field::ObjectSize => "Object Size",
            S3Field::TotalTimeMs => "Total Time",
            S3Field::TurnAroundTimeMs => "Turn-Around Time",
            S3Field::Referer => "Referer",
            S3Field::UserAgent => "User-Agent",
            S3Field::VersionId => "Version Id",
            S3Field::HostId => "Host Id",
            S3Field::SignatureVersion => "Signature Version",
            S3Field::CipherSuite => "Cipher Suite",
            S3Field::AuthenticationType => "Authentication Type",
            S3Field::HostHeader => "Host Header",
            S3Field::TlsVersion => "TLS version",
            S3Field::AccessPointArn => "Access Point ARN",
            S3Field::AclRequired => "aclRequired",
            S3Field::SourceRegion => "Source Region",
            S3Field::TrailingFields => "(fields after the last known one)",
        }
    }

    /// The field with this snake_case column name.
    pub fn from_name(name: &str) -> Option<S3Field> {
        S3Field::ALL.iter().copied().find(|f| f.name() == name)
    }

    pub(crate) fn column_type(self) -> ColumnType {
        match self {
            S3Field::Time => ColumnType::TimestampMs,
            S3Field::HttpStatus => ColumnType::Int16,
            S3Field::BytesSent | S3Field::ObjectSize => ColumnType::Int64,
            S3Field::TotalTimeMs | S3Field::TurnAroundTimeMs => ColumnType::Int32,
            S3Field::AclRequired => ColumnType::Boolean,
            _ => ColumnType::Utf8,
        }
    }

    /// Whether the column can hold nulls. Only `bytes_sent` cannot (`-` means 0 there).
    pub fn is_nullable(self) -> bool {
        !matches!(self, S3Field::BytesSent)
    }

    /// The Arrow field of this column: name, type, nullability and the AWS name in metadata.
    pub fn arrow_field(self) -> Field {
        Field::new(
            self.name(),
            self.column_type().data_type(),
            self.is_nullable(),
        )
        .with_metadata(HashMap::from([(
            AWS_NAME_KEY.to_string(),
            self.aws_name().to_string(),
        )]))
    }

    /// The full Arrow schema of an S3 server access log, one column per field in log order.
    ///
    /// ```
    /// use aws_access_logs::s3::S3Field;
    /// use arrow::datatypes::DataType;
    ///
    /// let schema = S3Field::schema();
    /// assert_eq!(schema.fields().len(), 28);
    /// assert_eq!(schema.field(9).name(), "http_status");
    /// assert_eq!(schema.field(9).data_type(), &DataType::Int16);
    /// assert_eq!(schema.field(9).metadata()["aws_name"], "HTTP status");
    /// ```
    pub fn schema() -> SchemaRef {
        Arc::new(Schema::new(
            S3Field::ALL
                .iter()
                .map(|f| f.arrow_field())
                .collect::<Vec<_>>(),
        ))
    }
}

impl std::fmt::Display for S3Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
