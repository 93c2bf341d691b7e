//! Hive-style time partitions: which rows of a batch belong to which hour (or day).
//!
//! A query engine prunes a partitioned table by the folder names
//! (`year=2024/month=03/day=17/hour=09/`), so every file of a partition must hold only rows whose
//! record time falls in it. [`split`] cuts a batch into one batch per partition, rows in input
//! order; [`Partition::path`] names the folder.
//!
//! Rows without a time (a null time value, or a schema without a time column, such as a
//! CloudFront real-time field list without `timestamp`) belong to the [`Partition::Untimed`]
//! partition, whose folder uses Hive's name for a null partition value,
//! `__HIVE_DEFAULT_PARTITION__`, in every level: Hive, Spark, Glue and DuckDB read its partition
//! columns as NULL (`WHERE year IS NULL` finds these rows), and no time filter matches them by
//! accident.
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{RecordBatch, TimestampMillisecondArray};
//! use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
//! use aws_access_logs::partition::{self, Granularity, Partition};
//!
//! let time = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
//! let schema = Arc::new(Schema::new(vec![Field::new("time", time, true)]));
//! // 2024-03-17 09:59:59.999, 2024-03-17 10:00:00.000, 2024-03-17 09:30:00.000, null
//! let times = TimestampMillisecondArray::from(vec![
//!     Some(1_710_669_599_999),
//!     Some(1_710_669_600_000),
//!     Some(1_710_667_800_000),
//!     None,
//! ])
//! .with_timezone("UTC");
//! let batch = RecordBatch::try_new(schema, vec![Arc::new(times)])?;
//!
//! let column = partition::time_column(batch.schema_ref());
//! let parts = partition::split(&batch, column, Granularity::Hour)?;
//! let paths: Vec<_> = parts.iter().map(|(p, b)| (p.path(), b.num_rows())).collect();
//! assert_eq!(
//!     paths,
//!     [
//!         ("year=2024/month=03/day=17/hour=09".to_string(), 2),
//!         ("year=2024/month=03/day=17/hour=10".to_string(), 1),
//!         (
//!             "year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/\
//!              day=__HIVE_DEFAULT_PARTITION__/hour=__HIVE_DEFAULT_PARTITION__"
//!                 .to_string(),
//!             1
//!         ),
//!     ]
//! );
//! assert_eq!(parts[2].0, Partition::Untimed(Granularity::Hour));
//! # Ok::<(), aws_access_logs::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use arrow::array::{
    Array, RecordBatch, TimestampMicrosecondArray, TimestampMillisecondArray, UInt32Array,
};
use arrow::compute::take_record_batch;
use arrow::datatypes::{DataType, Schema, TimeUnit};

use crate::{Error, ErrorKind, Format, Result};

/// Hive's folder value for a null partition value.
pub const NULL_PARTITION_VALUE: &str = "__HIVE_DEFAULT_PARTITION__";

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// How finely rows are partitioned by their time (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Granularity {
    /// `year=/month=/day=/hour=` folders (the default).
    #[default]
    Hour,
    /// `year=/month=/day=` folders.
    Day,
}

impl Granularity {
    /// The length of one partition in milliseconds.
    pub fn millis(self) -> i64 {
        match self {
            Granularity::Hour => HOUR_MS,
            Granularity::Day => DAY_MS,
        }
    }

    /// The name used by [`FromStr`] and [`Display`](fmt::Display): `hour` or `day`.
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Hour => "hour",
            Granularity::Day => "day",
        }
    }

    /// The Hive partition columns, outermost first: `year, month, day[, hour]`.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Granularity::Hour => &["year", "month", "day", "hour"],
            Granularity::Day => &["year", "month", "day"],
        }
    }

    /// The partition of a record time (milliseconds since the epoch, UTC).
    pub fn of(self, time_ms: i64) -> Partition {
        let len = self.millis();
        Partition::Timed {
            granularity: self,
            start_ms: time_ms.div_euclid(len) * len,
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Granularity {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "hour" => Ok(Granularity::Hour),
            "day" => Ok(Granularity::Day),
            _ => Err(Error::new(ErrorKind::InvalidArgument).with_detail(format!(
                "unknown partition granularity {s:?}: expected \"hour\" or \"day\""
            ))),
        }
    }
}

/// One time partition: an hour or a day (UTC), or the partition of rows without a time.
///
/// Partitions order by time, the untimed partition last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Partition {
    /// Rows whose time is in `[start_ms, start_ms + granularity.millis())`.
    Timed {
        /// The partition's length.
        granularity: Granularity,
        /// Its first millisecond since the epoch (UTC).
        start_ms: i64,
    },
    /// Rows without a time.
    Untimed(Granularity),
}

impl Partition {
    /// The Hive folder path, without slashes at either end:
    /// `year=2024/month=03/day=17/hour=09` (or without `/hour=…` by the day), and
    /// [`NULL_PARTITION_VALUE`] in every level for [`Partition::Untimed`].
    pub fn path(&self) -> String {
        let values = self.values();
        let mut path = String::with_capacity(64);
        for (i, (column, value)) in self.granularity().columns().iter().zip(values).enumerate() {
            if i > 0 {
                path.push('/');
            }
            path.push_str(column);
            path.push('=');
            match value {
                Some(v) if *column == "year" => path.push_str(&format!("{v:04}")),
                Some(v) => path.push_str(&format!("{v:02}")),
                None => path.push_str(NULL_PARTITION_VALUE),
            }
        }
        path
    }

    /// The partition columns' values, as [`Granularity::columns`] names them (`None` for the
    /// untimed partition).
    pub fn values(&self) -> Vec<Option<i64>> {
        match *self {
            Partition::Timed {
                granularity,
                start_ms,
            } => {
                let days = start_ms.div_euclid(DAY_MS);
                let (year, month, day) = civil_from_days(days);
                let mut values = vec![Some(year), Some(month), Some(day)];
                if granularity == Granularity::Hour {
                    values.push(Some(start_ms.rem_euclid(DAY_MS) / HOUR_MS));
                }
                values
            }
            Partition::Untimed(granularity) => vec![None; granularity.columns().len()],
        }
    }

    /// The granularity.
    pub fn granularity(&self) -> Granularity {
        match *self {
            Partition::Timed { granularity, .. } | Partition::Untimed(granularity) => granularity,
        }
    }

    /// The partition's time range `[start, end)` in milliseconds, `None` when untimed.
    pub fn range_ms(&self) -> Option<(i64, i64)> {
        match *self {
            Partition::Timed {
                granularity,
                start_ms,
            } => Some((start_ms, start_ms.saturating_add(granularity.millis()))),
            Partition::Untimed(_) => None,
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// The (proleptic Gregorian) date of a day number since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The table folder of a format's partitioned output (`s3-access`, `cloudfront-realtime`,
/// `cloudfront-standard`): `{table}/year=…/…/*.parquet`, as the converter's `--partition-by`
/// and the Lambda function write it, so that both fill one table.
///
/// ```
/// use aws_access_logs::{Format, partition};
///
/// assert_eq!(partition::table_name(Format::S3), "s3-access");
/// ```
pub fn table_name(format: Format) -> &'static str {
    format.spec().table_name()
}

/// The record-time column of a schema this crate produces: the first UTC millisecond or
/// microsecond timestamp column named `time` (S3 access logs, Elastic Load Balancing logs),
/// `timestamp` (CloudFront) or `timestamp_ms` (CloudFront standard v2), else the first such
/// timestamp column; `None` when there is none.
pub fn time_column(schema: &Schema) -> Option<usize> {
    let is_time = |i: &usize| {
        matches!(
            schema.field(*i).data_type(),
            DataType::Timestamp(TimeUnit::Millisecond | TimeUnit::Microsecond, _)
        )
    };
    ["time", "timestamp", "timestamp_ms"]
        .iter()
        .find_map(|name| schema.index_of(name).ok().filter(is_time))
        .or_else(|| (0..schema.fields().len()).find(is_time))
}

/// Splits `batch` by the partition of each row's time in column `time_column` (see
/// [`time_column`]; `None`: every row is untimed). Returns one batch per partition present,
/// ordered by partition, rows in their input order; a batch whose rows share one partition is
/// returned as it is, without a copy. An empty batch gives an empty list.
///
/// # Errors
///
/// [`ErrorKind::InvalidArgument`] when `time_column` is out of range or not a millisecond or
/// microsecond timestamp column; [`ErrorKind::Arrow`] if Arrow fails to gather the rows.
pub fn split(
    batch: &RecordBatch,
    time_column: Option<usize>,
    granularity: Granularity,
) -> Result<Vec<(Partition, RecordBatch)>> {
    if batch.num_rows() == 0 {
        return Ok(Vec::new());
    }
    let Some(column) = time_column else {
        return Ok(vec![(Partition::Untimed(granularity), batch.clone())]);
    };
    let column_ref = batch.columns().get(column);
    let millis = column_ref.and_then(|c| c.as_any().downcast_ref::<TimestampMillisecondArray>());
    let micros = column_ref.and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>());
    // The time of row `i` in milliseconds (microseconds rounded down: the partitions are hours
    // or days).
    let time_ms = |i: usize| match (millis, micros) {
        (Some(t), _) => (!t.is_null(i)).then(|| t.value(i)),
        (_, Some(t)) => (!t.is_null(i)).then(|| t.value(i).div_euclid(1000)),
        _ => None,
    };
    let len = match (millis, micros) {
        (Some(t), _) => t.len(),
        (_, Some(t)) => t.len(),
        _ => {
            return Err(Error::new(ErrorKind::InvalidArgument).with_detail(format!(
                "column {column} of the batch is not a millisecond or microsecond timestamp \
                 column"
            )));
        }
    };
    let of = |i: usize| match time_ms(i) {
        None => Partition::Untimed(granularity),
        Some(ms) => granularity.of(ms),
    };
    let first = of(0);
    let Some(differs) = (1..len).find(|&i| of(i) != first) else {
        return Ok(vec![(first, batch.clone())]);
    };
    let mut rows: BTreeMap<Partition, Vec<u32>> = BTreeMap::new();
    // Row numbers fit in u32: a batch is capped far below.
    let index = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    rows.entry(first)
        .or_default()
        .extend((0..differs).map(index));
    for i in differs..len {
        rows.entry(of(i)).or_default().push(index(i));
    }
    rows.into_iter()
        .map(|(partition, indices)| {
            let taken = take_record_batch(batch, &UInt32Array::from(indices))?;
            Ok((partition, taken))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow::array::StringArray;
    use arrow::datatypes::Field;

    fn batch(times: Vec<Option<i64>>) -> RecordBatch {
        let n = times.len();
        let time = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, false),
            Field::new("time", time, true),
        ]));
        let ids = StringArray::from((0..n).map(|i| i.to_string()).collect::<Vec<_>>());
        let times = TimestampMillisecondArray::from(times).with_timezone("UTC");
        RecordBatch::try_new(schema, vec![Arc::new(ids), Arc::new(times)]).unwrap()
    }

    fn ids(batch: &RecordBatch) -> Vec<String> {
        let ids = batch.column(0).as_any().downcast_ref::<StringArray>();
        ids.unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect()
    }

    #[test]
    fn dates_match_the_calendar() {
        // 1970-01-01, 2000-02-29 (leap day), 2100-03-01, 1969-12-31 23:00, 9999-12-31 23:00.
        let cases = [
            (0, "year=1970/month=01/day=01/hour=00"),
            (951_782_400_000, "year=2000/month=02/day=29/hour=00"),
            (4_107_542_400_000, "year=2100/month=03/day=01/hour=00"),
            (-1, "year=1969/month=12/day=31/hour=23"),
            (253_402_300_799_999, "year=9999/month=12/day=31/hour=23"),
        ];
        for (ms, path) in cases {
            assert_eq!(Granularity::Hour.of(ms).path(), path, "{ms}");
        }
        assert_eq!(
            Granularity::Day.of(951_868_799_999).path(),
            "year=2000/month=02/day=29"
        );
    }

    #[test]
    fn every_hour_boundary_of_a_leap_year() {
        let start = 1_704_067_200_000; // 2024-01-01T00:00:00Z
        let mut previous = String::new();
        for hour in 0..(366 * 24) {
            let ms = start + hour * HOUR_MS;
            let p = Granularity::Hour.of(ms);
            assert_eq!(p, Granularity::Hour.of(ms + HOUR_MS - 1));
            assert_ne!(p, Granularity::Hour.of(ms - 1));
            assert_eq!(p.range_ms(), Some((ms, ms + HOUR_MS)));
            let path = p.path();
            assert!(path > previous, "{path} after {previous}");
            previous = path;
        }
        assert_eq!(previous, "year=2024/month=12/day=31/hour=23");
    }

    #[test]
    fn split_keeps_row_order_within_each_partition() {
        let h = HOUR_MS;
        let b = batch(vec![
            Some(5 * h),
            Some(2 * h),
            None,
            Some(5 * h + 1),
            Some(2 * h + 7),
        ]);
        let parts = split(&b, Some(1), Granularity::Hour).unwrap();
        let got: Vec<_> = parts.iter().map(|(p, b)| (*p, ids(b))).collect();
        assert_eq!(
            got,
            [
                (Granularity::Hour.of(2 * h), vec!["1".into(), "4".into()]),
                (Granularity::Hour.of(5 * h), vec!["0".into(), "3".into()]),
                (Partition::Untimed(Granularity::Hour), vec!["2".to_string()]),
            ]
        );
        let days = split(&b, Some(1), Granularity::Day).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(ids(&days[0].1), ["0", "1", "3", "4"]);
    }

    #[test]
    fn one_partition_is_not_copied() {
        let b = batch(vec![Some(10), Some(20)]);
        let parts = split(&b, Some(1), Granularity::Hour).unwrap();
        assert_eq!(parts.len(), 1);
        assert!(Arc::ptr_eq(parts[0].1.column(0), b.column(0)));
        let untimed = split(&b, None, Granularity::Day).unwrap();
        assert_eq!(untimed[0].0, Partition::Untimed(Granularity::Day));
        assert!(
            split(&batch(vec![]), Some(1), Granularity::Hour)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn bad_arguments_are_errors() {
        let b = batch(vec![Some(1)]);
        for column in [0, 7] {
            let err = split(&b, Some(column), Granularity::Hour).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        }
        assert_eq!("day".parse::<Granularity>().unwrap(), Granularity::Day);
        let err = "week".parse::<Granularity>().unwrap_err();
        assert!(err.to_string().contains("\"week\""), "{err}");
    }

    #[test]
    fn time_columns_of_each_format() {
        let time = DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()));
        let schema = Schema::new(vec![
            Field::new("a", time.clone(), true),
            Field::new("timestamp", time.clone(), true),
        ]);
        assert_eq!(time_column(&schema), Some(1));
        let schema = Schema::new(vec![Field::new("x", DataType::Utf8, true)]);
        assert_eq!(time_column(&schema), None);
        let schema = Schema::new(vec![Field::new("t", time, true)]);
        assert_eq!(time_column(&schema), Some(0));
        for &format in Format::ALL {
            if let Some(schema) = format.schema() {
                let column = time_column(&schema).unwrap();
                assert_eq!(schema.field(column).name(), "time", "{format}");
            }
        }
    }

    #[test]
    fn microsecond_times_split_like_milliseconds() {
        let time = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        let schema = Arc::new(Schema::new(vec![Field::new("time", time, true)]));
        // 2018-07-02T22:59:59.999999Z, 23:00:00Z, null, and a time before 1970.
        let micros = vec![
            Some(1_530_572_399_999_999),
            Some(1_530_572_400_000_000),
            None,
            Some(-1),
        ];
        let column = TimestampMicrosecondArray::from(micros).with_timezone("UTC");
        let batch = RecordBatch::try_new(schema, vec![Arc::new(column)]).unwrap();
        let parts = split(&batch, Some(0), Granularity::Hour).unwrap();
        let hours: Vec<String> = parts
            .iter()
            .map(|(p, b)| format!("{p:?}:{}", b.num_rows()))
            .collect();
        assert_eq!(parts.len(), 4, "{hours:?}");
        let ms = |v: i64| Granularity::Hour.of(v);
        assert_eq!(parts[0].0, ms(-1));
        assert!(parts.iter().any(|(p, _)| *p == ms(1_530_572_399_999)));
        assert!(parts.iter().any(|(p, _)| *p == ms(1_530_572_400_000)));
        assert!(
            parts
                .iter()
                .any(|(p, _)| *p == Partition::Untimed(Granularity::Hour))
        );
    }
}
