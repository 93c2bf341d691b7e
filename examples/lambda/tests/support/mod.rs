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
        .flat_map(|batch| rows_as_json(&micros_as_integers(&batch.unwrap())))
        .collect();
    (rows, meta)
}

/// `batch` with its microsecond UTC times (Elastic Load Balancing logs) as Int64 columns of
/// epoch microseconds, which `rows_as_json` reads as integers; millisecond times are left
/// as they are.
pub fn micros_as_integers(batch: &arrow::array::RecordBatch) -> arrow::array::RecordBatch {
    use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    let schema = batch.schema();
    let (fields, columns): (Vec<Field>, Vec<arrow::array::ArrayRef>) = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| match field.data_type() {
            DataType::Timestamp(TimeUnit::Microsecond, tz) => {
                assert_eq!(tz.as_deref(), Some("UTC"), "{}", field.name());
                let as_int = arrow::compute::cast(column, &DataType::Int64).unwrap();
                (Field::new(field.name(), DataType::Int64, true), as_int)
            }
            _ => (field.as_ref().clone(), column.clone()),
        })
        .unzip();
    arrow::array::RecordBatch::try_new(std::sync::Arc::new(Schema::new(fields)), columns).unwrap()
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

// --- Elastic Load Balancing logs ---------------------------------------------------------------
//
// Synthetic lines of the four formats (documentation IP ranges, invented ids) under the keys
// ELB gives its objects.

/// The folder ELB delivers into: `AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/`.
pub const ELB_FOLDER: &str = "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2024/03/17/";
/// The test object ELB writes when access logging is enabled, and its one line.
pub const ELB_TEST_FILE_KEY: &str = "AWSLogs/123456789012/ELBAccessLogTestFile";
pub const ELB_TEST_FILE: &str =
    "Enable AccessLog for ELB: app/my-alb/50dc6c495c0c9188 at 2024-03-17T09:55:52.806Z\n";

/// ALB access log: a 33-field HTTPS line (09:59), an 18-field line of 2016's layout with an
/// IPv6 client, a space in its URL, no target and `-1` times (10:00).
pub const ALB_LINES: &str = concat!(
    r#"https 2024-03-17T09:59:59.123456Z app/my-alb/50dc6c495c0c9188 192.0.2.10:51234 10.0.0.5:8080 0.001 0.047 0.000 200 200 512 1024 "GET https://www.example.com:443/path?q=1 HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-65f6bf7f-0123456789abcdef01234567" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2024-03-17T09:59:59.075000Z "forward" "-" "-" "10.0.0.5:8080" "200" "-" "-" TID_0123456789abcdef0123456789abcdef "-" "-" "-""#,
    "\n",
    r#"http 2024-03-17T10:00:00.000001Z app/my-alb/50dc6c495c0c9188 2001:db8::1:50599 - -1 -1 -1 460 - 34 0 "GET http://www.example.com:80/a b HTTP/1.1" "-" - - - "-""#,
    "\n",
);
/// NLB access log: a 22-field line (09:15) with its ALPN preference list (quotes, not
/// quoting).
pub const NLB_LINES: &str = concat!(
    r#"tls 2.0 2024-03-17T09:15:42 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 198.51.100.20:51341 10.0.1.10:443 5 2 98 246 - arn:aws:acm:us-east-2:123456789012:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-nlb-c6e77e28c25b2234.elb.us-east-2.amazonaws.com h2 h2 "h2","http/1.1" 2024-03-17T09:15:30"#,
    "\n",
);
/// CLB access log: an HTTP line and a TCP line (`"- - - "`, status codes `-`), both at 08:xx.
pub const CLB_LINES: &str = concat!(
    r#"2024-03-17T08:30:00.000073Z my-clb 203.0.113.5:2817 10.0.2.7:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -"#,
    "\n",
    r#"2024-03-17T08:45:10.945958Z my-clb 203.0.113.6:3000 10.0.2.7:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -"#,
    "\n",
);
/// ALB connection log: a 15-field line of a TLS listener with a client certificate (09:05).
pub const ALB_CONNECTION_LINES: &str = concat!(
    r#"2024-03-17T09:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 "CN=client.example.com,O=Example,L=Seattle,ST=Washington,C=US" NotBefore=2023-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z FEF257372D5C14D4 Success TID_3180a73013c8ca4bac2f731159d4b0fe - app/my-alb/50dc6c495c0c9188 10.0.3.4"#,
    "\n",
);

/// The object names ELB gives the four kinds of logs.
pub const ALB_NAME: &str = "123456789012_elasticloadbalancing_us-east-2_app.my-alb.50dc6c495c0c9188_20240317T1000Z_192.0.2.200_2t2dtogd.log.gz";
pub const NLB_NAME: &str = "123456789012_elasticloadbalancing_us-east-2_net.my-nlb.c6e77e28c25b2234_20240317T0920Z_5k3dkd9e.log.gz";
pub const CLB_NAME: &str =
    "123456789012_elasticloadbalancing_us-east-2_my-clb_20240317T0900Z_192.0.2.201_3j2ld8ss.log";
pub const ALB_CONNECTION_NAME: &str = "conn_log_123456789012_elasticloadbalancing_us-east-2_app.my-alb.50dc6c495c0c9188_20240317T0910Z_192.0.2.200_8sk2ls0a.log.gz";

/// One Elastic Load Balancing log object of the tests.
pub struct ElbObject {
    /// Its key: [`ELB_FOLDER`] and its ELB name.
    pub key: String,
    /// Its body as stored: gzip, but plain text for CLB logs (as ELB writes them).
    pub body: Vec<u8>,
    /// The table folder its rows go to.
    pub table: &'static str,
    /// Every column of its rows, times as epoch microseconds, in log order.
    pub rows: Vec<Row>,
}

fn object(value: Value) -> Row {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The four objects: ALB (gzip), NLB (gzip), CLB (plain), ALB connection log (gzip).
pub fn elb_objects() -> Vec<ElbObject> {
    let tg = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067";
    let mut alb_old = object(json!({
        "type": "http", "time": 1_710_669_600_000_001i64, "elb": "app/my-alb/50dc6c495c0c9188",
        "client_ip": "2001:db8::1", "client_port": 50599, "target_ip": null, "target_port": null,
        "request_processing_time": -1.0, "target_processing_time": -1.0,
        "response_processing_time": -1.0, "elb_status_code": 460, "target_status_code": null,
        "received_bytes": 34, "sent_bytes": 0,
        "request": "GET http://www.example.com:80/a b HTTP/1.1", "request_method": "GET",
        "request_url": "http://www.example.com:80/a b", "request_http_version": "HTTP/1.1",
        "user_agent": null, "ssl_cipher": null, "ssl_protocol": null, "target_group_arn": null,
        "trace_id": null,
    }));
    // The fields after the 18th were not logged yet.
    alb_old.extend(
        [
            "domain_name",
            "chosen_cert_arn",
            "matched_rule_priority",
            "request_creation_time",
            "actions_executed",
            "redirect_url",
            "error_reason",
            "target_port_list",
            "target_status_code_list",
            "classification",
            "classification_reason",
            "conn_trace_id",
            "transformed_host",
            "transformed_uri",
            "request_transform_status",
            "trailing_fields",
        ]
        .map(|n| (n.to_string(), Value::Null)),
    );
    let alb = vec![
        object(json!({
            "type": "https", "time": 1_710_669_599_123_456i64,
            "elb": "app/my-alb/50dc6c495c0c9188", "client_ip": "192.0.2.10", "client_port": 51234,
            "target_ip": "10.0.0.5", "target_port": 8080, "request_processing_time": 0.001,
            "target_processing_time": 0.047, "response_processing_time": 0.0,
            "elb_status_code": 200, "target_status_code": 200, "received_bytes": 512,
            "sent_bytes": 1024, "request": "GET https://www.example.com:443/path?q=1 HTTP/1.1",
            "request_method": "GET", "request_url": "https://www.example.com:443/path?q=1",
            "request_http_version": "HTTP/1.1", "user_agent": "curl/8.5.0",
            "ssl_cipher": "ECDHE-RSA-AES128-GCM-SHA256", "ssl_protocol": "TLSv1.2",
            "target_group_arn": tg, "trace_id": "Root=1-65f6bf7f-0123456789abcdef01234567",
            "domain_name": "www.example.com",
            "chosen_cert_arn": "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012",
            "matched_rule_priority": 1, "request_creation_time": 1_710_669_599_075_000i64,
            "actions_executed": "forward", "redirect_url": null, "error_reason": null,
            "target_port_list": "10.0.0.5:8080", "target_status_code_list": "200",
            "classification": null, "classification_reason": null,
            "conn_trace_id": "TID_0123456789abcdef0123456789abcdef", "transformed_host": null,
            "transformed_uri": null, "request_transform_status": null, "trailing_fields": null,
        })),
        alb_old,
    ];
    let nlb = vec![object(json!({
        "type": "tls", "version": "2.0", "time": 1_710_666_942_000_000i64,
        "elb": "net/my-nlb/c6e77e28c25b2234", "listener": "g3d4b5e8bb8464cd",
        "client_ip": "198.51.100.20", "client_port": 51341, "destination_ip": "10.0.1.10",
        "destination_port": 443, "connection_time": 5, "tls_handshake_time": 2,
        "received_bytes": 98, "sent_bytes": 246, "incoming_tls_alert": null,
        "chosen_cert_arn": "arn:aws:acm:us-east-2:123456789012:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99",
        "chosen_cert_serial": null, "tls_cipher": "ECDHE-RSA-AES128-SHA",
        "tls_protocol_version": "tlsv12", "tls_keyexchange": null,
        "domain_name": "my-nlb-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
        "alpn_fe_protocol": "h2", "alpn_be_protocol": "h2",
        "alpn_client_preference_list": "\"h2\",\"http/1.1\"",
        "tls_connection_creation_time": 1_710_666_930_000_000i64, "trailing_fields": null,
    }))];
    let clb = vec![
        object(json!({
            "time": 1_710_664_200_000_073i64, "elb": "my-clb", "client_ip": "203.0.113.5",
            "client_port": 2817, "backend_ip": "10.0.2.7", "backend_port": 80,
            "request_processing_time": 0.000073, "backend_processing_time": 0.001048,
            "response_processing_time": 0.000057, "elb_status_code": 200,
            "backend_status_code": 200, "received_bytes": 0, "sent_bytes": 29,
            "request": "GET http://www.example.com:80/ HTTP/1.1", "request_method": "GET",
            "request_url": "http://www.example.com:80/", "request_http_version": "HTTP/1.1",
            "user_agent": "curl/7.38.0", "ssl_cipher": null, "ssl_protocol": null,
            "trailing_fields": null,
        })),
        object(json!({
            "time": 1_710_665_110_945_958i64, "elb": "my-clb", "client_ip": "203.0.113.6",
            "client_port": 3000, "backend_ip": "10.0.2.7", "backend_port": 80,
            "request_processing_time": 0.001069, "backend_processing_time": 0.000028,
            "response_processing_time": 0.000041, "elb_status_code": null,
            "backend_status_code": null, "received_bytes": 82, "sent_bytes": 305,
            "request": "- - - ", "request_method": null, "request_url": null,
            "request_http_version": null, "user_agent": null, "ssl_cipher": null,
            "ssl_protocol": null, "trailing_fields": null,
        })),
    ];
    let connection = vec![object(json!({
        "time": 1_710_666_315_514_108i64, "client_ip": "203.0.113.1", "client_port": 36280,
        "listener_port": 443, "tls_protocol": "TLSv1.2",
        "tls_cipher": "ECDHE-RSA-AES128-GCM-SHA256", "tls_handshake_latency": 4.036,
        "leaf_client_cert_subject": "CN=client.example.com,O=Example,L=Seattle,ST=Washington,C=US",
        "leaf_client_cert_validity": "NotBefore=2023-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z",
        "leaf_client_cert_serial_number": "FEF257372D5C14D4", "tls_verify_status": "Success",
        "conn_trace_id": "TID_3180a73013c8ca4bac2f731159d4b0fe", "tls_keyexchange": null,
        "elb": "app/my-alb/50dc6c495c0c9188", "ip_address": "10.0.3.4", "trailing_fields": null,
    }))];
    let make = |name: &str, lines: &str, table, rows| ElbObject {
        key: format!("{ELB_FOLDER}{name}"),
        body: if name.ends_with(".gz") {
            gzip(lines.as_bytes())
        } else {
            lines.as_bytes().to_vec()
        },
        table,
        rows,
    };
    vec![
        make(ALB_NAME, ALB_LINES, "alb-access", alb),
        make(NLB_NAME, NLB_LINES, "nlb-access", nlb),
        make(CLB_NAME, CLB_LINES, "clb-access", clb),
        make(
            ALB_CONNECTION_NAME,
            ALB_CONNECTION_LINES,
            "alb-connection",
            connection,
        ),
    ]
}

/// The hour folder (`year=…/month=…/day=…/hour=…`) of a time in epoch microseconds.
pub fn hour_of_micros(micros: i64) -> String {
    folder_of(Some(micros.div_euclid(1000)), false)
}

/// The rows of the Parquet `files` (key, bytes) of an ELB table, in key order, checking that
/// every row's `time` (microseconds) lies in its key's hour and that every file's
/// `aws_access_logs.rows` counts its rows; with each file's partition folder and row count.
pub fn elb_partitioned_rows(files: &[(String, Vec<u8>)]) -> (Vec<Row>, Vec<(String, usize)>) {
    let mut sorted: Vec<&(String, Vec<u8>)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all = Vec::new();
    let mut counts = Vec::new();
    for (key, bytes) in sorted {
        let folder = key_partition(key);
        let (rows, meta) = parquet_rows(bytes);
        assert_eq!(meta["aws_access_logs.rows"], rows.len().to_string());
        for row in &rows {
            let time = row["time"].as_i64().unwrap();
            assert_eq!(hour_of_micros(time), folder, "{key}");
        }
        counts.push((folder, rows.len()));
        all.extend(rows);
    }
    (all, counts)
}

/// An object's rows in the order of its partitioned files (by hour, then in log order), and
/// its hours with their row counts.
pub fn elb_expected(object: &ElbObject) -> (Vec<Row>, Vec<(String, usize)>) {
    let mut rows: Vec<(String, usize, Row)> = object
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (hour_of_micros(r["time"].as_i64().unwrap()), i, r.clone()))
        .collect();
    rows.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (hour, _, _) in &rows {
        match counts.last_mut() {
            Some((last, n)) if last == hour => *n += 1,
            _ => counts.push((hour.clone(), 1)),
        }
    }
    (rows.into_iter().map(|r| r.2).collect(), counts)
}
