//! What the user sees while the converter runs: the progress bars and the lines on stderr;
//! and the reader that moves the bar as an input is read.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::Args;

/// Writes a line to stderr; a failing stderr (`2>/dev/full`, a closed pipe) is ignored: the
/// outputs, the summary JSON and the exit code still say what happened.
pub fn err_line(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(line.as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}

/// Counts the bytes read from an input (for the progress bar and the summary; a hidden bar for
/// a further pass over the same input).
pub struct Counting<R> {
    pub inner: R,
    pub count: Arc<AtomicU64>,
    pub progress: ProgressBar,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.progress.inc(n as u64);
        Ok(n)
    }
}

fn draw_target(args: &Args) -> ProgressDrawTarget {
    if args.quiet {
        ProgressDrawTarget::hidden()
    } else if args.progress {
        ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::stderr()), 4)
    } else {
        // Hidden unless stderr is a terminal.
        ProgressDrawTarget::stderr_with_hz(10)
    }
}

/// The spinner shown while the inputs are listed (a large tree, or a slow file system, can
/// take a while).
pub fn listing_bar(args: &Args) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, draw_target(args));
    if let Ok(style) = ProgressStyle::with_template("{spinner} listing the inputs: {pos} files") {
        bar.set_style(style);
    }
    bar.tick();
    bar
}

pub fn progress_bar(args: &Args, total: Option<u64>) -> ProgressBar {
    let target = draw_target(args);
    let (bar, template) = match total {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), target),
            "{spinner} {elapsed_precise} [{wide_bar}] {decimal_bytes}/{decimal_total_bytes} \
             {decimal_bytes_per_sec}, {msg}, ETA {eta}",
        ),
        None => (
            ProgressBar::with_draw_target(None, target),
            "{spinner} {elapsed_precise} {decimal_bytes} {decimal_bytes_per_sec}, {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message("0 rows/s");
    bar
}
