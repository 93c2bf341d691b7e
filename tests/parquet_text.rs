//! The Parquet writer's text columns (`Utf8` and `Utf8View`), checked from the outside: batches
//! of a custom schema are written with `ParquetWriter` and every part of the file read back
//! with the `parquet` crate, without trusting any single reader.
//!
//! For every file: each value (nulls included) read back by parquet's Arrow reader, and again
//! by decoding each data page here (definition levels, PLAIN values or RLE/bit-packed
//! dictionary indices into the dictionary page), and once more reading only the first and
//! last row of each page through the offset index; the row groups; each text chunk's
//! statistics (exact null count; min and max equal to the true ones, or truncated to 64 bytes
//! by parquet's rule: a prefix for the min, a prefix with its last character incremented for
//! the max, kept whole when no character can be); the column index of each page (null count,
//! null page, min and max by the same rule, level histograms and boundary order) and the
//! offset index (first rows, contiguous page locations, unencoded bytes); the encodings and
//! page encoding statistics against the pages themselves. And the same file whatever the
//! threads, on a second run, from sliced batches, and from `Utf8` or `Utf8View` columns.

#![cfg(feature = "parquet")]

use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Int16Array, Int32Array, Int64Array, RecordBatch, StringArray,
    StringViewArray, TimestampMicrosecondArray, make_view,
};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef, TimeUnit};
use aws_access_logs::parquet::{ParquetCompression, ParquetOptions, ParquetWriter};
use aws_access_logs::{DecodeStats, Format};
use bytes::Bytes;
use parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
};
use parquet::basic::{BoundaryOrder, ColumnOrder, Compression, Encoding, PageType, SortOrder};
use parquet::column::page::Page;
use parquet::file::metadata::{ColumnChunkMetaData, PageIndexPolicy, ParquetMetaData};
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::page_index::offset_index::OffsetIndexMetaData;
use parquet::file::properties::ReaderProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::serialized_reader::ReadOptionsBuilder;
use parquet::file::statistics::Statistics;
use proptest::prelude::*;

/// Parquet's truncation length of binary statistics and column index bounds.
const TRUNCATE: usize = 64;

/// Written under the nulls of the arrays (the bytes of a `Utf8` null slot, the view of a
/// `Utf8View` one): above every value of the tests in byte order, so that a writer reading
/// it shows in the values or the maxima.
const JUNK: &str = "\u{10FFFF}\u{10FFFF}\u{10FFFF}\u{10FFFF} junk under a null";

/// Random-id columns: no dictionary (and zstd level 1 at levels 2 to 15).
const RANDOM_ID_COLUMNS: [&str; 4] = ["host_id", "request_id", "x_edge_request_id", "trace_id"];

// ---------------------------------------------------------------------------------------------
// Tables, batches, files

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Utf8,
    View,
    Int16,
    Int32,
    Int64,
    Timestamp,
}

#[derive(Clone, Debug)]
enum Values {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
}

#[derive(Clone, Debug)]
struct Column {
    name: String,
    kind: Kind,
    nullable: bool,
    values: Values,
}

impl Column {
    fn text(name: &str, kind: Kind, nullable: bool, values: Vec<Option<String>>) -> Self {
        assert!(nullable || values.iter().all(Option::is_some), "{name}");
        Column {
            name: name.to_string(),
            kind,
            nullable,
            values: Values::Text(values),
        }
    }

    fn int(name: &str, kind: Kind, values: Vec<Option<i64>>) -> Self {
        Column {
            name: name.to_string(),
            kind,
            nullable: true,
            values: Values::Int(values),
        }
    }

    /// An integer column without nulls.
    fn required_int(name: &str, kind: Kind, values: Vec<i64>) -> Self {
        Column {
            nullable: false,
            ..Column::int(name, kind, values.into_iter().map(Some).collect())
        }
    }

    fn len(&self) -> usize {
        match &self.values {
            Values::Text(v) => v.len(),
            Values::Int(v) => v.len(),
        }
    }

    fn data_type(&self) -> DataType {
        match self.kind {
            Kind::Utf8 => DataType::Utf8,
            Kind::View => DataType::Utf8View,
            Kind::Int16 => DataType::Int16,
            Kind::Int32 => DataType::Int32,
            Kind::Int64 => DataType::Int64,
            Kind::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        }
    }
}

#[derive(Clone, Debug)]
struct Table {
    columns: Vec<Column>,
}

impl Table {
    fn new(columns: Vec<Column>) -> Self {
        let rows = columns[0].len();
        for c in &columns {
            assert_eq!(c.len(), rows, "column {}", c.name);
        }
        Table { columns }
    }

    /// The same table with the integer and timestamp columns every mixed schema gets.
    fn mixed(mut columns: Vec<Column>) -> Self {
        let rows = columns[0].len();
        let mut rng = Rng::new(rows as u64 + 11);
        let ints = (0..rows)
            .map(|i| (i % 7 != 3).then(|| rng.next() as i64 >> 20))
            .collect();
        let times = (0..rows)
            .map(|i| (i % 11 != 5).then(|| 1_700_000_000_000_000 + i as i64 * 1_000_003))
            .collect();
        columns.push(Column::int("bytes_sent", Kind::Int64, ints));
        columns.push(Column::int("time", Kind::Timestamp, times));
        Table::new(columns)
    }

    fn rows(&self) -> usize {
        self.columns[0].len()
    }

    fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self
            .columns
            .iter()
            .map(|c| Field::new(&c.name, c.data_type(), c.nullable))
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// The same values with every text column as `kind`.
    fn with_text_kind(&self, kind: Kind) -> Table {
        let mut table = self.clone();
        for c in &mut table.columns {
            if matches!(c.kind, Kind::Utf8 | Kind::View) {
                c.kind = kind;
            }
        }
        table
    }
}

/// How a table is cut into batches and laid out in memory.
#[derive(Clone, Debug)]
struct Layout {
    /// Batch sizes, taken in turn.
    batch_rows: Vec<usize>,
    /// Each batch a slice (from row 3) of arrays holding other rows before and after it.
    sliced: bool,
    /// Most bytes per data buffer of a string view array (several buffers per array).
    view_block: usize,
}

/// Batches of `batch_rows` (taken in turn), unsliced, string views in buffers of 4 KiB.
fn layout(batch_rows: &[usize]) -> Layout {
    Layout {
        batch_rows: batch_rows.to_vec(),
        sliced: false,
        view_block: 4096,
    }
}

/// Batch sizes of most cases.
const BATCHES: [usize; 5] = [1000, 7, 1, 2500, 333];

fn utf8_array(values: &[Option<&str>]) -> ArrayRef {
    let mut offsets = vec![0i32];
    let mut data = Vec::new();
    for v in values {
        data.extend_from_slice(v.unwrap_or(JUNK).as_bytes());
        offsets.push(i32::try_from(data.len()).unwrap());
    }
    let nulls = NullBuffer::from_iter(values.iter().map(Option::is_some));
    let nulls = (nulls.null_count() > 0).then_some(nulls);
    let array = StringArray::try_new(
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Buffer::from_vec(data),
        nulls,
    );
    Arc::new(array.unwrap())
}

/// A string view array whose long values lie in several buffers of at most `block` bytes:
/// the even rows' in the last buffers, the odd rows' in the first (so that consecutive views
/// point into different buffers, in no order), after an unused buffer of non-UTF-8 bytes; the
/// views of nulls point at [`JUNK`].
fn view_array(values: &[Option<&str>], block: usize) -> ArrayRef {
    let mut groups: [Vec<Vec<u8>>; 2] = [Vec::new(), Vec::new()];
    let mut places = Vec::with_capacity(values.len());
    for (row, v) in values.iter().enumerate() {
        let s = v.unwrap_or(JUNK).as_bytes();
        if s.len() <= 12 {
            places.push((0, 0, 0));
            continue;
        }
        let group = &mut groups[row % 2];
        if group.last().is_none_or(|b| b.len() + s.len() > block) {
            group.push(Vec::new());
        }
        let index = group.len() - 1;
        places.push((row % 2, index, group[index].len()));
        group[index].extend_from_slice(s);
    }
    let odd = groups[1].len();
    let views: Vec<u128> = values
        .iter()
        .zip(&places)
        .map(|(v, &(group, index, offset))| {
            let buffer = if group == 1 {
                1 + index
            } else {
                1 + odd + index
            };
            make_view(v.unwrap_or(JUNK).as_bytes(), buffer as u32, offset as u32)
        })
        .collect();
    let [even, odd] = groups;
    let mut buffers = vec![Buffer::from_vec(vec![0xffu8; 40])];
    buffers.extend(odd.into_iter().map(Buffer::from_vec));
    buffers.extend(even.into_iter().map(Buffer::from_vec));
    let nulls = NullBuffer::from_iter(values.iter().map(Option::is_some));
    let nulls = (nulls.null_count() > 0).then_some(nulls);
    Arc::new(StringViewArray::try_new(ScalarBuffer::from(views), buffers, nulls).unwrap())
}

/// Rows `range` of `column` as an array; with `pad`, after three other rows and before two
/// more (nulls, [`JUNK`] and empty strings; extreme integers), for a batch to be sliced from.
fn array(column: &Column, range: std::ops::Range<usize>, pad: bool, block: usize) -> ArrayRef {
    match &column.values {
        Values::Text(values) => {
            let mut rows: Vec<Option<&str>> = Vec::new();
            let pad_value = |i: usize| match (column.nullable, i % 2) {
                (true, 0) => None,
                (_, 1) => Some(JUNK),
                _ => Some(""),
            };
            if pad {
                rows.extend((0..3).map(pad_value));
            }
            rows.extend(values[range].iter().map(Option::as_deref));
            if pad {
                rows.extend((0..2).map(pad_value));
            }
            match column.kind {
                Kind::Utf8 => utf8_array(&rows),
                _ => view_array(&rows, block),
            }
        }
        Values::Int(values) => {
            let (low, high) = match column.kind {
                Kind::Int16 => (i64::from(i16::MIN), i64::from(i16::MAX)),
                Kind::Int32 => (i64::from(i32::MIN), i64::from(i32::MAX)),
                _ => (i64::MIN, i64::MAX),
            };
            // A required column's padding: no nulls.
            let null = (!column.nullable).then_some(high);
            let mut rows: Vec<Option<i64>> = Vec::new();
            if pad {
                rows.extend([Some(low), null, Some(high)]);
            }
            rows.extend_from_slice(&values[range]);
            if pad {
                rows.extend([Some(high), null]);
            }
            match column.kind {
                Kind::Int16 => Arc::new(
                    rows.into_iter()
                        .map(|v| v.map(|v| i16::try_from(v).unwrap()))
                        .collect::<Int16Array>(),
                ),
                Kind::Int32 => Arc::new(
                    rows.into_iter()
                        .map(|v| v.map(|v| i32::try_from(v).unwrap()))
                        .collect::<Int32Array>(),
                ),
                Kind::Int64 => Arc::new(Int64Array::from(rows)),
                _ => Arc::new(TimestampMicrosecondArray::from(rows).with_timezone("UTC")),
            }
        }
    }
}

fn batches(table: &Table, layout: &Layout) -> Vec<RecordBatch> {
    let schema = table.schema();
    let mut out = Vec::new();
    let mut start = 0;
    let mut sizes = layout.batch_rows.iter().cycle();
    while start < table.rows() {
        let end = (start + sizes.next().unwrap()).min(table.rows());
        let arrays = table
            .columns
            .iter()
            .map(|c| array(c, start..end, layout.sliced, layout.view_block))
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
        out.push(match layout.sliced {
            true => batch.slice(3, end - start),
            false => batch,
        });
        start = end;
    }
    out
}

fn write(table: &Table, layout: &Layout, options: &ParquetOptions) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = ParquetWriter::try_new(&mut out, table.schema(), Format::S3, options).unwrap();
    for batch in batches(table, layout) {
        writer.write(&batch).unwrap();
    }
    writer.finish(&DecodeStats::default()).unwrap();
    out
}

/// What a file must hold besides its values.
#[derive(Clone, Debug)]
struct Expect {
    compression: ParquetCompression,
    /// Most rows per row group.
    max_group_rows: usize,
    /// Every row group but the last holds `max_group_rows` (no cut by bytes).
    full_groups: bool,
    /// Columns with a bloom filter.
    bloom: Vec<&'static str>,
}

impl Expect {
    fn rows(max_group_rows: usize) -> Self {
        Expect {
            compression: ParquetCompression::Zstd(3),
            max_group_rows,
            full_groups: true,
            bloom: Vec::new(),
        }
    }
}

/// Writes `table`, checks the file, and checks that the same file comes on 2 and 4 threads,
/// on a second run, from sliced (or unsliced) batches, and with every text column `Utf8`, or
/// `Utf8View`.
fn run(table: &Table, layout: &Layout, options: &ParquetOptions, expect: &Expect) -> Report {
    let file = write(table, layout, &options.clone().with_threads(1));
    let report = check(&file, table, expect);
    let flipped = Layout {
        sliced: !layout.sliced,
        ..layout.clone()
    };
    let variants = [
        ("2 threads", table.clone(), layout, 2),
        ("4 threads", table.clone(), layout, 4),
        ("a second run", table.clone(), layout, 1),
        ("sliced batches (or not)", table.clone(), &flipped, 3),
        (
            "every text column Utf8",
            table.with_text_kind(Kind::Utf8),
            layout,
            1,
        ),
        (
            "every text column Utf8View",
            table.with_text_kind(Kind::View),
            layout,
            2,
        ),
    ];
    for (what, table, layout, threads) in variants {
        let again = write(&table, layout, &options.clone().with_threads(threads));
        assert!(
            again == file,
            "{what}: not the same file ({} bytes against {})",
            again.len(),
            file.len()
        );
    }
    report
}

// ---------------------------------------------------------------------------------------------
// What a file holds

/// What was found in a text column chunk, for the cases' own assertions.
#[derive(Debug, Clone)]
struct Chunk {
    column: String,
    group: usize,
    /// Dictionary entries, when the chunk has a dictionary page.
    dictionary: Option<usize>,
    /// The encoding of each data page, in order.
    encodings: Vec<Encoding>,
    /// The bit width of each dictionary-encoded data page.
    bit_widths: Vec<u8>,
    null_pages: usize,
    order: Option<BoundaryOrder>,
    /// The column index's min of each page with values.
    page_mins: Vec<Vec<u8>>,
    min_exact: bool,
    max_exact: bool,
}

impl Chunk {
    fn plain_pages(&self) -> usize {
        self.encodings
            .iter()
            .filter(|&&e| e == Encoding::PLAIN)
            .count()
    }
}

#[derive(Debug)]
struct Report {
    group_rows: Vec<usize>,
    chunks: Vec<Chunk>,
}

impl Report {
    fn of(&self, column: &str) -> Vec<&Chunk> {
        let chunks: Vec<&Chunk> = self.chunks.iter().filter(|c| c.column == column).collect();
        assert!(!chunks.is_empty(), "no chunk of {column}");
        chunks
    }
}

fn check(file: &[u8], table: &Table, expect: &Expect) -> Report {
    let bytes = Bytes::copy_from_slice(file);
    let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Required);
    let builder =
        ParquetRecordBatchReaderBuilder::try_new_with_options(bytes.clone(), options.clone())
            .unwrap();
    let metadata = builder.metadata().clone();
    let read: Vec<RecordBatch> = builder.build().unwrap().map(Result::unwrap).collect();
    let all: Vec<usize> = (0..table.rows()).collect();
    compare_rows(&read, table, &all, "the Arrow reader");

    assert_eq!(
        metadata.file_metadata().num_rows(),
        table.rows() as i64,
        "rows in the footer"
    );
    let group_rows = check_row_groups(&metadata, table, expect);

    let props = ReaderProperties::builder()
        .set_read_bloom_filter(true)
        .build();
    let reader = SerializedFileReader::new_with_options(
        bytes.clone(),
        ReadOptionsBuilder::new()
            .with_encoding_stats_as_mask(false)
            .with_reader_properties(props)
            .build(),
    )
    .unwrap();
    let page_index = metadata.page_index().expect("a page index");
    let mut chunks = Vec::new();
    let mut first_row = 0;
    let mut probes = Vec::new();
    for (g, &rows) in group_rows.iter().enumerate() {
        let group = reader.get_row_group(g).unwrap();
        let columns = reader.metadata().row_group(g).columns();
        let uncompressed: i64 = columns.iter().map(|c| c.uncompressed_size()).sum();
        assert_eq!(
            reader.metadata().row_group(g).total_byte_size(),
            uncompressed,
            "row group {g}: total byte size"
        );
        for (c, column) in table.columns.iter().enumerate() {
            let at = format!("row group {g} (rows {first_row}..), column {}", column.name);
            let meta = reader.metadata().row_group(g).column(c);
            assert_eq!(meta.num_values(), rows as i64, "{at}: values");
            if matches!(column.kind, Kind::Utf8 | Kind::View) {
                let order = metadata.file_metadata().column_order(c);
                assert_eq!(
                    order,
                    ColumnOrder::TYPE_DEFINED_ORDER(SortOrder::UNSIGNED),
                    "{at}: column order"
                );
            }
            check_codec(meta, expect.compression, &at);
            let offsets = page_index.offset_index(g, c).expect("an offset index");
            let starts = check_offset_index(offsets, meta, rows, &at);
            for (p, &start) in starts.iter().enumerate() {
                let end = starts.get(p + 1).copied().unwrap_or(rows);
                probes.extend([first_row + start, first_row + end - 1]);
            }
            let index = page_index.column_index(g, c).expect("a column index");
            match &column.values {
                Values::Text(values) => {
                    let values = &values[first_row..first_row + rows];
                    let pages: Vec<Page> = group
                        .get_column_page_reader(c)
                        .unwrap()
                        .map(Result::unwrap)
                        .collect();
                    let mut chunk = check_text_chunk(meta, values, column.nullable, &at);
                    check_text_pages(
                        &pages,
                        meta,
                        values,
                        column.nullable,
                        &starts,
                        &mut chunk,
                        &at,
                    );
                    check_text_column_index(
                        index,
                        offsets,
                        values,
                        column.nullable,
                        &starts,
                        &mut chunk,
                        &at,
                    );
                    if RANDOM_ID_COLUMNS.contains(&column.name.as_str()) {
                        assert_eq!(
                            chunk.dictionary, None,
                            "{at}: a random-id column has no dictionary"
                        );
                    }
                    if expect.bloom.contains(&column.name.as_str()) {
                        let filter = group.get_column_bloom_filter(c).expect("a bloom filter");
                        for (row, v) in values.iter().enumerate() {
                            if let Some(v) = v {
                                assert!(
                                    filter.check(v.as_bytes()),
                                    "{at}: row {row} not in the bloom filter"
                                );
                            }
                        }
                    } else {
                        assert!(
                            group.get_column_bloom_filter(c).is_none(),
                            "{at}: a bloom filter"
                        );
                    }
                    chunk.group = g;
                    chunk.column = column.name.clone();
                    chunks.push(chunk);
                }
                Values::Int(values) => {
                    let values = &values[first_row..first_row + rows];
                    check_int_chunk(meta, index, values, &starts, &at);
                }
            }
        }
        first_row += rows;
    }

    // Only the first and last rows of each page, through the offset index.
    probes.sort_unstable();
    probes.dedup();
    let ranges = probes.iter().map(|&r| r..r + 1);
    let selection = RowSelection::from_consecutive_ranges(ranges, table.rows());
    let selected: Vec<RecordBatch> =
        ParquetRecordBatchReaderBuilder::try_new_with_options(bytes, options)
            .unwrap()
            .with_row_selection(selection)
            .build()
            .unwrap()
            .map(Result::unwrap)
            .collect();
    compare_rows(
        &selected,
        table,
        &probes,
        "the first and last rows of each page",
    );

    Report { group_rows, chunks }
}

fn check_row_groups(metadata: &ParquetMetaData, table: &Table, expect: &Expect) -> Vec<usize> {
    let group_rows: Vec<usize> = metadata
        .row_groups()
        .iter()
        .map(|g| g.num_rows() as usize)
        .collect();
    assert_eq!(
        group_rows.iter().sum::<usize>(),
        table.rows(),
        "{group_rows:?}"
    );
    for (g, &rows) in group_rows.iter().enumerate() {
        assert!(rows > 0, "row group {g} is empty: {group_rows:?}");
        assert!(
            rows <= expect.max_group_rows,
            "row group {g}: {group_rows:?}"
        );
        if expect.full_groups && g + 1 < group_rows.len() {
            assert_eq!(rows, expect.max_group_rows, "row group {g}: {group_rows:?}");
        }
    }
    group_rows
}

fn check_codec(meta: &ColumnChunkMetaData, compression: ParquetCompression, at: &str) {
    let codec = meta.compression();
    let ok = match compression {
        ParquetCompression::Zstd(_) => matches!(codec, Compression::ZSTD(_)),
        ParquetCompression::Snappy => codec == Compression::SNAPPY,
        ParquetCompression::None => codec == Compression::UNCOMPRESSED,
        _ => unreachable!(),
    };
    assert!(ok, "{at}: {codec:?} for {compression:?}");
}

/// The first row of each page; the pages lie end to end from the chunk's start (its
/// dictionary page, if any, then its first data page) to its end.
fn check_offset_index(
    index: &OffsetIndexMetaData,
    meta: &ColumnChunkMetaData,
    rows: usize,
    at: &str,
) -> Vec<usize> {
    let locations = index.page_locations();
    assert!(!locations.is_empty(), "{at}: no page");
    assert_eq!(locations[0].first_row_index, 0, "{at}: first page");
    assert_eq!(
        locations[0].offset,
        meta.data_page_offset(),
        "{at}: first page offset"
    );
    for (p, pair) in locations.windows(2).enumerate() {
        assert!(
            pair[1].first_row_index > pair[0].first_row_index,
            "{at}: page {}: first rows {} then {}",
            p + 1,
            pair[0].first_row_index,
            pair[1].first_row_index
        );
        assert_eq!(
            pair[0].offset + i64::from(pair[0].compressed_page_size),
            pair[1].offset,
            "{at}: page {} does not follow page {p}",
            p + 1
        );
    }
    for (p, l) in locations.iter().enumerate() {
        assert!(
            l.compressed_page_size > 0,
            "{at}: page {p}: size {}",
            l.compressed_page_size
        );
    }
    let last = locations.last().unwrap();
    assert!(
        (last.first_row_index as usize) < rows,
        "{at}: last page starts past the rows"
    );
    let start = match meta.dictionary_page_offset() {
        Some(dictionary) => {
            assert!(
                dictionary < meta.data_page_offset(),
                "{at}: dictionary page after data"
            );
            dictionary
        }
        None => meta.data_page_offset(),
    };
    let end = last.offset + i64::from(last.compressed_page_size);
    assert_eq!(end - start, meta.compressed_size(), "{at}: chunk size");
    locations
        .iter()
        .map(|l| l.first_row_index as usize)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Text chunks

/// The true null count, min, max, distinct count and value bytes of `values`.
struct Truth<'a> {
    nulls: usize,
    min: Option<&'a str>,
    max: Option<&'a str>,
    distinct: usize,
    bytes: usize,
}

fn truth(values: &[Option<String>]) -> Truth<'_> {
    let present = || values.iter().flatten().map(String::as_str);
    Truth {
        nulls: values.iter().filter(|v| v.is_none()).count(),
        min: present().min(),
        max: present().max(),
        distinct: present().collect::<HashSet<_>>().len(),
        bytes: present().map(str::len).sum(),
    }
}

/// Parquet's lower bound of `v`: `v` itself up to 64 bytes; beyond, its longest prefix of at
/// most 64 bytes that ends on a character boundary (`false`: not exact).
fn truncated_min(v: &str) -> (Vec<u8>, bool) {
    if v.len() <= TRUNCATE {
        return (v.as_bytes().to_vec(), true);
    }
    let split = (1..=TRUNCATE)
        .rev()
        .find(|&x| v.is_char_boundary(x))
        .unwrap();
    (v.as_bytes()[..split].to_vec(), false)
}

/// Parquet's upper bound of `v`: `v` itself up to 64 bytes; beyond, its longest prefix of at
/// most 64 bytes that ends on a character boundary, whose last character that can be
/// incremented without changing its UTF-8 length (not U+007F, U+07FF, U+D7FF, U+FFFF or
/// U+10FFFF) is, with the characters after it dropped; `v` itself (exact) when there is none.
fn truncated_max(v: &str) -> (Vec<u8>, bool) {
    if v.len() <= TRUNCATE {
        return (v.as_bytes().to_vec(), true);
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
            return (out, false);
        }
    }
    (v.as_bytes().to_vec(), true)
}

/// A stored lower bound: at most the true min (so at most every value), and parquet's.
fn check_min(stored: &[u8], exact: Option<bool>, true_min: &str, at: &str) {
    let show = |b: &[u8]| format!("{:?}", String::from_utf8_lossy(b));
    assert!(
        stored <= true_min.as_bytes(),
        "{at}: min {} above the least value {true_min:?}",
        show(stored)
    );
    assert!(std::str::from_utf8(stored).is_ok(), "{at}: min not UTF-8");
    if exact == Some(true) {
        assert_eq!(stored, true_min.as_bytes(), "{at}: exact min");
    }
    if stored != true_min.as_bytes() {
        assert!(
            true_min.as_bytes().starts_with(stored) && stored.len() <= TRUNCATE,
            "{at}: min {} is no truncation of {true_min:?}",
            show(stored)
        );
    }
    let (expected, expected_exact) = truncated_min(true_min);
    assert!(
        stored == expected && exact.is_none_or(|e| e == expected_exact),
        "{at}: min {} (exact: {exact:?}), parquet's rule gives {} ({expected_exact}) for {true_min:?}",
        show(stored),
        show(&expected)
    );
}

/// A stored upper bound: at least the true max (so at least every value), and parquet's.
fn check_max(stored: &[u8], exact: Option<bool>, true_max: &str, at: &str) {
    let show = |b: &[u8]| format!("{:?}", String::from_utf8_lossy(b));
    assert!(
        stored >= true_max.as_bytes(),
        "{at}: max {} below the greatest value {true_max:?}",
        show(stored)
    );
    let text = std::str::from_utf8(stored).unwrap_or_else(|_| panic!("{at}: max not UTF-8"));
    if exact == Some(true) {
        assert_eq!(stored, true_max.as_bytes(), "{at}: exact max");
    }
    if stored != true_max.as_bytes() {
        let last = text.char_indices().last().map_or(0, |(i, _)| i);
        assert!(
            stored.len() <= TRUNCATE && true_max.as_bytes().starts_with(&stored[..last]),
            "{at}: max {} is no incremented truncation of {true_max:?}",
            show(stored)
        );
    }
    let (expected, expected_exact) = truncated_max(true_max);
    assert!(
        stored == expected && exact.is_none_or(|e| e == expected_exact),
        "{at}: max {} (exact: {exact:?}), parquet's rule gives {} ({expected_exact}) for {true_max:?}",
        show(stored),
        show(&expected)
    );
}

fn check_text_chunk(
    meta: &ColumnChunkMetaData,
    values: &[Option<String>],
    nullable: bool,
    at: &str,
) -> Chunk {
    let t = truth(values);
    let stats = meta
        .statistics()
        .unwrap_or_else(|| panic!("{at}: no statistics"));
    let Statistics::ByteArray(_) = stats else {
        panic!("{at}: {stats:?}")
    };
    assert_eq!(
        stats.null_count_opt(),
        Some(t.nulls as u64),
        "{at}: null count"
    );
    // Strings sort unsigned: their bounds are in min_value and max_value, not only in the
    // deprecated (signed) min and max.
    assert!(
        t.min.is_none()
            || !(stats.is_min_max_deprecated() || stats.is_min_max_backwards_compatible()),
        "{at}: the deprecated min and max"
    );
    assert_eq!(
        meta.column_descr().logical_type_ref(),
        Some(&parquet::basic::LogicalType::String),
        "{at}: logical type"
    );
    if let Some(distinct) = stats.distinct_count_opt() {
        assert_eq!(distinct, t.distinct as u64, "{at}: distinct count");
    }
    let (min_exact, max_exact) = match (t.min, t.max) {
        (Some(min), Some(max)) => {
            let stored = stats
                .min_bytes_opt()
                .unwrap_or_else(|| panic!("{at}: no min"));
            check_min(
                stored,
                Some(stats.min_is_exact()),
                min,
                &format!("{at}, chunk"),
            );
            let stored = stats
                .max_bytes_opt()
                .unwrap_or_else(|| panic!("{at}: no max"));
            check_max(
                stored,
                Some(stats.max_is_exact()),
                max,
                &format!("{at}, chunk"),
            );
            (stats.min_is_exact(), stats.max_is_exact())
        }
        _ => {
            assert!(
                stats.min_bytes_opt().is_none(),
                "{at}: a min without values"
            );
            assert!(
                stats.max_bytes_opt().is_none(),
                "{at}: a max without values"
            );
            (true, true)
        }
    };
    if let Some(bytes) = meta.unencoded_byte_array_data_bytes() {
        assert_eq!(bytes, t.bytes as i64, "{at}: unencoded bytes");
    }
    check_histogram(
        meta.definition_level_histogram().map(|h| h.values()),
        nullable,
        t.nulls,
        values.len(),
        at,
    );
    assert!(
        meta.repetition_level_histogram().is_none(),
        "{at}: a repetition level histogram"
    );
    Chunk {
        column: String::new(),
        group: 0,
        dictionary: None,
        encodings: Vec::new(),
        bit_widths: Vec::new(),
        null_pages: 0,
        order: None,
        page_mins: Vec::new(),
        min_exact,
        max_exact,
    }
}

/// A definition level histogram, when written: `[nulls, values]` for a nullable column; none
/// for a required one (its only level is 0).
fn check_histogram(histogram: Option<&[i64]>, nullable: bool, nulls: usize, rows: usize, at: &str) {
    if let Some(h) = histogram {
        if nullable {
            assert_eq!(
                h,
                [nulls as i64, (rows - nulls) as i64],
                "{at}: definition levels"
            );
        } else {
            assert_eq!(h, [rows as i64], "{at}: definition levels");
        }
    }
}

/// Decodes every page of the chunk here, compares the values with the rows of its offset
/// index entry, and checks the encodings and the page encoding statistics.
fn check_text_pages(
    pages: &[Page],
    meta: &ColumnChunkMetaData,
    values: &[Option<String>],
    nullable: bool,
    starts: &[usize],
    chunk: &mut Chunk,
    at: &str,
) {
    let mut dictionary: Option<Vec<&[u8]>> = None;
    let mut row = 0;
    let mut data_pages = 0;
    let mut runs: Vec<(PageType, Encoding, i32)> = Vec::new();
    for page in pages {
        let at = format!("{at}, page {data_pages}");
        let key = (page.page_type(), page.encoding());
        match runs.last_mut() {
            Some(run) if (run.0, run.1) == key => run.2 += 1,
            _ => runs.push((key.0, key.1, 1)),
        }
        match page {
            Page::DictionaryPage {
                buf,
                num_values,
                encoding,
                is_sorted,
            } => {
                assert!(dictionary.is_none(), "{at}: a second dictionary page");
                assert_eq!(data_pages, 0, "{at}: the dictionary page after data pages");
                assert!(
                    matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY),
                    "{at}: dictionary page encoding {encoding:?}"
                );
                let (entries, used) = plain_values(buf, *num_values as usize, &at);
                assert_eq!(used, buf.len(), "{at}: bytes after the dictionary entries");
                let distinct: HashSet<&[u8]> = entries.iter().copied().collect();
                assert_eq!(
                    distinct.len(),
                    entries.len(),
                    "{at}: a dictionary entry twice"
                );
                if *is_sorted {
                    assert!(entries.is_sorted(), "{at}: a dictionary said sorted is not");
                }
                dictionary = Some(entries);
            }
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                statistics,
                ..
            } => {
                assert_eq!(
                    starts.get(data_pages).copied(),
                    Some(row),
                    "{at}: the offset index's first row"
                );
                let num_values = *num_values as usize;
                let end = starts.get(data_pages + 1).copied().unwrap_or(values.len());
                assert_eq!(row + num_values, end, "{at}: values of the page");
                let expected = &values[row..end];
                let mut pos = 0;
                let defined: Vec<bool> = if nullable {
                    assert_eq!(
                        *def_level_encoding,
                        Encoding::RLE,
                        "{at}: definition levels"
                    );
                    let len = u32::from_le_bytes(buf[..4].try_into().unwrap()) as usize;
                    let levels = &buf[4..4 + len];
                    let (levels, used) = hybrid(levels, 1, num_values, &at);
                    assert_eq!(used, len, "{at}: bytes after the definition levels");
                    pos = 4 + len;
                    levels.iter().map(|&l| l == 1).collect()
                } else {
                    vec![true; num_values]
                };
                let present = defined.iter().filter(|&&d| d).count();
                let decoded: Vec<&[u8]> = match encoding {
                    Encoding::PLAIN => {
                        let (decoded, used) = plain_values(&buf[pos..], present, &at);
                        assert_eq!(pos + used, buf.len(), "{at}: bytes after the values");
                        decoded
                    }
                    Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY => {
                        let dictionary = dictionary
                            .as_ref()
                            .unwrap_or_else(|| panic!("{at}: no dictionary page"));
                        assert!(
                            chunk.plain_pages() == 0,
                            "{at}: dictionary indices after a PLAIN page"
                        );
                        let width = *buf.get(pos).unwrap_or_else(|| panic!("{at}: no bit width"));
                        assert!(width <= 32, "{at}: bit width {width}");
                        let (indices, used) = hybrid(&buf[pos + 1..], width, present, &at);
                        assert_eq!(pos + 1 + used, buf.len(), "{at}: bytes after the indices");
                        let needed = indices.iter().max().map_or(0, |&m| bits(m as usize));
                        assert!(
                            width >= needed,
                            "{at}: width {width} for index {needed} bits"
                        );
                        assert!(
                            width <= bits(dictionary.len().saturating_sub(1)),
                            "{at}: width {width} for {} entries",
                            dictionary.len()
                        );
                        chunk.bit_widths.push(width);
                        indices
                            .iter()
                            .map(|&i| {
                                *dictionary.get(i as usize).unwrap_or_else(|| {
                                    panic!("{at}: index {i} out of the dictionary")
                                })
                            })
                            .collect()
                    }
                    other => panic!("{at}: encoding {other:?}"),
                };
                let mut decoded = decoded.into_iter();
                for (i, (&d, want)) in defined.iter().zip(expected).enumerate() {
                    let got = d.then(|| decoded.next().unwrap());
                    assert!(
                        got == want.as_deref().map(str::as_bytes),
                        "{at}: row {} decoded {:?}, written {want:?}",
                        row + i,
                        got.map(String::from_utf8_lossy)
                    );
                }
                if let Some(stats) = statistics {
                    let t = truth(expected);
                    assert_eq!(
                        stats.null_count_opt(),
                        Some(t.nulls as u64),
                        "{at}: header nulls"
                    );
                    if let (Some(min), Some(max)) = (t.min, t.max) {
                        check_min(
                            stats.min_bytes_opt().unwrap(),
                            Some(stats.min_is_exact()),
                            min,
                            &at,
                        );
                        check_max(
                            stats.max_bytes_opt().unwrap(),
                            Some(stats.max_is_exact()),
                            max,
                            &at,
                        );
                    }
                }
                chunk.encodings.push(*encoding);
                row = end;
                data_pages += 1;
            }
            Page::DataPageV2 { .. } => panic!("{at}: a v2 data page (the writer writes v1)"),
        }
    }
    assert_eq!(row, values.len(), "{at}: rows of the pages");
    assert_eq!(
        data_pages,
        starts.len(),
        "{at}: data pages against the offset index"
    );
    chunk.dictionary = dictionary.as_ref().map(Vec::len);
    if let Some(entries) = &dictionary {
        // Every entry is a value of the chunk; with no PLAIN page, every value is an entry.
        let present: HashSet<&[u8]> = values.iter().flatten().map(|v| v.as_bytes()).collect();
        for e in entries {
            assert!(
                present.contains(e),
                "{at}: dictionary entry {:?} is no value",
                String::from_utf8_lossy(e)
            );
        }
        if chunk.plain_pages() == 0 {
            assert_eq!(entries.len(), present.len(), "{at}: dictionary entries");
        }
    }
    assert_eq!(
        meta.dictionary_page_offset().is_some(),
        dictionary.is_some(),
        "{at}: dictionary page offset"
    );
    // The chunk's encodings: those of its pages, and RLE (that of the definition levels, which
    // parquet lists for required columns too).
    let listed: HashSet<Encoding> = meta.encodings().collect();
    let used: HashSet<Encoding> = runs.iter().map(|r| r.1).collect();
    assert!(
        used.is_subset(&listed)
            && listed
                .iter()
                .all(|e| used.contains(e) || *e == Encoding::RLE)
            && (!nullable || listed.contains(&Encoding::RLE)),
        "{at}: encodings {listed:?}, pages {runs:?}"
    );
    let buffers: usize = pages.iter().map(|p| p.buffer().len()).sum();
    assert!(
        meta.uncompressed_size() > buffers as i64,
        "{at}: uncompressed size {} for {buffers} bytes of pages and their headers",
        meta.uncompressed_size()
    );
    if meta.compression() == Compression::UNCOMPRESSED {
        assert_eq!(
            meta.uncompressed_size(),
            meta.compressed_size(),
            "{at}: sizes"
        );
    }
    let stats = meta
        .page_encoding_stats()
        .unwrap_or_else(|| panic!("{at}: no page encoding stats"));
    let stats: Vec<(PageType, Encoding, i32)> = stats
        .iter()
        .map(|s| (s.page_type, s.encoding, s.count))
        .collect();
    assert_eq!(
        stats, runs,
        "{at}: page encoding stats against the pages, in file order"
    );
}

/// Checks the column index of a text chunk against the values of each page.
fn check_text_column_index(
    index: &ColumnIndexMetaData,
    offsets: &OffsetIndexMetaData,
    values: &[Option<String>],
    nullable: bool,
    starts: &[usize],
    chunk: &mut Chunk,
    at: &str,
) {
    let index_order = index.get_boundary_order();
    let ColumnIndexMetaData::BYTE_ARRAY(index) = index else {
        panic!("{at}: column index {index:?}")
    };
    assert_eq!(
        index.num_pages() as usize,
        starts.len(),
        "{at}: pages in the column index"
    );
    let unencoded = offsets.unencoded_byte_array_data_bytes();
    let mut ascending = true;
    let mut descending = true;
    let mut last: Option<(&str, &str)> = None;
    for (p, &start) in starts.iter().enumerate() {
        let at = format!("{at}, page {p} (rows {start}..)");
        let end = starts.get(p + 1).copied().unwrap_or(values.len());
        let t = truth(&values[start..end]);
        assert_eq!(
            index.null_count(p),
            Some(t.nulls as i64),
            "{at}: null count"
        );
        let null_page = t.nulls == end - start;
        assert_eq!(index.is_null_page(p), null_page, "{at}: null page");
        chunk.null_pages += usize::from(null_page);
        if let (Some(min), Some(max)) = (t.min, t.max) {
            check_min(index.min_value(p).unwrap(), None, min, &at);
            chunk.page_mins.push(index.min_value(p).unwrap().to_vec());
            check_max(index.max_value(p).unwrap(), None, max, &at);
            if let Some((last_min, last_max)) = last {
                ascending &= last_min <= min && last_max <= max;
                descending &= last_min >= min && last_max >= max;
            }
            last = Some((min, max));
        }
        check_histogram(
            index.definition_level_histogram(p),
            nullable,
            t.nulls,
            end - start,
            &at,
        );
        if let Some(bytes) = unencoded {
            assert_eq!(bytes[p], t.bytes as i64, "{at}: unencoded bytes");
        }
    }
    // Parquet's rule: from the pages' true (untruncated) bounds; all equal is ascending.
    let order = match (ascending, descending) {
        (true, _) => BoundaryOrder::ASCENDING,
        (false, true) => BoundaryOrder::DESCENDING,
        _ => BoundaryOrder::UNORDERED,
    };
    assert_eq!(index_order, Some(order), "{at}: boundary order");
    chunk.order = index_order;
}

fn check_int_chunk(
    meta: &ColumnChunkMetaData,
    index: &ColumnIndexMetaData,
    values: &[Option<i64>],
    starts: &[usize],
    at: &str,
) {
    let bounds = |v: &[Option<i64>]| {
        let present = v.iter().flatten();
        (
            v.iter().filter(|v| v.is_none()).count(),
            present.clone().min().copied(),
            present.max().copied(),
        )
    };
    let (nulls, min, max) = bounds(values);
    // Chunk statistics, widened to i64.
    let (null_count, stats_min, stats_max) = match meta.statistics() {
        Some(Statistics::Int64(s)) => (
            s.null_count_opt(),
            s.min_opt().copied(),
            s.max_opt().copied(),
        ),
        Some(Statistics::Int32(s)) => (
            s.null_count_opt(),
            s.min_opt().copied().map(i64::from),
            s.max_opt().copied().map(i64::from),
        ),
        other => panic!("{at}: statistics {other:?}"),
    };
    assert_eq!(null_count, Some(nulls as u64), "{at}: null count");
    assert_eq!(stats_min, min, "{at}: min");
    assert_eq!(stats_max, max, "{at}: max");
    let page_bounds = |p: usize| match index {
        ColumnIndexMetaData::INT64(index) => (
            index.null_count(p),
            index.min_value(p).copied(),
            index.max_value(p).copied(),
        ),
        ColumnIndexMetaData::INT32(index) => (
            index.null_count(p),
            index.min_value(p).copied().map(i64::from),
            index.max_value(p).copied().map(i64::from),
        ),
        other => panic!("{at}: column index {other:?}"),
    };
    for (p, &start) in starts.iter().enumerate() {
        let end = starts.get(p + 1).copied().unwrap_or(values.len());
        let (nulls, min, max) = bounds(&values[start..end]);
        let (index_nulls, index_min, index_max) = page_bounds(p);
        assert_eq!(
            index_nulls,
            Some(nulls as i64),
            "{at}, page {p}: null count"
        );
        assert_eq!(index_min, min, "{at}, page {p}: min");
        assert_eq!(index_max, max, "{at}, page {p}: max");
    }
}

/// `count` PLAIN byte arrays (a 4-byte length, then the bytes) and the bytes they take.
fn plain_values<'a>(buf: &'a [u8], count: usize, at: &str) -> (Vec<&'a [u8]>, usize) {
    let mut out = Vec::with_capacity(count);
    let mut pos = 0;
    for i in 0..count {
        let len = buf
            .get(pos..pos + 4)
            .unwrap_or_else(|| panic!("{at}: value {i} of {count}: no length"));
        let len = u32::from_le_bytes(len.try_into().unwrap()) as usize;
        let value = buf
            .get(pos + 4..pos + 4 + len)
            .unwrap_or_else(|| panic!("{at}: value {i} of {count}: {len} bytes past the end"));
        out.push(value);
        pos += 4 + len;
    }
    (out, pos)
}

/// Decodes `count` values of the RLE/bit-packed hybrid encoding of `width` bits from `buf`;
/// returns them and the bytes their runs take (a last bit-packed group padded to 8 values).
fn hybrid(buf: &[u8], width: u8, count: usize, at: &str) -> (Vec<u32>, usize) {
    let width = usize::from(width);
    let mut out = Vec::with_capacity(count);
    let mut pos = 0;
    while out.len() < count {
        let mut header = 0u64;
        let mut shift = 0;
        loop {
            let byte = *buf
                .get(pos)
                .unwrap_or_else(|| panic!("{at}: hybrid run header past the end"));
            pos += 1;
            header |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let left = count - out.len();
        if header & 1 == 1 {
            let groups = (header >> 1) as usize;
            assert!(groups > 0, "{at}: an empty bit-packed run");
            let bytes = buf
                .get(pos..pos + groups * width)
                .unwrap_or_else(|| panic!("{at}: bit-packed run past the end"));
            assert!(
                groups * 8 - left.min(groups * 8) < 8,
                "{at}: a bit-packed run of padding"
            );
            for j in 0..(groups * 8).min(left) {
                let mut v = 0u32;
                for b in 0..width {
                    let bit = j * width + b;
                    v |= u32::from((bytes[bit / 8] >> (bit % 8)) & 1) << b;
                }
                out.push(v);
            }
            pos += groups * width;
        } else {
            let run = (header >> 1) as usize;
            assert!(
                run > 0 && run <= left,
                "{at}: an RLE run of {run} with {left} values left"
            );
            let n = width.div_ceil(8);
            let bytes = buf
                .get(pos..pos + n)
                .unwrap_or_else(|| panic!("{at}: RLE run past the end"));
            let v = bytes
                .iter()
                .rev()
                .fold(0u32, |v, &b| (v << 8) | u32::from(b));
            out.extend(std::iter::repeat_n(v, run));
            pos += n;
        }
    }
    (out, pos)
}

/// Bits needed to write `n`.
fn bits(n: usize) -> u8 {
    (usize::BITS - n.leading_zeros()) as u8
}

/// Compares the rows read with rows `rows` of `table`.
fn compare_rows(read: &[RecordBatch], table: &Table, rows: &[usize], what: &str) {
    let total: usize = read.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, rows.len(), "{what}: rows read");
    for (c, column) in table.columns.iter().enumerate() {
        let mut k = 0;
        for batch in read {
            let array = batch.column(c);
            match &column.values {
                Values::Text(values) => {
                    assert_eq!(
                        array.data_type(),
                        &DataType::Utf8,
                        "{what}: column {}",
                        column.name
                    );
                    let array = array.as_string::<i32>();
                    for i in 0..array.len() {
                        let row = rows[k];
                        let got = array.is_valid(i).then(|| array.value(i));
                        assert!(
                            got == values[row].as_deref(),
                            "{what}: column {}, row {row}: read {got:?}, written {:?}",
                            column.name,
                            values[row]
                        );
                        k += 1;
                    }
                }
                Values::Int(values) => {
                    let array = arrow::compute::cast(array, &DataType::Int64).unwrap();
                    let array = array.as_primitive::<Int64Type>();
                    for i in 0..array.len() {
                        let row = rows[k];
                        let got = array.is_valid(i).then(|| array.value(i));
                        assert_eq!(
                            got, values[row],
                            "{what}: column {}, row {row}",
                            column.name
                        );
                        k += 1;
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Data

/// xorshift64: deterministic data without a dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.below(16) as u32, 16).unwrap())
            .collect()
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            v.swap(i, self.below(i + 1));
        }
    }
}

fn some(values: impl IntoIterator<Item = String>) -> Vec<Option<String>> {
    values.into_iter().map(Some).collect()
}

/// `k` distinct values, each at least once, in a shuffled order, over `rows` rows.
fn distinct(
    k: usize,
    rows: usize,
    rng: &mut Rng,
    make: impl Fn(usize) -> String,
) -> Vec<Option<String>> {
    let mut ids: Vec<usize> = (0..rows).map(|i| i % k).collect();
    rng.shuffle(&mut ids);
    ids.into_iter().map(|i| Some(make(i))).collect()
}

fn with_nulls(values: Vec<Option<String>>, rng: &mut Rng, one_in: usize) -> Vec<Option<String>> {
    values
        .into_iter()
        .map(|v| v.filter(|_| rng.below(one_in) != 0))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Cases

#[test]
fn empty_strings_nulls_and_single_values() {
    let rows = 3000;
    let mut rng = Rng::new(1);
    let columns = vec![
        Column::text("empty", Kind::Utf8, false, vec![Some(String::new()); rows]),
        Column::text(
            "empty_or_null",
            Kind::View,
            true,
            (0..rows).map(|i| (i % 3 != 0).then(String::new)).collect(),
        ),
        Column::text("all_null", Kind::Utf8, true, vec![None; rows]),
        Column::text("all_null_view", Kind::View, true, vec![None; rows]),
        Column::text(
            "single",
            Kind::Utf8,
            false,
            vec![Some("GET".to_string()); rows],
        ),
        Column::text(
            "single_view",
            Kind::View,
            true,
            (0..rows)
                .map(|_| (rng.below(4) != 0).then(|| "a single value, out of line".to_string()))
                .collect(),
        ),
        Column::text(
            "no_nulls",
            Kind::Utf8,
            true,
            distinct(40, rows, &mut rng, |i| format!("value {i}")),
        ),
        Column::text(
            "short_or_empty",
            Kind::View,
            false,
            distinct(3, rows, &mut rng, |i| ["", "a", "ab"][i].to_string()),
        ),
    ];
    let table = Table::mixed(columns);
    for (options, max_rows) in [
        (ParquetOptions::new(), usize::MAX),
        (ParquetOptions::new().with_max_row_group_rows(1000), 1000),
    ] {
        let report = run(&table, &layout(&BATCHES), &options, &Expect::rows(max_rows));
        for chunk in report.of("single") {
            assert_eq!(chunk.dictionary, Some(1), "{chunk:?}");
            assert!(chunk.bit_widths.iter().all(|&w| w == 0), "{chunk:?}");
        }
        for chunk in report
            .of("all_null")
            .into_iter()
            .chain(report.of("all_null_view"))
        {
            assert_eq!(chunk.null_pages, chunk.encodings.len(), "{chunk:?}");
        }
        for chunk in report.of("empty") {
            assert_eq!(chunk.dictionary, Some(1), "{chunk:?}");
        }
    }
}

#[test]
fn dictionary_bit_widths_across_byte_boundaries() {
    let rows = 4000;
    let mut rng = Rng::new(2);
    let mut columns = Vec::new();
    for (k, kind, nullable) in [
        (2, Kind::Utf8, false),
        (255, Kind::View, true),
        (256, Kind::Utf8, true),
        (257, Kind::View, false),
    ] {
        let values = distinct(k, rows, &mut rng, |i| format!("{k}-distinct-{i:03}"));
        let values = match nullable {
            // Nulls, but every value still at least once.
            true => values
                .into_iter()
                .enumerate()
                .map(|(row, v)| v.filter(|_| row >= k * 2 || rng.below(5) != 0))
                .collect(),
            false => values,
        };
        columns.push(Column::text(&format!("d{k}"), kind, nullable, values));
    }
    let table = Table::mixed(columns);
    let report = run(
        &table,
        &layout(&BATCHES),
        &ParquetOptions::new(),
        &Expect::rows(usize::MAX),
    );
    for k in [2usize, 255, 256, 257] {
        let chunk = report.of(&format!("d{k}"))[0];
        let present: HashSet<_> = match &table
            .columns
            .iter()
            .find(|c| c.name == format!("d{k}"))
            .unwrap()
            .values
        {
            Values::Text(v) => v.iter().flatten().collect(),
            Values::Int(_) => unreachable!(),
        };
        assert_eq!(chunk.dictionary, Some(present.len()), "d{k}: {chunk:?}");
        let widest = chunk.bit_widths.iter().max().copied();
        assert_eq!(widest, Some(bits(present.len() - 1)), "d{k}: {chunk:?}");
    }
}

#[test]
fn more_than_65536_distinct_values() {
    let rows = 70_000;
    let mut rng = Rng::new(3);
    let columns = vec![
        Column::text(
            "ids",
            Kind::View,
            false,
            distinct(rows, rows, &mut rng, |i| format!("{i:05x}")),
        ),
        Column::text(
            "ids_nullable",
            Kind::Utf8,
            true,
            with_nulls(
                distinct(66_000, rows, &mut rng, |i| format!("key/{i}")),
                &mut rng,
                9,
            ),
        ),
    ];
    let table = Table::new(columns);
    let report = run(
        &table,
        &layout(&BATCHES),
        &ParquetOptions::new(),
        &Expect::rows(usize::MAX),
    );
    let chunk = report.of("ids")[0];
    assert_eq!(chunk.dictionary, Some(rows), "{chunk:?}");
    assert!(chunk.encodings.len() > 1, "{chunk:?}");
    assert_eq!(chunk.bit_widths.iter().max(), Some(&17), "{chunk:?}");
}

#[test]
fn runs_then_alternating_values() {
    let mut rng = Rng::new(4);
    let mut runs = Vec::new();
    runs.extend(std::iter::repeat_n(Some("a".to_string()), 10_000));
    runs.extend((0..10_000).map(|i| Some(["a", "b"][i % 2].to_string())));
    while runs.len() < 30_000 {
        let value = ["a", "b", "c", "d", "e"][rng.below(5)];
        let len = 1 + rng.below(40);
        runs.extend(std::iter::repeat_n(Some(value.to_string()), len));
    }
    runs.truncate(30_000);
    let mut nullable: Vec<Option<String>> = Vec::new();
    nullable.extend(std::iter::repeat_n(None, 9_000));
    nullable.extend((0..12_000).map(|i| (i % 2 == 0).then(|| "x".to_string())));
    while nullable.len() < 30_000 {
        let value = (rng.below(3) != 0).then(|| format!("run {}", rng.below(9)));
        nullable.extend(std::iter::repeat_n(value, 1 + rng.below(30)));
    }
    nullable.truncate(30_000);
    let table = Table::mixed(vec![
        Column::text("runs", Kind::Utf8, false, runs),
        Column::text("runs_nullable", Kind::View, true, nullable),
    ]);
    let report = run(
        &table,
        &layout(&BATCHES),
        &ParquetOptions::new(),
        &Expect::rows(usize::MAX),
    );
    assert!(report.of("runs")[0].encodings.len() > 1, "{report:?}");
}

/// Values of each family for the truncation of the bounds to 64 bytes.
fn long_values(family: usize, rng: &mut Rng) -> String {
    let prefix = "p".repeat(64);
    match family {
        // A shared 64-byte prefix (and the prefix alone).
        0 => {
            let tails = ["", "a", "b", "zz", "é", "\u{10FFFF}", "\u{7f}\u{7f}"];
            format!("{prefix}{}", tails[rng.below(tails.len())])
        }
        // A multi-byte character across byte 64, at each position.
        1 => {
            let chars = ["é", "漢", "😀", "\u{7ff}", "\u{ffff}"];
            let ascii = 58 + rng.below(8);
            let c = chars[rng.below(chars.len())];
            let tail = ["", "x", "yy"][rng.below(3)];
            format!(
                "{}{c}{c}{tail}",
                ["a", "b", "c"][rng.below(3)].repeat(ascii)
            )
        }
        // Characters that cannot be incremented in place, after one that can (or none).
        2 => {
            let stuck = ["\u{10FFFF}", "\u{FFFF}", "\u{D7FF}", "\u{7F}", "\u{7FF}"];
            let c = stuck[rng.below(stuck.len())];
            let lead = ["", "z", "é", "\u{10FFFE}"][rng.below(4)];
            format!("{lead}{}", c.repeat(70 / c.len() + rng.below(3)))
        }
        // Short values beside long ones.
        _ => {
            let len = rng.below(130);
            (0..len)
                .map(|_| ['a', 'é', '漢', '\u{10FFFF}', 'z'][rng.below(5)])
                .collect()
        }
    }
}

#[test]
fn long_values_and_the_truncation_of_bounds() {
    let rows = 2400;
    let mut rng = Rng::new(5);
    let mut columns = Vec::new();
    for family in 0..4 {
        for (kind, nullable) in [(Kind::Utf8, false), (Kind::View, true)] {
            let values = (0..rows)
                .map(|_| (!nullable || rng.below(6) != 0).then(|| long_values(family, &mut rng)))
                .collect();
            columns.push(Column::text(
                &format!("f{family}_{kind:?}"),
                kind,
                nullable,
                values,
            ));
        }
    }
    // Every family at once, in runs, so pages and chunks differ in their bounds.
    let mixed = (0..rows)
        .map(|i| Some(long_values(i / 40 % 4, &mut rng)))
        .collect();
    columns.push(Column::text("families", Kind::View, false, mixed));
    let table = Table::mixed(columns);
    let report = run(
        &table,
        &layout(&[37, 100, 3]),
        &ParquetOptions::new().with_max_row_group_rows(41),
        &Expect::rows(41),
    );
    // Every path was taken: truncated and whole bounds of long values.
    assert!(
        report.chunks.iter().any(|c| !c.min_exact),
        "no truncated min"
    );
    assert!(
        report.chunks.iter().any(|c| !c.max_exact),
        "no truncated max"
    );
    assert!(
        report.of("f2_Utf8").iter().any(|c| c.max_exact),
        "no max of over 64 bytes kept whole"
    );
    run(
        &table,
        &layout(&BATCHES),
        &ParquetOptions::new(),
        &Expect::rows(usize::MAX),
    );
}

/// The boundary order is that of the pages' true bounds, not of the truncated ones stored: a
/// min of 62 ASCII bytes and a 3-byte character truncates to its 62 bytes, below the
/// truncation of a lesser min whose bytes 62 and 63 are ASCII. Parquet writes ASCENDING for
/// pages whose stored mins descend.
#[test]
fn the_boundary_order_of_truncated_bounds() {
    let rows = 45_000;
    let low = format!("{}aa{}", "A".repeat(62), "x".repeat(10));
    let high = format!("{}€{}", "A".repeat(62), "x".repeat(10));
    assert!(low < high);
    let values = some((0..rows).map(|i| {
        if i < 30_000 {
            low.clone()
        } else {
            high.clone()
        }
    }));
    let table = Table::new(vec![Column::text("uri", Kind::Utf8, false, values)]);
    let report = run(
        &table,
        &layout(&[4096]),
        &ParquetOptions::new(),
        &Expect::rows(usize::MAX),
    );
    let chunk = report.of("uri")[0];
    assert_eq!(chunk.order, Some(BoundaryOrder::ASCENDING), "{chunk:?}");
    assert!(!chunk.page_mins.is_sorted(), "{chunk:?}");
}

#[test]
fn a_dictionary_past_its_limit_falls_back_to_plain() {
    let rows = 60_000;
    let mut rng = Rng::new(6);
    let long = (0..rows)
        .map(|i| Some(format!("{i:08}/{}", rng.hex(91))))
        .collect();
    let table = Table::new(vec![
        Column::text("long", Kind::View, false, long),
        Column::text(
            "small",
            Kind::Utf8,
            true,
            with_nulls(
                distinct(20, rows, &mut rng, |i| format!("s{i}")),
                &mut rng,
                5,
            ),
        ),
    ]);
    let report = run(
        &table,
        &layout(&[8192]),
        &ParquetOptions::new(),
        &Expect::rows(usize::MAX),
    );
    assert_eq!(report.group_rows, [rows], "one row group");
    let chunk = report.of("long")[0];
    assert!(chunk.dictionary.is_some(), "{chunk:?}");
    assert!(chunk.plain_pages() > 0, "no fallback: {chunk:?}");
    assert!(chunk.encodings[0] != Encoding::PLAIN, "{chunk:?}");
    assert_eq!(report.of("small")[0].plain_pages(), 0);
}

#[test]
fn nulls_at_page_boundaries() {
    let rows = 62_000;
    let mut rng = Rng::new(7);
    // Nulls around every multiple of 1000 and of 1024 (where pages are cut), and all of rows
    // 20 000 to 41 000 (a page or more of nulls whether pages hold 20 000 or 20 480 rows).
    let edge = |i: usize| i % 1000 <= 1 || i % 1000 >= 998 || i % 1024 <= 1 || i % 1024 >= 1022;
    let boundaries = (0..rows)
        .map(|i| (!edge(i)).then(|| format!("v{}", rng.below(500))))
        .collect();
    let gap = (0..rows)
        .map(|i| {
            (!(20_000..41_000).contains(&i) && !edge(i)).then(|| format!("w{}", rng.below(70)))
        })
        .collect();
    let table = Table::mixed(vec![
        Column::text("boundaries", Kind::Utf8, true, boundaries),
        Column::text("gap", Kind::View, true, gap),
        Column::text(
            "ascending",
            Kind::Utf8,
            false,
            some((0..rows).map(|i| format!("{i:06}"))),
        ),
        Column::text(
            "descending",
            Kind::View,
            true,
            (0..rows)
                .map(|i| {
                    (!(20_000..41_000).contains(&i) && !edge(i)).then(|| format!("{:06}", rows - i))
                })
                .collect(),
        ),
    ]);
    let report = run(
        &table,
        &layout(&BATCHES),
        &ParquetOptions::new(),
        &Expect::rows(usize::MAX),
    );
    let gap = report.of("gap")[0];
    assert!(gap.encodings.len() >= 3, "{gap:?}");
    assert!(gap.null_pages >= 1, "{gap:?}");
    let ascending = report.of("ascending")[0];
    assert!(ascending.encodings.len() >= 3, "{ascending:?}");
    assert_eq!(
        ascending.order,
        Some(BoundaryOrder::ASCENDING),
        "{ascending:?}"
    );
    let descending = report.of("descending")[0];
    assert!(descending.null_pages >= 1, "{descending:?}");
    assert_eq!(
        descending.order,
        Some(BoundaryOrder::DESCENDING),
        "{descending:?}"
    );
}

#[test]
fn row_groups_cut_by_rows_and_by_bytes() {
    let rows = 20_000;
    let mut rng = Rng::new(8);
    let columns = vec![
        Column::text(
            "uri",
            Kind::View,
            true,
            with_nulls(
                distinct(3000, rows, &mut rng, |i| {
                    format!("/photos/{i}/{}.jpg", i * 7919 % 10007)
                }),
                &mut rng,
                10,
            ),
        ),
        Column::text(
            "agent",
            Kind::Utf8,
            false,
            distinct(25, rows, &mut rng, |i| format!("agent/{i}.0 (compatible)")),
        ),
    ];
    let table = Table::mixed(columns);
    let report = run(
        &table,
        &layout(&BATCHES),
        &ParquetOptions::new().with_max_row_group_rows(1000),
        &Expect::rows(1000),
    );
    assert_eq!(report.group_rows.len(), 20);
    let layout = layout(&[256]);
    let expect = Expect {
        full_groups: false,
        ..Expect::rows(usize::MAX)
    };
    let report = run(
        &table,
        &layout,
        &ParquetOptions::new().with_max_row_group_bytes(48 << 10),
        &expect,
    );
    assert!(report.group_rows.len() > 2, "{:?}", report.group_rows);
}

#[test]
fn random_id_columns_get_no_dictionary() {
    let rows = 2000;
    let mut rng = Rng::new(9);
    let table = Table::mixed(vec![
        Column::text(
            "host_id",
            Kind::View,
            false,
            some((0..rows).map(|_| rng.hex(76))),
        ),
        Column::text(
            "request_id",
            Kind::Utf8,
            true,
            with_nulls(some((0..rows).map(|_| rng.hex(16))), &mut rng, 20),
        ),
        Column::text(
            "operation",
            Kind::Utf8,
            false,
            distinct(5, rows, &mut rng, |i| format!("REST.GET.{i}")),
        ),
    ]);
    for compression in [
        ParquetCompression::Zstd(3),
        ParquetCompression::Zstd(19),
        ParquetCompression::Snappy,
    ] {
        let expect = Expect {
            compression,
            ..Expect::rows(usize::MAX)
        };
        let options = ParquetOptions::new().with_compression(compression);
        let report = run(&table, &layout(&BATCHES), &options, &expect);
        for name in ["host_id", "request_id"] {
            for chunk in report.of(name) {
                assert_eq!(chunk.dictionary, None, "{chunk:?}");
                assert_eq!(chunk.plain_pages(), chunk.encodings.len(), "{chunk:?}");
            }
        }
        assert!(report.of("operation")[0].dictionary.is_some());
    }
}

#[test]
fn every_codec() {
    let rows = 3000;
    let mut rng = Rng::new(10);
    let table = Table::mixed(vec![
        Column::text(
            "key",
            Kind::Utf8,
            true,
            with_nulls(
                distinct(900, rows, &mut rng, |i| format!("logs/2024/{i:04}.gz")),
                &mut rng,
                8,
            ),
        ),
        Column::text(
            "referer",
            Kind::View,
            true,
            with_nulls(
                some((0..rows).map(|_| long_values(3, &mut rng))),
                &mut rng,
                3,
            ),
        ),
        Column::text(
            "request_id",
            Kind::Utf8,
            false,
            some((0..rows).map(|_| rng.hex(16))),
        ),
    ]);
    let layout = Layout {
        sliced: true,
        ..layout(&BATCHES)
    };
    for compression in [
        ParquetCompression::Zstd(1),
        ParquetCompression::Zstd(3),
        ParquetCompression::Zstd(19),
        ParquetCompression::Snappy,
        ParquetCompression::None,
    ] {
        let expect = Expect {
            compression,
            ..Expect::rows(1200)
        };
        let options = ParquetOptions::new()
            .with_compression(compression)
            .with_max_row_group_rows(1200);
        run(&table, &layout, &options, &expect);
    }
}

#[test]
fn a_bloom_filter_column_beside_the_others() {
    let rows = 3000;
    let mut rng = Rng::new(12);
    let table = Table::mixed(vec![
        Column::text(
            "key",
            Kind::View,
            true,
            with_nulls(
                distinct(700, rows, &mut rng, |i| format!("k{i}")),
                &mut rng,
                6,
            ),
        ),
        Column::text(
            "bucket",
            Kind::Utf8,
            false,
            distinct(3, rows, &mut rng, |i| format!("bucket-{i}")),
        ),
    ]);
    let expect = Expect {
        bloom: vec!["key"],
        ..Expect::rows(usize::MAX)
    };
    run(
        &table,
        &layout(&BATCHES),
        &ParquetOptions::new().with_bloom_filter(["key"]),
        &expect,
    );
}

// ---------------------------------------------------------------------------------------------
// Random columns

fn value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        2 => prop::sample::select(vec!["", "a", "b", "GET", "é", "\u{10FFFF}"]).prop_map(|s| Some(s.to_string())),
        2 => "[a-c]{0,14}".prop_map(Some),
        1 => "\\PC{0,90}".prop_map(Some),
        1 => (0usize..4, any::<u64>()).prop_map(|(family, seed)| Some(long_values(family, &mut Rng::new(seed)))),
    ]
}

fn column_strategy(rows: usize) -> impl Strategy<Value = (bool, bool, Vec<Option<String>>)> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(value(), rows),
    )
}

const COMPRESSIONS: [ParquetCompression; 5] = [
    ParquetCompression::Zstd(1),
    ParquetCompression::Zstd(3),
    ParquetCompression::Zstd(19),
    ParquetCompression::Snappy,
    ParquetCompression::None,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn random_text_columns(
        columns in (1usize..300).prop_flat_map(|rows| prop::collection::vec(column_strategy(rows), 1..4)),
        batch in prop::sample::select(vec![1usize, 3, 17, 64, 1000]),
        group_rows in prop::sample::select(vec![1usize, 10, 77, 1 << 20]),
        compression in 0usize..5,
        sliced in any::<bool>(),
        random_id in any::<bool>(),
    ) {
        let columns: Vec<Column> = columns
            .into_iter()
            .enumerate()
            .map(|(i, (view, nullable, values))| {
                let values = if nullable { values } else {
                    values.into_iter().map(|v| Some(v.unwrap_or_default())).collect()
                };
                let kind = if view { Kind::View } else { Kind::Utf8 };
                let name = if random_id && i == 0 { "request_id".to_string() } else { format!("c{i}") };
                Column::text(&name, kind, nullable, values)
            })
            .collect();
        let table = Table::mixed(columns);
        let layout = Layout { batch_rows: vec![batch, batch / 2 + 1], sliced, view_block: 64 };
        let compression = COMPRESSIONS[compression];
        let options = ParquetOptions::new()
            .with_compression(compression)
            .with_max_row_group_rows(group_rows);
        let expect = Expect { compression, ..Expect::rows(group_rows) };
        run(&table, &layout, &options, &expect);
    }
}

// ---------------------------------------------------------------------------------------------
// Integer columns

/// The data page encodings of `column`'s chunks, from their page encoding stats.
fn data_page_encodings(file: &[u8], column: usize) -> Vec<Vec<Encoding>> {
    let reader = SerializedFileReader::new_with_options(
        Bytes::copy_from_slice(file),
        ReadOptionsBuilder::new()
            .with_encoding_stats_as_mask(false)
            .build(),
    )
    .unwrap();
    reader
        .metadata()
        .row_groups()
        .iter()
        .map(|g| {
            g.column(column)
                .page_encoding_stats()
                .unwrap()
                .iter()
                .filter(|s| s.page_type == PageType::DATA_PAGE)
                .map(|s| s.encoding)
                .collect()
        })
        .collect()
}

/// `Int16`, `Int32` and `Int64` columns, nullable or not, with nulls, all null, at the
/// extremes of their types, runs and few or many distinct values, on pages of every kind.
#[test]
fn integer_columns_of_every_width() {
    let rows = 30_000;
    let mut rng = Rng::new(16);
    let mut column = |name: &str, kind: Kind, f: &mut dyn FnMut(usize, &mut Rng) -> Option<i64>| {
        let values = (0..rows).map(|i| f(i, &mut rng)).collect();
        Column::int(name, kind, values)
    };
    let status = column("http_status", Kind::Int16, &mut |i, rng| {
        (i % 13 != 0).then(|| [200, 304, 404, 503, -1][rng.below(5)])
    });
    let extremes = column("extremes16", Kind::Int16, &mut |i, rng| {
        (i % 5 != 0).then(|| [i16::MIN, i16::MAX, 0, -1][rng.below(4)].into())
    });
    let all_null = column("all_null", Kind::Int32, &mut |_, _| None);
    let time = column("total_time_ms", Kind::Int32, &mut |i, rng| {
        (i % 17 != 1).then(|| (rng.next() as i32 >> 12).into())
    });
    let edges32 = column("edges32", Kind::Int32, &mut |i, _| {
        Some(match i % 3 {
            0 => i32::MIN.into(),
            1 => i32::MAX.into(),
            _ => i as i64,
        })
    });
    let runs = column("runs64", Kind::Int64, &mut |i, _| {
        (i / 3000 % 4 != 2).then(|| (i / 1500) as i64 - 7)
    });
    let edges64 = column("edges64", Kind::Int64, &mut |i, rng| {
        Some(match i % 4 {
            0 => i64::MIN,
            1 => i64::MAX,
            _ => rng.next() as i64,
        })
    });
    let required = Column::required_int(
        "object_size",
        Kind::Int64,
        (0..rows).map(|i| (i as i64 * 7919) % 1000 - 500).collect(),
    );
    let required16 = Column::required_int(
        "required16",
        Kind::Int16,
        (0..rows).map(|i| (i % 300) as i64 - 150).collect(),
    );
    let table = Table::mixed(vec![
        status, extremes, all_null, time, edges32, runs, edges64, required, required16,
    ]);
    for (layout, max_rows) in [
        (layout(&BATCHES), 1 << 20),
        (layout(&[4096]), 7000),
        (
            Layout {
                sliced: true,
                ..layout(&[1, 999, 20_000])
            },
            12_345,
        ),
    ] {
        let options = ParquetOptions::new().with_max_row_group_rows(max_rows);
        run(&table, &layout, &options, &Expect::rows(max_rows));
    }
    for compression in [ParquetCompression::Snappy, ParquetCompression::None] {
        let options = ParquetOptions::new().with_compression(compression);
        let expect = Expect {
            compression,
            ..Expect::rows(1 << 20)
        };
        run(&table, &layout(&[2048]), &options, &expect);
    }
}

/// 600 000 distinct `Int64` values in one row group: the dictionary passes its 4 MiB limit
/// (8 bytes a value) and the rest of the chunk is plain, its values and bounds intact.
#[test]
fn an_integer_dictionary_past_its_limit() {
    let rows = 600_000;
    let mut rng = Rng::new(600);
    let mut values: Vec<Option<i64>> = (0..rows)
        .map(|i| (i % 101 != 0).then_some(i as i64 * 3 - 900_000))
        .collect();
    rng.shuffle(&mut values);
    values[7] = Some(i64::MIN);
    values[rows - 7] = Some(i64::MAX);
    let small: Vec<Option<i64>> = (0..rows).map(|i| Some((i % 10) as i64)).collect();
    let table = Table::new(vec![
        Column::int("bytes_sent", Kind::Int64, values),
        Column::int("http_status", Kind::Int32, small),
    ]);
    let options = ParquetOptions::new().with_max_row_group_rows(1 << 20);
    let layout = layout(&[8192]);
    let file = write(&table, &layout, &options);
    check(&file, &table, &Expect::rows(1 << 20));
    let encodings = data_page_encodings(&file, 0);
    assert_eq!(encodings.len(), 1, "one row group");
    assert_eq!(
        encodings[0],
        [Encoding::RLE_DICTIONARY, Encoding::PLAIN],
        "dictionary pages, then plain ones"
    );
    assert_eq!(data_page_encodings(&file, 1)[0], [Encoding::RLE_DICTIONARY]);
    let again = write(&table, &layout, &options.clone().with_threads(3));
    assert!(again == file, "not the same file on 3 threads");
}
