//! Conformance with other projects' test suites: every S3 access log line in `../shared/corpus`
//! (read from there, never copied into this repository), checked against the values those
//! projects assert where our schema has the field (see each folder's SOURCE.md), and their
//! invalid lines rejected.
//!
//! Where our documented rules differ from a peer's, the peer's value is mapped to ours and the
//! difference is named at the assertion: `-` and `"-"` are null here (some peers keep `"-"`),
//! `bytes_sent` `-` is 0, `acl_required` `-` is false, and `time` is UTC milliseconds.
//!
//! Outside the project's checkouts the corpus is absent: the tests say so and pass, unless
//! `AWS_ACCESS_LOGS_REQUIRE_CORPUS=1` (set by `.ci/run`) makes that a failure.
//! `AWS_ACCESS_LOGS_CORPUS` overrides the location.

mod common;

use std::path::PathBuf;

use aws_access_logs::{DecodeStats, Format, ReaderBuilder, Reject};
use common::{all_rows, iso_ms};
use serde_json::{Map, Value, json};

type Row = Map<String, Value>;

fn corpus_dir() -> Option<PathBuf> {
    common::corpus_dir("S3")
}

struct Parsed {
    rows: Vec<Row>,
    rejects: Vec<Reject>,
    stats: DecodeStats,
}

fn parse(dir: &std::path::Path, file: &str) -> Parsed {
    let path = dir.join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = ReaderBuilder::new(Format::S3).build(&bytes[..]).unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let parsed = Parsed {
        rows: all_rows(&batches),
        rejects: reader.take_rejects(),
        stats: reader.stats(),
    };
    assert_eq!(
        parsed.stats.rows + parsed.stats.rejected + parsed.stats.blank_lines,
        parsed.stats.lines,
        "{file}"
    );
    parsed
}

/// Parses a file all of whose lines the peer expects to parse.
fn parse_valid(dir: &std::path::Path, file: &str, lines: usize) -> Vec<Row> {
    let parsed = parse(dir, file);
    let reasons: Vec<String> = parsed
        .rejects
        .iter()
        .map(|r| r.error().to_string())
        .collect();
    assert!(reasons.is_empty(), "{file}: {reasons:#?}");
    assert_eq!(parsed.rows.len(), lines, "{file}");
    parsed.rows
}

fn check(row: &Row, expected: &[(&str, Value)], context: &str) {
    for (column, want) in expected {
        assert_eq!(&row[*column], want, "{context}: column {column}");
    }
}

#[test]
fn elastic_integrations_expected_json() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "elastic__integrations/s3access/test-s3-server-access.log",
        10,
    );
    let expected: Value = serde_json::from_slice(
        &std::fs::read(
            dir.join("elastic__integrations/s3access/test-s3-server-access.log-expected.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let expected = expected["expected"].as_array().unwrap();
    assert_eq!(expected.len(), rows.len());
    // Their key → our column. Elastic drops `-` values, so an absent key means null here,
    // except where our rules give a value for `-` (bytes_sent 0, acl_required false).
    let mapping = [
        ("bucket_owner", "bucket_owner"),
        ("bucket", "bucket"),
        ("remote_ip", "remote_ip"),
        ("requester", "requester"),
        ("request_id", "request_id"),
        ("operation", "operation"),
        ("key", "key"),
        ("request_uri", "request_uri"),
        ("http_status", "http_status"),
        ("error_code", "error_code"),
        ("bytes_sent", "bytes_sent"),
        ("object_size", "object_size"),
        ("total_time", "total_time_ms"),
        ("turn_around_time", "turn_around_time_ms"),
        ("user_agent", "user_agent"),
        ("version_id", "version_id"),
        ("host_id", "host_id"),
        ("signature_version", "signature_version"),
        ("cipher_suite", "cipher_suite"),
        ("authentication_type", "authentication_type"),
        ("host_header", "host_header"),
        ("tls_version", "tls_version"),
        ("point_arn", "access_point_arn"),
        ("aclrequired", "acl_required"),
    ];
    for (i, (row, want)) in rows.iter().zip(expected).enumerate() {
        let ctx = format!("elastic s3 line {}", i + 1);
        let theirs = want["aws"]["s3access"].as_object().unwrap();
        for (their_key, ours) in mapping {
            let got = &row[ours];
            match theirs.get(their_key) {
                // Elastic keeps a quoted "-" Request-URI as "-"; both `-` forms are null here.
                Some(Value::String(s)) if s == "-" => {
                    assert_eq!(got, &Value::Null, "{ctx}: {ours}")
                }
                Some(Value::String(s)) if ours == "acl_required" => {
                    assert_eq!(s, "Yes");
                    assert_eq!(got, &json!(true), "{ctx}: {ours}");
                }
                Some(v) => assert_eq!(got, v, "{ctx}: {ours}"),
                None if ours == "bytes_sent" => assert_eq!(got, &json!(0), "{ctx}: {ours}"),
                None if ours == "acl_required" => {
                    assert!(
                        got == &Value::Null || got == &json!(false),
                        "{ctx}: {ours} = {got}"
                    )
                }
                None => assert_eq!(got, &Value::Null, "{ctx}: {ours}"),
            }
        }
        let ts = want["@timestamp"].as_str().unwrap();
        assert_eq!(row["time"], json!(iso_ms(ts)), "{ctx}: time");
    }
    // Lines 8 and 9 have aclRequired `Yes` and `-`; lines 1-7 stop before it.
    assert_eq!(rows[7]["acl_required"], json!(true));
    assert_eq!(rows[8]["acl_required"], json!(false));
    assert!(rows[..6].iter().all(|r| r["acl_required"].is_null()));
}

#[test]
fn elastic_beats_lines() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "elastic__beats/x-pack/filebeat/module/aws/s3access/test/test.log",
        6,
    );
    check(
        &rows[0],
        &[
            ("time", json!(iso_ms("2019-02-06T00:00:38.000Z"))),
            ("bucket", json!("awsexamplebucket")),
            ("request_id", json!("3E57427F3EXAMPLE")),
            ("http_status", json!(200)),
            ("signature_version", json!("SigV2")),
            ("tls_version", json!("TLSV1.1")),
            ("total_time_ms", json!(7)),
        ],
        "beats line 1",
    );
    check(
        &rows[2],
        &[
            ("error_code", json!("NoSuchBucketPolicy")),
            ("http_status", json!(404)),
        ],
        "beats line 3",
    );
    check(
        &rows[4],
        &[
            ("object_size", json!(4406583)),
            ("total_time_ms", json!(41754)),
            ("turn_around_time_ms", json!(28)),
            ("bytes_sent", json!(0)),
        ],
        "beats line 5",
    );
    // Line 6: a +0200 offset, converted to UTC.
    check(
        &rows[5],
        &[
            ("bucket", json!("faketest")),
            ("time", json!(iso_ms("2021-02-09T12:48:42Z"))),
            ("operation", json!("REST.OPTIONS.FAKE")),
            ("request_uri", json!("OPTIONS * HTTP/1.0")),
            ("signature_version", json!("SigV4")),
        ],
        "beats line 6",
    );
    parse_valid(
        &dir,
        "elastic__beats/x-pack/filebeat/module/aws/s3access/test/s3_server_access.log",
        5,
    );
}

#[test]
fn logstash_patterns_core_lines() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "logstash-plugins__logstash-patterns-core/s3_access_log.extracted.log",
        3,
    );
    check(
        &rows[0],
        &[
            ("bucket_owner", json!("79a5")),
            ("bucket", json!("mybucket")),
            ("remote_ip", json!("192.0.2.3")),
            ("requester", json!("79a5")),
            ("request_id", json!("3E57427F3EXAMPLE")),
            ("operation", json!("REST.GET.VERSIONING")),
            ("key", Value::Null),
            ("request_uri", json!("GET /mybucket?versioning HTTP/1.1")),
            ("http_status", json!(200)),
            ("bytes_sent", json!(113)),
            ("total_time_ms", json!(7)),
            ("error_code", Value::Null),
            ("object_size", Value::Null),
            ("turn_around_time_ms", Value::Null),
            ("version_id", Value::Null),
            // Legacy grok keeps the referrer as `"-"` with quotes; ours is null.
            ("referer", Value::Null),
        ],
        "patterns-core line 1",
    );
    check(
        &rows[1],
        &[
            ("requester", Value::Null),
            ("http_status", json!(304)),
            ("object_size", json!(1718)),
            ("total_time_ms", json!(10)),
            // nil in grok, 0 by our rule for `-`.
            ("bytes_sent", json!(0)),
            ("turn_around_time_ms", Value::Null),
        ],
        "patterns-core line 2",
    );
    check(
        &rows[2],
        &[
            ("bucket", json!("awsexamplebucket1")),
            ("request_id", json!("A1206F460EXAMPLE")),
            ("operation", json!("REST.GET.BUCKETPOLICY")),
            ("turn_around_time_ms", json!(12)),
            ("bytes_sent", json!(297)),
            ("total_time_ms", json!(38)),
            ("error_code", json!("NoSuchBucketPolicy")),
            ("http_status", json!(404)),
            (
                "request_uri",
                json!("GET /awsexamplebucket1?policy HTTP/1.1"),
            ),
            ("signature_version", json!("SigV2")),
            ("cipher_suite", json!("ECDHE-RSA-AES128-GCM-SHA256")),
            ("authentication_type", json!("AuthHeader")),
            (
                "host_header",
                json!("awsexamplebucket1.s3.us-west-1.amazonaws.com"),
            ),
            ("tls_version", json!("TLSV1.1")),
            ("key", Value::Null),
            ("object_size", Value::Null),
        ],
        "patterns-core line 3",
    );
    let host_id = rows[2]["host_id"].as_str().unwrap();
    assert!(
        host_id.starts_with("BNaB") && host_id.ends_with("1234="),
        "{host_id}"
    );
}

#[test]
fn knil_sama_line() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "knil-sama__s3-access-log-rust/integration_test.extracted.log",
        1,
    );
    check(
        &rows[0],
        &[
            (
                "bucket_owner",
                json!("7e1c2dcc1527ebbd9a81efbefb6a7d5945b7c6fe00160f682c2b7c056d301e83"),
            ),
            ("bucket", json!("aws-website-demonchy-5v3aj")),
            ("time", json!(iso_ms("2023-11-11T03:37:50Z"))),
            ("remote_ip", json!("130.176.48.151")),
            ("requester", Value::Null),
            ("request_id", json!("YDYP07R0QHFNH76W")),
            ("operation", json!("WEBSITE.GET.OBJECT")),
            ("key", json!("favicon.ico")),
            ("request_uri", json!("GET /favicon.ico HTTP/1.1")),
            ("http_status", json!(404)),
            ("error_code", json!("NoSuchKey")),
            ("bytes_sent", json!(346)),
            ("object_size", Value::Null),
            ("total_time_ms", json!(39)),
            ("turn_around_time_ms", Value::Null),
            // The peer keeps "-" for referer, version id, signature, cipher and auth type;
            // `-` is null here.
            ("referer", Value::Null),
            ("user_agent", json!("Amazon CloudFront")),
            ("version_id", Value::Null),
            ("signature_version", Value::Null),
            ("cipher_suite", Value::Null),
            ("authentication_type", Value::Null),
            (
                "host_header",
                json!("aws-website-demonchy-5v3aj.s3-website-us-east-1.amazonaws.com"),
            ),
            ("tls_version", Value::Null),
            ("access_point_arn", Value::Null),
            // None for the peer; `-` in aclRequired is false by our rule.
            ("acl_required", json!(false)),
        ],
        "knil-sama",
    );
    let host_id = rows[0]["host_id"].as_str().unwrap();
    assert!(host_id.starts_with("m3PG") && host_id.ends_with("Ugo="));
}

#[test]
fn matomo_oldest_layout_without_final_newline() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "matomo-org__matomo-log-analytics/tests/logs/s3.log",
        1,
    );
    check(
        &rows[0],
        &[
            ("bucket", json!("www.example.com")),
            // 16:42:07 at -0500.
            ("time", json!(iso_ms("2012-02-10T21:42:07Z"))),
            ("remote_ip", json!("1.2.3.4")),
            (
                "requester",
                json!("arn:aws:iam::179580289999:user/phillip.boss"),
            ),
            ("request_uri", json!("GET /index HTTP/1.1")),
            ("http_status", json!(200)),
            ("bytes_sent", json!(368)),
            ("referer", Value::Null),
            (
                "user_agent",
                json!(
                    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/535.11 (KHTML, like Gecko) Chrome/17.0.963.56 Safari/535.11"
                ),
            ),
            ("version_id", Value::Null),
        ],
        "matomo",
    );
}

#[test]
fn icodeforlove_valid_and_invalid() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "icodeforlove__s3-access-log-parser/matches.test.valid.extracted.log",
        3,
    );
    check(
        &rows[0],
        &[
            ("key", json!("mybucket-%20file")),
            (
                "request_uri",
                json!("GET /mybucket-%20file?versioning HTTP/1.1"),
            ),
            ("time", json!(iso_ms("2014-02-06T00:00:38Z"))),
            ("http_status", json!(200)),
            ("bytes_sent", json!(113)),
            ("total_time_ms", json!(7)),
            ("user_agent", json!("S3Console/0.4")),
        ],
        "icodeforlove line 1",
    );
    // The all-dash record: every column null (bytes_sent 0 by our rule; the line has no
    // aclRequired field, so that is null too).
    for (column, value) in &rows[1] {
        if column == "bytes_sent" {
            assert_eq!(value, &json!(0));
        } else {
            assert_eq!(value, &Value::Null, "all-dash record: {column}");
        }
    }
    assert_eq!(
        rows[2]["requester"],
        json!("arn:aws:iam::100:user/iam-user")
    );

    let invalid = parse(
        &dir,
        "icodeforlove__s3-access-log-parser/matches.test.invalid.extracted.log",
    );
    assert_eq!(invalid.rows.len(), 0);
    assert_eq!(invalid.rejects.len(), 2);
    assert_eq!(invalid.stats.rejected, 2);
}

#[test]
fn kdgm_valid_and_invalid() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "kdgm__logstash-plugins/s3_access_log_spec.valid.extracted.log",
        29,
    );
    let trailing: Vec<_> = rows
        .iter()
        .filter(|r| !r["trailing_fields"].is_null())
        .collect();
    assert_eq!(trailing.len(), 1);
    assert_eq!(trailing[0]["trailing_fields"], json!("any other fields"));
    assert_eq!(trailing[0]["operation"], json!("REST.HEAD.OBJECT"));
    assert_eq!(trailing[0]["host_id"], Value::Null);
    // Checked on every line: the timestamp parses, remote_ip and status are present, and
    // `-` error codes and version ids are null.
    for row in &rows {
        assert!(row["time"].is_i64());
        assert!(row["remote_ip"].is_string());
        assert!(row["http_status"].is_u64());
        assert_ne!(row["error_code"], json!("-"));
        assert_ne!(row["version_id"], json!("-"));
    }
    let copies: Vec<_> = rows
        .iter()
        .filter(|r| r["operation"] == json!("REST.COPY.OBJECT_GET"))
        .collect();
    assert!(!copies.is_empty());
    for row in copies {
        // Bare `-` Request-URI, referrer and user agent.
        assert_eq!(row["request_uri"], Value::Null);
        assert_eq!(row["referer"], Value::Null);
        assert_eq!(row["user_agent"], Value::Null);
    }
    assert!(
        rows.iter()
            .any(|r| r["operation"] == json!("SOAP.PUT.OBJECT")
                && r["request_uri"] == json!("POST /soap/ HTTP/1.1"))
    );
    assert!(
        rows.iter()
            .any(|r| r["authentication_type"] == json!("QueryString"))
    );
    assert!(rows.iter().any(|r| r["http_status"] == json!(206)));
    // The first line of the spec (rewritten as Apache combined log) keeps its timestamp.
    assert!(
        rows.iter()
            .any(|r| r["time"] == json!(iso_ms("2013-03-24T10:22:56Z")))
    );

    let invalid = parse(
        &dir,
        "kdgm__logstash-plugins/s3_access_log_spec.invalid.extracted.log",
    );
    // The peer expects a parse failure for the referer that ends in a doubled quote. S3 does
    // not escape quotes, so this is a referer ending in a literal quote, and the fields after
    // it split one way only: the row is kept (a deliberate difference from the peer).
    assert_eq!(invalid.rejects.len(), 0);
    assert_eq!(invalid.rows.len(), 1);
    assert_eq!(
        invalid.rows[0]["referer"],
        json!("http://kerkdienstgemist.nl/mp3/recorder.php?id=452\"")
    );
    assert_eq!(
        invalid.rows[0]["user_agent"],
        json!("Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; WOW64; Trident/5.0)")
    );
    assert_eq!(invalid.rows[0]["version_id"], Value::Null);
}

#[test]
fn lines_without_field_assertions_parse() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "suhaibaffan__rust-parser-aws-s3-access-logs/sample.txt",
        3,
    );
    assert_eq!(
        rows[0]["request_uri"],
        json!("GET /xr-eu-content-main?encryption= HTTP/1.1")
    );
    assert_eq!(rows[1]["remote_ip"], Value::Null);
    assert_eq!(
        rows[1]["requester"],
        json!(
            "arn:aws:sts::086473938406:assumed-role/s3crr_role_for_vr-360-content-main_to_xr-eu-content-main/s3-replication"
        )
    );

    let rows = parse_valid(
        &dir,
        "grafana__loki/tools/lambda-promtail/testdata/s3accesslog.log",
        1,
    );
    assert!(
        rows[0]["user_agent"]
            .as_str()
            .unwrap()
            .contains("md/awscrt#0.23.8")
    );
    assert_eq!(rows[0]["host_id"].as_str().unwrap().len(), 96);
    assert_eq!(rows[0]["tls_version"], json!("TLSv1.3"));
    assert_eq!(rows[0]["acl_required"], json!(false));

    let file = "aws-solutions__centralized-logging-with-opensearch/log-processor-datafile/s3.log";
    let rows = parse_valid(&dir, file, 6);
    // SOURCE.md says every line ends `TLSv1.2 - Yes`; the file's first lines end `- -`, so
    // the expectation is read off each line's last word.
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    for (row, line) in rows.iter().zip(text.lines()) {
        assert_eq!(row["access_point_arn"], Value::Null);
        assert_eq!(row["acl_required"], json!(line.ends_with(" Yes")));
        assert_eq!(row["tls_version"], json!("TLSv1.2"));
    }
    assert!(rows.iter().any(|r| r["acl_required"] == json!(true)));
}
