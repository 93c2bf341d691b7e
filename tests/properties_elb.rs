//! Property tests for the Elastic Load Balancing formats: random valid ALB, NLB, CLB and ALB
//! connection-log records (IPv4 and unbracketed IPv6 addresses, `-` and `"-"` nulls, quoted
//! values with spaces and `\xHH` escapes, every request-line shape, any field count from the
//! oldest era to the newest, unknown trailing fields) rendered as lines parse back to exactly
//! the generated values; any set of such lines decodes the same however it is chunked; and any
//! bytes decode without panicking, with `rows + rejected + blank_lines == lines`.

mod common;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Float64Type, Int16Type, Int32Type, Int64Type, TimeUnit, TimestampMicrosecondType,
};
use aws_access_logs::{Format, ReaderBuilder};
use common::{balanced, concat, decode_chunked_with};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Rows as JSON (timestamps as ISO text with microseconds).

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    // Counted month by month from 1970 (slow but plainly right; the crate uses a closed form).
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = |y: i64, m: i64| match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let mut days = 0;
    for year in 1970..y {
        days += if leap(year) { 366 } else { 365 };
    }
    for month in 1..m {
        days += month_days(y, month);
    }
    days + d - 1
}

/// Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (searching the day with
/// [`days_from_civil`], independent of the crate).
fn iso_us(us: i64) -> String {
    let days = us.div_euclid(86_400_000_000);
    let rem = us.rem_euclid(86_400_000_000);
    let mut y = 1970 + days / 366;
    while days_from_civil(y + 1, 1, 1) <= days {
        y += 1;
    }
    let mut m = 1;
    while m < 12 && days_from_civil(y, m + 1, 1) <= days {
        m += 1;
    }
    let d = days - days_from_civil(y, m, 1) + 1;
    let secs = rem / 1_000_000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        rem % 1_000_000
    )
}

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
        DataType::Timestamp(TimeUnit::Microsecond, _) => json!(iso_us(
            column.as_primitive::<TimestampMicrosecondType>().value(row)
        )),
        other => panic!("unexpected type {other}"),
    }
}

fn rows_of(batches: &[RecordBatch]) -> Vec<Map<String, Value>> {
    let mut out = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        for row in 0..batch.num_rows() {
            out.push(
                schema
                    .fields()
                    .iter()
                    .zip(batch.columns())
                    .map(|(f, c)| (f.name().clone(), value_at(c.as_ref(), row)))
                    .collect(),
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Field generators: a field's text as logged and the columns it fills.

type Field = (String, Vec<(&'static str, Value)>);

fn dash_null(s: &str) -> Value {
    if s == "-" { Value::Null } else { json!(s) }
}

/// A plain word from `pattern`, or (if `nullable`) a bare `-`.
fn word(column: &'static str, pattern: &'static str, nullable: bool) -> BoxedStrategy<Field> {
    let w = pattern
        .prop_filter("not a dash", |w| w != "-")
        .prop_map(move |w| (w.clone(), vec![(column, json!(w))]));
    if nullable {
        prop_oneof![1 => Just(("-".to_string(), vec![(column, Value::Null)])), 5 => w].boxed()
    } else {
        w.boxed()
    }
}

fn select(column: &'static str, values: &'static [&'static str]) -> BoxedStrategy<Field> {
    prop::sample::select(values)
        .prop_map(move |w| (w.to_string(), vec![(column, dash_null(w))]))
        .boxed()
}

fn int(column: &'static str, max: i64, nullable: bool) -> BoxedStrategy<Field> {
    let n = (0..=max).prop_map(move |n| (n.to_string(), vec![(column, json!(n))]));
    if nullable {
        prop_oneof![1 => Just(("-".to_string(), vec![(column, Value::Null)])), 5 => n].boxed()
    } else {
        n.boxed()
    }
}

/// A time: `YYYY-MM-DDTHH:MM:SS.ffffffZ`, or (NLB) `YYYY-MM-DDTHH:MM:SS`.
fn time(column: &'static str, nlb: bool) -> BoxedStrategy<Field> {
    (
        2000i64..2100,
        1i64..=12,
        1i64..=28,
        0i64..24,
        0i64..60,
        0i64..60,
        0i64..1_000_000,
    )
        .prop_map(move |(y, mo, d, h, mi, s, us)| {
            let base = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            let (text, us) = if nlb {
                (base.clone(), 0)
            } else {
                (format!("{base}.{us:06}Z"), us)
            };
            (text, vec![(column, json!(format!("{base}.{us:06}Z")))])
        })
        .boxed()
}

/// Seconds: `-1`, or digits with `decimals` fraction digits (CLB: 1 to 6, the last one not 0,
/// as CLB drops trailing zeros), or (if `nullable`) `-`.
fn seconds(column: &'static str, clb: bool, nullable: bool) -> BoxedStrategy<Field> {
    let digits = if clb {
        "[0-9]{0,5}[1-9]".boxed()
    } else {
        "[0-9]{3}".boxed()
    };
    let n = (0u32..100, digits).prop_map(move |(i, f)| {
        let text = format!("{i}.{f}");
        let v: f64 = text.parse().unwrap();
        (text, vec![(column, json!(v))])
    });
    let minus_one = Just(("-1".to_string(), vec![(column, json!(-1.0))]));
    if nullable {
        prop_oneof![
            1 => Just(("-".to_string(), vec![(column, Value::Null)])),
            1 => minus_one,
            5 => n,
        ]
        .boxed()
    } else {
        prop_oneof![1 => minus_one, 5 => n].boxed()
    }
}

/// An address: IPv4 or IPv6 (never bracketed, as AWS logs it).
fn ip() -> BoxedStrategy<String> {
    prop_oneof![
        "(192\\.0\\.2|198\\.51\\.100|203\\.0\\.113)\\.[0-9]{1,3}",
        "([0-9]{1,3}\\.){3}[0-9]{1,3}",
        "2001:db8(:[0-9a-f]{1,4}){0,2}::([0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4}",
        "([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}",
        Just("::1".to_string()),
        "::ffff:192\\.0\\.2\\.[0-9]{1,3}",
    ]
    .boxed()
}

/// `X:port` → `X_ip`, `X_port`; `-` (both null) if `nullable`.
fn endpoint(ip_col: &'static str, port_col: &'static str, nullable: bool) -> BoxedStrategy<Field> {
    let e = (ip(), 0u32..=65535).prop_map(move |(ip, port)| {
        (
            format!("{ip}:{port}"),
            vec![(ip_col, json!(ip)), (port_col, json!(port))],
        )
    });
    if nullable {
        prop_oneof![
            1 => Just(("-".to_string(), vec![(ip_col, Value::Null), (port_col, Value::Null)])),
            4 => e,
        ]
        .boxed()
    } else {
        e.boxed()
    }
}

/// Text for a quoted value: no `"` (ALB writes `\x22`), spaces anywhere, `\xHH` escapes,
/// some non-ASCII.
fn quoted_content() -> BoxedStrategy<String> {
    r"([a-zA-Z0-9 ;:/().,=+&?*_é-]|\\x[0-9a-fA-F]{2}){0,60}"
        .prop_filter("not a null", |c| c != "-")
        .boxed()
}

/// A quoted field: `"-"` (null), `""` (empty), `"content"`; a content without spaces may
/// also be written unquoted (doc examples before 2018-07 and 2021-12 did).
fn quoted(column: &'static str, content: BoxedStrategy<String>) -> BoxedStrategy<Field> {
    prop_oneof![
        1 => Just(("\"-\"".to_string(), vec![(column, Value::Null)])),
        1 => Just(("-".to_string(), vec![(column, Value::Null)])),
        8 => (content, any::<bool>()).prop_map(move |(c, bare)| {
            let bare = bare && !c.is_empty() && !c.contains(' ') && !c.starts_with('"');
            let text = if bare { c.clone() } else { format!("\"{c}\"") };
            // (`"-"` is null however the content was made.)
            (text, vec![(column, dash_null(&c))])
        }),
    ]
    .boxed()
}

/// A URL as logged in a request line: words (no quote), one or two spaces between them.
fn url() -> BoxedStrategy<String> {
    prop::collection::vec(
        (
            "[a-zA-Z0-9/:.?=&%+;*_-]{1,16}",
            prop::sample::select(vec![" ", "  "]),
        ),
        1..4,
    )
    .prop_map(|words| {
        let mut s = String::new();
        for (i, (w, sep)) in words.iter().enumerate() {
            if i > 0 {
                s.push_str(sep);
            }
            s.push_str(w);
        }
        s
    })
    .boxed()
}

/// The request line: whole in `request`, split into method, URL and version.
fn request() -> BoxedStrategy<Field> {
    let parts = |text: String, m: Option<&str>, u: Option<String>, v: Option<&str>| -> Field {
        let m = m.map_or(Value::Null, dash_null);
        let u = u.map_or(Value::Null, |u| dash_null(&u));
        let v = v.map_or(Value::Null, dash_null);
        let whole = if text == "-" {
            Value::Null
        } else {
            json!(text)
        };
        (
            format!("\"{text}\""),
            vec![
                ("request", whole),
                ("request_method", m),
                ("request_url", u),
                ("request_http_version", v),
            ],
        )
    };
    let method = prop::sample::select(vec!["GET", "POST", "HEAD", "OPTIONS", "PATCH", "-"]);
    let version = prop::sample::select(vec!["HTTP/1.0", "HTTP/1.1", "HTTP/2.0", "-"]);
    prop_oneof![
        6 => (method.clone(), url(), version, 0usize..3).prop_map(move |(m, u, v, t)| {
            parts(format!("{m} {u} {v}{}", " ".repeat(t)), Some(m), Some(u), Some(v))
        }),
        // Two words: method and URL (a URL with a space would read as URL and version).
        1 => (method, "[a-zA-Z0-9/:.?=&%+;*_-]{1,16}")
            .prop_map(move |(m, u)| parts(format!("{m} {u}"), Some(m), Some(u), None)),
        1 => url().prop_map(move |u| parts(format!("- {u}- -"), None, Some(format!("{u}-")), None)),
        // `- http://host:80-/ `: two words once the trailing space is trimmed.
        1 => "[a-zA-Z0-9/:.?=&%+;*_-]{1,16}"
            .prop_map(move |u| parts(format!("- {u}-/ "), None, Some(format!("{u}-/")), None)),
        1 => Just(parts("- - - ".into(), None, None, None)),
        1 => Just(parts("- - -".into(), None, None, None)),
        1 => Just(parts("-".into(), None, None, None)),
        1 => Just(parts(String::new(), None, None, None)),
    ]
    .boxed()
}

/// A list field: `"-"`, one item unquoted, or one to three items quoted, space-separated.
fn list(column: &'static str, item: BoxedStrategy<String>) -> BoxedStrategy<Field> {
    prop_oneof![
        1 => Just(("\"-\"".to_string(), vec![(column, Value::Null)])),
        1 => item.clone().prop_map(move |i| (i.clone(), vec![(column, json!(i))])),
        3 => prop::collection::vec(item, 1..4).prop_map(move |items| {
            let joined = items.join(" ");
            (format!("\"{joined}\""), vec![(column, json!(joined))])
        }),
    ]
    .boxed()
}

/// Unknown trailing fields (ALB, CLB, connection logs): words and quoted text, kept as logged.
fn extra_quotable() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-zA-Z0-9.:_=/-]{1,12}",
        "[a-z0-9 ]{0,12}".prop_map(|c| format!("\"{c}\"")),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Records.

#[derive(Debug, Clone)]
struct Generated {
    line: String,
    expected: Map<String, Value>,
}

/// Renders the first `count` of `fields` (then `extra` if all are there) and the row expected:
/// every column of `format`'s schema, null unless a field fills it.
fn render(format: Format, fields: Vec<Field>, count: usize, extra: Vec<String>) -> Generated {
    let schema = format.schema().unwrap();
    let mut expected: Map<String, Value> = schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), Value::Null))
        .collect();
    let all = fields.len();
    let mut words = Vec::new();
    for (text, columns) in fields.into_iter().take(count) {
        words.push(text);
        for (column, value) in columns {
            assert!(expected.contains_key(column), "no column {column}");
            expected.insert(column.to_string(), value);
        }
    }
    if count == all && !extra.is_empty() {
        let trailing = extra.join(" ");
        expected.insert("trailing_fields".into(), json!(trailing));
        words.push(trailing);
    }
    Generated {
        line: words.join(" "),
        expected,
    }
}

fn alb() -> BoxedStrategy<Generated> {
    let fields = vec![
        select("type", &["http", "https", "h2", "grpcs", "ws", "wss"]),
        time("time", false),
        word("elb", "app/[a-zA-Z0-9-]{1,20}/[0-9a-f]{16}", false),
        endpoint("client_ip", "client_port", false),
        endpoint("target_ip", "target_port", true),
        seconds("request_processing_time", false, false),
        seconds("target_processing_time", false, false),
        seconds("response_processing_time", false, false),
        int("elb_status_code", 599, true),
        int("target_status_code", 599, true),
        int("received_bytes", i64::MAX, false),
        int("sent_bytes", i64::MAX, false),
        request(),
        quoted("user_agent", quoted_content()),
        word("ssl_cipher", "[A-Z0-9_-]{6,30}", true),
        word("ssl_protocol", "TLSv1\\.[0-3]", true),
        word(
            "target_group_arn",
            "arn:aws:elasticloadbalancing:[a-z0-9-]{5,14}:[0-9]{12}:targetgroup/[a-z-]{1,10}/[0-9a-f]{16}",
            true,
        ),
        quoted(
            "trace_id",
            "(Self=1-[0-9a-f]{8}-[0-9a-f]{24};)?Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;[a-z]{1,5}=[a-z0-9]{1,5})?"
                .boxed(),
        ),
        quoted("domain_name", quoted_content()),
        quoted(
            "chosen_cert_arn",
            prop_oneof![
                Just("session-reused".to_string()),
                "arn:aws:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}",
            ]
            .boxed(),
        ),
        prop_oneof![
            1 => Just(("-".to_string(), vec![("matched_rule_priority", Value::Null)])),
            1 => Just(("-1".to_string(), vec![("matched_rule_priority", json!(-1))])),
            4 => (0i32..=50_000).prop_map(|n| (n.to_string(), vec![("matched_rule_priority", json!(n))])),
        ]
        .boxed(),
        time("request_creation_time", false),
        quoted(
            "actions_executed",
            "((authenticate|fixed-response|forward|redirect|waf|waf-failed),){0,2}(forward|redirect|waf)|"
                .boxed(),
        ),
        quoted("redirect_url", quoted_content()),
        quoted("error_reason", "[A-Za-z]{4,30}".boxed()),
        list(
            "target_port_list",
            (ip(), 0u32..=65535)
                .prop_map(|(ip, p)| format!("{ip}:{p}"))
                .boxed(),
        ),
        list(
            "target_status_code_list",
            (100u32..600).prop_map(|s| s.to_string()).boxed(),
        ),
        quoted("classification", "(Acceptable|Ambiguous|Severe)".boxed()),
        quoted("classification_reason", "[A-Za-z]{4,30}".boxed()),
        word("conn_trace_id", "TID_[0-9a-f]{32}", true),
        quoted("transformed_host", quoted_content()),
        quoted("transformed_uri", quoted_content()),
        quoted("request_transform_status", "[A-Za-z]{4,20}".boxed()),
    ];
    let n = fields.len();
    (
        fields,
        18..=n,
        prop::collection::vec(extra_quotable(), 0..3),
    )
        .prop_map(|(fields, count, extra)| render(Format::Alb, fields, count, extra))
        .boxed()
}

fn nlb() -> BoxedStrategy<Generated> {
    let fields = vec![
        select("type", &["tls"]),
        select("version", &["1.0", "2.0"]),
        time("time", true),
        word("elb", "net/[a-zA-Z0-9-]{1,20}/[0-9a-f]{16}", false),
        word("listener", "[0-9a-f]{16}", false),
        endpoint("client_ip", "client_port", false),
        endpoint("destination_ip", "destination_port", false),
        int("connection_time", i64::MAX, false),
        int("tls_handshake_time", i64::MAX, true),
        int("received_bytes", i64::MAX, false),
        int("sent_bytes", i64::MAX, false),
        int("incoming_tls_alert", i32::MAX.into(), true),
        word(
            "chosen_cert_arn",
            "arn:aws:acm:[a-z0-9-]{5,14}:[0-9]{12}:certificate/[0-9a-f-]{36}",
            true,
        ),
        word("chosen_cert_serial", "[0-9A-F]{4,16}", true),
        word("tls_cipher", "[A-Z0-9_-]{6,30}", true),
        select(
            "tls_protocol_version",
            &["tlsv10", "tlsv11", "tlsv12", "tlsv13", "-"],
        ),
        word("tls_keyexchange", "[A-Za-z0-9_]{3,20}", true),
        // URL-encoded SNI (kept as logged) and, rarely, junk clients send.
        word(
            "domain_name",
            "[a-z0-9.%-]{1,40}|\\[[a-z.]{1,10}\\]\\(https://[a-z./]{1,10}\\)",
            true,
        ),
        select("alpn_fe_protocol", &["h2", "http/1.1", "http/1.0", "-"]),
        select("alpn_be_protocol", &["h2", "http/1.1", "http/1.0", "-"]),
        // An unquoted value holding quotes: NLB lines are split on spaces only.
        prop_oneof![
            1 => Just(("-".to_string(), vec![("alpn_client_preference_list", Value::Null)])),
            4 => prop::collection::vec(
                prop::sample::select(vec!["\"h2\"", "\"http/1.1\"", "\"http/1.0\"", "\\\"h2\\\""]),
                1..4,
            )
            .prop_map(|items| {
                let v = items.join(",");
                (v.clone(), vec![("alpn_client_preference_list", json!(v))])
            }),
        ]
        .boxed(),
        time("tls_connection_creation_time", true),
    ];
    let n = fields.len();
    (
        fields,
        18..=n,
        prop::collection::vec("[a-zA-Z0-9.:\",=_/-]{1,12}", 0..3),
    )
        .prop_map(|(fields, count, extra)| render(Format::Nlb, fields, count, extra))
        .boxed()
}

fn clb() -> BoxedStrategy<Generated> {
    let fields = vec![
        time("time", false),
        word("elb", "[a-zA-Z0-9-]{1,32}", false),
        endpoint("client_ip", "client_port", false),
        endpoint("backend_ip", "backend_port", true),
        seconds("request_processing_time", true, false),
        seconds("backend_processing_time", true, false),
        seconds("response_processing_time", true, false),
        int("elb_status_code", 599, true),
        int("backend_status_code", 599, true),
        int("received_bytes", i64::MAX, false),
        int("sent_bytes", i64::MAX, false),
        request(),
        quoted("user_agent", quoted_content()),
        word("ssl_cipher", "[A-Z0-9_-]{6,30}", true),
        word("ssl_protocol", "TLSv1(\\.[0-3])?", true),
    ];
    let n = fields.len();
    (
        fields,
        12..=n,
        prop::collection::vec(extra_quotable(), 0..3),
    )
        .prop_map(|(fields, count, extra)| render(Format::Clb, fields, count, extra))
        .boxed()
}

fn connection() -> BoxedStrategy<Generated> {
    let fields = vec![
        time("time", false),
        ip().prop_map(|ip| (ip.clone(), vec![("client_ip", json!(ip))]))
            .boxed(),
        int("client_port", 65_535, false),
        int("listener_port", 65_535, false),
        word("tls_protocol", "TLSv1\\.[0-3]", true),
        word("tls_cipher", "[A-Z0-9_-]{6,30}", true),
        seconds("tls_handshake_latency", false, true),
        quoted(
            "leaf_client_cert_subject",
            "[A-Za-z0-9 =,.*-]{1,40}".boxed(),
        ),
        prop_oneof![
            1 => Just(("-".to_string(), vec![("leaf_client_cert_validity", Value::Null)])),
            3 => (time("a", false), time("b", false)).prop_map(|((a, _), (b, _))| {
                let strip = |t: &str| format!("{}Z", &t[..19]);
                let v = format!("NotBefore={};NotAfter={}", strip(&a), strip(&b));
                (v.clone(), vec![("leaf_client_cert_validity", json!(v))])
            }),
        ]
        .boxed(),
        word("leaf_client_cert_serial_number", "[0-9A-F]{2,32}", true),
        word(
            "tls_verify_status",
            "Success|Failed:ClientCert[A-Za-z]{4,20}|Failed:UnmappedConnectionError",
            true,
        ),
        word("conn_trace_id", "TID_[0-9a-f]{16,32}", false),
        word("tls_keyexchange", "[A-Za-z0-9_]{3,20}", true),
        word("elb", "app/[a-zA-Z0-9-]{1,20}/[0-9a-f]{16}", false),
        ip().prop_map(|ip| (ip.clone(), vec![("ip_address", json!(ip))]))
            .boxed(),
    ];
    let n = fields.len();
    (
        fields,
        11..=n,
        prop::collection::vec(extra_quotable(), 0..3),
    )
        .prop_map(|(fields, count, extra)| render(Format::AlbConnection, fields, count, extra))
        .boxed()
}

fn records(format: Format) -> BoxedStrategy<Generated> {
    match format {
        Format::Alb => alb(),
        Format::Nlb => nlb(),
        Format::Clb => clb(),
        _ => connection(),
    }
}

const ELB: [Format; 4] = [Format::Alb, Format::Nlb, Format::Clb, Format::AlbConnection];

/// A format and a few of its records.
fn batch_of_records() -> impl Strategy<Value = (Format, Vec<Generated>)> {
    prop::sample::select(ELB.to_vec())
        .prop_flat_map(|f| (Just(f), prop::collection::vec(records(f), 1..8)))
}

fn parse(format: Format, input: &[u8]) -> (Vec<Map<String, Value>>, Vec<String>) {
    let mut reader = ReaderBuilder::new(format).build(input).unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let stats = reader.stats();
    assert!(balanced(stats), "{stats:?}");
    let rejects = reader
        .take_rejects()
        .iter()
        .map(|r| r.error().to_string())
        .collect();
    (rows_of(&batches), rejects)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every generated record is a row holding exactly the generated values.
    #[test]
    fn rendered_records_parse_back((format, records) in batch_of_records()) {
        let mut input = String::new();
        for r in &records {
            input.push_str(&r.line);
            input.push('\n');
        }
        let (rows, rejects) = parse(format, input.as_bytes());
        prop_assert!(rejects.is_empty(), "{format}: {rejects:?}\n{input}");
        prop_assert_eq!(rows.len(), records.len());
        for (row, r) in rows.iter().zip(&records) {
            prop_assert_eq!(row, &r.expected, "{} line: {}", format, r.line);
        }
    }

    /// Any set of lines (records, blank lines, `\r\n` ends, no final newline) decodes to the
    /// same rows, rejects and counters whatever the chunk and batch sizes.
    #[test]
    fn chunking_invariance(
        (format, records) in batch_of_records(),
        ends in prop::collection::vec(prop::sample::select(vec!["\n", "\r\n", "\n\n", "\n \t\n"]), 8),
        final_newline in any::<bool>(),
        chunk in 1usize..64,
        batch in 1usize..5,
    ) {
        let mut input = String::new();
        for (i, r) in records.iter().enumerate() {
            input.push_str(&r.line);
            if i + 1 < records.len() || final_newline {
                input.push_str(ends[i % ends.len()]);
            }
        }
        let input = input.into_bytes();
        let schema = format.schema().unwrap();
        let builder = ReaderBuilder::new(format);
        let (whole, whole_rejects, whole_stats) =
            decode_chunked_with(builder.clone(), &input, input.len(), 8192);
        prop_assert!(balanced(whole_stats));
        prop_assert_eq!(whole_stats.rows, records.len() as u64);
        let (split, split_rejects, split_stats) =
            decode_chunked_with(builder, &input, chunk, batch);
        prop_assert_eq!(concat(&split, &schema), concat(&whole, &schema));
        prop_assert_eq!(split_rejects, whole_rejects);
        prop_assert_eq!(split_stats, whole_stats);
        prop_assert!(split.iter().all(|b| b.num_rows() <= batch));
    }

    /// Any bytes: no panic, every line counted once, the same however chunked.
    #[test]
    fn random_bytes_never_panic_and_balance(
        format in prop::sample::select(ELB.to_vec()),
        input in prop::collection::vec(
            prop_oneof![
                4 => any::<u8>(),
                2 => Just(b'\n'),
                4 => Just(b' '),
                2 => Just(b'"'),
                2 => Just(b'-'),
                2 => Just(b':'),
                1 => Just(b'\\'),
                3 => prop::sample::select(b"0123456789.TZ".to_vec()),
            ],
            0..600,
        ),
        chunk in 1usize..64,
        batch in 1usize..5,
    ) {
        let builder = ReaderBuilder::new(format);
        let (whole, whole_rejects, stats) =
            decode_chunked_with(builder.clone(), &input, input.len().max(1), 8192);
        prop_assert!(balanced(stats), "{:?}", stats);
        let lines = input.split(|&b| b == b'\n').count() as u64
            - u64::from(input.last().is_none_or(|&b| b == b'\n'));
        prop_assert_eq!(stats.lines, lines);
        let schema = format.schema().unwrap();
        let (split, split_rejects, split_stats) = decode_chunked_with(builder, &input, chunk, batch);
        prop_assert_eq!(concat(&split, &schema), concat(&whole, &schema));
        prop_assert_eq!(split_rejects, whole_rejects);
        prop_assert_eq!(split_stats, stats);
    }

    /// Valid lines with a few bytes changed: no panic, balanced counters, under every format.
    #[test]
    fn mutated_valid_lines_never_panic(
        (format, records) in batch_of_records(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        reader_format in prop::sample::select(ELB.to_vec()),
    ) {
        let mut input = records[0].line.clone().into_bytes();
        for (index, byte) in edits {
            let i = index.index(input.len());
            input[i] = byte;
        }
        input.push(b'\n');
        for f in [format, reader_format] {
            let (_, _, stats) = decode_chunked_with(ReaderBuilder::new(f), &input, 3, 2);
            prop_assert!(balanced(stats), "{:?}", stats);
            prop_assert_eq!(stats.lines, 1 + input[..input.len() - 1].iter().filter(|&&b| b == b'\n').count() as u64);
        }
    }
}

/// The renderer of this file against known values (it checks the parser's times).
#[test]
fn iso_us_renders_known_instants() {
    assert_eq!(iso_us(0), "1970-01-01T00:00:00.000000Z");
    assert_eq!(iso_us(1_530_570_180_186_641), "2018-07-02T22:23:00.186641Z");
    assert_eq!(iso_us(951_782_400_000_001), "2000-02-29T00:00:00.000001Z");
    assert_eq!(iso_us(4_102_444_799_999_999), "2099-12-31T23:59:59.999999Z");
}
