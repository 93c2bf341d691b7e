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
//! The columns that get bloom filters stay with parquet's writer. What this module shares with
//! [`integers`](super::integers) — the page in progress, the codec, the pages, statistics and
//! page index of the chunk — is in [`chunk`](super::chunk).

use arrow::array::{Array, AsArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::DataType;
use parquet::errors::{ParquetError, Result};
use parquet::file::properties::WriterProperties;
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::schema::types::ColumnDescPtr;

use super::chunk::{
    ChunkWriter, ColumnChunk, DataPage, K1, K2, Values, fold, new_seed, own_encoder_fits,
};

/// Whether parquet's writer would leave a column of this type, with these properties, to this
/// module: text, no bloom filter ([`own_encoder_fits`]).
pub(super) fn handles(
    data_type: &DataType,
    descr: &ColumnDescPtr,
    props: &WriterProperties,
) -> bool {
    matches!(data_type, DataType::Utf8 | DataType::Utf8View) && own_encoder_fits(descr, props)
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

/// The smallest and largest value of a page: dictionary indices, or ranges of the plain page.
#[derive(Clone, Copy)]
enum Bound {
    None,
    Entry(u32, u32),
    Plain((usize, usize), (usize, usize)),
}

/// The writer of one text column's chunk of a row group.
pub(super) struct TextColumnWriter {
    chunk: ChunkWriter<Vec<u8>>,
    dictionary_limit: usize,
    column_index_truncate: Option<usize>,
    statistics_truncate: Option<usize>,
    seed: u64,
    /// The dictionary, while the chunk is dictionary-encoded.
    dictionary: Option<Dictionary>,
    /// The values of the page being filled.
    values: Values,
    page_value_bytes: i64,
    bound: Bound,
    value_bytes: i64,
}

impl TextColumnWriter {
    /// The writer of `descr`'s chunk with `props`.
    pub(super) fn new(descr: ColumnDescPtr, props: &WriterProperties) -> Result<Self> {
        let dictionary = props.dictionary_enabled(descr.path()).then(Dictionary::new);
        let values = Values::new(dictionary.is_some());
        Ok(TextColumnWriter {
            chunk: ChunkWriter::new(descr, props)?,
            dictionary_limit: props.dictionary_page_size_limit(),
            column_index_truncate: props.column_index_truncate_length(),
            statistics_truncate: props.statistics_truncate_length(),
            seed: new_seed(),
            dictionary,
            values,
            page_value_bytes: 0,
            bound: Bound::None,
            value_bytes: 0,
        })
    }

    /// Encodes a column's values (`Utf8` or `Utf8View`).
    pub(super) fn write(&mut self, array: &dyn Array) -> Result<()> {
        self.chunk.check_nulls(array.null_count())?;
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
        let nulls = nulls.filter(|n| n.null_count() > 0);
        let mut start = 0;
        while start < len {
            let end = self.chunk.window_end(start, len);
            self.chunk.put_rows(start, end, nulls);
            self.write_window(start, end, nulls, &value);
            start = end;
            if self.chunk.page_full(self.estimated_value_bytes()) {
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

    /// The values of rows `start..end` into the page.
    #[inline]
    fn write_window<'a>(
        &mut self,
        start: usize,
        end: usize,
        nulls: Option<&NullBuffer>,
        value: &impl Fn(usize) -> &'a [u8],
    ) {
        let valid = |i: usize| nulls.is_none_or(|n| n.is_valid(i));
        let mut bytes = 0;
        match (&mut self.values, &mut self.dictionary) {
            (Values::Indices(indices), Some(dictionary)) => {
                let page = self.chunk.page_number();
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

    /// The encoded bytes of the page's values so far.
    fn estimated_value_bytes(&self) -> usize {
        self.values.estimated_bytes(self.dictionary_entries())
    }

    /// The dictionary's values (0 without one).
    fn dictionary_entries(&self) -> usize {
        self.dictionary.as_ref().map_or(0, |d| d.entries.len())
    }

    /// The encoded bytes of the chunk so far, and those of its page and dictionary in progress.
    pub(super) fn estimated_total_bytes(&self) -> usize {
        self.chunk.bytes_written()
            + self
                .chunk
                .estimated_page_bytes(self.estimated_value_bytes())
            + self.dictionary.as_ref().map_or(0, |d| d.page.len())
    }

    /// Heap bytes held.
    pub(super) fn memory_size(&self) -> usize {
        self.chunk.memory_size()
            + self.values.memory_size()
            + self.dictionary.as_ref().map_or(0, Dictionary::memory)
    }

    /// Ends the dictionary: the page in progress is written with it, the rest of the chunk
    /// plainly.
    fn fall_back(&mut self) -> Result<()> {
        if self.chunk.page_open() {
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
        let count = dictionary.entries.len() as u32;
        self.chunk.write_dictionary_page(dictionary.page, count)
    }

    /// Writes the page in progress.
    fn add_page(&mut self) -> Result<()> {
        let buf = self.chunk.page_buffer(self.estimated_value_bytes());
        let bound = std::mem::replace(&mut self.bound, Bound::None);
        let bounds = match (bound, &self.values, &self.dictionary) {
            (Bound::Entry(min, max), _, Some(dictionary)) => Some((
                dictionary.value(min).to_vec(),
                dictionary.value(max).to_vec(),
            )),
            (Bound::Plain((s, l), (t, m)), Values::Plain(plain), _) => {
                Some((plain[s..s + l].to_vec(), plain[t..t + m].to_vec()))
            }
            _ => None,
        };
        let entries = self.dictionary_entries();
        let (buf, encoding) = self.values.encode_into(buf, entries);
        let index_bounds = bounds.as_ref().map(|(min, max)| {
            (
                truncate_min(min, self.column_index_truncate).0,
                truncate_max(max, self.column_index_truncate).0,
            )
        });
        self.chunk.write_data_page(DataPage {
            buf,
            encoding,
            bounds,
            index_bounds,
            unencoded_bytes: Some(self.page_value_bytes),
        })?;
        self.value_bytes += self.page_value_bytes;
        self.page_value_bytes = 0;
        Ok(())
    }

    /// Ends the chunk: its bytes (the dictionary page first) and metadata.
    pub(super) fn close(mut self) -> Result<ColumnChunk> {
        if self.chunk.page_open() {
            self.add_page()?;
        }
        self.write_dictionary_page()?;
        let statistics = match self.chunk.bounds() {
            (Some(min), Some(max), nulls) => {
                let (min, min_truncated) = truncate_min(&min, self.statistics_truncate);
                let (max, max_truncated) = truncate_max(&max, self.statistics_truncate);
                ValueStatistics::new(Some(min.into()), Some(max.into()), None, Some(nulls), false)
                    .with_min_is_exact(!min_truncated)
                    .with_max_is_exact(!max_truncated)
            }
            (_, _, nulls) => ValueStatistics::new(None, None, None, Some(nulls), false),
        };
        self.chunk
            .close(Statistics::ByteArray(statistics), Some(self.value_bytes))
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
