//! The crate's unchecked constructors: the only places where bytes become a `str`, or Arrow
//! string arrays are assembled, without the check the safe constructor would run.
//!
//! Each is an `unsafe fn` whose `# Safety` section says what its caller must have established,
//! and each checks exactly that again in debug builds (`debug_assert!`, or Arrow's
//! `validate_full`), so the tests and the fuzz targets check every value they make while
//! release builds, on the hot path, pay nothing. The callers' `// SAFETY:` comments say where
//! the condition comes from:
//!
//! * [`ascii_str`]: a CloudFront line whose bytes the tab scan found all ASCII
//!   (`cloudfront/decode.rs`).
//! * [`string_array`]: a `Utf8` column ([`crate::text::TextBuilder::finish`]) whose values are
//!   `&str`s or field spans of a valid line, cut at character boundaries.
//! * [`string_view_array`]: a `Utf8View` column ([`crate::views::ViewBuilder::finish`]) whose
//!   views were made from `&str`s or from ranges of an input chunk holding whole characters.
//!
//! The other `unsafe` of the crate is not a constructor: the builders' `append_span` /
//! `append_from_chunk` / `append_text_or_dash` (whose contracts these arrays rely on) and the
//! SSE2 comparisons of `raw::fields`.

#![allow(unsafe_code)]

use std::sync::Arc;

use arrow::array::{StringArray, StringViewArray};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};

/// `bytes` as a `&str`, without a UTF-8 check.
///
/// # Safety
///
/// Every byte of `bytes` is below 0x80 (ASCII). Debug builds check it.
#[inline(always)]
pub(crate) unsafe fn ascii_str(bytes: &[u8]) -> &str {
    debug_assert!(bytes.is_ascii(), "ascii_str of non-ASCII bytes");
    // SAFETY: each ASCII byte is a whole one-byte UTF-8 character, so ASCII bytes are valid
    // UTF-8; that every byte is ASCII is this function's `# Safety` condition.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

/// A `StringArray` (`Utf8`) from its parts, without the checks of `StringArray::try_new`.
///
/// # Safety
///
/// * `offsets` is not empty, its first entry is 0, no entry is smaller than the one before, and
///   the last is at most `values.len()`;
/// * `values[offsets[i]..offsets[i + 1]]` is valid UTF-8 for every row `i` (so the offsets are
///   character boundaries of the text);
/// * `nulls`, when given, has one bit per row (`offsets.len() - 1`).
///
/// Debug builds check all of it (`validate_full`) and panic when it does not hold.
#[inline]
pub(crate) unsafe fn string_array(
    offsets: Vec<i32>,
    values: Vec<u8>,
    nulls: Option<NullBuffer>,
) -> StringArray {
    // SAFETY: `OffsetBuffer::new_unchecked` needs a non-empty, non-decreasing buffer of
    // non-negative offsets, and `StringArray::new_unchecked` needs what `try_new` checks:
    // offsets within `values`, each row's bytes valid UTF-8, `nulls` as long as the rows. These
    // are the conditions of this function's `# Safety` section.
    let array = unsafe {
        StringArray::new_unchecked(
            OffsetBuffer::new_unchecked(ScalarBuffer::from(offsets)),
            Buffer::from_vec(values),
            nulls,
        )
    };
    #[cfg(debug_assertions)]
    arrow::array::Array::to_data(&array)
        .validate_full()
        .expect("string_array: a Utf8 column's parts are valid");
    array
}

/// A `StringViewArray` (`Utf8View`) from its parts, without the checks of
/// `StringViewArray::try_new`.
///
/// # Safety
///
/// For each view: when its length (low 32 bits) is at most 12, the next `len` bytes hold the
/// value, valid UTF-8, and the bytes after them are zero; otherwise the value is valid UTF-8,
/// lies at the view's offset (bits 96..128) in `blocks[block]` (bits 64..96) wholly inside
/// that block, and the view's bits 32..64 are its first four bytes. `nulls`, when given, has
/// one bit per view, and a null's view is 0.
///
/// Debug builds check all of it (`validate_full`) and panic when it does not hold.
#[inline]
pub(crate) unsafe fn string_view_array(
    views: ScalarBuffer<u128>,
    blocks: Vec<Buffer>,
    nulls: Option<NullBuffer>,
) -> StringViewArray {
    let blocks: Arc<[Buffer]> = blocks.into();
    // SAFETY: `StringViewArray::new_unchecked` needs what `try_new` checks: inline views with
    // their bytes and zero padding, other views naming a block and a range inside it that
    // holds the value with its prefix, values valid UTF-8, `nulls` as long as the views. These
    // are the conditions of this function's `# Safety` section.
    let array = unsafe { StringViewArray::new_unchecked(views, blocks, nulls) };
    #[cfg(debug_assertions)]
    arrow::array::Array::to_data(&array)
        .validate_full()
        .expect("string_view_array: a Utf8View column's parts are valid");
    array
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;

    #[test]
    fn ascii_str_of_empty_and_every_ascii_byte() {
        // SAFETY: no bytes at all.
        assert_eq!(unsafe { ascii_str(b"") }, "");
        let all: Vec<u8> = (0..0x80).collect();
        // SAFETY: the bytes 0x00..=0x7f.
        let text = unsafe { ascii_str(&all) };
        assert_eq!(text.as_bytes(), &all[..]);
        assert_eq!(text.chars().count(), 0x80);
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "non-ASCII")]
    fn ascii_str_checks_in_debug_builds() {
        // SAFETY: not met on purpose: the debug check panics before anything is made.
        let _ = unsafe { ascii_str("é".as_bytes()) };
    }

    #[test]
    fn string_array_empty_null_and_multibyte_rows() {
        // No row at all.
        // SAFETY: one offset, 0, and no text.
        let empty = unsafe { string_array(vec![0], Vec::new(), None) };
        assert_eq!(empty.len(), 0);
        // An empty row, a null, a two-byte and a four-byte character, a long row.
        let values = "éabc𝄞0123456789abcdefghij".as_bytes().to_vec();
        let offsets = vec![0, 0, 0, 2, 5, 9, values.len() as i32];
        let nulls = NullBuffer::from(vec![true, false, true, true, true, true]);
        // SAFETY: offsets from 0 to the text's length, not decreasing, each at a character
        // boundary of the (valid UTF-8) text; one null bit per row.
        let array = unsafe { string_array(offsets, values, Some(nulls)) };
        array.to_data().validate_full().unwrap();
        let got: Vec<Option<&str>> = array.iter().collect();
        assert_eq!(
            got,
            [
                Some(""),
                None,
                Some("é"),
                Some("abc"),
                Some("𝄞"),
                Some("0123456789abcdefghij")
            ]
        );
    }

    #[test]
    fn string_view_array_inline_and_pointing_views() {
        let block = Buffer::from_vec("0123456789abcdé".as_bytes().to_vec());
        let mut inline = [0u8; 16];
        inline[..2].copy_from_slice("é".as_bytes());
        let inline = (u128::from_le_bytes(inline) << 32) | 2;
        let long = block.len() as u128; // 16 bytes at offset 0 of block 1
        let prefix = u128::from(u32::from_le_bytes(*b"0123")) << 32;
        let views = ScalarBuffer::from(vec![0, inline, long | prefix | (1 << 64), 0]);
        let nulls = NullBuffer::from(vec![true, true, true, false]);
        // SAFETY: an empty inline view, an inline two-byte character zero-padded, a 16-byte
        // value (valid UTF-8) wholly inside block 1 with its prefix, a null with a zero view.
        let array = unsafe {
            string_view_array(
                views,
                vec![Buffer::from_vec(Vec::<u8>::new()), block],
                Some(nulls),
            )
        };
        array.to_data().validate_full().unwrap();
        let got: Vec<Option<&str>> = array.iter().collect();
        assert_eq!(got, [Some(""), Some("é"), Some("0123456789abcdé"), None]);
    }
}
