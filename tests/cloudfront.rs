//! CloudFront real-time and standard logs: golden fixtures (every quirk of the format notes),
//! chunking invariance, field order, percent-decoding, detection and Parquet.

mod common;

use std::io::Write;

use arrow::datatypes::{DataType, TimeUnit};
use aws_access_logs::cloudfront::{FieldList, FieldOrder, UnknownFields};
use aws_access_logs::{ErrorKind, Format, ReaderBuilder, Reject};
use common::{all_rows, decode_chunked_with, fixture, rows_as_json};
use serde_json::Value;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(fixture(path)).unwrap()
}

fn expected(name: &str) -> Value {
    serde_json::from_slice(&read(&format!("cloudfront/{name}.expected.json"))).unwrap()
}

fn realtime_fields() -> FieldList {
    let config = String::from_utf8(read("cloudfront/realtime.config.json")).unwrap();
    FieldList::realtime(&config).unwrap()
}

fn builder_for(name: &str) -> ReaderBuilder {
    if name == "realtime" {
        ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(realtime_fields())
    } else {
        ReaderBuilder::new(Format::CloudFrontStandard)
    }
}

const FIXTURES: [&str; 6] = [
    "realtime",
    "standard-33",
    "standard-24",
    "standard-26",
    "standard-v2",
    "standard-multi",
];

fn type_name(t: &DataType) -> &'static str {
    match t {
        DataType::Utf8 => "Utf8",
        DataType::Int16 => "Int16",
        DataType::Int32 => "Int32",
        DataType::Int64 => "Int64",
        DataType::Float64 => "Float64",
        DataType::Timestamp(TimeUnit::Millisecond, Some(tz)) if tz.as_ref() == "UTC" => "Timestamp",
        other => panic!("unexpected type {other}"),
    }
}

fn check_rejects(name: &str, got: &[Reject], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{name}: {got:#?}");
    for (got, want) in got.iter().zip(want) {
        assert_eq!(got.line(), want["line"].as_u64().unwrap(), "{name}");
        assert_eq!(
            got.field(),
            want["field"].as_str(),
            "{name} line {}",
            got.line()
        );
        assert_eq!(
            format!("{:?}", got.kind()),
            want["kind"].as_str().unwrap(),
            "{name} line {}: {}",
            got.line(),
            got.error()
        );
        assert_eq!(got.outcome().as_str(), want["outcome"].as_str().unwrap());
    }
}

#[test]
fn golden_fixtures() {
    for name in FIXTURES {
        let want = expected(name);
        let input = read(&format!("cloudfront/{name}.log"));
        let mut reader = builder_for(name).build(&input[..]).unwrap();
        let schema = reader.schema();
        let columns: Vec<(String, String)> = schema
            .fields()
            .iter()
            .map(|f| (f.name().clone(), type_name(f.data_type()).to_string()))
            .collect();
        let want_columns: Vec<(String, String)> = want["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c[0].as_str().unwrap().into(), c[1].as_str().unwrap().into()))
            .collect();
        assert_eq!(columns, want_columns, "{name}");
        let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
        let rows = all_rows(&batches);
        let want_rows = want["rows"].as_array().unwrap();
        assert_eq!(rows.len(), want_rows.len(), "{name}");
        for (i, (got, want)) in rows.iter().zip(want_rows).enumerate() {
            assert_eq!(&Value::Object(got.clone()), want, "{name} row {i}");
        }
        check_rejects(name, &reader.take_rejects(), &want["rejects"]);
        let stats = reader.stats();
        let ws = &want["stats"];
        let got_stats = [
            stats.lines,
            stats.rows,
            stats.rejected,
            stats.repaired,
            stats.blank_lines,
            stats.comment_lines,
        ];
        let want_stats = [
            "lines",
            "rows",
            "rejected",
            "repaired",
            "blank_lines",
            "comment_lines",
        ]
        .map(|k| ws[k].as_u64().unwrap());
        assert_eq!(got_stats, want_stats, "{name}");
        assert_eq!(
            stats.rows + stats.rejected + stats.skipped(),
            stats.lines,
            "{name}"
        );
    }
}

#[test]
fn chunking_invariance() {
    for name in FIXTURES {
        let input = read(&format!("cloudfront/{name}.log"));
        let (whole, whole_rejects, whole_stats) =
            decode_chunked_with(builder_for(name), &input, input.len(), 1000);
        let whole_rows = all_rows(&whole);
        for chunk in [1, 2, 3, 5, 17, 64, 333] {
            for batch_size in [1, 2, 7, 1000] {
                let (batches, rejects, stats) =
                    decode_chunked_with(builder_for(name), &input, chunk, batch_size);
                assert_eq!(
                    all_rows(&batches),
                    whole_rows,
                    "{name} {chunk} {batch_size}"
                );
                assert_eq!(rejects, whole_rejects, "{name} {chunk} {batch_size}");
                assert_eq!(stats, whole_stats, "{name} {chunk} {batch_size}");
                assert!(batches.iter().all(|b| b.num_rows() <= batch_size));
            }
        }
    }
}

#[test]
fn realtime_fields_follow_canonical_order_not_the_configuration() {
    let want = expected("realtime");
    let config_order: Vec<&str> = want["config_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let fields = realtime_fields();
    let names: Vec<&str> = fields.aws_names().collect();
    assert_ne!(names, config_order);
    assert_eq!(
        names[..4],
        ["timestamp", "c-ip", "time-to-first-byte", "sc-status"]
    );
    assert_eq!(names.last(), Some(&"asn"));

    // Taking the configuration's order as the record order misaligns the fields: the
    // timestamp would land in cs_user_agent and the client IP in sc_status, which is caught.
    let as_given = FieldList::realtime_with(
        &config_order.join(","),
        FieldOrder::AsGiven,
        UnknownFields::Reject,
    )
    .unwrap();
    let input = read("cloudfront/realtime.log");
    let mut reader = ReaderBuilder::new(Format::CloudFrontRealtime)
        .with_fields(as_given)
        .build(&input[..])
        .unwrap();
    let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
    assert_eq!(rows, 0);
    assert!(
        reader
            .rejects()
            .iter()
            .any(|r| r.field() == Some("sc_status") && r.kind() == ErrorKind::InvalidInteger)
    );
}

#[test]
fn unknown_realtime_fields() {
    let err = FieldList::realtime("timestamp,c-ip,x-new-field").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("\"x-new-field\""), "{err}");
    let fields = FieldList::realtime_with(
        "timestamp c-ip x-new-field sc-status",
        FieldOrder::AsGiven,
        UnknownFields::Text,
    )
    .unwrap();
    let mut reader = ReaderBuilder::new(Format::CloudFrontRealtime)
        .with_fields(fields)
        .build(&b"1684226820.937\t192.0.2.1\topaque value\t200\n"[..])
        .unwrap();
    let batch = reader.next().unwrap().unwrap();
    let row = &rows_as_json(&batch)[0];
    assert_eq!(row["x_new_field"], "opaque value");
    assert_eq!(row["sc_status"], 200);
    assert_eq!(
        batch.schema().field(2).metadata()["aws_name"],
        "x-new-field"
    );
}

#[test]
fn percent_decoding_is_opt_in() {
    let input = read("cloudfront/realtime.log");
    let decoded = |columns: &[&str]| {
        let mut reader = ReaderBuilder::new(Format::CloudFrontRealtime)
            .with_fields(realtime_fields())
            .with_percent_decoding(columns.iter().copied())
            .build(&input[..])
            .unwrap();
        let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
        all_rows(&batches)
    };
    let raw = decoded(&[]);
    assert_eq!(
        raw[0]["cs_user_agent"],
        "Mozilla/5.0%20(X11;%20Linux%20x86_64)"
    );
    let rows = decoded(&["cs_user_agent", "cs_headers", "cs_uri_stem"]);
    assert_eq!(rows[0]["cs_user_agent"], "Mozilla/5.0 (X11; Linux x86_64)");
    assert_eq!(
        rows[0]["cs_headers"],
        "Host:www.example.com\nUser-Agent:curl/7.88.1\nAccept:*/*\n"
    );
    // Decoded once: the client's own %3A stays encoded.
    assert_eq!(
        rows[0]["cs_uri_stem"],
        "/i?stm=1607374321563&url=http%3A%2F%2Flocalhost%3A5000%2Fpage-2"
    );
    // A header list cut inside an escape keeps its raw value.
    assert_eq!(
        rows[3]["cs_headers"],
        "Host:www.example.com%0AAccept:text/html%0"
    );

    let input = read("cloudfront/standard-33.log");
    let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_percent_decoding(["cs_user_agent", "cs_uri_query", "sc_range_start_not_here"])
        .build(&input[..]);
    assert!(reader.is_err(), "an unknown column name is an error");
    reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_percent_decoding(["cs_user_agent", "cs_uri_query", "primary_distribution_id"])
        .build(&input[..]);
    let mut reader = reader.unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let rows = all_rows(&batches);
    assert_eq!(
        rows[3]["cs_user_agent"],
        "NewsBlur Feed Fetcher (\"Mozilla/5.0\")"
    );
    // The legacy double encoding of a space is undone.
    assert_eq!(rows[3]["cs_uri_query"], "a=1&b= ");
    assert_eq!(
        rows[5]["cs_user_agent"],
        "Mozilla/5.0 (compatible; bot/1.0)"
    );

    let err = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_percent_decoding(["sc_status"])
        .build(&input[..])
        .unwrap_err();
    assert!(err.to_string().contains("not a text column"), "{err}");
}

#[test]
fn detection() {
    for (name, format) in [
        ("realtime", Format::CloudFrontRealtime),
        ("standard-33", Format::CloudFrontStandard),
        ("standard-v2", Format::CloudFrontStandard),
    ] {
        let input = read(&format!("cloudfront/{name}.log"));
        assert_eq!(Format::detect(&input).unwrap(), format, "{name}");
    }
    let s3 = read("s3/quirks.log");
    assert_eq!(Format::detect(&s3).unwrap(), Format::S3);

    // Auto: standard logs need nothing more; real-time logs need the field list.
    let input = read("cloudfront/standard-33.log");
    let mut reader = ReaderBuilder::auto().build(&input[..]).unwrap();
    assert_eq!(reader.format(), Format::CloudFrontStandard);
    assert_eq!(
        reader
            .by_ref()
            .map(|b| b.unwrap().num_rows())
            .sum::<usize>(),
        7
    );

    let input = read("cloudfront/realtime.log");
    let err = ReaderBuilder::auto().build(&input[..]).unwrap_err();
    assert!(err.to_string().contains("field list"), "{err}");
    let err = ReaderBuilder::new(Format::CloudFrontRealtime)
        .build(&input[..])
        .unwrap_err();
    assert!(err.to_string().contains("field list"), "{err}");
    let reader = ReaderBuilder::auto()
        .with_fields(realtime_fields())
        .build(&input[..])
        .unwrap();
    assert_eq!(reader.format(), Format::CloudFrontRealtime);

    // A real-time field list given to auto is ignored for other formats.
    let mut reader = ReaderBuilder::auto()
        .with_fields(realtime_fields())
        .build(&s3[..])
        .unwrap();
    assert_eq!(reader.format(), Format::S3);
    assert!(reader.next().unwrap().is_ok());

    let err = ReaderBuilder::auto()
        .build(&b"\n\nGET /index.html 200\n"[..])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownFormat);
    assert!(
        err.to_string().contains("line 3: \"GET /index.html 200\""),
        "{err}"
    );
    let err = ReaderBuilder::auto().build(&b""[..]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownFormat);
}

#[test]
fn standard_without_header_needs_a_field_list() {
    let input = b"2019-12-04\t21:02:31\t200\n";
    let err = ReaderBuilder::new(Format::CloudFrontStandard)
        .build(&input[..])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidHeader);
    assert!(err.to_string().contains("line 1"), "{err}");
    let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_fields(FieldList::standard("date time sc-status").unwrap())
        .build(&input[..])
        .unwrap();
    let rows = rows_as_json(&reader.next().unwrap().unwrap());
    assert_eq!(rows[0]["timestamp"], 1_575_493_351_000i64);
    assert_eq!(rows[0]["sc_status"], 200);

    // A push decoder learns the schema from the #Fields: line; data before it is rejected.
    let mut decoder = ReaderBuilder::new(Format::CloudFrontStandard)
        .build_decoder()
        .unwrap();
    assert!(decoder.schema().fields().is_empty());
    decoder
        .decode(b"2019-12-04\t21:02:31\n#Fields: date time sc-status\n2019-12-04\t21:02:31\t404\n")
        .unwrap();
    decoder.finish().unwrap();
    assert_eq!(decoder.schema().fields().len(), 2);
    let batch = decoder.flush().unwrap().unwrap();
    assert_eq!(rows_as_json(&batch)[0]["sc_status"], 404);
    let rejects = decoder.take_rejects();
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].kind(), ErrorKind::InvalidHeader);
    assert_eq!(
        decoder.field_names().unwrap(),
        ["date", "time", "sc-status"]
    );
}

#[test]
fn projection_and_gzip() {
    let input = read("cloudfront/standard-33.log");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&input).unwrap();
    let gz = gz.finish().unwrap();
    // timestamp, c_ip, sc_status of the header's schema.
    let mut reader = ReaderBuilder::new(Format::CloudFrontStandard)
        .with_projection(vec![0, 3, 7])
        .build(&gz[..])
        .unwrap();
    assert!(reader.is_gzip());
    let names: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["timestamp", "c_ip", "sc_status"]);
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let rows = all_rows(&batches);
    let want = expected("standard-33");
    for (got, want) in rows.iter().zip(want["rows"].as_array().unwrap()) {
        for c in ["timestamp", "c_ip", "sc_status"] {
            assert_eq!(got[c], want[c]);
        }
    }
    assert_eq!(reader.stats().rejected, 6);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_records_the_field_list() {
    use aws_access_logs::parquet::{META_FIELDS, META_FORMAT, ParquetOptions, write_parquet};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    let input = read("cloudfront/realtime.log");
    let mut out = Vec::new();
    let mut reader = ReaderBuilder::new(Format::CloudFrontRealtime)
        .with_fields(realtime_fields())
        .build(&input[..])
        .unwrap();
    let summary = write_parquet(&mut reader, &mut out, &ParquetOptions::default()).unwrap();
    assert_eq!(summary.stats.rows, 6);
    let file = SerializedFileReader::new(bytes::Bytes::from(out)).unwrap();
    let kv = file
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .clone();
    let get = |k: &str| {
        kv.iter()
            .find(|e| e.key == k)
            .and_then(|e| e.value.clone())
            .unwrap()
    };
    assert_eq!(get(META_FORMAT), "cloudfront-realtime");
    assert_eq!(
        get(META_FIELDS),
        realtime_fields().aws_names().collect::<Vec<_>>().join(",")
    );
    assert_eq!(file.metadata().file_metadata().num_rows(), 6);
}

#[test]
fn integers_fill_their_signed_columns_and_a_value_beyond_is_a_typed_reject() {
    let decode = |line: &str| {
        let fields = FieldList::realtime("sc-status,c-port,asn,cs-headers-count,sc-bytes").unwrap();
        let builder = ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(fields);
        let (batches, rejects, _) = decode_chunked_with(builder, line.as_bytes(), 1 << 16, 16);
        (batches, rejects)
    };
    // Canonical order: sc-status, sc-bytes, c-port, cs-headers-count, asn.
    let (batches, rejects) = decode("32767\t9223372036854775807\t65535\t2147483647\t4294967295\n");
    assert!(rejects.is_empty(), "{rejects:?}");
    let batch = &batches[0];
    let types: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().to_string())
        .collect();
    assert_eq!(types, ["Int16", "Int64", "Int32", "Int32", "Int64"]);
    let rows = rows_as_json(batch);
    assert_eq!(rows[0]["sc_status"], 32767);
    assert_eq!(rows[0]["sc_bytes"], i64::MAX);
    assert_eq!(rows[0]["c_port"], 65535);
    assert_eq!(rows[0]["cs_headers_count"], i32::MAX);
    assert_eq!(rows[0]["asn"], u32::MAX);
    for (field, line) in [
        ("sc_status", "32768\t1\t1\t1\t1\n"),
        ("sc_bytes", "200\t9223372036854775808\t1\t1\t1\n"),
        ("c_port", "200\t1\t65536\t1\t1\n"),
        ("cs_headers_count", "200\t1\t1\t2147483648\t1\n"),
        ("asn", "200\t1\t1\t1\t4294967296\n"),
    ] {
        let (batches, rejects) = decode(line);
        assert_eq!(
            batches.iter().map(|b| b.num_rows()).sum::<usize>(),
            0,
            "{field}"
        );
        assert_eq!(rejects.len(), 1, "{field}");
        assert_eq!(rejects[0].kind(), ErrorKind::InvalidInteger, "{field}");
        assert_eq!(rejects[0].field(), Some(field));
    }
}
