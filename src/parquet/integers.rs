//! The column chunks of dictionary-encoded integer columns (Arrow `Int16`, `Int32` and
//! `Int64`: Parquet `INT32`, `INT32` of logical type `INT(16)`, and `INT64`), encoded here
//! rather than by parquet's writer, which spent 5% (S3) to 9% (CloudFront real-time) of a
//! conversion on them, half of it hashing every value into its dictionary (hashbrown and
//! ahash) and comparing every value for its statistics.
//!
//! What the file holds is what parquet's writer writes with the same properties, as for
//! [`text`](super::text): version 1 data pages of at most the properties' rows and bytes
//! (checked every 1024 rows), dictionary-encoded after a plain dictionary page of the chunk's
//! distinct values in the order they came, plain once the dictionary outgrows its limit;
//! definition levels RLE-encoded; signed chunk statistics (written in the deprecated fields
//! too, as parquet does for signed types), the column index and the offset index. While a
//! chunk is one page the bytes are parquet's, byte for byte. What differs is how: the
//! dictionary is an open-addressing table of the values themselves, hashed by one folded
//! multiplication seeded per writer (so that no log can choose values that collide), a value
//! equal to the one before it is not looked up, and a page's bounds are compared once per
//! distinct value of the page.
//!
//! Columns without a dictionary (the delta-encoded timestamps) and with a bloom filter stay
//! with parquet's writer.

use arrow::array::{Array, AsArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Int16Type, Int32Type, Int64Type};
use parquet::basic::Type as PhysicalType;
use parquet::errors::{ParquetError, Result};
use parquet::file::properties::WriterProperties;
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::schema::types::ColumnDescPtr;

use super::chunk::{ChunkWriter, ColumnChunk, DataPage, K1, K2, Values, fold, new_seed};

/// Whether parquet's writer would leave a column of this type, with these properties, to this
/// module: a signed integer of 16 to 64 bits, dictionary-encoded, no bloom filter
/// ([`own_encoder_fits`](super::chunk::own_encoder_fits)).
pub(super) fn handles(
    data_type: &DataType,
    descr: &ColumnDescPtr,
    props: &WriterProperties,
) -> bool {
    let physical = match data_type {
        DataType::Int16 | DataType::Int32 => PhysicalType::INT32,
        DataType::Int64 => PhysicalType::INT64,
        _ => return false,
    };
    descr.physical_type() == physical
        && props.dictionary_enabled(descr.path())
        && super::chunk::own_encoder_fits(descr, props)
}

/// A slot of the dictionary's hash table: a value, its index and the last page that held it.
#[derive(Clone, Copy, Default)]
struct Slot {
    value: i64,
    /// The value's index + 1; 0 for an empty slot.
    index: u32,
    /// The last data page that held it (numbered from 1; 0 for none yet).
    page: u32,
}

/// The dictionary of a column chunk: its values in the order they came, and an open-addressing
/// table of them.
struct Dictionary {
    values: Vec<i64>,
    slots: Vec<Slot>,
    /// The slot of the last value looked up.
    last: Option<usize>,
}

impl Dictionary {
    fn new() -> Self {
        Dictionary {
            values: Vec::new(),
            slots: vec![Slot::default(); 64],
            last: None,
        }
    }

    /// The slot of `value`, which is added if new.
    #[inline(always)]
    fn intern(&mut self, value: i64, seed: u64) -> usize {
        if let Some(last) = self.last
            && self.slots[last].value == value
        {
            return last;
        }
        let mut slot = self.find(value, seed);
        if self.slots[slot].index == 0 {
            slot = self.insert(value, slot, seed);
        }
        self.last = Some(slot);
        slot
    }

    /// Adds `value` at `slot` (where [`Dictionary::find`] left it); returns its slot.
    #[cold]
    #[inline(never)]
    fn insert(&mut self, value: i64, mut slot: usize, seed: u64) -> usize {
        if (self.values.len() + 1) * 2 > self.slots.len() {
            self.grow(seed);
            slot = self.find(value, seed);
        }
        self.values.push(value);
        self.slots[slot] = Slot {
            value,
            index: self.values.len() as u32,
            page: 0,
        };
        slot
    }

    /// The slot that holds `value`, or the empty one where it would go.
    #[inline(always)]
    fn find(&self, value: i64, seed: u64) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = hash(value, seed) as usize & mask;
        loop {
            let s = &self.slots[slot];
            if s.index == 0 || s.value == value {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    fn grow(&mut self, seed: u64) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); size]);
        for s in old.into_iter().filter(|s| s.index != 0) {
            let slot = self.find(s.value, seed);
            self.slots[slot] = s;
        }
        self.last = None;
    }

    /// The dictionary page: the values plain-encoded (`width` bytes each), in order.
    fn page(&self, width: usize) -> Vec<u8> {
        let mut page = Vec::with_capacity(self.values.len() * width);
        for value in &self.values {
            page.extend_from_slice(&value.to_le_bytes()[..width]);
        }
        page
    }

    fn memory(&self) -> usize {
        self.values.capacity() * 8 + self.slots.capacity() * std::mem::size_of::<Slot>()
    }
}

/// A value's hash: one folded multiplication of its bits, seeded per writer.
#[inline]
fn hash(value: i64, seed: u64) -> u64 {
    fold(value as u64 ^ seed ^ K1, K2)
}

/// The writer of one integer column's chunk of a row group.
pub(super) struct IntegerColumnWriter {
    chunk: ChunkWriter<i64>,
    physical: PhysicalType,
    /// The bytes of a plain value: 4 (`INT32`) or 8 (`INT64`).
    width: usize,
    /// Whether the statistics go in the deprecated fields too (parquet's rule: signed order).
    signed: bool,
    dictionary_limit: usize,
    seed: u64,
    /// The dictionary, while the chunk is dictionary-encoded.
    dictionary: Option<Dictionary>,
    /// The values of the page being filled.
    values: Values,
    /// The smallest and largest value of the page being filled.
    bound: Option<(i64, i64)>,
}

impl IntegerColumnWriter {
    /// The writer of `descr`'s chunk with `props`.
    pub(super) fn new(descr: ColumnDescPtr, props: &WriterProperties) -> Result<Self> {
        let physical = descr.physical_type();
        let width = match physical {
            PhysicalType::INT32 => 4,
            PhysicalType::INT64 => 8,
            other => {
                return Err(ParquetError::General(format!(
                    "column {}: {other} is not an integer type of this writer",
                    descr.path()
                )));
            }
        };
        let dictionary = props.dictionary_enabled(descr.path()).then(Dictionary::new);
        Ok(IntegerColumnWriter {
            physical,
            width,
            signed: descr.sort_order().is_signed(),
            dictionary_limit: props.dictionary_page_size_limit(),
            seed: new_seed(),
            values: Values::new(dictionary.is_some()),
            dictionary,
            bound: None,
            chunk: ChunkWriter::new(descr, props)?,
        })
    }

    /// Encodes a column's values (`Int16`, `Int32` or `Int64`, as the column's type).
    pub(super) fn write(&mut self, array: &dyn Array) -> Result<()> {
        self.chunk.check_nulls(array.null_count())?;
        match (array.data_type(), self.width) {
            (DataType::Int16, 4) => {
                self.write_values(array.as_primitive::<Int16Type>().values(), array.nulls())
            }
            (DataType::Int32, 4) => {
                self.write_values(array.as_primitive::<Int32Type>().values(), array.nulls())
            }
            (DataType::Int64, 8) => {
                self.write_values(array.as_primitive::<Int64Type>().values(), array.nulls())
            }
            (other, _) => Err(ParquetError::General(format!(
                "{other} is not an integer column of {}",
                self.physical
            ))),
        }
    }

    fn write_values<T: Copy + Into<i64>>(
        &mut self,
        values: &[T],
        nulls: Option<&NullBuffer>,
    ) -> Result<()> {
        let nulls = nulls.filter(|n| n.null_count() > 0);
        let len = values.len();
        let mut start = 0;
        while start < len {
            let end = self.chunk.window_end(start, len);
            self.chunk.put_rows(start, end, nulls);
            match nulls {
                Some(nulls) => {
                    self.write_window(&values[start..end], |i| nulls.is_valid(start + i))
                }
                None => self.write_window(&values[start..end], |_| true),
            }
            start = end;
            if self.chunk.page_full(self.estimated_value_bytes()) {
                self.add_page()?;
            }
            if self
                .dictionary
                .as_ref()
                .is_some_and(|d| d.values.len() * self.width >= self.dictionary_limit)
            {
                self.fall_back()?;
            }
        }
        Ok(())
    }

    /// `values` (those `valid`) into the page.
    #[inline]
    fn write_window<T: Copy + Into<i64>>(&mut self, values: &[T], valid: impl Fn(usize) -> bool) {
        let mut bound = self.bound;
        match (&mut self.values, &mut self.dictionary) {
            (Values::Indices(indices), Some(dictionary)) => {
                let page = self.chunk.page_number();
                for (i, &value) in values.iter().enumerate() {
                    if !valid(i) {
                        continue;
                    }
                    let value = value.into();
                    let slot = dictionary.intern(value, self.seed);
                    let slot = &mut dictionary.slots[slot];
                    indices.push(slot.index - 1);
                    if slot.page != page {
                        slot.page = page;
                        bound = Some(widen(bound, value));
                    }
                }
            }
            (Values::Plain(plain), _) => {
                for (i, &value) in values.iter().enumerate() {
                    if !valid(i) {
                        continue;
                    }
                    let value = value.into();
                    plain.extend_from_slice(&value.to_le_bytes()[..self.width]);
                    bound = Some(widen(bound, value));
                }
            }
            (Values::Indices(_), None) => unreachable!("indices only with a dictionary"),
        }
        self.bound = bound;
    }

    /// The encoded bytes of the page's values so far.
    fn estimated_value_bytes(&self) -> usize {
        self.values.estimated_bytes(self.dictionary_entries())
    }

    /// The dictionary's values (0 without one).
    fn dictionary_entries(&self) -> usize {
        self.dictionary.as_ref().map_or(0, |d| d.values.len())
    }

    /// The encoded bytes of the chunk so far, and those of its page and dictionary in progress.
    pub(super) fn estimated_total_bytes(&self) -> usize {
        self.chunk.bytes_written()
            + self
                .chunk
                .estimated_page_bytes(self.estimated_value_bytes())
            + self.dictionary_entries() * self.width
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
        self.values = Values::new(false);
        Ok(())
    }

    fn write_dictionary_page(&mut self) -> Result<()> {
        let Some(dictionary) = self.dictionary.take() else {
            return Ok(());
        };
        let page = dictionary.page(self.width);
        let count = dictionary.values.len() as u32;
        drop(dictionary);
        self.chunk.write_dictionary_page(page, count)
    }

    /// Writes the page in progress.
    fn add_page(&mut self) -> Result<()> {
        let buf = self.chunk.page_buffer(self.estimated_value_bytes());
        let entries = self.dictionary_entries();
        let (buf, encoding) = self.values.encode_into(buf, entries);
        let bounds = self.bound.take();
        let width = self.width;
        let bytes = |v: &i64| v.to_le_bytes()[..width].to_vec();
        self.chunk.write_data_page(DataPage {
            buf,
            encoding,
            index_bounds: bounds.as_ref().map(|(min, max)| (bytes(min), bytes(max))),
            bounds,
            unencoded_bytes: None,
        })
    }

    /// Ends the chunk: its bytes (the dictionary page first) and metadata.
    pub(super) fn close(mut self) -> Result<ColumnChunk> {
        if self.chunk.page_open() {
            self.add_page()?;
        }
        self.write_dictionary_page()?;
        let (min, max, nulls) = self.chunk.bounds();
        let statistics = if self.width == 4 {
            // Values of an `INT32` column are `i32`s, widened.
            let narrow = |v: Option<i64>| v.map(|v| v as i32);
            Statistics::Int32(
                ValueStatistics::new(narrow(min), narrow(max), None, Some(nulls), false)
                    .with_backwards_compatible_min_max(self.signed),
            )
        } else {
            Statistics::Int64(
                ValueStatistics::new(min, max, None, Some(nulls), false)
                    .with_backwards_compatible_min_max(self.signed),
            )
        };
        self.chunk.close(statistics, None)
    }
}

/// `bound` with `value` in it.
#[inline]
fn widen(bound: Option<(i64, i64)>, value: i64) -> (i64, i64) {
    match bound {
        Some((min, max)) => (min.min(value), max.max(value)),
        None => (value, value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_finds_what_it_holds() {
        let values: Vec<i64> = (0..20_000i64)
            .map(|i| match i % 4 {
                0 => i,
                1 => -i,
                2 => i << 40,
                _ => i64::MIN + i,
            })
            .collect();
        for seed in [0, 7, new_seed()] {
            let mut dictionary = Dictionary::new();
            for (i, &value) in values.iter().enumerate() {
                let slot = dictionary.intern(value, seed);
                assert_eq!(dictionary.slots[slot].index as usize, i + 1);
                assert_eq!(dictionary.slots[slot].value, value);
            }
            for (i, &value) in values.iter().enumerate().rev() {
                let slot = dictionary.intern(value, seed);
                assert_eq!(dictionary.slots[slot].index as usize, i + 1);
            }
            assert_eq!(dictionary.values, values);
            let page = dictionary.page(8);
            assert_eq!(page.len(), values.len() * 8);
            assert_eq!(&page[8..16], &values[1].to_le_bytes());
        }
    }

    /// An `INT32` dictionary page holds 4 bytes a value, the `i32`'s.
    #[test]
    fn int32_pages_hold_four_bytes_a_value() {
        let mut dictionary = Dictionary::new();
        for value in [-1i64, i64::from(i32::MIN), i64::from(i16::MAX)] {
            dictionary.intern(value, 3);
        }
        let expected: Vec<u8> = [-1i32, i32::MIN, i32::from(i16::MAX)]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(dictionary.page(4), expected);
    }

    /// Values that differ only in their high bits, or are multiples of a large power of two,
    /// do not pile up in a few slots.
    #[test]
    fn structured_values_spread_over_the_table() {
        for values in [
            (0..4096i64).map(|i| i << 52).collect::<Vec<_>>(),
            (0..4096i64).map(|i| i << 20).collect(),
            (0..4096i64).map(|i| i * 1024 + 7).collect(),
        ] {
            // Unseeded, the worst case.
            let seed = 0;
            let mut dictionary = Dictionary::new();
            for &value in &values {
                dictionary.intern(value, seed);
            }
            // The longest probe: from a value's home slot to where it is.
            let mask = dictionary.slots.len() - 1;
            let longest = values
                .iter()
                .map(|&v| {
                    let home = hash(v, seed) as usize & mask;
                    (dictionary.find(v, seed) + mask + 1 - home) & mask
                })
                .max()
                .unwrap();
            assert!(longest < 64, "a probe of {longest} slots");
        }
    }

    #[test]
    fn bounds_widen() {
        assert_eq!(widen(None, 5), (5, 5));
        assert_eq!(widen(Some((5, 5)), -3), (-3, 5));
        assert_eq!(widen(Some((-3, 5)), i64::MAX), (-3, i64::MAX));
    }
}
