//! The options that do not depend on the inputs, checked (a usage error exits with 2) and made
//! into the reader's and the Parquet writer's options.

use aws_access_logs::cloudfront::{FieldList, FieldOrder, UnknownFields};
use aws_access_logs::parquet::{ParquetCompression, ParquetOptions};
use aws_access_logs::{Format, ReaderBuilder};

use crate::args::{Args, FieldOrderArg, FormatArg, UnknownFieldsArg, usage};
use crate::output::OutputFormat;
use crate::partial;

impl Args {
    /// Checks the options that do not depend on the inputs (a usage error exits with 2), and
    /// gives the reader and Parquet options.
    pub fn options(&self) -> (ReaderBuilder, ParquetOptions) {
        if self.partition_by.is_some() {
            if self.output_format != OutputFormat::Parquet {
                usage(
                    "--partition-by writes a Parquet table: give --output-format parquet (the default)",
                );
            }
            if self.output.as_os_str() == "-" {
                usage("--partition-by writes a table of many files: give -o DIR, not -o -");
            }
        }
        let builder = reader_builder(self);
        let parquet = parquet_options(self);
        for (flag, path) in [
            ("--rejects", &self.rejects),
            ("--summary-json", &self.summary_json),
        ] {
            if let Some(path) = path
                && !self.force
                && partial::occupied(path)
                && !partial::is_special(path)
            {
                usage(format!(
                    "{flag} {} exists: give --force to overwrite it",
                    path.display()
                ));
            }
        }
        (builder, parquet)
    }
}

pub fn field_list(args: &Args) -> Option<FieldList> {
    let spec = args.fields.as_ref()?;
    let text = match spec.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .unwrap_or_else(|e| usage(format!("--fields: cannot read {path}: {e}"))),
        None => spec.clone(),
    };
    let order = match args.field_order {
        FieldOrderArg::Canonical => FieldOrder::Canonical,
        FieldOrderArg::AsGiven => FieldOrder::AsGiven,
    };
    let unknown = match args.unknown_fields {
        UnknownFieldsArg::Reject => UnknownFields::Reject,
        UnknownFieldsArg::Text => UnknownFields::Text,
    };
    Some(
        FieldList::realtime_with(&text, order, unknown)
            .unwrap_or_else(|e| usage(format!("--fields: {e}"))),
    )
}

/// Checks the options that do not depend on the inputs, and builds the reader builder.
fn reader_builder(args: &Args) -> ReaderBuilder {
    let mut builder = match args.format.format() {
        Some(format) => ReaderBuilder::new(format),
        None => ReaderBuilder::auto(),
    };
    if let Some(fields) = field_list(args) {
        match args.format {
            FormatArg::CloudfrontStandard => usage(
                "--fields is the field list of CloudFront real-time logs; standard logs name \
                 their fields in their #Fields: line",
            ),
            FormatArg::Auto | FormatArg::CloudfrontRealtime => {}
            fixed => usage(format!(
                "--fields is the field list of CloudFront real-time logs; {} have fixed fields",
                fixed.logs()
            )),
        }
        builder = builder.with_fields(fields);
    }
    if !args.decode.is_empty() {
        if args.format == FormatArg::S3 {
            usage(
                "--decode applies to CloudFront and Elastic Load Balancing logs; S3 access logs \
                 are kept as logged",
            );
        }
        builder = builder.with_percent_decoding(args.decode.iter().cloned());
    }
    builder = builder
        .with_batch_size(args.batch_size)
        .with_max_line_length(args.max_line_length)
        .with_max_gzip_ratio(args.max_gzip_ratio)
        .with_segment_size(args.segment_size);
    if args.segment_size == 0 {
        usage("--segment-size must be at least 1");
    }
    // Invalid sizes are usage errors (the builder says which).
    if let Some(format) = args.format.format()
        && format != Format::CloudFrontStandard
        && let Err(e) = builder.schema()
    {
        usage(e);
    }
    builder
}

fn parquet_options(args: &Args) -> ParquetOptions {
    if args.output_format != OutputFormat::Parquet
        && (args.compression.is_some() || !args.bloom_filter.is_empty())
    {
        usage("--compression and --bloom-filter apply to Parquet output");
    }
    let mut options = ParquetOptions::new()
        .with_compression(args.compression.unwrap_or(ParquetCompression::Zstd(3)))
        .with_max_row_group_rows(args.row_group_rows)
        .with_max_row_group_bytes(args.row_group_bytes);
    if !args.bloom_filter.is_empty() {
        options = options.with_bloom_filter(args.bloom_filter.iter().cloned());
    }
    options
}
