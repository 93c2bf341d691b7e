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
mod head;
mod lines;
mod tabs;

pub(crate) use fields::find_byte;
pub use fields::{FieldCursor, Span};
pub(crate) use head::{HeadLine, head_line};
pub use lines::{Line, LineSplitter};
pub(crate) use tabs::{split_tabs, split_tabs_ascii};
