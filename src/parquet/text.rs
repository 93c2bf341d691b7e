//! The column chunks of text columns (Arrow `Utf8` and `Utf8View`), encoded here rather than by
//! parquet's `ArrowColumnWriter`, which spent a third of a conversion hashing every value into
//! its dictionary and comparing every value for its statistics.
//!
//! What the file holds is what parquet's writer writes with the same properties: version 1
//! data pages of at most the properties' rows and bytes, dictionary-encoded (RLE / bit-packed
//! indices after a dictionary page of the chunk's distinct values, in the order they came)
//! until the dictionary outgrows its limit, plain from there on; definition levels RLE-encoded;
//! chunk statistics, the column index (per-page bounds, null counts, level histograms,
//! boundary order) and the offset index (page locations, first rows, unencoded bytes), with
//! bounds truncated the way parquet truncates them. While a chunk is one page the bytes are
//! parquet's, byte for byte (a unit test holds it); pages end where the limits are reached,
//! checked every 1024 rows (parquet checks at each write of up to 20 000 rows when a column has
//! no nulls, so its pages can run over). What differs is how: a value is hashed once (one
//! multiplication for a value of up to 12 bytes, read from its 16-byte key, as a string view
//! holds it), a value equal to the one before it is not looked up, and a page's bounds are
//! compared once per distinct value of the page, not once per value. Zstd's negative levels
//! (given to the random-id columns) Huffman-code their literals here, which parquet's codec
//! does not.
//!
//! The columns that get bloom filters stay with parquet's writer.

use arrow::array::{Array, AsArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::DataType;
use bytes::Bytes;
use parquet::basic::{BoundaryOrder, Compression, Encoding, EncodingMask, PageType};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::{
    ColumnChunkMetaData, ColumnIndexBuilder, LevelHistogram, OffsetIndexBuilder, PageEncodingStats,
};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::file::writer::{SerializedPageWriter, SerializedRowGroupWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

use super::rle::{RleEncoder, bit_width};

/// Values taken between two checks of the page and dictionary limits: parquet's write batch
/// size.
const CHECK_EVERY: usize = 1024;

/// Whether parquet's writer would leave a column of this type, with these properties, to this
/// module: text, no bloom filter.
pub(super) fn handles(
    data_type: &DataType,
    descr: &ColumnDescPtr,
    props: &WriterProperties,
) -> bool {
    matches!(data_type, DataType::Utf8 | DataType::Utf8View)
        && descr.max_rep_level() == 0
        && descr.max_def_level() <= 1
        && props.bloom_filter_properties(descr.path()).is_none()
        && props.statistics_enabled(descr.path()) == EnabledStatistics::Page
        && props.writer_version() == WriterVersion::PARQUET_1_0
        && !props.offset_index_disabled()
        && matches!(
            props.compression(descr.path()),
            Compression::UNCOMPRESSED | Compression::SNAPPY | Compression::ZSTD(_)
        )
}

/// A page or dictionary compressor.
enum Codec {
    None,
    Snappy(Box<snap::raw::Encoder>),
    Zstd(zstd::bulk::Compressor<'static>),
}

impl Codec {
    fn new(compression: Compression) -> Result<Self> {
        Ok(match compression {
            Compression::UNCOMPRESSED => Codec::None,
            Compression::SNAPPY => Codec::Snappy(Box::new(snap::raw::Encoder::new())),
            Compression::ZSTD(level) => {
                let level = level.compression_level();
                let mut compressor = zstd::bulk::Compressor::new(level)
                    .map_err(|e| ParquetError::External(Box::new(e)))?;
                if level < 0 {
                    // zstd's fast levels store literals raw; Huffman-coded, random text (the
                    // only text given a negative level here) is a quarter smaller, for little
                    // time.
                    use zstd::zstd_safe::{CParameter, ParamSwitch};
                    compressor
                        .set_parameter(CParameter::LiteralCompressionMode(ParamSwitch::Enable))
                        .map_err(|e| ParquetError::External(Box::new(e)))?;
                }
                Codec::Zstd(compressor)
            }
            other => {
                return Err(ParquetError::NYI(format!(
                    "{other} for a text column chunk"
                )));
            }
        })
    }

    /// `data` compressed (or as it is, uncompressed).
    fn compress(&mut self, data: Vec<u8>) -> Result<Vec<u8>> {
        match self {
            Codec::None => Ok(data),
            Codec::Snappy(encoder) => encoder
                .compress_vec(&data)
                .map_err(|e| ParquetError::External(Box::new(e))),
            Codec::Zstd(compressor) => compressor
                .compress(&data)
                .map_err(|e| ParquetError::External(Box::new(e))),
        }
    }
}

/// A distinct value of the dictionary.
#[derive(Clone, Copy)]
struct Entry {
    /// Its key ([`key_of`]).
    key: u128,
    hash: u64,
    /// Where its bytes start in the dictionary page.
    offset: u32,
    /// The last data page that held it (numbered from 1).
    page: u32,
}

/// The dictionary of a column chunk: its page (plain-encoded values, in the order they came)
/// and a hash table of its entries.
struct Dictionary {
    page: Vec<u8>,
    entries: Vec<Entry>,
    /// Open addressing: 0 for an empty slot, else the entry's index + 1 (low 32 bits) and its
    /// hash's high 32 bits.
    slots: Vec<u64>,
    /// The entry of the last value looked up, and that value's key.
    last: Option<(u32, u128)>,
}

impl Dictionary {
    fn new() -> Self {
        Dictionary {
            page: Vec::new(),
            entries: Vec::new(),
            slots: vec![0; 1024],
            last: None,
        }
    }

    /// A value's bytes.
    #[inline]
    fn value(&self, index: u32) -> &[u8] {
        entry_value(&self.page, &self.entries[index as usize])
    }

    /// The index of `value` (with its key), added if new; with whether it was.
    #[inline]
    fn intern(&mut self, value: &[u8], key: u128, seed: u64) -> u32 {
        if let Some((index, last_key)) = self.last
            && last_key == key
            && (value.len() <= 12 || self.value(index) == value)
        {
            return index;
        }
        let hash = hash_value(value, key, seed);
        let mask = self.slots.len() - 1;
        let tag = hash >> 32;
        let mut slot = hash as usize & mask;
        loop {
            let s = self.slots[slot];
            if s == 0 {
                break;
            }
            if s >> 32 == tag {
                let index = (s as u32) - 1;
                let entry = &self.entries[index as usize];
                if entry.key as u64 == key as u64
                    && if value.len() <= 12 {
                        entry.key == key
                    } else {
                        entry_value(&self.page, entry) == value
                    }
                {
                    self.last = Some((index, key));
                    return index;
                }
            }
            slot = (slot + 1) & mask;
        }
        let index = self.entries.len() as u32;
        self.page
            .extend_from_slice(&(value.len() as u32).to_le_bytes());
        let offset = self.page.len() as u32;
        self.page.extend_from_slice(value);
        self.entries.push(Entry {
            key,
            hash,
            offset,
            page: 0,
        });
        self.slots[slot] = (tag << 32) | u64::from(index + 1);
        if self.entries.len() * 2 > self.slots.len() {
            self.grow();
        }
        self.last = Some((index, key));
        index
    }

    /// `bound` with entry `index` in it.
    #[inline]
    fn widen(&self, bound: Bound, index: u32) -> Bound {
        match bound {
            Bound::Entry(min, max) => {
                let v = self.value(index);
                let min = if v < self.value(min) { index } else { min };
                let max = if v > self.value(max) { index } else { max };
                Bound::Entry(min, max)
            }
            _ => Bound::Entry(index, index),
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        let mut slots = vec![0u64; size];
        for (index, entry) in self.entries.iter().enumerate() {
            let mut slot = entry.hash as usize & mask;
            while slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = ((entry.hash >> 32) << 32) | (index as u64 + 1);
        }
        self.slots = slots;
    }

    fn memory(&self) -> usize {
        self.page.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.slots.capacity() * 8
    }
}

#[inline]
fn entry_value<'a>(page: &'a [u8], entry: &Entry) -> &'a [u8] {
    let len = entry.key as u32 as usize;
    let offset = entry.offset as usize;
    &page[offset..offset + len]
}

/// The key of a value: its length, and its bytes up to 12 (zero-padded), as a string view
/// holds a short value; for a longer one, its length and first 4 bytes.
#[inline]
fn key_of(value: &[u8]) -> u128 {
    let len = value.len();
    let first = load(&value[..len.min(4)]);
    let rest = if (5..=12).contains(&len) {
        load(&value[4..])
    } else {
        0
    };
    u128::from(len as u32) | (u128::from(first) << 32) | (u128::from(rest) << 64)
}

/// Up to 8 bytes as a little-endian integer, zero-padded, without a call to copy them.
#[inline]
fn load(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    debug_assert!(n <= 8);
    let word = |at: usize| {
        u64::from(u32::from_le_bytes(
            bytes[at..at + 4].try_into().expect("4 bytes"),
        ))
    };
    if n >= 4 {
        // Two overlapping words: their shared bytes are the same.
        word(0) | (word(n - 4) << (8 * (n - 4)))
    } else if n > 0 {
        u64::from(bytes[0])
            | (u64::from(bytes[n / 2]) << (8 * (n / 2)))
            | (u64::from(bytes[n - 1]) << (8 * (n - 1)))
    } else {
        0
    }
}

#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

const K1: u64 = 0xa076_1d64_78bd_642f;
const K2: u64 = 0xe703_7ed1_a0b4_28db;

/// A value's hash (seeded per writer, so that no input can be made to collide): from its key
/// up to 12 bytes, from all its bytes beyond.
#[inline]
fn hash_value(value: &[u8], key: u128, seed: u64) -> u64 {
    if value.len() <= 12 {
        return fold((key as u64) ^ seed ^ K1, ((key >> 64) as u64) ^ K2);
    }
    let mut h = seed ^ (value.len() as u64).wrapping_mul(K1);
    let mut chunks = value.chunks_exact(16);
    for chunk in &mut chunks {
        let a = u64::from_le_bytes(chunk[..8].try_into().expect("8 bytes"));
        let b = u64::from_le_bytes(chunk[8..].try_into().expect("8 bytes"));
        h = fold(a ^ K1, b ^ h);
    }
    // The last 16 bytes (overlapping what came before: the value is longer than 12).
    let n = value.len();
    let tail = if n >= 16 { &value[n - 16..] } else { value };
    let (a, b) = if tail.len() >= 16 {
        (
            u64::from_le_bytes(tail[..8].try_into().expect("8 bytes")),
            u64::from_le_bytes(tail[8..16].try_into().expect("8 bytes")),
        )
    } else {
        // 13 to 15 bytes.
        (
            u64::from_le_bytes(tail[..8].try_into().expect("8 bytes")),
            u64::from_le_bytes(tail[tail.len() - 8..].try_into().expect("8 bytes")),
        )
    };
    fold(a ^ K2 ^ h, b ^ K1)
}

/// A seed for the hashes of one writer.
fn new_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x5eed);
    hasher.finish()
}

/// Where a page's values go.
enum Values {
    /// Dictionary indices.
    Indices(Vec<u32>),
    /// Plain-encoded values (a 4-byte length, then the bytes).
    Plain(Vec<u8>),
}

/// The smallest and largest value of a page: dictionary indices, or ranges of the plain page.
#[derive(Clone, Copy)]
enum Bound {
    None,
    Entry(u32, u32),
    Plain((usize, usize), (usize, usize)),
}

/// The writer of one text column's chunk of a row group.
pub(super) struct TextColumnWriter {
    descr: ColumnDescPtr,
    compression: Compression,
    codec: Codec,
    nullable: bool,
    page_rows: usize,
    page_bytes: usize,
    dictionary_limit: usize,
    column_index_truncate: Option<usize>,
    statistics_truncate: Option<usize>,
    seed: u64,
    /// The dictionary, while the chunk is dictionary-encoded.
    dictionary: Option<Dictionary>,
    /// The dictionary page, once written (compressed, with its header).
    dictionary_page: Option<Vec<u8>>,

    // The page being filled.
    levels: RleEncoder,
    values: Values,
    page_number: u32,
    page_rows_so_far: usize,
    page_nulls: usize,
    page_value_bytes: i64,
    bound: Bound,

    // The chunk.
    pages: TrackedWrite<Vec<u8>>,
    encoding_stats: Vec<PageEncodingStats>,
    dictionary_pages: bool,
    plain_pages: bool,
    column_index: ColumnIndexBuilder,
    offset_index: OffsetIndexBuilder,
    rows: u64,
    nulls: u64,
    value_bytes: i64,
    compressed: u64,
    uncompressed: u64,
    min: Option<Vec<u8>>,
    max: Option<Vec<u8>>,
    last_bounds: Option<(Vec<u8>, Vec<u8>)>,
    ascending: bool,
    descending: bool,
}

impl TextColumnWriter {
    /// The writer of `descr`'s chunk with `props`.
    pub(super) fn new(descr: ColumnDescPtr, props: &WriterProperties) -> Result<Self> {
        let path = descr.path();
        let compression = props.compression(path);
        let dictionary = props.dictionary_enabled(path).then(Dictionary::new);
        let values = if dictionary.is_some() {
            Values::Indices(Vec::new())
        } else {
            Values::Plain(Vec::new())
        };
        Ok(TextColumnWriter {
            codec: Codec::new(compression)?,
            compression,
            nullable: descr.max_def_level() > 0,
            page_rows: props.data_page_row_count_limit().max(1),
            page_bytes: props.data_page_size_limit().max(1),
            dictionary_limit: props.dictionary_page_size_limit(),
            column_index_truncate: props.column_index_truncate_length(),
            statistics_truncate: props.statistics_truncate_length(),
            seed: new_seed(),
            dictionary,
            dictionary_page: None,
            levels: RleEncoder::new(1, Vec::new()),
            values,
            page_number: 1,
            page_rows_so_far: 0,
            page_nulls: 0,
            page_value_bytes: 0,
            bound: Bound::None,
            pages: TrackedWrite::new(Vec::new()),
            encoding_stats: Vec::new(),
            dictionary_pages: false,
            plain_pages: false,
            column_index: ColumnIndexBuilder::new(descr.physical_type()),
            offset_index: OffsetIndexBuilder::new(),
            rows: 0,
            nulls: 0,
            value_bytes: 0,
            compressed: 0,
            uncompressed: 0,
            min: None,
            max: None,
            last_bounds: None,
            ascending: true,
            descending: true,
            descr,
        })
    }

    /// Encodes a column's values (`Utf8` or `Utf8View`).
    pub(super) fn write(&mut self, array: &dyn Array) -> Result<()> {
        if array.null_count() > 0 && !self.nullable {
            return Err(ParquetError::General(format!(
                "column {}: nulls in a required column",
                self.descr.path()
            )));
        }
        match array.data_type() {
            DataType::Utf8 => {
                let array = array.as_string::<i32>();
                let offsets = array.value_offsets();
                let data = array.value_data();
                self.write_values(array.len(), array.nulls(), |i| {
                    let start = offsets[i] as usize;
                    let end = offsets[i + 1] as usize;
                    &data[start..end]
                })
            }
            DataType::Utf8View => {
                let array = array.as_string_view();
                self.write_values(array.len(), array.nulls(), |i| array.value(i).as_bytes())
            }
            other => Err(ParquetError::General(format!(
                "{other} is not a text column"
            ))),
        }
    }

    fn write_values<'a>(
        &mut self,
        len: usize,
        nulls: Option<&NullBuffer>,
        value: impl Fn(usize) -> &'a [u8],
    ) -> Result<()> {
        let mut start = 0;
        while start < len {
            let room = self.page_rows - self.page_rows_so_far.min(self.page_rows - 1);
            let end = (start + CHECK_EVERY.min(room)).min(len);
            self.write_window(start, end, nulls, &value);
            start = end;
            if self.page_rows_so_far >= self.page_rows
                || self.estimated_page_bytes() >= self.page_bytes
            {
                self.add_page()?;
            }
            if self
                .dictionary
                .as_ref()
                .is_some_and(|d| d.page.len() > self.dictionary_limit)
            {
                self.fall_back()?;
            }
        }
        Ok(())
    }

    /// Rows `start..end` into the page.
    #[inline]
    fn write_window<'a>(
        &mut self,
        start: usize,
        end: usize,
        nulls: Option<&NullBuffer>,
        value: &impl Fn(usize) -> &'a [u8],
    ) {
        let rows = end - start;
        self.page_rows_so_far += rows;
        let nulls = nulls.filter(|n| n.null_count() > 0);
        if self.nullable {
            match nulls {
                Some(nulls) => {
                    for i in start..end {
                        self.levels.put(u32::from(nulls.is_valid(i)));
                    }
                    self.page_nulls += nulls.slice(start, rows).null_count();
                }
                None => self.levels.put_n(1, rows),
            }
        }
        let valid = |i: usize| nulls.is_none_or(|n| n.is_valid(i));
        let mut bytes = 0;
        match (&mut self.values, &mut self.dictionary) {
            (Values::Indices(indices), Some(dictionary)) => {
                let page = self.page_number;
                let mut bound = self.bound;
                for i in start..end {
                    if !valid(i) {
                        continue;
                    }
                    let value = value(i);
                    bytes += value.len();
                    let index = dictionary.intern(value, key_of(value), self.seed);
                    indices.push(index);
                    let entry = &mut dictionary.entries[index as usize];
                    if entry.page != page {
                        entry.page = page;
                        bound = dictionary.widen(bound, index);
                    }
                }
                self.bound = bound;
            }
            (Values::Plain(plain), _) => {
                let mut bound = self.bound;
                for i in start..end {
                    if !valid(i) {
                        continue;
                    }
                    let value = value(i);
                    bytes += value.len();
                    plain.extend_from_slice(&(value.len() as u32).to_le_bytes());
                    let range = (plain.len(), value.len());
                    plain.extend_from_slice(value);
                    bound = match bound {
                        Bound::Plain(min, max) => {
                            let at = |(s, l): (usize, usize)| &plain[s..s + l];
                            let min = if value < at(min) { range } else { min };
                            let max = if value > at(max) { range } else { max };
                            Bound::Plain(min, max)
                        }
                        _ => Bound::Plain(range, range),
                    };
                }
                self.bound = bound;
            }
            (Values::Indices(_), None) => unreachable!("indices only with a dictionary"),
        }
        self.page_value_bytes += bytes as i64;
    }

    fn estimated_page_bytes(&self) -> usize {
        let values = match (&self.values, &self.dictionary) {
            (Values::Indices(indices), Some(dictionary)) => {
                1 + (indices.len() * usize::from(bit_width(dictionary.entries.len()))).div_ceil(8)
            }
            (Values::Plain(plain), _) => plain.len(),
            (Values::Indices(indices), None) => indices.len() * 4,
        };
        values + self.levels.len()
    }

    /// The encoded bytes of the chunk so far, and those of its page and dictionary in progress.
    pub(super) fn estimated_total_bytes(&self) -> usize {
        self.pages.bytes_written()
            + self.estimated_page_bytes()
            + self.dictionary.as_ref().map_or(0, |d| d.page.len())
            + self.dictionary_page.as_ref().map_or(0, Vec::len)
    }

    /// Heap bytes held.
    pub(super) fn memory_size(&self) -> usize {
        let values = match &self.values {
            Values::Indices(indices) => indices.capacity() * 4,
            Values::Plain(plain) => plain.capacity(),
        };
        self.pages.inner().capacity()
            + values
            + self.dictionary.as_ref().map_or(0, Dictionary::memory)
            + self.dictionary_page.as_ref().map_or(0, Vec::capacity)
    }

    /// Ends the dictionary: the page in progress is written with it, the rest of the chunk
    /// plainly.
    fn fall_back(&mut self) -> Result<()> {
        if self.page_rows_so_far > 0 {
            self.add_page()?;
        }
        self.write_dictionary_page()?;
        self.values = Values::Plain(Vec::new());
        Ok(())
    }

    fn write_dictionary_page(&mut self) -> Result<()> {
        let Some(dictionary) = self.dictionary.take() else {
            return Ok(());
        };
        let uncompressed = dictionary.page.len();
        let count = dictionary.entries.len() as u32;
        drop(dictionary.entries);
        drop(dictionary.slots);
        let buf = self.codec.compress(dictionary.page)?;
        let page = Page::DictionaryPage {
            buf: Bytes::from(buf),
            num_values: count,
            encoding: Encoding::PLAIN,
            is_sorted: false,
        };
        let mut out = TrackedWrite::new(Vec::new());
        let spec = SerializedPageWriter::new(&mut out)
            .write_page(CompressedPage::new(page, uncompressed))?;
        self.compressed += spec.compressed_size as u64;
        self.uncompressed += spec.uncompressed_size as u64;
        self.encoding_stats.insert(
            0,
            PageEncodingStats {
                page_type: PageType::DICTIONARY_PAGE,
                encoding: Encoding::PLAIN,
                count: 1,
            },
        );
        self.dictionary_page = Some(out.into_inner()?);
        Ok(())
    }

    /// Writes the page in progress.
    fn add_page(&mut self) -> Result<()> {
        let rows = self.page_rows_so_far;
        let nulls = self.page_nulls;
        let mut buf = Vec::with_capacity(self.estimated_page_bytes() + 8);
        if self.nullable {
            let levels = std::mem::replace(&mut self.levels, RleEncoder::new(1, Vec::new()));
            let levels = levels.finish();
            buf.extend_from_slice(&(levels.len() as u32).to_le_bytes());
            buf.extend_from_slice(&levels);
        }
        let bound = std::mem::replace(&mut self.bound, Bound::None);
        let (encoding, bounds) = match &mut self.values {
            Values::Indices(indices) => {
                let dictionary = self.dictionary.as_ref().expect("indices with a dictionary");
                let width = bit_width(dictionary.entries.len());
                buf.push(width);
                let mut encoder = RleEncoder::new(width, buf);
                for &index in indices.iter() {
                    encoder.put(index);
                }
                buf = encoder.finish();
                indices.clear();
                let bounds = match bound {
                    Bound::Entry(min, max) => Some((
                        dictionary.value(min).to_vec(),
                        dictionary.value(max).to_vec(),
                    )),
                    _ => None,
                };
                (Encoding::RLE_DICTIONARY, bounds)
            }
            Values::Plain(plain) => {
                let bounds = match bound {
                    Bound::Plain((s, l), (t, m)) => {
                        Some((plain[s..s + l].to_vec(), plain[t..t + m].to_vec()))
                    }
                    _ => None,
                };
                buf.extend_from_slice(plain);
                plain.clear();
                (Encoding::PLAIN, bounds)
            }
        };
        let uncompressed = buf.len();
        let buf = self.codec.compress(buf)?;
        let page = Page::DataPage {
            buf: Bytes::from(buf),
            num_values: rows as u32,
            encoding,
            def_level_encoding: Encoding::RLE,
            rep_level_encoding: Encoding::RLE,
            statistics: None,
        };
        let spec = SerializedPageWriter::new(&mut self.pages)
            .write_page(CompressedPage::new(page, uncompressed))?;
        self.compressed += spec.compressed_size as u64;
        self.uncompressed += spec.uncompressed_size as u64;
        match encoding {
            Encoding::PLAIN => self.plain_pages = true,
            _ => self.dictionary_pages = true,
        }
        match self.encoding_stats.last_mut() {
            Some(stats) if stats.page_type == PageType::DATA_PAGE && stats.encoding == encoding => {
                stats.count += 1;
            }
            _ => self.encoding_stats.push(PageEncodingStats {
                page_type: PageType::DATA_PAGE,
                encoding,
                count: 1,
            }),
        }
        self.offset_index
            .append_offset_and_size(spec.offset as i64, spec.compressed_size as i32);
        self.offset_index.append_row_count(rows as i64);
        self.offset_index
            .append_unencoded_byte_array_data_bytes(Some(self.page_value_bytes));

        match bounds {
            None => self
                .column_index
                .append(true, Vec::new(), Vec::new(), nulls as i64, None),
            Some((min, max)) => {
                if let Some((last_min, last_max)) = &self.last_bounds {
                    if last_min > &min || last_max > &max {
                        self.ascending = false;
                    }
                    if &min > last_min || &max > last_max {
                        self.descending = false;
                    }
                }
                self.column_index.append(
                    false,
                    truncate_min(&min, self.column_index_truncate).0,
                    truncate_max(&max, self.column_index_truncate).0,
                    nulls as i64,
                    None,
                );
                if self.min.as_ref().is_none_or(|m| &min < m) {
                    self.min = Some(min.clone());
                }
                if self.max.as_ref().is_none_or(|m| &max > m) {
                    self.max = Some(max.clone());
                }
                self.last_bounds = Some((min, max));
            }
        }
        if self.nullable {
            let histogram = LevelHistogram::from(vec![nulls as i64, (rows - nulls) as i64]);
            self.column_index.append_histograms(&None, &Some(histogram));
        }

        self.rows += rows as u64;
        self.nulls += nulls as u64;
        self.value_bytes += self.page_value_bytes;
        self.page_rows_so_far = 0;
        self.page_nulls = 0;
        self.page_value_bytes = 0;
        self.page_number += 1;
        Ok(())
    }

    /// Ends the chunk: its bytes (the dictionary page first) and metadata.
    pub(super) fn close(mut self) -> Result<TextColumnChunk> {
        if self.page_rows_so_far > 0 {
            self.add_page()?;
        }
        self.write_dictionary_page()?;
        let dictionary_page = self.dictionary_page.take().unwrap_or_default();
        let pages = self.pages.into_inner()?;

        let mut encodings = EncodingMask::default();
        encodings.insert(Encoding::RLE);
        if self.plain_pages || !dictionary_page.is_empty() {
            encodings.insert(Encoding::PLAIN);
        }
        if self.dictionary_pages {
            encodings.insert(Encoding::RLE_DICTIONARY);
        }
        let statistics = match (self.min.take(), self.max.take()) {
            (Some(min), Some(max)) => {
                let (min, min_truncated) = truncate_min(&min, self.statistics_truncate);
                let (max, max_truncated) = truncate_max(&max, self.statistics_truncate);
                ValueStatistics::new(
                    Some(min.into()),
                    Some(max.into()),
                    None,
                    Some(self.nulls),
                    false,
                )
                .with_min_is_exact(!min_truncated)
                .with_max_is_exact(!max_truncated)
            }
            _ => ValueStatistics::new(None, None, None, Some(self.nulls), false),
        };
        let mut builder = ColumnChunkMetaData::builder(self.descr.clone())
            .set_compression(self.compression)
            .set_encodings_mask(encodings)
            .set_page_encoding_stats(self.encoding_stats)
            .set_total_compressed_size(self.compressed as i64)
            .set_total_uncompressed_size(self.uncompressed as i64)
            .set_num_values(self.rows as i64)
            .set_data_page_offset(0)
            .set_dictionary_page_offset(None)
            .set_statistics(Statistics::ByteArray(statistics))
            .set_unencoded_byte_array_data_bytes(Some(self.value_bytes));
        if self.nullable {
            builder = builder.set_definition_level_histogram(Some(LevelHistogram::from(vec![
                self.nulls as i64,
                (self.rows - self.nulls) as i64,
            ])));
        }
        let metadata = builder.build()?;
        self.column_index
            .set_boundary_order(match (self.ascending, self.descending) {
                (true, _) => BoundaryOrder::ASCENDING,
                (false, true) => BoundaryOrder::DESCENDING,
                (false, false) => BoundaryOrder::UNORDERED,
            });
        let close = ColumnCloseResult {
            bytes_written: (dictionary_page.len() + pages.len()) as u64,
            rows_written: self.rows,
            metadata,
            bloom_filter: None,
            column_index: Some(self.column_index.build()?),
            offset_index: Some(self.offset_index.build()),
        }
        .update_dictionary_location(dictionary_page.len())?;
        let mut data = dictionary_page;
        data.extend_from_slice(&pages);
        Ok(TextColumnChunk {
            data: Bytes::from(data),
            close,
        })
    }
}

/// A closed text column chunk.
pub(super) struct TextColumnChunk {
    data: Bytes,
    close: ColumnCloseResult,
}

impl TextColumnChunk {
    /// Appends it to the row group being written.
    pub(super) fn append_to_row_group<W: std::io::Write + Send>(
        self,
        writer: &mut SerializedRowGroupWriter<'_, W>,
    ) -> Result<()> {
        writer.append_column(&self.data, self.close)
    }
}

/// A lower bound of `value` of at most `length` bytes (parquet's rule: the longest prefix that
/// ends on a character boundary, bytes for a value that is not UTF-8), and whether it was cut.
fn truncate_min(value: &[u8], length: Option<usize>) -> (Vec<u8>, bool) {
    length
        .filter(|&l| value.len() > l)
        .and_then(|l| match std::str::from_utf8(value) {
            Ok(text) => {
                let split = (1..=l).rfind(|&x| text.is_char_boundary(x))?;
                Some(value[..split].to_vec())
            }
            Err(_) => Some(value[..l].to_vec()),
        })
        .map_or_else(|| (value.to_vec(), false), |cut| (cut, true))
}

/// An upper bound of `value` of at most `length` bytes (parquet's rule: a prefix with its last
/// character, or byte, incremented), and whether it was cut; the value itself if none exists.
fn truncate_max(value: &[u8], length: Option<usize>) -> (Vec<u8>, bool) {
    length
        .filter(|&l| value.len() > l)
        .and_then(|l| match std::str::from_utf8(value) {
            Ok(text) => {
                let lower = l.saturating_sub(3);
                let split = (lower..=l).rfind(|&x| text.is_char_boundary(x))?;
                increment_utf8(text.get(..split)?)
            }
            Err(_) => increment_bytes(value[..l].to_vec()),
        })
        .map_or_else(|| (value.to_vec(), false), |cut| (cut, true))
}

/// `text` with its last character that can be incremented (without changing its width)
/// incremented, and what follows it dropped.
fn increment_utf8(text: &str) -> Option<Vec<u8>> {
    for (at, c) in text.char_indices().rev() {
        let width = c.len_utf8();
        if let Some(next) = char::from_u32(c as u32 + 1)
            && next.len_utf8() == width
        {
            let mut out = text.as_bytes()[..at + width].to_vec();
            next.encode_utf8(&mut out[at..]);
            return Some(out);
        }
    }
    None
}

fn increment_bytes(mut bytes: Vec<u8>) -> Option<Vec<u8>> {
    for byte in bytes.iter_mut().rev() {
        let (incremented, overflow) = byte.overflowing_add(1);
        *byte = incremented;
        if !overflow {
            return Some(bytes);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hold_short_values_and_prefixes() {
        assert_eq!(key_of(b"") as u32, 0);
        let key = key_of(b"abc");
        assert_eq!(key as u32, 3);
        assert_eq!(&key.to_le_bytes()[4..7], b"abc");
        assert!(key.to_le_bytes()[7..].iter().all(|&b| b == 0));
        let long = key_of(b"0123456789abcdef");
        assert_eq!(long as u32, 16);
        assert_eq!(&long.to_le_bytes()[4..8], b"0123");
        assert!(long.to_le_bytes()[8..].iter().all(|&b| b == 0));
    }

    /// The key: the length, then the first 12 bytes (4 beyond 12 bytes), zero-padded.
    #[test]
    fn keys_are_length_and_bytes() {
        let text: Vec<u8> = (1..=20).collect();
        for len in 0..=20 {
            let value = &text[..len];
            let mut expected = [0u8; 16];
            expected[..4].copy_from_slice(&(len as u32).to_le_bytes());
            let kept = if len <= 12 { len } else { 4 };
            expected[4..4 + kept].copy_from_slice(&value[..kept]);
            assert_eq!(key_of(value), u128::from_le_bytes(expected), "{len} bytes");
        }
    }

    #[test]
    fn the_dictionary_finds_what_it_holds() {
        let mut dictionary = Dictionary::new();
        let values: Vec<String> = (0..5000)
            .map(|i| match i % 3 {
                0 => format!("{i}"),
                1 => format!("a fairly long value number {i}"),
                _ => format!("{i:013}"),
            })
            .collect();
        for (i, value) in values.iter().enumerate() {
            let index = dictionary.intern(value.as_bytes(), key_of(value.as_bytes()), 7);
            assert_eq!(index as usize, i);
        }
        for (i, value) in values.iter().enumerate().rev() {
            let index = dictionary.intern(value.as_bytes(), key_of(value.as_bytes()), 7);
            assert_eq!(index as usize, i);
            assert_eq!(dictionary.value(index), value.as_bytes());
        }
        // The page is the values, plain-encoded, in order.
        let mut page = Vec::new();
        for value in &values {
            page.extend_from_slice(&(value.len() as u32).to_le_bytes());
            page.extend_from_slice(value.as_bytes());
        }
        assert_eq!(dictionary.page, page);
    }

    #[test]
    fn truncation_follows_parquet() {
        assert_eq!(truncate_min(b"abc", Some(64)), (b"abc".to_vec(), false));
        assert_eq!(truncate_min(b"abcdef", Some(3)), (b"abc".to_vec(), true));
        assert_eq!(truncate_max(b"abcdef", Some(3)), (b"abd".to_vec(), true));
        // Not cut inside a character.
        let text = "aé漢".as_bytes();
        assert_eq!(
            truncate_min(text, Some(4)),
            ("aé".as_bytes().to_vec(), true)
        );
        assert_eq!(
            truncate_max(text, Some(4)),
            ("aê".as_bytes().to_vec(), true)
        );
        // A last character that cannot grow: the one before it does.
        let text = "a\u{7f}\u{7f}zz".as_bytes();
        assert_eq!(truncate_max(text, Some(3)), (b"b".to_vec(), true));
        // Nothing can grow: the value stays whole.
        let text = "\u{10ffff}\u{10ffff}".as_bytes();
        assert_eq!(truncate_max(text, Some(4)), (text.to_vec(), false));
        // Not UTF-8: bytes.
        assert_eq!(
            truncate_max(&[0xff, 0xfe, 1], Some(2)),
            (vec![0xff, 0xff], true)
        );
        assert_eq!(
            truncate_max(&[0xff, 0xff, 1], Some(2)),
            (vec![0xff, 0xff, 1], false)
        );
    }
}
