//! Runs the `convert` example (built by `cargo test`) on the fixtures.
#![cfg(feature = "parquet")]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::{all_rows, fixture, gzip};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;

/// `target/<profile>/examples/convert`, next to this test's `deps/` directory.
fn convert_exe() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir
        .join("examples")
        .join(format!("convert{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} not built (run `cargo test`)",
        path.display()
    );
    path
}

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

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
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
            "19".into(),
            "8".into(),
            "1".into()
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
    assert_eq!(input["lines"], 29);
    assert_eq!(input["rows"], 19);
    assert_eq!(input["rejected"], 8);
    assert_eq!(input["repaired"], 1);
    assert_eq!(input["skipped_lines"], 2);
    assert_eq!(input["bytes_in"], log.len());
    assert_eq!(input["text_bytes"], log.len());
    let size = std::fs::metadata(&out).unwrap().len();
    assert_eq!(input["bytes_out"], size);
    assert_eq!(input["output"], out.display().to_string());
    assert_eq!(json["total"]["rows"], 19);
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
        19
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
            60 * 19
        );
    }
    assert_eq!(outputs[0].len(), 6);
    assert!(
        outputs[0] == outputs[1],
        "outputs differ between 1 and 4 threads"
    );
    let big = read_parquet_rows(&dir.join("out-4/big.parquet"));
    assert_eq!(big.len(), 60 * 19);
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
    assert_eq!(read_parquet_rows(&out.join("quirks.parquet")).len(), 19);

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
        stderr(&output).contains("29.63% of its data lines were rejected (8 of 27)"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read_parquet_rows(&out).len(), 19);
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
