//! The handler on the in-memory object store: events, routing, outputs, idempotency,
//! failures, the loop guard and the metrics line.

mod support;

use std::sync::{Arc, Mutex};

use aws_access_logs_lambda::config::SOURCE_TYPE_MAP_VAR;
use aws_access_logs_lambda::{Config, Handler, MemoryStore};
use serde_json::{Value, json};
use support::*;

const QUIRKS_KEY: &str = "cache-bucket/2019-02-06-00-00-38 access+log";
const QUIRKS_KEY_ENCODED: &str = "cache-bucket/2019-02-06-00-00-38+access%2Blog";

struct Setup {
    handler: Handler<MemoryStore>,
    store: MemoryStore,
    metrics: Arc<Mutex<Vec<Value>>>,
}

fn setup(config: Config) -> Setup {
    let store = MemoryStore::new();
    let metrics = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&metrics);
    let handler = Handler::with_emit(
        store.clone(),
        config,
        Arc::new(move |line: &str| {
            sink.lock()
                .unwrap()
                .push(serde_json::from_str(line).unwrap())
        }),
    );
    Setup {
        handler,
        store,
        metrics,
    }
}

/// The one key in `out` under `prefix` ending with `suffix`.
fn only_key(store: &MemoryStore, prefix: &str, suffix: &str) -> String {
    let keys: Vec<String> = store
        .keys("out")
        .into_iter()
        .filter(|k| k.starts_with(prefix) && k.ends_with(suffix))
        .collect();
    assert_eq!(keys.len(), 1, "{keys:?} under {prefix}");
    keys.into_iter().next().unwrap()
}

#[tokio::test]
async fn s3_notification_writes_parquet_rejects_latest_and_metrics() {
    let s = setup(config(&[]));
    let log = fixture("s3/quirks.log");
    s.store.insert("logs", QUIRKS_KEY, log.clone());
    let event = s3_event(vec![s3_record("logs", QUIRKS_KEY_ENCODED, log.len())]);
    let response = s.handler.handle(event).await.unwrap();
    assert_eq!(response, json!({"processed": 1, "rows": 19, "rejected": 8}));

    let expected = expected("s3/quirks.expected.json");
    let partition = partition_of(&expected, "time");
    // The quirks fixture's earliest line is from 2012 (a line with a +hhmm offset).
    assert_eq!(partition, "year=2012/month=02/day=10/hour=21");
    let parquet_key = only_key(
        &s.store,
        &format!("lets/s3-access/{partition}/"),
        ".parquet",
    );
    let id = parquet_key
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".parquet");
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        s.store.content_type("out", &parquet_key).as_deref(),
        Some("application/vnd.apache.parquet")
    );
    let (rows, meta) = parquet_rows(&s.store.object("out", &parquet_key).unwrap());
    assert_rows(&rows, &expected);
    assert_eq!(meta["aws_access_logs.rows"], "19");
    assert_eq!(meta["aws_access_logs.rejected"], "8");

    // Rejected and repaired lines, with their positions and raw bytes.
    let rejects_key = format!("lets/s3-access/rejects/{partition}/{id}.jsonl.gz");
    let rejects = reject_lines(&s.store.object("out", &rejects_key).unwrap());
    let lines: Vec<u64> = rejects
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, expected_reject_lines(&expected));
    for (got, want) in rejects.iter().zip(expected["rejects"].as_array().unwrap()) {
        assert_eq!(got["bucket"], "logs");
        assert_eq!(got["key"], QUIRKS_KEY);
        assert_eq!(got["outcome"], want["outcome"]);
        assert_eq!(got["field"], want["field"]);
        let offset = got["byte_offset"].as_u64().unwrap() as usize;
        let raw = got["raw"]
            .as_str()
            .map(|r| r.as_bytes().to_vec())
            .unwrap_or_else(|| {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(got["raw_base64"].as_str().unwrap())
                    .unwrap()
            });
        assert_eq!(&log[offset..offset + raw.len()], &raw[..]);
    }

    // latest.json names the object.
    let latest: Value =
        serde_json::from_slice(&s.store.object("out", "lets/s3-access/latest.json").unwrap())
            .unwrap();
    assert_eq!(latest["key"], parquet_key.as_str());
    assert_eq!(latest["bucket"], "out");
    assert_eq!(latest["format"], "s3-access");
    assert_eq!(latest["rows"], 19);
    assert_eq!(
        latest["source"],
        json!({"bucket": "logs", "key": QUIRKS_KEY})
    );
    let times: Vec<i64> = expected["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["time"].as_i64())
        .collect();
    assert_eq!(latest["latest_ms"], *times.iter().max().unwrap());
    let earliest = chrono::DateTime::from_timestamp_millis(*times.iter().min().unwrap()).unwrap();
    assert_eq!(
        latest["earliest"],
        earliest.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    );

    // One embedded-metric-format line.
    let metrics = s.metrics.lock().unwrap();
    assert_eq!(metrics.len(), 1);
    let m = &metrics[0];
    assert_eq!(
        m["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        json!([["format"]])
    );
    let names: Vec<&str> = m["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "rows",
            "rejected",
            "bytes_in",
            "bytes_out",
            "reduction_pct",
            "duration_ms"
        ]
    );
    assert_eq!(m["format"], "s3-access");
    assert_eq!(m["rows"], 19);
    assert_eq!(m["rejected"], 8);
    assert_eq!(m["repaired"], 1);
    assert_eq!(m["bytes_in"], log.len());
    let parquet_bytes = s.store.object("out", &parquet_key).unwrap().len() as f64;
    let rejects_bytes = s.store.object("out", &rejects_key).unwrap().len() as f64;
    assert_eq!(m["parquet_bytes"], parquet_bytes);
    assert_eq!(m["rejects_bytes"], rejects_bytes);
    let bytes_out = parquet_bytes + rejects_bytes;
    assert_eq!(m["bytes_out"], bytes_out);
    let reduction = 100.0 * (1.0 - bytes_out / log.len() as f64);
    assert!((m["reduction_pct"].as_f64().unwrap() - reduction).abs() < 0.01);
    assert!(m["duration_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(m["key"], QUIRKS_KEY);
}

#[tokio::test]
async fn the_same_object_twice_writes_identical_bytes() {
    let s = setup(config(&[]));
    let rt = gzip(&fixture("cloudfront/realtime.log"));
    s.store.insert(
        "logs",
        "cloudfront-realtime/2026/11/30/batch-1.gz",
        rt.clone(),
    );
    s.store.insert("logs", QUIRKS_KEY, fixture("s3/quirks.log"));
    let event = s3_event(vec![
        s3_record(
            "logs",
            "cloudfront-realtime/2026/11/30/batch-1.gz",
            rt.len(),
        ),
        s3_record("logs", QUIRKS_KEY_ENCODED, 1),
    ]);
    s.handler.handle(event.clone()).await.unwrap();
    let snapshot = |store: &MemoryStore| -> Vec<(String, Vec<u8>)> {
        store
            .keys("out")
            .into_iter()
            .map(|k| {
                let bytes = store.object("out", &k).unwrap();
                (k, bytes)
            })
            .collect()
    };
    let first = snapshot(&s.store);
    // Parquet and rejects for both, and a latest.json per format.
    assert_eq!(
        first.len(),
        6,
        "{:?}",
        first.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    let puts_before = s.store.puts().len();

    // Delivered again (at least once), and through EventBridge: same keys, same bytes.
    s.handler.handle(event).await.unwrap();
    s.handler
        .handle(eventbridge_event("logs", QUIRKS_KEY, 1))
        .await
        .unwrap();
    assert_eq!(snapshot(&s.store), first);
    let latest_puts = s.store.puts()[puts_before..]
        .iter()
        .filter(|(_, k)| k.ends_with("latest.json"))
        .count();
    assert_eq!(
        latest_puts, 0,
        "latest.json is not rewritten for the same object"
    );
}

#[tokio::test]
async fn sqs_reports_only_the_failed_messages() {
    let s = setup(config(&[]));
    let rt = gzip(&fixture("cloudfront/realtime.log"));
    s.store.insert(
        "logs",
        "cloudfront-realtime/E1/2026-11-30-10.gz",
        rt.clone(),
    );
    let response = s
        .handler
        .handle(sqs_event(&[
            (
                "m-ok",
                s3_event(vec![s3_record(
                    "logs",
                    "cloudfront-realtime/E1/2026-11-30-10.gz",
                    rt.len(),
                )]),
            ),
            (
                "m-missing",
                s3_event(vec![s3_record("logs", "cache-bucket/gone", 1)]),
            ),
            ("m-test", s3_test_event("logs")),
            ("m-garbage", json!("not an S3 notification")),
        ]))
        .await
        .unwrap();
    assert_eq!(
        response,
        json!({"batchItemFailures": [{"itemIdentifier": "m-missing"}, {"itemIdentifier": "m-garbage"}]})
    );
    let expected = expected("cloudfront/realtime.expected.json");
    let partition = partition_of(&expected, "timestamp");
    let key = only_key(
        &s.store,
        &format!("lets/cloudfront-realtime/{partition}/"),
        ".parquet",
    );
    let (rows, _) = parquet_rows(&s.store.object("out", &key).unwrap());
    assert_rows(&rows, &expected);
    let rejects_key = only_key(&s.store, "lets/cloudfront-realtime/rejects/", ".jsonl.gz");
    let rejects = reject_lines(&s.store.object("out", &rejects_key).unwrap());
    assert_eq!(
        rejects
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        expected_reject_lines(&expected)
    );
    assert_eq!(s.metrics.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn unrouted_objects_are_detected_and_eventbridge_keys_decoded_or_taken_as_given() {
    let s = setup(config(&[]));
    let standard = gzip(&fixture("cloudfront/standard-26.log"));
    let realtime = gzip(&fixture("cloudfront/realtime.log"));
    let quirks = fixture("s3/quirks.log");
    s.store.insert(
        "logs",
        "cf/E2EXAMPLE.2019-12-04-21.d111111abcdef8.gz",
        standard.clone(),
    );
    s.store
        .insert("logs", "misc/realtime a+b.gz", realtime.clone());
    s.store.insert("logs", "misc/access log", quirks.clone());
    for (key, size) in [
        (
            "cf/E2EXAMPLE.2019-12-04-21.d111111abcdef8.gz",
            standard.len(),
        ),
        // Not found decoded ("misc/realtime a b.gz"): read as given.
        ("misc/realtime a+b.gz", realtime.len()),
        // Encoded: decoded.
        ("misc/access+log", quirks.len()),
    ] {
        let response = s.handler.handle(eventbridge_event("logs", key, size)).await;
        assert_eq!(response.unwrap()["processed"], 1, "{key}");
    }
    let expected_std = expected("cloudfront/standard-26.expected.json");
    let key = only_key(
        &s.store,
        &format!(
            "lets/cloudfront-standard/{}/",
            partition_of(&expected_std, "timestamp")
        ),
        ".parquet",
    );
    assert_rows(
        &parquet_rows(&s.store.object("out", &key).unwrap()).0,
        &expected_std,
    );
    // Real-time logs detected, then read again from the start with the field list.
    let key = only_key(&s.store, "lets/cloudfront-realtime/year=", ".parquet");
    assert_rows(
        &parquet_rows(&s.store.object("out", &key).unwrap()).0,
        &expected("cloudfront/realtime.expected.json"),
    );
    let key = only_key(&s.store, "lets/s3-access/year=", ".parquet");
    assert_eq!(
        parquet_rows(&s.store.object("out", &key).unwrap()).0.len(),
        19
    );
}

#[tokio::test]
async fn failures_name_the_object_after_the_others_are_done() {
    let s = setup(config(&[(
        SOURCE_TYPE_MAP_VAR,
        r#"{"cloudfront-realtime/": "cloudfront-realtime", "cache-bucket/": "s3-access", "std/": "cloudfront-standard"}"#,
    )]));
    let quirks = fixture("s3/quirks.log");
    let mut corrupt = gzip(&quirks);
    corrupt.truncate(corrupt.len() / 2);
    s.store
        .insert("logs", "cache-bucket/good-1", quirks.clone());
    s.store.insert("logs", "cache-bucket/corrupt.gz", corrupt);
    s.store.insert(
        "logs",
        "misc/notes.txt",
        b"hello world\nthis is not a log\n".to_vec(),
    );
    s.store
        .insert("logs", "cache-bucket/broken-connection", quirks.clone());
    s.store.fail_reads_of("cache-bucket/broken-connection");
    s.store.insert(
        "logs",
        "std/E2.2019-12-04-21.gz",
        fixture("cloudfront/standard-26.log"),
    );
    s.store.fail_writes_under("lets/cloudfront-standard/");
    s.store
        .insert("logs", "cache-bucket/good-2", quirks.clone());
    s.store
        .insert("logs", "cache-bucket/broken-connection.gz", gzip(&quirks));
    s.store.fail_reads_of("cache-bucket/broken-connection.gz");
    let keys = [
        "cache-bucket/good-1",
        "cache-bucket/corrupt.gz",
        "misc/notes.txt",
        "cache-bucket/missing",
        "cache-bucket/broken-connection",
        "cache-bucket/broken-connection.gz",
        "std/E2.2019-12-04-21.gz",
        "",
        "cache-bucket/good-2",
    ];
    let event = s3_event(keys.iter().map(|k| s3_record("logs", k, 1)).collect());
    let err = s.handler.handle(event).await.unwrap_err().to_string();
    assert!(err.starts_with("7 of 9 objects failed: "), "{err}");
    assert!(
        err.contains("record without bucket name or object key"),
        "{err}"
    );
    for (key, cause) in [
        ("cache-bucket/corrupt.gz", "corrupt gzip"),
        ("misc/notes.txt", "undetectable format"),
        (
            "cache-bucket/missing",
            "cannot read the object: no such object",
        ),
        (
            "cache-bucket/broken-connection",
            "reading the object failed",
        ),
        // A broken connection under gzip is not blamed on the gzip.
        (
            "cache-bucket/broken-connection.gz",
            "reading the object failed",
        ),
        ("std/E2.2019-12-04-21.gz", "injected write failure"),
    ] {
        let part = err
            .split("; ")
            .find(|p| p.contains(&format!("s3://logs/{key}:")))
            .unwrap_or_else(|| panic!("{key} not in {err}"));
        assert!(part.contains(cause), "{part}");
    }
    assert!(err.contains("\"hello world\""), "{err}");
    // The good objects (same bytes, different keys) were both written.
    let parquet: Vec<String> = s
        .store
        .keys("out")
        .into_iter()
        .filter(|k| k.ends_with(".parquet"))
        .collect();
    assert_eq!(parquet.len(), 2, "{parquet:?}");
    assert_eq!(s.metrics.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn own_output_is_never_processed_and_test_events_are_acknowledged() {
    let s = setup(config(&[]));
    s.store
        .insert("out", "lets/s3-access/latest.json", b"{}".to_vec());
    s.store
        .insert("out", "cache-bucket/x", fixture("s3/quirks.log"));
    let response = s
        .handler
        .handle(s3_event(vec![
            s3_record("out", "lets/s3-access/latest.json", 2),
            s3_record("out", "lets/s3-access/year%3D2019/x.parquet", 2),
        ]))
        .await
        .unwrap();
    assert_eq!(response["processed"], 0);
    assert!(s.store.puts().is_empty());
    // The output bucket outside the output prefix is a log bucket like any other.
    let response = s
        .handler
        .handle(s3_event(vec![s3_record("out", "cache-bucket/x", 2)]))
        .await
        .unwrap();
    assert_eq!(response["processed"], 1);

    let response = s.handler.handle(s3_test_event("logs")).await.unwrap();
    assert_eq!(response, json!({"ignored": "s3:TestEvent"}));
    let mut deleted = eventbridge_event("logs", "cache-bucket/x", 1);
    deleted["detail-type"] = json!("Object Deleted");
    let response = s.handler.handle(deleted).await.unwrap();
    assert_eq!(response, json!({"ignored": "Object Deleted"}));
    let err = s.handler.handle(json!({"foo": 1})).await.unwrap_err();
    assert!(err.to_string().starts_with("unrecognised event"));
}

#[tokio::test]
async fn latest_json_only_moves_forward() {
    let s = setup(config(&[]));
    let line = |day: u32| {
        format!(
            "79a5 bucket1 [{day:02}/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE \
             REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \
             \"S3Console/0.4\" -\n"
        )
    };
    let latest = |store: &MemoryStore| -> Value {
        serde_json::from_slice(&store.object("out", "lets/s3-access/latest.json").unwrap()).unwrap()
    };
    for (key, day) in [
        ("cache-bucket/b", 10),
        ("cache-bucket/a", 5),
        ("cache-bucket/c", 20),
    ] {
        s.store.insert("logs", key, line(day));
        // Concurrent writers race each conditional write twice: it reads again and retries.
        s.store.fail_conditional_writes(2);
        s.handler
            .handle(s3_event(vec![s3_record("logs", key, 1)]))
            .await
            .unwrap();
        let expect_day = if day == 5 { 10 } else { day };
        assert_eq!(
            latest(&s.store)["latest"],
            format!("2019-02-{expect_day:02}T00:00:38.000Z"),
            "after {key}"
        );
    }
    assert_eq!(latest(&s.store)["source"]["key"], "cache-bucket/c");

    // A record stamped after its object was written counts as the object's last-modified
    // time plus an hour: it cannot pin latest.json in the future.
    let modified = 1_549_756_800_000; // 2019-02-10T00:00:00Z
    s.store.insert_modified_at(
        "logs",
        "cache-bucket/d",
        format!("{}{}", line(21), line(28)),
        modified,
    );
    s.handler
        .handle(s3_event(vec![s3_record("logs", "cache-bucket/d", 1)]))
        .await
        .unwrap();
    assert_eq!(latest(&s.store)["source"]["key"], "cache-bucket/c");
    let parquet = s
        .store
        .keys("out")
        .into_iter()
        .find(|k| k.contains("day=21"))
        .expect("written");
    assert!(parquet.ends_with(".parquet"));
    assert!(
        latest(&s.store)["key"]
            .as_str()
            .unwrap()
            .starts_with("lets/s3-access/year=2019/month=02/day=20/hour=00/")
    );
}

#[tokio::test]
async fn realtime_logs_without_a_field_list_fail_with_the_variable_name() {
    let s = setup(
        Config::from_lookup(|name| match name {
            "CACHE__SERVICE__BUCKET_NAME" => Some("out".into()),
            "LETS__SOURCE_TYPE_MAP" => Some(r#"{"cache-bucket/": "s3-access"}"#.into()),
            _ => None,
        })
        .unwrap(),
    );
    s.store
        .insert("logs", "rt/1.gz", gzip(&fixture("cloudfront/realtime.log")));
    let err = s
        .handler
        .handle(s3_event(vec![s3_record("logs", "rt/1.gz", 1)]))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("need CLOUDFRONT_REALTIME_FIELDS"),
        "{err}"
    );
}

#[tokio::test]
async fn rows_without_a_time_are_partitioned_by_last_modified() {
    let s = setup(config(&[("CLOUDFRONT_REALTIME_FIELDS", "c-ip,sc-status")]));
    s.store.insert_modified_at(
        "logs",
        "cloudfront-realtime/no-time.gz",
        gzip(b"192.0.2.1\t200\n192.0.2.2\t404\nbroken\n"),
        1_764_496_800_000, // 2025-11-30T10:00:00Z
    );
    let response = s
        .handler
        .handle(s3_event(vec![s3_record(
            "logs",
            "cloudfront-realtime/no-time.gz",
            1,
        )]))
        .await
        .unwrap();
    assert_eq!(response, json!({"processed": 1, "rows": 2, "rejected": 1}));
    let key = only_key(
        &s.store,
        "lets/cloudfront-realtime/year=2025/month=11/day=30/hour=10/",
        ".parquet",
    );
    let (rows, _) = parquet_rows(&s.store.object("out", &key).unwrap());
    assert_eq!(rows[1]["c_ip"], "192.0.2.2");
    assert_eq!(rows[1]["sc_status"], 404);
    only_key(
        &s.store,
        "lets/cloudfront-realtime/rejects/year=2025/month=11/day=30/hour=10/",
        ".jsonl.gz",
    );
}
