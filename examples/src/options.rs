//! Plugin options: the JSON schema CloudForet renders (`options_schema` of `init`) and the typed,
//! validated options every plugin reads.
//!
//! Keys (all optional; unknown keys are tolerated because CloudForet adds its own):
//!
//! | key | type | meaning |
//! |---|---|---|
//! | `kinds` | list of strings | entity kinds to collect: `vms`, `clusters`, `hosts`, `subnets`, `images`, `volume_groups` (default: all) |
//! | `page_size` | integer 1..=500 | entities per Prism list page |
//! | `concurrency` | integer 1..=16 | list page requests on the wire per kind |
//! | `list_sweeps` | integer 1..=5 | sweeps over each paged list (default 1); 2 or more re-lists so a VM shifted between pages by deletions during the collection is not missed (costs about twice the list requests; see `nutanix_prism::ListOptions::sweeps`) |
//! | `rate_limit` | number > 0 | client-side requests per second per Prism Central (default 20) |
//! | `split_by_cluster` | boolean | `Job.get_tasks` returns one task per cluster instead of per Prism Central |
//! | `price_book` | object | cost overrides, validated by [`collector_core::cost::PriceBook::from_options`] |
//! | `currency` | string | `USD`, `KRW` or `JPY`; must equal `price_book.currency` when both are given |
//! | `cost_lookback_months` | integer 0..=36 | months before the current one that the cost plugin collects on the first synchronisation (default 11: a year, CloudForet's daily-cost retention) |
//!
//! Numbers may also be given as numeric strings (CloudForet's console sends form values as
//! text). A wrong type or value gives `ERROR_INVALID_ARGUMENT` naming the key.

use cloudforet_client::server::PluginError;
use collector_core::cost::{Currency, PriceBook};
use prost_types::Struct;
use serde_json::{Value, json};

/// An entity kind the inventory collector can fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// VMs (VirtualMachine and Disk records).
    Vms,
    /// Prism Element clusters.
    Clusters,
    /// Hosts.
    Hosts,
    /// Subnets.
    Subnets,
    /// Images.
    Images,
    /// Volume groups.
    VolumeGroups,
}

impl Kind {
    /// Every kind, in a stable order.
    pub const ALL: [Kind; 6] = [
        Kind::Vms,
        Kind::Clusters,
        Kind::Hosts,
        Kind::Subnets,
        Kind::Images,
        Kind::VolumeGroups,
    ];

    /// The option spelling (`vms`, `volume_groups`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Vms => "vms",
            Kind::Clusters => "clusters",
            Kind::Hosts => "hosts",
            Kind::Subnets => "subnets",
            Kind::Images => "images",
            Kind::VolumeGroups => "volume_groups",
        }
    }

    /// Parses the option spelling (case-insensitive; `vm`, `volume-groups` and similar accepted).
    pub fn parse(s: &str) -> Option<Kind> {
        let norm = s.trim().to_ascii_lowercase().replace('-', "_");
        let norm = norm.strip_suffix('s').unwrap_or(&norm);
        Some(match norm {
            "vm" => Kind::Vms,
            "cluster" => Kind::Clusters,
            "host" => Kind::Hosts,
            "subnet" => Kind::Subnets,
            "image" => Kind::Images,
            "volume_group" => Kind::VolumeGroups,
            _ => return None,
        })
    }
}

/// Validated plugin options.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PluginOptions {
    /// Kinds to collect (sorted, de-duplicated, never empty).
    pub kinds: Vec<Kind>,
    /// Entities per page, when set.
    pub page_size: Option<u32>,
    /// Pages in flight per kind, when set.
    pub concurrency: Option<usize>,
    /// Maximum sweeps per paged list, when set.
    pub list_sweeps: Option<u32>,
    /// Requests per second per Prism Central, when set.
    pub rate_limit: Option<f64>,
    /// One `Job.get_tasks` task per cluster.
    pub split_by_cluster: bool,
    /// The price book (defaults when `price_book` is absent).
    pub price_book: PriceBook,
    /// The explicit top-level `currency`, when set.
    pub currency: Option<Currency>,
    /// Months of cost history on the first synchronisation, when set.
    pub cost_lookback_months: Option<u32>,
}

impl Default for PluginOptions {
    fn default() -> Self {
        Self {
            kinds: Kind::ALL.to_vec(),
            page_size: None,
            concurrency: None,
            list_sweeps: None,
            rate_limit: None,
            split_by_cluster: false,
            price_book: PriceBook::default(),
            currency: None,
            cost_lookback_months: None,
        }
    }
}

fn type_error(key: &str, expected: &str) -> PluginError {
    PluginError::invalid_argument(format!(
        "Parameter type is invalid. (key = {key}, type = {expected})"
    ))
}

fn invalid(key: &str, reason: impl std::fmt::Display) -> PluginError {
    PluginError::invalid_argument(format!(
        "Parameter is invalid. (key = {key}, reason = {reason})"
    ))
}

/// Longest key quoted in an error message, in characters.
const MAX_QUOTED_KEY: usize = 128;
/// Longest reason quoted in an error message, in characters.
const MAX_QUOTED_REASON: usize = 512;

/// `text` cut to `max` characters, with `…` when it was longer.
fn bounded(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
}

fn integer(v: &Value, key: &str, min: u64, max: u64) -> Result<u64, PluginError> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => return Err(type_error(key, "integer")),
    };
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(invalid(
            key,
            format!("must be an integer from {min} to {max}"),
        )),
    }
}

impl PluginOptions {
    /// Parses `options` as received in a request (`None` gives the defaults).
    ///
    /// # Errors
    /// As [`PluginOptions::from_json`].
    pub fn from_struct(options: Option<&Struct>) -> Result<Self, PluginError> {
        let json = options
            .map(cloudforet_client::value::struct_ref_to_json)
            .unwrap_or(Value::Null);
        Self::from_json(&json)
    }

    /// Parses options given as JSON (`null` gives the defaults).
    ///
    /// # Errors
    /// `ERROR_INVALID_ARGUMENT` naming the key of a wrong type or value.
    pub fn from_json(options: &Value) -> Result<Self, PluginError> {
        let map = match options {
            Value::Null => return Ok(Self::default()),
            Value::Object(m) => m,
            _ => return Err(type_error("options", "object")),
        };
        let mut out = Self::default();
        let get = |k: &str| map.get(k).filter(|v| !v.is_null());
        if let Some(v) = get("kinds") {
            let items = match v {
                Value::Array(items) => items.clone(),
                Value::String(s) => s
                    .split(',')
                    .filter(|p| !p.trim().is_empty())
                    .map(|p| Value::String(p.to_owned()))
                    .collect(),
                _ => return Err(type_error("kinds", "list of strings")),
            };
            let mut kinds = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let key = format!("kinds[{i}]");
                let s = item.as_str().ok_or_else(|| type_error(&key, "string"))?;
                kinds.push(Kind::parse(s).ok_or_else(|| {
                    invalid(
                        &key,
                        "must be one of vms, clusters, hosts, subnets, images, volume_groups",
                    )
                })?);
            }
            if kinds.is_empty() {
                return Err(invalid("kinds", "must name at least one kind"));
            }
            kinds.sort();
            kinds.dedup();
            out.kinds = kinds;
        }
        if let Some(v) = get("page_size") {
            out.page_size = Some(integer(v, "page_size", 1, 500)? as u32);
        }
        if let Some(v) = get("concurrency") {
            out.concurrency = Some(integer(v, "concurrency", 1, 16)? as usize);
        }
        if let Some(v) = get("list_sweeps") {
            out.list_sweeps = Some(integer(v, "list_sweeps", 1, 5)? as u32);
        }
        if let Some(v) = get("rate_limit") {
            let n = number(v).ok_or_else(|| type_error("rate_limit", "number"))?;
            if !(n.is_finite() && n > 0.0 && n <= 1000.0) {
                return Err(invalid(
                    "rate_limit",
                    "must be a number of requests per second above 0 and at most 1000",
                ));
            }
            out.rate_limit = Some(n);
        }
        if let Some(v) = get("split_by_cluster") {
            out.split_by_cluster = match v {
                Value::Bool(b) => *b,
                Value::String(s) if s.eq_ignore_ascii_case("true") => true,
                Value::String(s) if s.eq_ignore_ascii_case("false") => false,
                _ => return Err(type_error("split_by_cluster", "boolean")),
            };
        }
        out.price_book = PriceBook::from_options(options).map_err(|e| match e {
            // The key may be an unknown one taken from the input (`price_book.<anything>`):
            // quote a bounded prefix, or a huge key would break the gRPC status header.
            collector_core::Error::InvalidOption { key, reason } => invalid(
                &bounded(&key, MAX_QUOTED_KEY),
                bounded(&reason, MAX_QUOTED_REASON),
            ),
            other => PluginError::invalid_argument(bounded(&other.to_string(), MAX_QUOTED_REASON)),
        })?;
        if let Some(v) = get("currency") {
            let s = v.as_str().ok_or_else(|| type_error("currency", "string"))?;
            let c = Currency::parse(s)
                .ok_or_else(|| invalid("currency", "must be one of USD, KRW, JPY"))?;
            if c != out.price_book.currency {
                return Err(invalid(
                    "currency",
                    "differs from price_book.currency; set price_book.currency (with every price) to change the currency",
                ));
            }
            out.currency = Some(c);
        }
        if let Some(v) = get("cost_lookback_months") {
            out.cost_lookback_months = Some(integer(v, "cost_lookback_months", 0, 36)? as u32);
        }
        Ok(out)
    }

    /// Whether `kind` is to be collected.
    pub fn wants(&self, kind: Kind) -> bool {
        self.kinds.contains(&kind)
    }
}

/// The JSON schema of the options, returned as `options_schema` in `init` metadata.
pub fn options_schema() -> Value {
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    json!({
        "type": "object",
        "properties": {
            "kinds": {
                "title": "Kinds to collect",
                "type": "array",
                "items": {"type": "string", "enum": kinds},
                "default": kinds,
            },
            "page_size": {
                "title": "Page size",
                "type": "integer", "minimum": 1, "maximum": 500,
                "description": "Entities per Prism Central list page (Prism allows at most 500)",
            },
            "concurrency": {
                "title": "Concurrent pages",
                "type": "integer", "minimum": 1, "maximum": 16,
                "description": "List page requests on the wire per entity kind",
            },
            "list_sweeps": {
                "title": "List sweeps",
                "type": "integer", "minimum": 1, "maximum": 5, "default": 1,
                "description": "Sweeps over each list; 2 or more re-list so VMs shifted by deletions during the collection are not missed (about twice the requests)",
            },
            "rate_limit": {
                "title": "Rate limit (requests/s)",
                "type": "number", "exclusiveMinimum": 0, "maximum": 1000, "default": 20,
                "description": "Client-side requests per second per Prism Central (Prism Central allows 30 to 80)",
            },
            "split_by_cluster": {
                "title": "One task per cluster",
                "type": "boolean", "default": false,
            },
            "price_book": {
                "title": "Price book",
                "type": "object",
                "description": "Cost model overrides: currency, vcpu_hour, memory_gib_hour, storage_gib_month or storage_gib_hour, gpu_hour, charge_powered_off_compute, storage_tiers",
            },
            "currency": {
                "title": "Currency",
                "type": "string", "enum": ["USD", "KRW", "JPY"], "default": "USD",
            },
            "cost_lookback_months": {
                "title": "Cost history (months)",
                "type": "integer", "minimum": 0, "maximum": 36, "default": 11,
            },
        },
        "additionalProperties": true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudforet_client::error_code::ErrorCode;

    #[test]
    fn defaults_and_unknown_keys() {
        let o = PluginOptions::from_json(&json!({"whatever": 1, "kinds": null})).unwrap();
        assert_eq!(o.kinds, Kind::ALL.to_vec());
        assert!(o.page_size.is_none() && !o.split_by_cluster);
    }

    #[test]
    fn typed_values() {
        let o = PluginOptions::from_json(&json!({
            "kinds": ["VMs", "host", "vms"], "page_size": "100", "concurrency": 2, "list_sweeps": "3",
            "rate_limit": 5.5, "split_by_cluster": true, "currency": "usd",
            "cost_lookback_months": 6
        }))
        .unwrap();
        assert_eq!(o.kinds, vec![Kind::Vms, Kind::Hosts]);
        assert_eq!(o.page_size, Some(100));
        assert_eq!(o.concurrency, Some(2));
        assert_eq!(o.list_sweeps, Some(3));
        assert_eq!(o.rate_limit, Some(5.5));
        assert!(o.split_by_cluster);
        assert_eq!(o.currency, Some(Currency::Usd));
        assert_eq!(o.cost_lookback_months, Some(6));
    }

    #[test]
    fn error_table() {
        let cases = [
            (json!("x"), "key = options"),
            (json!({"kinds": 3}), "key = kinds"),
            (json!({"kinds": ["vms", "disks"]}), "key = kinds[1]"),
            (json!({"kinds": []}), "key = kinds"),
            (json!({"page_size": 0}), "key = page_size"),
            (json!({"page_size": true}), "key = page_size"),
            (json!({"concurrency": 99}), "key = concurrency"),
            (json!({"list_sweeps": 0}), "key = list_sweeps"),
            (json!({"rate_limit": -1}), "key = rate_limit"),
            (json!({"rate_limit": "fast"}), "key = rate_limit"),
            (json!({"split_by_cluster": 1}), "key = split_by_cluster"),
            (
                json!({"price_book": {"vcpu_hour": -1}}),
                "key = price_book.vcpu_hour",
            ),
            (json!({"currency": "EUR"}), "key = currency"),
            (json!({"currency": "KRW"}), "key = currency"),
            (
                json!({"cost_lookback_months": 37}),
                "key = cost_lookback_months",
            ),
        ];
        for (input, needle) in cases {
            let e = PluginOptions::from_json(&input).expect_err("must fail");
            assert_eq!(e.code(), &ErrorCode::InvalidArgument, "{input}: {e}");
            assert!(e.message().contains(needle), "{input}: {e}");
        }
    }

    #[test]
    fn schema_lists_every_kind() {
        let s = options_schema();
        let items = s["properties"]["kinds"]["items"]["enum"]
            .as_array()
            .unwrap();
        assert_eq!(items.len(), Kind::ALL.len());
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
    }
}
