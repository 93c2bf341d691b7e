//! Runs the `convert` example (built by `cargo test`) on the fixtures.
#![cfg(feature = "parquet")]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::{all_rows, convert_exe, files, fixture, gzip};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

/// Runs the converter with `args`.
fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(convert_exe()).args(args).output().unwrap()
}

/// Runs the converter with `args` and `-o out`.
fn convert<S: AsRef<std::ffi::OsStr>>(args: &[S], out: &Path) -> Output {
    Command::new(convert_exe())
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh, empty directory for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aws-access-logs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read_parquet_rows(path: &Path) -> Vec<serde_json::Map<String, Value>> {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    all_rows(&batches)
}

fn realtime_fields() -> String {
    format!("@{}", fixture("cloudfront/realtime.config.json").display())
}

#[test]
fn converts_fixture_with_rejects_and_summary() {
    let dir = temp_dir("convert");
    let out = dir.join("quirks.parquet");
    let rejects = dir.join("quirks.rejects.jsonl");
    let summary = dir.join("summary.json");
    let quirks = fixture("s3/quirks.log");
    let output = Command::new(convert_exe())
        .args(["--format", "s3"])
        .arg(&quirks)
        .arg("-o")
        .arg(&out)
        .arg("--rejects")
        .arg(&rejects)
        .arg("--summary-json")
        .arg(&summary)
        .output()
        .unwrap();
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    // The summary table: a header, the input, the total.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let cells = |line: &str| {
        line.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        cells(lines[0]),
        [
            "input",
            "format",
            "rows",
            "rejected",
            "repaired",
            "bytes",
            "in",
            "bytes",
            "out",
            "reduction",
            "MB/s",
            "elapsed"
        ]
    );
    let row = cells(lines[1]);
    assert_eq!(
        row[..5],
        [
            quirks.display().to_string(),
            "s3".into(),
            "21".into(),
            "7".into(),
            "2".into()
        ]
    );
    assert!(lines[2].starts_with("total (1 input)"), "{text}");

    let expected: Value =
        serde_json::from_slice(&std::fs::read(fixture("s3/quirks.expected.json")).unwrap())
            .unwrap();
    let rows = read_parquet_rows(&out);
    let want = expected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want.len());
    for (got, want) in rows.iter().zip(want) {
        for (column, value) in got {
            assert_eq!(value, &want[column], "column {column}");
        }
    }

    let log = std::fs::read(&quirks).unwrap();
    let text = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want = expected["rejects"].as_array().unwrap();
    assert_eq!(lines.len(), want.len());
    for (got, want) in lines.iter().zip(want) {
        assert_eq!(got["input"], quirks.display().to_string());
        assert_eq!(got["line"], want["line"]);
        assert_eq!(got["byte_offset"], want["byte_offset"]);
        assert_eq!(got["field"], want["field"]);
        assert_eq!(got["outcome"], want["outcome"]);
        assert!(
            got["error"]
                .as_str()
                .unwrap()
                .starts_with("s3 access log: line ")
        );
        let raw = match (&got["raw"], &got["raw_base64"]) {
            (Value::String(s), Value::Null) => s.as_bytes().to_vec(),
            (Value::Null, Value::String(b)) => {
                base64::engine::general_purpose::STANDARD.decode(b).unwrap()
            }
            other => panic!("expected raw or raw_base64: {other:?}"),
        };
        let start = got["byte_offset"].as_u64().unwrap() as usize;
        assert_eq!(&log[start..start + raw.len()], &raw[..]);
    }
    // The repaired line is not UTF-8, so it is written as base64.
    let repaired = lines.iter().find(|l| l["outcome"] == "repaired").unwrap();
    assert!(repaired["raw_base64"].is_string());

    // The summary as JSON.
    let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    let input = &json["inputs"][0];
    assert_eq!(input["status"], "ok");
    assert_eq!(input["format"], "s3");
    assert_eq!(input["lines"], 30);
    assert_eq!(input["rows"], 21);
    assert_eq!(input["rejected"], 7);
    assert_eq!(input["repaired"], 2);
    assert_eq!(input["skipped_lines"], 2);
    assert_eq!(input["bytes_in"], log.len());
    assert_eq!(input["text_bytes"], log.len());
    let size = std::fs::metadata(&out).unwrap().len();
    assert_eq!(input["bytes_out"], size);
    assert_eq!(input["output"], out.display().to_string());
    assert_eq!(json["total"]["rows"], 21);
    assert_eq!(json["total"]["bytes_out"], size);
    assert_eq!(json["exit_code"], 0);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn converts_cloudfront_logs() {
    let dir = temp_dir("convert-cloudfront");

    // Standard logs: detected, schema from the #Fields: line.
    let out = dir.join("standard.parquet");
    let output = convert(&[fixture("cloudfront/standard-33.log")], &out);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = read_parquet_rows(&out);
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[1]["sc_status"], 0);

    // Real-time logs without --fields: a one-line error that says what to do.
    let rt = fixture("cloudfront/realtime.log");
    let output = run(&[
        rt.as_os_str(),
        "-o".as_ref(),
        dir.join("rt.parquet").as_os_str(),
        "-q".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with(&format!("convert: error: {}: ", rt.display())),
        "{text}"
    );
    assert!(text.contains("give --fields"), "{text}");
    assert!(!dir.join("rt.parquet").exists());

    // With the configuration's JSON and percent-decoding.
    let out = dir.join("rt.parquet");
    let output = convert(
        &[
            "--format",
            "cloudfront-realtime",
            "--fields",
            &realtime_fields(),
            "--decode",
            "cs_user_agent,cs_headers",
            rt.to_str().unwrap(),
        ],
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = read_parquet_rows(&out);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0]["cs_user_agent"], "Mozilla/5.0 (X11; Linux x86_64)");
    assert_eq!(rows[0]["timestamp"], 1_684_226_820_937i64);

    // An undetectable input names what was seen and what to do.
    let junk = dir.join("junk.log");
    std::fs::write(&junk, "hello world\n").unwrap();
    let output = convert(
        &[junk.as_os_str(), "-q".as_ref()],
        &dir.join("junk.parquet"),
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("\"hello world\""), "{text}");
    assert!(text.contains("give --format"), "{text}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn output_formats_compression_and_truncated_input() {
    let dir = temp_dir("convert-outputs");
    let quirks = fixture("s3/quirks.log");
    let quirks = quirks.to_str().unwrap();
    let parquet_rows = read_parquet_rows(&{
        let out = dir.join("q.parquet");
        assert!(convert(&[quirks], &out).status.success());
        out
    });
    for codec in ["zstd:19", "snappy", "none"] {
        let out = dir.join(format!("q-{codec}.parquet"));
        let output = convert(&[quirks, "--compression", codec], &out);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(read_parquet_rows(&out), parquet_rows, "{codec}");
    }
    let output = convert(
        &[quirks, "--compression", "zstd:23"],
        &dir.join("x.parquet"),
    );
    assert_eq!(output.status.code(), Some(2));

    let out = dir.join("q.arrow");
    assert!(
        convert(&[quirks, "--output-format", "arrow"], &out)
            .status
            .success()
    );
    let stream =
        arrow::ipc::reader::StreamReader::try_new(std::fs::File::open(&out).unwrap(), None)
            .unwrap();
    let batches: Vec<_> = stream.collect::<Result<_, _>>().unwrap();
    assert_eq!(all_rows(&batches), parquet_rows);

    let out = dir.join("q.jsonl");
    assert!(
        convert(&[quirks, "--output-format", "jsonl"], &out)
            .status
            .success()
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), parquet_rows.len());
    assert_eq!(lines[0]["time"], "2019-02-06T00:00:38Z");
    assert_eq!(lines[0]["http_status"], parquet_rows[0]["http_status"]);

    // To stdout.
    let output = run(&[quirks, "-o", "-", "--output-format", "jsonl", "-q"]);
    assert!(output.status.success());
    assert_eq!(output.stdout, text.as_bytes());

    // A truncated gzip input: exit 1 with the gzip error, and the rows before it written.
    let mut log = Vec::new();
    for i in 0..20_000 {
        log.extend_from_slice(
            format!("1700000000.{:03}\t192.0.2.1\t200\t/p/{i}\n", i % 1000).as_bytes(),
        );
    }
    let gz = gzip(&log);
    let input = dir.join("cut.log.gz");
    std::fs::write(&input, &gz[..gz.len() / 2]).unwrap();
    let out = dir.join("cut.parquet");
    let output = convert(
        &[
            input.to_str().unwrap(),
            "--fields",
            "timestamp,c-ip,sc-status,cs-uri-stem",
            "-q",
        ],
        &out,
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("truncated or corrupt gzip stream"), "{text}");
    assert!(text.contains("download it again"), "{text}");
    let rows = read_parquet_rows(&out);
    assert!(rows.len() > 1000, "{}", rows.len());
    assert!(
        text.contains(&format!(
            "the {} rows before it were written to",
            rows.len()
        )),
        "{text}"
    );
    assert_eq!(
        rows.last().unwrap()["cs_uri_stem"],
        format!("/p/{}", rows.len() - 1)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A directory of logs of every format, plain and gzip, with a hidden file and a subdirectory.
fn log_tree(root: &Path) {
    std::fs::create_dir_all(root.join("s3/2019")).unwrap();
    std::fs::create_dir_all(root.join("cloudfront")).unwrap();
    std::fs::copy(fixture("s3/quirks.log"), root.join("s3/2019/quirks.log")).unwrap();
    let rt = std::fs::read(fixture("cloudfront/realtime.log")).unwrap();
    std::fs::write(root.join("cloudfront/realtime-1.gz"), gzip(&rt)).unwrap();
    std::fs::copy(
        fixture("cloudfront/realtime.log"),
        root.join("cloudfront/realtime-2"),
    )
    .unwrap();
    let standard = std::fs::read(fixture("cloudfront/standard-33.log")).unwrap();
    std::fs::write(
        root.join("cloudfront/E2EXAMPLE.2019-12-04-21.d111111abcdef8.gz"),
        gzip(&standard),
    )
    .unwrap();
    std::fs::write(root.join(".hidden.log"), "not converted\n").unwrap();
}

#[test]
fn directories_stdin_and_every_format_plain_and_gzip() {
    let dir = temp_dir("convert-tree");
    let logs = dir.join("logs");
    log_tree(&logs);
    let out = dir.join("out");
    let rejects = dir.join("rejects.jsonl");
    let output = Command::new(convert_exe())
        .arg(&logs)
        .arg("-o")
        .arg(&out)
        .args(["--fields", &realtime_fields(), "--rejects"])
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        files(&out),
        [
            "cloudfront/E2EXAMPLE.2019-12-04-21.d111111abcdef8.parquet",
            "cloudfront/realtime-1.parquet",
            "cloudfront/realtime-2.parquet",
            "s3/2019/quirks.parquet",
        ]
    );
    assert_eq!(
        read_parquet_rows(&out.join("cloudfront/E2EXAMPLE.2019-12-04-21.d111111abcdef8.parquet"))
            .len(),
        7
    );
    let realtime = read_parquet_rows(&out.join("cloudfront/realtime-1.parquet"));
    assert_eq!(realtime.len(), 6);
    assert_eq!(
        read_parquet_rows(&out.join("cloudfront/realtime-2.parquet")),
        realtime
    );
    assert_eq!(
        read_parquet_rows(&out.join("s3/2019/quirks.parquet")).len(),
        21
    );
    // The rejects of all inputs, in input order, each naming its input.
    let inputs: Vec<String> = std::fs::read_to_string(&rejects)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["input"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let mut sorted = inputs.clone();
    sorted.sort();
    assert_eq!(inputs, sorted);
    assert!(inputs.iter().any(|i| i.ends_with("quirks.log")));
    assert!(inputs.iter().any(|i| i.ends_with("realtime-2")));

    // The same gzip log through stdin gives the same rows.
    let mut child = Command::new(convert_exe())
        .args(["-", "-q", "--fields", &realtime_fields(), "-o"])
        .arg(dir.join("stdin.parquet"))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let gz = std::fs::read(logs.join("cloudfront/realtime-1.gz")).unwrap();
    child.stdin.take().unwrap().write_all(&gz).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(read_parquet_rows(&dir.join("stdin.parquet")), realtime);

    // --merge: one file with the rows of both real-time logs.
    let merged = dir.join("merged.parquet");
    let output = Command::new(convert_exe())
        .arg(logs.join("cloudfront/realtime-1.gz"))
        .arg(logs.join("cloudfront/realtime-2"))
        .args(["--merge", "--fields", &realtime_fields(), "-o"])
        .arg(&merged)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        read_parquet_rows(&merged),
        [realtime.clone(), realtime].concat()
    );
    // Inputs of different formats cannot be merged.
    let output = Command::new(convert_exe())
        .arg(logs.join("cloudfront/realtime-1.gz"))
        .arg(logs.join("s3/2019/quirks.log"))
        .args(["--merge", "-q", "--fields", &realtime_fields(), "-o"])
        .arg(dir.join("mixed.parquet"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("convert it separately"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn outputs_are_identical_for_any_thread_count() {
    let dir = temp_dir("convert-threads");
    let logs = dir.join("logs");
    log_tree(&logs);
    // One larger plain input, split into many 64 KiB segments.
    let mut quirks = std::fs::read(fixture("s3/quirks.log")).unwrap();
    quirks.push(b'\n'); // (the fixture's last line has no newline)
    std::fs::write(logs.join("big.log"), quirks.repeat(60)).unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "4"] {
        let out = dir.join(format!("out-{threads}"));
        let rejects = dir.join(format!("rejects-{threads}.jsonl"));
        let output = Command::new(convert_exe())
            .arg(&logs)
            .arg("-o")
            .arg(&out)
            .args(["--fields", &realtime_fields(), "--threads", threads])
            .args([
                "--segment-size",
                "65536",
                "--batch-size",
                "100",
                "--rejects",
            ])
            .arg(&rejects)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let mut bytes: Vec<(String, Vec<u8>)> = files(&out)
            .into_iter()
            .map(|f| {
                let data = std::fs::read(out.join(&f)).unwrap();
                (f, data)
            })
            .collect();
        bytes.push(("rejects".into(), std::fs::read(&rejects).unwrap()));
        outputs.push(bytes);
    }
    // One input alone gets all the threads: its segments are decoded in parallel.
    std::fs::write(logs.join("big.log.gz"), gzip(&quirks.repeat(60))).unwrap();
    for input in ["big.log", "big.log.gz"] {
        let mut single = Vec::new();
        for threads in ["1", "4"] {
            let out = dir.join(format!("single-{threads}.parquet"));
            let output = Command::new(convert_exe())
                .arg(logs.join(input))
                .arg("-o")
                .arg(&out)
                .args(["--threads", threads, "--force"])
                .args(["--segment-size", "65536", "--batch-size", "100"])
                .output()
                .unwrap();
            assert!(output.status.success(), "{}", stderr(&output));
            single.push(std::fs::read(&out).unwrap());
        }
        assert!(
            single[0] == single[1],
            "{input}: outputs differ between 1 and 4 threads"
        );
        assert_eq!(
            read_parquet_rows(&dir.join("single-4.parquet")).len(),
            60 * 21
        );
    }
    assert_eq!(outputs[0].len(), 6);
    assert!(
        outputs[0] == outputs[1],
        "outputs differ between 1 and 4 threads"
    );
    let big = read_parquet_rows(&dir.join("out-4/big.parquet"));
    assert_eq!(big.len(), 60 * 21);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn exit_codes_force_and_fail_fast() {
    let dir = temp_dir("convert-exit");
    let quirks = fixture("s3/quirks.log");
    let standard = fixture("cloudfront/standard-33.log");

    // Usage errors: 2.
    assert_eq!(run(&["--no-such-flag"]).status.code(), Some(2));
    let out = dir.join("one.parquet");
    let output = convert(&[quirks.as_os_str(), standard.as_os_str()], &out);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("-o DIR"), "{}", stderr(&output));
    assert_eq!(
        convert(
            &[
                quirks.as_os_str(),
                "--max-reject-ratio".as_ref(),
                "2".as_ref()
            ],
            &out
        )
        .status
        .code(),
        Some(2)
    );

    // A missing input fails (1), and the others are still converted.
    let out = dir.join("out");
    let missing = dir.join("missing.log");
    let output = convert(
        &[missing.as_os_str(), quirks.as_os_str(), "-q".as_ref()],
        &out,
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert_eq!(
        text.trim_end(),
        format!(
            "convert: error: {}: no such file or directory (check the path)",
            missing.display()
        )
    );
    assert_eq!(read_parquet_rows(&out.join("quirks.parquet")).len(), 21);

    // An existing output is not overwritten without --force.
    let before = std::fs::read(out.join("quirks.parquet")).unwrap();
    let output = convert(
        &[standard.as_os_str(), "-q".as_ref()],
        &out.join("quirks.parquet"),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("give --force"),
        "{}",
        stderr(&output)
    );
    assert_eq!(std::fs::read(out.join("quirks.parquet")).unwrap(), before);
    let output = convert(
        &[standard.as_os_str(), "-q".as_ref(), "--force".as_ref()],
        &out.join("quirks.parquet"),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read_parquet_rows(&out.join("quirks.parquet")).len(), 7);

    // --fail-fast: the first failure stops the run.
    let out = dir.join("ff");
    let output = convert(
        &[
            missing.as_os_str(),
            quirks.as_os_str(),
            "-q".as_ref(),
            "--fail-fast".as_ref(),
        ],
        &out,
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(!out.join("quirks.parquet").exists());

    // More rejected lines than --max-reject-ratio: 3, and the output is still written.
    let out = dir.join("ratio.parquet");
    let output = convert(
        &[
            quirks.as_os_str(),
            "--max-reject-ratio".as_ref(),
            "0.1".as_ref(),
            "-q".as_ref(),
        ],
        &out,
    );
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("25.00% of its data lines were rejected (7 of 28)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read_parquet_rows(&out).len(), 21);
    let out = dir.join("ratio-ok.parquet");
    let output = convert(
        &[
            quirks.as_os_str(),
            "--max-reject-ratio".as_ref(),
            "0.3".as_ref(),
        ],
        &out,
    );
    assert_eq!(output.status.code(), Some(0));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn progress_only_on_a_terminal_or_when_asked() {
    let quirks = fixture("s3/quirks.log");
    let dir = temp_dir("convert-progress");
    // Quiet: nothing at all on success.
    let output = convert(&[quirks.as_os_str(), "-q".as_ref()], &dir.join("q.parquet"));
    assert!(output.status.success());
    assert!(output.stderr.is_empty(), "{}", stderr(&output));

    // On a pipe, the summary but no progress bar; with --progress, the bar too.
    let mut texts = Vec::new();
    for extra in [None, Some("--progress")] {
        let out = dir.join(format!("p{}.parquet", texts.len()));
        let mut child = Command::new(convert_exe())
            .args(["-", "--format", "s3", "-o"])
            .arg(&out)
            .args(extra)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let log = std::fs::read(&quirks).unwrap();
        stdin.write_all(&log).unwrap();
        std::thread::sleep(Duration::from_millis(700));
        stdin.write_all(&log).unwrap();
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success());
        texts.push(stderr(&output));
    }
    assert!(!texts[0].contains("rows/s"), "{}", texts[0]);
    assert!(texts[0].contains("total (1 input)"), "{}", texts[0]);
    assert!(texts[1].contains("rows/s"), "{}", texts[1]);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Starts the converter reading a pipe, feeds it the start of a log, and waits until its
/// temporary output exists.
fn start_and_wait_for_partial(
    dir: &Path,
    out: &Path,
) -> (std::process::Child, std::process::ChildStdin) {
    let mut child = Command::new(convert_exe())
        .args(["-", "--format", "s3", "-q", "-o"])
        .arg(out)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(&std::fs::read(fixture("s3/quirks.log")).unwrap())
        .unwrap();
    stdin.flush().unwrap();
    let started = Instant::now();
    while files(dir).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no partial output appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, stdin)
}

#[test]
fn interrupted_output_is_not_left_behind() {
    let dir = temp_dir("convert-interrupt");
    let out = dir.join("q.parquet");
    let (mut child, stdin) = start_and_wait_for_partial(&dir, &out);
    let partial = files(&dir);
    assert_eq!(partial.len(), 1);
    assert!(
        partial[0].starts_with(".q.parquet.") && partial[0].ends_with(".partial"),
        "{partial:?}"
    );
    // An interrupt (SIGINT, as from Ctrl-C): exit 130 and the partial file removed.
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to the child just spawned (and not yet waited for).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    assert_eq!(child.wait().unwrap().code(), Some(130));
    drop(stdin);
    assert!(files(&dir).is_empty(), "{:?}", files(&dir));

    // Killed outright: nothing can be cleaned up, but nothing looks finished either.
    let (mut child, stdin) = start_and_wait_for_partial(&dir, &out);
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert!(!out.exists());
    assert!(
        files(&dir)
            .iter()
            .all(|f| f.starts_with('.') && f.ends_with(".partial"))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The library's figures for `fixtures/s3/quirks.log` (rows, rejected and repaired lines).
fn quirks_stats() -> aws_access_logs::DecodeStats {
    let file = std::fs::File::open(fixture("s3/quirks.log")).unwrap();
    let mut reader = aws_access_logs::ReaderBuilder::new(aws_access_logs::Format::S3)
        .build(file)
        .unwrap();
    while reader.next_batch().unwrap().is_some() {}
    reader.stats()
}

/// A real-time log of `n` distinct lines (converted with [`RT_FIELDS`]).
fn rt_log(n: usize) -> Vec<u8> {
    let mut log = Vec::new();
    for i in 0..n {
        log.extend_from_slice(
            format!("1700000000.{:03}\t192.0.2.1\t200\t/p/{i}\n", i % 1000).as_bytes(),
        );
    }
    log
}

const RT_FIELDS: &str = "timestamp,c-ip,sc-status,cs-uri-stem";

/// Runs the converter with `args`, killing it (and failing) if it runs longer than `limit`.
fn run_with_timeout<S: AsRef<std::ffi::OsStr>>(args: &[S], limit: Duration) -> Output {
    let mut child = Command::new(convert_exe())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drain both pipes so that a chatty child cannot block on them.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut buf);
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the converter ran longer than {limit:?} on {:?}", {
                args.iter()
                    .map(|a| a.as_ref().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    }
}

#[cfg(unix)]
#[test]
fn directory_symlinks_neither_loop_nor_repeat_a_file() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("convert-symlinks");
    let log = rt_log(1000);
    let limit = Duration::from_secs(120);

    // A link to the directory itself: the file is converted once.
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("a.log"), &log).unwrap();
    symlink("../logs", logs.join("self")).unwrap();
    // Converts `input` merged into one file and into a directory of outputs: the merged file
    // holds each record once, and the directory has exactly `expected` files.
    let merged_and_mirrored = |input: &Path, name: &str, expected: &[&str]| {
        let merged = dir.join(format!("{name}.parquet"));
        let output = run_with_timeout(
            &[
                input.as_os_str(),
                "--merge".as_ref(),
                "--fields".as_ref(),
                RT_FIELDS.as_ref(),
                "-o".as_ref(),
                merged.as_os_str(),
            ],
            limit,
        );
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(read_parquet_rows(&merged).len(), 1000);
        let out = dir.join(format!("{name}-out"));
        let output = run_with_timeout(
            &[
                input.as_os_str(),
                "-q".as_ref(),
                "--fields".as_ref(),
                RT_FIELDS.as_ref(),
                "-o".as_ref(),
                out.as_os_str(),
            ],
            limit,
        );
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(output.stderr.is_empty(), "{}", stderr(&output));
        assert_eq!(files(&out), expected);
    };
    merged_and_mirrored(&logs, "merged", &["a.parquet"]);

    // Two links to ancestors (2^40 paths when followed blindly), a link to a sibling directory
    // and links to directories elsewhere in the tree: each directory is walked once.
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("x/deep")).unwrap();
    std::fs::write(tree.join("x/deep/b.log"), &log).unwrap();
    symlink(".", tree.join("x/here")).unwrap();
    symlink("..", tree.join("x/deep/up")).unwrap();
    symlink("x", tree.join("y")).unwrap();
    symlink("../x", tree.join("x/deep/again")).unwrap();
    merged_and_mirrored(&tree, "tree", &["x/deep/b.parquet"]);

    // A file reached through several paths (a file symlink, a hard link, the same argument
    // twice, a directory and a file in it): converted once, under its first path, with a note.
    let same = dir.join("same");
    std::fs::create_dir_all(&same).unwrap();
    std::fs::write(same.join("a.log"), &log).unwrap();
    symlink("a.log", same.join("b.log")).unwrap();
    std::fs::hard_link(same.join("a.log"), same.join("c.log")).unwrap();
    let out = dir.join("same-out");
    let output = run_with_timeout(
        &[
            same.as_os_str(),
            same.join("a.log").as_os_str(),
            "--fields".as_ref(),
            RT_FIELDS.as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
        limit,
    );
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert_eq!(files(&out), ["a.parquet"]);
    for name in ["b.log", "c.log"] {
        assert!(
            text.contains(&format!(
                "convert: note: {}: skipped, the same file as {}",
                same.join(name).display(),
                same.join("a.log").display()
            )),
            "{text}"
        );
    }
    let merged = dir.join("same.parquet");
    let output = run_with_timeout(
        &[
            same.as_os_str(),
            "-q".as_ref(),
            "--merge".as_ref(),
            "--fields".as_ref(),
            RT_FIELDS.as_ref(),
            "-o".as_ref(),
            merged.as_os_str(),
        ],
        limit,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    assert_eq!(read_parquet_rows(&merged).len(), 1000);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn interrupted_while_listing_the_inputs() {
    // Enough files that the listing is seen on the progress line.
    let dir = temp_dir("convert-listing");
    let logs = dir.join("logs");
    for d in 0..40 {
        let sub = logs.join(format!("d{d:02}"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..100 {
            std::fs::write(sub.join(format!("f{f:03}.log")), "").unwrap();
        }
    }
    let out = dir.join("out");
    let mut child = Command::new(convert_exe())
        .arg(&logs)
        .args(["--format", "s3", "--progress", "-o"])
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let mut buf = [0; 4096];
        let mut told = false;
        loop {
            match std::io::Read::read(&mut err, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => text.extend_from_slice(&buf[..n]),
            }
            if !told && String::from_utf8_lossy(&text).contains("listing the inputs") {
                told = true;
                tx.send(()).unwrap();
            }
        }
        String::from_utf8_lossy(&text).into_owned()
    });
    let seen = rx.recv_timeout(Duration::from_secs(60)).is_ok();
    if seen {
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        // SAFETY: sends a signal to the child just spawned (and not yet waited for).
        assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    }
    let status = child.wait().unwrap();
    let text = reader.join().unwrap();
    assert!(seen, "no listing progress ({status}): {text}");
    assert_eq!(status.code(), Some(130), "{text}");
    assert!(text.contains("convert: interrupted"), "{text}");
    if out.exists() {
        assert!(files(&out).iter().all(|f| !f.ends_with(".partial")));
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[cfg(unix)]
#[test]
fn an_input_is_never_overwritten_by_an_output() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("convert-same-file");
    let input = dir.join("a.log");
    std::fs::copy(fixture("s3/quirks.log"), &input).unwrap();
    let log = std::fs::read(&input).unwrap();
    let name = input.display().to_string();

    // The output is the input, by its path, another path, or a symlink: a usage error (2)
    // whatever --force says, and the input is untouched.
    symlink("a.log", dir.join("link.parquet")).unwrap();
    for out in [
        input.clone(),
        dir.join(".").join("a.log"),
        dir.join("link.parquet"),
    ] {
        let output = convert(&[input.as_os_str(), "--force".as_ref()], &out);
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(
            text.contains(&format!("is the input {name}")),
            "{}: {text}",
            out.display()
        );
        assert_eq!(std::fs::read(&input).unwrap(), log);
    }
    // --rejects and --summary-json may not be an input either.
    for flag in ["--rejects", "--summary-json"] {
        let output = Command::new(convert_exe())
            .arg(&input)
            .args(["--force", flag])
            .arg(&input)
            .arg("-o")
            .arg(dir.join("q.parquet"))
            .output()
            .unwrap();
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{flag}: {text}");
        assert!(text.contains(&format!("is the input {name}")), "{text}");
        assert_eq!(std::fs::read(&input).unwrap(), log);
    }
    // Nor stdin, when it is the file.
    let output = Command::new(convert_exe())
        .args(["-", "--force", "-o"])
        .arg(&input)
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("is the input - (stdin)"), "{text}");
    assert_eq!(std::fs::read(&input).unwrap(), log);

    // A directory converted into itself: an error saying why, not a silent no-op.
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::copy(fixture("s3/quirks.log"), logs.join("q.log")).unwrap();
    for out in [logs.clone(), dir.join("logs/../logs")] {
        let output = convert(&[logs.as_os_str(), "--force".as_ref()], &out);
        let text = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{text}");
        assert!(
            text.contains(&format!(
                "-o {} is the input directory {}",
                out.display(),
                logs.display()
            )),
            "{text}"
        );
        assert_eq!(files(&logs), ["q.log"]);
    }

    // A dangling symlink at the output path is an existing output: kept without --force.
    let out = dir.join("dangling.parquet");
    symlink("nowhere", &out).unwrap();
    let output = convert(&[input.as_os_str(), "-q".as_ref()], &out);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("give --force"), "{text}");
    assert!(out.symlink_metadata().unwrap().file_type().is_symlink());
    // Likewise for --summary-json (checked before anything is converted).
    let summary = dir.join("dangling.json");
    symlink("nowhere", &summary).unwrap();
    let output = Command::new(convert_exe())
        .arg(&input)
        .arg("--summary-json")
        .arg(&summary)
        .arg("-o")
        .arg(dir.join("s.parquet"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(summary.symlink_metadata().unwrap().file_type().is_symlink());
    // With --force, the link itself is replaced.
    let output = convert(
        &[input.as_os_str(), "-q".as_ref(), "--force".as_ref()],
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(out.symlink_metadata().unwrap().is_file());
    assert_eq!(read_parquet_rows(&out).len() as u64, quirks_stats().rows);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The key-value metadata of a Parquet file.
fn parquet_metadata(path: &Path) -> std::collections::BTreeMap<String, String> {
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .into_iter()
        .flatten()
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn an_output_of_an_input_cut_short_says_so() {
    let dir = temp_dir("convert-incomplete");
    let gz = gzip(&rt_log(20_000));
    let cut = dir.join("cut.log.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let whole = dir.join("whole.log.gz");
    std::fs::write(&whole, &gz).unwrap();
    let incomplete = aws_access_logs::parquet::META_INCOMPLETE;

    // One input: the rows before the error, with the error in the metadata, and `incomplete`
    // in the summary.
    let out = dir.join("cut.parquet");
    let summary = dir.join("cut.json");
    let output = Command::new(convert_exe())
        .arg(&cut)
        .args(["-q", "--fields", RT_FIELDS, "--summary-json"])
        .arg(&summary)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let meta = parquet_metadata(&out);
    let error = meta.get(incomplete).expect("the incomplete key");
    assert!(
        error.contains("truncated or corrupt gzip stream"),
        "{error}"
    );
    let rows = read_parquet_rows(&out).len();
    assert_eq!(meta["aws_access_logs.rows"], rows.to_string());
    let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(json["inputs"][0]["status"], "incomplete");
    assert_eq!(json["inputs"][0]["output"], out.display().to_string());
    assert_eq!(json["inputs"][0]["rows"], rows);
    assert_eq!(json["total"]["failed"], 1);
    assert_eq!(json["exit_code"], 1);

    // A complete input has no such key.
    let out = dir.join("whole.parquet");
    let output = convert(
        &[
            whole.as_os_str(),
            "-q".as_ref(),
            "--fields".as_ref(),
            RT_FIELDS.as_ref(),
        ],
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!parquet_metadata(&out).contains_key(incomplete));

    // --merge: the merged file is incomplete when one of its inputs is (the summary names
    // which).
    let out = dir.join("merged.parquet");
    let summary = dir.join("merged.json");
    let output = Command::new(convert_exe())
        .arg(&whole)
        .arg(&cut)
        .args(["-q", "--merge", "--fields", RT_FIELDS, "--summary-json"])
        .arg(&summary)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let meta = parquet_metadata(&out);
    let error = meta.get(incomplete).expect("the incomplete key");
    assert!(
        error.contains("truncated or corrupt gzip stream"),
        "{error}"
    );
    assert_eq!(read_parquet_rows(&out).len(), 20_000 + rows);
    let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(json["inputs"][0]["status"], "ok");
    assert_eq!(json["inputs"][1]["status"], "incomplete");

    // JSON lines have no metadata: the summary says it.
    let out = dir.join("cut.jsonl");
    let summary = dir.join("jsonl.json");
    let output = Command::new(convert_exe())
        .arg(&cut)
        .args([
            "-q",
            "--output-format",
            "jsonl",
            "--fields",
            RT_FIELDS,
            "--summary-json",
        ])
        .arg(&summary)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(json["inputs"][0]["status"], "incomplete");
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), rows);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_gzip_ratio_limit_can_be_raised() {
    // 100 000 identical S3 lines at gzip -9: about 200×, over the default limit of 100×.
    let dir = temp_dir("convert-gzip-ratio");
    let quirks = std::fs::read(fixture("s3/quirks.log")).unwrap();
    let line = quirks.split(|&b| b == b'\n').next().unwrap();
    let mut log = Vec::with_capacity(100_000 * (line.len() + 1));
    for _ in 0..100_000 {
        log.extend_from_slice(line);
        log.push(b'\n');
    }
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&log).unwrap();
    let gz = e.finish().unwrap();
    assert!(log.len() / gz.len() > 100, "{}×", log.len() / gz.len());
    let input = dir.join("same.log.gz");
    std::fs::write(&input, gz).unwrap();

    let out = dir.join("refused.parquet");
    let output = convert(&[input.as_os_str(), "-q".as_ref()], &out);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("expands more than 100×"), "{text}");
    assert!(text.contains("--max-gzip-ratio"), "{text}");

    let out = dir.join("same.parquet");
    let output = convert(
        &[
            input.as_os_str(),
            "-q".as_ref(),
            "--max-gzip-ratio".as_ref(),
            "1000".as_ref(),
        ],
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(parquet_metadata(&out)["aws_access_logs.rows"], "100000");
    // A ratio of 0 is a usage error.
    let output = convert(
        &[input.as_os_str(), "--max-gzip-ratio".as_ref(), "0".as_ref()],
        &dir.join("zero.parquet"),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    std::fs::remove_dir_all(dir).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stderr_neither_panics_nor_loses_the_summary() {
    let dir = temp_dir("convert-stderr-full");
    let quirks = fixture("s3/quirks.log");
    let missing = dir.join("missing.log");
    for (inputs, code) in [
        (vec![quirks.clone()], 0),
        (vec![quirks.clone(), missing], 1),
    ] {
        let out = dir.join(format!("out-{code}"));
        let summary = dir.join(format!("summary-{code}.json"));
        let output = Command::new(convert_exe())
            .args(&inputs)
            .arg("--summary-json")
            .arg(&summary)
            .arg("-o")
            .arg(&out)
            .stderr(
                std::fs::File::options()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(code));
        let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
        assert_eq!(json["exit_code"], code);
        assert_eq!(json["total"]["rows"], quirks_stats().rows);
        let parquet = if code == 0 {
            out.clone()
        } else {
            out.join("quirks.parquet")
        };
        assert_eq!(
            read_parquet_rows(&parquet).len() as u64,
            quirks_stats().rows
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn long_output_names_fit_their_temporary_names() {
    let dir = temp_dir("convert-long-names");
    let quirks = fixture("s3/quirks.log");
    // 240 bytes: the longest names most file systems take are 255 bytes.
    let stem = "x".repeat(240 - ".parquet".len());
    let out = dir.join(format!("{stem}.parquet"));
    let rejects = dir.join(format!("{stem}.jsonl"));
    let summary = dir.join(format!("{stem}.json"));
    let output = Command::new(convert_exe())
        .arg(&quirks)
        .arg("--rejects")
        .arg(&rejects)
        .arg("--summary-json")
        .arg(&summary)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read_parquet_rows(&out).len() as u64, quirks_stats().rows);
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap().lines().count(),
        9
    );
    assert!(summary.is_file());
    // A multibyte name is cut at a character boundary.
    let stem = "é".repeat(120 - ".parquet".len() / 2);
    let out = dir.join(format!("{stem}.parquet"));
    let output = convert(&[quirks.as_os_str(), "-q".as_ref()], &out);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(read_parquet_rows(&out).len() as u64, quirks_stats().rows);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Whether `strace` can trace a child here.
#[cfg(target_os = "linux")]
fn strace_works() -> bool {
    Command::new("strace")
        .args(["-f", "-o", "/dev/null", "true"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[cfg(target_os = "linux")]
#[test]
fn outputs_are_synced_around_the_rename() {
    if !strace_works() {
        eprintln!("note: strace is not available: the fsync order is not checked");
        return;
    }
    let dir = temp_dir("convert-fsync");
    let out = dir.join("q.parquet");
    let trace = dir.join("trace.txt");
    let output = Command::new("strace")
        .args([
            "-f",
            "-e",
            "trace=openat,fsync,fdatasync,rename,renameat,renameat2",
            "-o",
        ])
        .arg(&trace)
        .arg(convert_exe())
        .arg(fixture("s3/quirks.log"))
        .args(["-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let trace = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<&str> = trace.lines().collect();
    let fd_of = |line: &str| line.rsplit("= ").next().unwrap().trim().to_string();
    let temp = lines
        .iter()
        .position(|l| l.contains("openat(") && l.contains(".q.parquet.") && l.contains("O_CREAT"))
        .unwrap_or_else(|| panic!("no temporary file opened:\n{trace}"));
    let rename = lines
        .iter()
        .position(|l| l.contains("rename") && l.contains(".q.parquet.") && l.contains("= 0"))
        .unwrap_or_else(|| panic!("no rename:\n{trace}"));
    // The file is synced before the rename (through a duplicate of the writer's descriptor)...
    assert!(
        lines[temp..rename]
            .iter()
            .any(|l| l.contains("fsync(") || l.contains("fdatasync(")),
        "no fsync of the file before the rename:\n{trace}"
    );
    // ...and its directory after it.
    let dir_open = lines[rename..]
        .iter()
        .position(|l| l.contains(&format!("openat(AT_FDCWD, \"{}\"", dir.display())))
        .map(|i| i + rename)
        .unwrap_or_else(|| panic!("the directory is not opened after the rename:\n{trace}"));
    let dir_fd = fd_of(lines[dir_open]);
    assert!(
        lines[dir_open..]
            .iter()
            .any(|l| l.contains(&format!("fsync({dir_fd})"))),
        "no fsync of the directory after the rename:\n{trace}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_empty_directory_is_an_error_not_a_silent_success() {
    let dir = temp_dir("convert-empty-dir");
    let empty = dir.join("logs");
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(convert_exe())
        .arg(&empty)
        .arg("-o")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no input files in"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A device (`/dev/null`, `/dev/stdout`) is written in place: never replaced by a renamed file,
/// and no temporary file is made beside it.
#[cfg(unix)]
#[test]
fn devices_are_written_in_place() {
    let dir = temp_dir("convert-devices");
    let summary = dir.join("summary.json");
    let out = Command::new(convert_exe())
        .arg(fixture("s3/quirks.log"))
        .args([
            "-q",
            "-o",
            "/dev/null",
            "--rejects",
            "/dev/stdout",
            "--summary-json",
        ])
        .arg(&summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null was replaced by a file");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(json["exit_code"], 0);
    // The rejects went to stdout: a JSON line per rejected or repaired line.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 9);
    // The summary to stdout, through /dev/stdout.
    let out = Command::new(convert_exe())
        .arg(fixture("s3/quirks.log"))
        .args(["-q", "-o", "/dev/null", "--summary-json", "/dev/stdout"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["total"]["rows"], 21);
    let leftovers: Vec<_> = std::fs::read_dir("/dev")
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC) as seconds since the epoch.
fn epoch_s(text: &str) -> i64 {
    common::iso_ms(&format!("{text}.000Z")) / 1000
}

/// An S3 access log of one line per time in `times` (seconds since the epoch, UTC), in that
/// order, the n-th line's request id `REQ` and n in 8 digits.
fn s3_log_at(times: &[i64]) -> Vec<u8> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let template = std::fs::read(fixture("s3/quirks.log")).unwrap();
    let first = template.split(|&b| b == b'\n').next().unwrap();
    let first = String::from_utf8(first.to_vec()).unwrap();
    let (head, rest) = first.split_once('[').unwrap();
    let (_, tail) = rest.split_once(']').unwrap();
    let mut log = Vec::new();
    for (n, &t) in times.iter().enumerate() {
        let day = aws_access_logs::partition::Granularity::Hour.of(t * 1000);
        let values: Vec<i64> = day.values().into_iter().map(Option::unwrap).collect();
        let (year, month, mday, hour) = (values[0], values[1], values[2], values[3]);
        let secs = t.rem_euclid(3600);
        let stamp = format!(
            "[{mday:02}/{}/{year}:{hour:02}:{:02}:{:02} +0000]",
            MONTHS[month as usize - 1],
            secs / 60,
            secs % 60
        );
        let tail = tail.replacen("3E57427F3EXAMPLE", &format!("REQ{n:08}"), 1);
        let line = format!("{head}{stamp}{tail}\n");
        log.extend_from_slice(line.as_bytes());
    }
    log
}

/// Every Parquet file of the table under `dir` (`FORMAT/year=.../NAME.parquet`), with the
/// partition folder each is in.
fn table_files(dir: &Path) -> Vec<(String, String)> {
    files(dir)
        .into_iter()
        .filter(|f| !f.starts_with("_rejects/"))
        .map(|f| {
            assert!(f.ends_with(".parquet"), "{f}");
            let folder = f.rsplit_once('/').unwrap().0.to_string();
            (f, folder)
        })
        .collect()
}

/// Checks that every row of every file of `format` in the table under `dir` is in its file's
/// partition (by `time_column`, at `granularity`); returns the rows of all these files.
fn rows_in_their_partitions(
    dir: &Path,
    format: &str,
    time_column: &str,
    granularity: aws_access_logs::partition::Granularity,
) -> Vec<serde_json::Map<String, Value>> {
    let mut all = Vec::new();
    let prefix = format!("{format}/");
    for (file, folder) in table_files(dir) {
        if !file.starts_with(&prefix) {
            continue;
        }
        let rows = read_parquet_rows(&dir.join(&file));
        assert!(!rows.is_empty(), "{file} is empty");
        let partition = folder.split_once('/').unwrap().1;
        for row in &rows {
            let expected = match row.get(time_column).and_then(Value::as_i64) {
                Some(ms) => granularity.of(ms).path(),
                None => aws_access_logs::partition::Partition::Untimed(granularity).path(),
            };
            assert_eq!(partition, expected, "{file}: {row:?}");
        }
        all.extend(rows);
    }
    all
}

fn request_ids(rows: &[serde_json::Map<String, Value>]) -> Vec<String> {
    let mut ids: Vec<String> = rows
        .iter()
        .map(|r| r["request_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

/// Every file under `dir` with its bytes.
fn file_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files(dir)
        .into_iter()
        .map(|f| {
            let data = std::fs::read(dir.join(&f)).unwrap();
            (f, data)
        })
        .collect()
}

#[test]
fn partitioned_table_of_an_s3_log_spanning_hours_days_and_years() {
    use aws_access_logs::partition::Granularity;
    let dir = temp_dir("convert-partitioned");
    let logs = dir.join("logs/2019");
    std::fs::create_dir_all(&logs).unwrap();
    // Out of order, across an hour, a day, a month and a year; and a rejected line.
    let times = [
        "2019-12-31T23:59:59",
        "2020-01-01T00:00:00",
        "2019-12-31T22:10:00",
        "2019-12-31T23:00:00",
        "2020-01-01T00:59:59",
        "2019-12-31T23:30:00",
        "2020-02-29T12:00:00",
        "2019-12-30T01:00:00",
    ]
    .map(epoch_s);
    let mut log = s3_log_at(&times);
    log.extend_from_slice(b"not a log line\n");
    std::fs::write(logs.join("access.log"), &log).unwrap();
    let out = dir.join("table");
    let summary = dir.join("summary.json");
    let output = Command::new(convert_exe())
        .arg(dir.join("logs"))
        .args(["--partition-by", "hour", "-o"])
        .arg(&out)
        .arg("--summary-json")
        .arg(&summary)
        .output()
        .unwrap();
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    let name = "2019__access";
    assert_eq!(
        files(&out),
        [
            format!("_rejects/s3-access/{name}.jsonl.gz"),
            format!("s3-access/year=2019/month=12/day=30/hour=01/{name}.parquet"),
            format!("s3-access/year=2019/month=12/day=31/hour=22/{name}.parquet"),
            format!("s3-access/year=2019/month=12/day=31/hour=23/{name}.parquet"),
            format!("s3-access/year=2020/month=01/day=01/hour=00/{name}.parquet"),
            format!("s3-access/year=2020/month=02/day=29/hour=12/{name}.parquet"),
        ]
    );
    let rows = rows_in_their_partitions(&out, "s3-access", "time", Granularity::Hour);
    let expected: Vec<String> = (0..times.len()).map(|n| format!("REQ{n:08}")).collect();
    assert_eq!(request_ids(&rows), expected);
    // Rows keep their input order within a file.
    let hour23 = read_parquet_rows(&out.join(format!(
        "s3-access/year=2019/month=12/day=31/hour=23/{name}.parquet"
    )));
    let ids: Vec<&str> = hour23
        .iter()
        .map(|r| r["request_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["REQ00000000", "REQ00000003", "REQ00000005"]);
    // Each file's metadata counts its own rows.
    let meta = parquet_metadata(&out.join(format!(
        "s3-access/year=2019/month=12/day=31/hour=23/{name}.parquet"
    )));
    assert_eq!(meta["aws_access_logs.rows"], "3");
    assert_eq!(meta["aws_access_logs.format"], "s3");
    // The rejects, outside the table, with the fields of --rejects.
    let gz = std::fs::read(out.join(format!("_rejects/s3-access/{name}.jsonl.gz"))).unwrap();
    let mut text_rejects = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&gz[..]),
        &mut text_rejects,
    )
    .unwrap();
    let rejects: Vec<Value> = text_rejects
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rejects.len(), 1, "{text_rejects}");
    assert_eq!(rejects[0]["raw"], "not a log line");
    assert_eq!(rejects[0]["line"], times.len() as u64 + 1);
    assert!(
        rejects[0]["input"]
            .as_str()
            .unwrap()
            .ends_with("access.log")
    );
    // The summary: files written.
    let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(json["partition_by"], "hour");
    assert_eq!(json["total"]["files"], 5);
    assert_eq!(json["inputs"][0]["files"], 5);
    assert_eq!(
        json["inputs"][0]["partition_files"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(json["inputs"][0]["rows"], 8);
    assert!(text.lines().next().unwrap().contains("files"), "{text}");

    // Again: the outputs exist (exit 1, nothing changed); with --force, the same files.
    let before = file_bytes(&out);
    let again = |extra: &[&str]| {
        Command::new(convert_exe())
            .arg(dir.join("logs"))
            .args(["--partition-by", "hour", "-q", "-o"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    let output = again(&[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    assert_eq!(file_bytes(&out), before);
    let output = again(&["--force"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(file_bytes(&out), before);

    // By the day.
    let days = dir.join("days");
    let output = Command::new(convert_exe())
        .arg(logs.join("access.log"))
        .args(["--partition-by", "day", "-q", "-o"])
        .arg(&days)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        files(&days),
        [
            "_rejects/s3-access/access.jsonl.gz",
            "s3-access/year=2019/month=12/day=30/access.parquet",
            "s3-access/year=2019/month=12/day=31/access.parquet",
            "s3-access/year=2020/month=01/day=01/access.parquet",
            "s3-access/year=2020/month=02/day=29/access.parquet",
        ]
    );
    let rows = rows_in_their_partitions(&days, "s3-access", "time", Granularity::Day);
    assert_eq!(request_ids(&rows), expected);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn partitioned_cloudfront_logs_and_rows_without_a_time() {
    use aws_access_logs::partition::Granularity;
    let dir = temp_dir("convert-partitioned-cf");
    let out = dir.join("table");
    let output = Command::new(convert_exe())
        .arg(fixture("cloudfront/standard-33.log"))
        .arg(fixture("cloudfront/realtime.log"))
        .args([
            "--fields",
            &realtime_fields(),
            "--partition-by",
            "hour",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        files(&out),
        [
            "_rejects/cloudfront-realtime/realtime.jsonl.gz",
            "_rejects/cloudfront-standard/standard-33.jsonl.gz",
            "cloudfront-realtime/year=2023/month=05/day=16/hour=08/realtime.parquet",
            "cloudfront-realtime/year=2023/month=11/day=14/hour=22/realtime.parquet",
            "cloudfront-standard/year=2019/month=12/day=04/hour=00/standard-33.parquet",
            "cloudfront-standard/year=2019/month=12/day=04/hour=21/standard-33.parquet",
            "cloudfront-standard/year=2019/month=12/day=04/hour=23/standard-33.parquet",
            "cloudfront-standard/year=2020/month=02/day=29/hour=21/standard-33.parquet",
        ]
    );
    let rows =
        rows_in_their_partitions(&out, "cloudfront-standard", "timestamp", Granularity::Hour);
    let whole = dir.join("standard.parquet");
    let output = convert(&[fixture("cloudfront/standard-33.log")], &whole);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut expected = read_parquet_rows(&whole);
    let key = |r: &serde_json::Map<String, Value>| serde_json::to_string(r).unwrap();
    let mut got = rows;
    got.sort_by_key(key);
    expected.sort_by_key(key);
    assert_eq!(got, expected);
    let rows =
        rows_in_their_partitions(&out, "cloudfront-realtime", "timestamp", Granularity::Hour);
    assert_eq!(rows.len(), 6);

    // A real-time field list without `timestamp`: every row in the untimed partition.
    let untimed = dir.join("untimed");
    let log = dir.join("rt.log");
    std::fs::write(&log, "192.0.2.1\t200\t/a\n192.0.2.2\t404\t/b\n").unwrap();
    let output = Command::new(convert_exe())
        .arg(&log)
        .args([
            "--fields",
            "c-ip,sc-status,cs-uri-stem",
            "--partition-by",
            "day",
            "-q",
            "-o",
        ])
        .arg(&untimed)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        files(&untimed),
        [
            "cloudfront-realtime/year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__/\
          day=__HIVE_DEFAULT_PARTITION__/rt.parquet"
        ]
    );
    assert_eq!(
        rows_in_their_partitions(
            &untimed,
            "cloudfront-realtime",
            "timestamp",
            Granularity::Day
        )
        .len(),
        2
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `n` times over `n / 120` hours from 2019-06-01, mostly in order (every 7th two hours
/// late).
fn spanning_times(n: usize) -> Vec<i64> {
    let start = epoch_s("2019-06-01T00:00:00");
    (0..n as i64)
        .map(|i| start + i * 30 - if i % 7 == 6 { 7200 } else { 0 })
        .collect()
}

/// An S3 access log of a line at each of [`spanning_times`].
fn s3_log_spanning(n: usize) -> Vec<u8> {
    s3_log_at(&spanning_times(n))
}

/// The number of hours `times` fall in.
fn hours(times: &[i64]) -> usize {
    let hours: std::collections::BTreeSet<i64> = times.iter().map(|t| t.div_euclid(3600)).collect();
    hours.len()
}

#[test]
fn partitioned_outputs_are_identical_for_any_thread_count_and_open_file_limit() {
    let dir = temp_dir("convert-partitioned-threads");
    let logs = dir.join("logs");
    log_tree(&logs);
    // Large enough to be cut into segments decoded in parallel (when converted alone).
    let big = s3_log_spanning(6000);
    assert!(big.len() > 30 * 65536);
    std::fs::write(logs.join("big.log"), &big).unwrap();
    std::fs::write(logs.join("big-gzip.gz"), gzip(&big)).unwrap();
    // Shuffled over 40 hours: a pass per limit's worth of partitions.
    let start = epoch_s("2020-03-01T00:00:00");
    let shuffled: Vec<i64> = (0..400).map(|i| start + (i * 7919 % 400) * 360).collect();
    assert_eq!(hours(&shuffled), 40);
    std::fs::write(logs.join("shuffled.log"), s3_log_at(&shuffled)).unwrap();
    let runs: [&[&str]; 4] = [
        &["--threads", "1"],
        &["--threads", "2"],
        &["--threads", "2", "--open-partitions", "3"],
        &["--threads", "1", "--open-partitions", "1"],
    ];
    let tuning = [
        "--segment-size",
        "65536",
        "--batch-size",
        "50",
        "--checkpoint-rows",
        "50",
        "--partition-by",
        "hour",
        "-q",
    ];
    // Several inputs side by side, and the big one alone (on all threads).
    for input in [logs.clone(), logs.join("big.log"), logs.join("big-gzip.gz")] {
        let mut outputs = Vec::new();
        for (i, extra) in runs.iter().enumerate() {
            let out = dir.join(format!("out-{i}"));
            let _ = std::fs::remove_dir_all(&out);
            let output = Command::new(convert_exe())
                .arg(&input)
                .args(["--fields", &realtime_fields()])
                .args(tuning)
                .args(*extra)
                .arg("-o")
                .arg(&out)
                .output()
                .unwrap();
            assert!(output.status.success(), "{extra:?}: {}", stderr(&output));
            outputs.push(file_bytes(&out));
        }
        for (i, output) in outputs.iter().enumerate().skip(1) {
            let names = |o: &[(String, Vec<u8>)]| o.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
            assert_eq!(names(output), names(&outputs[0]));
            assert!(
                output == &outputs[0],
                "{}: the outputs of {:?} differ from those of {:?}",
                input.display(),
                runs[i],
                runs[0]
            );
        }
        if input == logs.join("big.log") {
            // 6000 lines over 50 hours (and the two before, of the late lines).
            let parquet = outputs[0]
                .iter()
                .filter(|f| f.0.ends_with(".parquet"))
                .count();
            assert_eq!(parquet, hours(&spanning_times(6000)));
            assert_eq!(parquet, 52);
            let rows = rows_in_their_partitions(
                &dir.join("out-0"),
                "s3-access",
                "time",
                aws_access_logs::partition::Granularity::Hour,
            );
            let expected: Vec<String> = (0..6000).map(|n| format!("REQ{n:08}")).collect();
            assert_eq!(request_ids(&rows), expected);
            // Row groups were ended at the checkpoints: the late rows of an hour idle for a
            // checkpoint start another.
            let groups = |f: &str| {
                let file = std::fs::File::open(dir.join("out-0").join(f)).unwrap();
                let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
                reader.metadata().num_row_groups()
            };
            assert_eq!(
                groups("s3-access/year=2019/month=06/day=01/hour=03/big.parquet"),
                2
            );
        }
    }

    // Every row of the shuffled log in every run: a partition passed over at a pass stays so
    // until its end, even once an early-finished file frees a slot (its rows before were not
    // written: opening it then would lose them).
    for (i, extra) in runs.iter().enumerate() {
        let out = dir.join(format!("shuffled-{i}"));
        let _ = std::fs::remove_dir_all(&out);
        let output = Command::new(convert_exe())
            .arg(logs.join("shuffled.log"))
            .args(tuning)
            .args(*extra)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "{extra:?}: {}", stderr(&output));
        let rows = rows_in_their_partitions(
            &out,
            "s3-access",
            "time",
            aws_access_logs::partition::Granularity::Hour,
        );
        let mut expected: Vec<String> = (0..400).map(|n| format!("REQ{n:08}")).collect();
        expected.sort();
        assert_eq!(request_ids(&rows), expected, "{extra:?}");
    }

    // Stdin, read again from its copy in the output directory: the same files.
    let out = dir.join("stdin");
    let mut child = Command::new(convert_exe())
        .arg("-")
        .args(tuning)
        .args(["--open-partitions", "4", "-o"])
        .arg(&out)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&gzip(&big)).unwrap();
    assert!(child.wait().unwrap().success());
    let from_stdin = file_bytes(&out);
    let from_file = {
        let out = dir.join("out-0");
        let _ = std::fs::remove_dir_all(&out);
        let output = Command::new(convert_exe())
            .arg(logs.join("big.log"))
            .args(tuning)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        file_bytes(&out)
    };
    assert_eq!(from_stdin.len(), 52);
    for ((a, a_bytes), (b, b_bytes)) in from_stdin.iter().zip(&from_file) {
        assert_eq!(a.replace("stdin.parquet", "big.parquet"), *b);
        assert!(a_bytes == b_bytes, "{a} differs from {b}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn partitioned_usage_errors_and_failed_inputs() {
    let dir = temp_dir("convert-partitioned-errors");
    let log = dir.join("a.log");
    std::fs::write(&log, s3_log_spanning(600)).unwrap();
    let usage = |args: &[&std::ffi::OsStr], what: &str| {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(what),
            "{args:?}: {}",
            stderr(&output)
        );
    };
    let p = |s: &'static str| std::ffi::OsStr::new(s);
    let table = dir.join("table");
    usage(
        &[
            log.as_os_str(),
            p("--partition-by"),
            p("hour"),
            p("-o"),
            p("-"),
        ],
        "-o DIR",
    );
    usage(
        &[
            log.as_os_str(),
            p("--partition-by"),
            p("hour"),
            p("-o"),
            dir.join("t.parquet").as_os_str(),
        ],
        "-o DIR",
    );
    usage(
        &[
            log.as_os_str(),
            p("--partition-by"),
            p("hour"),
            p("-o"),
            log.as_os_str(),
        ],
        "-o DIR",
    );
    usage(
        &[
            log.as_os_str(),
            p("--partition-by"),
            p("hour"),
            p("--output-format"),
            p("jsonl"),
            p("-o"),
            table.as_os_str(),
        ],
        "Parquet",
    );
    usage(
        &[
            log.as_os_str(),
            p("--partition-by"),
            p("hour"),
            p("--merge"),
            p("-o"),
            table.as_os_str(),
        ],
        "--merge",
    );
    usage(
        &[
            log.as_os_str(),
            p("--partition-by"),
            p("week"),
            p("-o"),
            table.as_os_str(),
        ],
        "hour or day",
    );
    usage(
        &[log.as_os_str(), p("--partition-by"), p("hour")],
        "--output",
    );
    // An input inside the table.
    let inside = table.join("s3-access/x.log");
    std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
    std::fs::copy(&log, &inside).unwrap();
    usage(
        &[
            inside.as_os_str(),
            p("--partition-by"),
            p("hour"),
            p("-o"),
            table.as_os_str(),
        ],
        "inside the table",
    );
    std::fs::remove_dir_all(&table).unwrap();

    // One of its partition files exists: the input fails and leaves none of its files (the
    // existing one untouched); the other input is converted.
    let taken = table.join("s3-access/year=2019/month=06/day=01/hour=03/a.parquet");
    std::fs::create_dir_all(taken.parent().unwrap()).unwrap();
    std::fs::write(&taken, "not mine").unwrap();
    let other = dir.join("b.log");
    std::fs::write(&other, s3_log_at(&[epoch_s("2019-06-01T00:00:00")])).unwrap();
    let summary = dir.join("summary.json");
    let output = Command::new(convert_exe())
        .arg(&log)
        .arg(&other)
        .args([
            "--partition-by",
            "hour",
            "-q",
            "--open-partitions",
            "2",
            "-o",
        ])
        .arg(&table)
        .arg("--summary-json")
        .arg(&summary)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("give --force"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        files(&table),
        [
            "s3-access/year=2019/month=06/day=01/hour=00/b.parquet",
            "s3-access/year=2019/month=06/day=01/hour=03/a.parquet",
        ]
    );
    assert_eq!(std::fs::read(&taken).unwrap(), b"not mine");
    let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    assert_eq!(json["inputs"][0]["status"], "failed");
    assert_eq!(json["inputs"][0]["files"], 0);
    assert_eq!(json["inputs"][1]["files"], 1);
    assert_eq!(json["total"]["files"], 1);

    // Interrupted: exit 130, and neither partition files nor the copy of stdin are left.
    let out = dir.join("interrupted");
    let mut child = Command::new(convert_exe())
        .args(["-", "--partition-by", "hour", "-q", "-o"])
        .arg(&out)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&s3_log_spanning(600)).unwrap();
    stdin.flush().unwrap();
    let started = Instant::now();
    while !out.exists() || files(&out).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no partial output appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        files(&out)
            .iter()
            .all(|f| f.rsplit('/').next().unwrap().starts_with('.'))
    );
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: sends a signal to the child just spawned (and not yet waited for).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    assert_eq!(child.wait().unwrap().code(), Some(130));
    drop(stdin);
    assert!(files(&out).is_empty(), "{:?}", files(&out));

    // --help documents the option.
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    assert!(help.contains("--partition-by <hour|day>"), "{help}");
    assert!(help.contains("__HIVE_DEFAULT_PARTITION__"), "{help}");
    assert!(!help.contains("--open-partitions"), "{help}");
    std::fs::remove_dir_all(dir).unwrap();
}

// --- Elastic Load Balancing logs -------------------------------------------------------------
//
// Synthetic lines of the four formats (documentation IP ranges, invented ids), written here.

/// ALB access log: a 33-field HTTPS line, an 18-field line of 2016 with an IPv6 client, a
/// space in its URL, no target and `-1` times, a 33-field line with a `\x22` escape and an
/// unknown 34th field, and a line cut short (rejected).
const ALB_LOG: &str = concat!(
    r#"https 2024-03-17T09:59:59.123456Z app/my-alb/50dc6c495c0c9188 192.0.2.10:51234 10.0.0.5:8080 0.001 0.047 0.000 200 200 512 1024 "GET https://www.example.com:443/path?q=1 HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-65f6bf7f-0123456789abcdef01234567" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2024-03-17T09:59:59.075000Z "forward" "-" "-" "10.0.0.5:8080" "200" "-" "-" TID_0123456789abcdef0123456789abcdef "-" "-" "-""#,
    "\n",
    r#"http 2024-03-17T10:00:00.000001Z app/my-alb/50dc6c495c0c9188 2001:db8::1:50599 - -1 -1 -1 460 - 34 0 "GET http://www.example.com:80/a b HTTP/1.1" "-" - - - "-""#,
    "\n",
    r#"h2 2024-03-18T00:00:01.500000Z app/my-alb/50dc6c495c0c9188 192.0.2.11:443 10.0.0.6:80 0.000 0.002 0.000 302 302 77 140 "POST https://www.example.com:443/login HTTP/2.0" "Mozilla/5.0 \x22quoted\x22" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Self=1-65f7a1c1-aaaa;Root=1-65f7a1c1-bbbb" "www.example.com" "session-reused" -1 2024-03-18T00:00:00.900000Z "waf,redirect" "https://www.example.com:443/home" "-" "10.0.0.6:80" "302" "Acceptable" "-" TID_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "-" "-" "-" 203.0.113.7"#,
    "\n",
    "https 2024-03-17T10:00:00.000000Z app/my-alb/50dc6c495c0c9188 192.0.2.12:1 - 0.001\n",
);

/// NLB access log: a 22-field line with its ALPN preference list (quotes, not quoting), and an
/// 18-field version 1.0 line with an IPv6 client, no handshake and a URL-encoded SNI.
const NLB_LOG: &str = concat!(
    r#"tls 2.0 2024-03-17T09:15:42 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 198.51.100.20:51341 10.0.1.10:443 5 2 98 246 - arn:aws:acm:us-east-2:123456789012:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-nlb-c6e77e28c25b2234.elb.us-east-2.amazonaws.com h2 h2 "h2","http/1.1" 2024-03-17T09:15:30"#,
    "\n",
    "tls 1.0 2024-03-17T11:00:00 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 2001:db8::2:50000 10.0.1.10:443 12 - 0 0 40 - - - - - www.ex%61mple.com\n",
);

/// CLB access log: an HTTP line, a TCP line (`"- - - "`, status codes `-`), and a 12-field
/// line of before 2015.
const CLB_LOG: &str = concat!(
    r#"2024-03-17T08:30:00.000073Z my-clb 203.0.113.5:2817 10.0.2.7:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -"#,
    "\n",
    r#"2024-03-17T08:45:10.945958Z my-clb 203.0.113.6:3000 10.0.2.7:80 0.001069 0.000028 0.000041 - - 82 305 "- - - " "-" - -"#,
    "\n",
    r#"2024-03-17T09:59:00.000001Z my-clb 203.0.113.7:4000 - -1 -1 -1 504 - 0 0 "GET http://www.example.com:80/slow HTTP/1.1""#,
    "\n",
);

/// ALB connection log: a 15-field line of a TLS listener with a client certificate, and a
/// 12-field line of a plain HTTP listener.
const ALB_CONNECTION_LOG: &str = concat!(
    r#"2024-03-17T09:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 "CN=client.example.com,O=Example,L=Seattle,ST=Washington,C=US" NotBefore=2023-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z FEF257372D5C14D4 Success TID_3180a73013c8ca4bac2f731159d4b0fe - app/my-alb/50dc6c495c0c9188 10.0.3.4"#,
    "\n",
    r#"2024-03-17T09:06:00.000001Z 198.51.100.9 58206 80 - - - "-" - - - TID_16132ed0b4112148"#,
    "\n",
);

/// The object names ELB gives its files (the ALB, NLB and connection logs gzip, the CLB log
/// plain text).
const ALB_NAME: &str = "123456789012_elasticloadbalancing_us-east-2_app.my-alb.50dc6c495c0c9188_20240317T1000Z_192.0.2.200_2t2dtogd.log.gz";
const NLB_NAME: &str = "123456789012_elasticloadbalancing_us-east-2_net.my-nlb.c6e77e28c25b2234_20240317T1100Z_5k3dkd9e.log.gz";
const CLB_NAME: &str =
    "123456789012_elasticloadbalancing_us-east-2_my-clb_20240317T0900Z_192.0.2.201_3j2ld8ss.log";
const ALB_CONNECTION_NAME: &str = "conn_log_123456789012_elasticloadbalancing_us-east-2_app.my-alb.50dc6c495c0c9188_20240317T0910Z_192.0.2.200_8sk2ls0a.log.gz";

/// Writes the four logs into `dir` under their ELB names; returns their paths (ALB, NLB, CLB,
/// connection log).
fn write_elb_logs(dir: &Path) -> [PathBuf; 4] {
    std::fs::create_dir_all(dir).unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        let bytes = if name.ends_with(".gz") {
            gzip(text.as_bytes())
        } else {
            text.as_bytes().to_vec()
        };
        std::fs::write(&path, bytes).unwrap();
        path
    };
    [
        write(ALB_NAME, ALB_LOG),
        write(NLB_NAME, NLB_LOG),
        write(CLB_NAME, CLB_LOG),
        write(ALB_CONNECTION_NAME, ALB_CONNECTION_LOG),
    ]
}

/// `batch` with its microsecond UTC times as Int64 columns (epoch microseconds), which
/// `all_rows` reads as integers.
fn micros_as_integers(batch: &arrow::array::RecordBatch) -> arrow::array::RecordBatch {
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

/// The rows of an ELB log's Parquet file, times as epoch microseconds; checks that its time
/// column is a microsecond UTC timestamp.
fn read_elb_rows(path: &Path) -> Vec<serde_json::Map<String, Value>> {
    use arrow::datatypes::{DataType, TimeUnit};
    let file = std::fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    assert_eq!(
        builder
            .schema()
            .field_with_name("time")
            .unwrap()
            .data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        "{}",
        path.display()
    );
    let batches: Vec<_> = builder
        .build()
        .unwrap()
        .map(|b| micros_as_integers(&b.unwrap()))
        .collect();
    all_rows(&batches)
}

fn object(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Every column of the ALB rows of [`ALB_LOG`] (the rejected fourth line aside).
fn alb_rows() -> Vec<serde_json::Map<String, Value>> {
    let tg = "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067";
    let mut second = object(serde_json::json!({
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
    second.extend(
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
    vec![
        object(serde_json::json!({
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
        second,
        object(serde_json::json!({
            "type": "h2", "time": 1_710_720_001_500_000i64, "elb": "app/my-alb/50dc6c495c0c9188",
            "client_ip": "192.0.2.11", "client_port": 443, "target_ip": "10.0.0.6",
            "target_port": 80, "request_processing_time": 0.0, "target_processing_time": 0.002,
            "response_processing_time": 0.0, "elb_status_code": 302, "target_status_code": 302,
            "received_bytes": 77, "sent_bytes": 140,
            "request": "POST https://www.example.com:443/login HTTP/2.0",
            "request_method": "POST", "request_url": "https://www.example.com:443/login",
            "request_http_version": "HTTP/2.0", "user_agent": r"Mozilla/5.0 \x22quoted\x22",
            "ssl_cipher": "TLS_AES_128_GCM_SHA256", "ssl_protocol": "TLSv1.3",
            "target_group_arn": tg, "trace_id": "Self=1-65f7a1c1-aaaa;Root=1-65f7a1c1-bbbb",
            "domain_name": "www.example.com", "chosen_cert_arn": "session-reused",
            "matched_rule_priority": -1, "request_creation_time": 1_710_720_000_900_000i64,
            "actions_executed": "waf,redirect", "redirect_url": "https://www.example.com:443/home",
            "error_reason": null, "target_port_list": "10.0.0.6:80",
            "target_status_code_list": "302", "classification": "Acceptable",
            "classification_reason": null, "conn_trace_id": "TID_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "transformed_host": null, "transformed_uri": null, "request_transform_status": null,
            "trailing_fields": "203.0.113.7",
        })),
    ]
}

/// Every column of the rows of [`NLB_LOG`].
fn nlb_rows() -> Vec<serde_json::Map<String, Value>> {
    vec![
        object(serde_json::json!({
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
        })),
        object(serde_json::json!({
            "type": "tls", "version": "1.0", "time": 1_710_673_200_000_000i64,
            "elb": "net/my-nlb/c6e77e28c25b2234", "listener": "g3d4b5e8bb8464cd",
            "client_ip": "2001:db8::2", "client_port": 50000, "destination_ip": "10.0.1.10",
            "destination_port": 443, "connection_time": 12, "tls_handshake_time": null,
            "received_bytes": 0, "sent_bytes": 0, "incoming_tls_alert": 40,
            "chosen_cert_arn": null, "chosen_cert_serial": null, "tls_cipher": null,
            "tls_protocol_version": null, "tls_keyexchange": null,
            "domain_name": "www.ex%61mple.com", "alpn_fe_protocol": null,
            "alpn_be_protocol": null, "alpn_client_preference_list": null,
            "tls_connection_creation_time": null, "trailing_fields": null,
        })),
    ]
}

/// Every column of the rows of [`CLB_LOG`].
fn clb_rows() -> Vec<serde_json::Map<String, Value>> {
    vec![
        object(serde_json::json!({
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
        object(serde_json::json!({
            "time": 1_710_665_110_945_958i64, "elb": "my-clb", "client_ip": "203.0.113.6",
            "client_port": 3000, "backend_ip": "10.0.2.7", "backend_port": 80,
            "request_processing_time": 0.001069, "backend_processing_time": 0.000028,
            "response_processing_time": 0.000041, "elb_status_code": null,
            "backend_status_code": null, "received_bytes": 82, "sent_bytes": 305,
            "request": "- - - ", "request_method": null, "request_url": null,
            "request_http_version": null, "user_agent": null, "ssl_cipher": null,
            "ssl_protocol": null, "trailing_fields": null,
        })),
        object(serde_json::json!({
            "time": 1_710_669_540_000_001i64, "elb": "my-clb", "client_ip": "203.0.113.7",
            "client_port": 4000, "backend_ip": null, "backend_port": null,
            "request_processing_time": -1.0, "backend_processing_time": -1.0,
            "response_processing_time": -1.0, "elb_status_code": 504,
            "backend_status_code": null, "received_bytes": 0, "sent_bytes": 0,
            "request": "GET http://www.example.com:80/slow HTTP/1.1", "request_method": "GET",
            "request_url": "http://www.example.com:80/slow", "request_http_version": "HTTP/1.1",
            "user_agent": null, "ssl_cipher": null, "ssl_protocol": null, "trailing_fields": null,
        })),
    ]
}

/// Every column of the rows of [`ALB_CONNECTION_LOG`].
fn alb_connection_rows() -> Vec<serde_json::Map<String, Value>> {
    vec![
        object(serde_json::json!({
            "time": 1_710_666_315_514_108i64, "client_ip": "203.0.113.1", "client_port": 36280,
            "listener_port": 443, "tls_protocol": "TLSv1.2",
            "tls_cipher": "ECDHE-RSA-AES128-GCM-SHA256", "tls_handshake_latency": 4.036,
            "leaf_client_cert_subject": "CN=client.example.com,O=Example,L=Seattle,ST=Washington,C=US",
            "leaf_client_cert_validity": "NotBefore=2023-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z",
            "leaf_client_cert_serial_number": "FEF257372D5C14D4", "tls_verify_status": "Success",
            "conn_trace_id": "TID_3180a73013c8ca4bac2f731159d4b0fe", "tls_keyexchange": null,
            "elb": "app/my-alb/50dc6c495c0c9188", "ip_address": "10.0.3.4",
            "trailing_fields": null,
        })),
        object(serde_json::json!({
            "time": 1_710_666_360_000_001i64, "client_ip": "198.51.100.9", "client_port": 58206,
            "listener_port": 80, "tls_protocol": null, "tls_cipher": null,
            "tls_handshake_latency": null, "leaf_client_cert_subject": null,
            "leaf_client_cert_validity": null, "leaf_client_cert_serial_number": null,
            "tls_verify_status": null, "conn_trace_id": "TID_16132ed0b4112148",
            "tls_keyexchange": null, "elb": null, "ip_address": null, "trailing_fields": null,
        })),
    ]
}

/// The formats of the four logs of [`write_elb_logs`], in its order: `--format` (the name in
/// the summary), the table folder, and the expected rows.
type ElbCase = (
    &'static str,
    &'static str,
    fn() -> Vec<serde_json::Map<String, Value>>,
);
const ELB_CASES: [ElbCase; 4] = [
    ("alb", "alb-access", alb_rows),
    ("nlb", "nlb-access", nlb_rows),
    ("clb", "clb-access", clb_rows),
    ("alb-connection", "alb-connection", alb_connection_rows),
];

#[test]
fn elb_logs_of_each_format_convert_with_every_value() {
    let dir = temp_dir("convert-elb");
    let logs = write_elb_logs(&dir.join("logs"));
    for ((format, _, rows), log) in ELB_CASES.iter().zip(&logs) {
        // The format given, and detected: the same file.
        let given = dir.join(format!("{format}.parquet"));
        let rejects = dir.join(format!("{format}.rejects.jsonl"));
        let summary = dir.join(format!("{format}.summary.json"));
        let output = Command::new(convert_exe())
            .args(["--format", format])
            .arg(log)
            .arg("-o")
            .arg(&given)
            .arg("--rejects")
            .arg(&rejects)
            .arg("--summary-json")
            .arg(&summary)
            .output()
            .unwrap();
        let text = stderr(&output);
        assert!(output.status.success(), "{format}: {text}");
        assert_eq!(read_elb_rows(&given), rows(), "{format}");
        // The summary table names the format, gzip or not.
        let row: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
        let gzip = log.extension().is_some_and(|e| e == "gz");
        assert_eq!(row[1], *format, "{text}");
        assert_eq!(
            row[2 + usize::from(gzip)],
            rows().len().to_string(),
            "{text}"
        );
        let json: Value = serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
        assert_eq!(json["inputs"][0]["format"], *format);
        assert_eq!(json["inputs"][0]["rows"], rows().len());
        let rejected = usize::from(*format == "alb");
        assert_eq!(json["inputs"][0]["rejected"], rejected);
        let reject_lines: Vec<Value> = std::fs::read_to_string(&rejects)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(reject_lines.len(), rejected, "{format}");

        let detected = dir.join(format!("{format}-detected.parquet"));
        let output = convert(&[log.as_os_str(), "-q".as_ref()], &detected);
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        assert_eq!(
            std::fs::read(&detected).unwrap(),
            std::fs::read(&given).unwrap(),
            "{format}"
        );
    }
    // The ALB log's fourth line is cut short: rejected with its position and raw text.
    let rejects = std::fs::read_to_string(dir.join("alb.rejects.jsonl")).unwrap();
    let reject: Value = serde_json::from_str(rejects.lines().next().unwrap()).unwrap();
    assert_eq!(reject["line"], 4, "{reject}");
    assert_eq!(reject["outcome"], "rejected");
    let offset: usize = ALB_LOG.lines().take(3).map(|l| l.len() + 1).sum();
    assert_eq!(reject["byte_offset"], offset);
    assert_eq!(reject["raw"], ALB_LOG.lines().nth(3).unwrap());
    assert!(
        reject["error"]
            .as_str()
            .unwrap()
            .starts_with("ALB access log: line 4"),
        "{reject}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn elb_logs_detected_into_a_partitioned_table() {
    use aws_access_logs::partition::Granularity;
    let dir = temp_dir("convert-elb-table");
    let logs = dir.join("logs");
    write_elb_logs(&logs);
    let out = dir.join("table");
    for granularity in [Granularity::Hour, Granularity::Day] {
        let _ = std::fs::remove_dir_all(&out);
        let output = Command::new(convert_exe())
            .arg(&logs)
            .args(["--partition-by", granularity.name(), "-q", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let stem = |name: &str| {
            name.trim_end_matches(".gz")
                .trim_end_matches(".log")
                .to_string()
        };
        let mut want: Vec<String> = Vec::new();
        for ((_, folder, rows), name) in
            ELB_CASES
                .iter()
                .zip([ALB_NAME, NLB_NAME, CLB_NAME, ALB_CONNECTION_NAME])
        {
            let mut partitions: Vec<String> = rows()
                .iter()
                .map(|r| granularity.of(r["time"].as_i64().unwrap() / 1000).path())
                .collect();
            partitions.sort();
            partitions.dedup();
            for partition in partitions {
                want.push(format!("{folder}/{partition}/{}.parquet", stem(name)));
            }
            // Every row in the partition of its time, every row once.
            let mut got = Vec::new();
            for (file, folder_path) in table_files(&out) {
                if !file.starts_with(&format!("{folder}/")) {
                    continue;
                }
                let file_rows = read_elb_rows(&out.join(&file));
                for row in &file_rows {
                    let time = row["time"].as_i64().unwrap();
                    let partition = granularity.of(time.div_euclid(1000)).path();
                    assert_eq!(folder_path, format!("{folder}/{partition}"), "{file}");
                }
                got.extend(file_rows);
            }
            let key = |r: &serde_json::Map<String, Value>| serde_json::to_string(r).unwrap();
            let mut expected = rows();
            got.sort_by_key(key);
            expected.sort_by_key(key);
            assert_eq!(got, expected, "{folder}");
        }
        // The ALB log's rejected line, outside the table.
        want.push(format!("_rejects/alb-access/{}.jsonl.gz", stem(ALB_NAME)));
        want.sort();
        assert_eq!(files(&out), want, "{granularity:?}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn elb_decoding_and_usage_errors() {
    let dir = temp_dir("convert-elb-options");
    let [alb, nlb, ..] = write_elb_logs(&dir.join("logs"));
    // ALB's `\xHH` escapes, decoded in the columns asked for.
    let out = dir.join("alb.parquet");
    let output = convert(
        &[alb.as_os_str(), "--decode".as_ref(), "user_agent".as_ref()],
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = read_elb_rows(&out);
    assert_eq!(rows[2]["user_agent"], "Mozilla/5.0 \"quoted\"");
    assert_eq!(rows[0]["user_agent"], "curl/8.5.0");
    // NLB's percent-encoded SNI.
    let out = dir.join("nlb.parquet");
    let output = convert(
        &[
            "--format".as_ref(),
            "nlb".as_ref(),
            nlb.as_os_str(),
            "--decode".as_ref(),
            "domain_name".as_ref(),
        ],
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = read_elb_rows(&out);
    assert_eq!(rows[1]["domain_name"], "www.example.com");
    assert_eq!(
        rows[0]["domain_name"],
        "my-nlb-c6e77e28c25b2234.elb.us-east-2.amazonaws.com"
    );
    // The library's aliases are the converter's.
    let out = dir.join("alias.parquet");
    let output = convert(
        &["--format".as_ref(), "nlb-access".as_ref(), nlb.as_os_str()],
        &out,
    );
    assert!(output.status.success(), "{}", stderr(&output));

    // --fields is for CloudFront real-time logs.
    let output = run(&[
        "--format".as_ref(),
        "alb".as_ref(),
        "--fields".as_ref(),
        "timestamp".as_ref(),
        alb.as_os_str(),
        "-o".as_ref(),
        dir.join("x.parquet").as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("ALB access logs have fixed fields"),
        "{}",
        stderr(&output)
    );
    // An NLB log read as ALB: every line rejected, each with its reason.
    let out = dir.join("wrong.parquet");
    let rejects = dir.join("wrong.jsonl");
    let output = Command::new(convert_exe())
        .args(["--format", "alb", "-q"])
        .arg(&nlb)
        .arg("-o")
        .arg(&out)
        .arg("--rejects")
        .arg(&rejects)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap().lines().count(),
        NLB_LOG.lines().count()
    );
    // An undetectable input names every format --format takes.
    let junk = dir.join("junk.log");
    std::fs::write(&junk, "hello world\n").unwrap();
    let output = convert(
        &[junk.as_os_str(), "-q".as_ref()],
        &dir.join("junk.parquet"),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("alb, nlb, clb or alb-connection"),
        "{}",
        stderr(&output)
    );
    // --help documents the formats and the decoding.
    let help = String::from_utf8(run(&["--help"]).stdout).unwrap();
    for needle in ["alb-connection", r"\xHH", "alb-access"] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
