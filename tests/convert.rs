//! Runs the `convert` example (built by `cargo test`) on the fixtures.
#![cfg(feature = "parquet")]

mod common;

use std::path::PathBuf;
use std::process::Command;

use base64::Engine as _;
use common::{all_rows, fixture};
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

/// Runs the converter with `args` and `-o out`.
fn convert<S: AsRef<std::ffi::OsStr>>(args: &[S], out: &std::path::Path) -> std::process::Output {
    Command::new(convert_exe())
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aws-access-logs-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn converts_fixture_with_rejects_and_summary() {
    let dir = temp_dir("convert");
    let out = dir.join("quirks.parquet");
    let rejects = dir.join("quirks.rejects.jsonl");
    let output = Command::new(convert_exe())
        .args(["--format", "s3"])
        .arg(fixture("s3/quirks.log"))
        .arg("-o")
        .arg(&out)
        .arg("--rejects")
        .arg(&rejects)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("convert: s3: 29 lines: 19 rows, 8 rejected, 1 repaired, 2 skipped;"),
        "{stderr}"
    );

    let expected: Value =
        serde_json::from_slice(&std::fs::read(fixture("s3/quirks.expected.json")).unwrap())
            .unwrap();
    let file = std::fs::File::open(&out).unwrap();
    let batches: Vec<_> = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let rows = all_rows(&batches);
    let want = expected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want.len());
    for (got, want) in rows.iter().zip(want) {
        for (column, value) in got {
            assert_eq!(value, &want[column], "column {column}");
        }
    }

    let log = std::fs::read(fixture("s3/quirks.log")).unwrap();
    let text = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want = expected["rejects"].as_array().unwrap();
    assert_eq!(lines.len(), want.len());
    for (got, want) in lines.iter().zip(want) {
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
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn usage_and_input_errors_have_distinct_exit_codes() {
    let status = Command::new(convert_exe())
        .arg("--no-such-flag")
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));

    let dir = temp_dir("convert-missing");
    let output = convert(&[dir.join("missing.log")], &dir.join("out.parquet"));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("convert: error: cannot open "),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn read_parquet_rows(path: &std::path::Path) -> Vec<serde_json::Map<String, Value>> {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    all_rows(&batches)
}

#[test]
fn converts_cloudfront_logs() {
    let dir = temp_dir("convert-cloudfront");

    // Standard logs: detected, schema from the #Fields: line.
    let out = dir.join("standard.parquet");
    let output = convert(&[fixture("cloudfront/standard-33.log")], &out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.starts_with(
            "convert: cloudfront-standard: 16 lines: 7 rows, 6 rejected, 0 repaired, 3 skipped;"
        ),
        "{stderr}"
    );
    let rows = read_parquet_rows(&out);
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[1]["sc_status"], 0);

    // Real-time logs without --fields: a one-line error that says what to do.
    let output = convert(
        &[fixture("cloudfront/realtime.log")],
        &dir.join("rt.parquet"),
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--fields"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    // With the configuration's JSON and percent-decoding.
    let out = dir.join("rt.parquet");
    let mut fields = std::ffi::OsString::from("@");
    fields.push(fixture("cloudfront/realtime.config.json"));
    let output = convert(
        &[
            "--format".into(),
            "cloudfront-realtime".into(),
            "--fields".into(),
            fields,
            "--decode".into(),
            "cs_user_agent,cs_headers".into(),
            fixture("cloudfront/realtime.log").into_os_string(),
        ],
        &out,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let rows = read_parquet_rows(&out);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0]["cs_user_agent"], "Mozilla/5.0 (X11; Linux x86_64)");
    assert_eq!(rows[0]["timestamp"], 1_684_226_820_937i64);

    // An undetectable input names what was seen.
    let junk = dir.join("junk.log");
    std::fs::write(&junk, "hello world\n").unwrap();
    let output = convert(&[&junk], &dir.join("junk.parquet"));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("\"hello world\""), "{stderr}");
    assert!(stderr.contains("--format"), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn output_formats_and_truncated_input() {
    let dir = temp_dir("convert-outputs");
    let run = convert::<&str>;
    let quirks = fixture("s3/quirks.log");
    let quirks = quirks.to_str().unwrap();
    let parquet_rows = read_parquet_rows(&{
        let out = dir.join("q.parquet");
        assert!(run(&[quirks], &out).status.success());
        out
    });

    let out = dir.join("q.arrow");
    assert!(
        run(&[quirks, "--output-format", "arrow"], &out)
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
        run(&[quirks, "--output-format", "jsonl"], &out)
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

    // A truncated gzip input: exit 1 with the gzip error, and the rows before it written.
    let mut log = Vec::new();
    for i in 0..20_000 {
        log.extend_from_slice(
            format!("1700000000.{:03}\t192.0.2.1\t200\t/p/{i}\n", i % 1000).as_bytes(),
        );
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &log).unwrap();
    let gz = gz.finish().unwrap();
    let input = dir.join("cut.log.gz");
    std::fs::write(&input, &gz[..gz.len() / 2]).unwrap();
    let out = dir.join("cut.parquet");
    let output = run(
        &[
            input.to_str().unwrap(),
            "--fields",
            "timestamp,c-ip,sc-status,cs-uri-stem",
        ],
        &out,
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("truncated or corrupt gzip stream"),
        "{stderr}"
    );
    let rows = read_parquet_rows(&out);
    assert!(rows.len() > 1000, "{}", rows.len());
    assert_eq!(
        rows.last().unwrap()["cs_uri_stem"],
        format!("/p/{}", rows.len() - 1)
    );
    std::fs::remove_dir_all(dir).unwrap();
}
