//! Tab splitting: the fields of a tab-separated line as spans, 64 bytes at a time.

use super::Span;
use crate::error::{Error, ErrorKind, Result};

/// Splits `line` on tabs into `spans` (cleared first). More than `max_fields` fields is a
/// [`ErrorKind::TooManyFields`] error (without format or position).
#[inline]
pub(crate) fn split_tabs(line: &[u8], spans: &mut Vec<Span>, max_fields: usize) -> Result<()> {
    split::<false>(line, spans, max_fields).map(|_| ())
}

/// [`split_tabs`], also telling whether the line is ASCII (then it needs no other UTF-8 check).
pub(crate) fn split_tabs_ascii(
    line: &[u8],
    spans: &mut Vec<Span>,
    max_fields: usize,
) -> Result<bool> {
    split::<true>(line, spans, max_fields)
}

/// The line is read 64 bytes at a time into a bitmap of its tabs, and every bit of the map
/// becomes a span end: a few instructions per tab, with no search and no hard-to-predict exit
/// per field (real-time lines have 40 or more fields of 15 to 20 bytes). With `ASCII`, the
/// same reads gather the bytes' high bits, and the result tells whether none was set.
#[inline(always)]
fn split<const ASCII: bool>(line: &[u8], spans: &mut Vec<Span>, max_fields: usize) -> Result<bool> {
    spans.clear();
    let Ok(len) = u32::try_from(line.len()) else {
        return Err(Error::new(ErrorKind::LineTooLong).with_detail("a line of 4 GiB or more"));
    };
    let mut start = 0u32;
    let mut high = 0u64;
    let mut push_tabs = |(mut tabs, high_bits): (u64, u64), base: u32, spans: &mut Vec<Span>| {
        if ASCII {
            high |= high_bits;
        }
        while tabs != 0 {
            let end = base + tabs.trailing_zeros();
            spans.push(Span { start, end });
            start = end + 1;
            tabs &= tabs - 1;
        }
    };
    let blocks = line.chunks_exact(64);
    let rest = blocks.remainder();
    for (i, block) in blocks.enumerate() {
        push_tabs(tab_map(block), 64 * i as u32, spans);
        if spans.len() >= max_fields.max(1) {
            return Err(too_many_fields(line, max_fields));
        }
    }
    if !rest.is_empty() {
        let mut padded = [0u8; 64];
        padded[..rest.len()].copy_from_slice(rest);
        push_tabs(tab_map(&padded), len - rest.len() as u32, spans);
        if spans.len() >= max_fields.max(1) {
            return Err(too_many_fields(line, max_fields));
        }
    }
    spans.push(Span { start, end: len });
    Ok(high == 0)
}

/// The tabs of `block` (64 bytes; bit `i` set when `block[i]` is a tab), and a word that is
/// zero exactly when the block is ASCII: four SSE2 comparisons of 16 bytes.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn tab_map(block: &[u8]) -> (u64, u64) {
    block
        .chunks_exact(16)
        .enumerate()
        .fold((0, 0), |(map, high), (k, part)| {
            let (tabs, high_bits) = super::fields::matches16_and_high(part, b'\t');
            (
                map | u64::from(tabs) << (16 * k),
                high | u64::from(high_bits),
            )
        })
}

#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
use tab_map_swar as tab_map;

/// [`tab_map`] eight bytes at a time in a register (where SSE2 is not enabled).
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
#[inline(always)]
fn tab_map_swar(block: &[u8]) -> (u64, u64) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut map = 0;
    let mut high = 0;
    for (k, word) in block.chunks_exact(8).enumerate() {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        high |= word & !LOW7;
        let x = word ^ 0x0909_0909_0909_0909;
        // Bit 7 of each byte of `x` that is zero (a tab), exactly: the low seven bits + 0x7f
        // carry into bit 7 unless they are zero, and no carry crosses a byte.
        let flags = !(((x & LOW7) + LOW7) | x | LOW7);
        // The eight flags (bits 7, 15, ..., 63) gathered into one byte: the products of the
        // multiplication land on distinct bits, so nothing carries.
        let byte = ((flags >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        map |= byte << (8 * k);
    }
    (map, high)
}

fn too_many_fields(line: &[u8], max_fields: usize) -> Error {
    let count = 1 + memchr::memchr_iter(b'\t', line).count();
    Error::new(ErrorKind::TooManyFields)
        .with_detail(format!("{count} fields, maximum {max_fields}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(line: &[u8]) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut start = 0;
        for (i, &b) in line.iter().enumerate() {
            if b == b'\t' {
                spans.push(Span::new(start, i));
                start = i + 1;
            }
        }
        spans.push(Span::new(start, line.len()));
        spans
    }

    #[test]
    fn split_tabs_agrees_with_a_byte_by_byte_split() {
        let mut spans = Vec::new();
        let mut line = Vec::new();
        // With a byte that differs from a tab by the high bit, and (ASCII lines) without.
        for (len, high) in (0..40)
            .chain(56..73)
            .chain(120..136)
            .flat_map(|len| [(len, 0x89), (len, b'!')])
        {
            // Every pattern of tabs in the first bytes, the rest filled with near-misses
            // (0x08 and 0x0a differ from a tab by one bit).
            for pattern in 0..(1u32 << len.min(10)) {
                line.clear();
                line.extend((0..len).map(|i| match i % 4 {
                    0 => high,
                    1 => b'a',
                    2 => 0x08,
                    _ => 0x0a,
                }));
                for bit in 0..len.min(10) {
                    if pattern & (1 << bit) != 0 {
                        line[len - 1 - bit] = b'\t';
                    }
                }
                for at in [3, 63, 64, 65] {
                    if at + 12 < len {
                        line[at] = b'\t';
                    }
                }
                let ascii = split_tabs_ascii(&line, &mut spans, 1000).unwrap();
                assert_eq!(spans, naive(&line), "{line:?}");
                assert_eq!(ascii, line.is_ascii(), "{line:?}");
            }
        }
    }

    #[test]
    fn tab_maps_mark_exactly_the_tabs() {
        // Near-misses of a tab: the high bit, one bit off, zero, all ones.
        let near = [0x89u8, 0x08, 0x0a, 0x19, 0x00, 0xff, b'a'];
        let mut blocks = Vec::new();
        for pos in 0..64 {
            let mut block: Vec<u8> = (0..64).map(|i| near[i % near.len()]).collect();
            block[pos] = b'\t';
            blocks.push(block);
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..4000 {
            let block = (0..64)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    if x.is_multiple_of(5) {
                        b'\t'
                    } else {
                        near[(x >> 8) as usize % near.len()]
                    }
                })
                .collect();
            blocks.push(block);
        }
        blocks.push(vec![b'\t'; 64]);
        blocks.push(vec![0; 64]);
        // ASCII blocks, and blocks with one byte of 0x80 or more at each position.
        for pos in 0..64 {
            let mut block: Vec<u8> = (0..64).map(|i| [0x08, b'\t', 0x7f, 0][i % 4]).collect();
            blocks.push(block.clone());
            block[pos] = [0x80, 0x89, 0xff][pos % 3];
            blocks.push(block);
        }
        for block in &blocks {
            let expected = (0..64)
                .filter(|&i| block[i] == b'\t')
                .fold(0u64, |map, i| map | 1 << i);
            for (tabs, high) in [tab_map(block), tab_map_swar(block)] {
                assert_eq!(tabs, expected, "{block:?}");
                assert_eq!(high == 0, block.is_ascii(), "{block:?}");
            }
        }
    }

    #[test]
    fn split_tabs_counts_every_field_past_the_maximum() {
        let mut spans = Vec::new();
        let line = b"a\tb\tc\td\te\tf\tg\th\ti\tj\tk";
        assert!(split_tabs(line, &mut spans, 11).is_ok());
        assert_eq!(spans.len(), 11);
        for max in [1, 3, 8, 10] {
            let err = split_tabs(line, &mut spans, max).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TooManyFields);
            assert_eq!(
                err.detail(),
                Some(format!("11 fields, maximum {max}").as_str())
            );
        }
        // No tab: one field, whatever the maximum.
        assert!(split_tabs(b"abc", &mut spans, 0).is_ok());
    }
}
