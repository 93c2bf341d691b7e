//! What the column-chunk encoders of this crate ([`text`](super::text) and
//! [`integers`](super::integers)) share: which columns they may take, the page in progress
//! (its rows, nulls and definition levels, its limits), the codec, and the chunk around the
//! values — data and dictionary pages with their headers, encoding stats, the column index
//! (bounds, null pages and counts, level histograms, boundary order) and the offset index,
//! and the metadata parquet's writer would give it.
//!
//! An encoder owns its values, their dictionary and the bounds of the page in progress; it
//! hands a page's encoded values and bounds to [`ChunkWriter::write_data_page`], which keeps
//! the chunk's bounds for its statistics.

use arrow::buffer::NullBuffer;
use bytes::Bytes;
use parquet::basic::{BoundaryOrder, Compression, Encoding, EncodingMask, PageType};
use parquet::column::page::{CompressedPage, Page, PageWriter};
use parquet::column::writer::ColumnCloseResult;
use parquet::errors::{ParquetError, Result};
use parquet::file::metadata::{
    ColumnChunkMetaData, ColumnIndexBuilder, LevelHistogram, OffsetIndexBuilder, PageEncodingStats,
};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};
use parquet::file::statistics::Statistics;
use parquet::file::writer::{SerializedPageWriter, SerializedRowGroupWriter, TrackedWrite};
use parquet::schema::types::ColumnDescPtr;

use super::rle::{RleEncoder, bit_width};

/// Values taken between two checks of the page and dictionary limits: parquet's write batch
/// size.
const CHECK_EVERY: usize = 1024;

/// Whether a top-level column with these properties can be written by this crate's encoders
/// as parquet's writer writes it: no bloom filter, page statistics, version 1 pages, an offset
/// index, a codec of [`Codec`], no encoding asked but plain (after the dictionary).
pub(super) fn own_encoder_fits(descr: &ColumnDescPtr, props: &WriterProperties) -> bool {
    let path = descr.path();
    descr.max_rep_level() == 0
        && descr.max_def_level() <= 1
        && props.bloom_filter_properties(path).is_none()
        && props.statistics_enabled(path) == EnabledStatistics::Page
        && props.writer_version() == WriterVersion::PARQUET_1_0
        && !props.offset_index_disabled()
        && props.encoding(path).is_none_or(|e| e == Encoding::PLAIN)
        && matches!(
            props.compression(path),
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
                    "{other} for a column chunk of this crate's encoders"
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

/// One multiplication of two 64-bit words, folded to 64 bits: the mixing step of the
/// dictionaries' hashes.
#[inline]
pub(super) fn fold(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

pub(super) const K1: u64 = 0xa076_1d64_78bd_642f;
pub(super) const K2: u64 = 0xe703_7ed1_a0b4_28db;

/// A seed for the hashes of one writer, so that no input can be made to collide.
pub(super) fn new_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x5eed);
    hasher.finish()
}

/// The values of the page being filled.
pub(super) enum Values {
    /// Dictionary indices.
    Indices(Vec<u32>),
    /// Plain-encoded values.
    Plain(Vec<u8>),
}

impl Values {
    /// Empty, of a dictionary-encoded page or a plain one.
    pub(super) fn new(dictionary: bool) -> Self {
        if dictionary {
            Values::Indices(Vec::new())
        } else {
            Values::Plain(Vec::new())
        }
    }

    /// Their encoded bytes, with a dictionary of `entries`.
    pub(super) fn estimated_bytes(&self, entries: usize) -> usize {
        match self {
            Values::Indices(indices) => {
                1 + (indices.len() * usize::from(bit_width(entries))).div_ceil(8)
            }
            Values::Plain(plain) => plain.len(),
        }
    }

    /// Heap bytes held.
    pub(super) fn memory_size(&self) -> usize {
        match self {
            Values::Indices(indices) => indices.capacity() * 4,
            Values::Plain(plain) => plain.capacity(),
        }
    }

    /// Appends them encoded to `buf` (indices into a dictionary of `entries`: a bit-width
    /// byte, then RLE / bit-packed) and clears them; returns their encoding.
    pub(super) fn encode_into(&mut self, buf: Vec<u8>, entries: usize) -> (Vec<u8>, Encoding) {
        match self {
            Values::Indices(indices) => {
                let width = bit_width(entries);
                let mut buf = buf;
                buf.push(width);
                let mut encoder = RleEncoder::new(width, buf);
                encoder.put_slice(indices);
                indices.clear();
                (encoder.finish(), Encoding::RLE_DICTIONARY)
            }
            Values::Plain(plain) => {
                let mut buf = buf;
                buf.extend_from_slice(plain);
                plain.clear();
                (buf, Encoding::PLAIN)
            }
        }
    }
}

/// A data page's encoded values, for [`ChunkWriter::write_data_page`].
pub(super) struct DataPage<T> {
    /// The page: its levels ([`ChunkWriter::page_buffer`]), then its values.
    pub(super) buf: Vec<u8>,
    pub(super) encoding: Encoding,
    /// The smallest and largest value, if the page has one.
    pub(super) bounds: Option<(T, T)>,
    /// The same as the column index holds them (plain-encoded, truncated).
    pub(super) index_bounds: Option<(Vec<u8>, Vec<u8>)>,
    /// Byte-array value bytes (none for other types).
    pub(super) unencoded_bytes: Option<i64>,
}

/// The page in progress and the written pages of a column chunk, with what parquet's writer
/// records of them; `T` is a page bound (compared as the column's sort order says).
pub(super) struct ChunkWriter<T> {
    descr: ColumnDescPtr,
    compression: Compression,
    codec: Codec,
    nullable: bool,
    page_rows: usize,
    page_bytes: usize,
    /// The dictionary page, once written (compressed, with its header).
    dictionary_page: Option<Vec<u8>>,

    // The page being filled.
    levels: RleEncoder,
    page_rows_so_far: usize,
    page_nulls: usize,
    /// The page being filled (numbered from 1).
    page_number: u32,

    // The chunk.
    pages: TrackedWrite<Vec<u8>>,
    encoding_stats: Vec<PageEncodingStats>,
    dictionary_pages: bool,
    plain_pages: bool,
    column_index: ColumnIndexBuilder,
    offset_index: OffsetIndexBuilder,
    rows: u64,
    nulls: u64,
    compressed: u64,
    uncompressed: u64,
    /// The smallest and largest value of the chunk.
    min: Option<T>,
    max: Option<T>,
    last_bounds: Option<(T, T)>,
    ascending: bool,
    descending: bool,
}

impl<T: PartialOrd + Clone> ChunkWriter<T> {
    /// The chunk writer of `descr` with `props`.
    pub(super) fn new(descr: ColumnDescPtr, props: &WriterProperties) -> Result<Self> {
        let compression = props.compression(descr.path());
        Ok(ChunkWriter {
            codec: Codec::new(compression)?,
            compression,
            nullable: descr.max_def_level() > 0,
            page_rows: props.data_page_row_count_limit().max(1),
            page_bytes: props.data_page_size_limit().max(1),
            dictionary_page: None,
            levels: RleEncoder::new(1, Vec::new()),
            page_rows_so_far: 0,
            page_nulls: 0,
            page_number: 1,
            pages: TrackedWrite::new(Vec::new()),
            encoding_stats: Vec::new(),
            dictionary_pages: false,
            plain_pages: false,
            column_index: ColumnIndexBuilder::new(descr.physical_type()),
            offset_index: OffsetIndexBuilder::new(),
            rows: 0,
            nulls: 0,
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

    /// An error unless `nulls` may go in this column.
    pub(super) fn check_nulls(&self, nulls: usize) -> Result<()> {
        if nulls > 0 && !self.nullable {
            return Err(ParquetError::General(format!(
                "column {}: nulls in a required column",
                self.descr.path()
            )));
        }
        Ok(())
    }

    /// Where the rows from `start` (of `len`) that go in the page before its limits are next
    /// checked end: [`CHECK_EVERY`] rows, fewer when the page's row limit is nearer.
    #[inline]
    pub(super) fn window_end(&self, start: usize, len: usize) -> usize {
        let room = self.page_rows - self.page_rows_so_far.min(self.page_rows - 1);
        (start + CHECK_EVERY.min(room)).min(len)
    }

    /// Rows `start..end` (with `nulls`, if any) into the page: their definition levels.
    #[inline]
    pub(super) fn put_rows(&mut self, start: usize, end: usize, nulls: Option<&NullBuffer>) {
        let rows = end - start;
        self.page_rows_so_far += rows;
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
    }

    /// Whether the page has rows.
    pub(super) fn page_open(&self) -> bool {
        self.page_rows_so_far > 0
    }

    /// The page being filled (numbered from 1).
    #[inline]
    pub(super) fn page_number(&self) -> u32 {
        self.page_number
    }

    /// Whether the page, with `value_bytes` of values, is at its row or byte limit.
    pub(super) fn page_full(&self, value_bytes: usize) -> bool {
        self.page_rows_so_far >= self.page_rows
            || self.estimated_page_bytes(value_bytes) >= self.page_bytes
    }

    /// The page's bytes with `value_bytes` of values.
    pub(super) fn estimated_page_bytes(&self, value_bytes: usize) -> usize {
        value_bytes + self.levels.len()
    }

    /// A buffer of room for `value_bytes` more, holding the page's definition levels (with
    /// their length) if the column has any: the values go after them.
    pub(super) fn page_buffer(&mut self, value_bytes: usize) -> Vec<u8> {
        let mut buf = Vec::with_capacity(self.estimated_page_bytes(value_bytes) + 8);
        if self.nullable {
            let levels = std::mem::replace(&mut self.levels, RleEncoder::new(1, Vec::new()));
            let levels = levels.finish();
            buf.extend_from_slice(&(levels.len() as u32).to_le_bytes());
            buf.extend_from_slice(&levels);
        }
        buf
    }

    /// Writes the dictionary page (`count` plain-encoded values), once.
    pub(super) fn write_dictionary_page(&mut self, page: Vec<u8>, count: u32) -> Result<()> {
        let uncompressed = page.len();
        let buf = self.codec.compress(page)?;
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

    /// Writes the page in progress: `page.buf` started by [`ChunkWriter::page_buffer`].
    pub(super) fn write_data_page(&mut self, page: DataPage<T>) -> Result<()> {
        let DataPage {
            buf,
            encoding,
            bounds,
            index_bounds,
            unencoded_bytes,
        } = page;
        let rows = self.page_rows_so_far;
        let nulls = self.page_nulls;
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
            .append_unencoded_byte_array_data_bytes(unencoded_bytes);

        match (bounds, index_bounds) {
            (Some((min, max)), Some((index_min, index_max))) => {
                if let Some((last_min, last_max)) = &self.last_bounds {
                    if last_min > &min || last_max > &max {
                        self.ascending = false;
                    }
                    if &min > last_min || &max > last_max {
                        self.descending = false;
                    }
                }
                self.column_index
                    .append(false, index_min, index_max, nulls as i64, None);
                if self.min.as_ref().is_none_or(|m| &min < m) {
                    self.min = Some(min.clone());
                }
                if self.max.as_ref().is_none_or(|m| &max > m) {
                    self.max = Some(max.clone());
                }
                self.last_bounds = Some((min, max));
            }
            _ => self
                .column_index
                .append(true, Vec::new(), Vec::new(), nulls as i64, None),
        }
        if self.nullable {
            let histogram = LevelHistogram::from(vec![nulls as i64, (rows - nulls) as i64]);
            self.column_index.append_histograms(&None, &Some(histogram));
        }

        self.rows += rows as u64;
        self.nulls += nulls as u64;
        self.page_rows_so_far = 0;
        self.page_nulls = 0;
        self.page_number += 1;
        Ok(())
    }

    /// The encoded bytes of the written pages.
    pub(super) fn bytes_written(&self) -> usize {
        self.pages.bytes_written() + self.dictionary_page.as_ref().map_or(0, Vec::len)
    }

    /// Heap bytes held by the written pages.
    pub(super) fn memory_size(&self) -> usize {
        self.pages.inner().capacity() + self.dictionary_page.as_ref().map_or(0, Vec::capacity)
    }

    /// The chunk's smallest and largest values (none if all are null) and its nulls.
    pub(super) fn bounds(&mut self) -> (Option<T>, Option<T>, u64) {
        (self.min.take(), self.max.take(), self.nulls)
    }

    /// Ends the chunk (the page in progress written, the dictionary page if any): its bytes,
    /// the dictionary page first, and metadata, with `statistics` (from
    /// [`ChunkWriter::bounds`]).
    pub(super) fn close(
        self,
        statistics: Statistics,
        unencoded_bytes: Option<i64>,
    ) -> Result<ColumnChunk> {
        debug_assert!(!self.page_open());
        let dictionary_page = self.dictionary_page.unwrap_or_default();
        let pages = self.pages.into_inner()?;
        let mut encodings = EncodingMask::default();
        encodings.insert(Encoding::RLE);
        if self.plain_pages || !dictionary_page.is_empty() {
            encodings.insert(Encoding::PLAIN);
        }
        if self.dictionary_pages {
            encodings.insert(Encoding::RLE_DICTIONARY);
        }
        let mut builder = ColumnChunkMetaData::builder(self.descr.clone())
            .set_compression(self.compression)
            .set_encodings_mask(encodings)
            .set_page_encoding_stats(self.encoding_stats)
            .set_total_compressed_size(self.compressed as i64)
            .set_total_uncompressed_size(self.uncompressed as i64)
            .set_num_values(self.rows as i64)
            .set_data_page_offset(0)
            .set_dictionary_page_offset(None)
            .set_statistics(statistics)
            .set_unencoded_byte_array_data_bytes(unencoded_bytes);
        if self.nullable {
            builder = builder.set_definition_level_histogram(Some(LevelHistogram::from(vec![
                self.nulls as i64,
                (self.rows - self.nulls) as i64,
            ])));
        }
        let metadata = builder.build()?;
        let mut column_index = self.column_index;
        column_index.set_boundary_order(match (self.ascending, self.descending) {
            (true, _) => BoundaryOrder::ASCENDING,
            (false, true) => BoundaryOrder::DESCENDING,
            (false, false) => BoundaryOrder::UNORDERED,
        });
        let close = ColumnCloseResult {
            bytes_written: (dictionary_page.len() + pages.len()) as u64,
            rows_written: self.rows,
            metadata,
            bloom_filter: None,
            column_index: Some(column_index.build()?),
            offset_index: Some(self.offset_index.build()),
        }
        .update_dictionary_location(dictionary_page.len())?;
        let mut data = dictionary_page;
        data.extend_from_slice(&pages);
        Ok(ColumnChunk {
            data: Bytes::from(data),
            close,
        })
    }
}

/// A column chunk closed by one of this crate's encoders.
pub(super) struct ColumnChunk {
    data: Bytes,
    close: ColumnCloseResult,
}

impl ColumnChunk {
    /// Appends it to the row group being written.
    pub(super) fn append_to_row_group<W: std::io::Write + Send>(
        self,
        writer: &mut SerializedRowGroupWriter<'_, W>,
    ) -> Result<()> {
        writer.append_column(&self.data, self.close)
    }
}
