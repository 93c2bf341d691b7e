//! Input handling through the whole pipeline: gzip (single, multi-member, truncated, corrupt),
//! plain text that starts like gzip, bounded rejects, and the counters.

mod common;

use std::io::Read;

use aws_access_logs::{ErrorKind, Format, ReaderBuilder};
use common::{all_rows, balanced, gzip};

/// A standard log with `rows` data lines whose `cs-uri-stem` is `/row/<index>`.
fn standard_log(rows: usize) -> Vec<u8> {
    let mut out = String::from("#Version: 1.0\n#Fields: date time c-ip sc-status cs-uri-stem\n");
    for i in 0..rows {
        out.push_str(&format!(
            "2024-03-{:02}\t12:{:02}:{:02}\t192.0.2.{}\t200\t/row/{i}\n",
            1 + i % 28,
            i % 60,
            (i / 60) % 60,
            i % 250
        ));
    }
    out.into_bytes()
}

/// The decompressed bytes a gzip reader yields before its error.
fn readable_prefix(gz: &[u8]) -> Vec<u8> {
    let mut d = flate2::read::MultiGzDecoder::new(gz);
    let mut out = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        match d.read(&mut buf) {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

#[test]
fn single_and_multi_member_gzip_equal_plain() {
    let log = standard_log(3000);
    let plain: Vec<_> = ReaderBuilder::auto()
        .build(&log[..])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let single = gzip(&log);
    // Three members split at line boundaries, as Firehose or `cat a.gz b.gz` produce.
    let cut1 = log.iter().position(|&b| b == b'\n').unwrap() + 1;
    let cut2 = log.len() / 2 + memchr::memchr(b'\n', &log[log.len() / 2..]).unwrap() + 1;
    let mut multi = gzip(&log[..cut1]);
    multi.extend(gzip(&log[cut1..cut2]));
    multi.extend(gzip(&log[cut2..]));
    for input in [single, multi] {
        let mut reader = ReaderBuilder::auto().build(&input[..]).unwrap();
        assert!(reader.is_gzip());
        assert_eq!(reader.format(), Format::CloudFrontStandard);
        let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(all_rows(&batches), all_rows(&plain));
        assert_eq!(reader.stats().rows, 3000);
        assert_eq!(reader.bytes_read(), log.len() as u64);
    }
}

#[test]
fn truncated_gzip_keeps_the_rows_before_the_cut() {
    let log = standard_log(20_000);
    let gz = gzip(&log);
    let truncated = &gz[..gz.len() / 2];
    let prefix = readable_prefix(truncated);
    let complete_lines = memchr::memchr_iter(b'\n', &prefix).count();
    assert!(complete_lines > 1000 && complete_lines < 20_000);

    let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_batch_size(1000)
        .build(truncated)
        .unwrap();
    let mut rows = Vec::new();
    let err = loop {
        match reader.next_batch() {
            Ok(Some(batch)) => rows.extend(all_rows(&[batch])),
            Ok(None) => panic!("a truncated stream read to the end without error"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Gzip);
    let msg = err.to_string();
    assert!(
        msg.contains(&format!(
            "after {} decompressed bytes ({} lines)",
            prefix.len(),
            complete_lines
        )),
        "{msg}"
    );
    // Every complete data line before the cut is a row, in order.
    assert_eq!(rows.len(), complete_lines - 2);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["cs_uri_stem"], format!("/row/{i}"));
    }
    // The line cut in the middle is a reject with its bytes, and the counters balance.
    let stats = reader.stats();
    assert!(balanced(stats), "{stats:?}");
    let rejects = reader.take_rejects();
    if prefix.last() != Some(&b'\n') {
        assert_eq!(rejects.len(), 1);
        assert_eq!(rejects[0].kind(), ErrorKind::Gzip);
        assert_eq!(rejects[0].line(), complete_lines as u64 + 1);
        let tail_start = prefix.iter().rposition(|&b| b == b'\n').unwrap() + 1;
        assert_eq!(rejects[0].raw(), &prefix[tail_start..]);
    }
    assert!(reader.next_batch().unwrap().is_none());
}

#[test]
fn corrupt_gzip_is_an_error_after_the_readable_rows() {
    let log = standard_log(20_000);
    let mut gz = gzip(&log);
    let middle = gz.len() / 2;
    for b in &mut gz[middle..middle + 64] {
        *b ^= 0x5a;
    }
    let mut reader = ReaderBuilder::auto().build(&gz[..]).unwrap();
    let mut rows = 0;
    let err = loop {
        match reader.next_batch() {
            Ok(Some(batch)) => rows += batch.num_rows(),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    // Either zlib detects the damage (an error after the rows before it) or, if the damaged
    // block still inflates, the CRC check at the end does; nothing panics and the counters
    // balance.
    let err = err.expect("corrupt gzip must be an error");
    assert_eq!(err.kind(), ErrorKind::Gzip, "{err}");
    assert!(rows > 0 && rows < 20_000, "{rows}");
    assert!(balanced(reader.stats()));
}

#[test]
fn plain_text_that_starts_like_gzip_is_plain() {
    // 0x1f alone is not the gzip magic (0x1f 0x8b).
    let input = b"\x1f junk\n79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
    let mut reader = ReaderBuilder::new(Format::S3).build(&input[..]).unwrap();
    assert!(!reader.is_gzip());
    let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 1);
    let stats = reader.stats();
    assert_eq!((stats.lines, stats.rejected), (2, 1));

    // An input of one byte, or of the magic alone, is handled too.
    let mut reader = ReaderBuilder::new(Format::S3).build(&b"x"[..]).unwrap();
    assert!(reader.next().is_none());
    assert_eq!(reader.stats().rejected, 1);
    let mut reader = ReaderBuilder::new(Format::S3)
        .build(&b"\x1f\x8b"[..])
        .unwrap();
    assert!(reader.is_gzip());
    let err = reader.next().unwrap().unwrap_err();
    assert!(err.to_string().contains("gzip"), "{err}");
}

fn bad_lines(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        out.extend_from_slice(format!("not a log line {i}\n").as_bytes());
    }
    out
}

#[test]
fn rejects_are_bounded_and_all_kept_when_taken() {
    let input = bad_lines(25_000);
    // Taking the rejects after each batch keeps every one of them.
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_max_rejects(1000, 1 << 20)
        .build(&input[..])
        .unwrap();
    let mut kept = Vec::new();
    let mut batches = 0;
    while let Some(batch) = reader.next_batch().unwrap() {
        assert_eq!(batch.num_rows(), 0);
        batches += 1;
        let taken = reader.take_rejects();
        assert!(taken.len() <= 1000);
        kept.extend(taken);
    }
    kept.extend(reader.take_rejects());
    assert!(batches >= 24, "{batches}");
    assert_eq!(kept.len(), 25_000);
    assert!(
        kept.iter()
            .enumerate()
            .all(|(i, r)| r.line() == i as u64 + 1)
    );
    assert_eq!(reader.stats().rejects_dropped, 0);

    // Not taking them: at most the limit is held, the rest is counted.
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_max_rejects(1000, 1 << 20)
        .build(&input[..])
        .unwrap();
    let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 0);
    let stats = reader.stats();
    assert_eq!(stats.rejected, 25_000);
    assert_eq!(reader.rejects().len(), 1000);
    assert_eq!(stats.rejects_dropped, 24_000);
    assert!(balanced(stats));

    // The byte limit applies too.
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_max_rejects(1_000_000, 10_000)
        .build(&input[..])
        .unwrap();
    for batch in reader.by_ref() {
        batch.unwrap();
    }
    let held: usize = reader.rejects().iter().map(|r| r.raw().len()).sum();
    assert!(held < 10_000 + 64, "{held}");
    assert!(
        ReaderBuilder::new(Format::S3)
            .with_max_rejects(0, 1)
            .build_decoder()
            .is_err()
    );
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_after_a_truncated_gzip_holds_the_rows_before_it() {
    use aws_access_logs::parquet::{ParquetOptions, write_parquet_with_rejects};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let log = standard_log(20_000);
    let gz = gzip(&log);
    let truncated = &gz[..gz.len() / 2];
    let complete_lines = memchr::memchr_iter(b'\n', &readable_prefix(truncated)).count();
    let mut reader = ReaderBuilder::auto().build(truncated).unwrap();
    let mut out = Vec::new();
    let mut rejects = Vec::new();
    let err = write_parquet_with_rejects(&mut reader, &mut out, &ParquetOptions::default(), |r| {
        rejects.extend(r);
        Ok(())
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Gzip);
    let file = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(out))
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<_> = file.collect::<Result<_, _>>().unwrap();
    let rows = all_rows(&batches);
    assert_eq!(rows.len(), complete_lines - 2);
    assert_eq!(
        rows.last().unwrap()["cs_uri_stem"],
        format!("/row/{}", rows.len() - 1)
    );
    assert!(rejects.len() <= 1);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_is_byte_identical_for_identical_input_and_options() {
    use aws_access_logs::cloudfront::FieldList;
    use aws_access_logs::parquet::{ParquetOptions, write_parquet};

    let config =
        std::fs::read_to_string(common::fixture("cloudfront/realtime.config.json")).unwrap();
    let cases: Vec<(&str, ReaderBuilder)> = vec![
        ("s3/quirks.log", ReaderBuilder::new(Format::S3)),
        (
            "cloudfront/realtime.log",
            ReaderBuilder::new(Format::CloudFrontRealtime)
                .with_fields(FieldList::realtime(&config).unwrap()),
        ),
        ("cloudfront/standard-33.log", ReaderBuilder::auto()),
        ("cloudfront/standard-multi.log", ReaderBuilder::auto()),
    ];
    for (path, builder) in cases {
        let input = std::fs::read(common::fixture(path)).unwrap();
        let options = ParquetOptions::new()
            .with_max_row_group_rows(4)
            .with_bloom_filter(["c_ip"].into_iter().filter(|_| path.contains("cloudfront")));
        let write = |input: &[u8]| {
            let mut reader = builder.clone().with_batch_size(3).build(input).unwrap();
            let mut out = Vec::new();
            let summary = write_parquet(&mut reader, &mut out, &options).unwrap();
            // Every line is a row, a reject or a skipped line, through the whole pipeline.
            assert!(balanced(summary.stats), "{path}: {:?}", summary.stats);
            let file =
                parquet::file::reader::SerializedFileReader::new(bytes::Bytes::from(out.clone()))
                    .unwrap();
            use parquet::file::reader::FileReader as _;
            let rows = file.metadata().file_metadata().num_rows();
            assert_eq!(rows as u64, summary.stats.rows, "{path}");
            out
        };
        let first = write(&input);
        assert_eq!(first, write(&input), "{path}");
        // Gzip input gives the same file as plain input.
        assert_eq!(first, write(&gzip(&input)), "{path}");
    }
}

#[test]
fn batches_end_early_when_lines_are_long() {
    let mut log = String::from("#Fields: date time cs(User-Agent)\n");
    for i in 0..40 {
        log.push_str(&format!(
            "2024-01-01\t00:00:{:02}\t{}\n",
            i,
            "x".repeat(10_000)
        ));
    }
    let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_max_batch_bytes(50_000)
        .build(log.as_bytes())
        .unwrap();
    let sizes: Vec<usize> = reader.by_ref().map(|b| b.unwrap().num_rows()).collect();
    // 10 KB lines: a batch reaches 50 000 bytes with its fifth line.
    assert!(sizes.iter().all(|&n| n == 5), "{sizes:?}");
    assert_eq!(sizes.iter().sum::<usize>(), 40);
    assert!(
        ReaderBuilder::new(Format::S3)
            .with_max_batch_bytes(0)
            .build_decoder()
            .is_err()
    );
}

const S3_LINE: &str = "79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -";

#[test]
fn fail_fast_returns_the_rows_before_the_bad_line_then_the_error() {
    use aws_access_logs::ErrorPolicy;
    let input = format!("{S3_LINE}\n{S3_LINE}\ngarbage\n{S3_LINE}\n");
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_error_policy(ErrorPolicy::FailFast)
        .build(input.as_bytes())
        .unwrap();
    assert_eq!(reader.next_batch().unwrap().unwrap().num_rows(), 2);
    let err = reader.next_batch().unwrap_err();
    assert_eq!(err.position().unwrap().line, 3);
    assert!(reader.next_batch().unwrap().is_none());
    // Also when the bad line is the last one, without a newline.
    let input = format!("{S3_LINE}\ngarbage");
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_error_policy(ErrorPolicy::FailFast)
        .build(input.as_bytes())
        .unwrap();
    assert_eq!(reader.next_batch().unwrap().unwrap().num_rows(), 1);
    assert!(reader.next_batch().is_err());

    #[cfg(feature = "parquet")]
    {
        use aws_access_logs::parquet::{ParquetOptions, write_parquet};
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let input = format!("{S3_LINE}\ngarbage\n");
        let mut reader = ReaderBuilder::new(Format::S3)
            .with_error_policy(ErrorPolicy::FailFast)
            .build(input.as_bytes())
            .unwrap();
        let mut out = Vec::new();
        assert!(write_parquet(&mut reader, &mut out, &ParquetOptions::default()).is_err());
        let file = SerializedFileReader::new(bytes::Bytes::from(out)).unwrap();
        assert_eq!(file.metadata().file_metadata().num_rows(), 1);
        assert_eq!(reader.stats().rows, 1);
    }
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_line() {
    let standard =
        "\u{feff}#Version: 1.0\n#Fields: date time sc-status\n2024-01-01\t00:00:00\t200\n";
    for builder in [
        ReaderBuilder::auto(),
        ReaderBuilder::new(Format::CloudFrontStandard),
    ] {
        let mut reader = builder.build(standard.as_bytes()).unwrap();
        let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(rows, 1);
        assert_eq!(reader.stats().rejected, 0, "{:?}", reader.rejects());
    }
    let mut decoder = ReaderBuilder::new(Format::CloudFrontStandard)
        .build_decoder()
        .unwrap();
    decoder.decode(standard.as_bytes()).unwrap();
    decoder.finish().unwrap();
    assert_eq!(decoder.flush().unwrap().unwrap().num_rows(), 1);
    assert!(decoder.rejects().is_empty());

    let s3 = format!("\u{feff}{S3_LINE}\n");
    let mut reader = ReaderBuilder::auto().build(s3.as_bytes()).unwrap();
    assert_eq!(reader.next().unwrap().unwrap().num_rows(), 1);
}

#[test]
fn standard_headers_that_do_not_fit_reject_the_lines_after_them() {
    // A later header that is itself invalid (a repeated field).
    let log = "#Fields: date time c-ip cs-method\n2024-01-01\t00:00:00\t192.0.2.1\tGET\n\
               #Fields: date time cs-method CS-Method\n2024-01-01\t00:00:01\tGET\tGET\n\
               #Fields: date time c-ip cs-method\n2024-01-01\t00:00:02\t192.0.2.2\tPUT\n";
    let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .build(log.as_bytes())
        .unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let rows = all_rows(&batches);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["cs_method"], "PUT");
    let rejects = reader.take_rejects();
    assert_eq!(rejects.iter().map(|r| r.line()).collect::<Vec<_>>(), [3, 4]);
    assert!(rejects.iter().all(|r| r.kind() == ErrorKind::InvalidHeader));

    // A later header whose field has the same column name but another kind of value.
    let log = "#Fields: date time sc-status\n2024-01-01\t00:00:00\t200\n\
               #Fields: timestamp sc-status\n1700000000.000\t404\n";
    let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .build(log.as_bytes())
        .unwrap();
    let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 1);
    assert_eq!(reader.stats().rejected, 2);
}

#[test]
fn later_standard_headers_may_reorder_and_drop_fields() {
    // Each data line is read under the last header: text and typed columns follow their fields
    // to new positions, and a field the header no longer names is null.
    let log = "#Fields: date time c-ip cs-method sc-status\n\
               2024-01-01\t00:00:00\t192.0.2.1\tGET\t200\n\
               #Fields: date time cs-method sc-status\n\
               2024-01-01\t00:00:01\tPUT\t404\n\
               #Fields: date time sc-status cs-method c-ip\n\
               2024-01-01\t00:00:02\t500\tDELETE\t192.0.2.9\n";
    for views in [false, true] {
        let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
            .with_string_view(views)
            .build(log.as_bytes())
            .unwrap();
        let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
        let rows = all_rows(&batches);
        let column = |name: &str| rows.iter().map(|r| r[name].clone()).collect::<Vec<_>>();
        let ip = |s: &str| serde_json::Value::from(s);
        assert_eq!(
            column("c_ip"),
            [ip("192.0.2.1"), serde_json::Value::Null, ip("192.0.2.9")]
        );
        assert_eq!(column("cs_method"), ["GET", "PUT", "DELETE"]);
        assert_eq!(column("sc_status"), [200, 404, 500]);
        assert_eq!(reader.stats().rejected, 0);
    }
}

#[test]
fn the_read_ahead_is_bounded() {
    let mut log = String::new();
    while log.len() < 300 * 1024 {
        log.push_str("# a long preamble of comments\n");
    }
    log.push_str("#Fields: date time sc-status\n2024-01-01\t00:00:00\t200\n");
    let err = ReaderBuilder::new(Format::CloudFrontStandard)
        .build(log.as_bytes())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidHeader);
    assert!(err.to_string().contains("first 256 KiB"), "{err}");
    // With the field list given, nothing needs to be read ahead.
    let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_fields(
            aws_access_logs::cloudfront::FieldList::standard("date time sc-status").unwrap(),
        )
        .build(log.as_bytes())
        .unwrap();
    let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 1);
}

#[test]
fn auto_falls_back_to_the_given_field_list() {
    use aws_access_logs::cloudfront::FieldList;
    // Records that do not start with a timestamp cannot be detected, but the list says what
    // they are.
    let log = "192.0.2.1\t200\n192.0.2.2\t404\n";
    let mut reader = ReaderBuilder::auto()
        .with_fields(FieldList::realtime("c-ip,sc-status").unwrap())
        .build(log.as_bytes())
        .unwrap();
    assert_eq!(reader.format(), Format::CloudFrontRealtime);
    let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 2);
}
