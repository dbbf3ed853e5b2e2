//! Arbitrary bytes as a Prism v3 error body: decoding may fail, never panic, and the helpers
//! used to build error messages must cope with whatever decoded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nutanix_prism::model::{ErrorResponse, SUMMARY_MAX_CHARS};

fuzz_target!(|data: &[u8]| {
    if let Ok(e) = serde_json::from_slice::<ErrorResponse>(data) {
        let _ = e.is_error();
        let _ = e.first_message();
        let _ = e.first_reason();
        let _ = e.first_details();
        let summary = e.summary();
        // The summary is bounded and single-line whatever the body holds.
        assert!(
            summary.chars().count() <= SUMMARY_MAX_CHARS,
            "{}",
            summary.len()
        );
        assert!(!summary.chars().any(char::is_control), "{summary:?}");
    }
});
