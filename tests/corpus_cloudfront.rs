//! Conformance with other projects' test suites: every CloudFront log line in `../shared/corpus`
//! (read from there at run time, never copied into this repository), checked against the values
//! those projects assert where our schema has the field (see each folder's SOURCE.md).
//!
//! Every file must keep `rows + rejected + blank_lines + comment_lines == lines`, and every
//! CloudFront line becomes a row unless noted at the assertion. Where our documented rules differ
//! from a peer's, the peer's value is mapped to ours and the difference is named at the
//! assertion:
//!
//! * `-` is null in every column (some peers keep `"-"`, elastic drops the key);
//! * `date` + `time` are one `timestamp` column, UTC milliseconds (peers keep strings or ISO
//!   text), and numbers are typed (claygregory keeps every value as a string);
//! * text is stored as logged, URL-encoded; only with `with_percent_decoding` is it decoded
//!   once, plus the legacy `%2520`/`%2522`/`%255C`. Elastic decodes the user agent once,
//!   claygregory and matomo twice, logstash not at all: for the user agents in this corpus the
//!   decoded value is the one each decoding peer asserts;
//! * nothing is derived: elastic's `url.full`, `tls.version` "1.2", `http.version` "2.0",
//!   `event.duration` in ns, `network.forwarded_ip` (split, and `localhost:8080` resolved to
//!   127.0.0.1) are compared with the raw columns they come from; dpetzold's cookie and query
//!   dictionaries with the raw text;
//! * input without a `#Fields:` line (the `.extracted.log` and dpetzold `.csv` files) is read
//!   with the legacy field list the peer's code assumes (24 or 33 fields, spec/formats.md §3.2).
//!
//! Outside the project's checkouts the corpus is absent: the tests say so and pass, unless
//! `AWS_ACCESS_LOGS_REQUIRE_CORPUS=1` (set by `.ci/run`) makes that a failure.
//! `AWS_ACCESS_LOGS_CORPUS` overrides the location.

mod common;

use std::path::{Path, PathBuf};

use arrow::datatypes::{DataType, SchemaRef};
use aws_access_logs::cloudfront::{FieldList, column_name};
use aws_access_logs::s3::AWS_NAME_KEY;
use aws_access_logs::{DecodeStats, ErrorKind, Format, ReaderBuilder, Reject};
use common::{all_rows, iso_ms};
use serde_json::{Map, Value, json};

type Row = Map<String, Value>;

fn corpus_dir() -> Option<PathBuf> {
    common::corpus_dir("CloudFront")
}

/// The 33 legacy standard-log fields in order (spec/formats.md §3.2): the first 24 are the
/// layout up to late 2017, 26 adds field-level encryption (2017–2019), 33 is Dec 2019 on.
const LEGACY_FIELDS: [&str; 33] = [
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
];

/// The legacy layout of its first `n` fields (24, 26 or 33).
fn legacy(n: usize) -> FieldList {
    FieldList::standard(&LEGACY_FIELDS[..n].join(" ")).unwrap()
}

/// Our column names of the legacy layout of `n` fields (date + time joined).
fn legacy_columns(n: usize) -> Vec<String> {
    std::iter::once("timestamp".to_string())
        .chain(LEGACY_FIELDS[2..n].iter().map(|f| column_name(f)))
        .collect()
}

struct Parsed {
    rows: Vec<Row>,
    rejects: Vec<Reject>,
    stats: DecodeStats,
    schema: SchemaRef,
    format: Format,
    gzip: bool,
}

impl Parsed {
    fn columns(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }
}

fn read_bytes(dir: &Path, file: &str) -> Vec<u8> {
    let path = dir.join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads `input` with `builder`, checking the line-count invariant.
fn read(builder: ReaderBuilder, input: &[u8], context: &str) -> Parsed {
    let mut reader = builder
        .build(input)
        .unwrap_or_else(|e| panic!("{context}: {e}"));
    let batches: Vec<_> = reader
        .by_ref()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{context}: {e}"));
    let parsed = Parsed {
        rows: all_rows(&batches),
        rejects: reader.take_rejects(),
        stats: reader.stats(),
        schema: reader.schema(),
        format: reader.format(),
        gzip: reader.is_gzip(),
    };
    let s = parsed.stats;
    assert_eq!(
        s.rows + s.rejected + s.blank_lines + s.comment_lines,
        s.lines,
        "{context}: {s:?}"
    );
    assert_eq!(parsed.rows.len() as u64, s.rows, "{context}");
    parsed
}

fn parse(dir: &Path, file: &str, builder: ReaderBuilder) -> Parsed {
    read(builder, &read_bytes(dir, file), file)
}

/// Reads input all of whose data lines the peer expects to parse: `rows` rows, `comments` `#`
/// lines, no reject (nor repaired line).
fn expect_valid(parsed: &Parsed, context: &str, rows: usize, comments: u64) {
    let reasons: Vec<String> = parsed
        .rejects
        .iter()
        .map(|r| format!("line {}: {}", r.line(), r.error()))
        .collect();
    assert!(reasons.is_empty(), "{context}: {reasons:#?}");
    assert_eq!(parsed.rows.len(), rows, "{context}");
    assert_eq!(parsed.stats.comment_lines, comments, "{context}");
    assert_eq!(parsed.stats.rejected, 0, "{context}");
    assert_eq!(parsed.stats.repaired, 0, "{context}");
}

fn parse_valid(
    dir: &Path,
    file: &str,
    builder: ReaderBuilder,
    rows: usize,
    comments: u64,
) -> Parsed {
    let parsed = parse(dir, file, builder);
    expect_valid(&parsed, file, rows, comments);
    parsed
}

fn standard() -> ReaderBuilder {
    ReaderBuilder::new(Format::CloudFrontStandard)
}

fn check(row: &Row, expected: &[(&str, Value)], context: &str) {
    for (column, want) in expected {
        let got = row
            .get(*column)
            .unwrap_or_else(|| panic!("{context}: no column {column}"));
        assert_eq!(got, want, "{context}: column {column}");
    }
}

/// Compares numbers as numbers: an integer expectation needs an integer column of that value,
/// a float one a float equal to it.
fn assert_number(got: &Value, want: &Value, context: &str) {
    if let Some(w) = want.as_u64() {
        assert_eq!(got.as_u64(), Some(w), "{context}: got {got}, want {want}");
    } else {
        let w = want.as_f64().unwrap_or_else(|| panic!("{context}: {want}"));
        assert_eq!(got.as_f64(), Some(w), "{context}: got {got}, want {want}");
    }
}

/// `a.b.c` in a JSON document.
fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |v, key| v.get(key))
}

/// The field names of a file's `#Fields:` line.
fn header_fields(text: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| l.starts_with("#Fields:"))
        .expect("a #Fields: line");
    line["#Fields:".len()..]
        .split_ascii_whitespace()
        .map(str::to_string)
        .collect()
}

/// Checks every text column of `row` against the tab-separated `original` line laid out as
/// `names`: the field as logged, null for `-` or a missing trailing field.
fn check_text_columns(row: &Row, schema: &SchemaRef, names: &[String], original: &str, ctx: &str) {
    let fields: Vec<&str> = original.split('\t').collect();
    let mut checked = 0;
    for field in schema.fields() {
        if field.data_type() != &DataType::Utf8 {
            continue;
        }
        let aws_name = &field.metadata()[AWS_NAME_KEY];
        let pos = names
            .iter()
            .position(|n| n == aws_name)
            .unwrap_or_else(|| panic!("{ctx}: {aws_name} not in the header"));
        let want = match fields.get(pos) {
            None | Some(&"-") => Value::Null,
            Some(v) => json!(v),
        };
        assert_eq!(row[field.name()], want, "{ctx}: column {}", field.name());
        checked += 1;
    }
    assert!(checked > 10, "{ctx}: only {checked} text columns");
}

/// elastic/integrations `cloudfront_logs`: 12 lines of the 33-field layout (the last one cut to
/// 31 fields), checked against `-expected.json`, ECS keys mapped to our columns.
#[test]
fn elastic_integrations_expected_json() {
    let Some(dir) = corpus_dir() else { return };
    let file = "elastic__integrations/cloudfront_logs/test-cloudfront.log";
    let raw = parse_valid(&dir, file, ReaderBuilder::auto(), 12, 2);
    assert_eq!(raw.format, Format::CloudFrontStandard);
    assert_eq!(raw.columns(), legacy_columns(33));
    let decoded = parse_valid(
        &dir,
        file,
        standard().with_percent_decoding(["cs_user_agent"]),
        12,
        2,
    );
    let names = header_fields(&String::from_utf8(read_bytes(&dir, file)).unwrap());
    assert_eq!(names, LEGACY_FIELDS);

    let expected: Value =
        serde_json::from_slice(&read_bytes(&dir, &format!("{file}-expected.json"))).unwrap();
    let expected = expected["expected"].as_array().unwrap();
    // Header lines give `null` documents there and no row here.
    assert_eq!(expected.len(), 14);
    assert!(expected[..2].iter().all(Value::is_null));
    let expected = &expected[2..];
    assert_eq!(expected.len(), raw.rows.len());

    // Their key → our column, for text taken from one field as logged. Elastic drops a key
    // whose value is `-`: absent means null here.
    let text = [
        ("aws.cloudfront.domain", "cs_host"),
        ("aws.cloudfront.edge_location", "x_edge_location"),
        ("aws.cloudfront.edge_result_type", "x_edge_result_type"),
        (
            "aws.cloudfront.edge_response_result_type",
            "x_edge_response_result_type",
        ),
        (
            "aws.cloudfront.edge_detailed_result_type",
            "x_edge_detailed_result_type",
        ),
        ("aws.cloudfront.cookies", "cs_cookie"),
        ("event.id", "x_edge_request_id"),
        ("http.request.id", "x_edge_request_id"),
        ("http.request.method", "cs_method"),
        ("http.request.referrer", "cs_referer"),
        ("http.response.mime_type", "sc_content_type"),
        ("network.protocol", "cs_protocol"),
        ("url.scheme", "cs_protocol"),
        ("source.ip", "c_ip"),
        ("source.address", "c_ip"),
        ("tls.cipher", "ssl_cipher"),
        // url.full is cs-protocol://x-host-header cs-uri-stem?cs-uri-query (not cs(Host)).
        ("url.domain", "x_host_header"),
        ("url.path", "cs_uri_stem"),
        ("url.query", "cs_uri_query"),
    ];
    let numbers = [
        ("aws.cloudfront.time_to_first_byte", "time_to_first_byte"),
        ("http.request.bytes", "cs_bytes"),
        ("http.response.bytes", "sc_bytes"),
        ("http.response.body.bytes", "sc_content_len"),
        ("http.response.status_code", "sc_status"),
        ("source.port", "c_port"),
    ];
    for (i, ((row, dec), want)) in raw.rows.iter().zip(&decoded.rows).zip(expected).enumerate() {
        let ctx = format!("elastic cloudfront line {}", i + 3);
        for (path, ours) in text {
            let got = &row[ours];
            match at(want, path) {
                Some(v) => assert_eq!(got, v, "{ctx}: {path} → {ours}"),
                None => assert_eq!(got, &Value::Null, "{ctx}: {path} absent → {ours}"),
            }
        }
        for (path, ours) in numbers {
            match at(want, path) {
                Some(v) => assert_number(&row[ours], v, &format!("{ctx}: {path} → {ours}")),
                None => assert_eq!(row[ours], Value::Null, "{ctx}: {path} absent → {ours}"),
            }
        }
        assert_eq!(
            row["timestamp"],
            json!(iso_ms(want["@timestamp"].as_str().unwrap())),
            "{ctx}: @timestamp"
        );
        // event.duration is time-taken in nanoseconds.
        let taken = row["time_taken"].as_f64().unwrap();
        assert_eq!(
            Some((taken * 1e9).round() as i64),
            at(want, "event.duration").and_then(Value::as_i64),
            "{ctx}: event.duration → time_taken"
        );
        // http.version "2.0" comes from cs-protocol-version "HTTP/2.0".
        let version = at(want, "http.version").unwrap().as_str().unwrap();
        assert_eq!(
            row["cs_protocol_version"],
            json!(format!("HTTP/{version}")),
            "{ctx}"
        );
        // tls.version "1.2" comes from ssl-protocol "TLSv1.2"; absent when it is `-`.
        match at(want, "tls.version").and_then(Value::as_str) {
            Some(v) => {
                assert_eq!(row["ssl_protocol"], json!(format!("TLSv{v}")), "{ctx}");
                assert_eq!(at(want, "tls.version_protocol"), Some(&json!("tls")));
            }
            None => assert_eq!(row["ssl_protocol"], Value::Null, "{ctx}"),
        }
        // network.forwarded_ip is x-forwarded-for split on commas; we keep the raw text.
        match at(want, "network.forwarded_ip") {
            None => assert_eq!(row["x_forwarded_for"], Value::Null, "{ctx}"),
            Some(list) if list == &json!(["127.0.0.1"]) => {
                // The pipeline resolves `localhost:8080`; a parser keeps what was logged.
                assert_eq!(row["x_forwarded_for"], json!("localhost:8080"), "{ctx}");
            }
            Some(list) => {
                let ours: Vec<&str> = row["x_forwarded_for"]
                    .as_str()
                    .unwrap()
                    .split(',')
                    .map(str::trim)
                    .collect();
                assert_eq!(&json!(ours), list, "{ctx}: x_forwarded_for");
            }
        }
        // Elastic decodes the user agent once: so do we when asked; otherwise it is as logged.
        let ua = at(want, "user_agent.original").unwrap();
        assert_eq!(&dec["cs_user_agent"], ua, "{ctx}: decoded user agent");
        if ua.as_str().unwrap().contains(' ') {
            let logged = row["cs_user_agent"].as_str().unwrap();
            assert!(logged.contains("%20") && !logged.contains(' '), "{ctx}");
        }
        // Decoding touches that column only.
        for (column, value) in row {
            if column != "cs_user_agent" {
                assert_eq!(&dec[column], value, "{ctx}: {column} with decoding on");
            }
        }
        // Every text column is the field of event.original as logged.
        let original = at(want, "event.original").unwrap().as_str().unwrap();
        check_text_columns(row, &raw.schema, &names, original, &ctx);
        // Not in this file: field-level encryption.
        assert_eq!(row["fle_status"], Value::Null, "{ctx}");
        assert_eq!(row["fle_encrypted_fields"], Value::Null, "{ctx}");
    }

    let rows = &raw.rows;
    // Line 4: IPv6 client.
    assert_eq!(
        rows[1]["c_ip"],
        json!("2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6")
    );
    assert_eq!(at(&expected[1], "network.type"), Some(&json!("ipv6")));
    // Line 10: status 000 (viewer gave up) is 0; elastic: status_code 0, outcome failure.
    assert_eq!(rows[7]["sc_status"], json!(0));
    assert_eq!(at(&expected[7], "event.outcome"), Some(&json!("failure")));
    // Line 14: 31 fields, stops at sc-content-len `-`; the range fields are null.
    check(
        &rows[11],
        &[
            ("sc_content_type", json!("text/html")),
            ("sc_content_len", Value::Null),
            ("sc_range_start", Value::Null),
            ("sc_range_end", Value::Null),
            ("cs_uri_stem", json!("/en(test)")),
            ("cs_cookie", json!("cookie")),
            ("c_port", json!(50294)),
        ],
        "elastic line 14",
    );
    // The same user agent, logged with a `User-Agent: ` prefix, keeps it when decoded.
    assert_eq!(
        decoded.rows[11]["cs_user_agent"],
        json!("User-Agent: Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1; 360SE)")
    );
}

/// dpetzold/aws-log-parser: four header-less 24-field `.csv` lines (AWS's 2014 example) and a
/// 33-field file with a header, plain and gzip.
#[test]
fn dpetzold_aws_log_parser() {
    let Some(dir) = corpus_dir() else { return };
    let csv = |name: &str| {
        let file = format!("dpetzold__aws-log-parser/test/data/{name}");
        let builder = standard()
            .with_fields(legacy(24))
            .with_percent_decoding(["cs_user_agent", "cs_cookie"]);
        let parsed = parse_valid(&dir, &file, builder, 1, 0);
        assert_eq!(parsed.columns(), legacy_columns(24), "{file}");
        parsed.rows.into_iter().next().unwrap()
    };

    let entry = csv("cloudfront_entry.csv");
    check(
        &entry,
        &[
            ("timestamp", json!(iso_ms("2014-05-23T01:13:11Z"))),
            ("x_edge_location", json!("FRA2")),
            ("sc_bytes", json!(182)),
            ("c_ip", json!("192.0.2.10")),
            ("cs_method", json!("GET")),
            ("cs_host", json!("d111111abcdef8.cloudfront.net")),
            ("cs_uri_stem", json!("/view/my/file.html")),
            ("sc_status", json!(200)),
            ("cs_referer", json!("www.displaymyfiles.com")),
            (
                "cs_user_agent",
                json!("Mozilla/4.0 (compatible; MSIE 5.0b1; Mac_PowerPC)"),
            ),
            ("cs_uri_query", Value::Null),
            // The peer parses the cookie into {"zip": "98101"}; we keep the text.
            ("cs_cookie", json!("zip=98101")),
            ("x_edge_result_type", json!("RefreshHit")),
            ("x_host_header", json!("d111111abcdef8.cloudfront.net")),
            ("cs_protocol", json!("http")),
            // received_bytes None.
            ("cs_bytes", Value::Null),
            ("time_taken", json!(0.001)),
            ("x_forwarded_for", Value::Null),
            ("ssl_protocol", Value::Null),
            ("ssl_cipher", Value::Null),
            ("x_edge_response_result_type", json!("RefreshHit")),
            ("cs_protocol_version", json!("HTTP/1.1")),
        ],
        "dpetzold cloudfront_entry.csv",
    );
    let id = entry["x_edge_request_id"].as_str().unwrap();
    assert!(
        id.starts_with("MRVMF7Ky") && id.ends_with("EXAMPLE=="),
        "{id}"
    );

    let entry2 = csv("cloudfront_entry2.csv");
    check(
        &entry2,
        &[
            ("timestamp", json!(iso_ms("2014-05-23T01:13:12Z"))),
            ("x_edge_location", json!("LAX1")),
            ("sc_bytes", json!(2390282)),
            ("c_ip", json!("192.0.2.202")),
            ("cs_uri_stem", json!("/soundtrack/happy.mp3")),
            ("sc_status", json!(304)),
            ("cs_referer", json!("www.unknownsingers.com")),
            // The peer parses it into {"a": ["b"], "c": ["d"]}.
            ("cs_uri_query", json!("a=b&c=d")),
            ("x_edge_result_type", json!("Hit")),
            ("time_taken", json!(0.002)),
            (
                "cs_user_agent",
                json!("Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)"),
            ),
        ],
        "dpetzold cloudfront_entry2.csv",
    );

    // A cookie without `=` is {} for the peer; the text is kept here.
    let broken = csv("cloudfront_entry_broken_cookie.csv");
    assert_eq!(broken["cs_cookie"], json!("zip 98101"));
    // The peer decodes the cookie name: {"this zip": "98101"}.
    let encoded = csv("cloudfront_entry_cookie_with_encoding.csv");
    assert_eq!(encoded["cs_cookie"], json!("this zip=98101"));
    // Apart from the cookie, the three variants are the same record.
    for other in [&broken, &encoded] {
        for (column, value) in &entry {
            if column != "cs_cookie" {
                assert_eq!(&other[column], value, "{column}");
            }
        }
    }

    // Without a #Fields: line and without a field list, the layout is unknown: an error, not a
    // guess.
    let bytes = read_bytes(
        &dir,
        "dpetzold__aws-log-parser/test/data/cloudfront_entry.csv",
    );
    for builder in [ReaderBuilder::auto(), standard()] {
        let err = builder.build(&bytes[..]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidHeader, "{err}");
    }

    // The peer reads 8 raw lines and yields 6 entries, skipping the 2 headers.
    let file = "dpetzold__aws-log-parser/test/data/cloudfront-multiple.log";
    let plain = parse_valid(&dir, file, ReaderBuilder::auto(), 6, 2);
    assert_eq!(plain.stats.lines, 8);
    assert!(!plain.gzip);
    assert_eq!(plain.columns(), legacy_columns(33));
    let clients: Vec<&Value> = plain.rows.iter().map(|r| &r["c_ip"]).collect();
    assert_eq!(
        clients,
        [
            "128.92.136.19",
            "128.92.136.19",
            "128.92.136.19",
            "192.0.2.200",
            "192.0.2.200",
            "192.0.2.200"
        ]
    );
    let gz = parse_valid(&dir, &format!("{file}.gz"), ReaderBuilder::auto(), 6, 2);
    assert!(gz.gzip);
    assert_eq!(gz.format, Format::CloudFrontStandard);
    assert_eq!(gz.stats, plain.stats);
    assert_eq!(gz.rows, plain.rows);
}

/// claygregory/node-cloudfront-log-parser: the 24-field and 33-field web fixtures (double-encoded
/// user agents, a TAB-separated header, a trailing TAB) and the real-time record given a
/// hand-made W3C header.
#[test]
fn claygregory_web_fixtures() {
    let Some(dir) = corpus_dir() else { return };
    let decoding = || ReaderBuilder::auto().with_percent_decoding(["cs_user_agent"]);

    let file = "claygregory__node-cloudfront-log-parser/test/fixtures/web-1-0.txt";
    let web = parse_valid(&dir, file, decoding(), 2, 2);
    // The peer's records have 24 keys; date and time are one column here.
    assert_eq!(web.columns(), legacy_columns(24));
    // Decoded twice by the peer: %2520 → %20 → space.
    let iphone = json!(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 10_2_1 like Mac OS X) AppleWebKit/602.4.6 (KHTML, like Gecko) Version/10.0 Mobile/14D27 Safari/602.1"
    );
    check(
        &web.rows[0],
        &[
            ("timestamp", json!(iso_ms("2014-05-23T01:13:11Z"))),
            ("x_edge_location", json!("FRA2")),
            ("cs_uri_stem", json!("/view/my/file.html")),
            ("x_edge_response_result_type", json!("RefreshHit")),
            ("cs_user_agent", iphone.clone()),
        ],
        "claygregory web-1-0 record 0",
    );
    check(
        &web.rows[1],
        &[
            ("timestamp", json!(iso_ms("2014-05-23T01:13:12Z"))),
            ("x_edge_location", json!("LAX1")),
            ("cs_uri_stem", json!("/soundtrack/happy.mp3")),
            ("cs_user_agent", iphone),
        ],
        "claygregory web-1-0 record 1",
    );
    // As logged without decoding.
    let logged = parse_valid(&dir, file, ReaderBuilder::auto(), 2, 2);
    let ua = logged.rows[0]["cs_user_agent"].as_str().unwrap();
    assert!(ua.starts_with("Mozilla/5.0%2520(iPhone;%2520CPU"), "{ua}");

    let file = "claygregory__node-cloudfront-log-parser/test/fixtures/web-1-0-2019-12.txt";
    let web = parse_valid(&dir, file, decoding(), 3, 2);
    // `#Version:\t1.0` and `#Fields:\tdate\ttime...`: the TAB-separated header names the 33
    // fields; the last line ends with a TAB (a 34th, empty field) and no newline.
    assert_eq!(web.columns(), legacy_columns(33));
    assert_eq!(web.stats.lines, 5);
    // The peer keeps strings ("78"); numbers are typed here.
    check(
        &web.rows[0],
        &[
            ("x_edge_detailed_result_type", json!("Hit")),
            ("sc_content_type", json!("text/html")),
            ("sc_content_len", json!(78)),
        ],
        "claygregory web-1-0-2019-12 record 0",
    );
    let chrome = json!(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36"
    );
    for (i, row) in web.rows.iter().enumerate() {
        let ctx = format!("claygregory web-1-0-2019-12 record {i}");
        check(
            row,
            &[
                ("timestamp", json!(iso_ms("2019-12-04T21:02:31Z"))),
                ("c_ip", json!("192.0.2.100")),
                ("cs_user_agent", chrome.clone()),
                ("c_port", json!(11040)),
                ("sc_range_start", Value::Null),
                ("sc_range_end", Value::Null),
            ],
            &ctx,
        );
    }
    // The trailing-TAB record is read like the others.
    check(
        &web.rows[2],
        &[
            ("time_taken", json!(0.001)),
            ("time_to_first_byte", json!(0.001)),
            (
                "x_edge_request_id",
                json!("f37nTMVvnKvV2ZSvEsivup_c2kZ7VXzYdjC-GUQZ5qNs-89BlWazbw=="),
            ),
        ],
        "claygregory web-1-0-2019-12 record 2 (trailing tab)",
    );
}

/// The 40 default real-time fields of claygregory's `kinesis-1-0.txt` header.
fn kinesis_names(text: &str) -> Vec<String> {
    let names = header_fields(text);
    assert_eq!(names.len(), 40);
    names
}

/// claygregory's real-time record: read as the peer does (a W3C log, thanks to its hand-made
/// header), and as a real-time record after stripping the `#` lines, with its 40 fields.
#[test]
fn claygregory_kinesis_realtime_record() {
    let Some(dir) = corpus_dir() else { return };
    let file = "claygregory__node-cloudfront-log-parser/test/fixtures/kinesis-1-0.txt";
    let bytes = read_bytes(&dir, file);
    let text = String::from_utf8(bytes.clone()).unwrap();
    let names = kinesis_names(&text);
    let firefox =
        json!("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:83.0) Gecko/20100101 Firefox/83.0");

    // 1. With its header, as a standard log (detected from `#Version:`).
    let w3c = read(
        ReaderBuilder::auto().with_percent_decoding(["cs_user_agent"]),
        &bytes,
        file,
    );
    expect_valid(&w3c, file, 1, 2);
    assert_eq!(w3c.format, Format::CloudFrontStandard);
    let w3c_columns: Vec<String> = names.iter().map(|n| column_name(n)).collect();
    assert_eq!(w3c.columns(), w3c_columns);
    // The peer keeps every value a string ("1607374321.541", "0.042", "200").
    check(
        &w3c.rows[0],
        &[
            ("timestamp", json!(1_607_374_321_541_i64)),
            ("c_ip", json!("127.0.0.1")),
            ("time_to_first_byte", json!(0.042)),
            ("sc_status", json!(200)),
            ("cs_user_agent", firefox.clone()),
        ],
        "kinesis as W3C",
    );

    // 2. As a real-time record: no header, the configuration's field list.
    let record: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        Format::detect(record.as_bytes()).unwrap(),
        Format::CloudFrontRealtime
    );
    let fields = FieldList::realtime(&names.join(",")).unwrap();
    // The default list is already in canonical order.
    assert_eq!(fields.aws_names().collect::<Vec<_>>(), names);
    let builder = ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(fields.clone());
    let rt = read(builder, record.as_bytes(), "kinesis real-time");
    expect_valid(&rt, "kinesis real-time", 1, 0);
    assert_eq!(rt.columns(), w3c_columns);
    let row = &rt.rows[0];
    check(
        row,
        &[
            ("timestamp", json!(1_607_374_321_541_i64)),
            ("c_ip", json!("127.0.0.1")),
            ("time_to_first_byte", json!(0.042)),
            ("sc_status", json!(200)),
            ("sc_bytes", json!(485)),
            ("cs_method", json!("GET")),
            ("cs_protocol", json!("http")),
            ("cs_host", json!("test.cloudfront.net")),
            ("cs_bytes", json!(745)),
            ("x_edge_location", json!("EWR52-C4")),
            ("x_host_header", json!("test.cloudfront.net")),
            ("time_taken", json!(0.042)),
            ("cs_protocol_version", json!("HTTP/1.1")),
            ("c_ip_version", json!("IPv4")),
            ("cs_referer", json!("http://localhost:5000/page-2")),
            ("cs_cookie", Value::Null),
            ("x_edge_response_result_type", json!("Miss")),
            ("x_forwarded_for", Value::Null),
            ("ssl_protocol", Value::Null),
            ("ssl_cipher", Value::Null),
            ("x_edge_result_type", json!("Miss")),
            ("fle_encrypted_fields", Value::Null),
            ("fle_status", Value::Null),
            ("sc_content_type", json!("image/gif")),
            ("sc_content_len", json!(35)),
            ("sc_range_start", Value::Null),
            ("sc_range_end", Value::Null),
            ("c_port", json!(49323)),
            ("x_edge_detailed_result_type", json!("Miss")),
            ("c_country", json!("US")),
            ("cs_accept_encoding", json!("gzip,%20deflate")),
            ("cs_accept", json!("image/webp,*/*")),
            ("cache_behavior_path_pattern", json!("*")),
            // Int32 in real-time logs (no such typed field in standard logs).
            ("cs_headers_count", json!(8)),
        ],
        "kinesis real-time",
    );
    // Real-time cs-uri-stem carries the query string that cs-uri-query repeats.
    let stem = row["cs_uri_stem"].as_str().unwrap();
    let query = row["cs_uri_query"].as_str().unwrap();
    assert_eq!(stem, format!("/i?{query}"));
    assert!(query.starts_with("stm=1607374321563&e=pp&url=http%253A%252F%252Flocalhost"));
    assert!(stem.len() > 450, "{}", stem.len());
    // cs-headers: Name:Value pairs joined (and ended) by %0A, as logged.
    let headers = row["cs_headers"].as_str().unwrap();
    assert!(headers.starts_with("Host:test.cloudfront.net%0AUser-Agent:Mozilla/5.0%20("));
    assert!(headers.ends_with("%0A"));
    assert_eq!(headers.matches("%0A").count(), 8);
    assert_eq!(
        row["cs_header_names"]
            .as_str()
            .unwrap()
            .matches("%0A")
            .count(),
        8
    );

    // Both readings agree wherever both have the column with the same type.
    for (column, value) in row {
        if column != "cs_headers_count" && column != "cs_user_agent" {
            assert_eq!(&w3c.rows[0][column], value, "{column}: W3C vs real-time");
        }
    }
    // The W3C reading has no typed cs-headers-count: text.
    assert_eq!(w3c.rows[0]["cs_headers_count"], json!("8"));

    // Decoding: once, so the double-encoded query keeps one level (%253A → %3A); only the
    // legacy %2520/%2522/%255C are undone twice. The user agent matches the peer's.
    let builder = ReaderBuilder::new(Format::CloudFrontRealtime)
        .with_fields(fields)
        .with_percent_decoding([
            "cs_user_agent",
            "cs_uri_query",
            "cs_accept_encoding",
            "cs_headers",
        ]);
    let dec = read(builder, record.as_bytes(), "kinesis real-time decoded");
    expect_valid(&dec, "kinesis real-time decoded", 1, 0);
    let row = &dec.rows[0];
    assert_eq!(row["cs_user_agent"], firefox);
    assert_eq!(row["cs_accept_encoding"], json!("gzip, deflate"));
    let query = row["cs_uri_query"].as_str().unwrap();
    assert!(
        query.contains("&url=http%3A%2F%2Flocalhost%3A5000%2Fpage-2&"),
        "{query}"
    );
    assert!(query.contains("&tz=America%2FNew_York&"), "{query}");
    let headers = row["cs_headers"].as_str().unwrap();
    assert_eq!(headers.lines().count(), 8);
    assert!(headers.contains("\nDNT:1\n"), "{headers}");
}

/// asaaki/cloudfront-logs (Rust): the AWS docs example with its header and a header-less line.
#[test]
fn asaaki_cloudfront_logs() {
    let Some(dir) = corpus_dir() else { return };
    // The peer rejects the two `#` lines and keeps 6 rows; `#` lines are skipped here.
    let docs = parse_valid(
        &dir,
        "asaaki__cloudfront-logs/AWS_DOCS_EXAMPLE.extracted.log",
        ReaderBuilder::auto(),
        6,
        2,
    );
    assert_eq!(docs.columns(), legacy_columns(33));
    let xff: Vec<&Value> = docs.rows.iter().map(|r| &r["x_forwarded_for"]).collect();
    assert_eq!(
        xff,
        [
            &Value::Null,
            &json!("1.2.3.4, 5.6.7.8, 9.10.11.12"),
            // The raw string keeps CloudFront's escaped space `\x20` as four characters; the
            // peer's XFF parser reads it as a separator, we keep the text.
            &json!("24.62.90.247,\\x2010.89.113.224, 10.89.112.141"),
            &Value::Null,
            &Value::Null,
            &Value::Null,
        ]
    );

    let single = parse_valid(
        &dir,
        "asaaki__cloudfront-logs/SINGLE_LOG_LINE.extracted.log",
        standard().with_fields(legacy(33)),
        1,
        0,
    );
    let row = &single.rows[0];
    check(
        row,
        &[
            ("timestamp", json!(iso_ms("2019-12-04T21:02:31Z"))),
            ("sc_bytes", json!(392)),
            ("c_ip", json!("192.0.2.100")),
            ("sc_content_len", json!(78)),
            // Duration 1 ms for the peer.
            ("time_taken", json!(0.001)),
            ("cs_protocol", json!("https")),
            ("x_forwarded_for", json!("1.2.3.4, 5.6.7.8, 9.10.11.12")),
        ],
        "asaaki SINGLE_LOG_LINE",
    );
    // It is the docs example's first line with an X-Forwarded-For list.
    for (column, value) in row {
        if column != "x_forwarded_for" {
            assert_eq!(&docs.rows[0][column], value, "{column}");
        }
    }
}

/// logstash-plugins/logstash-patterns-core: a 2016 line of 23 fields (stops before
/// cs-protocol-version) and the 33-field docs line, both without header.
#[test]
fn logstash_patterns_core_lines() {
    let Some(dir) = corpus_dir() else { return };
    let parsed = parse_valid(
        &dir,
        "logstash-plugins__logstash-patterns-core/cloudfront_access_log.extracted.log",
        standard().with_fields(legacy(33)),
        2,
        0,
    );
    let rows = &parsed.rows;
    check(
        &rows[0],
        &[
            ("timestamp", json!(iso_ms("2016-06-10T18:41:39Z"))),
            ("x_edge_location", json!("IAD53")),
            // destination.bytes / source.bytes.
            ("sc_bytes", json!(224281)),
            ("cs_bytes", json!(883)),
            ("time_taken", json!(0.036)),
            ("x_edge_response_result_type", json!("RefreshHit")),
            // Legacy grok keeps "-"; null here.
            ("cs_uri_query", Value::Null),
            ("cs_cookie", Value::Null),
            ("ssl_protocol", json!("TLSv1.2")),
        ],
        "patterns-core line 1",
    );
    // Asserted verbatim by the peer (no decoding): double-encoded.
    let ua = rows[0]["cs_user_agent"].as_str().unwrap();
    assert!(
        ua.starts_with("Mozilla/5.0%2520(Windows%2520NT%25206.1;%2520WOW64)"),
        "{ua}"
    );
    // A short row: the fields it lacks are null.
    for column in &legacy_columns(33)[22..] {
        assert_eq!(
            rows[0][column],
            Value::Null,
            "patterns-core line 1: {column}"
        );
    }
    check(
        &rows[1],
        &[
            ("cs_protocol_version", json!("HTTP/2.0")),
            ("c_port", json!(11040)),
            ("time_to_first_byte", json!(0.001)),
            ("x_edge_detailed_result_type", json!("Hit")),
            ("sc_content_type", json!("text/html")),
            // http.request.size in the peer's ECS mapping.
            ("sc_content_len", json!(78)),
            // The peer's legacy mode documents a bug putting "text/html" here.
            ("x_forwarded_for", Value::Null),
            ("timestamp", json!(iso_ms("2019-12-04T21:02:31Z"))),
        ],
        "patterns-core line 2",
    );
}

/// aws-solutions/centralized-logging-with-opensearch: the log-processor file (no final newline)
/// and the synthetic, deliberately non-conformant microbatch gzip.
#[test]
fn centralized_logging_files() {
    let Some(dir) = corpus_dir() else { return };
    // The peer reads 4 lines and parses 2 records, headers skipped.
    let file =
        "aws-solutions__centralized-logging-with-opensearch/log-processor-datafile/cloudfront.log";
    let parsed = parse_valid(&dir, file, ReaderBuilder::auto(), 2, 2);
    assert_eq!(parsed.stats.lines, 4);
    assert!(parsed.columns().contains(&"c_ip".to_string()));
    let rows = &parsed.rows;
    for (row, (time, taken, cs_bytes)) in rows.iter().zip([
        ("2022-03-24T22:14:09Z", 0.834, 488),
        ("2022-03-24T22:14:13Z", 1.044, 82),
    ]) {
        check(
            row,
            &[
                ("timestamp", json!(iso_ms(time))),
                ("x_edge_location", json!("HKG54-C1")),
                ("c_ip", json!("13.248.48.10")),
                ("sc_status", json!(200)),
                ("x_edge_result_type", json!("Error")),
                ("time_taken", json!(taken)),
                ("time_to_first_byte", json!(taken)),
                ("cs_bytes", json!(cs_bytes)),
                ("c_port", json!(23245)),
                ("sc_content_type", Value::Null),
                ("sc_content_len", Value::Null),
            ],
            "centralized-logging log-processor",
        );
    }
    // The line without a final newline is complete.
    assert_eq!(
        rows[1]["sc_range_end"],
        Value::Null,
        "last field of the unterminated line"
    );
    assert_eq!(
        rows[1]["x_edge_request_id"],
        json!("TJkGc5B9Orpx7bvKP0rVtHo5YPe8YHVnfu87I7cxhD5n5F9578Ur1A==")
    );

    // Synthetic microbatch data: fle-encrypted-fields is ` -` (leading space) and
    // sc-content-len fractional (`570129.7648412298`). The peer only moves the text; typed
    // columns here cannot hold either, so both lines are rejected (nothing lost: line number,
    // field and raw bytes), naming the first bad field.
    let file =
        "aws-solutions__centralized-logging-with-opensearch/microbatch-data/cloudfront.log.gz";
    let bytes = read_bytes(&dir, file);
    let micro = read(ReaderBuilder::auto(), &bytes, file);
    assert!(micro.gzip);
    assert_eq!(micro.format, Format::CloudFrontStandard);
    assert_eq!(micro.stats.comment_lines, 2);
    assert_eq!(micro.stats.lines, 4);
    assert_eq!(micro.rows.len(), 0);
    let got: Vec<(u64, Option<&str>, ErrorKind)> = micro
        .rejects
        .iter()
        .map(|r| (r.line(), r.field(), r.kind()))
        .collect();
    assert_eq!(
        got,
        [
            (3, Some("fle_encrypted_fields"), ErrorKind::InvalidInteger),
            (4, Some("fle_encrypted_fields"), ErrorKind::InvalidInteger),
        ],
        "{:#?}",
        micro.rejects
    );
    assert!(
        micro.rejects[0]
            .raw()
            .starts_with(b"2023-07-04\t01:29:09\tICN54-C3\t")
    );

    // Everything else in those lines is readable: with the two odd fields read as text (a field
    // list of our own, so the `#` lines are dropped), both lines are rows.
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain).unwrap();
    let plain = String::from_utf8(plain).unwrap();
    let data: String = plain
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let names: Vec<&str> = LEGACY_FIELDS
        .iter()
        .map(|&f| match f {
            "fle-encrypted-fields" => "x-fle-encrypted-fields-text",
            "sc-content-len" => "x-sc-content-len-text",
            f => f,
        })
        .collect();
    let builder = standard().with_fields(FieldList::standard(&names.join(" ")).unwrap());
    let tolerant = read(builder, data.as_bytes(), "microbatch, odd fields as text");
    expect_valid(&tolerant, "microbatch, odd fields as text", 2, 0);
    check(
        &tolerant.rows[0],
        &[
            ("timestamp", json!(iso_ms("2023-07-04T01:29:09Z"))),
            // A user agent with raw spaces, not percent-encoded.
            (
                "cs_user_agent",
                json!(
                    "Mozilla/5.0 (iPad; CPU iPad OS 12_4_8 like Mac OS X) AppleWebKit/532.2 (KHTML, like Gecko) FxiOS/13.9n5321.0 Mobile/11T585 Safari/532.2"
                ),
            ),
            ("cs_protocol", json!("ws")),
            ("time_taken", json!(1.1000590226167435)),
            ("time_to_first_byte", json!(1.9329435721147732)),
            ("x_fle_encrypted_fields_text", json!(" -")),
            ("x_sc_content_len_text", json!("570129.7648412298")),
        ],
        "microbatch line 3",
    );
    assert_eq!(
        tolerant.rows[1]["x_edge_request_id"]
            .as_str()
            .unwrap()
            .len(),
        56
    );
}

/// matomo-org/matomo-log-analytics: the 26-field layout, double-encoded user agent.
#[test]
fn matomo_26_field_layout() {
    let Some(dir) = corpus_dir() else { return };
    let parsed = parse_valid(
        &dir,
        "matomo-org__matomo-log-analytics/tests/logs/amazon_cloudfront_web.log",
        ReaderBuilder::auto().with_percent_decoding(["cs_user_agent"]),
        1,
        2,
    );
    assert_eq!(parsed.columns(), legacy_columns(26));
    // lineno 2 for the peer (0-based, headers counted): the third line.
    assert_eq!(parsed.stats.lines, 3);
    let row = &parsed.rows[0];
    check(
        row,
        &[
            // Naive UTC for the peer.
            ("timestamp", json!(iso_ms("2014-05-23T01:13:11Z"))),
            ("sc_status", json!(200)),
            ("cs_referer", json!("https://example.com/")),
            ("c_ip", json!("192.0.2.10")),
            // query_string '' for the peer.
            ("cs_uri_query", Value::Null),
            ("cs_uri_stem", json!("/view/my/file.html")),
            // Decoded twice by the peer; %2520 is undone here too.
            (
                "cs_user_agent",
                json!(
                    "Mozilla/5.0 (Windows; U; Windows NT 6.1; de-DE) AppleWebKit/534.17 (KHTML, like Gecko) Chrome/10.0.649.0 Safari/534.17"
                ),
            ),
            ("fle_status", Value::Null),
            ("fle_encrypted_fields", Value::Null),
        ],
        "matomo",
    );
    // generation_time_milli 1.0.
    assert_eq!(row["time_taken"].as_f64().unwrap() * 1000.0, 1.0);
}

/// RTMP distribution logs (claygregory, matomo) are another format, out of scope: they must not
/// panic, and every line is accounted for. claygregory's is a W3C log with tabs, so it happens
/// to read as one, with the values the peer asserts.
#[test]
fn rtmp_logs_do_not_panic() {
    let Some(dir) = corpus_dir() else { return };
    for (file, lines) in [
        (
            "claygregory__node-cloudfront-log-parser/test/fixtures/rtmp-1-0.txt",
            8,
        ),
        (
            "matomo-org__matomo-log-analytics/tests/logs/amazon_cloudfront_rtmp.log",
            4,
        ),
    ] {
        let bytes = read_bytes(&dir, file);
        for builder in [ReaderBuilder::auto(), standard()] {
            // A build error would be acceptable; a panic would not.
            match builder.clone().build(&bytes[..]) {
                Err(e) => eprintln!("{file}: {e}"),
                Ok(_) => {
                    let parsed = read(builder, &bytes, file);
                    assert_eq!(parsed.stats.lines, lines, "{file}");
                    assert_eq!(parsed.stats.comment_lines, 2, "{file}");
                }
            }
        }
    }

    let rtmp = parse_valid(
        &dir,
        "claygregory__node-cloudfront-log-parser/test/fixtures/rtmp-1-0.txt",
        ReaderBuilder::auto(),
        6,
        2,
    );
    // Unknown fields are text columns; the header's U+200B after x-page-url stays in the name,
    // and the one ending every cs-uri-stem in the value.
    assert!(rtmp.columns().contains(&"x_page_url\u{200b}".to_string()));
    assert!(
        rtmp.rows
            .iter()
            .all(|r| r["cs_uri_stem"]
                == json!("rtmp://shqshne4jdp4b6.cloudfront.net/cfx/st\u{200b}"))
    );
    check(
        &rtmp.rows[0],
        &[
            ("timestamp", json!(iso_ms("2010-03-12T23:51:20Z"))),
            ("x_event", json!("connect")),
            ("sc_bytes", json!(2014)),
        ],
        "rtmp record 0",
    );
    check(
        &rtmp.rows[1],
        &[("x_sname", json!("myvideo")), ("x_file_ext", json!("flv"))],
        "rtmp record 1",
    );
    check(&rtmp.rows[4], &[("x_sid", json!("2"))], "rtmp record 4");
    check(
        &rtmp.rows[5],
        &[("x_event", json!("disconnect")), ("x_sid", Value::Null)],
        "rtmp record 5",
    );
}

/// matomo's RTMP log separates fields with three spaces, not tabs: each data line is one field,
/// the `date` of a date+time pair whose `time` is missing. That must not become a row of nulls
/// (the line's content would be lost without a reject): the date is not a date.
#[test]
fn lines_without_tabs_are_not_rows_of_nulls() {
    let Some(dir) = corpus_dir() else { return };
    let file = "matomo-org__matomo-log-analytics/tests/logs/amazon_cloudfront_rtmp.log";
    let parsed = parse(&dir, file, ReaderBuilder::auto());
    let empty = parsed
        .rows
        .iter()
        .filter(|r| r.values().all(Value::is_null))
        .count();
    assert_eq!(empty, 0, "{file}: rows of nulls");
    assert_eq!(parsed.stats.rejected, 2, "{file}");
    // The date that is not a date (or, for a valid date, the missing time field).
    for reject in &parsed.rejects {
        assert!(
            matches!(
                reject.kind(),
                ErrorKind::InvalidTimestamp | ErrorKind::MissingField
            ),
            "{}",
            reject.error()
        );
    }
}
