//! Arbitrary secret data through the parser the three plugins use
//! (`examples::secret::SecretData::from_struct`, and `from_json` as the CLI does): as JSON text,
//! as a protobuf `Struct` (what CloudForet sends), and as a structured JSON value generated from
//! the bytes with secret-shaped keys.
//!
//! Before parsing, every non-blank string under a password or API key field (top level and in
//! each `prism_centrals[]` entry) is replaced by a marker. Checks: no panic; the `Struct` route
//! and the JSON route agree; an error is `ERROR_REQUIRED_PARAMETER` or `ERROR_INVALID_ARGUMENT`,
//! names a key, stays under 4 KB and never contains a marker (in its message, `Display`,
//! `Debug` or the gRPC status built from it); an accepted secret satisfies the documented
//! invariants and neither its `Debug` nor its labels contain a marker.
#![no_main]

#[path = "shared/json_gen.rs"]
mod json_gen;

use cloudforet_client::error_code::ErrorCode;
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use examples::secret::{Credentials, MAX_HOST_LEN, SecretData};
use libfuzzer_sys::arbitrary::{Result as ArbResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use prost::Message;
use prost_types::Struct;
use secrecy::ExposeSecret;
use serde_json::{Map, Value};

/// Prefix of the planted secrets; `MARKER<n>-<original text>`.
const MARKER: &str = "FzSecretMark";
/// Longest acceptable error message (the bad-input table's bound).
const MAX_MESSAGE: usize = 4096;

const SECRET_KEYS: &[&str] = &["password", "nutanix_password", "api_key", "nutanix_api_key"];
const KEYS: &[&str] = &[
    "host",
    "nutanix_host",
    "port",
    "nutanix_port",
    "username",
    "nutanix_username",
    "password",
    "nutanix_password",
    "api_key",
    "nutanix_api_key",
    "verify_ssl",
    "nutanix_verify_ssl",
    "ca_cert_pem",
    "prism_centrals",
];

fn generate(u: &mut Unstructured<'_>) -> ArbResult<Value> {
    if u.ratio(1u8, 16u8)? {
        return json_gen::value(u, KEYS, 0);
    }
    let mut top = json_gen::object(u, KEYS, 1)?;
    if u.ratio(1u8, 2u8)? {
        let n = u.int_in_range(0usize..=4)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(if u.ratio(7u8, 8u8)? {
                Value::Object(json_gen::object(u, KEYS, 2)?)
            } else {
                json_gen::value(u, KEYS, 2)?
            });
        }
        top.insert("prism_centrals".to_owned(), Value::Array(items));
    }
    Ok(Value::Object(top))
}

/// Replaces the secret strings of one entry by markers; returns how many were planted.
fn plant_entry(map: &mut Map<String, Value>, next: &mut usize) {
    for key in SECRET_KEYS {
        if let Some(Value::String(s)) = map.get_mut(*key)
            && !s.trim().is_empty()
        {
            *s = format!("{MARKER}{next}-{s}");
            *next += 1;
        }
    }
}

/// Plants markers in `input`; returns whether the leak checks are meaningful (the marker
/// occurs nowhere but in the planted secrets).
fn plant(input: &mut Value) -> bool {
    let mut without_secrets = input.clone();
    strip_secrets(&mut without_secrets);
    let clean = !without_secrets.to_string().contains(MARKER)
        && !without_secrets
            .as_object()
            .is_some_and(|m| m.keys().any(|k| k.contains(MARKER)));
    let mut next = 0;
    if let Value::Object(top) = input {
        plant_entry(top, &mut next);
        if let Some(Value::Array(items)) = top.get_mut("prism_centrals") {
            for item in items {
                if let Value::Object(m) = item {
                    plant_entry(m, &mut next);
                }
            }
        }
    }
    clean
}

fn strip_secrets(input: &mut Value) {
    if let Value::Object(top) = input {
        for key in SECRET_KEYS {
            top.remove(*key);
        }
        if let Some(Value::Array(items)) = top.get_mut("prism_centrals") {
            for item in items {
                if let Value::Object(m) = item {
                    for key in SECRET_KEYS {
                        m.remove(*key);
                    }
                }
            }
        }
    }
}

fn no_marker(text: &str, what: &str, leak_checks: bool) {
    if leak_checks {
        assert!(
            !text.contains(MARKER),
            "a secret leaked into {what}: {text}"
        );
    }
}

fn check_result(result: &Result<SecretData, cloudforet_client::server::PluginError>, leak: bool) {
    match result {
        Err(e) => {
            assert!(
                matches!(
                    e.code(),
                    ErrorCode::RequiredParameter | ErrorCode::InvalidArgument
                ),
                "unexpected code: {e}"
            );
            let msg = e.message();
            assert!(msg.contains("key = "), "the message names no key: {msg}");
            assert!(msg.len() <= MAX_MESSAGE, "message of {} bytes", msg.len());
            no_marker(msg, "the message", leak);
            no_marker(&e.to_string(), "Display", leak);
            no_marker(&format!("{e:?}"), "Debug", leak);
            let status = tonic::Status::from(e.clone());
            no_marker(status.message(), "the gRPC status", leak);
            no_marker(&format!("{status:?}"), "the gRPC status Debug", leak);
        }
        Ok(secret) => {
            assert!(!secret.prism_centrals.is_empty());
            no_marker(&format!("{secret:?}"), "Debug", leak);
            for (i, pc) in secret.prism_centrals.iter().enumerate() {
                assert_eq!(pc.index, i);
                assert!(
                    !pc.host.is_empty() && pc.host.len() <= MAX_HOST_LEN,
                    "{pc:?}"
                );
                assert!(!pc.host.chars().any(char::is_whitespace), "{pc:?}");
                assert!(pc.port != Some(0), "{pc:?}");
                if let Some(pem) = &pc.ca_cert_pem {
                    assert!(pem.contains("-----BEGIN CERTIFICATE-----"));
                }
                let _ = pc.is_plain_http();
                let endpoint = pc.endpoint();
                assert!(endpoint.len() <= pc.host.len() + 6, "{endpoint}");
                no_marker(&pc.address(), "the address", leak);
                no_marker(&pc.label(), "the label", leak);
                no_marker(
                    &format!("{:?}", pc.credentials),
                    "Debug of the credentials",
                    leak,
                );
                let secret_text = match &pc.credentials {
                    Credentials::Password { username, password } => {
                        assert!(!username.trim().is_empty());
                        password.expose_secret().to_owned()
                    }
                    Credentials::ApiKey(key) => key.expose_secret().to_owned(),
                    _ => String::new(),
                };
                assert!(!secret_text.trim().is_empty());
                if leak {
                    assert!(
                        secret_text.starts_with(MARKER),
                        "the secret was not planted"
                    );
                }
            }
        }
    }
}

fn check(mut input: Value) {
    let leak = plant(&mut input);
    let from_json = SecretData::from_json(&input);
    check_result(&from_json, leak);
    if let Ok(s) = json_to_struct(input.clone()) {
        // `json_to_struct` follows a documented number policy (integers beyond 2^53 become
        // decimal strings, integral doubles come back as integers): when the round trip
        // changes the document, the two routes read different documents and are not compared.
        let same_document = struct_ref_to_json(&s) == input;
        let from_struct = SecretData::from_struct(Some(&s));
        check_result(&from_struct, leak && same_document);
        match (&from_json, &from_struct) {
            _ if !same_document => {}
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
            (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{a} / {b}"),
            (a, b) => panic!("JSON and Struct routes disagree: {a:?} / {b:?}"),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<Value>(data) {
        check(v);
    }
    if let Ok(s) = Struct::decode(data) {
        // What a plugin does with the Struct it received: convert, then parse. The markers are
        // planted on the converted JSON, which is re-converted by `check`.
        check(struct_ref_to_json(&s));
    }
    let mut u = Unstructured::new(data);
    if let Ok(v) = generate(&mut u) {
        check(v);
    }
});
