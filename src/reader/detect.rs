//! Format detection: what the first lines of an input tell ([`Format::detect`]).

use crate::error::{Error, ErrorKind, Result};
use crate::format::Format;
use crate::raw::{HeadLine, head_line};

impl Format {
    /// Detects the format from the first bytes of a (decompressed) input: the first non-empty
    /// line decides, after any `#` comment lines.
    ///
    /// * `#Version:` or `#Fields:` (or a `YYYY-MM-DD<tab>HH:MM:SS<tab>` data line): CloudFront
    ///   standard log;
    /// * epoch seconds (`1684226820.937`) followed by a tab: CloudFront real-time log (which
    ///   still needs its field list);
    /// * `owner bucket [dd/Mon/yyyy:HH:MM:SS +hhmm] ...`: S3 server access log.
    ///
    /// The three shapes exclude each other, so detection is never ambiguous.
    ///
    /// ```
    /// use aws_access_logs::Format;
    ///
    /// assert_eq!(Format::detect(b"#Version: 1.0\n#Fields: date time\n")?, Format::CloudFrontStandard);
    /// assert_eq!(Format::detect(b"1684226820.937\t192.0.2.1\t200\n")?, Format::CloudFrontRealtime);
    /// assert_eq!(
    ///     Format::detect(b"79a5 bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - ...")?,
    ///     Format::S3
    /// );
    /// let err = Format::detect(b"\nhello world\n").unwrap_err();
    /// assert!(err.to_string().contains("\"hello world\""));
    /// # Ok::<(), aws_access_logs::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownFormat`], quoting the line that was seen, when no format matches or
    /// there is no non-empty line.
    pub fn detect(head: &[u8]) -> Result<Format> {
        Format::detect_after(head, 0)
    }

    /// [`Format::detect`] of an input's bytes after its first `skipped` lines (blank lines
    /// that the read-ahead dropped): line numbers count them.
    pub(super) fn detect_after(head: &[u8], skipped: u64) -> Result<Format> {
        fn find(test: impl Fn(Format) -> bool) -> Option<Format> {
            Format::ALL.iter().copied().find(|&f| test(f))
        }
        for (index, line) in head.split(|&b| b == b'\n').enumerate() {
            let number = skipped as usize + index;
            let line = match head_line(number, line) {
                HeadLine::Blank => continue,
                HeadLine::Comment(c) => match find(|f| f.spec().detect_comment(c)) {
                    Some(format) => return Ok(format),
                    None => continue,
                },
                HeadLine::Data(line) => line,
            };
            if let Some(format) = find(|f| f.spec().detect(line)) {
                return Ok(format);
            }
            let shown: String = line.iter().take(120).copied().map(char::from).collect();
            let shown = shown.escape_debug();
            let ellipsis = if line.len() > 120 { "..." } else { "" };
            let shapes: Vec<&str> = Format::ALL.iter().map(|f| f.spec().shape()).collect();
            let expected = match shapes.split_last() {
                Some((last, [])) => last.to_string(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            };
            return Err(Error::new(ErrorKind::UnknownFormat).with_detail(format!(
                "cannot detect the log format from line {}: \"{shown}\"{ellipsis}; expected \
                 {expected}",
                number + 1
            )));
        }
        Err(Error::new(ErrorKind::UnknownFormat)
            .with_detail("cannot detect the log format: the input has no non-empty line"))
    }
}
