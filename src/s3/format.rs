//! S3 server access logs in the format registry: names, detection, options.

use arrow::datatypes::SchemaRef;

use super::decode::S3Rows;
use super::fields::S3Field;
use super::record::FORMAT_LABEL;
use crate::contract::{ColumnsConfig, FormatOptions, LogFormat, RowDecoder};
use crate::error::{Error, ErrorKind, Result};

/// S3 server access logs ([`crate::Format::S3`]).
pub(crate) struct S3Format;

/// The registry's entry for S3 server access logs.
pub(crate) static S3: S3Format = S3Format;

impl LogFormat for S3Format {
    fn name(&self) -> &'static str {
        "s3"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["s3-access", "s3-access-log"]
    }

    fn label(&self) -> &'static str {
        FORMAT_LABEL
    }

    fn table_name(&self) -> &'static str {
        "s3-access"
    }

    fn schema(&self) -> Option<SchemaRef> {
        Some(S3Field::schema())
    }

    /// `owner bucket [dd/Mon/yyyy:`.
    fn detect(&self, line: &[u8]) -> bool {
        let mut parts = line.splitn(3, |&b| b == b' ');
        let (Some(owner), Some(bucket), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
        !owner.is_empty()
            && !bucket.is_empty()
            && rest.len() >= 13
            && rest[0] == b'['
            && digits(&rest[1..3])
            && rest[3] == b'/'
            && rest[4..7].iter().all(u8::is_ascii_alphabetic)
            && rest[7] == b'/'
            && digits(&rest[8..12])
            && rest[12] == b':'
    }

    fn shape(&self) -> &'static str {
        "an S3 server access log line (owner bucket [06/Feb/2019:00:00:38 +0000] ...)"
    }

    fn check(&self, options: &FormatOptions, max_fields: usize, _detected: bool) -> Result<()> {
        if max_fields < S3Field::REQUIRED {
            return Err(Error::new(ErrorKind::InvalidArgument).with_detail(format!(
                "maximum fields must be at least {} (the fields every S3 access log line has)",
                S3Field::REQUIRED
            )));
        }
        if options.fields.is_some() || !options.decode.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument).with_detail(
                "field lists and percent-decoding apply to CloudFront logs, not to S3 access logs",
            ));
        }
        crate::columns::project(&S3Field::schema(), options.projection.as_deref()).map(|_| ())
    }

    fn row_decoder(
        &self,
        options: &FormatOptions,
        config: ColumnsConfig,
    ) -> Result<Box<dyn RowDecoder>> {
        let (indices, schema) =
            crate::columns::project(&S3Field::schema(), options.projection.as_deref())?;
        let schema = if config.views {
            crate::views::view_schema(&schema)
        } else {
            schema
        };
        let fields = indices.iter().map(|&i| S3Field::ALL[i]).collect();
        Ok(Box::new(S3Rows::new(fields, schema, config)))
    }
}
