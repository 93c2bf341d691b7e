//! Golden fixtures, chunking invariance, reader options and Parquet output for S3 access logs.

mod common;

use std::io::Write;

use aws_access_logs::{ErrorKind, ErrorPolicy, Format, ReaderBuilder, RejectOutcome, s3::S3Field};
use common::{all_rows, decode_chunked, fixture, rows_as_json};
use serde_json::Value;

fn quirks() -> (Vec<u8>, Value) {
    let log = std::fs::read(fixture("s3/quirks.log")).unwrap();
    let expected: Value =
        serde_json::from_slice(&std::fs::read(fixture("s3/quirks.expected.json")).unwrap())
            .unwrap();
    (log, expected)
}

#[test]
fn golden_quirks_rows_rejects_and_stats() {
    let (log, expected) = quirks();
    let mut reader = ReaderBuilder::new(Format::S3).build(&log[..]).unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let rows = all_rows(&batches);
    let want_rows = expected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want_rows.len());
    for (got, want) in rows.iter().zip(want_rows) {
        for column in S3Field::ALL {
            let name = column.name();
            assert_eq!(
                got[name], want[name],
                "line {} column {name}",
                want["_line"]
            );
        }
    }

    let stats = reader.stats();
    let want = &expected["stats"];
    assert_eq!(stats.lines, want["lines"].as_u64().unwrap());
    assert_eq!(stats.rows, want["rows"].as_u64().unwrap());
    assert_eq!(stats.rejected, want["rejected"].as_u64().unwrap());
    assert_eq!(stats.repaired, want["repaired"].as_u64().unwrap());
    assert_eq!(stats.blank_lines, want["blank_lines"].as_u64().unwrap());
    assert_eq!(stats.rows + stats.rejected + stats.blank_lines, stats.lines);

    let rejects = reader.take_rejects();
    let want_rejects = expected["rejects"].as_array().unwrap();
    assert_eq!(rejects.len(), want_rejects.len());
    for (got, want) in rejects.iter().zip(want_rejects) {
        assert_eq!(got.line(), want["line"].as_u64().unwrap());
        assert_eq!(got.byte_offset(), want["byte_offset"].as_u64().unwrap());
        assert_eq!(got.field(), want["field"].as_str(), "line {}", got.line());
        assert_eq!(
            format!("{:?}", got.kind()),
            want["kind"].as_str().unwrap(),
            "line {}",
            got.line()
        );
        assert_eq!(got.outcome().as_str(), want["outcome"].as_str().unwrap());
        // The raw bytes are the line as it is in the file, without terminator.
        let start = got.byte_offset() as usize;
        assert_eq!(&log[start..start + got.raw().len()], got.raw());
        assert!(matches!(
            log.get(start + got.raw().len()),
            Some(b'\n') | Some(b'\r') | None
        ));
    }
}

#[test]
fn schema_names_types_nullability_and_metadata() {
    let schema = Format::S3.schema().unwrap();
    let names: Vec<_> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(
        names,
        [
            "bucket_owner",
            "bucket",
            "time",
            "remote_ip",
            "requester",
            "request_id",
            "operation",
            "key",
            "request_uri",
            "http_status",
            "error_code",
            "bytes_sent",
            "object_size",
            "total_time_ms",
            "turn_around_time_ms",
            "referer",
            "user_agent",
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
            "trailing_fields",
        ]
    );
    let types: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| f.data_type().to_string())
        .collect();
    assert_eq!(types[2], "Timestamp(ms, \"UTC\")");
    assert_eq!(types[9], "Int16");
    assert_eq!(types[11], "Int64");
    assert_eq!(types[12], "Int64");
    assert_eq!(types[13], "Int32");
    assert_eq!(types[14], "Int32");
    assert_eq!(types[25], "Boolean");
    for (i, t) in types.iter().enumerate() {
        if ![2, 9, 11, 12, 13, 14, 25].contains(&i) {
            assert_eq!(t, "Utf8", "column {i}");
        }
    }
    for field in schema.fields() {
        assert_eq!(field.is_nullable(), field.name() != "bytes_sent");
        assert!(field.metadata().contains_key("aws_name"));
    }
    assert_eq!(schema.field(15).metadata()["aws_name"], "Referer");
    assert_eq!(schema.field(25).metadata()["aws_name"], "aclRequired");
}

/// Every fixture × batch sizes × chunk sizes gives identical batches and rejects.
#[test]
fn chunking_invariance() {
    let (quirks, _) = quirks();
    // Every fixture in fixtures/s3, plus variants of the quirks fixture.
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(fixture("s3"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(!inputs.is_empty());
    // The same fixture without the final newline trimmed, and with CRLF everywhere.
    let mut with_newline = quirks.clone();
    with_newline.push(b'\n');
    inputs.push(with_newline);
    inputs.push(
        String::from_utf8_lossy(&quirks)
            .replace('\n', "\r\n")
            .into_bytes(),
    );
    for input in &inputs {
        let whole = input.len();
        let (reference, ref_rejects, ref_stats) = decode_chunked(input, whole, 8192);
        let reference_rows = all_rows(&reference);
        for batch_size in [1, 3, 100, 8192] {
            for chunk in [1, 2, 7, 4096, whole] {
                let (batches, rejects, stats) = decode_chunked(input, chunk, batch_size);
                assert_eq!(
                    all_rows(&batches),
                    reference_rows,
                    "batch {batch_size} chunk {chunk}"
                );
                assert_eq!(rejects, ref_rejects, "batch {batch_size} chunk {chunk}");
                assert_eq!(stats, ref_stats);
                // Batches are full except the last.
                let sizes: Vec<_> = batches.iter().map(|b| b.num_rows()).collect();
                let n = sizes.len();
                for (i, &s) in sizes.iter().enumerate() {
                    assert!(s >= 1 && s <= batch_size);
                    if i + 1 < n {
                        assert_eq!(s, batch_size);
                    }
                }
                // The same batches, split the same way, as the single-batch reference.
                if batch_size == 8192 {
                    assert_eq!(batches, reference);
                }
            }
        }
    }
}

#[test]
fn reader_batches_match_decoder_and_keep_input_order() {
    let (log, expected) = quirks();
    let reader = ReaderBuilder::new(Format::S3)
        .with_batch_size(4)
        .build(&log[..])
        .unwrap();
    let batches: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    assert!(batches.iter().all(|b| b.num_rows() <= 4));
    let request_ids: Vec<_> = all_rows(&batches)
        .into_iter()
        .map(|r| r["request_id"].clone())
        .collect();
    let want: Vec<_> = expected["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["request_id"].clone())
        .collect();
    assert_eq!(request_ids, want);
}

#[test]
fn projection_selects_and_orders_columns_and_still_validates() {
    let (log, expected) = quirks();
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_projection(vec![S3Field::HttpStatus.index(), S3Field::Time.index()])
        .build(&log[..])
        .unwrap();
    assert_eq!(reader.schema().fields().len(), 2);
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let rows = all_rows(&batches);
    let want = expected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want.len());
    for (got, want) in rows.iter().zip(want) {
        assert_eq!(got.keys().collect::<Vec<_>>(), ["http_status", "time"]);
        assert_eq!(got["time"], want["time"]);
        assert_eq!(got["http_status"], want["http_status"]);
    }
    // The same lines are rejected whatever the projection.
    assert_eq!(
        reader.stats().rejected,
        expected["stats"]["rejected"].as_u64().unwrap()
    );

    for bad in [vec![28], vec![1, 1]] {
        let err = ReaderBuilder::new(Format::S3)
            .with_projection(bad)
            .build_decoder()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    }
    let err = ReaderBuilder::new(Format::S3)
        .with_batch_size(0)
        .build_decoder()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn fail_fast_returns_the_first_bad_line_with_position() {
    let (log, expected) = quirks();
    let first = expected["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["outcome"] == "rejected")
        .unwrap()
        .clone();
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_error_policy(ErrorPolicy::FailFast)
        .build(&log[..])
        .unwrap();
    let err = loop {
        match reader.next_batch() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("no error"),
            Err(e) => break e,
        }
    };
    assert_eq!(
        err.position().unwrap().line,
        first["line"].as_u64().unwrap()
    );
    assert_eq!(
        err.position().unwrap().byte_offset,
        first["byte_offset"].as_u64().unwrap()
    );
    assert_eq!(err.field(), first["field"].as_str());
    assert_eq!(
        err.to_string(),
        format!(
            "s3 access log: line {} (byte {}), field time: invalid timestamp: day out of range",
            first["line"], first["byte_offset"]
        )
    );
    // After an error the iterator ends.
    assert!(reader.next().is_none());
    let stats = reader.stats();
    assert_eq!(stats.rows + stats.rejected + stats.blank_lines, stats.lines);
}

#[test]
fn fail_fast_decoder_keeps_earlier_rows_and_stops() {
    let (log, expected) = quirks();
    let mut decoder = ReaderBuilder::new(Format::S3)
        .with_error_policy(ErrorPolicy::FailFast)
        .build_decoder()
        .unwrap();
    let err = decoder.decode(&log).unwrap_err();
    let first_rejected = expected["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["outcome"] == "rejected")
        .unwrap()["line"]
        .as_u64()
        .unwrap();
    assert_eq!(err.position().unwrap().line, first_rejected);
    let again = decoder.decode(&log).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::InvalidArgument);
    // The rows before the bad line are still there.
    let rows_before = expected["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["_line"].as_u64().unwrap() < first_rejected)
        .count();
    assert_eq!(decoder.flush().unwrap().unwrap().num_rows(), rows_before);
}

#[test]
fn iterator_errors_are_arrow_external_errors_wrapping_ours() {
    let mut reader = ReaderBuilder::new(Format::S3)
        .with_error_policy(ErrorPolicy::FailFast)
        .build(&b"garbage\n"[..])
        .unwrap();
    let err = reader.next().unwrap().unwrap_err();
    let arrow::error::ArrowError::ExternalError(inner) = err else {
        panic!("expected an external error")
    };
    let ours = inner.downcast_ref::<aws_access_logs::Error>().unwrap();
    assert_eq!(ours.kind(), ErrorKind::MissingField);
    assert_eq!(ours.position().unwrap().line, 1);
}

#[test]
fn overlong_lines_are_rejected_without_buffering_them_whole() {
    let (log, _) = quirks();
    let first_line_len = log.iter().position(|&b| b == b'\n').unwrap();
    for chunk in [1, 13, log.len()] {
        let mut decoder = ReaderBuilder::new(Format::S3)
            .with_max_line_length(100)
            .build_decoder()
            .unwrap();
        for piece in log.chunks(chunk) {
            let mut rest = piece;
            while !rest.is_empty() {
                let n = decoder.decode(rest).unwrap();
                rest = &rest[n..];
                if decoder.is_full() {
                    decoder.flush().unwrap();
                }
            }
        }
        decoder.finish().unwrap();
        while decoder.flush().unwrap().is_some() {}
        let rejects = decoder.take_rejects();
        let first = &rejects[0];
        assert_eq!(first.kind(), ErrorKind::LineTooLong);
        assert_eq!(first.line(), 1);
        assert_eq!(first.raw(), &log[..100]);
        assert!(
            first
                .error()
                .to_string()
                .contains(&format!("{first_line_len} bytes"))
        );
        let long_lines = log
            .split(|&b| b == b'\n')
            .filter(|l| l.strip_suffix(b"\r").unwrap_or(l).len() > 100)
            .count();
        let too_long = rejects
            .iter()
            .filter(|r| r.kind() == ErrorKind::LineTooLong)
            .count();
        assert_eq!(too_long, long_lines);
        let stats = decoder.stats();
        assert_eq!(stats.rows, 1, "only the all-dash record is short enough");
        assert_eq!(stats.rows + stats.rejected + stats.blank_lines, stats.lines);
    }
}

#[test]
fn too_many_fields_is_rejected() {
    let line = format!(
        "o b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ID REST.GET.OBJECT k \"GET /k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\" - h SigV4 c AuthHeader host TLSv1.2 - - us-east-1 {}\n",
        ["x"; 10].join(" ")
    );
    let mut decoder = ReaderBuilder::new(Format::S3)
        .with_max_fields(30)
        .build_decoder()
        .unwrap();
    decoder.decode(line.as_bytes()).unwrap();
    let rejects = decoder.take_rejects();
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].kind(), ErrorKind::TooManyFields);
    assert_eq!(rejects[0].field(), Some("trailing_fields"));
}

#[test]
fn gzip_input_single_and_multi_member() {
    use flate2::{Compression, write::GzEncoder};
    let (log, expected) = quirks();
    let gz = |data: &[u8]| {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    let n_rows = expected["rows"].as_array().unwrap().len();
    let plain: Vec<_> = ReaderBuilder::new(Format::S3)
        .build(&log[..])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();

    let single = gz(&log);
    let mut reader = ReaderBuilder::new(Format::S3).build(&single[..]).unwrap();
    assert!(reader.is_gzip());
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(all_rows(&batches), all_rows(&plain));
    assert_eq!(reader.bytes_read(), log.len() as u64);

    // Two members, split in the middle of a line.
    let cut = log.len() / 2;
    let mut multi = gz(&log[..cut]);
    multi.extend(gz(&log[cut..]));
    let batches: Vec<_> = ReaderBuilder::new(Format::S3)
        .build(&multi[..])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all_rows(&batches).len(), n_rows);
    assert_eq!(all_rows(&batches), all_rows(&plain));
}

#[test]
fn truncated_gzip_is_a_clear_error() {
    use flate2::{Compression, write::GzEncoder};
    let (log, _) = quirks();
    let mut big = Vec::new();
    for _ in 0..50 {
        big.extend_from_slice(&log);
        big.push(b'\n');
    }
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(&big).unwrap();
    let gz = e.finish().unwrap();
    let truncated = &gz[..gz.len() * 2 / 3];
    let mut reader = ReaderBuilder::new(Format::S3).build(truncated).unwrap();
    let err = loop {
        match reader.next_batch() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("truncated gzip read to the end without error"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::Gzip);
    let msg = err.to_string();
    assert!(
        msg.starts_with("gzip error: truncated or corrupt gzip stream after "),
        "{msg}"
    );
    assert!(msg.contains(" decompressed bytes ("), "{msg}");
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_roundtrip_metadata_and_determinism() {
    use aws_access_logs::parquet::{ParquetOptions, write_parquet};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let (log, _) = quirks();
    let write = || {
        let mut reader = ReaderBuilder::new(Format::S3)
            .with_batch_size(5)
            .build(&log[..])
            .unwrap();
        let mut out = Vec::new();
        let summary = write_parquet(&mut reader, &mut out, &ParquetOptions::default()).unwrap();
        (out, summary)
    };
    let (first, summary) = write();
    let (second, _) = write();
    assert_eq!(
        first, second,
        "same input and options give byte-identical Parquet"
    );
    assert_eq!(summary.stats.rows, 21);
    assert_eq!(summary.stats.rejected, 7);

    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(first)).unwrap();
    // Signed integers only, as Athena and Spark read them: INT32 annotated INT(16, true) and
    // INT(32, true), INT64 annotated INT(64, true) or not at all.
    let parquet_schema = builder.metadata().file_metadata().schema_descr();
    let mut ints = Vec::new();
    for column in parquet_schema.columns() {
        use parquet::basic::{LogicalType, Type};
        let width = match (column.physical_type(), column.logical_type_ref()) {
            (_, Some(LogicalType::Integer(int))) => {
                assert!(int.is_signed, "{} is unsigned", column.name());
                int.bit_width
            }
            (_, Some(LogicalType::Timestamp { .. })) => continue,
            (Type::INT32, None) => 32,
            (Type::INT64, None) => 64,
            _ => continue,
        };
        ints.push((column.name().to_string(), width));
    }
    assert_eq!(
        ints,
        [
            ("http_status".to_string(), 16),
            ("bytes_sent".to_string(), 64),
            ("object_size".to_string(), 64),
            ("total_time_ms".to_string(), 32),
            ("turn_around_time_ms".to_string(), 32),
        ]
    );
    let kv: std::collections::HashMap<_, _> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .iter()
        .map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default()))
        .collect();
    assert_eq!(kv["aws_access_logs.format"], "s3");
    assert_eq!(kv["aws_access_logs.version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(kv["aws_access_logs.rows"], "21");
    assert_eq!(kv["aws_access_logs.rejected"], "7");
    assert!(!kv.contains_key("aws_access_logs.incomplete"));
    let column = builder.metadata().row_group(0).column(0);
    assert!(matches!(
        column.compression(),
        parquet::basic::Compression::ZSTD(_)
    ));
    assert!(column.statistics().is_some());
    assert!(column.dictionary_page_offset().is_some());

    let reader = builder.build().unwrap();
    assert_eq!(
        arrow::array::RecordBatchReader::schema(&reader).fields(),
        Format::S3.schema().unwrap().fields()
    );
    let back: Vec<_> = reader.collect::<Result<_, _>>().unwrap();
    let direct: Vec<_> = ReaderBuilder::new(Format::S3)
        .build(&log[..])
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(all_rows(&back), all_rows(&direct));
}

#[test]
fn repaired_row_keeps_original_bytes() {
    let (log, _) = quirks();
    let mut reader = ReaderBuilder::new(Format::S3).build(&log[..]).unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let repaired: Vec<_> = reader
        .rejects()
        .iter()
        .filter(|r| r.outcome() == RejectOutcome::Repaired && r.kind() == ErrorKind::InvalidUtf8)
        .collect();
    assert_eq!(repaired.len(), 1);
    assert!(repaired[0].raw().windows(2).any(|w| w == [0xff, 0xfe]));
    assert!(std::str::from_utf8(repaired[0].raw()).is_err());
    let rows: Vec<_> = batches.iter().flat_map(rows_as_json).collect();
    assert!(
        rows.iter()
            .any(|r| r["user_agent"] == "bad \u{fffd}\u{fffd} agent")
    );
}

/// Values that end in literal quotes are kept; words that do not fit the optional trailing
/// fields repair the row instead of rejecting it; only a line that two readings split is
/// rejected, naming both.
#[test]
fn literal_end_quotes_and_misfit_trailing_words() {
    let head = "79a5 bucket1 [24/Dec/2020:20:00:00 +0000] 192.0.2.10 - 3E57427F3EXAMPLE REST.GET.OBJECT a/f.txt";
    let tail = "- hostid= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader s3.ap-northeast-1.amazonaws.com TLSv1.2";
    let log = format!(
        "{head} \"GET /a/f.txt HTTP/1.1\" 200 - 49851 49851 23 22 \"https://example.com/x\" \"Mozilla/5.0 (iPad) Safari/604.1\"\" {tail}\n\
         {head} \"GET /a/f.txt?x=\"\" HTTP/1.1\"\" 200 - 1 1 1 1 \"http://example.com/?id=452\"\" \"curl/8.0\" -\n\
         {head} \"GET /a/f.txt HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"-\" {tail} test1 test2\n\
         {head} \"GET /a/f.txt HTTP/1.1\" 200 - 1 1 1 1 \"a\" \"b\" \"c\" -\n"
    );
    let mut reader = ReaderBuilder::new(Format::S3)
        .build(log.as_bytes())
        .unwrap();
    let batches: Vec<_> = reader.by_ref().collect::<Result<_, _>>().unwrap();
    let rows = all_rows(&batches);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0]["user_agent"],
        serde_json::json!("Mozilla/5.0 (iPad) Safari/604.1\"")
    );
    assert_eq!(rows[0]["tls_version"], serde_json::json!("TLSv1.2"));
    assert_eq!(
        rows[1]["request_uri"],
        serde_json::json!("GET /a/f.txt?x=\"\" HTTP/1.1\"")
    );
    assert_eq!(
        rows[1]["referer"],
        serde_json::json!("http://example.com/?id=452\"")
    );
    assert_eq!(rows[1]["user_agent"], serde_json::json!("curl/8.0"));
    assert_eq!(rows[2]["tls_version"], serde_json::json!("TLSv1.2"));
    assert_eq!(rows[2]["access_point_arn"], Value::Null);
    assert_eq!(rows[2]["acl_required"], Value::Null);
    assert_eq!(rows[2]["trailing_fields"], serde_json::json!("test1 test2"));

    let stats = reader.stats();
    assert_eq!((stats.rows, stats.rejected, stats.repaired), (3, 1, 1));
    let rejects = reader.take_rejects();
    assert_eq!(rejects.len(), 2);
    assert_eq!(rejects[0].line(), 3);
    assert_eq!(rejects[0].outcome(), RejectOutcome::Repaired);
    assert_eq!(rejects[0].field(), Some("access_point_arn"));
    assert_eq!(rejects[0].kind(), ErrorKind::InvalidValue);
    assert_eq!(rejects[1].line(), 4);
    assert_eq!(rejects[1].outcome(), RejectOutcome::Rejected);
    assert_eq!(rejects[1].field(), Some("referer"));
    assert_eq!(rejects[1].kind(), ErrorKind::InvalidQuoting);
    let message = rejects[1].error().to_string();
    assert!(message.contains("ambiguous"), "{message}");
}

#[test]
fn integers_fill_their_signed_columns_and_a_value_beyond_is_a_typed_reject() {
    let line = |status: &str, sent: &str, size: &str, total: &str, turn: &str| {
        format!(
            "o b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ID REST.GET.OBJECT k \"GET /k HTTP/1.1\" {status} - {sent} {size} {total} {turn} \"-\" \"-\" -\n"
        )
    };
    let max = line(
        "32767",
        "9223372036854775807",
        "9223372036854775807",
        "2147483647",
        "2147483647",
    );
    let (batches, rejects, _) = decode_chunked(max.as_bytes(), 1 << 16, 16);
    assert!(rejects.is_empty(), "{rejects:?}");
    let rows = all_rows(&batches);
    assert_eq!(rows[0]["http_status"], 32767);
    assert_eq!(rows[0]["bytes_sent"], i64::MAX);
    assert_eq!(rows[0]["object_size"], i64::MAX);
    assert_eq!(rows[0]["total_time_ms"], i32::MAX);
    assert_eq!(rows[0]["turn_around_time_ms"], i32::MAX);
    let over = [
        ("http_status", line("32768", "1", "1", "1", "1")),
        (
            "bytes_sent",
            line("200", "9223372036854775808", "1", "1", "1"),
        ),
        (
            "object_size",
            line("200", "1", "9223372036854775808", "1", "1"),
        ),
        ("total_time_ms", line("200", "1", "1", "2147483648", "1")),
        (
            "turn_around_time_ms",
            line("200", "1", "1", "1", "2147483648"),
        ),
    ];
    for (field, text) in over {
        let (batches, rejects, stats) = decode_chunked(text.as_bytes(), 1 << 16, 16);
        assert_eq!(all_rows(&batches).len(), 0, "{field}");
        assert_eq!(stats.rejected, 1, "{field}");
        assert_eq!(rejects[0].kind(), ErrorKind::InvalidInteger, "{field}");
        assert_eq!(rejects[0].field(), Some(field));
        assert!(
            rejects[0].error().to_string().contains("out of range"),
            "{}",
            rejects[0].error()
        );
    }
}

#[cfg(feature = "parquet")]
#[test]
fn the_parquet_writer_refuses_unsigned_columns() {
    use arrow::datatypes::{DataType, Field, Schema};
    use aws_access_logs::parquet::{ParquetOptions, ParquetWriter};
    let schema = std::sync::Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, true),
        Field::new("b", DataType::UInt32, true),
    ]));
    let err = ParquetWriter::try_new(Vec::new(), schema, Format::S3, &ParquetOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(
        err.to_string().contains("column b: UInt32 is unsigned"),
        "{err}"
    );
}
