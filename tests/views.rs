//! Text columns as string views (`ReaderBuilder::with_string_view`): the same values, rejects
//! and Parquet files as with `Utf8` columns, whatever way the input arrives.

mod common;
#[cfg(feature = "parquet")]
#[path = "../examples/generate/logs.rs"]
mod generate;

use std::io::Read;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::DataType;
use aws_access_logs::cloudfront::FieldList;
#[cfg(feature = "parquet")]
use aws_access_logs::parquet::{ParquetOptions, write_parquet};
use aws_access_logs::{Format, ReaderBuilder};
use common::{Trickle, all_rows, gzip};

fn cases() -> Vec<(&'static str, ReaderBuilder)> {
    let config =
        std::fs::read_to_string(common::fixture("cloudfront/realtime.config.json")).unwrap();
    let realtime = || {
        ReaderBuilder::new(Format::CloudFrontRealtime)
            .with_fields(FieldList::realtime(&config).unwrap())
    };
    vec![
        ("s3/quirks.log", ReaderBuilder::new(Format::S3)),
        ("cloudfront/realtime.log", realtime()),
        (
            "cloudfront/realtime.log",
            realtime().with_percent_decoding(["cs_user_agent", "cs_uri_query", "cs_referer"]),
        ),
        ("cloudfront/standard-24.log", ReaderBuilder::auto()),
        ("cloudfront/standard-26.log", ReaderBuilder::auto()),
        ("cloudfront/standard-33.log", ReaderBuilder::auto()),
        ("cloudfront/standard-multi.log", ReaderBuilder::auto()),
        ("cloudfront/standard-v2.log", ReaderBuilder::auto()),
        (
            "s3/quirks.log",
            ReaderBuilder::new(Format::S3).with_projection(vec![8, 2, 16, 9]),
        ),
    ]
}

fn read_all(builder: ReaderBuilder, input: impl Read) -> (Vec<RecordBatch>, Vec<String>) {
    let mut reader = builder.with_batch_size(5).build(input).unwrap();
    let mut batches = Vec::new();
    let mut rejects = Vec::new();
    while let Some(batch) = reader.next_batch().unwrap() {
        batch
            .columns()
            .iter()
            .for_each(|c| c.to_data().validate_full().unwrap());
        batches.push(batch);
        rejects.extend(reader.take_rejects().iter().map(|r| format!("{r:?}")));
    }
    (batches, rejects)
}

#[test]
fn views_hold_the_same_values_and_rejects_as_utf8() {
    for (path, builder) in cases() {
        let input = std::fs::read(common::fixture(path)).unwrap();
        let (plain, plain_rejects) = read_all(builder.clone(), &input[..]);
        let plain_rows = all_rows(&plain);
        assert!(!plain_rows.is_empty(), "{path}");
        let text_columns = plain[0]
            .schema()
            .fields()
            .iter()
            .filter(|f| f.data_type() == &DataType::Utf8)
            .count();
        assert!(text_columns > 0, "{path}");
        let views = builder.clone().with_string_view(true);
        for step in [1, 7, 64, 1 << 20] {
            let (batches, rejects) = read_all(views.clone(), Trickle { data: &input, step });
            let schema = batches[0].schema();
            for (p, v) in plain[0].schema().fields().iter().zip(schema.fields()) {
                let expected = match p.data_type() {
                    DataType::Utf8 => &DataType::Utf8View,
                    other => other,
                };
                assert_eq!(v.data_type(), expected, "{path}: {}", v.name());
                assert_eq!(v.metadata(), p.metadata(), "{path}");
            }
            assert_eq!(
                all_rows(&batches),
                plain_rows,
                "{path}, reads of {step} bytes"
            );
            assert_eq!(rejects, plain_rejects, "{path}, reads of {step} bytes");
        }
        // Gzip input, and the push decoder.
        let (batches, _) = read_all(views.clone(), &gzip(&input)[..]);
        assert_eq!(all_rows(&batches), plain_rows, "{path}, gzip");
    }
}

#[test]
fn long_values_point_into_the_read_buffer() {
    let line = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /awsexamplebucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -\n";
    let input = line.repeat(3);
    let (batches, _) = read_all(
        ReaderBuilder::new(Format::S3).with_string_view(true),
        input.as_bytes(),
    );
    let batch = &batches[0];
    let request_uri = batch
        .column_by_name("request_uri")
        .unwrap()
        .as_string_view();
    assert_eq!(
        request_uri.value(2),
        "GET /awsexamplebucket1?versioning HTTP/1.1"
    );
    // The block of copied values (the first line straddles the first two reads: the gzip
    // check reads two bytes ahead), then the read buffer that the other rows point into.
    assert_eq!(request_uri.data_buffers().len(), 2);
    let shared = request_uri.data_buffers()[1].as_ptr();
    for column in ["request_uri", "requester", "bucket_owner"] {
        let array = batch.column_by_name(column).unwrap().as_string_view();
        assert_eq!(array.data_buffers()[1].as_ptr(), shared, "{column}");
        for row in 1..3 {
            let view = arrow::array::ByteView::from(array.views()[row]);
            assert_eq!(view.buffer_index, 1, "{column} {row}");
        }
    }
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_is_the_same_file_from_views() {
    for (path, builder) in cases() {
        let input = std::fs::read(common::fixture(path)).unwrap();
        let write = |builder: ReaderBuilder| {
            let mut reader = builder.with_batch_size(3).build(&input[..]).unwrap();
            let mut out = Vec::new();
            write_parquet(
                &mut reader,
                &mut out,
                &ParquetOptions::new().with_max_row_group_rows(4),
            )
            .unwrap();
            out
        };
        let plain = write(builder.clone());
        assert_eq!(write(builder.with_string_view(true)), plain, "{path}");
    }
}

/// Batches larger than a quarter of the row-group byte limit are written in parts sized by
/// their rows' bytes, not by their Arrow memory (which, for views into one buffer, counts the
/// buffer once per column): a file of many row groups is the same from views into one buffer
/// as from `Utf8` columns (generated logs, as varied as real ones).
#[cfg(feature = "parquet")]
#[test]
fn parquet_of_many_row_groups_is_the_same_file_from_views_into_one_buffer() {
    use generate::{Generator, Kind};
    /// Writes each batch as two slices, as a caller that splits batches (by partition, say)
    /// does: a slice's Arrow memory is all of its buffers'.
    fn write(mut reader: aws_access_logs::Reader<impl Read>) -> Vec<u8> {
        use aws_access_logs::parquet::ParquetWriter;
        // Row groups of 2 MiB (the Lambda's are 4 MiB), so batches of thousands of rows are
        // written in parts, and 24 MB of log makes several row groups.
        let options = ParquetOptions::new().with_max_row_group_bytes(2 << 20);
        let mut out = Vec::new();
        let mut writer =
            ParquetWriter::try_new(&mut out, reader.schema(), reader.format(), &options).unwrap();
        for batch in reader.by_ref() {
            let batch = batch.unwrap();
            let cut = batch.num_rows() / 3;
            writer.write(&batch.slice(0, cut)).unwrap();
            writer
                .write(&batch.slice(cut, batch.num_rows() - cut))
                .unwrap();
        }
        writer.finish(&reader.stats()).unwrap();
        out
    }
    let realtime = FieldList::realtime(generate::REALTIME_FIELDS).unwrap();
    for (kind, builder) in [
        (Kind::S3, ReaderBuilder::new(Format::S3)),
        (
            Kind::CloudFrontRealtime,
            ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(realtime),
        ),
    ] {
        let mut generator = Generator::new(kind, 7);
        let mut log = String::new();
        while log.len() < 24 << 20 {
            generator.line(&mut log);
        }
        let plain = write(builder.clone().build(log.as_bytes()).unwrap());
        let buffer = arrow::buffer::Buffer::from_vec(log.into_bytes());
        let views = builder.with_string_view(true).build_from_buffer(buffer);
        assert!(write(views.unwrap()) == plain, "{kind:?}: the files differ");
        let file = parquet::file::reader::SerializedFileReader::new(bytes::Bytes::from(plain));
        let groups = parquet::file::reader::FileReader::metadata(&file.unwrap()).num_row_groups();
        assert!(groups > 2, "{kind:?}: {groups} row groups");
    }
}

#[test]
fn parallel_readers_give_views_too() {
    let input = std::fs::read(common::fixture("s3/quirks.log")).unwrap();
    let mut big = Vec::new();
    for _ in 0..200 {
        big.extend_from_slice(&input);
    }
    let builder = ReaderBuilder::new(Format::S3).with_segment_size(4096);
    let plain: Vec<RecordBatch> = builder
        .clone()
        .build_parallel(std::io::Cursor::new(big.clone()), 2)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let views: Vec<RecordBatch> = builder
        .with_string_view(true)
        .build_parallel(std::io::Cursor::new(big), 2)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        views[0]
            .schema()
            .field_with_name("key")
            .unwrap()
            .data_type(),
        &DataType::Utf8View
    );
    assert_eq!(all_rows(&views), all_rows(&plain));
}
