//! Property tests for CloudFront real-time logs: records with a random subset of the fields,
//! configured in a random order, rendered in AWS's canonical order, parse back to the same
//! values however the input is chunked; a record with a field too many or too few is rejected.

mod common;

use arrow::datatypes::DataType;
use aws_access_logs::cloudfront::{FieldList, REALTIME_FIELDS};
use aws_access_logs::{ErrorKind, Format, ReaderBuilder};
use common::{all_rows, decode_chunked_with};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// A configuration: the chosen fields in configuration order, written as a comma list or JSON.
fn config() -> impl Strategy<Value = (Vec<&'static str>, String)> {
    let all: Vec<&'static str> = REALTIME_FIELDS.iter().map(|f| f.name()).collect();
    (
        prop::sample::subsequence(all, 1..=REALTIME_FIELDS.len()),
        any::<bool>(),
    )
        .prop_flat_map(|(chosen, json)| {
            Just(chosen).prop_shuffle().prop_map(move |order| {
                let text = if json {
                    let quoted: Vec<String> = order.iter().map(|n| format!("\"{n}\"")).collect();
                    format!(
                        "{{\"RealtimeLogConfig\": {{\"Fields\": [{}]}}}}",
                        quoted.join(", ")
                    )
                } else {
                    order.join(", ")
                };
                (order, text)
            })
        })
}

/// A field's text as logged and the value expected back, for column `name` of type `ty`.
fn value(name: &str, ty: DataType) -> BoxedStrategy<(String, Value)> {
    // Integer fields hold every value up to their bound: ports and AS numbers have a narrower
    // range than their column type.
    let int_max = match name {
        "c_port" => u64::from(u16::MAX),
        "asn" => u64::from(u32::MAX),
        _ => match ty {
            DataType::Int16 => i16::MAX as u64,
            DataType::Int32 => i32::MAX as u64,
            _ => i64::MAX as u64,
        },
    };
    let dash = Just(("-".to_string(), Value::Null));
    let typed: BoxedStrategy<(String, Value)> = match ty {
        DataType::Timestamp(_, _) => (0u64..4_000_000_000, 0u64..1000)
            .prop_map(|(s, ms)| (format!("{s}.{ms:03}"), Value::from(s * 1000 + ms)))
            .boxed(),
        DataType::Int16 | DataType::Int32 | DataType::Int64 => (0u64..=int_max)
            .prop_map(|v| (v.to_string(), Value::from(v)))
            .boxed(),
        DataType::Float64 => (0u32..100_000, 0u32..1000)
            .prop_map(|(i, f)| {
                let text = format!("{i}.{f:03}");
                let v: f64 = text.parse().unwrap();
                (text, Value::from(v))
            })
            .boxed(),
        _ => "[a-zA-Z0-9%/().:;=,*?&é中 -]{0,24}[a-zA-Z0-9=]"
            .prop_map(|s| (s.clone(), Value::from(s)))
            .boxed(),
    };
    prop_oneof![1 => dash, 5 => typed].boxed()
}

/// Records for the canonical field list `fields`: each as its line and its expected row.
fn records(fields: FieldList) -> impl Strategy<Value = Records> {
    let schema = fields.schema();
    let per_field: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| {
            value(f.name(), f.data_type().clone()).prop_map({
                let name = f.name().clone();
                move |(text, v)| (name.clone(), text, v)
            })
        })
        .collect();
    prop::collection::vec(per_field, 1..6).prop_map(|records| {
        records
            .into_iter()
            .map(|fields| {
                let line: Vec<&str> = fields.iter().map(|(_, t, _)| t.as_str()).collect();
                let row = fields
                    .iter()
                    .map(|(n, _, v)| (n.clone(), v.clone()))
                    .collect();
                (line.join("\t"), row)
            })
            .collect()
    })
}

/// Rendered lines with their expected rows.
type Records = Vec<(String, Map<String, Value>)>;

fn case() -> impl Strategy<Value = (String, Records, usize, usize)> {
    config().prop_flat_map(|(_, text)| {
        let fields = FieldList::realtime(&text).unwrap();
        (Just(text), records(fields), 1usize..200, 1usize..5)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn realtime_records_round_trip((config, records, chunk, batch_size) in case()) {
        let fields = FieldList::realtime(&config).unwrap();
        // The list is in canonical order whatever the configuration's order.
        let names: Vec<&str> = fields.aws_names().collect();
        let positions: Vec<usize> = names
            .iter()
            .map(|n| REALTIME_FIELDS.iter().position(|k| k.name() == *n).unwrap())
            .collect();
        prop_assert!(positions.windows(2).all(|w| w[0] < w[1]));

        let mut input = String::new();
        for (line, _) in &records {
            input.push_str(line);
            input.push('\n');
        }
        let builder = ReaderBuilder::new(Format::CloudFrontRealtime).with_fields(fields);
        let (batches, rejects, stats) =
            decode_chunked_with(builder, input.as_bytes(), chunk, batch_size);
        prop_assert!(rejects.is_empty(), "{:?}", rejects);
        let rows = all_rows(&batches);
        let want: Vec<Map<String, Value>> = records.into_iter().map(|(_, r)| r).collect();
        prop_assert_eq!(rows, want);
        prop_assert_eq!(stats.rows, stats.lines);
    }

    #[test]
    fn wrong_field_counts_are_rejected((config, records, _chunk, _batch) in case(), extra in any::<bool>()) {
        let fields = FieldList::realtime(&config).unwrap();
        let (line, _) = &records[0];
        let bad = if extra {
            format!("{line}\tsurplus\n")
        } else {
            match line.rfind('\t') {
                Some(i) => format!("{}\n", &line[..i]),
                // A single-field list: an empty line would be blank, so use two fields.
                None => format!("{line}\t{line}\n"),
            }
        };
        let mut reader = ReaderBuilder::new(Format::CloudFrontRealtime)
            .with_fields(fields)
            .build(bad.as_bytes())
            .unwrap();
        let rows: usize = reader.by_ref().map(|b| b.unwrap().num_rows()).sum();
        prop_assert_eq!(rows, 0);
        let rejects = reader.take_rejects();
        prop_assert_eq!(rejects.len(), 1);
        prop_assert_eq!(rejects[0].kind(), ErrorKind::FieldCount);
    }
}
