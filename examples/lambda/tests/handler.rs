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
    setup_with_store(config, MemoryStore::new())
}

/// A handler on `store` (shared with an earlier handler's, to see its objects).
fn setup_with_store(config: Config, store: MemoryStore) -> Setup {
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

/// The Parquet files of `format` in `out`: (key, bytes), in key order.
fn parquet_files(store: &MemoryStore, format: &str) -> Vec<(String, Vec<u8>)> {
    store
        .keys("out")
        .into_iter()
        .filter(|k| k.starts_with(&format!("lets/{format}/")))
        .map(|k| {
            let bytes = store.object("out", &k).unwrap();
            (k, bytes)
        })
        .collect()
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
    let expected = expected("s3/quirks.expected.json");
    let stats = &expected["stats"];
    let (n_rows, rejected) = (stats["rows"].clone(), stats["rejected"].clone());
    assert_eq!(
        response,
        json!({"processed": 1, "rows": n_rows, "rejected": rejected})
    );

    // One file per hour the records fall in (2012 to 2026), and one for the line without a
    // time; each holds exactly its rows, the union every row once.
    let files = parquet_files(&s.store, "s3-access");
    let folders = folders_of(&expected, "time", false);
    assert_eq!(folders.len(), 18);
    assert_eq!(files.len(), folders.len());
    let (rows, counts) = partitioned_rows(&files, "time");
    assert_eq!(counts, folders);
    assert_rows(&rows, &in_partition_order(&expected, "time", false));
    assert_eq!(counts[0].0, "year=2012/month=02/day=10/hour=21");
    assert_eq!(
        counts[17],
        (
            "year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/\
             day=__HIVE_DEFAULT_PARTITION__/hour=__HIVE_DEFAULT_PARTITION__"
                .to_string(),
            1
        )
    );
    let id = files[0]
        .0
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".parquet")
        .to_string();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    for (key, bytes) in &files {
        assert!(key.ends_with(&format!("/{id}.parquet")), "{key}");
        assert_eq!(
            s.store.content_type("out", key).as_deref(),
            Some("application/vnd.apache.parquet")
        );
        let (_, meta) = parquet_rows(bytes);
        assert_eq!(meta["aws_access_logs.rejected"], rejected.to_string());
        assert!(!meta.contains_key("aws_access_logs.incomplete"));
    }
    // Nothing but Parquet files under the table's prefix.
    let others: Vec<String> = s
        .store
        .keys("out")
        .into_iter()
        .filter(|k| !k.ends_with(".parquet"))
        .collect();
    let rejects_key = format!("lets/_rejects/s3-access/year=2030/month=01/day=01/{id}.jsonl.gz");
    assert_eq!(
        others,
        [
            "lets/_latest/s3-access.json".to_string(),
            rejects_key.clone()
        ]
    );

    // Rejected and repaired lines, with their positions and raw bytes, under the source
    // object's last-modified day (the memory store's default, 2030-01-01).
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

    // The latest document names every file of the object, and its rejects.
    let latest: Value = serde_json::from_slice(
        &s.store
            .object("out", "lets/_latest/s3-access.json")
            .unwrap(),
    )
    .unwrap();
    let times: Vec<i64> = expected["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["time"].as_i64())
        .collect();
    let rfc = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string()
    };
    assert_eq!(latest["bucket"], "out");
    assert_eq!(latest["format"], "s3-access");
    assert_eq!(latest["rows"], n_rows);
    assert_eq!(
        latest["source"],
        json!({"bucket": "logs", "key": QUIRKS_KEY})
    );
    assert_eq!(latest["latest_ms"], *times.iter().max().unwrap());
    assert_eq!(latest["earliest"], rfc(*times.iter().min().unwrap()));
    assert_eq!(latest["rejects"], rejects_key.as_str());
    // `key`: the file of the latest records.
    assert_eq!(
        latest["key"],
        format!("lets/s3-access/year=2026/month=11/day=01/hour=00/{id}.parquet")
    );
    let listed = latest["files"].as_array().unwrap();
    assert_eq!(listed.len(), files.len());
    for ((listed, (key, _)), (folder, count)) in listed.iter().zip(&files).zip(&counts) {
        assert_eq!(listed["key"], key.as_str());
        assert_eq!(listed["partition"], folder.as_str());
        assert_eq!(listed["rows"], *count);
        match partition_range(folder) {
            Some((start, end)) => {
                let earliest = listed["earliest"].as_str().unwrap();
                let latest = listed["latest"].as_str().unwrap();
                assert!(earliest >= rfc(start).as_str() && latest < rfc(end).as_str());
            }
            None => assert_eq!(
                (&listed["earliest"], &listed["latest"]),
                (&json!(null), &json!(null))
            ),
        }
    }

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
    assert_eq!(m["rows"], n_rows);
    assert_eq!(m["rejected"], rejected);
    assert_eq!(m["repaired"], stats["repaired"]);
    assert_eq!(m["bytes_in"], log.len());
    assert_eq!(m["parquet_files"], files.len());
    assert_eq!(m["passes"], 1);
    let parquet_bytes = files.iter().map(|f| f.1.len()).sum::<usize>() as f64;
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
    // A Parquet file per partition (2 real-time hours, 17 access-log hours and the untimed
    // partition), rejects for both, and a latest document per format.
    assert_eq!(
        first.len(),
        2 + 18 + 2 + 2,
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
        .filter(|(_, k)| k.starts_with("lets/_latest/"))
        .count();
    assert_eq!(
        latest_puts, 0,
        "the latest document is not rewritten for the same object"
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
    let (rows, counts) =
        partitioned_rows(&parquet_files(&s.store, "cloudfront-realtime"), "timestamp");
    assert_eq!(
        counts,
        [
            ("year=2023/month=05/day=16/hour=08".to_string(), 4),
            ("year=2023/month=11/day=14/hour=22".to_string(), 2)
        ]
    );
    assert_rows(&rows, &in_partition_order(&expected, "timestamp", false));
    let rejects_key = only_key(
        &s.store,
        "lets/_rejects/cloudfront-realtime/year=2030/month=01/day=01/",
        ".jsonl.gz",
    );
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
async fn unrouted_objects_are_detected() {
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
        // EventBridge keys are read as given.
        ("misc/realtime a+b.gz", realtime.len()),
        ("misc/access log", quirks.len()),
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
    let (rows, _) = partitioned_rows(&parquet_files(&s.store, "cloudfront-realtime"), "timestamp");
    assert_rows(
        &rows,
        &in_partition_order(
            &expected("cloudfront/realtime.expected.json"),
            "timestamp",
            false,
        ),
    );
    let (rows, _) = partitioned_rows(&parquet_files(&s.store, "s3-access"), "time");
    assert_rows(
        &rows,
        &in_partition_order(&expected("s3/quirks.expected.json"), "time", false),
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
    // The corrupt gzip and the text that is no log are permanent: not in the error (which
    // makes Lambda retry), only logged.
    assert!(err.starts_with("5 of 9 objects failed: "), "{err}");
    assert!(
        err.contains("record without bucket name or object key"),
        "{err}"
    );
    assert!(
        !err.contains("corrupt.gz") && !err.contains("notes.txt"),
        "{err}"
    );
    for (key, cause) in [
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
    // The good objects (same bytes, different keys) were both written, and the readable
    // rows of the corrupt gzip.
    let parquet: Vec<String> = s
        .store
        .keys("out")
        .into_iter()
        .filter(|k| k.ends_with(".parquet"))
        .collect();
    let mut ids: Vec<&str> = parquet
        .iter()
        .map(|k| k.rsplit('/').next().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "{parquet:?}");
    let metrics = s.metrics.lock().unwrap();
    assert_eq!(metrics.len(), 3);
    let files: u64 = metrics
        .iter()
        .map(|m| m["parquet_files"].as_u64().unwrap())
        .sum();
    assert_eq!(files, parquet.len() as u64);
    assert_eq!(metrics[0]["parquet_files"], 18);
    // Nothing half-written by the failed ones.
    assert_eq!(s.store.uploads_in_progress(), 0);
    assert!(
        s.store
            .keys("out")
            .iter()
            .all(|k| !k.starts_with("lets/cloudfront-standard/")),
        "{:?}",
        s.store.keys("out")
    );
}

/// The store's ETag of an object.
async fn etag(store: &MemoryStore, bucket: &str, key: &str) -> String {
    use aws_access_logs_lambda::ObjectStore as _;
    store.get_small(bucket, key).await.unwrap().1.unwrap()
}

#[tokio::test]
async fn a_truncated_gzip_keeps_its_readable_rows_and_is_not_retried() {
    let s = setup(config(&[]));
    let log = s3_access_lines(2000);
    let mut truncated = gzip(&log);
    truncated.truncate(truncated.len() / 2);
    s.store
        .insert("logs", "cache-bucket/truncated.gz", truncated.clone());

    // Direct: a success (nothing to retry), naming the object as incomplete.
    let response = s
        .handler
        .handle(s3_event(vec![s3_record(
            "logs",
            "cache-bucket/truncated.gz",
            truncated.len(),
        )]))
        .await
        .unwrap();
    assert_eq!(response["processed"], 1);
    let incomplete = response["incomplete"][0].as_str().unwrap();
    assert!(
        incomplete.starts_with("s3://logs/cache-bucket/truncated.gz: corrupt gzip"),
        "{response}"
    );
    let rows = response["rows"].as_u64().unwrap();
    assert!(rows > 100 && rows < 2000, "{response}");

    // The rows before the cut, in a file marked incomplete (as the converter writes it).
    let key = only_key(&s.store, "lets/s3-access/year=2019/", ".parquet");
    let (parquet, meta) = parquet_rows(&s.store.object("out", &key).unwrap());
    assert_eq!(parquet.len() as u64, rows);
    assert_eq!(parquet[0]["key"], "photos/00000000.jpg");
    let marked = &meta[aws_access_logs::parquet::META_INCOMPLETE];
    assert!(marked.contains("gzip"), "{marked}");
    let m = s.metrics.lock().unwrap()[0].clone();
    assert!(m["incomplete"].as_str().unwrap().contains("corrupt gzip"));

    // SQS: not reported as a failure, so not received again. EventBridge: a success.
    let response = s
        .handler
        .handle(sqs_event(&[(
            "m1",
            s3_event(vec![s3_record("logs", "cache-bucket/truncated.gz", 1)]),
        )]))
        .await
        .unwrap();
    assert_eq!(response, json!({"batchItemFailures": []}));
    let response = s
        .handler
        .handle(eventbridge_event("logs", "cache-bucket/truncated.gz", 1))
        .await
        .unwrap();
    assert_eq!(response["rows"], rows);
    // The same bytes every time.
    assert_eq!(only_key(&s.store, "lets/s3-access/year=", ".parquet"), key);
}

#[tokio::test]
async fn undetectable_objects_fail_permanently() {
    let s = setup(config(&[]));
    s.store.insert(
        "logs",
        "misc/notes.txt",
        b"hello world\nnot a log\n".to_vec(),
    );
    let response = s
        .handler
        .handle(s3_event(vec![s3_record("logs", "misc/notes.txt", 1)]))
        .await
        .unwrap();
    assert_eq!(response["processed"], 0);
    let failed = response["failed_permanently"][0].as_str().unwrap();
    assert!(
        failed.starts_with("s3://logs/misc/notes.txt: undetectable format"),
        "{failed}"
    );
    assert!(failed.contains("\"hello world\""), "{failed}");
    let response = s
        .handler
        .handle(sqs_event(&[(
            "m1",
            s3_event(vec![s3_record("logs", "misc/notes.txt", 1)]),
        )]))
        .await
        .unwrap();
    assert_eq!(response, json!({"batchItemFailures": []}));
    assert!(s.store.keys("out").is_empty());
}

#[tokio::test]
async fn objects_over_the_size_limit_are_refused_permanently() {
    let log = s3_access_lines(200);
    let gz = gzip(&log);
    assert!(log.len() > 4 * gz.len());
    let limit = (gz.len() + 1).to_string();
    let s = setup(config(&[("MAX_OBJECT_BYTES", limit.as_str())]));
    s.store.insert("logs", "cache-bucket/plain", log.clone());
    s.store.insert("logs", "cache-bucket/packed.gz", gz.clone());

    // A plain object over the limit is refused before it is read: nothing written, no retry.
    let response = s
        .handler
        .handle(s3_event(vec![s3_record("logs", "cache-bucket/plain", 1)]))
        .await
        .unwrap();
    let failed = response["failed_permanently"][0].as_str().unwrap();
    assert!(
        failed.contains(&format!(
            "too large: the object holds {} bytes, over the limit of {limit} (MAX_OBJECT_BYTES)",
            log.len()
        )),
        "{failed}"
    );
    assert!(s.store.keys("out").is_empty());
    let response = s
        .handler
        .handle(sqs_event(&[(
            "m1",
            s3_event(vec![s3_record("logs", "cache-bucket/plain", 1)]),
        )]))
        .await
        .unwrap();
    assert_eq!(response, json!({"batchItemFailures": []}));

    // A gzip object within the limit stored, beyond it decompressed: the rows up to the
    // limit, marked incomplete.
    let response = s
        .handler
        .handle(s3_event(vec![s3_record(
            "logs",
            "cache-bucket/packed.gz",
            1,
        )]))
        .await
        .unwrap();
    assert!(
        response["incomplete"][0]
            .as_str()
            .unwrap()
            .contains("with_max_decompressed_bytes"),
        "{response}"
    );
    let key = only_key(&s.store, "lets/s3-access/", ".parquet");
    let (rows, meta) = parquet_rows(&s.store.object("out", &key).unwrap());
    assert!(!rows.is_empty() && rows.len() < 200, "{}", rows.len());
    assert!(meta.contains_key(aws_access_logs::parquet::META_INCOMPLETE));
}

/// A setup whose multipart uploads use parts of `part_size` bytes (which its store accepts).
fn small_parts(part_size: usize) -> Setup {
    let mut config = config(&[]);
    config.part_size = part_size;
    let s = setup(config);
    s.store.set_min_part_size(part_size);
    s
}

#[tokio::test]
async fn large_outputs_are_uploaded_in_parts_as_they_are_written() {
    let s = small_parts(16 << 10);
    let log = s3_access_lines(3000);
    s.store.insert("logs", "cache-bucket/big", log.clone());
    let event = s3_event(vec![s3_record("logs", "cache-bucket/big", log.len())]);
    let response = s.handler.handle(event.clone()).await.unwrap();
    assert_eq!(response["rows"], 3000);
    // One multipart upload of parts of exactly the part size (the last smaller), completed.
    assert_eq!(s.store.uploads_started(), 1);
    assert_eq!(s.store.uploads_in_progress(), 0);
    let (parts, largest) = s.store.parts_uploaded();
    assert!(parts >= 3, "{parts} parts");
    assert_eq!(largest, 16 << 10);
    let key = only_key(&s.store, "lets/s3-access/year=2019/", ".parquet");
    let bytes = s.store.object("out", &key).unwrap();
    assert_eq!(parts, bytes.len().div_ceil(16 << 10));
    let (rows, meta) = parquet_rows(&bytes);
    assert_eq!(rows.len(), 3000);
    assert_eq!(rows[2999]["key"], "photos/00002999.jpg");
    assert_eq!(meta["aws_access_logs.rows"], "3000");
    let m = s.metrics.lock().unwrap()[0].clone();
    assert_eq!(m["parquet_bytes"], bytes.len());

    // Delivered again: the same key, the same bytes; and the same as one PutObject writes.
    s.handler.handle(event.clone()).await.unwrap();
    assert_eq!(s.store.object("out", &key).unwrap(), bytes);
    let whole = setup(config(&[]));
    whole.store.insert("logs", "cache-bucket/big", log);
    whole.handler.handle(event).await.unwrap();
    assert_eq!(whole.store.uploads_started(), 0);
    assert_eq!(whole.store.object("out", &key).unwrap(), bytes);
}

#[tokio::test]
async fn a_failed_parquet_upload_leaves_nothing_behind() {
    let quirks = fixture("s3/quirks.log");
    // Small output, one PutObject: the Parquet fails after the rejects were written.
    let s = setup(config(&[]));
    s.store.insert("logs", QUIRKS_KEY, quirks.clone());
    s.store.fail_writes_under("lets/s3-access/year=");
    let err = s
        .handler
        .handle(s3_event(vec![s3_record("logs", QUIRKS_KEY_ENCODED, 1)]))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("injected write failure"), "{err}");
    assert_eq!(s.store.keys("out"), Vec::<String>::new());
    assert!(
        s.store
            .puts()
            .iter()
            .any(|(_, k)| k.starts_with("lets/_rejects/")),
        "the rejects object was written, then deleted"
    );

    // Multipart: completing fails after every part and the rejects were written.
    let s = small_parts(8 << 10);
    let mut log = s3_access_lines(1000);
    log.extend_from_slice(b"not a log line\n");
    s.store.insert("logs", "cache-bucket/big", log.clone());
    s.store.fail_completes_under("lets/s3-access/year=");
    let event = s3_event(vec![s3_record("logs", "cache-bucket/big", 1)]);
    let err = s.handler.handle(event.clone()).await.unwrap_err();
    assert!(
        err.to_string().contains("injected failure completing"),
        "{err}"
    );
    assert!(s.store.parts_uploaded().0 >= 2);
    assert_eq!(s.store.uploads_in_progress(), 0, "the upload is aborted");
    assert_eq!(s.store.keys("out"), Vec::<String>::new());

    // Multipart: a part fails while the object is read.
    let s = small_parts(8 << 10);
    s.store.insert("logs", "cache-bucket/big", log);
    s.store.fail_writes_under("lets/s3-access/year=");
    let err = s.handler.handle(event).await.unwrap_err();
    assert!(err.to_string().contains("injected write failure"), "{err}");
    assert_eq!(s.store.uploads_in_progress(), 0);
    assert_eq!(s.store.keys("out"), Vec::<String>::new());
}

#[tokio::test]
async fn eventbridge_keys_are_read_as_given_and_checked_by_etag() {
    let s = setup(config(&[]));
    // Two objects whose keys differ by `+` and a space.
    s.store
        .insert("logs", "cache-bucket/a+b", s3_access_lines(3));
    s.store
        .insert("logs", "cache-bucket/a b", s3_access_lines(5));
    let plus = etag(&s.store, "logs", "cache-bucket/a+b").await;
    let space = etag(&s.store, "logs", "cache-bucket/a b").await;

    // The object named `a+b` is read, not `a b`.
    for event in [
        eventbridge_event("logs", "cache-bucket/a+b", 1),
        eventbridge_event_with_etag("logs", "cache-bucket/a+b", 1, &plus),
    ] {
        let response = s.handler.handle(event).await.unwrap();
        assert_eq!(response["rows"], 3, "{response}");
    }
    // The key URL-encoded after all (`a b` as `a+b`): the ETag tells which object it is.
    let response = s
        .handler
        .handle(eventbridge_event_with_etag(
            "logs",
            "cache-bucket/a+b",
            1,
            &space,
        ))
        .await
        .unwrap();
    assert_eq!(response["rows"], 5, "{response}");
    let metrics = s.metrics.lock().unwrap();
    let keys: Vec<&str> = metrics.iter().map(|m| m["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["cache-bucket/a+b", "cache-bucket/a+b", "cache-bucket/a b"]
    );
}

#[tokio::test]
async fn eventbridge_encoded_keys_are_found_without_permission_to_list_the_bucket() {
    // Only `c d` exists and the event says `c+d`: without s3:ListBucket the key as given reads
    // as 403, not 404, and the decoded key is still tried (with the event's ETag).
    let s = setup(config(&[]));
    s.store.forbid_reads_of_missing_keys();
    s.store
        .insert("logs", "cache-bucket/c d", s3_access_lines(4));
    let space = etag(&s.store, "logs", "cache-bucket/c d").await;
    let response = s
        .handler
        .handle(eventbridge_event_with_etag(
            "logs",
            "cache-bucket/c+d",
            1,
            &space,
        ))
        .await
        .unwrap();
    assert_eq!(response["rows"], 4, "{response}");
}

#[tokio::test]
async fn latest_json_is_created_without_permission_to_list_the_bucket() {
    // Without s3:ListBucket, S3 answers 403 for the first latest.json, which is missing.
    let s = setup(config(&[]));
    s.store.forbid_reads_of_missing_keys();
    s.store.insert("logs", QUIRKS_KEY, fixture("s3/quirks.log"));
    s.handler
        .handle(s3_event(vec![s3_record("logs", QUIRKS_KEY_ENCODED, 1)]))
        .await
        .unwrap();
    let latest: Value = serde_json::from_slice(
        &s.store
            .object("out", "lets/_latest/s3-access.json")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(latest["source"]["key"], QUIRKS_KEY);
}

#[tokio::test]
async fn own_output_is_never_processed_and_test_events_are_acknowledged() {
    let s = setup(config(&[]));
    s.store
        .insert("out", "lets/_latest/s3-access.json", b"{}".to_vec());
    s.store
        .insert("out", "cache-bucket/x", fixture("s3/quirks.log"));
    // Everything the function writes: the Parquet files, the rejects, the latest documents.
    let response = s
        .handler
        .handle(s3_event(vec![
            s3_record("out", "lets/_latest/s3-access.json", 2),
            s3_record(
                "out",
                "lets/_rejects/s3-access/year%3D2030/month%3D01/day%3D01/x.jsonl.gz",
                2,
            ),
            s3_record("out", "lets/s3-access/year%3D2019/x.parquet", 2),
            s3_record(
                "out",
                "lets/s3-access/year%3D__HIVE_DEFAULT_PARTITION__/x.parquet",
                2,
            ),
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
        serde_json::from_slice(&store.object("out", "lets/_latest/s3-access.json").unwrap())
            .unwrap()
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
async fn rows_without_a_time_go_to_the_untimed_partition() {
    // A real-time field list without `timestamp`: no row has a time. They go to the
    // `__HIVE_DEFAULT_PARTITION__` folders (NULL partition values), neither to 1970 nor to
    // the object's last-modified hour; the rejects still go by the last-modified day.
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
    let untimed = folder_of(None, false);
    assert_eq!(
        untimed,
        "year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/\
         day=__HIVE_DEFAULT_PARTITION__/hour=__HIVE_DEFAULT_PARTITION__"
    );
    let files = parquet_files(&s.store, "cloudfront-realtime");
    assert_eq!(files.len(), 1);
    assert!(
        files[0]
            .0
            .starts_with(&format!("lets/cloudfront-realtime/{untimed}/")),
        "{}",
        files[0].0
    );
    let (rows, _) = parquet_rows(&files[0].1);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["c_ip"], "192.0.2.2");
    assert_eq!(rows[1]["sc_status"], 404);
    only_key(
        &s.store,
        "lets/_rejects/cloudfront-realtime/year=2025/month=11/day=30/",
        ".jsonl.gz",
    );
    // The latest document: the file without times, ordered by the last-modified time.
    let latest: Value = serde_json::from_slice(
        &s.store
            .object("out", "lets/_latest/cloudfront-realtime.json")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(latest["key"], files[0].0.as_str());
    assert_eq!(latest["latest_ms"], 1_764_496_800_000_i64);
    assert_eq!(
        latest["files"],
        json!([{"key": files[0].0, "partition": untimed, "rows": 2,
                "earliest": null, "latest": null}])
    );
}

const HOUR_MS: i64 = 3_600_000;
/// 2025-11-30T00:00:00Z.
const DAY_MS: i64 = 1_764_460_800_000;

/// The times of an access log whose records span 2012 to 2025 and the hours 00 to 06 of
/// 2025-11-30 (the last and first second of an hour among them), out of order.
fn spanning_times() -> Vec<i64> {
    let mut times = Vec::new();
    for i in 0..84 {
        times.push(DAY_MS + (i % 6) * HOUR_MS + i * 1000);
        if i % 6 == 0 {
            let year = 2012 + (i / 6) as i32;
            let t = chrono::NaiveDate::from_ymd_opt(year, 3, 15)
                .unwrap()
                .and_hms_opt(12, 34, 56)
                .unwrap()
                .and_utc()
                .timestamp_millis();
            times.push(t);
        }
    }
    // The last second of hour 05 (the format's precision) and the first of hour 06.
    times.push(DAY_MS + 6 * HOUR_MS - 1000);
    times.push(DAY_MS + 6 * HOUR_MS);
    times
}

/// Every object in `out`: key and bytes.
fn snapshot(store: &MemoryStore) -> Vec<(String, Vec<u8>)> {
    store
        .keys("out")
        .into_iter()
        .map(|k| {
            let bytes = store.object("out", &k).unwrap();
            (k, bytes)
        })
        .collect()
}

/// Checks the partitioned files of the access log of `times`: each row in its key's
/// partition, every line once with its own time. Returns the folders and their row counts.
fn check_spanning_files(files: &[(String, Vec<u8>)], times: &[i64]) -> Vec<(String, usize)> {
    let (rows, counts) = partitioned_rows(files, "time");
    let mut seen: Vec<usize> = rows
        .iter()
        .map(|row| {
            let key = row["key"].as_str().unwrap();
            let i: usize = key["photos/".len()..key.len() - ".jpg".len()]
                .parse()
                .unwrap();
            assert_eq!(row["time"], times[i], "{key}");
            i
        })
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..times.len()).collect::<Vec<_>>());
    counts
}

#[tokio::test]
async fn an_access_log_spanning_years_and_hours_gets_one_file_per_partition() {
    let times = spanning_times();
    let log = s3_access_lines_at(&times);
    let s = setup(config(&[]));
    s.store.insert("logs", "cache-bucket/span", log.clone());
    let event = s3_event(vec![s3_record("logs", "cache-bucket/span", log.len())]);
    let response = s.handler.handle(event.clone()).await.unwrap();
    assert_eq!(response["rows"], times.len());
    let files = parquet_files(&s.store, "s3-access");
    let counts = check_spanning_files(&files, &times);
    // 14 years (one hour each) and the 7 hours 00 to 06 of one day.
    let want: Vec<(String, usize)> = (2012..=2025)
        .map(|y| (format!("year={y}/month=03/day=15/hour=12"), 1))
        .chain((0..6).map(|h| {
            (
                format!("year=2025/month=11/day=30/hour={h:02}"),
                14 + usize::from(h == 5),
            )
        }))
        .chain([("year=2025/month=11/day=30/hour=06".to_string(), 1)])
        .collect();
    let mut want = want;
    want.sort();
    assert_eq!(counts, want);
    let m = s.metrics.lock().unwrap()[0].clone();
    assert_eq!(m["parquet_files"], 21);
    assert_eq!(m["parquet_keys_omitted"], 0);
    assert_eq!(m["passes"], 1);
    assert_eq!(
        m["parquet_keys"],
        json!(files.iter().map(|f| f.0.clone()).collect::<Vec<_>>())
    );

    // The latest document lists every file, in partition order; no rejects.
    let latest: Value = serde_json::from_slice(
        &s.store
            .object("out", "lets/_latest/s3-access.json")
            .unwrap(),
    )
    .unwrap();
    let listed: Vec<(String, String, u64)> = latest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_string(),
                f["partition"].as_str().unwrap().to_string(),
                f["rows"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected_listed: Vec<(String, String, u64)> = files
        .iter()
        .zip(&counts)
        .map(|((key, _), (folder, n))| (key.clone(), folder.clone(), *n as u64))
        .collect();
    assert_eq!(listed, expected_listed);
    assert_eq!(latest["rejects"], Value::Null);
    assert_eq!(latest["rows"], times.len());
    assert_eq!(latest["latest"], "2025-11-30T06:00:00.000Z");
    assert_eq!(latest["earliest"], "2012-03-15T12:34:56.000Z");
    assert_eq!(latest["key"], files[20].0.as_str());
    assert!(files[20].0.contains("/day=30/hour=06/"));

    // A duplicate event: the same keys, the same bytes, and nothing else.
    let first = snapshot(&s.store);
    assert_eq!(first.len(), 21 + 1);
    s.handler.handle(event.clone()).await.unwrap();
    assert_eq!(snapshot(&s.store), first);

    // One open writer at a time and rows held up to one byte: the first pass writes one file
    // (the partition holding the most), the second the others, each finished as soon as it
    // has the rows the first pass counted; each file's rest uploaded at once as the last part
    // of its multipart upload. The same files, byte for byte.
    let mut capped = config(&[("MAX_OPEN_PARTITIONS", "1")]);
    capped.pending_bytes = 1;
    capped.held_tail_bytes = 0;
    let c = setup(capped);
    c.store.insert("logs", "cache-bucket/span", log.clone());
    c.handler.handle(event.clone()).await.unwrap();
    assert_eq!(snapshot(&c.store), first);
    assert_eq!(c.metrics.lock().unwrap()[0]["passes"], 2);
    assert_eq!(c.store.uploads_started(), 21);
    assert_eq!(c.store.uploads_in_progress(), 0);

    // Four writers: the first pass writes four files, the second the 17 left.
    let mut four = config(&[("MAX_OPEN_PARTITIONS", "4")]);
    four.pending_bytes = 1;
    let c = setup(four);
    c.store.insert("logs", "cache-bucket/span", log);
    c.handler.handle(event).await.unwrap();
    assert_eq!(snapshot(&c.store), first);
    assert_eq!(c.metrics.lock().unwrap()[0]["passes"], 2);
    assert_eq!(c.store.uploads_started(), 0);
}

#[tokio::test]
async fn partition_by_day() {
    let times = spanning_times();
    let log = s3_access_lines_at(&times);
    let s = setup(config(&[("PARTITION_BY", "day")]));
    s.store.insert("logs", "cache-bucket/span", log.clone());
    s.handler
        .handle(s3_event(vec![s3_record("logs", "cache-bucket/span", 1)]))
        .await
        .unwrap();
    let files = parquet_files(&s.store, "s3-access");
    let counts = check_spanning_files(&files, &times);
    let mut want: Vec<(String, usize)> = (2012..=2025)
        .map(|y| (format!("year={y}/month=03/day=15"), 1))
        .collect();
    want.push(("year=2025/month=11/day=30".to_string(), 86));
    want.sort();
    assert_eq!(counts, want);
    for (key, _) in &files {
        assert!(!key.contains("hour="), "{key}");
    }
}

#[tokio::test]
async fn a_standard_log_spanning_hours_gets_one_file_per_hour() {
    let text = String::from_utf8(fixture("cloudfront/standard-26.log")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.by_ref().take(2).collect();
    let line = lines.next().unwrap();
    let rest = line.splitn(3, '\t').nth(2).unwrap();
    // Rows out of order over four hours of two days, the boundaries to the millisecond
    // the format gives (seconds).
    let stamps = [
        ("2018-07-24", "21:59:59"),
        ("2018-07-24", "22:00:00"),
        ("2018-07-25", "00:00:00"),
        ("2018-07-24", "23:59:59"),
        ("2018-07-24", "21:00:00"),
        ("2018-07-24", "22:59:59"),
    ];
    let mut log = header.join("\n");
    log.push('\n');
    for (i, (date, time)) in stamps.iter().enumerate() {
        let rest = rest.replacen("/index.html", &format!("/page-{i}.html"), 1);
        log.push_str(&format!("{date}\t{time}\t{rest}\n"));
    }
    let s = setup(config(&[(
        SOURCE_TYPE_MAP_VAR,
        r#"{"std/": "cloudfront-standard"}"#,
    )]));
    s.store
        .insert("logs", "std/E2.2018-07-24-21.gz", gzip(log.as_bytes()));
    let response = s
        .handler
        .handle(s3_event(vec![s3_record(
            "logs",
            "std/E2.2018-07-24-21.gz",
            1,
        )]))
        .await
        .unwrap();
    assert_eq!(response["rows"], 6, "{response}");
    assert_eq!(response["rejected"], 0, "{response}");
    let files = parquet_files(&s.store, "cloudfront-standard");
    let (rows, counts) = partitioned_rows(&files, "timestamp");
    assert_eq!(
        counts,
        [
            ("year=2018/month=07/day=24/hour=21".to_string(), 2),
            ("year=2018/month=07/day=24/hour=22".to_string(), 2),
            ("year=2018/month=07/day=24/hour=23".to_string(), 1),
            ("year=2018/month=07/day=25/hour=00".to_string(), 1),
        ]
    );
    // Within a file, the rows in their order in the log.
    let pages: Vec<&str> = rows
        .iter()
        .map(|r| r["cs_uri_stem"].as_str().unwrap())
        .collect();
    assert_eq!(
        pages,
        [
            "/page-0.html",
            "/page-4.html",
            "/page-1.html",
            "/page-5.html",
            "/page-3.html",
            "/page-2.html"
        ]
    );
}

#[tokio::test]
async fn many_partitions_of_large_files_stream_in_parts_and_match_one_pass() {
    // 20,000 lines over three hours, interleaved (three reader batches), in parts of 16 KiB:
    // with one writer, each pass writes one file (every partition has rows in the last
    // batch, so none is complete before the end); their rests are last parts.
    let times: Vec<i64> = (0..20_000)
        .map(|i| DAY_MS + (i % 3) * HOUR_MS + i % 3600 * 1000)
        .collect();
    let log = s3_access_lines_at(&times);
    let event = s3_event(vec![s3_record("logs", "cache-bucket/big", log.len())]);
    let whole = setup(config(&[]));
    whole.store.insert("logs", "cache-bucket/big", log.clone());
    whole.handler.handle(event.clone()).await.unwrap();
    let expected = snapshot(&whole.store);
    assert_eq!(whole.store.uploads_started(), 0);

    let s = small_parts(16 << 10);
    let mut config = s.handler.config().clone();
    config.max_open_partitions = 1;
    config.pending_bytes = 1;
    config.held_tail_bytes = 20 << 10;
    let s = setup_with_store(config, s.store);
    s.store.insert("logs", "cache-bucket/big", log);
    s.handler.handle(event).await.unwrap();
    assert_eq!(snapshot(&s.store), expected);
    assert_eq!(s.metrics.lock().unwrap()[0]["passes"], 3);
    assert_eq!(s.store.uploads_started(), 3);
    assert_eq!(s.store.uploads_in_progress(), 0);
    let (parts, largest) = s.store.parts_uploaded();
    assert_eq!(largest, 16 << 10);
    let files = parquet_files(&s.store, "s3-access");
    assert_eq!(files.len(), 3);
    let total: usize = files.iter().map(|f| f.1.len().div_ceil(16 << 10)).sum();
    assert_eq!(parts, total);
    check_spanning_files(&files, &times);
}

/// The Parquet keys in `out`, sorted.
fn parquet_keys(store: &MemoryStore) -> Vec<String> {
    let mut keys: Vec<String> = store
        .keys("out")
        .into_iter()
        .filter(|k| k.ends_with(".parquet"))
        .collect();
    keys.sort();
    keys
}

/// `"{rows} rows, {rejected} rejected, {n} Parquet file(s) ({format})"`: the number of files.
fn parquet_files_in(result: &str, rows: &Value, rejected: &Value, format: &str) -> usize {
    let pattern = regex::Regex::new(&format!(
        r"^{rows} rows, {rejected} rejected, (\d+) Parquet files? \({format}\)$"
    ))
    .unwrap();
    let captures = pattern
        .captures(result)
        .unwrap_or_else(|| panic!("{result:?} is not {pattern}"));
    captures[1].parse().unwrap()
}

#[tokio::test]
async fn batch_operations_tasks_get_their_result_codes() {
    let s = setup(config(&[(
        SOURCE_TYPE_MAP_VAR,
        r#"{"cache-bucket/": "s3-access", "std/": "cloudfront-standard"}"#,
    )]));
    let quirks = fixture("s3/quirks.log");
    let expected = expected("s3/quirks.expected.json");
    let (rows, rejected) = (&expected["stats"]["rows"], &expected["stats"]["rejected"]);
    let mut truncated = gzip(&s3_access_lines(2000));
    truncated.truncate(truncated.len() / 2);
    s.store.insert("logs", QUIRKS_KEY, quirks.clone());
    s.store
        .insert("logs", "cache-bucket/truncated.gz", truncated);
    s.store.insert(
        "logs",
        "misc/notes.txt",
        b"hello world\nnot a log\n".to_vec(),
    );
    s.store
        .insert("logs", "cache-bucket/broken-connection", quirks.clone());
    s.store.fail_reads_of("cache-bucket/broken-connection");
    s.store.insert(
        "logs",
        "std/E2.2019-12-04-21.gz",
        gzip(&fixture("cloudfront/standard-26.log")),
    );
    s.store.fail_writes_under("lets/cloudfront-standard/");
    s.store
        .insert("out", "lets/s3-access/latest.json", b"{}".to_vec());
    let event = batch_event(
        "2.0",
        "inv-1",
        &[
            ("t-good", "logs", QUIRKS_KEY_ENCODED, None),
            ("t-truncated", "logs", "cache-bucket/truncated.gz", None),
            ("t-notes", "logs", "misc/notes.txt", None),
            ("t-missing", "logs", "cache-bucket/missing", None),
            ("t-broken", "logs", "cache-bucket/broken-connection", None),
            ("t-write", "logs", "std/E2.2019-12-04-21.gz", None),
            ("t-own", "out", "lets/s3-access/latest.json", None),
            ("t-no-key", "logs", "", None),
        ],
    );
    // Never an error: every task's outcome is in its result.
    let response = s.handler.handle(event).await.unwrap();
    let results = batch_results(&response, "2.0", "inv-1");
    let ids: Vec<&str> = results.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "t-good",
            "t-truncated",
            "t-notes",
            "t-missing",
            "t-broken",
            "t-write",
            "t-own",
            "t-no-key"
        ]
    );
    let result = |id: &str| {
        let (_, code, text) = results.iter().find(|(t, _, _)| t == id).unwrap();
        (code.as_str(), text.as_str())
    };

    let (code, text) = result("t-good");
    assert_eq!(code, "Succeeded", "{text}");
    let files = parquet_files_in(text, rows, rejected, "s3-access");
    assert!(files >= 1);

    // Permanent: the object is at fault; the readable rows of the truncated gzip are kept.
    let (code, text) = result("t-truncated");
    assert_eq!(code, "PermanentFailure");
    assert!(text.starts_with("incomplete: corrupt gzip"), "{text}");
    assert!(text.contains("written before it: "), "{text}");
    assert!(text.ends_with("(s3-access)"), "{text}");
    let (code, text) = result("t-notes");
    assert_eq!(code, "PermanentFailure");
    assert!(text.starts_with("undetectable format"), "{text}");

    // Temporary: worth retrying.
    let (code, text) = result("t-missing");
    assert_eq!(code, "TemporaryFailure");
    assert_eq!(text, "cannot read the object: no such object");
    let (code, text) = result("t-broken");
    assert_eq!(code, "TemporaryFailure");
    assert!(text.contains("reading the object failed"), "{text}");
    let (code, text) = result("t-write");
    assert_eq!(code, "TemporaryFailure");
    assert!(text.contains("injected write failure"), "{text}");

    // The function's own output is skipped, not failed (it must not fail a job whose
    // inventory covers the output too).
    let (code, text) = result("t-own");
    assert_eq!(code, "Succeeded");
    assert!(
        text.starts_with("skipped: the function's own output"),
        "{text}"
    );
    let (code, text) = result("t-no-key");
    assert_eq!(code, "PermanentFailure");
    assert!(text.contains("no s3Key"), "{text}");

    // One metrics line per object processed (the good one and the truncated one), as for
    // the other triggers; nothing half-written by the failed ones.
    let metrics = s.metrics.lock().unwrap();
    let keys: Vec<&str> = metrics.iter().map(|m| m["key"].as_str().unwrap()).collect();
    assert_eq!(keys, [QUIRKS_KEY, "cache-bucket/truncated.gz"]);
    assert_eq!(metrics[0]["rows"], *rows);
    assert_eq!(s.store.uploads_in_progress(), 0);
    assert!(
        s.store
            .keys("out")
            .iter()
            .all(|k| !k.starts_with("lets/cloudfront-standard/"))
    );
}

#[tokio::test]
async fn batch_operations_keys_are_decoded_as_each_schema_says() {
    let s = setup(config(&[]));
    // Two objects whose keys are one another's encodings: `a+b` (the quirks fixture) and
    // `a b` (three lines).
    let quirks_rows = expected("s3/quirks.expected.json")["stats"]["rows"].clone();
    s.store
        .insert("logs", "cache-bucket/a+b", fixture("s3/quirks.log"));
    s.store
        .insert("logs", "cache-bucket/a b", s3_access_lines(3));
    s.store
        .insert("logs", "cache-bucket/café+1", s3_access_lines(5));
    s.store.forbid_reads_of_missing_keys();
    let rows_of = |text: &str| text.split(' ').next().unwrap().parse::<u64>().unwrap();
    let run = |version: &'static str, key: &'static str| {
        let handler = &s.handler;
        async move {
            let event = batch_event(version, "inv", &[("t", "logs", key, None)]);
            let response = handler.handle(event).await.unwrap();
            let results = batch_results(&response, version, "inv");
            assert_eq!(results.len(), 1);
            let (_, code, text) = results.into_iter().next().unwrap();
            assert_eq!(code, "Succeeded", "{version} {key}: {text}");
            text
        }
    };
    // Schema 1.0: documented as URL-encoded, decoded first (`+` is a space).
    assert_eq!(rows_of(&run("1.0", "cache-bucket/a+b").await), 3);
    assert_eq!(
        rows_of(&run("1.0", "cache-bucket/a%2Bb").await),
        quirks_rows.as_u64().unwrap()
    );
    // Schema 2.0: read as given first.
    assert_eq!(
        rows_of(&run("2.0", "cache-bucket/a+b").await),
        quirks_rows.as_u64().unwrap()
    );
    assert_eq!(rows_of(&run("2.0", "cache-bucket/a%20b").await), 3);
    // Either way, the other reading when the first names no object (here a 403, as S3
    // answers without s3:ListBucket): encoded in a 2.0 manifest, or not encoded in a 1.0 one.
    assert_eq!(rows_of(&run("2.0", "cache-bucket/caf%C3%A9%2B1").await), 5);
    assert_eq!(rows_of(&run("1.0", "cache-bucket/café+1").await), 5);
    let metrics = s.metrics.lock().unwrap();
    assert_eq!(metrics.last().unwrap()["key"], "cache-bucket/café+1");
}

#[tokio::test]
async fn batch_operations_rerun_rewrites_identical_outputs() {
    let s = setup(config(&[]));
    s.store.insert("logs", QUIRKS_KEY, fixture("s3/quirks.log"));
    let event = batch_event("1.0", "inv", &[("t", "logs", QUIRKS_KEY_ENCODED, None)]);
    let snapshot = |store: &MemoryStore| -> Vec<(String, Vec<u8>)> {
        let mut keys = store.keys("out");
        keys.sort();
        keys.into_iter()
            .map(|k| {
                let bytes = store.object("out", &k).unwrap();
                (k, bytes)
            })
            .collect()
    };
    let first = s.handler.handle(event.clone()).await.unwrap();
    let written = snapshot(&s.store);
    assert!(!parquet_keys(&s.store).is_empty());
    let second = s.handler.handle(event).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(snapshot(&s.store), written);
}

/// Objects read whole into memory (string views into the body for plain ones) and objects
/// streamed give the same outputs, byte for byte: Parquet files (among them one of several
/// row groups, which the writer cuts by size), rejects objects, `latest` documents and
/// counts — in one pass or several (from memory, or by reading the object again). With a
/// threshold between the objects' sizes, the large ones stream and the others are read
/// whole.
#[tokio::test]
async fn objects_read_whole_or_streamed_write_the_same_bytes() {
    let quirks = fixture("s3/quirks.log");
    let realtime = fixture("cloudfront/realtime.log");
    // 20,000 lines (3 reader batches, 6.6 MB) over three hours, interleaved.
    let interleaved: Vec<i64> = (0..20_000)
        .map(|i| DAY_MS + (i % 3) * HOUR_MS + i % 3600 * 1000)
        .collect();
    let big = s3_access_lines_at(&interleaved);
    // 40,000 lines (13 MB) in one hour: a file of several row groups of the default 4 MiB
    // (held bytes), which the writer would cut elsewhere from batches of string views than
    // from `Utf8` ones if it were given whole reader batches.
    let hour = s3_access_lines(40_000);
    let threshold = 1 << 20;
    assert!(big.len() > threshold && hour.len() > threshold);
    let objects: Vec<(&str, Vec<u8>)> = vec![
        ("cache-bucket/quirks", quirks.clone()),
        ("cache-bucket/quirks.gz", gzip(&quirks)),
        ("cloudfront-realtime/firehose.gz", gzip(&realtime)),
        // Not routed: detected as real-time logs, then built again with the field list.
        ("misc/realtime", realtime.clone()),
        ("misc/realtime.gz", gzip(&realtime)),
        (
            "misc/E2EXAMPLE.2019-12-04-21.gz",
            gzip(&fixture("cloudfront/standard-26.log")),
        ),
        ("misc/standard", fixture("cloudfront/standard-33.log")),
        ("cache-bucket/span", s3_access_lines_at(&spanning_times())),
        ("cache-bucket/big", big),
        ("cache-bucket/hour", hour),
    ];
    let small = objects.len() - 2;
    assert!(objects[..small].iter().all(|(_, b)| b.len() <= threshold));
    let event = s3_event(
        objects
            .iter()
            .map(|(key, bytes)| s3_record("logs", &key.replace(' ', "+"), bytes.len()))
            .collect(),
    );
    // Two writers, rows held up to 64 KiB: several passes over the objects that span
    // partitions.
    let run = |in_memory: u64| {
        let mut config = config(&[("MAX_OPEN_PARTITIONS", "2")]);
        config.in_memory_object_bytes = in_memory;
        config.pending_bytes = 64 << 10;
        let s = setup(config);
        for (key, bytes) in &objects {
            s.store.insert("logs", key, bytes.clone());
        }
        let event = event.clone();
        async move {
            s.handler.handle(event).await.unwrap();
            let mut metrics = s.metrics.lock().unwrap().clone();
            metrics.sort_by_key(|m| m["key"].as_str().unwrap().to_string());
            (snapshot(&s.store), metrics)
        }
    };
    let (streamed, streamed_metrics) = run(0).await;
    let (whole, whole_metrics) = run(u64::MAX).await;
    let (mixed, mixed_metrics) = run(threshold as u64).await;
    assert_eq!(streamed_metrics.len(), objects.len());
    let parquet = streamed.iter().filter(|(k, _)| k.ends_with(".parquet"));
    assert!(
        parquet.count() > 30,
        "{:?}",
        streamed.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (got, name) in [(&whole, "whole"), (&mixed, "mixed")] {
        assert_eq!(
            got.iter().map(|f| &f.0).collect::<Vec<_>>(),
            streamed.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "{name}"
        );
        for ((key, bytes), (_, want)) in got.iter().zip(&streamed) {
            assert!(bytes == want, "{name}: {key} differs");
        }
    }
    // The one-hour object's file holds several row groups (cut by their size).
    let largest = streamed
        .iter()
        .filter(|(k, _)| k.ends_with(".parquet"))
        .max_by_key(|(_, bytes)| bytes.len())
        .unwrap();
    let reader =
        parquet::file::reader::SerializedFileReader::new(bytes::Bytes::from(largest.1.clone()))
            .unwrap();
    let groups = parquet::file::reader::FileReader::metadata(&reader).num_row_groups();
    assert!(groups > 1, "{}: {groups} row groups", largest.0);
    // The same counts; read whole or streamed as the threshold says; the objects that span
    // partitions took several passes (from memory, or reading the object again).
    let counts = |m: &Value| {
        let mut m = m.clone();
        let object = m.as_object_mut().unwrap();
        // (Rows held are counted differently as views, which may save a pass.)
        for volatile in ["_aws", "duration_ms", "in_memory", "passes"] {
            object.remove(volatile);
        }
        m
    };
    for (i, want) in streamed_metrics.iter().enumerate() {
        let key = want["key"].as_str().unwrap();
        assert_eq!(counts(&whole_metrics[i]), counts(want), "{key}");
        assert_eq!(counts(&mixed_metrics[i]), counts(want), "{key}");
        assert_eq!(want["in_memory"], false, "{key}");
        assert_eq!(whole_metrics[i]["in_memory"], true, "{key}");
        let large = key == "cache-bucket/big" || key == "cache-bucket/hour";
        assert_eq!(mixed_metrics[i]["in_memory"], !large, "{key}");
        if key.ends_with("/span") || key.ends_with("/big") {
            for m in [want, &whole_metrics[i], &mixed_metrics[i]] {
                assert!(m["passes"].as_u64().unwrap() > 1, "{key}: {m}");
            }
        }
    }
}

// --- Elastic Load Balancing logs -------------------------------------------------------------

/// An S3 notification for each ELB object and the test object (keys need no encoding).
fn elb_event(objects: &[ElbObject]) -> Value {
    let mut records: Vec<Value> = objects
        .iter()
        .map(|o| s3_record("logs", &o.key, o.body.len()))
        .collect();
    records.push(s3_record("logs", ELB_TEST_FILE_KEY, ELB_TEST_FILE.len()));
    s3_event(records)
}

#[tokio::test]
async fn elastic_load_balancing_objects_go_to_their_tables_by_their_names() {
    let objects = elb_objects();
    // Read whole, and streamed: the same outputs.
    let mut outputs = Vec::new();
    for in_memory in [u64::MAX, 0] {
        // No route for ELB keys: the default configuration.
        let mut config = config(&[]);
        config.in_memory_object_bytes = in_memory;
        let s = setup(config);
        for o in &objects {
            s.store.insert("logs", &o.key, o.body.clone());
        }
        s.store
            .insert("logs", ELB_TEST_FILE_KEY, ELB_TEST_FILE.as_bytes().to_vec());
        let response = s.handler.handle(elb_event(&objects)).await.unwrap();
        let rows: usize = objects.iter().map(|o| o.rows.len()).sum();
        // The test object is skipped, not a failure.
        assert_eq!(
            response,
            json!({"processed": 4, "rows": rows, "rejected": 0})
        );
        for o in &objects {
            let files = parquet_files(&s.store, o.table);
            let (rows, counts) = elb_partitioned_rows(&files);
            let (want_rows, want_counts) = elb_expected(o);
            assert_eq!(counts, want_counts, "{}", o.table);
            assert_eq!(rows, want_rows, "{}", o.table);
            for (key, bytes) in &files {
                let (_, meta) = parquet_rows(bytes);
                let format = aws_access_logs_lambda::SourceType::from_name(o.table)
                    .unwrap()
                    .format();
                assert_eq!(meta["aws_access_logs.format"], format.name(), "{key}");
            }
            let latest: Value = serde_json::from_slice(
                &s.store
                    .object("out", &format!("lets/_latest/{}.json", o.table))
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(latest["source"], json!({"bucket": "logs", "key": o.key}));
            assert_eq!(latest["format"], o.table);
            if o.table == "alb-access" {
                // Microsecond times, to the millisecond below.
                assert_eq!(latest["earliest"], "2024-03-17T09:59:59.123Z", "{latest}");
                assert_eq!(latest["latest"], "2024-03-17T10:00:00.000Z", "{latest}");
            }
        }
        // Parquet files and latest documents only: no rejects, nothing of the test object.
        let keys = s.store.keys("out");
        assert!(
            keys.iter()
                .all(|k| k.ends_with(".parquet") || k.starts_with("lets/_latest/")),
            "{keys:?}"
        );
        assert_eq!(keys.len(), 5 + 4, "{keys:?}");
        let metrics = s.metrics.lock().unwrap().clone();
        assert_eq!(metrics.len(), 4);
        outputs.push(snapshot(&s.store));
    }
    assert!(outputs[0] == outputs[1], "read whole and streamed differ");
}

#[tokio::test]
async fn elastic_load_balancing_names_are_confirmed_by_the_content() {
    let named = |name: &str| format!("{ELB_FOLDER}{name}");
    // An ALB log under an NLB name; an empty CLB file; an "ALB" file of no known format.
    let nlb_named_alb = named(NLB_NAME);
    let empty_clb = named(CLB_NAME);
    let garbage_alb = named(ALB_NAME);
    for in_memory in [u64::MAX, 0] {
        let mut config = config(&[]);
        config.in_memory_object_bytes = in_memory;
        let s = setup(config);
        s.store
            .insert("logs", &nlb_named_alb, gzip(ALB_LINES.as_bytes()));
        s.store.insert("logs", &empty_clb, Vec::new());
        s.store
            .insert("logs", &garbage_alb, gzip(b"hello world\nnot a log\n"));
        let response = s
            .handler
            .handle(s3_event(vec![s3_record("logs", &nlb_named_alb, 1)]))
            .await
            .unwrap();
        assert_eq!(response["processed"], 0, "{response}");
        let failed = response["failed_permanently"][0].as_str().unwrap();
        assert!(
            failed.contains(
                "the object's name is that of NLB access logs (nlb-access), but its first \
                 line is one of ALB access logs (alb-access)"
            ),
            "{failed}"
        );
        assert!(s.store.keys("out").is_empty());

        // Nothing to read: no rows, no files, no failure.
        let response = s
            .handler
            .handle(s3_event(vec![s3_record("logs", &empty_clb, 0)]))
            .await
            .unwrap();
        assert_eq!(
            response,
            json!({"processed": 1, "rows": 0, "rejected": 0}),
            "{in_memory}"
        );
        assert!(s.store.keys("out").is_empty());

        // Lines of no format: read as the name says, each line rejected with its reason.
        let response = s
            .handler
            .handle(s3_event(vec![s3_record("logs", &garbage_alb, 1)]))
            .await
            .unwrap();
        assert_eq!(
            response,
            json!({"processed": 1, "rows": 0, "rejected": 2}),
            "{in_memory}"
        );
        let key = only_key(&s.store, "lets/_rejects/alb-access/", ".jsonl.gz");
        let lines = reject_lines(&s.store.object("out", &key).unwrap());
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0]["error"]
                .as_str()
                .unwrap()
                .starts_with("ALB access log: line 1"),
            "{}",
            lines[0]
        );
    }

    // A route of the map says what a prefix holds, ELB formats too, whatever the names.
    let s = setup(config(&[(
        SOURCE_TYPE_MAP_VAR,
        r#"{"lb/": "nlb-access", "AWSLogs/": "alb-access"}"#,
    )]));
    s.store
        .insert("logs", "lb/any-name.gz", gzip(NLB_LINES.as_bytes()));
    s.store
        .insert("logs", &nlb_named_alb, gzip(ALB_LINES.as_bytes()));
    for key in ["lb/any-name.gz", nlb_named_alb.as_str()] {
        let response = s
            .handler
            .handle(s3_event(vec![s3_record("logs", key, 1)]))
            .await
            .unwrap();
        assert_eq!(response["rejected"], 0, "{key}: {response}");
    }
    assert_eq!(parquet_files(&s.store, "nlb-access").len(), 1);
    assert_eq!(parquet_files(&s.store, "alb-access").len(), 2);
}

#[tokio::test]
async fn batch_operations_skip_the_elb_test_object() {
    let s = setup(config(&[]));
    let objects = elb_objects();
    s.store
        .insert("logs", ELB_TEST_FILE_KEY, ELB_TEST_FILE.as_bytes().to_vec());
    s.store
        .insert("logs", &objects[2].key, objects[2].body.clone());
    let event = batch_event(
        "2.0",
        "inv-elb",
        &[
            ("t-test", "logs", ELB_TEST_FILE_KEY, None),
            ("t-clb", "logs", &objects[2].key, None),
        ],
    );
    let response = s.handler.handle(event).await.unwrap();
    let results = batch_results(&response, "2.0", "inv-elb");
    assert_eq!(results[0].1, "Succeeded");
    assert!(
        results[0]
            .2
            .starts_with("skipped: the test object Elastic Load Balancing writes"),
        "{}",
        results[0].2
    );
    assert_eq!(results[1].1, "Succeeded");
    assert_eq!(
        results[1].2,
        "2 rows, 0 rejected, 1 Parquet file (clb-access)"
    );
    assert!(
        s.store
            .keys("out")
            .iter()
            .all(|k| k.starts_with("lets/clb-access/") || k == "lets/_latest/clb-access.json")
    );
}
