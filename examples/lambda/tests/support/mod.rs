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
