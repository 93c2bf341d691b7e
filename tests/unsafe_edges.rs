//! The edges of the crate's `unsafe` code (`src/unchecked.rs` and its callers), through the
//! public API: text values taken from field spans without a second UTF-8 check (`Utf8` columns
//! copied from the line, `Utf8View` columns pointing into the read buffer) and CloudFront lines
//! whose bytes are all ASCII taken as text unchecked.
//!
//! Every text value is compared with an oracle made by the safe record types
//! ([`S3Record`], [`Record`]) and `String::from_utf8_lossy`, and every array is validated in
//! full (the check the unchecked constructors skip in release builds): empty values, `-`,
//! values of 12 and 13 bytes (inline and pointing views) and of 16 and 17 (the block copy of
//! `Utf8` columns), multi-byte characters next to separators and at the line's end, values
//! of a few KiB, lines ending exactly at the end of the input (the 16-byte reads stop short
//! there), a line split between two reads at every offset, and invalid UTF-8 (the row is kept,
//! repaired) placed across the 64-byte blocks of the ASCII scan.

mod common;

use std::io::Read;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::buffer::Buffer;
use arrow::datatypes::DataType;
use aws_access_logs::cloudfront::{CloudFrontRecord, FieldList};
use aws_access_logs::s3::{S3Field, S3Record};
use aws_access_logs::{Format, ReaderBuilder, RejectOutcome};
use common::{Trickle, decode_chunked_with};

/// Text values worth putting in a field: empty, `-`, around the inline length of a view (12)
/// and the block copy (16), ending in two-, three- and four-byte characters, long.
fn edge_values() -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = [
        "",
        "-",
        "a",
        "é",
        "𝄞",
        "abcdefghijkl",
        "abcdefghijklm",
        "0123456789é",
        "0123456789aé",
        "0123456789ab€",
        "012345678901234𝄞",
        "0123456789abcdef",
        "0123456789abcdefg",
        "0123456789abcdeé",
        "€€€€€€€€€€€€€€€€€",
    ]
    .iter()
    .map(|v| v.as_bytes().to_vec())
    .collect();
    values.push("𝄞".repeat(700).into_bytes());
    values.push(b"x".repeat(5000));
    values
}

/// Invalid UTF-8, which the reader repairs (U+FFFD) and records as a repaired line.
fn invalid_values() -> Vec<Vec<u8>> {
    vec![
        b"\xff".to_vec(),
        b"ab\xffcd".to_vec(),
        b"abcdefghijklmno\xe9".to_vec(),
        b"abcdefghijkl\xf0\x9d\x84".to_vec(),
    ]
}

/// The text columns of `batches`, as strings, each array validated in full.
fn text_columns(batches: &[RecordBatch]) -> Vec<(String, Vec<Option<String>>)> {
    let Some(first) = batches.first() else {
        return Vec::new();
    };
    let schema = first.schema();
    let mut columns = Vec::new();
    for (i, field) in schema.fields().iter().enumerate() {
        let mut values = Vec::new();
        for batch in batches {
            let column = batch.column(i);
            column.to_data().validate_full().unwrap();
            match field.data_type() {
                DataType::Utf8 => values.extend(
                    column
                        .as_string::<i32>()
                        .iter()
                        .map(|v| v.map(str::to_string)),
                ),
                DataType::Utf8View => values.extend(
                    column
                        .as_string_view()
                        .iter()
                        .map(|v| v.map(str::to_string)),
                ),
                _ => break,
            }
        }
        if values.len() == batches.iter().map(RecordBatch::num_rows).sum::<usize>()
            && !values.is_empty()
        {
            columns.push((field.name().clone(), values));
        }
    }
    columns
}

/// What a read gave: its text columns, rows and repaired lines.
#[derive(Debug, PartialEq)]
struct Outcome {
    columns: Vec<(String, Vec<Option<String>>)>,
    rows: u64,
    repaired: usize,
}

fn read_with(mut reader: aws_access_logs::Reader<impl Read>) -> Outcome {
    let mut batches = Vec::new();
    let mut repaired = 0;
    while let Some(batch) = reader.next_batch().unwrap() {
        batches.push(batch);
        repaired += reader
            .take_rejects()
            .iter()
            .filter(|r| r.outcome() == RejectOutcome::Repaired)
            .count();
    }
    repaired += reader
        .take_rejects()
        .iter()
        .filter(|r| r.outcome() == RejectOutcome::Repaired)
        .count();
    Outcome {
        columns: text_columns(&batches),
        rows: reader.stats().rows,
        repaired,
    }
}

/// `input` read every way, with `Utf8` and with `Utf8View` columns: over reads of a few sizes
/// (views point into each read buffer; a line cut between reads is carried and copied), over
/// the whole input as one shared buffer (its last line ends at the buffer's end), and pushed
/// into a `Decoder` in pieces (no shared buffer: views are copied). Each way must give `want`.
fn check_every_way(builder: impl Fn() -> ReaderBuilder, input: &[u8], want: &Outcome) {
    for views in [false, true] {
        let b = || builder().with_string_view(views).with_batch_size(7);
        let mut ways: Vec<(String, Outcome)> = Vec::new();
        for step in [1, 13, 64, 1000, usize::MAX] {
            let input = Trickle { data: input, step };
            ways.push((
                format!("reads of {step}"),
                read_with(b().build(input).unwrap()),
            ));
        }
        let buffer = Buffer::from_vec(input.to_vec());
        ways.push((
            "one buffer".into(),
            read_with(b().build_from_buffer(buffer).unwrap()),
        ));
        for piece in [1, 17, 100] {
            let (batches, rejects, stats) = decode_chunked_with(b(), input, piece, 7);
            let got = Outcome {
                columns: text_columns(&batches),
                rows: stats.rows,
                repaired: rejects
                    .iter()
                    .filter(|r| r.outcome() == RejectOutcome::Repaired)
                    .count(),
            };
            ways.push((format!("decoder pieces of {piece}"), got));
        }
        for (way, got) in ways {
            assert_eq!(&got, want, "{way}, string views {views}");
        }
    }
}

/// S3 lines with every edge value in each bare and quoted text field (the line's last field is
/// bare: a value ending the input ends a line without a newline).
#[test]
fn s3_text_values_at_their_edges() {
    let mut values = edge_values();
    values.extend(invalid_values());
    let bare: Vec<&Vec<u8>> = values.iter().filter(|v| !v.is_empty()).collect();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let other = bare[(i * 7 + 3) % bare.len()];
        let mut line = b"79a5 bucket [06/Feb/2019:00:00:38 +0000] 192.0.2.3 ".to_vec();
        line.extend_from_slice(bare[i % bare.len()]); // requester
        line.extend_from_slice(b" 3E57427F3EXAMPLE REST.GET.OBJECT ");
        line.extend_from_slice(other); // key
        line.extend_from_slice(b" \"GET /");
        line.extend_from_slice(other);
        line.extend_from_slice(b" HTTP/1.1\" 200 - 113 113 7 6 \"");
        line.extend_from_slice(value); // referer
        line.extend_from_slice(b"\" \"");
        line.extend_from_slice(bare[(i + 5) % bare.len()]); // user agent
        line.extend_from_slice(b"\" ");
        line.extend_from_slice(bare[(i * 3 + 1) % bare.len()]); // version id, at the end
        lines.push(line);
    }
    // The oracle: the safe record type, values repaired one by one.
    let mut want_columns: Vec<(String, Vec<Option<String>>)> = Vec::new();
    let mut repaired = 0;
    for &field in S3Field::ALL {
        let column = S3Field::schema().field(field.index()).clone();
        if column.data_type() != &DataType::Utf8 {
            continue;
        }
        let values = lines
            .iter()
            .map(|line| {
                let record = S3Record::parse(line).unwrap();
                record
                    .text(field)
                    .map(|v| String::from_utf8_lossy(v).into_owned())
            })
            .collect();
        want_columns.push((column.name().clone(), values));
    }
    for line in &lines {
        repaired += usize::from(std::str::from_utf8(line).is_err());
    }
    let want = Outcome {
        columns: want_columns,
        rows: lines.len() as u64,
        repaired,
    };
    assert!(want.repaired > 0);
    let input = lines.join(&b'\n');
    check_every_way(|| ReaderBuilder::new(Format::S3), &input, &want);
    // With a final newline too.
    let mut input = lines.join(&b'\n');
    input.push(b'\n');
    check_every_way(|| ReaderBuilder::new(Format::S3), &input, &want);
}

/// CloudFront real-time lines: every edge value in each text field, in the line's last field
/// too; ASCII lines of 63 to 130 bytes (around the 64-byte blocks of the ASCII scan), and lines
/// whose only non-ASCII byte sweeps across those blocks, valid (`é`) or not (`\xff`).
#[test]
fn cloudfront_text_values_at_their_edges() {
    let fields = FieldList::realtime("timestamp c-ip sc-status cs-uri-stem cs-user-agent").unwrap();
    let names: Vec<String> = fields.aws_names().map(str::to_string).collect();
    let schema = fields.schema();
    let line_of = |get: &dyn Fn(&str) -> Vec<u8>| -> Vec<u8> {
        let parts: Vec<Vec<u8>> = names.iter().map(|n| get(n)).collect();
        parts.join(&b'\t')
    };
    let mut values = edge_values();
    values.extend(invalid_values());
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        for text in 0..3 {
            lines.push(line_of(&|name| match name {
                "timestamp" => b"1684226820.937".to_vec(),
                "sc-status" => b"200".to_vec(),
                _ => {
                    // The value in one text field, others around it.
                    let which = ["c-ip", "cs-uri-stem", "cs-user-agent"]
                        .iter()
                        .position(|&n| n == name)
                        .unwrap();
                    if which == text {
                        value.clone()
                    } else {
                        values[(i + which + 1) % values.len()].clone()
                    }
                }
            }));
        }
    }
    for pad in 0..70 {
        for last in ["a", "é", "\u{7f}"]
            .map(str::as_bytes)
            .into_iter()
            .chain([&b"\xff"[..]])
        {
            lines.push(line_of(&|name| match name {
                "timestamp" => b"1684226820.937".to_vec(),
                "sc-status" => b"200".to_vec(),
                "c-ip" => b"192.0.2.10".to_vec(),
                "cs-uri-stem" => [b"/".as_slice(), &b"a".repeat(pad)].concat(),
                _ => last.to_vec(),
            }));
        }
    }
    // The oracle: the safe record type, values repaired one by one.
    let mut spans = Vec::new();
    let mut want_columns: Vec<(String, Vec<Option<String>>)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if schema.field(i).data_type() != &DataType::Utf8 {
            continue;
        }
        let values = lines
            .iter()
            .map(|line| {
                let record = CloudFrontRecord::parse(line, &fields, &mut spans).unwrap();
                record
                    .text(name)
                    .map(|v| String::from_utf8_lossy(v).into_owned())
            })
            .collect();
        want_columns.push((schema.field(i).name().clone(), values));
    }
    let want = Outcome {
        columns: want_columns,
        rows: lines.len() as u64,
        repaired: lines
            .iter()
            .filter(|l| std::str::from_utf8(l).is_err())
            .count(),
    };
    assert!(want.repaired > 0);
    assert!(lines.iter().any(|l| l.len() == 64 && l.is_ascii()));
    let builder = || ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(fields.clone());
    let input = lines.join(&b'\n');
    check_every_way(builder, &input, &want);
    let mut input = lines.join(&b'\n');
    input.push(b'\n');
    check_every_way(builder, &input, &want);
}
