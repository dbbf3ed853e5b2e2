//! Where JSON lines go: a file (`--output FILE`) or stdout, buffered.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::Context as _;

/// Opens `path` for writing (created or truncated), or stdout when `None`.
///
/// # Errors
/// The file cannot be created; the message names it.
pub fn open(path: Option<&Path>) -> anyhow::Result<Box<dyn Write + Send>> {
    Ok(match path {
        Some(p) => Box::new(BufWriter::new(File::create(p).with_context(|| {
            format!("creating the output file {} (--output)", p.display())
        })?)),
        None => Box::new(BufWriter::new(io::stdout())),
    })
}

/// Writes one JSON line.
///
/// # Errors
/// I/O errors (a closed pipe included).
pub fn line(out: &mut dyn Write, json: &str) -> io::Result<()> {
    out.write_all(json.as_bytes())?;
    out.write_all(b"\n")
}
