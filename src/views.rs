//! Text columns as Arrow string views ([`ReaderBuilder::with_string_view`]).
//!
//! A value longer than 12 bytes that lies in the chunk being decoded is not copied: its view
//! points into the chunk, which the batch then shares (an Arrow [`Buffer`] over the reader's
//! read buffer). Shorter values are inlined in their views, as Arrow does; values outside the
//! chunk (a line carried from one read to the next, repaired or percent-decoded text) are
//! copied into the column's own block.
//!
//! [`ReaderBuilder::with_string_view`]: crate::ReaderBuilder::with_string_view

use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::buffer::{BooleanBuffer, Buffer, NullBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::unchecked;

/// Longest value stored inside its view.
const MAX_INLINE: usize = 12;

/// The view of a null while the column is built: length 0 with a bit set above it, which no
/// value's view has (an inline view is zero above its bytes). `finish` makes it 0 (a null's
/// view, as `new_null` makes them) and derives the validity bitmap from it, in one pass over
/// the column instead of a bit per value as the values come.
const NULL_VIEW: u128 = 1 << 127;

/// The low `len` bytes of a `u128`, for each `len` up to [`MAX_INLINE`].
const INLINE_MASKS: [u128; MAX_INLINE + 1] = {
    let mut masks = [0u128; MAX_INLINE + 1];
    let mut len = 1;
    while len <= MAX_INLINE {
        masks[len] = (1u128 << (8 * len)) - 1;
        len += 1;
    }
    masks
};

/// The view of a value of `len` bytes (at most [`MAX_INLINE`]) held in `data`'s low bytes.
#[inline(always)]
fn inline_view(data: u128, len: usize) -> u128 {
    (data << 32) | len as u128
}

/// The view of a value of `len` bytes (more than [`MAX_INLINE`]) whose first four bytes are
/// `prefix` (little-endian), which lies at `offset` in block `block`.
#[inline(always)]
fn pointing_view(len: u32, prefix: u32, block: u32, offset: u32) -> u128 {
    u128::from(len)
        | (u128::from(prefix) << 32)
        | (u128::from(block) << 64)
        | (u128::from(offset) << 96)
}

/// `bytes` (at most 16) zero-padded to 16, little-endian.
#[inline]
fn padded(bytes: &[u8]) -> u128 {
    let mut padded = [0u8; 16];
    padded[..bytes.len()].copy_from_slice(bytes);
    u128::from_le_bytes(padded)
}

/// The input chunk being decoded, shared with the batches whose views point into it.
#[derive(Debug, Clone)]
pub(crate) struct SharedChunk {
    /// Tells chunks apart (a column registers each chunk once per batch). Two chunks given to
    /// one [`ViewBuilder`] between two `finish`es with the same id must be the same buffer:
    /// the builder's views point into the block it registered under that id (the reader gives
    /// each buffer it shares a new id; debug builds check it).
    pub(crate) id: u64,
    pub(crate) buffer: Buffer,
}

impl SharedChunk {
    /// Where `value` starts in the chunk, when it lies wholly inside it (and ends below 4 GiB).
    #[inline]
    pub(crate) fn offset_of(&self, value: &[u8]) -> Option<u32> {
        let base = self.buffer.as_ptr() as usize;
        let start = value.as_ptr() as usize;
        let offset = start.checked_sub(base)?;
        let end = offset + value.len();
        (end <= self.buffer.len() && end <= u32::MAX as usize).then_some(offset as u32)
    }
}

/// Builds one `Utf8View` column.
#[derive(Debug)]
pub(crate) struct ViewBuilder {
    views: Vec<u128>,
    /// Nulls so far (their views are [`NULL_VIEW`]).
    nulls: usize,
    /// Data blocks; block 0 holds the copied values (filled in by `finish`).
    blocks: Vec<Buffer>,
    copied: Vec<u8>,
    /// The chunk registered last (its id and block index).
    chunk: Option<(u64, u32)>,
    capacity: usize,
}

impl ViewBuilder {
    pub(crate) fn new(capacity: usize) -> Self {
        ViewBuilder {
            views: Vec::with_capacity(capacity),
            nulls: 0,
            blocks: vec![Buffer::from(Vec::<u8>::new())],
            copied: Vec::new(),
            chunk: None,
            capacity,
        }
    }

    #[inline]
    pub(crate) fn append_null(&mut self) {
        self.views.push(NULL_VIEW);
        self.nulls += 1;
    }

    /// Appends `value`, pointing into `chunk` when it lies there.
    #[inline]
    pub(crate) fn append(&mut self, value: &str, chunk: Option<&SharedChunk>) {
        let bytes = value.as_bytes();
        match chunk.and_then(|c| c.offset_of(bytes).map(|offset| (c, offset))) {
            // SAFETY: `append_from_chunk`'s condition holds: `offset_of` found `value` wholly
            // inside the chunk at `offset` (ending at or below `u32::MAX`, so the sum does not
            // wrap), and those bytes are `value`'s, a `&str`, so valid UTF-8.
            #[allow(unsafe_code)]
            Some((chunk, offset)) => unsafe {
                self.append_from_chunk(chunk, offset, offset + bytes.len() as u32)
            },
            None => self.append_copied(bytes),
        }
    }

    /// Appends the value at `start..end` of `chunk`: inlined in its view when short, else
    /// pointing there.
    ///
    /// # Safety
    ///
    /// `start <= end <= chunk.buffer.len()`, and the bytes `start..end` of the chunk are valid
    /// UTF-8 (whole characters): [`ViewBuilder::finish`] builds the batch's `StringViewArray`
    /// without checking them again. Debug builds check both.
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn append_from_chunk(&mut self, chunk: &SharedChunk, start: u32, end: u32) {
        // SAFETY: `append_masked` has the same condition as this function (`start <= end <=`
        // the chunk's length, whole UTF-8 characters in between), which this function's caller
        // establishes under its `# Safety` section; the arguments are passed on unchanged.
        unsafe { self.append_masked::<false>(chunk, start, end) }
    }

    /// Appends the value at `start..end` of `chunk` as [`append_from_chunk`] does, or a null
    /// when it is `-`.
    ///
    /// # Safety
    ///
    /// `start <= end <= chunk.buffer.len()`, and the bytes `start..end` of the chunk are valid
    /// UTF-8, as for [`append_from_chunk`]. Debug builds check both.
    ///
    /// [`append_from_chunk`]: Self::append_from_chunk
    #[inline(always)]
    #[allow(unsafe_code)]
    pub(crate) unsafe fn append_text_or_dash(&mut self, chunk: &SharedChunk, start: u32, end: u32) {
        // SAFETY: `append_masked` has the same condition as this function (`start <= end <=`
        // the chunk's length, whole UTF-8 characters in between), which this function's caller
        // establishes under its `# Safety` section; the arguments are passed on unchanged.
        unsafe { self.append_masked::<true>(chunk, start, end) }
    }

    /// Appends the value at `start..end` of `chunk` (a null when `DASH` and it is `-`) without
    /// a branch on the value: the inline view, the pointing view and the null are all made
    /// from one 16-byte read of the chunk (no variable-length copy, which costs a call and a
    /// stalled reload), and the right one is selected by masks. A text column's values are
    /// null or not, inline or not, in no pattern a branch predictor could learn.
    ///
    /// # Safety
    ///
    /// `start <= end <= chunk.buffer.len()`, and the bytes `start..end` of the chunk are valid
    /// UTF-8: the view made here is trusted by [`ViewBuilder::finish`]. (A `start` beyond the
    /// chunk panics; an `end` beyond it or before `start` is caught only by the debug checks.)
    #[inline(always)]
    #[allow(unsafe_code)]
    unsafe fn append_masked<const DASH: bool>(
        &mut self,
        chunk: &SharedChunk,
        start: u32,
        end: u32,
    ) {
        let data = chunk.buffer.as_slice();
        debug_assert!(
            start <= end && end as usize <= data.len(),
            "a range of the chunk"
        );
        let len = end - start;
        let at = start as usize;
        debug_assert!(std::str::from_utf8(&data[at..end as usize]).is_ok());
        // The value's first bytes (all of it when inline), and what follows it in the chunk.
        let window = match data.get(at..at + 16).map(<[u8; 16]>::try_from) {
            Some(Ok(window)) => u128::from_le_bytes(window),
            _ => padded(&data[at..data.len().min(at + 16)]),
        };
        // The chunk's block, registered on its first pointing view in this batch.
        let block = match self.chunk {
            Some((id, block)) if id == chunk.id => block,
            _ if len as usize > MAX_INLINE => self.register(chunk),
            _ => 0,
        };
        debug_assert!(
            len as usize <= MAX_INLINE || self.blocks[block as usize].as_ptr() == data.as_ptr(),
            "a chunk id names one buffer"
        );
        let inline = inline_view(
            window & INLINE_MASKS[(len as usize).min(MAX_INLINE)],
            len as usize,
        );
        let pointing = pointing_view(len, window as u32, block, start);
        let is_inline = 0u128.wrapping_sub(u128::from(len as usize <= MAX_INLINE));
        let view = (inline & is_inline) | (pointing & !is_inline);
        if DASH {
            let dash = len == 1 && window as u8 == b'-';
            let is_null = 0u128.wrapping_sub(u128::from(dash));
            self.views.push((NULL_VIEW & is_null) | (view & !is_null));
            self.nulls += usize::from(dash);
        } else {
            self.views.push(view);
        }
    }

    /// Appends `bytes` (valid UTF-8) inlined in its view, or copied into the column's block.
    fn append_copied(&mut self, bytes: &[u8]) {
        if bytes.len() <= MAX_INLINE {
            self.views.push(inline_view(padded(bytes), bytes.len()));
            return;
        }
        let offset = self.copied.len() as u32;
        self.copied.extend_from_slice(bytes);
        let prefix = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        self.views
            .push(pointing_view(bytes.len() as u32, prefix, 0, offset));
    }

    /// Adds `chunk` to the blocks of this batch; returns its index.
    #[cold]
    #[inline(never)]
    fn register(&mut self, chunk: &SharedChunk) -> u32 {
        let block = self.blocks.len() as u32;
        self.blocks.push(chunk.buffer.clone());
        self.chunk = Some((chunk.id, block));
        block
    }

    /// The column so far; the builder starts afresh.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        let ViewBuilder {
            mut views,
            nulls,
            mut blocks,
            copied,
            ..
        } = std::mem::replace(self, ViewBuilder::new(self.capacity));
        let nulls = (nulls > 0).then(|| {
            let valid = BooleanBuffer::collect_bool(views.len(), |i| views[i] != NULL_VIEW);
            for view in &mut views {
                if *view == NULL_VIEW {
                    *view = 0;
                }
            }
            NullBuffer::new(valid)
        });
        blocks[0] = Buffer::from_vec(copied);
        let views = ScalarBuffer::from(views);
        // SAFETY: `string_view_array`'s conditions hold. Every view was made from valid UTF-8:
        // by `append_copied` from a `&str`'s bytes, or by `append_masked` from a range of the
        // chunk that lies inside it and holds whole characters (the `# Safety` condition of
        // `append_from_chunk` / `append_text_or_dash`, which their callers establish). An
        // inline view (12 bytes or fewer) holds those bytes, masked so that the bytes after
        // them are zero. Any other names block 0 (the copied values, `copied`, put in place
        // just above) at the offset where `append_copied` put the value, or the block
        // `register` pushed for the chunk, which is the same buffer as every chunk given with
        // that id before this `finish` (`SharedChunk::id`), at the value's offset in it; its
        // prefix is the value's first four bytes. Blocks are immutable `Buffer`s. A null's
        // view is `NULL_VIEW`, made 0 just above, and `nulls` has one bit per view. Debug builds
        // check all of it again.
        #[allow(unsafe_code)]
        let array = unsafe { unchecked::string_view_array(views, blocks, nulls) };
        Arc::new(array)
    }
}

/// `schema` with its `Utf8` fields as `Utf8View` (metadata kept).
pub(crate) fn view_schema(schema: &SchemaRef) -> SchemaRef {
    map_text(schema, &DataType::Utf8, DataType::Utf8View)
}

/// `schema` with its `Utf8View` fields as `Utf8` (metadata kept).
#[cfg(feature = "parquet")]
pub(crate) fn plain_schema(schema: &SchemaRef) -> SchemaRef {
    map_text(schema, &DataType::Utf8View, DataType::Utf8)
}

fn map_text(schema: &SchemaRef, from: &DataType, to: DataType) -> SchemaRef {
    if !schema.fields().iter().any(|f| f.data_type() == from) {
        return schema.clone();
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let field = f.as_ref().clone();
            if f.data_type() == from {
                field.with_data_type(to.clone())
            } else {
                field
            }
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray, StringViewArray};

    #[test]
    fn views_point_into_the_chunk_or_copy() {
        let chunk = SharedChunk {
            id: 7,
            buffer: Buffer::from_vec(b"short a-value-longer-than-twelve tail".to_vec()),
        };
        let text = std::str::from_utf8(chunk.buffer.as_slice()).unwrap();
        let mut b = ViewBuilder::new(4);
        b.append(&text[..5], Some(&chunk));
        b.append(&text[6..32], Some(&chunk));
        b.append_null();
        b.append("copied because it is elsewhere", Some(&chunk));
        b.append(&text[6..32], None);
        let array = b.finish();
        let array = array.as_string_view();
        array.to_data().validate_full().unwrap();
        assert_eq!(array.value(0), "short");
        assert_eq!(array.value(1), "a-value-longer-than-twelve");
        assert!(array.is_null(2));
        assert_eq!(array.value(3), "copied because it is elsewhere");
        assert_eq!(array.value(4), "a-value-longer-than-twelve");
        // The copied block and the chunk, registered once.
        assert_eq!(array.data_buffers().len(), 2);
        assert_eq!(array.data_buffers()[1].as_ptr(), chunk.buffer.as_ptr());
        // The builder starts afresh.
        b.append(&text[6..32], Some(&chunk));
        let again = b.finish();
        assert_eq!(
            again.as_string_view().value(0),
            "a-value-longer-than-twelve"
        );
        assert_eq!(again.as_string_view().data_buffers().len(), 2);
    }

    #[test]
    #[allow(unsafe_code)]
    fn text_or_dash_matches_copied_values() {
        // Values of every length up to 20 at every offset, the last ones ending at the chunk's
        // end (fewer than 16 bytes to read there), and `-`.
        let text = "-\tabcdefghijklmnopqrstuvwxyz0123456789\t-";
        let chunk = SharedChunk {
            id: 3,
            buffer: Buffer::from_vec(text.as_bytes().to_vec()),
        };
        let n = text.len() as u32;
        let (mut fast, mut slow) = (ViewBuilder::new(8), ViewBuilder::new(8));
        for start in 0..n {
            for end in start..n.min(start + 20) + 1 {
                // SAFETY: `start <= end <= n`, the chunk's length, and the chunk is ASCII, so
                // any range of it is whole characters.
                unsafe { fast.append_text_or_dash(&chunk, start, end) };
                match &text[start as usize..end as usize] {
                    "-" => slow.append_null(),
                    value => slow.append(value, None),
                }
            }
        }
        let (fast, slow) = (fast.finish(), slow.finish());
        fast.to_data().validate_full().unwrap();
        assert_eq!(fast.as_string_view(), slow.as_string_view());
        assert_eq!(fast.null_count(), 2);
        // The copied values' block and the chunk.
        assert_eq!(fast.as_string_view().data_buffers().len(), 2);

        // Inline values only: the chunk is not registered (the batch does not hold it).
        let mut b = ViewBuilder::new(2);
        // SAFETY: ranges inside the chunk, which is ASCII.
        unsafe {
            b.append_text_or_dash(&chunk, 2, 14);
            b.append_text_or_dash(&chunk, 0, 1);
        }
        let array = b.finish();
        let array = array.as_string_view();
        assert_eq!(array.data_buffers().len(), 1);
        assert_eq!(array.value(0), "abcdefghijkl");
        assert!(array.is_null(1));
        // No null: no validity bitmap.
        let mut b = ViewBuilder::new(1);
        // SAFETY: a range inside the chunk, which is ASCII.
        unsafe { b.append_text_or_dash(&chunk, 2, 3) };
        assert!(b.finish().nulls().is_none());
    }

    #[test]
    #[allow(unsafe_code)]
    fn multibyte_ranges_match_the_checked_array() {
        // Every range between character boundaries (up to 40 bytes): empty ones, values of 12
        // bytes (inline) and 13 (pointing) ending in a two-, three- or four-byte character,
        // characters cut by the 16-byte window, ranges ending at the chunk's end.
        let text = "é𝄞abcdefghij€é-klmnopqrstuvwx𝄞\t-ü0123456789ab€";
        let chunk = SharedChunk {
            id: 9,
            buffer: Buffer::from_vec(text.as_bytes().to_vec()),
        };
        let n = text.len();
        let (mut plain, mut dash) = (ViewBuilder::new(8), ViewBuilder::new(8));
        let (mut want_plain, mut want_dash) = (Vec::new(), Vec::new());
        for start in (0..=n).filter(|&i| text.is_char_boundary(i)) {
            for end in (start..=n.min(start + 40)).filter(|&i| text.is_char_boundary(i)) {
                let (s, e) = (start as u32, end as u32);
                // SAFETY: `start <= end <= n`, the chunk's length, both at character
                // boundaries of the chunk's text (filtered above).
                unsafe {
                    plain.append_from_chunk(&chunk, s, e);
                    dash.append_text_or_dash(&chunk, s, e);
                }
                let value = &text[start..end];
                want_plain.push(Some(value));
                want_dash.push((value != "-").then_some(value));
            }
        }
        let (plain, dash) = (plain.finish(), dash.finish());
        plain.to_data().validate_full().unwrap();
        dash.to_data().validate_full().unwrap();
        assert_eq!(plain.as_string_view(), &StringViewArray::from(want_plain));
        assert_eq!(dash.as_string_view(), &StringViewArray::from(want_dash));
        assert_eq!(dash.null_count(), 2);
        // No row at all.
        let empty = ViewBuilder::new(0).finish();
        empty.to_data().validate_full().unwrap();
        assert_eq!(empty.len(), 0);
    }

    #[test]
    fn schemas_map_both_ways() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Utf8, true),
            Field::new("b", DataType::UInt16, true),
        ]));
        let views = view_schema(&schema);
        assert_eq!(views.field(0).data_type(), &DataType::Utf8View);
        assert_eq!(views.field(1).data_type(), &DataType::UInt16);
        #[cfg(feature = "parquet")]
        assert_eq!(plain_schema(&views), schema);
    }
}
