//! Planning: the inputs listed from the arguments, and where each one's output goes (a file,
//! stdout, or files of the partitioned table), checked before anything is converted.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::args::{Args, usage};
use crate::inputs::{self, Input, InputError};
use crate::output::OutputFormat;
use crate::partitioned;
use crate::progress::{err_line, listing_bar};
use crate::run::{STOP, wait_if_interrupted};

/// Where one input's output goes.
#[derive(Debug, Clone)]
pub enum Target {
    File(PathBuf),
    Stdout,
    /// With --partition-by: the files of this name in the table under -o.
    Table(String),
}

/// The conversions to run: the inputs, each with its output.
pub struct Plan {
    pub inputs: Vec<Input>,
    /// The input arguments that could not be listed (each fails the run).
    pub listing_errors: Vec<InputError>,
    /// Per input, where its output goes.
    pub targets: Vec<Target>,
    /// `-o -`: every input into stdout.
    pub to_stdout: bool,
}

/// Lists the inputs and decides their outputs; a usage error exits with 2, and no input at all
/// with 1.
pub fn plan(args: &Args) -> Plan {
    let to_stdout = args.output.as_os_str() == "-";
    let partitioned = args.partition_by.is_some();
    let dir_output = !args.merge
        && !to_stdout
        && (partitioned
            || args.output.is_dir()
            || args
                .output
                .to_string_lossy()
                .ends_with(std::path::MAIN_SEPARATOR)
            || args.inputs.len() > 1
            || args.inputs.iter().any(|p| p.is_dir()));
    if dir_output && let Some(out_id) = inputs::path_id(&args.output) {
        for input in args.inputs.iter().filter(|p| p.is_dir()) {
            if inputs::path_id(input).as_ref() == Some(&out_id) {
                usage(format!(
                    "-o {} is the input directory {}: the outputs would be mixed with the logs; \
                     give another directory (one inside it is fine: it is not walked)",
                    args.output.display(),
                    input.display()
                ));
            }
        }
    }
    if !dir_output && !to_stdout && args.output.is_dir() {
        usage(format!(
            "-o {} is a directory: --merge writes one file, give -o FILE",
            args.output.display()
        ));
    }
    let skip = dir_output.then_some(args.output.as_path());
    let listing_bar = listing_bar(args);
    let listing = inputs::list_inputs(&args.inputs, skip, &STOP, |n| {
        listing_bar.set_position(n as u64)
    });
    listing_bar.finish_and_clear();
    wait_if_interrupted();
    let (inputs, listing_errors) = (listing.inputs, listing.errors);
    if !args.quiet {
        for note in &listing.notes {
            err_line(&format!("convert: note: {note}"));
        }
    }
    if inputs.is_empty() && listing_errors.is_empty() {
        // Converting nothing and exiting 0 would hide a wrong path or an empty backfill.
        err_line(&format!(
            "convert: error: no input files in {}{}",
            args.inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if listing.notes.is_empty() {
                ""
            } else {
                " (see the notes above for what was skipped)"
            }
        ));
        std::process::exit(1);
    }
    if to_stdout && !args.merge && inputs.len() + listing_errors.len() > 1 {
        usage("several inputs go to stdout (-o -) only with --merge");
    }
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        usage("stdin (-) can be given once");
    }
    let targets: Vec<Target> = if dir_output {
        let file_like = args
            .output
            .extension()
            .is_some_and(|e| ["parquet", "arrow", "jsonl"].iter().any(|x| e == *x));
        if (args.output.exists() && !args.output.is_dir()) || (!args.output.exists() && file_like) {
            usage(if partitioned {
                format!(
                    "-o {} names a file, but --partition-by writes a table: give -o DIR",
                    args.output.display()
                )
            } else {
                format!(
                    "-o {} names a file, but several inputs (or a directory) need -o DIR, or \
                     --merge",
                    args.output.display()
                )
            });
        }
        if !partitioned && inputs.iter().any(|i| i.path.is_none()) {
            usage("stdin (-) needs -o FILE (or --merge) to name its output");
        }
        if partitioned {
            partitioned::check_inputs_outside_the_table(&args.output, &inputs);
            let names: Vec<PathBuf> = inputs
                .iter()
                .map(|i| PathBuf::from(table_name(&i.relative)))
                .collect();
            if let Some((a, b)) = collision(&names) {
                usage(format!(
                    "{} and {} would both write the files {}.parquet of the table: convert them \
                     separately",
                    inputs[a].name,
                    inputs[b].name,
                    names[a].display()
                ));
            }
            names
                .into_iter()
                .map(|n| Target::Table(n.to_string_lossy().into_owned()))
                .collect()
        } else {
            let paths: Vec<PathBuf> = inputs
                .iter()
                .map(|i| {
                    args.output
                        .join(output_name(&i.relative, args.output_format.extension()))
                })
                .collect();
            if let Some((a, b)) = collision(&paths) {
                usage(format!(
                    "{} and {} would both write {}: convert them separately",
                    inputs[a].name,
                    inputs[b].name,
                    paths[a].display()
                ));
            }
            paths.into_iter().map(Target::File).collect()
        }
    } else {
        let target = if to_stdout {
            if std::io::stdout().is_terminal() && args.output_format != OutputFormat::Jsonl {
                usage(
                    "refusing to write binary output to a terminal: redirect stdout, or give -o FILE",
                );
            }
            Target::Stdout
        } else {
            Target::File(args.output.clone())
        };
        vec![target; inputs.len()]
    };
    check_outputs_are_not_inputs(args, &inputs, &targets);
    Plan {
        inputs,
        listing_errors,
        targets,
        to_stdout,
    }
}

/// Makes sure that no output (`-o`, `--rejects`, `--summary-json`) is an input or another
/// output: the same path, or the same file (device and inode) through a symlink or hard link.
/// Converting would replace the input, whatever `--force` says: a usage error.
fn check_outputs_are_not_inputs(args: &Args, inputs: &[Input], targets: &[Target]) {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut by_id: HashMap<inputs::FileId, &Input> = HashMap::new();
    let mut by_path: HashMap<PathBuf, &Input> = HashMap::new();
    for input in inputs {
        if let Some(id) = &input.id {
            by_id.entry(id.clone()).or_insert(input);
        }
        if let Some(path) = &input.path {
            by_path.entry(absolute(path)).or_insert(input);
        }
    }
    let input_at = |path: &Path| {
        inputs::path_id(path)
            .and_then(|id| by_id.get(&id))
            .or_else(|| by_path.get(&absolute(path)))
            .copied()
    };
    let name = |input: &Input| match input.path {
        Some(_) => input.name.clone(),
        None => "- (stdin)".to_string(),
    };
    let mut outputs: Vec<(String, &Path)> = Vec::new();
    let mut seen = HashSet::new();
    for target in targets {
        if let Target::File(path) = target
            && seen.insert(path)
        {
            let what = if path == &args.output {
                "-o".to_string()
            } else {
                "the output".to_string()
            };
            outputs.push((what, path));
        }
    }
    for (flag, path) in [
        ("--rejects", &args.rejects),
        ("--summary-json", &args.summary_json),
    ] {
        if let Some(path) = path {
            outputs.push((flag.to_string(), path));
        }
    }
    for (what, path) in &outputs {
        if let Some(input) = input_at(path) {
            usage(format!(
                "{what} {} is the input {}: it would be overwritten, whatever --force says; \
                 give another path",
                path.display(),
                name(input)
            ));
        }
    }
    // Nor is --rejects or --summary-json another output.
    let conversions = outputs.len()
        - usize::from(args.rejects.is_some())
        - usize::from(args.summary_json.is_some());
    for (i, (what, path)) in outputs.iter().enumerate().skip(conversions) {
        for (other, earlier) in &outputs[..i] {
            let same = absolute(path) == absolute(earlier)
                || inputs::path_id(path).is_some_and(|id| inputs::path_id(earlier) == Some(id));
            if same {
                usage(format!(
                    "{what} {} is also {other} {}: give another path",
                    path.display(),
                    earlier.display()
                ));
            }
        }
    }
}

/// `relative` with its log extensions replaced by `extension`: `.gz` is dropped, then `.log`,
/// `.txt` or `.tsv`; other dots are kept (CloudFront standard log names hold the distribution
/// and date with dots: `E2EXAMPLE.2019-12-04-21.d111111abcdef8.gz`).
pub fn output_name(relative: &Path, extension: &str) -> PathBuf {
    let mut name = relative
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for suffix in [".gz", ".gzip"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            name = stem.to_string();
            break;
        }
    }
    for suffix in [".log", ".txt", ".tsv"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            name = stem.to_string();
            break;
        }
    }
    if name.is_empty() {
        name = "output".into();
    }
    relative.with_file_name(format!("{name}.{extension}"))
}

/// The first pair of inputs (by index) that would write the same output.
pub fn collision(outputs: &[PathBuf]) -> Option<(usize, usize)> {
    let mut seen: HashMap<&Path, usize> = HashMap::new();
    for (i, out) in outputs.iter().enumerate() {
        if let Some(&j) = seen.get(out.as_path()) {
            return Some((j, i));
        }
        seen.insert(out, i);
    }
    None
}

/// Separator of the folders of an input's relative path in its table file name.
const TABLE_NAME_SEPARATOR: &str = "__";

/// The file name (without `.parquet`) of an input's files in a partitioned table: its path
/// relative to its argument (see [`Input::relative`]) with its log extensions dropped as in
/// [`output_name`], and its folders joined by `__` (`2019/02/a.log.gz` → `2019__02__a`). A name
/// that would start with `_` or `.`, which query engines skip as hidden, is prefixed with
/// `log`. Every partition of an input holds a file of this name, so a run over the same inputs
/// writes the same files again.
pub fn table_name(relative: &Path) -> String {
    let named = output_name(relative, "parquet");
    let mut parts: Vec<String> = named
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|c| !c.is_empty() && c != "." && c != "/")
        .collect();
    if let Some(last) = parts.last_mut()
        && let Some(stem) = last.strip_suffix(".parquet")
    {
        *last = stem.to_string();
    }
    let name = parts.join(TABLE_NAME_SEPARATOR);
    if name.starts_with(['_', '.']) || name.is_empty() {
        format!("log{name}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_are_flat_and_visible() {
        assert_eq!(table_name(Path::new("2019/02/a.log.gz")), "2019__02__a");
        assert_eq!(
            table_name(Path::new("E2EXAMPLE.2019-12-04-21.d111111abcdef8.gz")),
            "E2EXAMPLE.2019-12-04-21.d111111abcdef8"
        );
        assert_eq!(table_name(Path::new("stdin")), "stdin");
        assert_eq!(table_name(Path::new("_x.log")), "log_x");
        assert_eq!(table_name(Path::new(".x.log")), "log.x");
    }
}
