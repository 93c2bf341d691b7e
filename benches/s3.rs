//! Throughput of S3 access log parsing to Arrow, next to a memchr newline count on the same
//! bytes (the floor: any line parser has to find the newlines).
//!
//! The input is generated in code from a fixed seed: ~32 MB of lines in a realistic mix of
//! eras (18, 24, 26 and 27 fields), operations, user agents with spaces, requesters with
//! spaces, `-` fields and the odd embedded quote. Every benchmark asserts what it produced.

use std::hint::black_box;

use aws_access_logs::{Format, ReaderBuilder};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TARGET_BYTES: usize = 32 << 20;

#[path = "../examples/generate/logs.rs"]
mod logs;

use logs::{MONTHS, Rng};

const USER_AGENTS: [&str; 6] = [
    "\"aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.amzn.2023 prompt/off command/s3.cp\"",
    "\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\"",
    "\"S3Console/0.4\"",
    "\"aws-sdk-java/1.12.500 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.8+7-LTS java/17.0.8 vendor/Amazon.com_Inc.\"",
    "\"Amazon CloudFront\"",
    "\"-\"",
];

const OPERATIONS: [(&str, &str); 6] = [
    ("REST.GET.OBJECT", "GET"),
    ("REST.PUT.OBJECT", "PUT"),
    ("REST.HEAD.OBJECT", "HEAD"),
    ("REST.GET.BUCKET", "GET"),
    ("REST.DELETE.OBJECT", "DELETE"),
    ("REST.GET.OBJECT_TAGGING", "GET"),
];

fn generate(seed: u64) -> (Vec<u8>, u64) {
    let mut rng = Rng(seed);
    let owners: Vec<String> = (0..4).map(|_| rng.hex(64, false)).collect();
    let mut out = String::with_capacity(TARGET_BYTES + 4096);
    let mut lines = 0u64;
    while out.len() < TARGET_BYTES {
        let owner = &owners[rng.below(4) as usize];
        let bucket = rng.pick(&[
            "logs-bucket",
            "media-assets-prod",
            "example-website",
            "backups",
        ]);
        let (op, method) = OPERATIONS[rng.below(OPERATIONS.len() as u64) as usize];
        let key = format!(
            "{}/{}/{}.{}",
            rng.pick(&["images", "video", "data/2024", "static/js"]),
            rng.hex(8, false),
            rng.hex(12, false),
            rng.pick(&["jpg", "mp4", "json", "js", "parquet"])
        );
        let requester = match rng.below(10) {
            0 => "-".to_string(),
            1 => format!(
                "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E{}",
                rng.hex(12, true)
            ),
            2..=5 => owner.clone(),
            _ => format!(
                "arn:aws:sts::123456789012:assumed-role/app-role/i-{}",
                rng.hex(17, false)
            ),
        };
        let remote_ip = match rng.below(8) {
            0 => format!("2001:db8::{:x}", rng.below(65536)),
            _ => format!("192.0.2.{}", rng.below(256)),
        };
        let status = rng.pick(&["200", "200", "200", "206", "304", "403", "404"]);
        let error = match status {
            "403" => "AccessDenied",
            "404" => "NoSuchKey",
            _ => "-",
        };
        let size = rng.below(50_000_000);
        let sent = if method == "GET" {
            size.to_string()
        } else {
            "-".to_string()
        };
        let query = if rng.below(20) == 0 {
            // The odd unescaped quote inside the Request-URI.
            "?q=%22a\"b".to_string()
        } else if rng.below(4) == 0 {
            format!(
                "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature={}",
                rng.hex(64, false)
            )
        } else {
            String::new()
        };
        let referer = rng.pick(&["\"-\"", "\"-\"", "\"https://www.example.com/gallery\""]);
        let ua = rng.pick(&USER_AGENTS);
        let time = format!(
            "[{:02}/{}/20{:02}:{:02}:{:02}:{:02} +0000]",
            1 + rng.below(28),
            MONTHS[rng.below(12) as usize],
            15 + rng.below(11),
            rng.below(24),
            rng.below(60),
            rng.below(60)
        );
        out.push_str(&format!(
            "{owner} {bucket} {time} {remote_ip} {requester} {} {op} {key} \"{method} /{key}{query} HTTP/1.1\" {status} {error} {sent} {size} {} {} {referer} {ua} -",
            rng.hex(16, true),
            rng.below(5000),
            rng.below(100),
        ));
        let era = rng.below(10);
        if era >= 2 {
            out.push_str(&format!(
                " {}= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader {bucket}.s3.us-west-2.amazonaws.com TLSv1.2",
                rng.hex(75, false)
            ));
        }
        if era >= 5 {
            out.push_str(" - -");
        }
        if era >= 8 {
            out.push_str(" us-west-2");
        }
        out.push('\n');
        lines += 1;
    }
    (out.into_bytes(), lines)
}

fn bench(c: &mut Criterion) {
    let (data, lines) = generate(0x5eed_1e55_a3c0_ffee);
    let mut group = c.benchmark_group("s3_access_log");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(data.len() as u64));

    group.bench_function("baseline_memchr_newlines", |b| {
        b.iter(|| {
            let n = memchr::memchr_iter(b'\n', black_box(&data)).count() as u64;
            assert_eq!(n, lines);
            n
        })
    });

    group.bench_function("parse_to_arrow_all_columns", |b| {
        b.iter(|| {
            let reader = ReaderBuilder::new(Format::S3)
                .build(black_box(&data[..]))
                .unwrap();
            let mut rows = 0;
            let mut reader = reader;
            for batch in reader.by_ref() {
                rows += batch.unwrap().num_rows() as u64;
            }
            assert_eq!(rows, lines);
            assert_eq!(reader.stats().rejected, 0);
            rows
        })
    });

    group.bench_function("parse_to_arrow_time_status_bytes", |b| {
        b.iter(|| {
            let reader = ReaderBuilder::new(Format::S3)
                .with_projection(vec![2, 9, 11])
                .build(black_box(&data[..]))
                .unwrap();
            let rows: u64 = reader.map(|b| b.unwrap().num_rows() as u64).sum();
            assert_eq!(rows, lines);
            rows
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
