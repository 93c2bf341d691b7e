//! Text columns through the Parquet writer: fuzzer-made values (any text, empty, null, long,
//! multi-byte) in `Utf8` and `Utf8View` columns are written with `ParquetWriter` and read back
//! with the `parquet` crate. Every value comes back; each chunk's null count is exact and its
//! min and max bound the values, equal to the true ones or truncated by parquet's rule (a
//! prefix of at most 64 bytes; for the max, a prefix with a character incremented); the column
//! index does the same for each page, found through the offset index; and the file is the same
//! on one thread and on three.
//!
//! Input: two flag bytes, a repeat count, then the values, separated by 0xFF (never in UTF-8;
//! other invalid UTF-8 becomes U+FFFD) and dealt to the columns in turn; a value that is the
//! single byte 0xFE is a null.

#![no_main]

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray, StringViewArray};
use arrow::datatypes::{DataType, Field, Schema};
use aws_access_logs::parquet::{ParquetCompression, ParquetOptions, ParquetWriter};
use aws_access_logs::parquet_crate::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use aws_access_logs::parquet_crate::file::metadata::PageIndexPolicy;
use aws_access_logs::parquet_crate::file::page_index::column_index::ColumnIndexMetaData;
use aws_access_logs::{DecodeStats, Format};
use libfuzzer_sys::fuzz_target;

const TRUNCATE: usize = 64;
const COMPRESSIONS: [ParquetCompression; 4] = [
    ParquetCompression::Zstd(1),
    ParquetCompression::Zstd(3),
    ParquetCompression::Snappy,
    ParquetCompression::None,
];
/// At most this many rows, and row groups (the repeat count is cut down to them).
const MAX_ROWS: usize = 30_000;
const MAX_GROUPS: usize = 40;

struct Setup {
    columns: usize,
    compression: ParquetCompression,
    batch_rows: usize,
    sliced: bool,
    views: u8,
    group_rows: usize,
    random_id: bool,
    required: bool,
    repeat: usize,
}

impl Setup {
    fn new(flags: u8, more: u8, repeat: u8) -> Self {
        Setup {
            columns: usize::from(flags & 3) + 1,
            compression: COMPRESSIONS[usize::from(flags >> 2 & 3)],
            batch_rows: [1, 3, 16, 1000][usize::from(flags >> 4 & 3)],
            sliced: flags & 0x40 != 0,
            views: more & 0xf,
            group_rows: [2, 7, 100, 1 << 20][usize::from(more >> 4 & 3)],
            random_id: more & 0x40 != 0,
            required: more & 0x80 != 0,
            repeat: usize::from(repeat) + 1,
        }
    }
}

type Table = Vec<Vec<Option<String>>>;

fn table(setup: &Setup, body: &[u8]) -> Table {
    let mut columns: Table = vec![Vec::new(); setup.columns];
    for (i, piece) in body.split(|&b| b == 0xff).enumerate() {
        let value = (piece != [0xfe]).then(|| String::from_utf8_lossy(piece).into_owned());
        columns[i % setup.columns].push(value);
    }
    let most = MAX_ROWS.min(MAX_GROUPS * setup.group_rows);
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0).min(most);
    let repeat = setup.repeat.min(most / rows.max(1)).max(1);
    for column in &mut columns {
        column.resize(rows, None);
        if setup.required {
            for v in column.iter_mut() {
                v.get_or_insert_with(String::new);
            }
        }
        *column = column.iter().cycle().take(rows * repeat).cloned().collect();
    }
    columns
}

fn name(setup: &Setup, c: usize) -> String {
    match (setup.random_id, c) {
        (true, 0) => "request_id".to_string(),
        _ => format!("c{c}"),
    }
}

fn write(setup: &Setup, table: &Table, threads: usize) -> Vec<u8> {
    let view = |c: usize| setup.views >> c & 1 == 1;
    let fields: Vec<Field> = (0..table.len())
        .map(|c| {
            let data_type = if view(c) {
                DataType::Utf8View
            } else {
                DataType::Utf8
            };
            Field::new(name(setup, c), data_type, !setup.required)
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let options = ParquetOptions::new()
        .with_compression(setup.compression)
        .with_max_row_group_rows(setup.group_rows)
        .with_threads(threads);
    let mut out = Vec::new();
    let mut writer =
        ParquetWriter::try_new(&mut out, schema.clone(), Format::S3, &options).unwrap();
    let rows = table[0].len();
    let mut start = 0;
    while start < rows {
        let end = (start + setup.batch_rows).min(rows);
        let pad = if setup.sliced { 2 } else { 0 };
        let columns: Vec<ArrayRef> = table
            .iter()
            .enumerate()
            .map(|(c, values)| {
                // Sliced: two rows of other text before and after the batch's.
                let filler = Some("\u{10FFFF} not written");
                let rows = std::iter::repeat_n(filler, pad)
                    .chain(values[start..end].iter().map(Option::as_deref))
                    .chain(std::iter::repeat_n(filler, pad));
                if view(c) {
                    Arc::new(rows.collect::<StringViewArray>()) as ArrayRef
                } else {
                    Arc::new(rows.collect::<StringArray>()) as ArrayRef
                }
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        writer.write(&batch.slice(pad, end - start)).unwrap();
        start = end;
    }
    writer.finish(&DecodeStats::default()).unwrap();
    out
}

fn truncated_min(v: &str) -> Vec<u8> {
    if v.len() <= TRUNCATE {
        return v.as_bytes().to_vec();
    }
    let split = (1..=TRUNCATE)
        .rev()
        .find(|&x| v.is_char_boundary(x))
        .unwrap();
    v.as_bytes()[..split].to_vec()
}

fn truncated_max(v: &str) -> Vec<u8> {
    if v.len() <= TRUNCATE {
        return v.as_bytes().to_vec();
    }
    let split = (TRUNCATE - 3..=TRUNCATE)
        .rev()
        .find(|&x| v.is_char_boundary(x))
        .unwrap();
    let prefix = &v[..split];
    for (i, c) in prefix.char_indices().rev() {
        if let Some(next) = char::from_u32(c as u32 + 1)
            && next.len_utf8() == c.len_utf8()
        {
            let mut out = prefix.as_bytes()[..i].to_vec();
            out.extend_from_slice(next.encode_utf8(&mut [0; 4]).as_bytes());
            return out;
        }
    }
    v.as_bytes().to_vec()
}

/// Stored bounds of `values`: none without values, else parquet's truncations of the true
/// min and max (which bound every value).
fn check_bounds(min: Option<&[u8]>, max: Option<&[u8]>, values: &[Option<String>], at: &str) {
    let present = || values.iter().flatten().map(String::as_str);
    match (present().min(), present().max()) {
        (Some(true_min), Some(true_max)) => {
            let (min, max) = (min.expect(at), max.expect(at));
            assert!(
                min <= true_min.as_bytes() && max >= true_max.as_bytes(),
                "{at}"
            );
            assert_eq!(min, truncated_min(true_min), "{at}: min");
            assert_eq!(max, truncated_max(true_max), "{at}: max");
        }
        _ => assert!(
            min.is_none() && max.is_none(),
            "{at}: bounds without values"
        ),
    }
}

fn check(setup: &Setup, table: &Table, file: Vec<u8>) {
    let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Required);
    let builder =
        ParquetRecordBatchReaderBuilder::try_new_with_options(bytes::Bytes::from(file), options)
            .unwrap();
    let metadata = builder.metadata().clone();
    let mut row = 0;
    for batch in builder.build().unwrap() {
        let batch = batch.unwrap();
        for (c, values) in table.iter().enumerate() {
            let array = batch.column(c).as_string::<i32>();
            for i in 0..array.len() {
                let got = array.is_valid(i).then(|| array.value(i));
                assert_eq!(
                    got,
                    values[row + i].as_deref(),
                    "column {c}, row {}",
                    row + i
                );
            }
        }
        row += batch.num_rows();
    }
    assert_eq!(row, table[0].len(), "rows read");

    let page_index = metadata.page_index().expect("a page index");
    let mut first = 0;
    for (g, group) in metadata.row_groups().iter().enumerate() {
        let rows = group.num_rows() as usize;
        assert!(
            rows > 0 && rows <= setup.group_rows,
            "row group {g}: {rows} rows"
        );
        for (c, values) in table.iter().enumerate() {
            let at = format!("row group {g}, column {c}");
            let values = &values[first..first + rows];
            let meta = group.column(c);
            let nulls = values.iter().filter(|v| v.is_none()).count();
            let stats = meta.statistics().expect("statistics");
            assert_eq!(stats.null_count_opt(), Some(nulls as u64), "{at}: nulls");
            check_bounds(stats.min_bytes_opt(), stats.max_bytes_opt(), values, &at);
            if name(setup, c) == "request_id" {
                assert!(
                    meta.dictionary_page_offset().is_none(),
                    "{at}: a dictionary"
                );
            }
            let locations = page_index.offset_index(g, c).expect("an offset index");
            let locations = locations.page_locations();
            let Some(ColumnIndexMetaData::BYTE_ARRAY(index)) = page_index.column_index(g, c) else {
                panic!("{at}: no column index");
            };
            assert_eq!(index.num_pages() as usize, locations.len(), "{at}: pages");
            assert_eq!(locations[0].first_row_index, 0, "{at}");
            for (p, location) in locations.iter().enumerate() {
                let start = location.first_row_index as usize;
                let end = locations
                    .get(p + 1)
                    .map_or(rows, |l| l.first_row_index as usize);
                assert!(
                    start < end && end <= rows,
                    "{at}: page {p} rows {start}..{end}"
                );
                assert!(location.compressed_page_size > 0, "{at}: page {p}");
                let page = &values[start..end];
                let at = format!("{at}, page {p}");
                let nulls = page.iter().filter(|v| v.is_none()).count();
                assert_eq!(index.null_count(p), Some(nulls as i64), "{at}: nulls");
                assert_eq!(
                    index.is_null_page(p),
                    nulls == page.len(),
                    "{at}: null page"
                );
                check_bounds(index.min_value(p), index.max_value(p), page, &at);
            }
        }
        first += rows;
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, more, repeat, body @ ..] = data else {
        return;
    };
    let setup = Setup::new(*flags, *more, *repeat);
    let table = table(&setup, body);
    if table[0].is_empty() {
        return;
    }
    let file = write(&setup, &table, 1);
    assert!(
        write(&setup, &table, 3) == file,
        "not the same file on 3 threads"
    );
    check(&setup, &table, file);
});
