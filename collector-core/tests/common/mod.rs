//! Helpers shared by the integration tests: fixture loading and golden-file comparison.
#![allow(dead_code)]

use std::path::PathBuf;

use serde::de::DeserializeOwned;

/// The shared real Prism bodies: `$PRISM_FIXTURES_DIR`, else `<workspace>/../shared/fixtures/prism`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("PRISM_FIXTURES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/fixtures/prism"
            ))
        })
}

/// This crate's hand-written bodies.
pub fn own_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// Decodes a shared fixture.
pub fn shared<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&read(shared_dir().join(name))).unwrap()
}

/// Decodes one of this crate's fixtures.
pub fn own<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&read(own_dir().join(name))).unwrap()
}

/// Compares `value` (canonicalised, pretty-printed, trailing newline) byte-for-byte with
/// `tests/golden/<name>`. With `UPDATE_GOLDEN=1` the file is (re)written instead.
pub fn golden(name: &str, value: &serde_json::Value) {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden")).join(name);
    let mut text =
        serde_json::to_string_pretty(&collector_core::json::canonicalize(value.clone())).unwrap();
    text.push('\n');
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "missing golden file {} ({e}); run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if want != text {
        let line = want
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .map_or(0, |i| i + 1);
        panic!(
            "golden mismatch for {name} (first differing line {line}); review the change and rerun with UPDATE_GOLDEN=1\n--- got ---\n{text}"
        );
    }
}
