//! Throughput of CloudFront real-time (all 69 fields) and standard (33 fields) log parsing to
//! Arrow, each next to a memchr newline count of the same bytes.
//!
//! The inputs are generated in code from a fixed seed (~32 MB each): random 56-character edge
//! request ids, IPv4 and IPv6 clients, varied paths and query strings, URL-encoded user agents,
//! header lists, status codes (including `000`) and `-` fields. Every benchmark asserts its row
//! count and that nothing was rejected.

use std::fmt::Write as _;
use std::hint::black_box;

use aws_access_logs::cloudfront::{FieldList, REALTIME_FIELDS};
use aws_access_logs::{Format, ReaderBuilder};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

const TARGET_BYTES: usize = 32 << 20;

#[path = "../examples/generate/logs.rs"]
mod logs;

use logs::Rng;

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

const USER_AGENTS: [&str; 5] = [
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/120.0.0.0%20Safari/537.36",
    "Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_1%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.1%20Mobile/15E148%20Safari/604.1",
    "curl/8.5.0",
    "Amazon%20CloudFront",
    "-",
];
const PATHS: [&str; 6] = [
    "/index.html",
    "/assets/app.3f9a1c.js",
    "/images/hero-1920.webp",
    "/api/v1/items",
    "/video/seg-00042.m4s",
    "/favicon.ico",
];
const POPS: [&str; 6] = [
    "ARN56-P1", "LAX1", "SEA19-C1", "FRA2", "HEL51-P6", "SIN5-C1",
];
const RESULTS: [&str; 5] = ["Hit", "Miss", "RefreshHit", "Error", "Redirect"];
const STATUS: [&str; 7] = ["200", "200", "200", "304", "404", "403", "000"];
const TYPES: [&str; 4] = ["text/html", "application/javascript", "image/webp", "-"];

fn client_ip(rng: &mut Rng) -> String {
    if rng.below(5) == 0 {
        format!(
            "2001:db8:{:x}:{:x}::{:x}",
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff)
        )
    } else {
        format!(
            "{}.{}.{}.{}",
            rng.below(223) + 1,
            rng.below(256),
            rng.below(256),
            rng.below(254) + 1
        )
    }
}

fn query(rng: &mut Rng) -> String {
    if rng.below(3) == 0 {
        "-".into()
    } else {
        format!("v={}&session={}", rng.below(1000), rng.chars(16, B64))
    }
}

/// Real-time records with every known field, in canonical order.
fn realtime(seed: u64) -> (Vec<u8>, u64, String) {
    let mut rng = Rng(seed);
    let names: Vec<&str> = REALTIME_FIELDS.iter().map(|f| f.name()).collect();
    let mut out = String::with_capacity(TARGET_BYTES + 4096);
    let mut lines = 0;
    let mut ts = 1_700_000_000_000u64;
    while out.len() < TARGET_BYTES {
        ts += rng.below(50);
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            let host = "www.example.com";
            match *name {
                "timestamp" => write!(out, "{}.{:03}", ts / 1000, ts % 1000).unwrap(),
                "c-ip" => out.push_str(&client_ip(&mut rng)),
                "s-ip" => write!(out, "198.51.100.{}", rng.below(250)).unwrap(),
                "time-to-first-byte" | "time-taken" | "origin-fbl" | "origin-lbl" => {
                    write!(out, "0.{:03}", rng.below(1000)).unwrap()
                }
                "sc-status" => out.push_str(rng.pick(&STATUS)),
                "sc-bytes" | "cs-bytes" | "sc-content-len" => {
                    write!(out, "{}", rng.below(2_000_000)).unwrap()
                }
                "cs-method" => out.push_str(rng.pick(&["GET", "GET", "HEAD", "POST"])),
                "cs-protocol" => out.push_str(rng.pick(&["https", "http"])),
                "cs-host" => out.push_str(host),
                "cs-uri-stem" => out.push_str(rng.pick(&PATHS)),
                "x-edge-location" => out.push_str(rng.pick(&POPS)),
                "x-edge-request-id" => {
                    out.push_str(&rng.chars(54, B64));
                    out.push_str("==");
                }
                "x-host-header" => out.push_str("d111111abcdef8.cloudfront.net"),
                "cs-protocol-version" => out.push_str(rng.pick(&["HTTP/2.0", "HTTP/1.1"])),
                "c-ip-version" => out.push_str("IPv4"),
                "cs-user-agent" => out.push_str(rng.pick(&USER_AGENTS)),
                "cs-uri-query" => out.push_str(&query(&mut rng)),
                "x-edge-response-result-type"
                | "x-edge-result-type"
                | "x-edge-detailed-result-type" => out.push_str(rng.pick(&RESULTS)),
                "ssl-protocol" => out.push_str("TLSv1.3"),
                "ssl-cipher" => out.push_str("TLS_AES_128_GCM_SHA256"),
                "sc-content-type" => out.push_str(rng.pick(&TYPES)),
                "c-port" => write!(out, "{}", 1024 + rng.below(60000)).unwrap(),
                "c-country" => out.push_str(rng.pick(&["SE", "US", "DE", "JP", "BR"])),
                "cs-accept-encoding" => out.push_str("gzip,%20deflate,%20br"),
                "cs-accept" => out.push_str("*/*"),
                "cache-behavior-path-pattern" => out.push_str(rng.pick(&["*", "/api/*"])),
                "cs-headers" => write!(
                    out,
                    "host:{host}%0Auser-agent:{}%0Aaccept:*/*%0A",
                    rng.pick(&USER_AGENTS)
                )
                .unwrap(),
                "cs-header-names" => out.push_str("host%0Auser-agent%0Aaccept%0A"),
                "cs-headers-count" => write!(out, "{}", 3 + rng.below(10)).unwrap(),
                "asn" => write!(out, "{}", rng.below(65000)).unwrap(),
                _ => out.push('-'),
            }
        }
        out.push('\n');
        lines += 1;
    }
    (out.into_bytes(), lines, names.join(","))
}

const STANDARD_FIELDS: &str = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";

/// A standard log with the 33 legacy fields.
fn standard(seed: u64) -> (Vec<u8>, u64) {
    let mut rng = Rng(seed);
    let mut out = String::with_capacity(TARGET_BYTES + 4096);
    write!(out, "#Version: 1.0\n#Fields: {STANDARD_FIELDS}\n").unwrap();
    let mut lines = 0;
    while out.len() < TARGET_BYTES {
        let result = rng.pick(&RESULTS);
        writeln!(
            out,
            "2024-{:02}-{:02}\t{:02}:{:02}:{:02}\t{}\t{}\t{}\tGET\td111111abcdef8.cloudfront.net\t{}\t{}\t{}\t{}\t{}\t-\t{}\t{}==\twww.example.com\thttps\t{}\t0.{:03}\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t{}\tHTTP/2.0\t-\t-\t{}\t0.{:03}\t{}\t{}\t{}\t-\t-",
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.pick(&POPS),
            rng.below(2_000_000),
            client_ip(&mut rng),
            rng.pick(&PATHS),
            rng.pick(&STATUS),
            rng.pick(&["-", "https://www.example.com/", "https://search.example.org/?q=x"]),
            rng.pick(&USER_AGENTS),
            query(&mut rng),
            result,
            rng.chars(54, B64),
            rng.below(2000),
            rng.below(1000),
            result,
            1024 + rng.below(60000),
            rng.below(1000),
            result,
            rng.pick(&TYPES),
            rng.below(2_000_000),
        )
        .unwrap();
        lines += 1;
    }
    (out.into_bytes(), lines)
}

/// The baseline: a memchr count of the newlines of `data`, which must be `lines`.
fn bench_newlines(group: &mut BenchmarkGroup<'_, WallTime>, data: &[u8], lines: u64) {
    group.bench_function("baseline_memchr_newlines", |b| {
        b.iter(|| {
            let n = memchr::memchr_iter(b'\n', black_box(data)).count() as u64;
            assert_eq!(n, lines);
            n
        })
    });
}

fn bench(c: &mut Criterion) {
    let (data, lines, fields) = realtime(0xc10d_f00d_5eed_0001);
    let fields = FieldList::realtime(&fields).unwrap();
    let mut group = c.benchmark_group("cloudfront_realtime");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(data.len() as u64));
    bench_newlines(&mut group, &data, lines);
    let builder = ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(fields);
    bench_reader(
        &mut group,
        "parse_to_arrow_all_69_fields",
        &builder,
        &data,
        lines,
    );
    group.finish();

    let (data, lines) = standard(0xc10d_f00d_5eed_0002);
    let mut group = c.benchmark_group("cloudfront_standard");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(data.len() as u64));
    bench_newlines(&mut group, &data, lines + 2);
    let builder = ReaderBuilder::new(Format::CloudFrontStandard);
    bench_reader(
        &mut group,
        "parse_to_arrow_33_fields",
        &builder,
        &data,
        lines,
    );
    group.finish();
}

/// Reads `data` to Arrow with `builder`, asserting `lines` rows and no rejects.
fn bench_reader(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    builder: &ReaderBuilder,
    data: &[u8],
    lines: u64,
) {
    group.bench_function(name, |b| {
        b.iter(|| {
            let mut reader = builder.clone().build(black_box(data)).unwrap();
            let rows: u64 = reader.by_ref().map(|b| b.unwrap().num_rows() as u64).sum();
            assert_eq!(rows, lines);
            assert_eq!(reader.stats().rejected, 0);
            rows
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
