//! The lines of an input's first bytes, as format detection and header read-ahead see them.

/// A line of an input's first bytes, as detection and the header read-ahead see it.
pub(crate) enum HeadLine<'a> {
    /// Empty, or only spaces and tabs.
    Blank,
    /// A `#` line.
    Comment(&'a [u8]),
    /// Anything else.
    Data(&'a [u8]),
}

/// Classifies the line at 0-based `index`, without its `\r` and, on the first line, a UTF-8
/// byte order mark (as the decoder does).
pub(crate) fn head_line(index: usize, line: &[u8]) -> HeadLine<'_> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = match index {
        0 => line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line),
        _ => line,
    };
    if line.iter().all(|&b| b == b' ' || b == b'\t') {
        HeadLine::Blank
    } else if line.starts_with(b"#") {
        HeadLine::Comment(line)
    } else {
        HeadLine::Data(line)
    }
}
