//! Table definitions for the Parquet this crate writes: the Amazon Athena / AWS Glue
//! `CREATE EXTERNAL TABLE` statement of a partitioned table, generated from the Arrow schema
//! that the writer is given, so that the table and the files cannot drift apart.
//!
//! [`AthenaTable`] describes one table: its columns (from the schema, AWS's field name as each
//! column's `COMMENT`), the Hive partition columns of the layout that the converter's
//! `--partition-by` and the Lambda function write (`year=2024/month=03/day=17/hour=09/`, see
//! [`crate::partition`]), and partition projection properties that match that layout exactly, so
//! that Athena finds new partitions without `MSCK REPAIR TABLE` or a crawler.
//!
//! # Types
//!
//! [`hive_type`]: Utf8 (and Utf8View, LargeUtf8) → `string`, Int16 → `smallint`, Int32 → `int`,
//! Int64 → `bigint`, Float64 → `double`, Boolean → `boolean`, Timestamp(ms, "UTC") and
//! Timestamp(µs, "UTC") → `timestamp`. The Elastic Load Balancing formats' times are
//! microseconds (S3 and CloudFront times milliseconds); the Parquet keeps them, and an engine
//! whose `timestamp` is coarser reads them at its own precision. Any other type, unsigned
//! integers included (Athena has none, and it cannot read a `UINT_64` Parquet column), is an
//! error naming the column.
//!
//! # Rows without a time
//!
//! Rows without a record time are written under
//! `year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/…`
//! ([`crate::partition::NULL_PARTITION_VALUE`]). Integer partition projection only ever
//! projects numbers, so a table with projection never reads those rows (they are rare: a line
//! whose time is `-`). A table without projection ([`AthenaTable::with_projection`]`(false)`)
//! reads them once `MSCK REPAIR TABLE` (or `ALTER TABLE … ADD PARTITION`) has registered the
//! folders: Hive, Glue and Athena read that folder's partition columns as NULL, so
//! `WHERE year IS NULL` finds them. A schema without a time column (a CloudFront real-time
//! field list without `timestamp`) puts every row there, so its table has no projection by
//! default.
//!
//! # Example
//!
//! ```
//! use aws_access_logs::{Format, ReaderBuilder};
//! use aws_access_logs::ddl::AthenaTable;
//!
//! let table = AthenaTable::from_builder(&ReaderBuilder::new(Format::S3))?
//!     .with_database("logs")
//!     .with_location("s3://amzn-s3-demo-bucket/lets/s3-access/");
//! let sql = table.to_sql()?;
//! assert!(sql.starts_with("CREATE EXTERNAL TABLE IF NOT EXISTS `logs`.`s3_access` (\n"));
//! assert!(sql.contains("  `time` timestamp COMMENT 'Time',\n"));
//! assert!(sql.contains("  `http_status` smallint COMMENT 'HTTP status',\n"));
//! assert!(sql.contains("'projection.hour.range'='0,23'"));
//! # Ok::<(), aws_access_logs::Error>(())
//! ```

use std::fmt::Write as _;

use arrow::datatypes::{DataType, Schema, TimeUnit};

use crate::cloudfront::{FieldList, STANDARD_FIELDS};
use crate::columns::AWS_NAME_KEY;
use crate::partition::{self, Granularity};
use crate::{Error, ErrorKind, Format, ReaderBuilder, Result};

/// The default year range of the `year` partition projection, inclusive: from 2006, the year
/// Amazon S3 (and its server access logs) started, to 2099.
///
/// Athena projects every combination of the partition values that a query's `WHERE` clause
/// does not rule out, and lists each projected folder (most of them empty). A query without a
/// time filter over an hourly table projects 12 × 31 × 24 = 8,928 partitions per year: 839,232
/// for 2006–2099 (kept under a million, a cap on projected partitions per query that
/// secondary sources cite for Athena; filter on `year`, `month`, … to read only the folders a
/// query needs). A wider range costs such queries more; a narrower one (see
/// [`AthenaTable::with_years`]) makes them cheaper but hides the rows of the years left out,
/// silently.
pub const DEFAULT_YEARS: (u16, u16) = (2006, 2099);

/// The number of fields of the legacy CloudFront standard log layout (the 33 fields from
/// `date` to `sc-range-end`).
const LEGACY_STANDARD_FIELDS: usize = 33;

/// The Athena (Hive DDL) type of an Arrow type, `None` when Athena has no type that reads the
/// Parquet column as it is written (unsigned integers, among others).
///
/// ```
/// use arrow::datatypes::{DataType, TimeUnit};
/// use aws_access_logs::ddl::hive_type;
///
/// assert_eq!(hive_type(&DataType::Int64), Some("bigint"));
/// let time = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
/// assert_eq!(hive_type(&time), Some("timestamp"));
/// // The Elastic Load Balancing formats' times.
/// let micros = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
/// assert_eq!(hive_type(&micros), Some("timestamp"));
/// assert_eq!(hive_type(&DataType::UInt64), None);
/// ```
pub fn hive_type(data_type: &DataType) -> Option<&'static str> {
    Some(match data_type {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => "string",
        DataType::Int16 => "smallint",
        DataType::Int32 => "int",
        DataType::Int64 => "bigint",
        DataType::Float64 => "double",
        DataType::Boolean => "boolean",
        DataType::Timestamp(TimeUnit::Millisecond | TimeUnit::Microsecond, Some(tz))
            if tz.as_ref() == "UTC" =>
        {
            "timestamp"
        }
        _ => return None,
    })
}

/// One column of a table definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name (the Arrow field's name).
    pub name: String,
    /// Its Athena type ([`hive_type`]).
    pub hive_type: &'static str,
    /// AWS's name of the field (the Arrow field's `aws_name` metadata), if it has one (an
    /// empty name is none). The columns made of one field share its name: an endpoint's
    /// `client_ip` and `client_port` are both `client:port`.
    pub comment: Option<String>,
}

/// The columns of a table over Parquet files with this Arrow schema, in schema order.
///
/// # Errors
///
/// [`ErrorKind::InvalidArgument`] naming the first column whose type has no [`hive_type`], or
/// whose name holds a backtick or a control character.
pub fn columns(schema: &Schema) -> Result<Vec<Column>> {
    schema
        .fields()
        .iter()
        .map(|field| {
            let name = field.name();
            if name.is_empty() || name.chars().any(|c| c == '`' || c.is_control()) {
                return Err(invalid(format!(
                    "column {name:?}: the name cannot be used in a table definition"
                )));
            }
            let hive_type = hive_type(field.data_type()).ok_or_else(|| {
                invalid(format!(
                    "column {name:?} has the Arrow type {}, which Athena cannot read (types: \
                     Utf8, Int16, Int32, Int64, Float64, Boolean, Timestamp(ms or µs, \"UTC\"))",
                    field.data_type()
                ))
                .with_field(name.clone())
            })?;
            Ok(Column {
                name: name.clone(),
                hive_type,
                comment: field
                    .metadata()
                    .get(AWS_NAME_KEY)
                    .filter(|aws| !aws.is_empty())
                    .cloned(),
            })
        })
        .collect()
}

/// The field list of the legacy 33-field CloudFront standard log layout (`date time
/// x-edge-location sc-bytes … sc-range-start sc-range-end`), the layout of every standard log
/// written before standard logging v2 let the fields be chosen.
///
/// ```
/// use aws_access_logs::ddl::standard_legacy_fields;
///
/// let fields = standard_legacy_fields();
/// assert_eq!(fields.len(), 33);
/// assert_eq!(fields.aws_names().last(), Some("sc-range-end"));
/// // date + time become one `timestamp` column.
/// assert_eq!(fields.schema().fields().len(), 32);
/// ```
pub fn standard_legacy_fields() -> FieldList {
    let names: Vec<&str> = STANDARD_FIELDS[..LEGACY_STANDARD_FIELDS]
        .iter()
        .map(|f| f.name())
        .collect();
    // The names are known, distinct and map to distinct columns: this cannot fail.
    FieldList::standard(&names.join(" ")).unwrap_or_else(|e| unreachable!("{e}"))
}

fn invalid(detail: String) -> Error {
    Error::new(ErrorKind::InvalidArgument).with_detail(detail)
}

/// An Athena / AWS Glue table over a format's partitioned Parquet output, and its
/// `CREATE EXTERNAL TABLE` statement ([`AthenaTable::to_sql`]).
///
/// Defaults: the table is named after the format's table folder with `-` → `_`
/// (`s3_access`, `cloudfront_realtime`, `cloudfront_standard`, `alb_access`, `nlb_access`,
/// `clb_access`, `alb_connection`); no database (the query's
/// current one); partitions by the hour ([`Granularity::Hour`], as the Lambda function
/// writes by default); years [`DEFAULT_YEARS`]; partition projection when the schema has a time
/// column. The location has no default: give the table folder, the one holding the `year=…`
/// folders (`s3://OUTPUT_BUCKET/OUTPUT_PREFIX` + the table folder + `/` for the Lambda
/// function's output, `-o DIR/` + the table folder for the converter's `--partition-by`).
///
/// CloudFront real-time logs, with the log configuration's field list:
///
/// ```
/// use aws_access_logs::{Format, ReaderBuilder};
/// use aws_access_logs::cloudfront::FieldList;
/// use aws_access_logs::ddl::AthenaTable;
///
/// let fields = FieldList::realtime("timestamp,c-ip,sc-status,sc-bytes,time-taken")?;
/// let builder = ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(fields);
/// let sql = AthenaTable::from_builder(&builder)?
///     .with_location("s3://amzn-s3-demo-bucket/lets/cloudfront-realtime/")
///     .to_sql()?;
/// assert!(sql.contains("  `sc_bytes` bigint COMMENT 'sc-bytes',\n"));
/// assert!(sql.contains("  `time_taken` double COMMENT 'time-taken'\n)"));
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
///
/// CloudFront standard logs, with the fields of their `#Fields:` line, by the day and without
/// projection:
///
/// ```
/// use aws_access_logs::{Format, ReaderBuilder};
/// use aws_access_logs::ddl::{AthenaTable, standard_legacy_fields};
/// use aws_access_logs::partition::Granularity;
///
/// let builder =
///     ReaderBuilder::new(Format::CloudFrontStandard).with_fields(standard_legacy_fields());
/// let table = AthenaTable::from_builder(&builder)?
///     .with_location("s3://amzn-s3-demo-bucket/lets/cloudfront-standard/")
///     .with_partition_by(Granularity::Day)
///     .with_projection(false);
/// let sql = table.to_sql()?;
/// assert!(sql.contains("  `timestamp` timestamp COMMENT 'date time',\n"));
/// assert!(sql.contains("PARTITIONED BY (\n  `year` int,\n  `month` int,\n  `day` int\n)"));
/// assert!(!sql.contains("projection"));
/// assert_eq!(table.properties()?, [("classification".to_string(), "parquet".to_string())]);
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
///
/// Elastic Load Balancing logs have fixed schemas, as S3 access logs do; their times are
/// microseconds, an Athena `timestamp` too:
///
/// ```
/// use aws_access_logs::{Format, ReaderBuilder};
/// use aws_access_logs::ddl::AthenaTable;
///
/// let sql = AthenaTable::from_builder(&ReaderBuilder::new(Format::Alb))?
///     .with_location("s3://amzn-s3-demo-bucket/lets/alb-access/")
///     .to_sql()?;
/// assert!(sql.starts_with("CREATE EXTERNAL TABLE IF NOT EXISTS `alb_access` (\n"));
/// assert!(sql.contains("  `time` timestamp COMMENT 'time',\n"));
/// assert!(sql.contains("  `client_port` int COMMENT 'client:port',\n"));
/// assert!(sql.contains("  `elb_status_code` smallint COMMENT 'elb_status_code',\n"));
/// assert!(sql.contains("'projection.enabled'='true'"));
/// # Ok::<(), aws_access_logs::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AthenaTable {
    columns: Vec<Column>,
    timed: bool,
    table: String,
    database: Option<String>,
    location: Option<String>,
    granularity: Granularity,
    years: (u16, u16),
    projection: Option<bool>,
}

impl AthenaTable {
    /// The table of `format`'s Parquet files whose Arrow schema is `schema` (the schema the
    /// Parquet writer is given: [`crate::Reader::schema`], [`ReaderBuilder::schema`]).
    ///
    /// # Errors
    ///
    /// As [`columns`]; also [`ErrorKind::InvalidArgument`] for a schema without columns, or
    /// with a column named like a partition column (`year`, `month`, `day`, `hour`).
    pub fn new(format: Format, schema: &Schema) -> Result<Self> {
        let columns = columns(schema)?;
        if columns.is_empty() {
            return Err(invalid(
                "the schema has no columns (a CloudFront standard log's schema comes from its \
                 #Fields: line: give the field list)"
                    .into(),
            ));
        }
        if let Some(c) = columns
            .iter()
            .find(|c| Granularity::Hour.columns().contains(&c.name.as_str()))
        {
            return Err(invalid(format!(
                "column {:?} has the name of a partition column",
                c.name
            )));
        }
        Ok(AthenaTable {
            columns,
            timed: partition::time_column(schema).is_some(),
            table: partition::table_name(format).replace('-', "_"),
            database: None,
            location: None,
            granularity: Granularity::Hour,
            years: DEFAULT_YEARS,
            projection: None,
        })
    }

    /// The table of the Parquet files written from a reader built by `builder`: its format and
    /// [`ReaderBuilder::schema`] (with its field list, projection and options).
    ///
    /// # Errors
    ///
    /// As [`ReaderBuilder::schema`] and [`AthenaTable::new`]: a builder of
    /// [`ReaderBuilder::auto`], a real-time builder without a field list, or a standard one
    /// without one (its schema comes from each input's `#Fields:` line; give the field list,
    /// such as [`standard_legacy_fields`]).
    pub fn from_builder(builder: &ReaderBuilder) -> Result<Self> {
        let format = builder.format().ok_or_else(|| {
            invalid("a table definition needs the log format; the builder detects it".into())
        })?;
        AthenaTable::new(format, builder.schema()?.as_ref())
    }

    /// The table name (default: the format's table folder with `-` → `_`, such as
    /// `s3_access`). Athena's rule: lowercase letters, digits and `_`, at most 255 characters;
    /// checked by [`AthenaTable::to_sql`].
    pub fn with_table(mut self, name: impl Into<String>) -> Self {
        self.table = name.into();
        self
    }

    /// The database (default: none, the table is created in the query's current database).
    /// Same rule as the table name.
    pub fn with_database(mut self, name: impl Into<String>) -> Self {
        self.database = Some(name.into());
        self
    }

    /// The table's location: the folder holding the `year=…` folders (required), as a URI
    /// with a scheme (`s3://bucket/prefix/table-folder/`; `file:///…` for a local engine). A
    /// missing final `/` is added. Quotes, backslashes and control characters are refused.
    pub fn with_location(mut self, uri: impl Into<String>) -> Self {
        self.location = Some(uri.into());
        self
    }

    /// The partition granularity the files were written with (default [`Granularity::Hour`]):
    /// by the day, the table has no `hour` column.
    pub fn with_partition_by(mut self, granularity: Granularity) -> Self {
        self.granularity = granularity;
        self
    }

    /// The inclusive year range projected for the `year` column (default
    /// [`DEFAULT_YEARS`], which explains the trade-off). Rows of other years stay in the
    /// files but no query of the table reads them. Checked by [`AthenaTable::to_sql`]: from 1 to
    /// 9999, `from <= to`.
    pub fn with_years(mut self, from: u16, to: u16) -> Self {
        self.years = (from, to);
        self
    }

    /// Whether the table uses partition projection (default: when the schema has a time
    /// column). Without it, the table sees the partitions registered in the catalog only: run
    /// `MSCK REPAIR TABLE` after new partitions are written; it also registers the
    /// `__HIVE_DEFAULT_PARTITION__` folders of rows without a time (see the
    /// [module docs](self)).
    pub fn with_projection(mut self, projection: bool) -> Self {
        self.projection = Some(projection);
        self
    }

    /// The table name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// The data columns, in schema order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The partition columns, outermost first: `year`, `month`, `day` (and `hour` by the
    /// hour), all `int`.
    pub fn partition_columns(&self) -> Vec<Column> {
        self.granularity
            .columns()
            .iter()
            .map(|name| Column {
                name: (*name).to_string(),
                hive_type: "int",
                comment: None,
            })
            .collect()
    }

    /// Whether the table uses partition projection: as set by
    /// [`AthenaTable::with_projection`], else whether the schema has a time column.
    pub fn uses_projection(&self) -> bool {
        self.projection.unwrap_or(self.timed)
    }

    /// The location, checked, with its final `/`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] when there is none, it has no scheme, or it holds a quote,
    /// a backslash or a control character.
    pub fn location(&self) -> Result<String> {
        let Some(uri) = &self.location else {
            return Err(invalid(
                "the table needs its location: the folder holding the year=... folders, such \
                 as s3://bucket/lets/s3-access/"
                    .into(),
            ));
        };
        let scheme = uri.split_once(':').map(|(s, _)| s).unwrap_or("");
        let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !valid_scheme || uri.len() <= scheme.len() + 1 {
            return Err(invalid(format!(
                "location {uri:?}: give a URI with a scheme, such as s3://bucket/prefix/"
            )));
        }
        if uri
            .chars()
            .any(|c| matches!(c, '\'' | '"' | '\\' | '`') || c.is_control())
        {
            return Err(invalid(format!(
                "location {uri:?}: quotes, backslashes and control characters are not allowed"
            )));
        }
        let mut uri = uri.clone();
        if !uri.ends_with('/') {
            uri.push('/');
        }
        Ok(uri)
    }

    /// The table properties (`TBLPROPERTIES`, the Glue table's `Parameters`), in the order
    /// [`AthenaTable::to_sql`] writes them: with projection, `projection.enabled`, then the
    /// `type`, `range` and `digits` of each partition column and the
    /// `storage.location.template` of the partitioned layout; then `classification`.
    ///
    /// # Errors
    ///
    /// As [`AthenaTable::location`]; also [`ErrorKind::InvalidArgument`] for a bad year range, or
    /// projection asked for a schema without a time column.
    pub fn properties(&self) -> Result<Vec<(String, String)>> {
        let location = self.location()?;
        let (from, to) = self.years;
        if from == 0 || to > 9999 || from > to {
            return Err(invalid(format!(
                "year range {from},{to}: give two years from 1 to 9999, the first not after \
                 the second"
            )));
        }
        let mut properties = Vec::new();
        let mut add = |key: String, value: String| properties.push((key, value));
        if self.uses_projection() {
            if !self.timed {
                return Err(invalid(
                    "partition projection needs a time column: every row of a schema without \
                     one is in the __HIVE_DEFAULT_PARTITION__ partition, which projection never \
                     reads"
                        .into(),
                ));
            }
            add("projection.enabled".into(), "true".into());
            let mut template = location.trim_end_matches('/').to_string();
            for column in self.granularity.columns() {
                let (range, digits) = match *column {
                    "year" => (format!("{from},{to}"), 4),
                    "month" => ("1,12".to_string(), 2),
                    "day" => ("1,31".to_string(), 2),
                    _ => ("0,23".to_string(), 2),
                };
                add(format!("projection.{column}.type"), "integer".into());
                add(format!("projection.{column}.range"), range);
                add(format!("projection.{column}.digits"), digits.to_string());
                let _ = write!(template, "/{column}=${{{column}}}");
            }
            add("storage.location.template".into(), template);
        }
        add("classification".into(), "parquet".into());
        Ok(properties)
    }

    /// The `CREATE EXTERNAL TABLE IF NOT EXISTS` statement (Athena's Hive DDL), one clause per
    /// line, without a final `;`.
    ///
    /// # Errors
    ///
    /// As [`AthenaTable::properties`]; also [`ErrorKind::InvalidArgument`] for a table or
    /// database name that breaks Athena's rule.
    pub fn to_sql(&self) -> Result<String> {
        check_name("table", &self.table)?;
        if let Some(database) = &self.database {
            check_name("database", database)?;
        }
        let properties = self.properties()?;
        let location = self.location()?;
        let mut sql = String::from("CREATE EXTERNAL TABLE IF NOT EXISTS ");
        if let Some(database) = &self.database {
            let _ = write!(sql, "`{database}`.");
        }
        let _ = writeln!(sql, "`{}` (", self.table);
        write_columns(&mut sql, &self.columns);
        sql.push_str(")\nPARTITIONED BY (\n");
        write_columns(&mut sql, &self.partition_columns());
        sql.push_str(")\nSTORED AS PARQUET\n");
        let _ = writeln!(sql, "LOCATION '{location}'");
        sql.push_str("TBLPROPERTIES (\n");
        for (i, (key, value)) in properties.iter().enumerate() {
            let comma = if i + 1 < properties.len() { "," } else { "" };
            let _ = writeln!(sql, "  '{}'='{}'{comma}", quote(key), quote(value));
        }
        sql.push_str(")\n");
        Ok(sql)
    }
}

fn write_columns(sql: &mut String, columns: &[Column]) {
    for (i, c) in columns.iter().enumerate() {
        let _ = write!(sql, "  `{}` {}", c.name, c.hive_type);
        if let Some(comment) = &c.comment {
            let _ = write!(sql, " COMMENT '{}'", quote(comment));
        }
        sql.push_str(if i + 1 < columns.len() { ",\n" } else { "\n" });
    }
}

/// The text of a single-quoted Hive string literal: `\` and `'` escaped with a backslash,
/// control characters as `\n`, `\t`, `\r` or `\u` escapes.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Athena's rule for table and database names: lowercase letters, digits and `_`, 1 to 255.
fn check_name(what: &str, name: &str) -> Result<()> {
    let valid = !name.is_empty()
        && name.len() <= 255
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(invalid(format!(
            "{what} name {name:?}: Athena names hold lowercase letters, digits and '_' only \
             (1 to 255 characters)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use arrow::datatypes::Field;

    use super::*;

    fn s3() -> AthenaTable {
        AthenaTable::from_builder(&ReaderBuilder::new(Format::S3)).unwrap()
    }

    fn realtime(list: &str) -> AthenaTable {
        let fields = FieldList::realtime(list).unwrap();
        let builder = ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(fields);
        AthenaTable::from_builder(&builder).unwrap()
    }

    fn standard(fields: FieldList) -> AthenaTable {
        let builder = ReaderBuilder::new(Format::CloudFrontStandard).with_fields(fields);
        AthenaTable::from_builder(&builder).unwrap()
    }

    fn err(result: Result<impl std::fmt::Debug>) -> String {
        let e = result.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        e.to_string()
    }

    const S3_HOUR: &str = r#"CREATE EXTERNAL TABLE IF NOT EXISTS `logs`.`s3_access` (
  `bucket_owner` string COMMENT 'Bucket Owner',
  `bucket` string COMMENT 'Bucket',
  `time` timestamp COMMENT 'Time',
  `remote_ip` string COMMENT 'Remote IP',
  `requester` string COMMENT 'Requester',
  `request_id` string COMMENT 'Request ID',
  `operation` string COMMENT 'Operation',
  `key` string COMMENT 'Key',
  `request_uri` string COMMENT 'Request-URI',
  `http_status` smallint COMMENT 'HTTP status',
  `error_code` string COMMENT 'Error Code',
  `bytes_sent` bigint COMMENT 'Bytes Sent',
  `object_size` bigint COMMENT 'Object Size',
  `total_time_ms` int COMMENT 'Total Time',
  `turn_around_time_ms` int COMMENT 'Turn-Around Time',
  `referer` string COMMENT 'Referer',
  `user_agent` string COMMENT 'User-Agent',
  `version_id` string COMMENT 'Version Id',
  `host_id` string COMMENT 'Host Id',
  `signature_version` string COMMENT 'Signature Version',
  `cipher_suite` string COMMENT 'Cipher Suite',
  `authentication_type` string COMMENT 'Authentication Type',
  `host_header` string COMMENT 'Host Header',
  `tls_version` string COMMENT 'TLS version',
  `access_point_arn` string COMMENT 'Access Point ARN',
  `acl_required` boolean COMMENT 'aclRequired',
  `source_region` string COMMENT 'Source Region',
  `trailing_fields` string COMMENT '(fields after the last known one)'
)
PARTITIONED BY (
  `year` int,
  `month` int,
  `day` int,
  `hour` int
)
STORED AS PARQUET
LOCATION 's3://bucket/lets/s3-access/'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.year.type'='integer',
  'projection.year.range'='2006,2099',
  'projection.year.digits'='4',
  'projection.month.type'='integer',
  'projection.month.range'='1,12',
  'projection.month.digits'='2',
  'projection.day.type'='integer',
  'projection.day.range'='1,31',
  'projection.day.digits'='2',
  'projection.hour.type'='integer',
  'projection.hour.range'='0,23',
  'projection.hour.digits'='2',
  'storage.location.template'='s3://bucket/lets/s3-access/year=${year}/month=${month}/day=${day}/hour=${hour}',
  'classification'='parquet'
)
"#;

    /// The table by the day: [`S3_HOUR`] without the `hour` partition column, its projection
    /// properties and its folder in the location template.
    fn s3_day() -> String {
        let day = S3_HOUR
            .replace("  `day` int,\n  `hour` int\n)", "  `day` int\n)")
            .replace(
                "  'projection.hour.type'='integer',\n  'projection.hour.range'='0,23',\n  \
                 'projection.hour.digits'='2',\n",
                "",
            )
            .replace("/day=${day}/hour=${hour}'", "/day=${day}'");
        assert_eq!(day.matches("hour").count(), 0);
        day
    }

    const REALTIME: &str = r#"CREATE EXTERNAL TABLE IF NOT EXISTS `cloudfront_realtime` (
  `timestamp` timestamp COMMENT 'timestamp',
  `c_ip` string COMMENT 'c-ip',
  `sc_status` smallint COMMENT 'sc-status',
  `sc_bytes` bigint COMMENT 'sc-bytes',
  `time_taken` double COMMENT 'time-taken',
  `c_port` int COMMENT 'c-port',
  `cs_headers_count` int COMMENT 'cs-headers-count',
  `asn` bigint COMMENT 'asn'
)
PARTITIONED BY (
  `year` int,
  `month` int,
  `day` int,
  `hour` int
)
STORED AS PARQUET
LOCATION 's3://bucket/lets/cloudfront-realtime/'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.year.type'='integer',
  'projection.year.range'='2006,2099',
  'projection.year.digits'='4',
  'projection.month.type'='integer',
  'projection.month.range'='1,12',
  'projection.month.digits'='2',
  'projection.day.type'='integer',
  'projection.day.range'='1,31',
  'projection.day.digits'='2',
  'projection.hour.type'='integer',
  'projection.hour.range'='0,23',
  'projection.hour.digits'='2',
  'storage.location.template'='s3://bucket/lets/cloudfront-realtime/year=${year}/month=${month}/day=${day}/hour=${hour}',
  'classification'='parquet'
)
"#;

    const STANDARD_33: &str = r#"CREATE EXTERNAL TABLE IF NOT EXISTS `cloudfront_standard` (
  `timestamp` timestamp COMMENT 'date time',
  `x_edge_location` string COMMENT 'x-edge-location',
  `sc_bytes` bigint COMMENT 'sc-bytes',
  `c_ip` string COMMENT 'c-ip',
  `cs_method` string COMMENT 'cs-method',
  `cs_host` string COMMENT 'cs(Host)',
  `cs_uri_stem` string COMMENT 'cs-uri-stem',
  `sc_status` smallint COMMENT 'sc-status',
  `cs_referer` string COMMENT 'cs(Referer)',
  `cs_user_agent` string COMMENT 'cs(User-Agent)',
  `cs_uri_query` string COMMENT 'cs-uri-query',
  `cs_cookie` string COMMENT 'cs(Cookie)',
  `x_edge_result_type` string COMMENT 'x-edge-result-type',
  `x_edge_request_id` string COMMENT 'x-edge-request-id',
  `x_host_header` string COMMENT 'x-host-header',
  `cs_protocol` string COMMENT 'cs-protocol',
  `cs_bytes` bigint COMMENT 'cs-bytes',
  `time_taken` double COMMENT 'time-taken',
  `x_forwarded_for` string COMMENT 'x-forwarded-for',
  `ssl_protocol` string COMMENT 'ssl-protocol',
  `ssl_cipher` string COMMENT 'ssl-cipher',
  `x_edge_response_result_type` string COMMENT 'x-edge-response-result-type',
  `cs_protocol_version` string COMMENT 'cs-protocol-version',
  `fle_status` string COMMENT 'fle-status',
  `fle_encrypted_fields` int COMMENT 'fle-encrypted-fields',
  `c_port` int COMMENT 'c-port',
  `time_to_first_byte` double COMMENT 'time-to-first-byte',
  `x_edge_detailed_result_type` string COMMENT 'x-edge-detailed-result-type',
  `sc_content_type` string COMMENT 'sc-content-type',
  `sc_content_len` bigint COMMENT 'sc-content-len',
  `sc_range_start` bigint COMMENT 'sc-range-start',
  `sc_range_end` bigint COMMENT 'sc-range-end'
)
PARTITIONED BY (
  `year` int,
  `month` int,
  `day` int,
  `hour` int
)
STORED AS PARQUET
LOCATION 's3://bucket/lets/cloudfront-standard/'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.year.type'='integer',
  'projection.year.range'='2006,2099',
  'projection.year.digits'='4',
  'projection.month.type'='integer',
  'projection.month.range'='1,12',
  'projection.month.digits'='2',
  'projection.day.type'='integer',
  'projection.day.range'='1,31',
  'projection.day.digits'='2',
  'projection.hour.type'='integer',
  'projection.hour.range'='0,23',
  'projection.hour.digits'='2',
  'storage.location.template'='s3://bucket/lets/cloudfront-standard/year=${year}/month=${month}/day=${day}/hour=${hour}',
  'classification'='parquet'
)
"#;

    const ALB_HOUR: &str = r#"CREATE EXTERNAL TABLE IF NOT EXISTS `alb_access` (
  `type` string COMMENT 'type',
  `time` timestamp COMMENT 'time',
  `elb` string COMMENT 'elb',
  `client_ip` string COMMENT 'client:port',
  `client_port` int COMMENT 'client:port',
  `target_ip` string COMMENT 'target:port',
  `target_port` int COMMENT 'target:port',
  `request_processing_time` double COMMENT 'request_processing_time',
  `target_processing_time` double COMMENT 'target_processing_time',
  `response_processing_time` double COMMENT 'response_processing_time',
  `elb_status_code` smallint COMMENT 'elb_status_code',
  `target_status_code` smallint COMMENT 'target_status_code',
  `received_bytes` bigint COMMENT 'received_bytes',
  `sent_bytes` bigint COMMENT 'sent_bytes',
  `request` string COMMENT 'request',
  `request_method` string COMMENT 'request',
  `request_url` string COMMENT 'request',
  `request_http_version` string COMMENT 'request',
  `user_agent` string COMMENT 'user_agent',
  `ssl_cipher` string COMMENT 'ssl_cipher',
  `ssl_protocol` string COMMENT 'ssl_protocol',
  `target_group_arn` string COMMENT 'target_group_arn',
  `trace_id` string COMMENT 'trace_id',
  `domain_name` string COMMENT 'domain_name',
  `chosen_cert_arn` string COMMENT 'chosen_cert_arn',
  `matched_rule_priority` int COMMENT 'matched_rule_priority',
  `request_creation_time` timestamp COMMENT 'request_creation_time',
  `actions_executed` string COMMENT 'actions_executed',
  `redirect_url` string COMMENT 'redirect_url',
  `error_reason` string COMMENT 'error_reason',
  `target_port_list` string COMMENT 'target:port_list',
  `target_status_code_list` string COMMENT 'target_status_code_list',
  `classification` string COMMENT 'classification',
  `classification_reason` string COMMENT 'classification_reason',
  `conn_trace_id` string COMMENT 'conn_trace_id',
  `transformed_host` string COMMENT 'transformed_host',
  `transformed_uri` string COMMENT 'transformed_uri',
  `request_transform_status` string COMMENT 'request_transform_status',
  `trailing_fields` string COMMENT '(fields after the last known one)'
)
PARTITIONED BY (
  `year` int,
  `month` int,
  `day` int,
  `hour` int
)
STORED AS PARQUET
LOCATION 's3://bucket/lets/alb-access/'
TBLPROPERTIES (
  'projection.enabled'='true',
  'projection.year.type'='integer',
  'projection.year.range'='2006,2099',
  'projection.year.digits'='4',
  'projection.month.type'='integer',
  'projection.month.range'='1,12',
  'projection.month.digits'='2',
  'projection.day.type'='integer',
  'projection.day.range'='1,31',
  'projection.day.digits'='2',
  'projection.hour.type'='integer',
  'projection.hour.range'='0,23',
  'projection.hour.digits'='2',
  'storage.location.template'='s3://bucket/lets/alb-access/year=${year}/month=${month}/day=${day}/hour=${hour}',
  'classification'='parquet'
)
"#;

    const NLB_COLUMNS: &str = r#"  `type` string COMMENT 'type',
  `version` string COMMENT 'version',
  `time` timestamp COMMENT 'time',
  `elb` string COMMENT 'elb',
  `listener` string COMMENT 'listener',
  `client_ip` string COMMENT 'client:port',
  `client_port` int COMMENT 'client:port',
  `destination_ip` string COMMENT 'destination:port',
  `destination_port` int COMMENT 'destination:port',
  `connection_time` bigint COMMENT 'connection_time',
  `tls_handshake_time` bigint COMMENT 'tls_handshake_time',
  `received_bytes` bigint COMMENT 'received_bytes',
  `sent_bytes` bigint COMMENT 'sent_bytes',
  `incoming_tls_alert` int COMMENT 'incoming_tls_alert',
  `chosen_cert_arn` string COMMENT 'chosen_cert_arn',
  `chosen_cert_serial` string COMMENT 'chosen_cert_serial',
  `tls_cipher` string COMMENT 'tls_cipher',
  `tls_protocol_version` string COMMENT 'tls_protocol_version',
  `tls_keyexchange` string COMMENT 'tls_keyexchange',
  `domain_name` string COMMENT 'domain_name',
  `alpn_fe_protocol` string COMMENT 'alpn_fe_protocol',
  `alpn_be_protocol` string COMMENT 'alpn_be_protocol',
  `alpn_client_preference_list` string COMMENT 'alpn_client_preference_list',
  `tls_connection_creation_time` timestamp COMMENT 'tls_connection_creation_time',
  `trailing_fields` string COMMENT '(fields after the last known one)'
"#;

    const CLB_COLUMNS: &str = r#"  `time` timestamp COMMENT 'time',
  `elb` string COMMENT 'elb',
  `client_ip` string COMMENT 'client:port',
  `client_port` int COMMENT 'client:port',
  `backend_ip` string COMMENT 'backend:port',
  `backend_port` int COMMENT 'backend:port',
  `request_processing_time` double COMMENT 'request_processing_time',
  `backend_processing_time` double COMMENT 'backend_processing_time',
  `response_processing_time` double COMMENT 'response_processing_time',
  `elb_status_code` smallint COMMENT 'elb_status_code',
  `backend_status_code` smallint COMMENT 'backend_status_code',
  `received_bytes` bigint COMMENT 'received_bytes',
  `sent_bytes` bigint COMMENT 'sent_bytes',
  `request` string COMMENT 'request',
  `request_method` string COMMENT 'request',
  `request_url` string COMMENT 'request',
  `request_http_version` string COMMENT 'request',
  `user_agent` string COMMENT 'user_agent',
  `ssl_cipher` string COMMENT 'ssl_cipher',
  `ssl_protocol` string COMMENT 'ssl_protocol',
  `trailing_fields` string COMMENT '(fields after the last known one)'
"#;

    const ALB_CONNECTION_COLUMNS: &str = r#"  `time` timestamp COMMENT 'timestamp',
  `client_ip` string COMMENT 'client_ip',
  `client_port` int COMMENT 'client_port',
  `listener_port` int COMMENT 'listener_port',
  `tls_protocol` string COMMENT 'tls_protocol',
  `tls_cipher` string COMMENT 'tls_cipher',
  `tls_handshake_latency` double COMMENT 'tls_handshake_latency',
  `leaf_client_cert_subject` string COMMENT 'leaf_client_cert_subject',
  `leaf_client_cert_validity` string COMMENT 'leaf_client_cert_validity',
  `leaf_client_cert_serial_number` string COMMENT 'leaf_client_cert_serial_number',
  `tls_verify_status` string COMMENT 'tls_verify_status',
  `conn_trace_id` string COMMENT 'conn_trace_id',
  `tls_keyexchange` string COMMENT 'tls_keyexchange',
  `elb` string COMMENT 'elb',
  `ip_address` string COMMENT 'ip_address',
  `trailing_fields` string COMMENT '(fields after the last known one)'
"#;

    /// The hourly table `table` at `s3://bucket/lets/{folder}/` with these column lines: the
    /// statement of [`ALB_HOUR`] with its name, columns and folder replaced.
    fn elb_hour(table: &str, folder: &str, columns: &str) -> String {
        let (head, rest) = ALB_HOUR.split_once(" (\n").unwrap();
        let tail = &rest[rest.find(")\nPARTITIONED BY").unwrap()..];
        format!(
            "{} (\n{columns}{}",
            head.replace("alb_access", table),
            tail.replace("alb-access", folder)
        )
    }

    #[test]
    fn s3_access_logs_by_the_hour_and_by_the_day() {
        let table = s3()
            .with_database("logs")
            .with_location("s3://bucket/lets/s3-access/");
        assert_eq!(table.to_sql().unwrap(), S3_HOUR);
        let day = table.with_partition_by(Granularity::Day);
        assert_eq!(day.to_sql().unwrap(), s3_day());
    }

    #[test]
    fn cloudfront_realtime_with_a_field_list() {
        // The configuration's order does not matter: the columns follow AWS's order.
        let table =
            realtime("asn,timestamp,c-ip,sc-status,sc-bytes,time-taken,c-port,cs-headers-count")
                .with_location("s3://bucket/lets/cloudfront-realtime");
        assert_eq!(table.to_sql().unwrap(), REALTIME);
    }

    #[test]
    fn cloudfront_standard_with_the_33_legacy_fields() {
        let header = "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) \
            cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) \
            x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken \
            x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type \
            cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte \
            x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";
        assert_eq!(
            standard_legacy_fields(),
            FieldList::standard(header).unwrap()
        );
        let table = standard(standard_legacy_fields())
            .with_location("s3://bucket/lets/cloudfront-standard/");
        assert_eq!(table.to_sql().unwrap(), STANDARD_33);
    }

    #[test]
    fn elastic_load_balancing_tables() {
        let alb = AthenaTable::from_builder(&ReaderBuilder::new(Format::Alb))
            .unwrap()
            .with_location("s3://bucket/lets/alb-access/");
        assert_eq!(alb.to_sql().unwrap(), ALB_HOUR);
        // By the day: the same columns, without the hour.
        let day = alb.with_partition_by(Granularity::Day).to_sql().unwrap();
        assert!(
            day.contains("  `day` int\n)\n") && !day.contains("hour"),
            "{day}"
        );
        assert!(day.starts_with(&ALB_HOUR[..ALB_HOUR.find(")\nPARTITIONED BY").unwrap()]));

        let cases = [
            (Format::Alb, "alb_access", "alb-access", None),
            (Format::Nlb, "nlb_access", "nlb-access", Some(NLB_COLUMNS)),
            (Format::Clb, "clb_access", "clb-access", Some(CLB_COLUMNS)),
            (
                Format::AlbConnection,
                "alb_connection",
                "alb-connection",
                Some(ALB_CONNECTION_COLUMNS),
            ),
        ];
        for (format, table_name, folder, columns) in cases {
            let table = AthenaTable::from_builder(&ReaderBuilder::new(format))
                .unwrap()
                .with_location(format!("s3://bucket/lets/{folder}"));
            assert_eq!(table.table_name(), table_name);
            assert_eq!(crate::partition::table_name(format), folder);
            if let Some(columns) = columns {
                assert_eq!(
                    table.to_sql().unwrap(),
                    elb_hour(table_name, folder, columns),
                    "{format}"
                );
            }
            // Every column of the schema, in order; the times are `timestamp`, and the record
            // time gives the table its projection.
            let schema = format.schema().unwrap();
            let names: Vec<_> = table.columns().iter().map(|c| c.name.as_str()).collect();
            let want: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            assert_eq!(names, want, "{format}");
            for (column, field) in table.columns().iter().zip(schema.fields()) {
                if matches!(field.data_type(), DataType::Timestamp(..)) {
                    assert_eq!(column.hive_type, "timestamp", "{format} {}", column.name);
                }
            }
            assert!(table.uses_projection(), "{format}");
            // String views change nothing.
            let views = ReaderBuilder::new(format).with_string_view(true);
            assert_eq!(
                AthenaTable::from_builder(&views).unwrap().columns(),
                table.columns()
            );
        }
    }

    #[test]
    fn the_location_template_matches_the_partition_paths() {
        let table = s3().with_location("s3://b/p/s3-access/");
        for granularity in [Granularity::Hour, Granularity::Day] {
            let properties = table
                .clone()
                .with_partition_by(granularity)
                .properties()
                .unwrap();
            let props: HashMap<_, _> = properties.into_iter().collect();
            let partition = granularity.of(1_710_669_600_000 + 3_600_000 * 24 * 300);
            let mut path = props["storage.location.template"].clone();
            for (column, value) in granularity.columns().iter().zip(partition.values()) {
                let digits: usize = props[&format!("projection.{column}.digits")]
                    .parse()
                    .unwrap();
                let range = &props[&format!("projection.{column}.range")];
                let (lo, hi) = range.split_once(',').unwrap();
                let value = value.unwrap();
                assert!(lo.parse::<i64>().unwrap() <= value && value <= hi.parse().unwrap());
                path = path.replace(&format!("${{{column}}}"), &format!("{value:0digits$}"));
            }
            assert_eq!(path, format!("s3://b/p/s3-access/{}", partition.path()));
        }
    }

    #[test]
    fn projection_follows_the_time_column_unless_told() {
        let timed = realtime("timestamp,c-ip").with_location("s3://b/t/");
        assert!(timed.uses_projection());
        let untimed = realtime("c-ip,sc-status").with_location("file:///tmp/t");
        assert!(!untimed.uses_projection());
        let sql = untimed.to_sql().unwrap();
        assert!(
            !sql.contains("projection") && !sql.contains("storage.location"),
            "{sql}"
        );
        assert!(sql.contains(
            "LOCATION 'file:///tmp/t/'\nTBLPROPERTIES (\n  'classification'='parquet'\n)\n"
        ));
        assert!(err(untimed.with_projection(true).to_sql()).contains("time column"));
        assert!(!timed.clone().with_projection(false).uses_projection());
        let years = timed.with_years(2019, 2030).properties().unwrap();
        assert!(years.contains(&("projection.year.range".into(), "2019,2030".into())));
    }

    #[test]
    fn names_locations_and_comments_are_checked_or_escaped() {
        let table = s3().with_location("s3://b/p/");
        for name in ["S3", "a-b", "", "a b", "x`y", &"a".repeat(256)] {
            assert!(err(table.clone().with_table(name).to_sql()).contains("table name"));
            assert!(err(table.clone().with_database(name).to_sql()).contains("database name"));
        }
        assert!(
            table
                .clone()
                .with_table("my_logs_2")
                .with_database("_db")
                .to_sql()
                .is_ok()
        );
        for location in [
            "bucket/prefix",
            "/abs/path",
            "s3:",
            "3s://b/",
            "s3://b/it's",
            "s3://b/\n",
            "s3://b/\\",
        ] {
            let e = err(table.clone().with_location(location).to_sql());
            assert!(e.contains("location"), "{e}");
        }
        assert!(err(s3().to_sql()).contains("needs its location"));
        for (from, to) in [(0, 2000), (2020, 2019), (2000, 10000)] {
            assert!(err(table.clone().with_years(from, to).to_sql()).contains("year range"));
        }
        let field = Field::new("weird", DataType::Utf8, true).with_metadata(HashMap::from([(
            AWS_NAME_KEY.to_string(),
            "it's a \\ back\nslash".to_string(),
        )]));
        let sql = AthenaTable::new(Format::S3, &Schema::new(vec![field]))
            .unwrap()
            .with_location("s3://b/p/")
            .to_sql()
            .unwrap();
        assert!(
            sql.contains("  `weird` string COMMENT 'it\\'s a \\\\ back\\nslash'\n)"),
            "{sql}"
        );
    }

    #[test]
    fn types_without_an_athena_type_are_errors_naming_the_column() {
        let time = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
        let ok = [
            (DataType::Utf8, "string"),
            (DataType::Utf8View, "string"),
            (DataType::LargeUtf8, "string"),
            (DataType::Int16, "smallint"),
            (DataType::Int32, "int"),
            (DataType::Int64, "bigint"),
            (DataType::Float64, "double"),
            (DataType::Boolean, "boolean"),
            (time, "timestamp"),
            (
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                "timestamp",
            ),
        ];
        for (data_type, hive) in ok {
            assert_eq!(hive_type(&data_type), Some(hive), "{data_type}");
        }
        let bad = [
            DataType::UInt16,
            DataType::UInt32,
            DataType::UInt64,
            DataType::Int8,
            DataType::Float32,
            DataType::Timestamp(TimeUnit::Millisecond, None),
            DataType::Timestamp(TimeUnit::Microsecond, None),
            DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            DataType::Timestamp(TimeUnit::Second, Some("UTC".into())),
            DataType::Timestamp(TimeUnit::Microsecond, Some("+01:00".into())),
            DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        ];
        for data_type in bad {
            assert_eq!(hive_type(&data_type), None, "{data_type}");
            let schema = Schema::new(vec![
                Field::new("ok", DataType::Utf8, true),
                Field::new("bytes", data_type.clone(), true),
            ]);
            let e = AthenaTable::new(Format::S3, &schema).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert_eq!(e.field(), Some("bytes"));
            assert!(e.to_string().contains("\"bytes\""), "{e}");
        }
        let empty = Arc::new(Schema::empty());
        assert!(err(AthenaTable::new(Format::CloudFrontStandard, &empty)).contains("no columns"));
        let standard = ReaderBuilder::new(Format::CloudFrontStandard);
        assert!(err(AthenaTable::from_builder(&standard)).contains("#Fields:"));
        assert!(err(AthenaTable::from_builder(&ReaderBuilder::auto())).contains("format"));
        let hour = Schema::new(vec![Field::new("hour", DataType::Utf8, true)]);
        assert!(
            err(AthenaTable::new(Format::CloudFrontStandard, &hour)).contains("partition column")
        );
    }

    #[test]
    fn every_schema_column_is_in_the_table_once() {
        let table = s3();
        let names: Vec<_> = table.columns().iter().map(|c| c.name.as_str()).collect();
        let schema = crate::s3::S3Field::schema();
        let want: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, want);
        assert_eq!(table.table_name(), "s3_access");
        let views = ReaderBuilder::new(Format::S3).with_string_view(true);
        assert_eq!(
            AthenaTable::from_builder(&views).unwrap().columns(),
            table.columns()
        );
    }
}
