//! End to end against a real S3-compatible server (moto, started on 127.0.0.1 here and
//! stopped by its PID): the handler on the SDK's S3 client, and the built binary under a
//! Lambda runtime API.
//!
//! The server comes from `examples/lambda/tools.sh` (a venv under `target/`); without it the
//! tests say so and pass, unless `AWS_ACCESS_LOGS_REQUIRE_MOTO=1` (as in CI).

mod support;

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_access_logs_lambda::{Handler, S3Store};
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use serde_json::{Value, json};
use support::*;

/// A moto S3 server on 127.0.0.1, stopped (by PID) when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn moto_server() -> Option<Moto> {
    let path = std::env::var_os("MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/lambda-venv/bin/moto_server")
        });
    if !path.exists() {
        if std::env::var("AWS_ACCESS_LOGS_REQUIRE_MOTO").as_deref() == Ok("1") {
            panic!(
                "{} not found (required by AWS_ACCESS_LOGS_REQUIRE_MOTO=1): run examples/lambda/tools.sh",
                path.display()
            );
        }
        eprintln!(
            "{} not found: skipping the end-to-end test (run examples/lambda/tools.sh)",
            path.display()
        );
        return None;
    }
    let port = free_port();
    let child = Command::new(&path)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "moto did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(moto)
}

async fn client(url: &str) -> Client {
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .load()
        .await;
    Client::from_conf(
        aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(true)
            .build(),
    )
}

async fn put(client: &Client, bucket: &str, key: &str, body: Vec<u8>) {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap();
}

async fn get(client: &Client, bucket: &str, key: &str) -> Vec<u8> {
    client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {key}: {e:?}"))
        .body
        .collect()
        .await
        .unwrap()
        .to_vec()
}

/// Every object of `bucket`: key → bytes.
async fn snapshot(client: &Client, bucket: &str) -> BTreeMap<String, Vec<u8>> {
    let listed = client
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .unwrap();
    let mut objects = BTreeMap::new();
    for object in listed.contents() {
        let key = object.key().unwrap().to_string();
        let bytes = get(client, bucket, &key).await;
        objects.insert(key, bytes);
    }
    objects
}

const RT_KEY: &str = "cloudfront-realtime/2026/11/30/10/logs-stream-1-2026-11-30-10-00-00-6b1e.gz";
const S3_KEY: &str = "cache-bucket/2026-11-30-10-00-00-ABCDEF access log";
const S3_KEY_ENCODED: &str = "cache-bucket/2026-11-30-10-00-00-ABCDEF+access+log";
const STD_KEY: &str = "cf-standard/E2EXAMPLE.2019-12-04-21.d111111abcdef8.gz";

/// Buckets `logs` and `out`, and the three fixtures in `logs`.
async fn seed(client: &Client) {
    for bucket in ["logs", "out"] {
        client.create_bucket().bucket(bucket).send().await.unwrap();
    }
    put(
        client,
        "logs",
        RT_KEY,
        gzip(&fixture("cloudfront/realtime.log")),
    )
    .await;
    put(client, "logs", S3_KEY, fixture("s3/quirks.log")).await;
    put(
        client,
        "logs",
        STD_KEY,
        gzip(&fixture("cloudfront/standard-26.log")),
    )
    .await;
}

/// The Parquet files of `format`: (key, bytes), in key order.
fn parquet_files(objects: &BTreeMap<String, Vec<u8>>, format: &str) -> Vec<(String, Vec<u8>)> {
    objects
        .iter()
        .filter(|(k, _)| k.starts_with(&format!("lets/{format}/")))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The Parquet file of an incomplete object (`aws_access_logs.incomplete`), the only one.
fn incomplete_file(objects: &BTreeMap<String, Vec<u8>>) -> (&str, &[u8]) {
    let found: Vec<_> = objects
        .iter()
        .filter(|(k, v)| {
            k.ends_with(".parquet")
                && parquet_rows(v)
                    .1
                    .contains_key(aws_access_logs::parquet::META_INCOMPLETE)
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{:?}",
        found.iter().map(|f| f.0).collect::<Vec<_>>()
    );
    (found[0].0.as_str(), found[0].1.as_slice())
}

/// Checks the outputs of the three fixtures in `out`: one Parquet file per partition, each
/// with exactly its rows; the rejects under `_rejects/`, the latest documents under
/// `_latest/` naming every file.
fn check_outputs(objects: &BTreeMap<String, Vec<u8>>) {
    for (format, fixture_name, time, source_key) in [
        ("s3-access", "s3/quirks.expected.json", "time", S3_KEY),
        (
            "cloudfront-realtime",
            "cloudfront/realtime.expected.json",
            "timestamp",
            RT_KEY,
        ),
        (
            "cloudfront-standard",
            "cloudfront/standard-26.expected.json",
            "timestamp",
            STD_KEY,
        ),
    ] {
        let expected = expected(fixture_name);
        let files = parquet_files(objects, format);
        let (rows, counts) = partitioned_rows(&files, time);
        assert_eq!(counts, folders_of(&expected, time, false), "{format}");
        assert_rows(&rows, &in_partition_order(&expected, time, false));
        let id = files[0]
            .0
            .rsplit('/')
            .next()
            .unwrap()
            .replace(".parquet", "");
        assert!(
            files
                .iter()
                .all(|f| f.0.ends_with(&format!("/{id}.parquet")))
        );
        let latest: Value =
            serde_json::from_slice(&objects[&format!("lets/_latest/{format}.json")]).unwrap();
        let listed: Vec<&str> = latest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap())
            .collect();
        assert_eq!(
            listed,
            files.iter().map(|f| f.0.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(
            latest["source"],
            json!({"bucket": "logs", "key": source_key})
        );
        let want_rejects = expected_reject_lines(&expected);
        let rejects: Vec<_> = objects
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("lets/_rejects/{format}/")))
            .collect();
        if want_rejects.is_empty() {
            assert!(rejects.is_empty());
            assert_eq!(latest["rejects"], Value::Null);
        } else {
            assert_eq!(rejects.len(), 1);
            let key = rejects[0].0;
            assert_eq!(latest["rejects"], key.as_str());
            // Under the source object's last-modified day.
            assert!(key.ends_with(&format!("/{id}.jsonl.gz")), "{key}");
            let (start, end) = partition_range(&key_partition(key)).unwrap();
            assert_eq!(end - start, 86_400_000, "{key}");
            let lines: Vec<u64> = reject_lines(rejects[0].1)
                .iter()
                .map(|r| r["line"].as_u64().unwrap())
                .collect();
            assert_eq!(lines, want_rejects, "{format}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_against_a_real_s3_server() {
    let Some(moto) = moto_server() else { return };
    let client = client(&moto.url).await;
    seed(&client).await;
    let handler = Handler::with_emit(
        S3Store::new(client.clone()),
        config(&[]),
        Arc::new(|_: &str| {}),
    );

    // S3 notification (URL-encoded key), SQS (with a failing message), EventBridge.
    let s3 = s3_event(vec![s3_record("logs", S3_KEY_ENCODED, 1)]);
    let sqs = sqs_event(&[
        ("m1", s3_event(vec![s3_record("logs", RT_KEY, 1)])),
        (
            "m2",
            s3_event(vec![s3_record("logs", "cache-bucket/no-such-key", 1)]),
        ),
    ]);
    let eb = eventbridge_event("logs", STD_KEY, 1);
    let quirks_rows = expected("s3/quirks.expected.json")["stats"]["rows"].clone();
    assert_eq!(
        handler.handle(s3.clone()).await.unwrap()["rows"],
        quirks_rows
    );
    assert_eq!(
        handler.handle(sqs.clone()).await.unwrap(),
        json!({"batchItemFailures": [{"itemIdentifier": "m2"}]})
    );
    assert_eq!(handler.handle(eb.clone()).await.unwrap()["rows"], 2);

    let first = snapshot(&client, "out").await;
    check_outputs(&first);
    // 21 Parquet (18 partitions of the access log, 2 of the real-time log, 1 of the standard
    // log), 2 rejects (the standard fixture has none), 3 latest documents.
    assert_eq!(first.len(), 26, "{:?}", first.keys().collect::<Vec<_>>());

    // At-least-once delivery: everything again, the same bytes under the same keys.
    handler.handle(s3).await.unwrap();
    handler.handle(sqs).await.unwrap();
    handler.handle(eb).await.unwrap();
    assert_eq!(snapshot(&client, "out").await, first);

    // Loop guard: the function's own output is never read.
    let own: Vec<Value> = first
        .keys()
        .map(|k| s3_record("out", &k.replace(' ', "+"), 1))
        .collect();
    assert_eq!(handler.handle(s3_event(own)).await.unwrap()["processed"], 0);
    assert_eq!(snapshot(&client, "out").await, first);

    // A missing object fails the direct event, naming it.
    let err = handler
        .handle(s3_event(vec![s3_record("logs", "cache-bucket/gone", 1)]))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("s3://logs/cache-bucket/gone: cannot read the object: no such object"),
        "{err}"
    );

    // A truncated gzip: not retried (the invocation succeeds), its readable rows written and
    // marked incomplete.
    let mut truncated = gzip(&s3_access_lines(2000));
    truncated.truncate(truncated.len() / 2);
    put(&client, "logs", "cache-bucket/truncated.gz", truncated).await;
    let response = handler
        .handle(s3_event(vec![s3_record(
            "logs",
            "cache-bucket/truncated.gz",
            1,
        )]))
        .await
        .unwrap();
    assert!(
        response["incomplete"][0]
            .as_str()
            .unwrap()
            .contains("corrupt gzip"),
        "{response}"
    );
    let objects = snapshot(&client, "out").await;
    let (key, bytes) = incomplete_file(&objects);
    assert!(
        key.starts_with("lets/s3-access/year=2019/month=02/day=06/hour=00/"),
        "{key}"
    );
    let (rows, _) = parquet_rows(bytes);
    assert_eq!(Value::from(rows.len()), response["rows"]);

    // EventBridge: `a+b` is read, not `a b`; an encoded key is resolved by its ETag.
    put(&client, "logs", "cache-bucket/a+b", s3_access_lines(3)).await;
    put(&client, "logs", "cache-bucket/a b", s3_access_lines(5)).await;
    let etag_of = |key: &'static str| {
        let client = client.clone();
        async move {
            let head = client
                .head_object()
                .bucket("logs")
                .key(key)
                .send()
                .await
                .unwrap();
            head.e_tag().unwrap().trim_matches('"').to_string()
        }
    };
    let (plus, space) = (
        etag_of("cache-bucket/a+b").await,
        etag_of("cache-bucket/a b").await,
    );
    for (etag, rows) in [(plus, 3), (space, 5)] {
        let event = eventbridge_event_with_etag("logs", "cache-bucket/a+b", 1, &etag);
        assert_eq!(handler.handle(event).await.unwrap()["rows"], rows);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn further_passes_read_the_same_object_again() {
    let Some(moto) = moto_server() else { return };
    let client = client(&moto.url).await;
    for bucket in ["logs", "out", "out-capped", "out-capped-whole"] {
        client.create_bucket().bucket(bucket).send().await.unwrap();
    }
    // An access log over 2012 to 2025 and six hours of one day, out of order.
    let mut times = Vec::new();
    for i in 0..60_i64 {
        times.push(1_764_460_800_000 + (i % 6) * 3_600_000 + i * 1000);
        if i % 4 == 0 {
            times.push(1_331_814_896_000 + (i / 4) * 31_536_000_000);
        }
    }
    let log = s3_access_lines_at(&times);
    put(&client, "logs", "cache-bucket/span", log).await;
    let event = s3_event(vec![s3_record("logs", "cache-bucket/span", 1)]);
    let handler = Handler::with_emit(
        S3Store::new(client.clone()),
        config(&[]),
        Arc::new(|_: &str| {}),
    );
    handler.handle(event.clone()).await.unwrap();
    let one = snapshot(&client, "out").await;
    let files = parquet_files(&one, "s3-access");
    assert_eq!(files.len(), 21);
    let (rows, _) = partitioned_rows(&files, "time");
    assert_eq!(rows.len(), times.len());
    // Two writers at a time, each file's rest uploaded at once. Streamed (`0`): the object is
    // read again (with If-Match: its ETag) for the partitions past them. Read whole into
    // memory (the default, for so small an object): decoded again from memory.
    for (bucket, in_memory) in [("out-capped", "0"), ("out-capped-whole", "33554432")] {
        let mut capped = config(&[
            ("MAX_OPEN_PARTITIONS", "2"),
            ("IN_MEMORY_OBJECT_BYTES", in_memory),
        ]);
        capped.output_bucket = bucket.into();
        capped.pending_bytes = 1;
        capped.held_tail_bytes = 0;
        let metrics = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&metrics);
        let handler = Handler::with_emit(
            S3Store::new(client.clone()),
            capped,
            Arc::new(move |line: &str| {
                let m: Value = serde_json::from_str(line).unwrap();
                sink.lock().unwrap().push(m);
            }),
        );
        handler.handle(event.clone()).await.unwrap();
        let capped = snapshot(&client, bucket).await;
        // The first pass writes two files, the second the 19 others (each finished as soon
        // as it has the rows the first pass counted, which frees its writer).
        let metrics = metrics.lock().unwrap();
        assert_eq!(metrics.len(), 1);
        assert_eq!(metrics[0]["passes"], 2, "{bucket}");
        assert_eq!(metrics[0]["in_memory"], in_memory != "0", "{bucket}");
        // The same files, byte for byte; the latest documents differ only by their bucket.
        for (key, bytes) in &one {
            if key.starts_with("lets/_latest/") {
                let mut doc: Value = serde_json::from_slice(bytes).unwrap();
                doc["bucket"] = json!(bucket);
                assert_eq!(serde_json::from_slice::<Value>(&capped[key]).unwrap(), doc);
            } else {
                assert_eq!(&capped[key], bytes, "{bucket}: {key}");
            }
        }
        assert_eq!(one.len(), capped.len(), "{bucket}");
    }
}

/// A Lambda runtime API on 127.0.0.1: hands out `events`, collects the function's answers.
struct RuntimeApi {
    addr: SocketAddr,
    answers: Arc<Mutex<Vec<(String, String, Value)>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(String, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn serve(
    stream: TcpStream,
    queue: Arc<Mutex<VecDeque<(String, Value)>>>,
    answers: Arc<Mutex<Vec<(String, String, Value)>>>,
    stop: Arc<AtomicBool>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let mut parts = request_line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if method == "GET" && path.ends_with("/runtime/invocation/next") {
            let next = loop {
                if let Some(next) = queue.lock().unwrap().pop_front() {
                    break next;
                }
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
                + 60_000;
            let headers = vec![
                ("Content-Type".into(), "application/json".into()),
                ("Lambda-Runtime-Aws-Request-Id".into(), next.0.clone()),
                ("Lambda-Runtime-Deadline-Ms".into(), deadline.to_string()),
                (
                    "Lambda-Runtime-Invoked-Function-Arn".into(),
                    "arn:aws:lambda:us-east-1:123456789012:function:logs-to-parquet".into(),
                ),
                (
                    "Lambda-Runtime-Trace-Id".into(),
                    "Root=1-5759e988-bd862e3fe1be46a994272793".into(),
                ),
            ];
            respond(
                &mut stream,
                "200 OK",
                &headers,
                next.1.to_string().as_bytes(),
            );
        } else if method == "POST" {
            // /2018-06-01/runtime/invocation/{id}/response | /error, /runtime/init/error
            let segments: Vec<&str> = path.split('/').collect();
            let kind = segments.last().copied().unwrap_or("").to_string();
            let id = if segments.len() >= 2 {
                segments[segments.len() - 2].to_string()
            } else {
                String::new()
            };
            let value = serde_json::from_slice(&body)
                .unwrap_or(Value::String(String::from_utf8_lossy(&body).into()));
            answers.lock().unwrap().push((id, kind, value));
            respond(
                &mut stream,
                "202 Accepted",
                &[("Content-Type".into(), "application/json".into())],
                b"{}",
            );
        } else {
            respond(&mut stream, "404 Not Found", &[], b"");
        }
    }
}

fn runtime_api(events: Vec<(String, Value)>) -> RuntimeApi {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let queue = Arc::new(Mutex::new(VecDeque::from(events)));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (a, s) = (Arc::clone(&answers), Arc::clone(&stop));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let (q, a, s) = (Arc::clone(&queue), Arc::clone(&a), Arc::clone(&s));
            std::thread::spawn(move || serve(stream, q, a, s));
        }
    });
    RuntimeApi {
        addr,
        answers,
        stop,
    }
}

/// The function binary with the Lambda environment, pointed at `runtime` and `moto`.
fn function(runtime: SocketAddr, moto: &Moto, extra: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aws-access-logs-lambda"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "logs-to-parquet")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/logs-to-parquet")
        .env(
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/11/30/[$LATEST]0123456789abcdef",
        )
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", &moto.url)
        .env("S3_FORCE_PATH_STYLE", "1")
        .env("CACHE__SERVICE__BUCKET_NAME", "out")
        .env("CLOUDFRONT_REALTIME_FIELDS", realtime_fields())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra {
        command.env(k, v);
    }
    command
}

/// Waits for `n` answers; returns them, the peak RSS (kB) and the output of the function.
fn run_until_answered(
    mut child: Child,
    api: &RuntimeApi,
    n: usize,
) -> (Vec<(String, String, Value)>, u64, String) {
    // Read the output as it comes: a full pipe would block the function.
    let reader = child.stdout.take().map(|mut stdout| {
        std::thread::spawn(move || {
            let mut out = String::new();
            let _ = stdout.read_to_string(&mut out);
            out
        })
    });
    let output = |reader: Option<std::thread::JoinHandle<String>>| {
        reader
            .map(|r| r.join().unwrap_or_default())
            .unwrap_or_default()
    };
    let started = Instant::now();
    while api.answers.lock().unwrap().len() < n {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the function exited ({status}): {}", output(reader));
        }
        // (LAMBDA_MEMORY_TIMEOUT_S: the memory runs on objects of thousands of files.)
        let limit = std::env::var("LAMBDA_MEMORY_TIMEOUT_S")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(300);
        assert!(
            started.elapsed() < Duration::from_secs(limit),
            "no answer from the function"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let peak_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();
    (api.answers.lock().unwrap().clone(), peak_kb, output(reader))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_under_the_lambda_runtime_api() {
    let Some(moto) = moto_server() else { return };
    let client = client(&moto.url).await;
    seed(&client).await;
    let api = runtime_api(vec![
        (
            "req-1".into(),
            s3_event(vec![s3_record("logs", S3_KEY_ENCODED, 1)]),
        ),
        (
            "req-2".into(),
            sqs_event(&[
                ("m1", s3_event(vec![s3_record("logs", RT_KEY, 1)])),
                (
                    "m2",
                    s3_event(vec![s3_record("logs", "cache-bucket/no-such-key", 1)]),
                ),
            ]),
        ),
        ("req-3".into(), eventbridge_event("logs", STD_KEY, 1)),
        (
            "req-4".into(),
            s3_event(vec![s3_record("logs", "cache-bucket/gone", 1)]),
        ),
        ("req-5".into(), s3_test_event("logs")),
        // Permanent: a truncated gzip and a text that is no log; neither is retried.
        (
            "req-6".into(),
            sqs_event(&[
                (
                    "m3",
                    s3_event(vec![s3_record("logs", "cache-bucket/truncated.gz", 1)]),
                ),
                ("m4", s3_event(vec![s3_record("logs", "misc/notes.txt", 1)])),
            ]),
        ),
    ]);
    let mut truncated = gzip(&s3_access_lines(2000));
    truncated.truncate(truncated.len() / 2);
    put(&client, "logs", "cache-bucket/truncated.gz", truncated).await;
    put(
        &client,
        "logs",
        "misc/notes.txt",
        b"hello\nworld\n".to_vec(),
    )
    .await;
    let child = function(api.addr, &moto, &[]).spawn().unwrap();
    let (answers, _, out) = run_until_answered(child, &api, 6);
    let by_id: BTreeMap<&str, (&str, &Value)> = answers
        .iter()
        .map(|(id, kind, v)| (id.as_str(), (kind.as_str(), v)))
        .collect();
    assert_eq!(by_id["req-1"].0, "response");
    assert_eq!(
        by_id["req-1"].1["rows"],
        expected("s3/quirks.expected.json")["stats"]["rows"]
    );
    assert_eq!(
        by_id["req-2"],
        (
            "response",
            &json!({"batchItemFailures": [{"itemIdentifier": "m2"}]})
        )
    );
    assert_eq!(by_id["req-3"].1["rows"], 2);
    assert_eq!(by_id["req-4"].0, "error");
    assert_eq!(by_id["req-4"].1["errorType"], "AwsAccessLogs.ObjectsFailed");
    assert!(
        by_id["req-4"].1["errorMessage"]
            .as_str()
            .unwrap()
            .contains("s3://logs/cache-bucket/gone")
    );
    assert_eq!(
        by_id["req-5"],
        ("response", &json!({"ignored": "s3:TestEvent"}))
    );
    assert_eq!(
        by_id["req-6"],
        ("response", &json!({"batchItemFailures": []}))
    );

    let objects = snapshot(&client, "out").await;
    // The truncated gzip's rows (one hour), marked incomplete; its outputs aside, the
    // fixtures' are as the handler writes them.
    let (key, _) = incomplete_file(&objects);
    assert!(key.starts_with("lets/s3-access/year=2019/month=02/day=06/hour=00/"));
    let truncated_id = key.rsplit('/').next().unwrap().replace(".parquet", "");
    let objects: BTreeMap<String, Vec<u8>> = objects
        .into_iter()
        .filter(|(k, _)| !k.contains(&truncated_id))
        .collect();
    check_outputs(&objects);

    eprintln!("function output:\n{out}");
    // Logs: JSON lines; one embedded-metric line per object written; the failure named.
    let lines: Vec<Value> = out
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(
        lines.len(),
        out.lines().count(),
        "every line is JSON:\n{out}"
    );
    let emf: Vec<&Value> = lines.iter().filter(|l| l.get("_aws").is_some()).collect();
    assert_eq!(emf.len(), 4);
    let mut formats: Vec<&str> = emf.iter().map(|l| l["format"].as_str().unwrap()).collect();
    formats.sort();
    assert_eq!(
        formats,
        [
            "cloudfront-realtime",
            "cloudfront-standard",
            "s3-access",
            "s3-access"
        ]
    );
    for (key, message) in [
        ("cache-bucket/truncated.gz", "incomplete"),
        ("misc/notes.txt", "failed permanently"),
    ] {
        assert!(
            lines.iter().any(|l| l["level"] == "ERROR"
                && l["key"] == key
                && l["permanent"] == true
                && l["message"].as_str().unwrap_or("").starts_with(message)),
            "{key}: {out}"
        );
    }
    assert!(
        lines.iter().any(|l| l["level"] == "ERROR"
            && l["key"] == "cache-bucket/gone"
            && l["bucket"] == "logs"
            && l["cause"].as_str().unwrap_or("").contains("no such object")),
        "{out}"
    );
}

#[test]
fn bad_configuration_fails_at_cold_start_naming_the_variable() {
    let api = runtime_api(Vec::new());
    let output = Command::new(env!("CARGO_BIN_EXE_aws-access-logs-lambda"))
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "f")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("CACHE__SERVICE__BUCKET_NAME", "out")
        .env("LETS__SOURCE_TYPE_MAP", r#"{"logs/": "s3"}"#)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let out = String::from_utf8_lossy(&output.stdout);
    let line: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(line["level"], "ERROR");
    assert_eq!(line["variable"], "LETS__SOURCE_TYPE_MAP");
    assert!(
        line["message"]
            .as_str()
            .unwrap()
            .contains("which is not a source type"),
        "{out}"
    );
}

/// Peak RSS of the release binary on large objects, each in a fresh process:
/// `LAMBDA_MEMORY_INPUTS="KEY=PATH ..."` (keys routed as usual), with
/// `CLOUDFRONT_REALTIME_FIELDS` for real-time inputs. Run by `examples/lambda/measure-memory.sh`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs generated inputs; run examples/lambda/measure-memory.sh"]
async fn peak_memory_on_large_objects() {
    let Some(moto) = moto_server() else { return };
    let inputs = std::env::var("LAMBDA_MEMORY_INPUTS").expect("LAMBDA_MEMORY_INPUTS");
    let fields = std::env::var("CLOUDFRONT_REALTIME_FIELDS").unwrap_or_else(|_| realtime_fields());
    // The function's limits and settings, when given (the size limit for objects over its
    // default; `IN_MEMORY_OBJECT_BYTES=0` to stream every object).
    let mut env = vec![("CLOUDFRONT_REALTIME_FIELDS", fields)];
    for name in [
        "MAX_OBJECT_BYTES",
        "MAX_OPEN_PARTITIONS",
        "PARTITION_BY",
        "IN_MEMORY_OBJECT_BYTES",
    ] {
        if let Ok(value) = std::env::var(name) {
            env.push((name, value));
        }
    }
    let client = client(&moto.url).await;
    for bucket in ["logs", "out"] {
        client.create_bucket().bucket(bucket).send().await.unwrap();
    }
    for (n, input) in inputs.split_whitespace().enumerate() {
        let (key, path) = input.split_once('=').unwrap();
        let size = std::fs::metadata(path).unwrap().len() as usize;
        let body = ByteStream::from_path(path).await.unwrap();
        client
            .put_object()
            .bucket("logs")
            .key(key)
            .body(body)
            .send()
            .await
            .unwrap();
        let api = runtime_api(vec![(
            format!("req-{n}"),
            s3_event(vec![s3_record("logs", key, size)]),
        )]);
        let child = function(api.addr, &moto, &env).spawn().unwrap();
        let (answers, peak_kb, out) = run_until_answered(child, &api, 1);
        assert_eq!(answers[0].1, "response", "{answers:?}\n{out}");
        let metrics: Value = out
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|l| l.get("_aws").is_some())
            .unwrap();
        println!(
            "{key}: {:.1} MB stored, {:.1} MB text, {} rows, {:.1} MB Parquet in {} files, {} passes, {:.0} ms; peak RSS {:.1} MB",
            size as f64 / 1e6,
            metrics["text_bytes"].as_f64().unwrap() / 1e6,
            metrics["rows"],
            metrics["parquet_bytes"].as_f64().unwrap() / 1e6,
            metrics["parquet_files"],
            metrics["passes"],
            metrics["duration_ms"].as_f64().unwrap(),
            peak_kb as f64 * 1024.0 / 1e6,
        );
        assert!(peak_kb * 1024 < 256 * 1024 * 1024, "peak RSS {peak_kb} kB");
    }
    if std::env::var("LAMBDA_MEMORY_SKIP_WARM").as_deref() == Ok("1") {
        return;
    }

    // A warm container: every object twice, one after another, in one process.
    let keys: Vec<(String, usize)> = inputs
        .split_whitespace()
        .map(|i| {
            let (key, path) = i.split_once('=').unwrap();
            (
                key.to_string(),
                std::fs::metadata(path).unwrap().len() as usize,
            )
        })
        .collect();
    let events: Vec<(String, Value)> = (0..2)
        .flat_map(|round| {
            keys.iter().enumerate().map(move |(n, (key, size))| {
                (
                    format!("warm-{round}-{n}"),
                    s3_event(vec![s3_record("logs", key, *size)]),
                )
            })
        })
        .collect();
    let count = events.len();
    let api = runtime_api(events);
    let child = function(api.addr, &moto, &env).spawn().unwrap();
    let (answers, peak_kb, out) = run_until_answered(child, &api, count);
    assert!(
        answers.iter().all(|a| a.1 == "response"),
        "{answers:?}\n{out}"
    );
    println!(
        "one process, {count} invocations (every object twice): peak RSS {:.1} MB",
        peak_kb as f64 * 1024.0 / 1e6
    );
    assert!(peak_kb * 1024 < 256 * 1024 * 1024, "peak RSS {peak_kb} kB");
}

/// A key as a CSV manifest must list it: URL-encoded (`/` and unreserved characters kept),
/// with a space as `+` when `plus` (as form encoding writes it) and as `%20` otherwise.
fn manifest_key(key: &str, plus: bool) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    let encoded = utf8_percent_encode(key, KEEP).to_string();
    if plus {
        encoded.replace("%20", "+")
    } else {
        encoded
    }
}

/// `"{rows} rows, {rejected} rejected, {n} Parquet file(s) ({format})"` → (rows, n, format).
fn succeeded(result: &str) -> (usize, usize, String) {
    let pattern =
        regex::Regex::new(r"(\d+) rows, \d+ rejected, (\d+) Parquet files? \(([a-z0-9-]+)\)$")
            .unwrap();
    let c = pattern
        .captures(result)
        .unwrap_or_else(|| panic!("{result:?}"));
    (
        c[1].parse().unwrap(),
        c[2].parse().unwrap(),
        c[3].to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_operations_backfill_from_a_csv_manifest() {
    let Some(moto) = moto_server() else { return };
    let client = client(&moto.url).await;
    for bucket in ["logs", "out", "manifests"] {
        client.create_bucket().bucket(bucket).send().await.unwrap();
    }
    // Existing log objects: a key with spaces, one with non-ASCII characters and a `+`, a
    // standard log found by its content, a truncated gzip, and one deleted since the
    // manifest was made.
    const SPACED: &str = "cache-bucket/2026-11-30-10-00-00-ABCDEF access log";
    const ACCENTED: &str = "cloudfront-realtime/2026/11/30/10/journal-café+1.gz";
    const TRUNCATED: &str = "cache-bucket/2026-11-30-11-00-00-TRUNCATED.gz";
    const DELETED: &str = "cache-bucket/2026-11-30-12-00-00-DELETED";
    put(&client, "logs", SPACED, s3_access_lines(40)).await;
    put(
        &client,
        "logs",
        ACCENTED,
        gzip(&fixture("cloudfront/realtime.log")),
    )
    .await;
    put(
        &client,
        "logs",
        STD_KEY,
        gzip(&fixture("cloudfront/standard-26.log")),
    )
    .await;
    let mut truncated = gzip(&s3_access_lines(2000));
    truncated.truncate(truncated.len() / 2);
    put(&client, "logs", TRUNCATED, truncated).await;

    // The manifest, as a backfill writes it: bucket,key with URL-encoded keys.
    let manifest: String = [
        ("logs", SPACED, true),
        ("logs", ACCENTED, false),
        ("logs", STD_KEY, false),
        ("logs", TRUNCATED, false),
        ("logs", DELETED, false),
    ]
    .iter()
    .map(|(bucket, key, plus)| format!("{bucket},{}\n", manifest_key(key, *plus)))
    .collect();
    assert!(manifest.contains("ABCDEF+access+log") && manifest.contains("caf%C3%A9%2B1"));
    put(
        &client,
        "manifests",
        "batch-manifests/backfill.csv",
        manifest.into_bytes(),
    )
    .await;

    let metrics = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&metrics);
    let handler = Handler::with_emit(
        S3Store::new(client.clone()),
        config(&[]),
        Arc::new(move |line: &str| {
            sink.lock()
                .unwrap()
                .push(serde_json::from_str::<Value>(line).unwrap())
        }),
    );

    // Batch Operations reads the manifest and invokes the function once per row, the key
    // as listed. Schema 1.0 first, then the same job in schema 2.0: a re-run.
    let manifest =
        String::from_utf8(get(&client, "manifests", "batch-manifests/backfill.csv").await).unwrap();
    let rows: Vec<(String, String, Option<String>)> = manifest
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let version = fields
                .get(2)
                .filter(|v| !v.is_empty())
                .map(|v| v.to_string());
            (fields[0].to_string(), fields[1].to_string(), version)
        })
        .collect();
    assert_eq!(rows.len(), 5);
    let mut first_results = Vec::new();
    let mut expected_objects = BTreeMap::new();
    for schema in ["1.0", "2.0"] {
        let mut results = Vec::new();
        for (i, (bucket, key, version)) in rows.iter().enumerate() {
            let before = snapshot(&client, "out").await;
            let task_id = format!("task-{i}");
            let invocation_id = format!("invocation-{schema}-{i}");
            let event = batch_event(
                schema,
                &invocation_id,
                &[(&task_id, bucket, key, version.as_deref())],
            );
            let response = handler.handle(event).await.unwrap();
            let mut result = batch_results(&response, schema, &invocation_id);
            assert_eq!(result.len(), 1, "{response}");
            let (id, code, text) = result.remove(0);
            assert_eq!(id, task_id);
            let after = snapshot(&client, "out").await;
            // The Parquet files this task wrote (or rewrote, on the second pass).
            let written: Vec<(&String, &Vec<u8>)> = after
                .iter()
                .filter(|(k, bytes)| {
                    k.ends_with(".parquet") && (schema == "2.0" || before.get(*k) != Some(*bytes))
                })
                .collect();
            for (k, _) in &written {
                assert!(k.starts_with("lets/"), "{k}");
            }
            if schema == "1.0" {
                let rows: usize = written
                    .iter()
                    .map(|(_, bytes)| parquet_rows(bytes).0.len())
                    .sum();
                let files: Vec<String> = written.iter().map(|(k, _)| k.to_string()).collect();
                results.push((code, text, rows, files));
            } else {
                results.push((code, text, 0, Vec::new()));
            }
            if schema == "1.0" {
                expected_objects = after;
            }
        }
        if schema == "1.0" {
            first_results = results;
        } else {
            // The re-run: the same results, the same bytes under the same keys.
            for (first, again) in first_results.iter().zip(&results) {
                assert_eq!((&first.0, &first.1), (&again.0, &again.1));
            }
            assert_eq!(snapshot(&client, "out").await, expected_objects);
        }
    }

    let result = |i: usize| &first_results[i];
    // Succeeded: the rows in the Parquet files written, as the result string says.
    for (i, want_rows, format) in [
        (0, 40, "s3-access"),
        (
            1,
            expected("cloudfront/realtime.expected.json")["stats"]["rows"]
                .as_u64()
                .unwrap() as usize,
            "cloudfront-realtime",
        ),
        (2, 2, "cloudfront-standard"),
    ] {
        let (code, text, rows, files) = result(i);
        assert_eq!(code, "Succeeded", "task {i}: {text}");
        assert_eq!(
            succeeded(text),
            (want_rows, files.len(), format.to_string())
        );
        assert_eq!(*rows, want_rows, "task {i}");
        assert!(!files.is_empty());
    }
    // The truncated gzip: a permanent failure naming the cause; its readable rows written.
    let (code, text, rows, files) = result(3);
    assert_eq!(code, "PermanentFailure");
    assert!(text.starts_with("incomplete: corrupt gzip"), "{text}");
    let (said_rows, said_files, format) = succeeded(text);
    assert_eq!((said_rows, said_files), (*rows, files.len()));
    assert!(*rows > 0 && *rows < 2000, "{rows}");
    assert_eq!(format, "s3-access");
    // The deleted object: worth retrying (S3 Batch Operations runs it again, then reports
    // it failed).
    let (code, text, rows, _) = result(4);
    assert_eq!(code, "TemporaryFailure");
    assert_eq!(text, "cannot read the object: no such object");
    assert_eq!(*rows, 0);

    // One metrics line per object converted, per pass.
    let metrics = metrics.lock().unwrap();
    let keys: Vec<&str> = metrics.iter().map(|m| m["key"].as_str().unwrap()).collect();
    let once = [SPACED, ACCENTED, STD_KEY, TRUNCATED];
    assert_eq!(keys, [once, once].concat());
}

/// The Python with DuckDB provisioned by `tests/interop/venv.sh`, when there is one.
fn duckdb_python() -> Option<PathBuf> {
    let python =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/interop-venv/bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import duckdb"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ready {
        return Some(python);
    }
    if std::env::var("AWS_ACCESS_LOGS_REQUIRE_MOTO").as_deref() == Ok("1") {
        panic!(
            "{} with duckdb not found (required by AWS_ACCESS_LOGS_REQUIRE_MOTO=1): run \
             tests/interop/venv.sh",
            python.display()
        );
    }
    eprintln!(
        "no Python with duckdb: skipping the partition query test (run tests/interop/venv.sh)"
    );
    None
}

/// Logs whose records span hours, days and years, through the handler into the output
/// bucket, then read back as a table by DuckDB with Hive partitioning: every partition filter
/// returns exactly the rows whose time is in it (`tests/lake/check.py`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partitions_query_exactly_with_duckdb() {
    let Some(moto) = moto_server() else { return };
    let Some(python) = duckdb_python() else {
        return;
    };
    let client = client(&moto.url).await;
    for bucket in ["logs", "out"] {
        client.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let sources = [
        (
            "s3",
            "cache-bucket/2024-03-18-03-00-00-5EA1E7A1E7A1E7A1",
            "s3-access",
            "time",
            "request_id",
        ),
        (
            "realtime",
            "cloudfront-realtime/2024/03/18/03/lake-1-2024-03-18-03-00-00-0001.gz",
            "cloudfront-realtime",
            "timestamp",
            "x_edge_request_id",
        ),
        (
            "standard",
            "cf-standard/ELAKEEXAMPLE.2024-03-18-03.d111111abcdef8.gz",
            "cloudfront-standard",
            "timestamp",
            "x_edge_request_id",
        ),
    ];
    for (fixture_name, key, ..) in sources {
        let text = fixture(&format!("lake/{fixture_name}.log"));
        let body = if key.ends_with(".gz") {
            gzip(&text)
        } else {
            text
        };
        put(&client, "logs", key, body).await;
    }
    let fields = String::from_utf8(fixture("lake/realtime.fields")).unwrap();
    // One folder per process: test runs side by side do not share it.
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("lake-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for granularity in ["hour", "day"] {
        let prefix = format!("{granularity}/");
        let handler = Handler::with_emit(
            S3Store::new(client.clone()),
            config(&[
                ("CLOUDFRONT_REALTIME_FIELDS", fields.trim()),
                ("PARTITION_BY", granularity),
                ("OUTPUT_PREFIX", &prefix),
            ]),
            Arc::new(|_: &str| {}),
        );
        let records = sources
            .iter()
            .map(|(_, key, ..)| s3_record("logs", &key.replace(' ', "+"), 1))
            .collect();
        handler.handle(s3_event(records)).await.unwrap();
    }
    let objects = snapshot(&client, "out").await;
    for (key, bytes) in &objects {
        let path = dir.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for granularity in ["hour", "day"] {
        for (fixture_name, _, format, time, id) in sources {
            let table = dir.join(granularity).join(format);
            let out = Command::new(&python)
                .arg(root.join("tests/lake/check.py"))
                .arg(&table)
                .arg("--expected")
                .arg(root.join("fixtures/lake/expected.json"))
                .args(["--fixture", fixture_name, "--granularity", granularity])
                .args(["--time", time, "--id", id])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: {}{}",
                table.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            eprint!("{}", String::from_utf8_lossy(&out.stdout));
            // The pointer names every file written for the object.
            let latest: Value =
                serde_json::from_slice(&objects[&format!("{granularity}/_latest/{format}.json")])
                    .unwrap();
            let files = objects
                .keys()
                .filter(|k| k.starts_with(&format!("{granularity}/{format}/")))
                .count();
            assert_eq!(
                latest["files"].as_array().map(Vec::len),
                Some(files),
                "{latest}"
            );
        }
        // The S3 log's line that is not a record is a reject, outside the table.
        assert!(
            objects
                .keys()
                .any(|k| k.starts_with(&format!("{granularity}/_rejects/s3-access/"))),
            "{:?}",
            objects.keys().collect::<Vec<_>>()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Elastic Load Balancing logs as ELB delivers them: ALB, NLB and connection logs gzip, CLB
/// logs plain, all under `AWSLogs/<account>/elasticloadbalancing/<region>/yyyy/mm/dd/`, and
/// the test object of `AWSLogs/<account>/`. No route is configured: the object names say
/// which table each goes to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elastic_load_balancing_logs_against_a_real_s3_server() {
    let Some(moto) = moto_server() else { return };
    let client = client(&moto.url).await;
    for bucket in ["logs", "out"] {
        client.create_bucket().bucket(bucket).send().await.unwrap();
    }
    let objects = elb_objects();
    for o in &objects {
        put(&client, "logs", &o.key, o.body.clone()).await;
    }
    put(
        &client,
        "logs",
        ELB_TEST_FILE_KEY,
        ELB_TEST_FILE.as_bytes().to_vec(),
    )
    .await;
    let handler = Handler::with_emit(
        S3Store::new(client.clone()),
        config(&[]),
        Arc::new(|_: &str| {}),
    );
    let mut records: Vec<Value> = objects
        .iter()
        .map(|o| s3_record("logs", &o.key, o.body.len()))
        .collect();
    records.push(s3_record("logs", ELB_TEST_FILE_KEY, ELB_TEST_FILE.len()));
    let rows: usize = objects.iter().map(|o| o.rows.len()).sum();
    let response = handler.handle(s3_event(records.clone())).await.unwrap();
    assert_eq!(
        response,
        json!({"processed": 4, "rows": rows, "rejected": 0})
    );

    // The keys are known in advance: each object's table and hours, and its id (the hash
    // of bucket, key and ETag: the bucket is not versioned).
    let first = snapshot(&client, "out").await;
    let mut want = std::collections::BTreeSet::new();
    for o in &objects {
        let head = client
            .head_object()
            .bucket("logs")
            .key(&o.key)
            .send()
            .await
            .unwrap();
        let etag = head.e_tag().unwrap().trim_matches('"').to_string();
        let id = aws_access_logs_lambda::process::object_id("logs", &o.key, None, Some(&etag));
        let (want_rows, hours) = elb_expected(o);
        for (hour, _) in &hours {
            want.insert(format!("lets/{}/{hour}/{id}.parquet", o.table));
        }
        want.insert(format!("lets/_latest/{}.json", o.table));
        let files = parquet_files(&first, o.table);
        let (got_rows, counts) = elb_partitioned_rows(&files);
        assert_eq!(counts, hours, "{}", o.table);
        assert_eq!(got_rows, want_rows, "{}", o.table);
        let latest: Value =
            serde_json::from_slice(&first[&format!("lets/_latest/{}.json", o.table)]).unwrap();
        assert_eq!(latest["source"], json!({"bucket": "logs", "key": o.key}));
        assert_eq!(latest["rows"], o.rows.len());
    }
    assert_eq!(
        first
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        want
    );

    // Delivered again, through SQS and EventBridge: the same bytes under the same keys; the
    // test object skipped each time.
    let sqs = sqs_event(&[("m1", s3_event(records))]);
    assert_eq!(
        handler.handle(sqs).await.unwrap(),
        json!({"batchItemFailures": []})
    );
    for o in &objects {
        let event = eventbridge_event("logs", &o.key, o.body.len());
        assert_eq!(handler.handle(event).await.unwrap()["processed"], 1);
    }
    let event = eventbridge_event("logs", ELB_TEST_FILE_KEY, ELB_TEST_FILE.len());
    assert_eq!(handler.handle(event).await.unwrap()["processed"], 0);
    assert_eq!(snapshot(&client, "out").await, first);
}
