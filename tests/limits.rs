//! Resource limits on hostile input: line length, fields per line, and how far a gzip input
//! may expand (absolute size and ratio). Each limit ends in a typed reject or error, after the
//! rows before it, and the counters stay balanced.

mod common;

use arrow::array::RecordBatch;
use aws_access_logs::cloudfront::FieldList;
use aws_access_logs::{DecodeStats, Error, ErrorKind, Format, Reader, ReaderBuilder, Reject};
use common::{balanced, gzip};

/// Reads everything: the batches, every reject, and the error that ended the input, if any.
fn read_all<R: std::io::Read>(
    mut reader: Reader<R>,
) -> (Vec<RecordBatch>, Vec<Reject>, Option<Error>, DecodeStats) {
    let mut batches = Vec::new();
    let mut rejects = Vec::new();
    let error = loop {
        match reader.next_batch() {
            Ok(Some(batch)) => batches.push(batch),
            Ok(None) => break None,
            Err(err) => break Some(err),
        }
        rejects.extend(reader.take_rejects());
    };
    rejects.extend(reader.take_rejects());
    let stats = reader.stats();
    assert!(balanced(stats), "{stats:?}");
    (batches, rejects, error, stats)
}

fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}

const S3_LINE: &str = "79a5 bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ID REST.GET.OBJECT k \
    \"GET /k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\" -\n";

fn realtime_fields() -> FieldList {
    FieldList::realtime("timestamp c-ip sc-status cs-uri-stem").unwrap()
}

#[test]
fn long_lines_are_rejected_in_every_format_without_being_buffered_whole() {
    let long = "x".repeat(5000);
    let cases: [(ReaderBuilder, String); 3] = [
        (
            ReaderBuilder::new(Format::S3),
            format!("{S3_LINE}{}{long}\n{S3_LINE}", &S3_LINE[..40]),
        ),
        (
            ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(realtime_fields()),
            format!("1.5\t192.0.2.1\t200\t/a\n1.5\t192.0.2.1\t200\t/{long}\n2.5\t::1\t404\t/b\n"),
        ),
        (
            ReaderBuilder::new(Format::CloudFrontStandard),
            format!(
                "#Fields: date time sc-status cs-uri-stem\n2024-01-01\t00:00:00\t200\t/a\n\
                 2024-01-01\t00:00:01\t200\t/{long}\n2024-01-01\t00:00:02\t304\t/b\n"
            ),
        ),
    ];
    for (builder, log) in cases {
        for input in [log.as_bytes().to_vec(), gzip(log.as_bytes())] {
            let reader = builder
                .clone()
                .with_max_line_length(1000)
                .build(&input[..])
                .unwrap();
            let format = reader.format();
            let (batches, rejects, error, stats) = read_all(reader);
            assert!(error.is_none(), "{format:?}: {error:?}");
            assert_eq!(rows(&batches), 2, "{format:?}");
            assert_eq!(rejects.len(), 1, "{format:?}");
            assert_eq!(rejects[0].kind(), ErrorKind::LineTooLong);
            assert_eq!(
                rejects[0].raw().len(),
                1000,
                "only the first 1000 bytes are kept"
            );
            let message = rejects[0].error().to_string();
            assert!(message.contains("maximum 1000"), "{message}");
            assert_eq!(stats.rejected, 1);
        }
    }
    // The maximum is bounded: a batch's text must stay addressable.
    let err = ReaderBuilder::new(Format::S3)
        .with_max_line_length(0)
        .build(&b""[..])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn lines_with_too_many_fields_are_rejected_in_every_format() {
    // S3: extra fields beyond the maximum.
    let wide = format!("{} {}\n", S3_LINE.trim_end(), ["x"; 40].join(" "));
    let log = format!("{wide}{S3_LINE}");
    let reader = ReaderBuilder::new(Format::S3)
        .with_max_fields(30)
        .build(log.as_bytes())
        .unwrap();
    let (batches, rejects, _, _) = read_all(reader);
    assert_eq!(rows(&batches), 1);
    assert_eq!(rejects[0].kind(), ErrorKind::TooManyFields);
    assert_eq!(rejects[0].line(), 1);

    // Real-time: a line of many tabs stops at the maximum, not at the field list's length.
    let tabs = format!("1.5{}\n1.5\t192.0.2.1\t200\t/a\n", "\t-".repeat(1000));
    let reader = ReaderBuilder::new(Format::CloudFrontRealtime)
        .with_fields(realtime_fields())
        .with_max_fields(64)
        .build(tabs.as_bytes())
        .unwrap();
    let (batches, rejects, _, _) = read_all(reader);
    assert_eq!(rows(&batches), 1);
    assert_eq!(rejects[0].kind(), ErrorKind::TooManyFields);
    assert!(
        rejects[0].error().to_string().contains("maximum 64"),
        "{:?}",
        rejects[0]
    );

    // Standard: a #Fields: header naming more fields than the maximum is refused at once.
    let names: Vec<String> = (0..300).map(|i| format!("x-field-{i}")).collect();
    let log = format!("#Fields: {}\n1\n", names.join(" "));
    let err = ReaderBuilder::new(Format::CloudFrontStandard)
        .build(log.as_bytes())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidHeader);
    assert!(err.to_string().contains("maximum fields (256)"), "{err}");
    // ... and a later one in a concatenated file rejects itself (and the lines it governs).
    let log = format!(
        "#Fields: date time sc-status\n2024-01-01\t00:00:00\t200\n#Fields: {}\n1\n",
        names.join(" ")
    );
    let reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .build(log.as_bytes())
        .unwrap();
    let (batches, rejects, error, _) = read_all(reader);
    assert!(error.is_none());
    assert_eq!(rows(&batches), 1);
    assert_eq!(rejects[0].kind(), ErrorKind::TooManyFields);
    assert_eq!(rejects[0].line(), 3);
}

/// `n` lines of `len` bytes (rejected as too long by a 64-byte line limit).
fn bomb_text(n: usize, len: usize) -> Vec<u8> {
    let mut line = vec![b'a'; len];
    line.push(b'\n');
    line.repeat(n)
}

#[test]
fn a_gzip_bomb_is_refused_after_the_grace_and_the_rows_before_it() {
    // One member of 64 KiB lines, repeated: about 700 decompressed bytes per compressed byte.
    let member = gzip(&bomb_text(4, 64 * 1024));
    let members = (ReaderBuilder::GZIP_RATIO_GRACE as usize) / (4 * 64 * 1024) + 8;
    let bomb = member.repeat(members);
    let decompressed = (members * 4 * (64 * 1024 + 1)) as u64;
    assert!(decompressed / bomb.len() as u64 > 500);

    let builder = ReaderBuilder::new(Format::S3).with_max_line_length(64);
    let reader = builder.clone().build(&bomb[..]).unwrap();
    let (batches, rejects, error, stats) = read_all(reader);
    let error = error.expect("the bomb is refused");
    assert_eq!(error.kind(), ErrorKind::DecompressionLimit);
    let message = error.to_string();
    assert!(message.contains("expands more than 100×"), "{message}");
    assert!(message.contains("with_max_gzip_ratio"), "{message}");
    assert_eq!(rows(&batches), 0);
    // Everything decompressed before the limit was decoded: complete lines are LineTooLong
    // rejects; a line the limit cut would be a reject of the limit's kind (here the read
    // refused begins a gzip member, which begins a line).
    // The read that crossed the grace (at most 256 KiB) is the one refused.
    assert!(stats.lines * (64 * 1024 + 1) >= ReaderBuilder::GZIP_RATIO_GRACE - (256 << 10));
    assert!(stats.lines * (64 * 1024 + 1) <= ReaderBuilder::GZIP_RATIO_GRACE + (64 * 1024 + 1));
    assert!(rejects.iter().all(|r| r.kind() == ErrorKind::LineTooLong));
    assert_eq!(rejects.len() as u64, stats.lines);
    assert!(
        message.contains(&format!(
            "stopped after {} decompressed bytes",
            stats.lines * (64 * 1024 + 1)
        )),
        "{message}"
    );

    // Without the ratio check the same input reads to the end.
    let reader = builder
        .with_max_gzip_ratio(u64::MAX)
        .build(&bomb[..])
        .unwrap();
    let (_, rejects, error, stats) = read_all(reader);
    assert!(error.is_none(), "{error:?}");
    assert_eq!(stats.lines, members as u64 * 4);
    assert_eq!(rejects.len() as u64, stats.lines);
}

#[test]
fn the_decompressed_size_limit_keeps_exactly_the_bytes_before_it() {
    let log = S3_LINE.repeat(10);
    let gz = gzip(log.as_bytes());
    let line = S3_LINE.len() as u64;
    let limit = 3 * line + 20;

    let reader = ReaderBuilder::new(Format::S3)
        .with_max_decompressed_bytes(limit)
        .build(&gz[..])
        .unwrap();
    let (batches, rejects, error, stats) = read_all(reader);
    assert_eq!(rows(&batches), 3);
    let error = error.expect("the limit is an error");
    assert_eq!(error.kind(), ErrorKind::DecompressionLimit);
    let message = error.to_string();
    assert!(
        message.contains(&format!("more than {limit} bytes")),
        "{message}"
    );
    assert!(
        message.contains(&format!("stopped after {limit} decompressed bytes")),
        "{message}"
    );
    // The line cut by the limit is kept as a reject with the bytes read of it.
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].kind(), ErrorKind::DecompressionLimit);
    assert_eq!(rejects[0].line(), 4);
    assert_eq!(rejects[0].raw(), &S3_LINE.as_bytes()[..20]);
    assert_eq!(stats.lines, 4);

    // A limit equal to the size is not exceeded; plain input is never limited.
    for (input, limit) in [(&gz[..], log.len() as u64), (log.as_bytes(), 10)] {
        let reader = ReaderBuilder::new(Format::S3)
            .with_max_decompressed_bytes(limit)
            .build(input)
            .unwrap();
        let (batches, _, error, _) = read_all(reader);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(rows(&batches), 10);
    }

    // The limit also holds while detecting the format and reading a standard log's header.
    let err = ReaderBuilder::auto()
        .with_max_decompressed_bytes(10)
        .build(&gz[..])
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DecompressionLimit, "{err}");

    for bad in [
        ReaderBuilder::new(Format::S3).with_max_decompressed_bytes(0),
        ReaderBuilder::new(Format::S3).with_max_gzip_ratio(0),
    ] {
        let err = bad.build(&gz[..]).map(|_| ()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }
}

#[test]
fn the_least_maximum_field_count_is_the_formats_own() {
    // S3 access log lines have at least 17 fields; CloudFront takes any maximum of 1 or more.
    let s3 = ReaderBuilder::new(Format::S3)
        .with_max_fields(16)
        .build_decoder();
    assert_eq!(s3.unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert!(
        ReaderBuilder::new(Format::S3)
            .with_max_fields(17)
            .build_decoder()
            .is_ok()
    );
    let fields = FieldList::realtime("timestamp,c-ip,sc-status").unwrap();
    let mut reader = ReaderBuilder::new(Format::CloudFrontRealtime)
        .with_fields(fields.clone())
        .with_max_fields(3)
        .build(&b"1684226820.937\t192.0.2.1\t200\n1684226820.937\t192.0.2.1\t200\tx\n"[..])
        .unwrap();
    let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 1);
    let rejects = reader.take_rejects();
    assert_eq!(rejects[0].error().kind(), ErrorKind::TooManyFields);
    let zero = ReaderBuilder::new(Format::CloudFrontRealtime)
        .with_fields(fields)
        .with_max_fields(0)
        .build_decoder();
    assert_eq!(zero.unwrap_err().kind(), ErrorKind::InvalidArgument);
}
