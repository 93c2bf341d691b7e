//! What happened to each input: the summary table (stderr) and `--summary-json`.

use std::io::Write;

use aws_access_logs::Format;
use serde::Serialize;

use crate::partial::PartialFile;
use crate::progress::err_line;
use crate::run::{Ctx, Done};

/// How an input's conversion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Converted.
    Ok,
    /// Converted, with more rejected lines than `--max-reject-ratio` allows.
    RejectRatio,
    /// Failed (the error says why); nothing of it was written.
    Failed,
    /// Its output was written but holds only the rows before a read error (a truncated or
    /// corrupt gzip stream, an I/O error, the gzip ratio limit): the error says why, and a
    /// Parquet output records it under `aws_access_logs.incomplete` in its metadata.
    Incomplete,
    /// Not converted: `--fail-fast` stopped the run first.
    Skipped,
}

impl Status {
    /// Whether it makes the run fail (exit code 1).
    pub fn failed(self) -> bool {
        matches!(self, Status::Failed | Status::Incomplete | Status::Skipped)
    }
}

/// One input's figures.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    pub input: String,
    /// The output file (`null` for stdout, or when nothing was written); with
    /// `--partition-by`, the table folder of the input's format (`DIR/s3-access`).
    pub output: Option<String>,
    /// Output files written: 1, one per partition with `--partition-by`, 0 when nothing was
    /// written (or with `--merge` and stdout: see the total).
    pub files: u64,
    /// With `--partition-by`: every Parquet file written, in partition order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partition_files: Vec<String>,
    /// With `--partition-by`: the file of its rejected and repaired lines, when there were
    /// any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejects_file: Option<String>,
    pub status: Status,
    pub error: Option<String>,
    pub format: Option<Format>,
    pub gzip: bool,
    pub lines: u64,
    pub rows: u64,
    pub rejected: u64,
    pub repaired: u64,
    /// Blank and `#` comment lines.
    pub skipped_lines: u64,
    /// Bytes of the input as stored (compressed, for gzip).
    pub bytes_in: u64,
    /// Bytes of log text (decompressed).
    pub text_bytes: u64,
    /// Bytes of its output (`null` with `--merge` or stdout: see the total).
    pub bytes_out: Option<u64>,
    pub elapsed_s: f64,
}

impl InputReport {
    pub fn new(input: &str) -> Self {
        InputReport {
            input: input.to_string(),
            output: None,
            files: 0,
            partition_files: Vec::new(),
            rejects_file: None,
            status: Status::Ok,
            error: None,
            format: None,
            gzip: false,
            lines: 0,
            rows: 0,
            rejected: 0,
            repaired: 0,
            skipped_lines: 0,
            bytes_in: 0,
            text_bytes: 0,
            bytes_out: None,
            elapsed_s: 0.0,
        }
    }

    /// Rejected lines per data line (rows and rejected lines).
    pub fn reject_ratio(&self) -> f64 {
        let data = self.rows + self.rejected;
        if data == 0 {
            0.0
        } else {
            self.rejected as f64 / data as f64
        }
    }
}

/// The whole run, as written by `--summary-json`.
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub inputs: Vec<InputReport>,
    pub total: Total,
    pub threads: usize,
    /// `hour` or `day` with `--partition-by`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    pub exit_code: u8,
}

#[derive(Debug, Serialize)]
pub struct Total {
    pub inputs: usize,
    pub failed: usize,
    /// Output files written.
    pub files: u64,
    pub lines: u64,
    pub rows: u64,
    pub rejected: u64,
    pub repaired: u64,
    pub skipped_lines: u64,
    pub bytes_in: u64,
    pub text_bytes: u64,
    pub bytes_out: u64,
    /// `100 × (1 − bytes_out / bytes_in)`.
    pub reduction_pct: Option<f64>,
    pub mb_per_s: f64,
    pub elapsed_s: f64,
}

impl Total {
    /// `extra_files`: files written for no input in particular (the `--merge` output).
    pub fn new(inputs: &[InputReport], bytes_out: u64, extra_files: u64, elapsed_s: f64) -> Self {
        let sum = |f: fn(&InputReport) -> u64| inputs.iter().map(f).sum::<u64>();
        let bytes_in = sum(|r| r.bytes_in);
        Total {
            inputs: inputs.len(),
            failed: inputs.iter().filter(|r| r.status.failed()).count(),
            files: sum(|r| r.files) + extra_files,
            lines: sum(|r| r.lines),
            rows: sum(|r| r.rows),
            rejected: sum(|r| r.rejected),
            repaired: sum(|r| r.repaired),
            skipped_lines: sum(|r| r.skipped_lines),
            bytes_in,
            text_bytes: sum(|r| r.text_bytes),
            bytes_out,
            reduction_pct: reduction(bytes_in, Some(bytes_out)),
            mb_per_s: rate(bytes_in, elapsed_s),
            elapsed_s,
        }
    }
}

/// Prints the summary table (unless --quiet) and writes --summary-json; returns the exit
/// code: 1 if an input failed (or the summary could not be written), 3 if an input's rejects
/// exceeded --max-reject-ratio, 0 otherwise.
pub fn summarise(ctx: &Ctx, done: Done, threads: usize, to_stdout: bool) -> u8 {
    let Done {
        reports,
        merged_out,
        ..
    } = done;
    let failed = reports.iter().any(|r| r.status.failed());
    let over_ratio = reports.iter().any(|r| r.status == Status::RejectRatio);
    let code: u8 = if failed {
        1
    } else if over_ratio {
        3
    } else {
        0
    };
    let bytes_out = merged_out.unwrap_or_else(|| reports.iter().filter_map(|r| r.bytes_out).sum());
    let elapsed = ctx.started.elapsed().as_secs_f64();
    let merged_file = u64::from(merged_out.is_some() && !to_stdout);
    let total = Total::new(&reports, bytes_out, merged_file, elapsed);
    let run = RunReport {
        inputs: reports,
        total,
        threads,
        partition_by: ctx.args.partition_by.map(|g| g.to_string()),
        exit_code: code,
    };
    if !ctx.args.quiet {
        let _ = std::io::stderr().write_all(table(&run).as_bytes());
    }
    if let Some(path) = &ctx.args.summary_json {
        let json = serde_json::to_vec_pretty(&run).expect("the summary serializes");
        let written = PartialFile::create(path, ctx.args.force).and_then(|(partial, mut file)| {
            file.write_all(&json)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            drop(file);
            partial.commit(ctx.args.force)
        });
        if let Err(message) = written {
            err_line(&format!("convert: error: {message}"));
            return 1;
        }
    }
    code
}

pub fn reduction(bytes_in: u64, bytes_out: Option<u64>) -> Option<f64> {
    let out = bytes_out?;
    (bytes_in > 0).then(|| 100.0 * (1.0 - out as f64 / bytes_in as f64))
}

pub fn rate(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs.max(1e-6)
}

/// `1234567` → `1.23 MB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.2} {}", UNITS[unit])
    }
}

/// Most inputs listed one per row in the table; beyond, the total and the inputs that did not
/// end well (all are in `--summary-json`).
pub const TABLE_ROWS: usize = 50;

/// The summary table.
pub fn table(run: &RunReport) -> String {
    let mut header = vec![
        "input",
        "format",
        "rows",
        "rejected",
        "repaired",
        "bytes in",
        "bytes out",
        "reduction",
        "MB/s",
        "elapsed",
    ];
    // With --partition-by, the files written (one per partition) after the rows.
    let files = run.partition_by.is_some();
    if files {
        header.insert(3, "files");
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let listed: Vec<&InputReport> = if run.inputs.len() <= TABLE_ROWS {
        run.inputs.iter().collect()
    } else {
        run.inputs
            .iter()
            .filter(|r| r.status != Status::Ok)
            .take(TABLE_ROWS)
            .collect()
    };
    let pct = |p: Option<f64>| p.map_or("-".to_string(), |p| format!("{p:.1}%"));
    for r in &listed {
        let format = match r.status {
            Status::Failed => "FAILED".to_string(),
            Status::Incomplete => "INCOMPLETE".to_string(),
            Status::Skipped => "skipped".to_string(),
            _ => {
                r.format.map_or("", Format::name).to_string() + if r.gzip { " (gzip)" } else { "" }
            }
        };
        let mut row = vec![
            r.input.clone(),
            format,
            r.rows.to_string(),
            r.rejected.to_string(),
            r.repaired.to_string(),
            human(r.bytes_in),
            r.bytes_out.map_or("-".to_string(), human),
            pct(reduction(r.bytes_in, r.bytes_out)),
            format!("{:.1}", rate(r.bytes_in, r.elapsed_s)),
            format!("{:.2} s", r.elapsed_s),
        ];
        if files {
            row.insert(3, r.files.to_string());
        }
        rows.push(row);
    }
    let t = &run.total;
    let mut total = vec![
        format!(
            "total ({} input{}{})",
            t.inputs,
            if t.inputs == 1 { "" } else { "s" },
            if t.failed > 0 {
                format!(", {} failed", t.failed)
            } else {
                String::new()
            }
        ),
        String::new(),
        t.rows.to_string(),
        t.rejected.to_string(),
        t.repaired.to_string(),
        human(t.bytes_in),
        human(t.bytes_out),
        pct(t.reduction_pct),
        format!("{:.1}", t.mb_per_s),
        format!("{:.2} s", t.elapsed_s),
    ];
    if files {
        total.insert(3, t.files.to_string());
    }
    rows.push(total);
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w - cell.chars().count();
            if i > 0 {
                out.push_str("  ");
            }
            // Text left, figures right.
            if i < 2 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut out = line(&header);
    let total = rows.pop().unwrap_or_default();
    for row in &rows {
        out.push_str(&line(row));
    }
    if run.inputs.len() > TABLE_ROWS {
        out.push_str(&format!(
            "({} inputs: only those that did not end well are listed; --summary-json has all)\n",
            run.inputs.len()
        ));
    }
    out.push_str(&line(&total));
    out
}
