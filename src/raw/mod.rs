//! The raw layer: lines and field spans over `&[u8]`, with positions.
//!
//! Nothing here knows about Arrow or about a particular log format, and nothing allocates per
//! line: [`LineSplitter`] hands out lines that borrow the input chunk (copying only an
//! unterminated tail between chunks), and [`FieldCursor`] walks the separator-delimited fields
//! of one line as byte ranges.
//!
//! # Stability
//!
//! This layer is public and stable from 0.1 on, under semver like the rest of the API: a
//! caller may split lines with [`LineSplitter`] for a format of its own, and [`Span`] is what
//! [`crate::s3::S3Record::span`] returns. It is kept small on purpose: lines with positions,
//! and field spans; format rules live in the format modules.

mod fields;
mod lines;

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) use fields::matches16_and_high;
pub use fields::{FieldCursor, Span};
pub use lines::{Line, LineSplitter};
