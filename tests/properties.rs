//! Property tests: generated records rendered to a line parse back to the same values, and any
//! bytes decode without panicking while keeping `rows + rejected + blank_lines == lines`.

mod common;

use aws_access_logs::{Format, ReaderBuilder};
use common::{all_rows, decode_chunked};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// A generated S3 access log record: the text of each field as it will be written, and the
/// value expected back.
#[derive(Debug, Clone)]
struct Generated {
    words: Vec<String>,
    expected: Map<String, Value>,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    // Counted day by day from 1970 (slow but obviously right; the crate uses a closed form).
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = |y: i64, m: i64| match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let mut days = 0;
    if y >= 1970 {
        for year in 1970..y {
            days += if leap(year) { 366 } else { 365 };
        }
    } else {
        for year in y..1970 {
            days -= if leap(year) { 366 } else { 365 };
        }
    }
    for month in 1..m {
        days += month_days(y, month);
    }
    days + d - 1
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn time() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        1 => Just(("-".to_string(), Value::Null)),
        9 => (1990i64..2100, 1i64..=12, 1i64..=28, 0i64..24, 0i64..60, 0i64..60, any::<bool>(), 0i64..=14, prop::sample::select(vec![0i64, 30, 45]))
            .prop_map(|(y, mo, d, h, mi, s, east, oh, om)| {
                let sign = if east { '+' } else { '-' };
                let text = format!("[{d:02}/{}/{y}:{h:02}:{mi:02}:{s:02} {sign}{oh:02}{om:02}]", MONTHS[mo as usize - 1]);
                let local = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s;
                let offset = (oh * 3600 + om * 60) * if east { 1 } else { -1 };
                (text, json!((local - offset) * 1000))
            }),
    ]
}

/// A plain word (no spaces, no quotes) or `-`.
fn word(pattern: &'static str) -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        1 => Just(("-".to_string(), Value::Null)),
        6 => pattern.prop_map(|w| {
            let value = if w == "-" { Value::Null } else { json!(w) };
            (w, value)
        }),
    ]
}

fn number(max: u64) -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        1 => Just(("-".to_string(), Value::Null)),
        4 => (0..=max).prop_map(|n| (n.to_string(), json!(n))),
    ]
}

fn requester() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        Just(("-".to_string(), Value::Null)),
        "[0-9a-f]{64}".prop_map(|w| (w.clone(), json!(w))),
        "arn:aws:iam::[0-9]{12}:user/[a-z]{1,10}".prop_map(|w| (w.clone(), json!(w))),
        "E[0-9A-Z]{6,13}".prop_map(|id| {
            let w = format!("arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {id}");
            (w.clone(), json!(w))
        }),
    ]
}

fn operation() -> impl Strategy<Value = (String, Value)> {
    prop::sample::select(vec![
        "REST.GET.OBJECT",
        "REST.PUT.OBJECT",
        "REST.HEAD.OBJECT",
        "REST.COPY.OBJECT_GET",
        "BATCH.DELETE.OBJECT",
        "S3.EXPIRE.OBJECT",
        "WEBSITE.GET.OBJECT",
        "SOAP.PUT.OBJECT",
        "REST.PUT.BUCKET.OWNERSHIP_CONTROLS",
        "-",
    ])
    .prop_map(|w| (w.to_string(), if w == "-" { Value::Null } else { json!(w) }))
}

/// A quoted field: bare `-` (null), `"-"` (null) or `"content"`.
fn quoted(content: BoxedStrategy<String>) -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        1 => Just(("-".to_string(), Value::Null)),
        1 => Just(("\"-\"".to_string(), Value::Null)),
        6 => content.prop_map(|c| (format!("\"{c}\""), json!(c))),
    ]
}

/// Quotes around a value's text: none, one or two at either end (a value may start or end in
/// literal quotes).
fn with_edge_quotes(text: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (0usize..=2, text, 0usize..=2)
        .prop_map(|(before, text, after)| {
            format!("{}{text}{}", "\"".repeat(before), "\"".repeat(after))
        })
        .boxed()
}

fn request_uri_content() -> BoxedStrategy<String> {
    prop_oneof![
        3 => (
            "(GET|PUT|HEAD|POST|DELETE)",
            "/[a-zA-Z0-9/?=&%.\"é_-]{0,40}",
            "HTTP/1\\.[01]\"{0,2}",
        )
            .prop_map(|(m, p, v)| format!("{m} {p} {v}")),
        1 => with_edge_quotes("[a-zA-Z0-9/?=&%. \"é_-]{0,40}".boxed()),
    ]
    .prop_filter("not a null", |c| c != "-")
    .boxed()
}

fn referer_content() -> BoxedStrategy<String> {
    with_edge_quotes("[a-zA-Z0-9:/?=&%. \"()-]{0,40}".boxed())
        .prop_filter("not a null", |c| c != "-")
        .boxed()
}

fn user_agent_content() -> BoxedStrategy<String> {
    with_edge_quotes("[a-zA-Z0-9/;:,.() \"#ü-]{0,60}".boxed())
        .prop_filter("not a null", |c| c != "-")
        .boxed()
}

/// Referer and User-Agent, as S3 writes them: a quoted Referer comes with a quoted User-Agent
/// (`"-"` when there is none); after a bare `-` Referer the User-Agent is quoted or bare `-`.
fn referer_and_user_agent() -> impl Strategy<Value = ((String, Value), (String, Value))> {
    let quoted_user_agent = prop_oneof![
        1 => Just(("\"-\"".to_string(), Value::Null)),
        6 => user_agent_content().prop_map(|c| (format!("\"{c}\""), json!(c))),
    ];
    prop_oneof![
        1 => quoted(user_agent_content()).prop_map(|ua| (("-".to_string(), Value::Null), ua)),
        1 => quoted_user_agent.clone().prop_map(|ua| (("\"-\"".to_string(), Value::Null), ua)),
        6 => (referer_content(), quoted_user_agent)
            .prop_map(|(r, ua)| ((format!("\"{r}\""), json!(r)), ua)),
    ]
}

fn tail() -> impl Strategy<Value = (Vec<(String, &'static str, Value)>, Option<String>)> {
    let known = (
        word("[A-Za-z0-9._]{1,32}"),
        word("[A-Za-z0-9+/]{20,96}="),
        prop::sample::select(vec!["SigV2", "SigV4", "-"]),
        word("[A-Z0-9_-]{6,30}"),
        prop::sample::select(vec!["AuthHeader", "QueryString", "-"]),
        word("[a-z0-9.-]{3,40}"),
        word("TLS[vV]1\\.[0-3]"),
        word("arn:aws:s3:[a-z0-9-]{5,12}:[0-9]{12}:accesspoint/[a-z-]{1,10}"),
        prop::sample::select(vec!["Yes", "-"]),
        word("[a-z]{2}-[a-z]{4,9}-[1-3]"),
    );
    (
        known,
        0usize..=10,
        prop::collection::vec("[a-z0-9=-]{1,8}", 0..3),
    )
        .prop_map(
            |((v, h, sig, c, auth, host, tls, arn, acl, region), count, extra)| {
                let text = |s: &str| if s == "-" { Value::Null } else { json!(s) };
                let all = vec![
                    (v.0, "version_id", v.1),
                    (h.0, "host_id", h.1),
                    (sig.to_string(), "signature_version", text(sig)),
                    (c.0, "cipher_suite", c.1),
                    (auth.to_string(), "authentication_type", text(auth)),
                    (host.0, "host_header", host.1),
                    (tls.0, "tls_version", tls.1),
                    (arn.0, "access_point_arn", arn.1),
                    (acl.to_string(), "acl_required", json!(acl == "Yes")),
                    (region.0, "source_region", region.1),
                ];
                let fields: Vec<_> = all.into_iter().take(count).collect();
                // Unknown words only after the full known set.
                let trailing = (count == 10 && !extra.is_empty()).then(|| extra.join(" "));
                (fields, trailing)
            },
        )
}

fn record() -> impl Strategy<Value = Generated> {
    (
        (
            word("[0-9a-f]{64}"),
            word("[a-z0-9][a-z0-9.-]{2,20}"),
            time(),
            word("(192\\.0\\.2\\.[0-9]{1,3}|2001:db8::[0-9a-f]{1,4})"),
            requester(),
            word("([A-Z0-9]{16}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"),
            operation(),
            word("[a-zA-Z0-9/_.%+\"-]{1,30}"),
        ),
        (
            quoted(request_uri_content()),
            number(999),
            word("[A-Za-z]{3,20}"),
            number(i64::MAX as u64),
            number(i64::MAX as u64),
            number(i32::MAX as u64),
            number(i32::MAX as u64),
            referer_and_user_agent(),
        ),
        tail(),
    )
        .prop_map(|(a, b, (tail, trailing))| {
            let names_a = [
                "bucket_owner",
                "bucket",
                "time",
                "remote_ip",
                "requester",
                "request_id",
                "operation",
                "key",
            ];
            let names_b = [
                "request_uri",
                "http_status",
                "error_code",
                "bytes_sent",
                "object_size",
                "total_time_ms",
                "turn_around_time_ms",
                "referer",
                "user_agent",
            ];
            let (a0, a1, a2, a3, a4, a5, a6, a7) = a;
            let (b0, b1, b2, b3, b4, b5, b6, (b7, b8)) = b;
            let mut words = Vec::new();
            let mut expected = Map::new();
            for (name, (text, value)) in names_a
                .iter()
                .zip([a0, a1, a2, a3, a4, a5, a6, a7])
                .chain(names_b.iter().zip([b0, b1, b2, b3, b4, b5, b6, b7, b8]))
            {
                words.push(text);
                let value = if *name == "bytes_sent" && value.is_null() {
                    json!(0)
                } else {
                    value
                };
                expected.insert(name.to_string(), value);
            }
            for (text, name, value) in tail {
                words.push(text);
                expected.insert(name.to_string(), value);
            }
            for name in [
                "version_id",
                "host_id",
                "signature_version",
                "cipher_suite",
                "authentication_type",
                "host_header",
                "tls_version",
                "access_point_arn",
                "acl_required",
                "source_region",
            ] {
                expected.entry(name).or_insert(Value::Null);
            }
            if let Some(t) = &trailing {
                words.push(t.clone());
            }
            expected.insert(
                "trailing_fields".into(),
                trailing.map_or(Value::Null, |t| json!(t)),
            );
            Generated { words, expected }
        })
}

fn parse_lines(input: &[u8]) -> (Vec<Map<String, Value>>, Vec<aws_access_logs::Reject>) {
    let mut reader = ReaderBuilder::new(Format::S3).build(input).unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    (all_rows(&batches), reader.take_rejects())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Quoted values with quotes anywhere (start, middle, end, doubled) parse back exactly. The
    /// only line that may be rejected is one that two readings split, as ambiguous, which needs
    /// a value holding a quote next to a space (such as `a" "b`).
    #[test]
    fn rendered_records_parse_back(records in prop::collection::vec(record(), 1..8)) {
        let mut input = String::new();
        for r in &records {
            input.push_str(&r.words.join(" "));
            input.push('\n');
        }
        let (rows, rejects) = parse_lines(input.as_bytes());
        let mut rows = rows.iter();
        let mut rejects = rejects.iter().peekable();
        for (i, r) in records.iter().enumerate() {
            let line = r.words.join(" ");
            if let Some(reject) = rejects.next_if(|j| j.line() == i as u64 + 1) {
                let err = reject.error();
                prop_assert_eq!(err.kind(), aws_access_logs::ErrorKind::InvalidQuoting, "{} {}", err, line);
                prop_assert!(err.detail().unwrap_or_default().starts_with("ambiguous"), "{} {}", err, line);
                let quote_space = ["request_uri", "referer", "user_agent"].iter().any(|f| {
                    r.expected[*f]
                        .as_str()
                        .is_some_and(|v| v.contains("\" ") || v.contains(" \""))
                });
                prop_assert!(quote_space, "ambiguous without a quote next to a space: {} {}", err, line);
                continue;
            }
            let row = rows.next();
            prop_assert_eq!(row, Some(&r.expected), "line: {}", line);
        }
        prop_assert!(rows.next().is_none());
        prop_assert!(rejects.next().is_none());
    }

    #[test]
    fn random_bytes_never_panic_and_balance(
        input in prop::collection::vec(
            prop_oneof![any::<u8>(), Just(b'\n'), Just(b' '), Just(b'"'), Just(b'-'), Just(b'[')],
            0..600,
        ),
        chunk in 1usize..64,
        batch in 1usize..5,
    ) {
        let (whole, whole_rejects, stats) = decode_chunked(&input, input.len().max(1), 8192);
        prop_assert_eq!(stats.rows + stats.rejected + stats.blank_lines, stats.lines);
        let lines = input.split(|&b| b == b'\n').count() as u64
            - u64::from(input.last().is_none_or(|&b| b == b'\n'));
        prop_assert_eq!(stats.lines, lines);
        let (split, split_rejects, split_stats) = decode_chunked(&input, chunk, batch);
        prop_assert_eq!(all_rows(&split), all_rows(&whole));
        prop_assert_eq!(split_rejects, whole_rejects);
        prop_assert_eq!(split_stats, stats);
    }

    #[test]
    fn mutated_valid_lines_never_panic(
        record in record(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut line = record.words.join(" ").into_bytes();
        for (index, byte) in edits {
            let i = index.index(line.len());
            line[i] = byte;
        }
        line.push(b'\n');
        let (_, _, stats) = decode_chunked(&line, 3, 2);
        prop_assert_eq!(stats.rows + stats.rejected + stats.blank_lines, stats.lines);
    }
}
