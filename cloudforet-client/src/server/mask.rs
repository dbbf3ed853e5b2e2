//! Masking `secret_data` before a request is logged.
//!
//! CloudForet's Python plugins replace `secret_data` in their logs for `DataSource.verify`,
//! `Job.get_tasks`, `Cost.get_linked_accounts`, `Cost.get_data`, `Metric.list`,
//! `Metric.get_data`, `Log.list` (and the inventory `Collector.verify`/`collect`). This module
//! does the same for Rust plugins: every plugin request message with a `secret_data` field
//! implements [`SecretMasked`], and [`masked`] wraps a request for `Debug` logging.
//!
//! ```
//! use cloudforet_client::proto::spaceone::api::inventory::plugin::VerifyRequest;
//! use cloudforet_client::server::masked;
//! use prost_types::{Struct, Value, value::Kind};
//!
//! let mut secret = Struct::default();
//! secret.fields.insert(
//!     "password".into(),
//!     Value { kind: Some(Kind::StringValue("hunter2".into())) },
//! );
//! let req = VerifyRequest { options: None, secret_data: Some(secret) };
//! let text = format!("{:?}", masked(&req));
//! assert!(text.contains("password"));
//! assert!(!text.contains("hunter2"));
//! ```

use std::fmt;

use prost_types::value::Kind;
use prost_types::{Struct, Value};

use crate::proto::spaceone::api::{cost_analysis, inventory, monitoring};

/// What every masked value is replaced with.
pub const MASK: &str = "*****";

/// Returns a copy of `secret_data` with the same keys and every value replaced by [`MASK`]
/// (nested structs are masked key by key, so the shape stays visible for debugging).
pub fn mask_secret_data(secret_data: &Struct) -> Struct {
    Struct {
        fields: secret_data
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), mask_value(v)))
            .collect(),
    }
}

fn mask_value(value: &Value) -> Value {
    let kind = match &value.kind {
        Some(Kind::StructValue(s)) => Kind::StructValue(mask_secret_data(s)),
        _ => Kind::StringValue(MASK.to_owned()),
    };
    Value { kind: Some(kind) }
}

/// A request message whose secrets can be masked for logging.
pub trait SecretMasked {
    /// A copy of the message with `secret_data` masked ([`mask_secret_data`]).
    fn masked(&self) -> Self;
}

macro_rules! impl_secret_masked {
    ($($ty:path),* $(,)?) => {$(
        impl SecretMasked for $ty {
            fn masked(&self) -> Self {
                let mut copy = self.clone();
                copy.secret_data = copy.secret_data.as_ref().map(mask_secret_data);
                copy
            }
        }
    )*};
}

impl_secret_masked!(
    inventory::plugin::VerifyRequest,
    inventory::plugin::CollectRequest,
    inventory::plugin::GetTaskRequest,
    cost_analysis::plugin::PluginVerifyRequest,
    cost_analysis::plugin::GetTasksRequest,
    cost_analysis::plugin::GetLinkedAccountsRequest,
    cost_analysis::plugin::GetDataRequest,
    monitoring::plugin::PluginVerifyRequest,
    monitoring::plugin::MetricRequest,
    monitoring::plugin::MetricDataRequest,
    monitoring::plugin::LogRequest,
);

/// `Debug` wrapper that prints a request with its `secret_data` masked; see [`masked`].
pub struct Masked<'a, T>(&'a T);

/// Wraps `request` so that `{:?}` prints it with `secret_data` masked:
/// `tracing::debug!(request = ?masked(&req), "verify")`.
pub fn masked<T: SecretMasked + fmt::Debug>(request: &T) -> Masked<'_, T> {
    Masked(request)
}

impl<T: SecretMasked + fmt::Debug> fmt::Debug for Masked<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.masked(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value {
            kind: Some(Kind::StringValue(v.into())),
        }
    }

    fn secret() -> Struct {
        let mut inner = Struct::default();
        inner.fields.insert("token".into(), s("tok-secret"));
        let mut outer = Struct::default();
        outer.fields.insert("username".into(), s("admin"));
        outer.fields.insert("password".into(), s("pw-secret"));
        outer.fields.insert(
            "port".into(),
            Value {
                kind: Some(Kind::NumberValue(9440.0)),
            },
        );
        outer.fields.insert(
            "nested".into(),
            Value {
                kind: Some(Kind::StructValue(inner)),
            },
        );
        outer
    }

    #[test]
    fn masks_every_value_and_keeps_keys() {
        let m = mask_secret_data(&secret());
        assert_eq!(m.fields.len(), 4);
        for key in ["username", "password", "port"] {
            assert_eq!(m.fields[key], s(MASK), "{key}");
        }
        match &m.fields["nested"].kind {
            Some(Kind::StructValue(inner)) => assert_eq!(inner.fields["token"], s(MASK)),
            other => panic!("nested struct lost: {other:?}"),
        }
    }

    #[test]
    fn masked_debug_hides_secrets_but_not_options() {
        let mut options = Struct::default();
        options.fields.insert("region".into(), s("eu-1"));
        let req = cost_analysis::plugin::GetDataRequest {
            options: Some(options),
            secret_data: Some(secret()),
            schema: String::new(),
            task_options: None,
            domain_id: "domain-1".into(),
        };
        let text = format!("{:?}", masked(&req));
        assert!(!text.contains("pw-secret"), "{text}");
        assert!(!text.contains("tok-secret"), "{text}");
        assert!(!text.contains("admin"), "{text}");
        assert!(text.contains("eu-1"), "{text}");
        assert!(text.contains("domain-1"), "{text}");
        // The original is untouched.
        assert!(format!("{req:?}").contains("pw-secret"));
    }

    #[test]
    fn absent_secret_data_stays_absent() {
        let req = inventory::plugin::VerifyRequest {
            options: None,
            secret_data: None,
        };
        assert_eq!(req.masked(), req);
    }
}
