//! Helpers shared by the Lambda function's tests: fixtures, events, and reading the outputs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use aws_access_logs_lambda::Config;
use aws_access_logs_lambda::config::{OUTPUT_BUCKET_VAR, REALTIME_FIELDS_VAR};
use bytes::Bytes;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Map, Value, json};

#[path = "../../../../tests/common/mod.rs"]
mod common;

pub use common::rows_as_json;

/// The crate's fixtures directory.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

pub fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(path)).unwrap()
}

pub fn expected(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).unwrap()
}

/// The real-time fixture's log configuration (its `Fields` give the field list).
pub fn realtime_fields() -> String {
    String::from_utf8(fixture("cloudfront/realtime.config.json")).unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A configuration from `extra` variables plus the output bucket `out` and the fixture's
/// real-time field list.
pub fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::new();
    vars.insert(OUTPUT_BUCKET_VAR.into(), "out".into());
    vars.insert(REALTIME_FIELDS_VAR.into(), realtime_fields());
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Config::from_lookup(|name| vars.get(name).cloned()).unwrap()
}

/// An S3 notification record (`key` as S3 sends it: URL-encoded).
pub fn s3_record(bucket: &str, encoded_key: &str, size: usize) -> Value {
    json!({
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": "2026-11-30T10:00:00.000Z", "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:EXAMPLE"},
        "requestParameters": {"sourceIPAddress": "192.0.2.1"},
        "responseElements": {"x-amz-request-id": "EXAMPLE123", "x-amz-id-2": "EXAMPLE456"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "logs",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "EXAMPLE"},
                          "arn": format!("arn:aws:s3:::{bucket}")},
               "object": {"key": encoded_key, "size": size, "sequencer": "0A1B2C3D4E5F678901"}}
    })
}

/// A direct S3 notification of `records`.
pub fn s3_event(records: Vec<Value>) -> Value {
    json!({ "Records": records })
}

/// SQS messages, each with `body` (an S3 notification or anything else).
pub fn sqs_event(messages: &[(&str, Value)]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|(id, body)| {
            json!({
                "messageId": id, "receiptHandle": format!("handle-{id}"),
                "body": body.to_string(),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1764496800000",
                               "SenderId": "EXAMPLE", "ApproximateFirstReceiveTimestamp": "1764496800001"},
                "messageAttributes": {}, "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:logs-queue",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// An EventBridge "Object Created" event (key as stored), without an ETag.
pub fn eventbridge_event(bucket: &str, key: &str, size: usize) -> Value {
    let mut event = eventbridge_event_with_etag(bucket, key, size, "");
    event["detail"]["object"]
        .as_object_mut()
        .unwrap()
        .remove("etag");
    event
}

/// An EventBridge "Object Created" event naming the object's ETag.
pub fn eventbridge_event_with_etag(bucket: &str, key: &str, size: usize, etag: &str) -> Value {
    json!({
        "version": "0", "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created", "source": "aws.s3", "account": "123456789012",
        "time": "2026-11-30T10:00:00Z", "region": "us-east-1",
        "resources": [format!("arn:aws:s3:::{bucket}")],
        "detail": {"version": "0", "bucket": {"name": bucket},
                   "object": {"key": key, "size": size, "etag": etag,
                              "sequencer": "00617F08299329D189"},
                   "request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012",
                   "source-ip-address": "192.0.2.1", "reason": "PutObject"}
    })
}

/// An S3 Batch Operations invocation (`LambdaInvoke`), as AWS documents it: schema `1.0`
/// names the bucket by ARN, schema `2.0` by name and carries the job's user arguments. One
/// task per (task id, bucket, key as listed in the manifest: URL-encoded, version id).
pub fn batch_event(
    schema_version: &str,
    invocation_id: &str,
    tasks: &[(&str, &str, &str, Option<&str>)],
) -> Value {
    let tasks: Vec<Value> = tasks
        .iter()
        .map(|(task_id, bucket, key, version)| {
            if schema_version == "1.0" {
                json!({"taskId": task_id, "s3Key": key, "s3VersionId": version,
                       "s3BucketArn": format!("arn:aws:s3:::{bucket}")})
            } else {
                json!({"taskId": task_id, "s3Key": key, "s3VersionId": version,
                       "s3Bucket": bucket})
            }
        })
        .collect();
    let mut job = json!({"id": "f3cc4f60-61f6-4a2b-8a21-d07600c373ce"});
    if schema_version != "1.0" {
        job["userArguments"] = json!({"purpose": "backfill"});
    }
    json!({
        "invocationSchemaVersion": schema_version,
        "invocationId": invocation_id,
        "job": job,
        "tasks": tasks,
    })
}

/// The results of an S3 Batch Operations response, after checking its envelope against the
/// request's: (taskId, resultCode, resultString) in order.
pub fn batch_results(
    response: &Value,
    schema_version: &str,
    invocation_id: &str,
) -> Vec<(String, String, String)> {
    assert_eq!(response["invocationSchemaVersion"], schema_version);
    assert_eq!(response["invocationId"], invocation_id);
    assert_eq!(response["treatMissingKeysAs"], "PermanentFailure");
    assert_eq!(response.as_object().unwrap().len(), 4, "{response}");
    response["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r.as_object().unwrap().len(), 3, "{r}");
            let field = |name: &str| r[name].as_str().unwrap().to_string();
            (field("taskId"), field("resultCode"), field("resultString"))
        })
        .collect()
}

pub fn s3_test_event(bucket: &str) -> Value {
    json!({"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-30T10:00:00.000Z",
           "Bucket": bucket, "RequestId": "5582815E1AEA5ADF", "HostId": "EXAMPLE"})
}

/// The rows of a Parquet object, and its key-value metadata.
pub fn parquet_rows(bytes: &[u8]) -> (Vec<Map<String, Value>>, HashMap<String, String>) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(Bytes::copy_from_slice(bytes)).unwrap();
    let meta: HashMap<String, String> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .into_iter()
        .flatten()
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect();
    let rows = builder
        .build()
        .unwrap()
        .flat_map(|batch| rows_as_json(&batch.unwrap()))
        .collect();
    (rows, meta)
}

/// Asserts that `rows` are the expected rows of a fixture (every expected column).
pub fn assert_rows(rows: &[Map<String, Value>], expected: &Value) {
    let want = expected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want.len());
    for (got, want) in rows.iter().zip(want) {
        for (column, value) in want.as_object().unwrap() {
            if column.starts_with('_') {
                continue;
            }
            assert_eq!(&got[column], value, "column {column} of {want}");
        }
    }
}

/// The lines of a rejects object (gzip JSON lines).
pub fn reject_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(gunzip(bytes))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `year=YYYY/month=MM/day=DD/hour=HH` of the earliest `time_column` value of a fixture.
pub fn partition_of(expected: &Value, time_column: &str) -> String {
    let earliest = expected["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r[time_column].as_i64())
        .min()
        .unwrap();
    chrono::DateTime::from_timestamp_millis(earliest)
        .unwrap()
        .format("year=%Y/month=%m/day=%d/hour=%H")
        .to_string()
}

/// The `_line` numbers of a fixture's expected rejects, with their outcomes.
pub fn expected_reject_lines(expected: &Value) -> Vec<u64> {
    expected["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect()
}

/// `n` distinct S3 server access log lines (about 330 bytes each), in time order.
pub fn s3_access_lines(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 340);
    for i in 0..n {
        let (minute, second) = ((i / 60) % 60, i % 60);
        out.extend_from_slice(
            format!(
                "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be bucket1 \
                 [06/Feb/2019:00:{minute:02}:{second:02} +0000] 192.0.2.{} - {:016X} \
                 REST.GET.OBJECT photos/{i:08}.jpg \"GET /bucket1/photos/{i:08}.jpg HTTP/1.1\" \
                 200 - {} {} {} {} \"-\" \"S3Console/0.4\" -\n",
                i % 250,
                (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                1000 + i * 7 % 9000,
                1000 + i * 7 % 9000,
                i % 97,
                i % 13,
            )
            .as_bytes(),
        );
    }
    out
}

/// A row of a Parquet file as JSON.
pub type Row = Map<String, Value>;

/// The partition folder of a Parquet key: its `year=…/month=…/day=…[/hour=…]` segments.
pub fn key_partition(key: &str) -> String {
    let segments: Vec<&str> = key.split('/').collect();
    let start = segments
        .iter()
        .position(|s| s.starts_with("year="))
        .unwrap_or_else(|| panic!("no partition in {key}"));
    segments[start..segments.len() - 1].join("/")
}

/// The time range `[start, end)` (ms) of a partition folder; `None` for the untimed one
/// (`__HIVE_DEFAULT_PARTITION__`).
pub fn partition_range(path: &str) -> Option<(i64, i64)> {
    if path.contains("__HIVE_DEFAULT_PARTITION__") {
        assert!(
            path.split('/')
                .all(|s| s.ends_with("=__HIVE_DEFAULT_PARTITION__")),
            "{path}"
        );
        return None;
    }
    let value = |name: &str| -> Option<u32> {
        path.split('/')
            .find_map(|s| s.strip_prefix(&format!("{name}=")))
            .map(|v| v.parse().unwrap())
    };
    let date = chrono::NaiveDate::from_ymd_opt(
        value("year").unwrap() as i32,
        value("month").unwrap(),
        value("day").unwrap(),
    )
    .unwrap();
    let (hour, len) = match value("hour") {
        Some(hour) => (hour, 3_600_000),
        None => (0, 86_400_000),
    };
    let start = date
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    Some((start, start + len))
}

/// The folder of a record time (`None`: the untimed folder), by the hour or by the day.
pub fn folder_of(time: Option<i64>, by_day: bool) -> String {
    let format = if by_day {
        "year=%Y/month=%m/day=%d"
    } else {
        "year=%Y/month=%m/day=%d/hour=%H"
    };
    match time {
        Some(ms) => chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .format(format)
            .to_string(),
        None => {
            let levels: &[&str] = if by_day {
                &["year", "month", "day"]
            } else {
                &["year", "month", "day", "hour"]
            };
            levels
                .iter()
                .map(|l| format!("{l}=__HIVE_DEFAULT_PARTITION__"))
                .collect::<Vec<_>>()
                .join("/")
        }
    }
}

/// The rows of the Parquet `files` (key, bytes), in key order, checking that every row's
/// `time_column` lies in its key's partition (null in the untimed one) and that every file's
/// `aws_access_logs.rows` counts its rows. Returns the rows and each file's partition folder
/// with its row count.
pub fn partitioned_rows(
    files: &[(String, Vec<u8>)],
    time_column: &str,
) -> (Vec<Row>, Vec<(String, usize)>) {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all = Vec::new();
    let mut counts = Vec::new();
    for (key, bytes) in sorted {
        assert!(key.ends_with(".parquet"), "{key}");
        let folder = key_partition(key);
        let range = partition_range(&folder);
        let (rows, meta) = parquet_rows(bytes);
        assert!(!rows.is_empty(), "{key}: no rows");
        assert_eq!(
            meta["aws_access_logs.rows"],
            rows.len().to_string(),
            "{key}"
        );
        for row in &rows {
            let time = row.get(time_column).and_then(Value::as_i64);
            match (range, time) {
                (Some((start, end)), Some(t)) => {
                    assert!(
                        start <= t && t < end,
                        "{key}: a row of {t} outside {folder}"
                    )
                }
                (None, None) => {}
                _ => panic!("{key}: a row of {time:?} in {folder}"),
            }
        }
        counts.push((folder, rows.len()));
        all.extend(rows);
    }
    (all, counts)
}

/// A fixture's expected document with its rows in the order of the partitioned files: by
/// partition folder (the untimed one last), then in their order in the log.
pub fn in_partition_order(expected: &Value, time_column: &str, by_day: bool) -> Value {
    let mut rows: Vec<(String, usize, Value)> = expected["rows"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, r)| (folder_of(r[time_column].as_i64(), by_day), i, r.clone()))
        .collect();
    rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut reordered = expected.clone();
    reordered["rows"] = Value::Array(rows.into_iter().map(|r| r.2).collect());
    reordered
}

/// The partition folders of a fixture's rows, with their row counts, in folder order.
pub fn folders_of(expected: &Value, time_column: &str, by_day: bool) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::new();
    for row in expected["rows"].as_array().unwrap() {
        *counts
            .entry(folder_of(row[time_column].as_i64(), by_day))
            .or_insert(0) += 1;
    }
    counts.into_iter().collect()
}

/// S3 server access log lines at the given times (ms since the epoch), one per time, in
/// that order, each naming its position in the key (`photos/{i:08}.jpg`).
pub fn s3_access_lines_at(times: &[i64]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, ms) in times.iter().enumerate() {
        let time = chrono::DateTime::from_timestamp_millis(*ms)
            .unwrap()
            .format("%d/%b/%Y:%H:%M:%S +0000");
        out.extend_from_slice(
            format!(
                "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be bucket1 \
                 [{time}] 192.0.2.{} - {:016X} REST.GET.OBJECT photos/{i:08}.jpg \
                 \"GET /bucket1/photos/{i:08}.jpg HTTP/1.1\" 200 - {} {} 7 3 \"-\" \
                 \"S3Console/0.4\" -\n",
                i % 250,
                (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                1000 + i,
                1000 + i,
            )
            .as_bytes(),
        );
    }
    out
}
