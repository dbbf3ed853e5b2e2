//! [`PriceBook`]: prices per resource unit, loadable from plugin options.

use serde::Serialize;
use serde_json::{Map, Value};

use super::money::{Currency, Price};
use crate::error::{Error, Result};

/// Hours in the billing month used to turn monthly prices into hourly ones (OpenCost's 730).
pub const HOURS_PER_MONTH: u32 = 730;

/// A price for one unit over a period of `hours` hours (1 for hourly prices, 730 for monthly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rate {
    /// The price per unit and period.
    #[serde(serialize_with = "ser_price")]
    pub price: Price,
    /// Length of the period in hours.
    pub hours: u32,
}

fn ser_price<S: serde::Serializer>(p: &Price, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&p.to_string())
}

impl Rate {
    /// An hourly rate.
    pub const fn hourly(price: Price) -> Self {
        Self { price, hours: 1 }
    }

    /// A monthly rate (per 730 hours).
    pub const fn monthly(price: Price) -> Self {
        Self {
            price,
            hours: HOURS_PER_MONTH,
        }
    }
}

/// Which disks a storage tier applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TierSelector {
    /// Disks in the storage container with this name (exact match).
    StorageContainer(String),
    /// Disks with this flash mode (`ENABLED`, `DISABLED`; case-insensitive).
    FlashMode(String),
}

/// A storage price for a subset of disks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct StorageTier {
    /// Tier name; becomes the usage type `storage.<name>`.
    pub name: String,
    /// Which disks belong to the tier.
    pub selector: TierSelector,
    /// Price per GiB and period.
    pub rate: Rate,
}

/// Prices of the cost model.
///
/// Defaults are OpenCost's shipped on-premises prices (USD): 0.031611 per vCPU-hour, 0.004237
/// per GiB-hour of memory, 0.04 per GiB-month of storage (÷ 730 per hour), 0.95 per GPU-hour;
/// powered-off VMs are not charged for compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PriceBook {
    /// Currency of every price and of the cost records.
    pub currency: Currency,
    /// Price per vCPU and hour.
    pub vcpu: Rate,
    /// Price per GiB of configured memory and hour.
    pub memory_gib: Rate,
    /// Default price per GiB of provisioned disk.
    pub storage_gib: Rate,
    /// Price per GPU and hour.
    pub gpu: Rate,
    /// Storage tiers, tried in order; the first match wins. Container tiers are meant to be
    /// listed before flash-mode tiers.
    pub storage_tiers: Vec<StorageTier>,
    /// Whether VMs that are powered off are charged for vCPU, memory and GPU.
    pub charge_powered_off_compute: bool,
}

impl Default for PriceBook {
    fn default() -> Self {
        Self {
            currency: Currency::Usd,
            vcpu: Rate::hourly(Price::from_pico(31_611_000_000)),
            memory_gib: Rate::hourly(Price::from_pico(4_237_000_000)),
            storage_gib: Rate::monthly(Price::from_pico(40_000_000_000)),
            gpu: Rate::hourly(Price::from_pico(950_000_000_000)),
            storage_tiers: Vec::new(),
            charge_powered_off_compute: false,
        }
    }
}

const ROOT: &str = "price_book";
const BOOK_KEYS: &[&str] = &[
    "currency",
    "vcpu_hour",
    "memory_gib_hour",
    "storage_gib_hour",
    "storage_gib_month",
    "gpu_hour",
    "storage_tiers",
    "charge_powered_off_compute",
];
const TIER_KEYS: &[&str] = &[
    "name",
    "storage_container",
    "flash_mode",
    "storage_gib_hour",
    "storage_gib_month",
];

impl PriceBook {
    /// Reads `options.price_book` of the plugin options; an absent `price_book` gives the
    /// defaults. Other option keys are ignored (CloudForet adds its own).
    ///
    /// Shape: `{"price_book": {"currency": "USD", "vcpu_hour": 0.031611, "memory_gib_hour":
    /// 0.004237, "storage_gib_month": 0.04 (or "storage_gib_hour"), "gpu_hour": 0.95,
    /// "charge_powered_off_compute": false, "storage_tiers": [{"name": "ssd", "flash_mode":
    /// "ENABLED" | "storage_container": "ctr-1", "storage_gib_month": 0.1}]}}`. Prices may be
    /// numbers or numeric strings. With a currency other than USD every price must be given
    /// (the defaults are USD amounts).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the bad key, e.g.
    /// `price_book.vcpu_hour must be a non-negative number`.
    pub fn from_options(options: &Value) -> Result<Self> {
        let book = match options {
            Value::Object(map) => map.get(ROOT),
            Value::Null => None,
            _ => return Err(Error::option("options", "must be an object")),
        };
        match book {
            None | Some(Value::Null) => Ok(Self::default()),
            Some(Value::Object(map)) => Self::from_map(map),
            Some(_) => Err(Error::option(ROOT, "must be an object")),
        }
    }

    fn from_map(map: &Map<String, Value>) -> Result<Self> {
        check_keys(map, BOOK_KEYS, ROOT)?;
        let mut book = Self::default();
        if let Some(v) = map.get("currency") {
            book.currency = v.as_str().and_then(Currency::parse).ok_or_else(|| {
                Error::option("price_book.currency", "must be one of USD, KRW, JPY")
            })?;
        }
        let explicit_all = book.currency == Currency::Usd;
        let price = |key: &str| -> Result<Option<Price>> {
            map.get(key)
                .map(|v| Price::from_json(v, &format!("{ROOT}.{key}")))
                .transpose()
        };
        let require = |key: &str, found: bool| -> Result<()> {
            if found || explicit_all {
                Ok(())
            } else {
                Err(Error::option(
                    format!("{ROOT}.{key}"),
                    format!(
                        "is required when price_book.currency is {} (the default prices are USD)",
                        book.currency
                    ),
                ))
            }
        };
        let vcpu = price("vcpu_hour")?;
        require("vcpu_hour", vcpu.is_some())?;
        if let Some(p) = vcpu {
            book.vcpu = Rate::hourly(p);
        }
        let mem = price("memory_gib_hour")?;
        require("memory_gib_hour", mem.is_some())?;
        if let Some(p) = mem {
            book.memory_gib = Rate::hourly(p);
        }
        let gpu = price("gpu_hour")?;
        require("gpu_hour", gpu.is_some())?;
        if let Some(p) = gpu {
            book.gpu = Rate::hourly(p);
        }
        let storage = storage_rate(map, ROOT)?;
        require("storage_gib_month", storage.is_some())?;
        if let Some(r) = storage {
            book.storage_gib = r;
        }
        if let Some(v) = map.get("charge_powered_off_compute") {
            book.charge_powered_off_compute = v.as_bool().ok_or_else(|| {
                Error::option(
                    "price_book.charge_powered_off_compute",
                    "must be true or false",
                )
            })?;
        }
        if let Some(v) = map.get("storage_tiers") {
            let list = v
                .as_array()
                .ok_or_else(|| Error::option("price_book.storage_tiers", "must be a list"))?;
            for (i, tier) in list.iter().enumerate() {
                book.storage_tiers
                    .push(parse_tier(tier, &format!("{ROOT}.storage_tiers[{i}]"))?);
            }
        }
        Ok(book)
    }

    /// The rate and usage-type suffix for a disk: the first matching tier, else the default.
    pub fn storage_rate_for(
        &self,
        container: Option<&str>,
        flash_mode: Option<&str>,
    ) -> (Option<&str>, Rate) {
        for tier in &self.storage_tiers {
            let hit = match &tier.selector {
                TierSelector::StorageContainer(name) => container == Some(name.as_str()),
                TierSelector::FlashMode(mode) => {
                    flash_mode.is_some_and(|m| m.eq_ignore_ascii_case(mode))
                }
            };
            if hit {
                return (Some(tier.name.as_str()), tier.rate);
            }
        }
        (None, self.storage_gib)
    }
}

fn check_keys(map: &Map<String, Value>, known: &[&str], path: &str) -> Result<()> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(Error::option(
            format!("{path}.{k}"),
            format!("is not a known key (known: {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn storage_rate(map: &Map<String, Value>, path: &str) -> Result<Option<Rate>> {
    let hour = map.get("storage_gib_hour");
    let month = map.get("storage_gib_month");
    match (hour, month) {
        (Some(_), Some(_)) => Err(Error::option(
            format!("{path}.storage_gib_hour"),
            "conflicts with storage_gib_month; give one of them",
        )),
        (Some(v), None) => Ok(Some(Rate::hourly(Price::from_json(
            v,
            &format!("{path}.storage_gib_hour"),
        )?))),
        (None, Some(v)) => Ok(Some(Rate::monthly(Price::from_json(
            v,
            &format!("{path}.storage_gib_month"),
        )?))),
        (None, None) => Ok(None),
    }
}

fn parse_tier(v: &Value, path: &str) -> Result<StorageTier> {
    let map = v
        .as_object()
        .ok_or_else(|| Error::option(path, "must be an object"))?;
    check_keys(map, TIER_KEYS, path)?;
    let name = map
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
        })
        .ok_or_else(|| {
            Error::option(
                format!("{path}.name"),
                "must be a non-empty name of letters, digits, - or _",
            )
        })?
        .to_owned();
    let text = |key: &str| -> Result<Option<String>> {
        match map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(Error::option(
                format!("{path}.{key}"),
                "must be a non-empty string",
            )),
        }
    };
    let selector = match (text("storage_container")?, text("flash_mode")?) {
        (Some(c), None) => TierSelector::StorageContainer(c),
        (None, Some(m)) => TierSelector::FlashMode(m),
        _ => {
            return Err(Error::option(
                path,
                "needs exactly one of storage_container or flash_mode",
            ));
        }
    };
    let rate = storage_rate(map, path)?.ok_or_else(|| {
        Error::option(
            format!("{path}.storage_gib_month"),
            "is required (or storage_gib_hour)",
        )
    })?;
    Ok(StorageTier {
        name,
        selector,
        rate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_opencost_prices() {
        let b = PriceBook::from_options(&json!({"other": 1})).unwrap();
        assert_eq!(b, PriceBook::default());
        assert_eq!(b.vcpu.price.to_string(), "0.031611");
        assert_eq!(b.memory_gib.price.to_string(), "0.004237");
        assert_eq!(
            (b.storage_gib.price.to_string(), b.storage_gib.hours),
            ("0.04".into(), 730)
        );
        assert_eq!(b.gpu.price.to_string(), "0.95");
        assert!(!b.charge_powered_off_compute);
        assert_eq!(PriceBook::from_options(&Value::Null).unwrap(), b);
    }

    #[test]
    fn full_book_parses() {
        let b = PriceBook::from_options(&json!({"price_book": {
        "currency": "krw", "vcpu_hour": 40, "memory_gib_hour": "5.5", "storage_gib_hour": 0.07,
        "gpu_hour": 1300, "charge_powered_off_compute": true,
        "storage_tiers": [
            {"name": "gold", "storage_container": "gold-ctr", "storage_gib_month": 100},
            {"name": "flash", "flash_mode": "ENABLED", "storage_gib_hour": 0.2}
        ]}}))
        .unwrap();
        assert_eq!(b.currency, Currency::Krw);
        assert_eq!(
            b.storage_gib,
            Rate::hourly(Price::parse_decimal("0.07", "k").unwrap())
        );
        assert!(b.charge_powered_off_compute);
        assert_eq!(
            b.storage_rate_for(Some("gold-ctr"), Some("ENABLED")).0,
            Some("gold")
        );
        assert_eq!(
            b.storage_rate_for(Some("x"), Some("enabled")).0,
            Some("flash")
        );
        assert_eq!(b.storage_rate_for(None, None), (None, b.storage_gib));
    }

    #[test]
    fn errors_name_the_bad_key() {
        let cases = [
            (
                json!({"price_book": {"vcpu_hour": -1}}),
                "price_book.vcpu_hour must be a non-negative number",
            ),
            (
                json!({"price_book": {"vcpu_hour": "x"}}),
                "price_book.vcpu_hour must be a non-negative number",
            ),
            (
                json!({"price_book": {"gpu_hour": null}}),
                "price_book.gpu_hour must be a non-negative number",
            ),
            (
                json!({"price_book": {"currency": "EUR"}}),
                "price_book.currency must be one of USD, KRW, JPY",
            ),
            (
                json!({"price_book": {"vcpu_hours": 1}}),
                "price_book.vcpu_hours is not a known key",
            ),
            (json!({"price_book": 3}), "price_book must be an object"),
            (
                json!({"price_book": {"charge_powered_off_compute": "yes"}}),
                "price_book.charge_powered_off_compute must be true or false",
            ),
            (
                json!({"price_book": {"storage_gib_hour": 1, "storage_gib_month": 1}}),
                "price_book.storage_gib_hour conflicts",
            ),
            (
                json!({"price_book": {"currency": "JPY", "vcpu_hour": 4}}),
                "price_book.memory_gib_hour is required when price_book.currency is JPY",
            ),
            (
                json!({"price_book": {"storage_tiers": [{"name": "a", "storage_gib_month": 1}]}}),
                "price_book.storage_tiers[0] needs exactly one of",
            ),
            (
                json!({"price_book": {"storage_tiers": [{"name": "", "flash_mode": "ENABLED", "storage_gib_month": 1}]}}),
                "price_book.storage_tiers[0].name must be",
            ),
            (
                json!({"price_book": {"storage_tiers": [{"name": "a", "flash_mode": "ENABLED"}]}}),
                "price_book.storage_tiers[0].storage_gib_month is required",
            ),
            (
                json!({"price_book": {"storage_tiers": [{"name": "a", "flash_mode": "ON", "storage_gib_month": -2}]}}),
                "price_book.storage_tiers[0].storage_gib_month must be a non-negative number",
            ),
            (
                json!({"price_book": {"storage_tiers": {}}}),
                "price_book.storage_tiers must be a list",
            ),
        ];
        for (options, want) in cases {
            let err = PriceBook::from_options(&options).unwrap_err().to_string();
            assert!(
                err.starts_with(want),
                "{options}: got {err:?}, want prefix {want:?}"
            );
        }
    }
}
