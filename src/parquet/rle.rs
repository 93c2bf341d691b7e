//! Parquet's RLE / bit-packed hybrid encoding, for definition levels and dictionary indices.
//!
//! The run-finding rule is the one of the reference encoders (Impala's, parquet's): values are
//! taken in groups of eight; eight or more equal values in a row, starting at a group, make a
//! repeated run; the rest are bit-packed, at most 63 groups to a run so that its header is one
//! byte.

/// Groups of eight values in one bit-packed run: its header, `(groups << 1) | 1`, stays one byte.
const MAX_GROUPS_PER_RUN: usize = 63;

/// An encoder of values of `bit_width` bits (0 to 32) into a buffer.
pub(super) struct RleEncoder {
    bit_width: u8,
    out: Vec<u8>,
    buffered: [u32; 8],
    num_buffered: usize,
    current: u32,
    repeat_count: usize,
    /// Values in the bit-packed run in progress (whole groups already written).
    literal_count: usize,
    /// Where the header byte of the bit-packed run in progress is, if one is.
    indicator: Option<usize>,
}

impl RleEncoder {
    /// An encoder appending to `out`.
    pub(super) fn new(bit_width: u8, out: Vec<u8>) -> Self {
        debug_assert!(bit_width <= 32);
        RleEncoder {
            bit_width,
            out,
            buffered: [0; 8],
            num_buffered: 0,
            current: 0,
            repeat_count: 0,
            literal_count: 0,
            indicator: None,
        }
    }

    /// Encodes one value.
    #[inline]
    pub(super) fn put(&mut self, value: u32) {
        if self.current == value {
            self.repeat_count += 1;
            if self.repeat_count > 8 {
                // The repeated run goes on: nothing to buffer.
                return;
            }
        } else {
            if self.repeat_count >= 8 {
                self.flush_repeated_run();
            }
            self.repeat_count = 1;
            self.current = value;
        }
        self.buffered[self.num_buffered] = value;
        self.num_buffered += 1;
        if self.num_buffered == 8 {
            self.flush_buffered();
        }
    }

    /// Encodes `values`: what [`put`](Self::put) of each would write, a group of eight at a
    /// time where the encoder is between groups.
    pub(super) fn put_slice(&mut self, values: &[u32]) {
        let mut rest = values;
        while !rest.is_empty() {
            if self.num_buffered == 0 && self.repeat_count >= 8 {
                // A repeated run goes on as long as its value does.
                let current = self.current;
                let run = rest.iter().take_while(|&&v| v == current).count();
                self.repeat_count += run;
                rest = &rest[run..];
                if rest.is_empty() {
                    break;
                }
            }
            if self.num_buffered == 0
                && self.repeat_count == 0
                && let Some((group, tail)) = rest.split_first_chunk::<8>()
            {
                // Between groups, out of a repeated run: a group of eight is a repeated run's
                // start if its values are all equal, else bit-packed, as `put` would decide.
                let last = group[7];
                self.current = last;
                if group.iter().all(|&v| v == last) {
                    self.repeat_count = 8;
                    if self.literal_count != 0 {
                        self.flush_literal_run(true);
                    }
                } else {
                    self.buffered = *group;
                    self.num_buffered = 8;
                    self.literal_count += 8;
                    let groups = self.literal_count / 8;
                    self.flush_literal_run(groups >= MAX_GROUPS_PER_RUN);
                }
                rest = tail;
                continue;
            }
            self.put(rest[0]);
            rest = &rest[1..];
        }
    }

    /// Encodes `value` `count` times.
    #[inline]
    pub(super) fn put_n(&mut self, value: u32, mut count: usize) {
        while count > 0 {
            if self.current == value && self.repeat_count >= 8 {
                self.repeat_count += count;
                return;
            }
            self.put(value);
            count -= 1;
        }
    }

    /// Bytes written so far (runs in progress not counted).
    pub(super) fn len(&self) -> usize {
        self.out.len()
    }

    /// Ends the runs in progress and returns the buffer.
    pub(super) fn finish(mut self) -> Vec<u8> {
        if self.literal_count > 0 || self.repeat_count > 0 || self.num_buffered > 0 {
            let all_repeat = self.literal_count == 0
                && (self.repeat_count == self.num_buffered || self.num_buffered == 0);
            if self.repeat_count > 0 && all_repeat {
                self.flush_repeated_run();
            } else {
                // The last group is padded with zeros: the reader knows the value count.
                if self.num_buffered > 0 {
                    self.buffered[self.num_buffered..].fill(0);
                    self.num_buffered = 8;
                }
                self.literal_count += self.num_buffered;
                self.flush_literal_run(true);
                self.repeat_count = 0;
            }
        }
        self.out
    }

    fn flush_buffered(&mut self) {
        if self.repeat_count >= 8 {
            // The buffered values are all the repeated value: they join its run.
            self.num_buffered = 0;
            if self.literal_count != 0 {
                self.flush_literal_run(true);
            }
            return;
        }
        self.literal_count += self.num_buffered;
        let groups = self.literal_count / 8;
        self.flush_literal_run(groups >= MAX_GROUPS_PER_RUN);
        self.repeat_count = 0;
    }

    /// Writes the buffered group into the bit-packed run in progress (starting one if needed);
    /// with `end`, ends the run by writing its header.
    fn flush_literal_run(&mut self, end: bool) {
        let indicator = *self.indicator.get_or_insert_with(|| {
            self.out.push(0);
            self.out.len() - 1
        });
        if self.num_buffered > 0 {
            debug_assert_eq!(self.num_buffered, 8);
            // Eight values of `width` bits fill `width` bytes: packed four bytes at a time in
            // a register, then copied at once.
            let width = u32::from(self.bit_width);
            let mut packed = [0u8; 36];
            let mut at = 0;
            let mut acc: u64 = 0;
            let mut bits = 0u32;
            for &value in &self.buffered {
                acc |= u64::from(value) << bits;
                bits += width;
                if bits >= 32 {
                    packed[at..at + 4].copy_from_slice(&(acc as u32).to_le_bytes());
                    at += 4;
                    acc >>= 32;
                    bits -= 32;
                }
            }
            packed[at..at + 4].copy_from_slice(&(acc as u32).to_le_bytes());
            debug_assert_eq!(bits % 8, 0, "eight values fill whole bytes");
            self.out
                .extend_from_slice(&packed[..usize::from(self.bit_width)]);
            self.num_buffered = 0;
        }
        if end {
            let groups = self.literal_count / 8;
            self.out[indicator] = ((groups << 1) | 1) as u8;
            self.indicator = None;
            self.literal_count = 0;
        }
    }

    fn flush_repeated_run(&mut self) {
        let mut header = (self.repeat_count as u64) << 1;
        while header >= 0x80 {
            self.out.push(header as u8 | 0x80);
            header >>= 7;
        }
        self.out.push(header as u8);
        let bytes = usize::from(self.bit_width).div_ceil(8);
        self.out
            .extend_from_slice(&self.current.to_le_bytes()[..bytes]);
        self.repeat_count = 0;
        self.num_buffered = 0;
    }
}

/// The bits an index below `count` takes (0 for a dictionary of one value).
pub(super) fn bit_width(count: usize) -> u8 {
    let max = count.saturating_sub(1) as u64;
    (64 - max.leading_zeros()) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference decoder of the hybrid encoding.
    fn decode(bit_width: u8, mut data: &[u8], count: usize) -> Vec<u32> {
        let mut values = Vec::new();
        while values.len() < count {
            let mut header = 0u64;
            let mut shift = 0;
            loop {
                let byte = data[0];
                data = &data[1..];
                header |= u64::from(byte & 0x7f) << shift;
                shift += 7;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            if header & 1 == 1 {
                let groups = (header >> 1) as usize;
                let bytes = groups * usize::from(bit_width);
                let (packed, rest) = data.split_at(bytes);
                data = rest;
                let mut acc = 0u64;
                let mut bits = 0;
                let mut packed = packed.iter();
                for _ in 0..groups * 8 {
                    while bits < u32::from(bit_width) {
                        acc |= u64::from(*packed.next().unwrap()) << bits;
                        bits += 8;
                    }
                    let mask = if bit_width == 0 {
                        0
                    } else {
                        u64::MAX >> (64 - bit_width)
                    };
                    values.push((acc & mask) as u32);
                    acc >>= bit_width;
                    bits -= u32::from(bit_width);
                }
            } else {
                let run = (header >> 1) as usize;
                let bytes = usize::from(bit_width).div_ceil(8);
                let mut value = [0u8; 4];
                value[..bytes].copy_from_slice(&data[..bytes]);
                data = &data[bytes..];
                values.extend(std::iter::repeat_n(u32::from_le_bytes(value), run));
            }
        }
        values.truncate(count);
        values
    }

    fn round_trip(bit_width: u8, values: &[u32]) {
        let mut encoder = RleEncoder::new(bit_width, Vec::new());
        for &v in values {
            encoder.put(v);
        }
        let out = encoder.finish();
        assert_eq!(
            decode(bit_width, &out, values.len()),
            values,
            "width {bit_width}"
        );
        // The same through runs.
        let mut encoder = RleEncoder::new(bit_width, Vec::new());
        let mut i = 0;
        while i < values.len() {
            let run = values[i..].iter().take_while(|&&v| v == values[i]).count();
            encoder.put_n(values[i], run);
            i += run;
        }
        assert_eq!(encoder.finish(), out, "put_n, width {bit_width}");
        // The same a slice at a time, cut anywhere.
        for cut in [1, 3, 8, 13, 64, usize::MAX] {
            let mut encoder = RleEncoder::new(bit_width, Vec::new());
            for part in values.chunks(cut.min(values.len().max(1))) {
                encoder.put_slice(part);
            }
            assert_eq!(
                encoder.finish(),
                out,
                "put_slice by {cut}, width {bit_width}"
            );
        }
    }

    #[test]
    fn runs_and_groups_decode_to_the_values() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for width in [0u8, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32] {
            let max = if width == 0 {
                0
            } else {
                u64::MAX >> (64 - width)
            };
            for len in [0usize, 1, 7, 8, 9, 16, 63, 64, 504, 505, 512, 1000, 5000] {
                let mut values = Vec::with_capacity(len);
                while values.len() < len {
                    let v = (next() & max) as u32;
                    let run = match next() % 4 {
                        0 => 1,
                        1 => (next() % 8) as usize,
                        2 => (next() % 40) as usize,
                        _ => (next() % 1000) as usize,
                    };
                    values.extend(std::iter::repeat_n(v, run.min(len - values.len())));
                }
                round_trip(width, &values);
            }
        }
    }

    #[test]
    fn bit_widths() {
        assert_eq!(bit_width(0), 0);
        assert_eq!(bit_width(1), 0);
        assert_eq!(bit_width(2), 1);
        assert_eq!(bit_width(3), 2);
        assert_eq!(bit_width(256), 8);
        assert_eq!(bit_width(257), 9);
    }
}
