//! Daily cost records per VM and usage type.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use time::{Date, Month, OffsetDateTime};

use super::money::{Money, mul_div_round};
use super::price_book::{PriceBook, Rate};
use crate::context::PrismCentral;
use crate::error::{Error, Result};
use crate::resource::PROVIDER;

const SECONDS_PER_DAY: i64 = 86_400;
const GIB: u128 = 1 << 30;
const MICRO: u128 = 1_000_000;

/// One provisioned disk of a VM, as the cost model sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DiskUsage {
    /// Provisioned size in bytes.
    pub size_bytes: u64,
    /// Storage container name (for tiers).
    pub storage_container: Option<String>,
    /// Flash mode (for tiers).
    pub flash_mode: Option<String>,
}

impl DiskUsage {
    /// A disk of `size_bytes` with optional tier attributes.
    pub fn new(
        size_bytes: u64,
        storage_container: Option<String>,
        flash_mode: Option<String>,
    ) -> Self {
        Self {
            size_bytes,
            storage_container,
            flash_mode,
        }
    }
}

/// What the cost model needs to know about one VM (built from a Prism VM by
/// [`crate::mapping::vm_usage`], or by hand).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VmUsage {
    /// VM UUID: the cost record's `resource`.
    pub vm_uuid: String,
    /// VM name.
    pub vm_name: Option<String>,
    /// Cluster UUID: the cost record's `region_code`.
    pub cluster_uuid: Option<String>,
    /// Cluster name.
    pub cluster_name: Option<String>,
    /// Project name.
    pub project: Option<String>,
    /// Current power state is not OFF (Prism keeps no history; see `docs/cost-model.md`).
    pub powered_on: bool,
    /// vCPUs (sockets × vCPUs per socket).
    pub vcpus: u32,
    /// Configured memory in bytes.
    pub memory_bytes: u64,
    /// Attached GPUs.
    pub gpus: u32,
    /// Disks of device type DISK.
    pub disks: Vec<DiskUsage>,
    /// Creation time; usage starts here (none: charged from the start of each day).
    pub created_at: Option<OffsetDateTime>,
    /// Categories as tags (multi-values joined).
    pub tags: BTreeMap<String, String>,
}

/// An inclusive range of UTC dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    start: Date,
    end: Date,
}

impl DateRange {
    /// `start..=end`.
    ///
    /// # Errors
    /// [`Error::InvalidRange`] when `end` is before `start`.
    pub fn new(start: Date, end: Date) -> Result<Self> {
        if end < start {
            return Err(Error::InvalidRange(format!(
                "end {end} is before start {start}"
            )));
        }
        Ok(Self { start, end })
    }

    /// Every day of one calendar month.
    ///
    /// # Errors
    /// [`Error::InvalidRange`] for a year out of range.
    pub fn month(year: i32, month: Month) -> Result<Self> {
        let start = Date::from_calendar_date(year, month, 1)
            .map_err(|e| Error::InvalidRange(format!("{year}-{month}: {e}")))?;
        let end = next_month_start(start)
            .and_then(Date::previous_day)
            .ok_or_else(|| Error::InvalidRange(format!("{year}-{month} is out of range")))?;
        Ok(Self { start, end })
    }

    /// First day.
    pub fn start(&self) -> Date {
        self.start
    }

    /// Last day (inclusive).
    pub fn end(&self) -> Date {
        self.end
    }

    fn days(self) -> impl Iterator<Item = Date> {
        let end = self.end;
        std::iter::successors(Some(self.start), move |d| {
            d.next_day().filter(|n| *n <= end)
        })
    }
}

/// One daily cost record, shaped like CloudForet's `CostInfo`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CostRecord {
    /// Cost of the day, exact to 10⁻⁶ of the currency.
    pub cost: Money,
    /// Usage of the day in `usage_unit` (rounded to 10⁻⁶).
    pub usage_quantity: f64,
    /// `vCPU-Hours`, `GiB-Hours` or `GPU-Hours`.
    pub usage_unit: &'static str,
    /// Always `nutanix`.
    pub provider: &'static str,
    /// Cluster UUID (the inventory region).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region_code: Option<String>,
    /// `Compute` or `Storage`.
    pub product: &'static str,
    /// `vcpu`, `memory`, `gpu`, `storage` or `storage.<tier>`.
    pub usage_type: String,
    /// VM UUID.
    pub resource: String,
    /// Prism categories (shared by every record of the VM).
    #[serde(skip_serializing_if = "no_tags", serialize_with = "shared")]
    pub tags: Arc<BTreeMap<String, String>>,
    /// Bounded context: `Prism Central`, `Cluster`, `Project`, `VM Name` (shared by every record
    /// of the VM).
    #[serde(serialize_with = "shared")]
    pub additional_info: Arc<BTreeMap<&'static str, String>>,
    /// Numeric extras summed monthly by CloudForet: `hours` charged that day.
    pub data: BTreeMap<&'static str, f64>,
    /// `YYYY-MM-DD`.
    pub billed_date: String,
}

fn no_tags(tags: &Arc<BTreeMap<String, String>>) -> bool {
    tags.is_empty()
}

/// Serialises the shared value itself (serde's `rc` feature is not enabled).
fn shared<T: Serialize, S: serde::Serializer>(
    value: &Arc<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    T::serialize(value, serializer)
}

/// One priced quantity of a VM (a usage type).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Series {
    usage_type: String,
    product: &'static str,
    unit: &'static str,
    /// quantity = qn / qd units
    qn: u64,
    qd: u128,
    rate: Rate,
}

impl Series {
    /// Numerator and denominator of the cost in micro-units per second of use.
    fn cost_fraction(&self) -> (u128, u128) {
        let a = u128::from(self.qn) * u128::from(self.rate.price.pico());
        // pico -> micro is ÷ 10⁶; per hour -> per second is ÷ 3600; per period of `hours`.
        let d = self.qd * 3600 * u128::from(self.rate.hours) * MICRO;
        (a, d)
    }

    fn cost_micros(&self, seconds: i64) -> u128 {
        let (a, d) = self.cost_fraction();
        let secs = u128::try_from(seconds.max(0)).unwrap_or(0);
        // Cannot overflow: a < 2¹²⁸/2⁴, d < 2⁷⁵, secs < 2³²; see `mul_div_round`.
        mul_div_round(a, secs, d).unwrap_or(u128::MAX)
    }

    fn quantity(&self, seconds: i64) -> f64 {
        let secs = u128::try_from(seconds.max(0)).unwrap_or(0);
        let micro = mul_div_round(u128::from(self.qn) * MICRO, secs, self.qd * 3600).unwrap_or(0);
        micro as f64 / 1e6
    }
}

/// The cost model: a price book, the Prism Central identity and the instant of evaluation.
///
/// Pure: the caller supplies `as_of` (normally "now"); nothing after it is charged.
#[derive(Debug, Clone)]
pub struct CostModel<'a> {
    book: &'a PriceBook,
    pc: &'a PrismCentral,
    as_of: OffsetDateTime,
}

impl<'a> CostModel<'a> {
    /// A model evaluating usage up to `as_of`.
    pub fn new(book: &'a PriceBook, pc: &'a PrismCentral, as_of: OffsetDateTime) -> Self {
        Self { book, pc, as_of }
    }

    fn series(&self, vm: &VmUsage) -> Vec<Series> {
        let mut out = Vec::new();
        let compute = vm.powered_on || self.book.charge_powered_off_compute;
        let mut push = |usage_type: String, product, unit, qn: u64, qd: u128, rate| {
            if qn > 0 {
                out.push(Series {
                    usage_type,
                    product,
                    unit,
                    qn,
                    qd,
                    rate,
                });
            }
        };
        if compute {
            push(
                "vcpu".into(),
                "Compute",
                "vCPU-Hours",
                u64::from(vm.vcpus),
                1,
                self.book.vcpu,
            );
            push(
                "memory".into(),
                "Compute",
                "GiB-Hours",
                vm.memory_bytes,
                GIB,
                self.book.memory_gib,
            );
            push(
                "gpu".into(),
                "Compute",
                "GPU-Hours",
                u64::from(vm.gpus),
                1,
                self.book.gpu,
            );
        }
        // Disks grouped by tier: default tier first, then tiers by name.
        let mut tiers: BTreeMap<Option<&str>, (u64, Rate)> = BTreeMap::new();
        for disk in &vm.disks {
            let (tier, rate) = self.book.storage_rate_for(
                disk.storage_container.as_deref(),
                disk.flash_mode.as_deref(),
            );
            let entry = tiers.entry(tier).or_insert((0, rate));
            entry.0 = entry.0.saturating_add(disk.size_bytes);
        }
        for (tier, (bytes, rate)) in tiers {
            let usage_type = tier.map_or_else(|| "storage".to_owned(), |t| format!("storage.{t}"));
            push(usage_type, "Storage", "GiB-Hours", bytes, GIB, rate);
        }
        out
    }

    /// Seconds of use between two unix instants, clipped to creation and `as_of`.
    fn used_seconds(&self, vm: &VmUsage, from: i64, to: i64) -> i64 {
        let from = vm.created_at.map_or(from, |c| from.max(c.unix_timestamp()));
        let to = to.min(self.as_of.unix_timestamp());
        (to - from).max(0)
    }

    /// Daily records of one VM for `range`, day by day, usage types in a fixed order.
    ///
    /// Rounding: within each calendar month, the cost up to the end of day *d* is rounded
    /// half-up to micro-units, and the record of day *d* is the difference of two such
    /// cumulative figures. The records of a month therefore sum exactly to
    /// [`Self::monthly_totals`], each record is within one micro-unit of its exact value, and a
    /// day's record does not depend on the requested range.
    pub fn daily(&self, vm: &VmUsage, range: DateRange) -> Vec<CostRecord> {
        let series = self.series(vm);
        if series.is_empty() || vm.vm_uuid.trim().is_empty() {
            return Vec::new();
        }
        let info = Arc::new(self.additional_info(vm));
        let tags = Arc::new(vm.tags.clone());
        let region_code = vm.cluster_uuid.as_deref().filter(|c| !c.is_empty());
        let days = usize::try_from((range.end() - range.start()).whole_days() + 1).unwrap_or(0);
        let mut out = Vec::with_capacity(series.len().saturating_mul(days));
        for day in range.days() {
            let start = unix(day);
            let end = start + SECONDS_PER_DAY;
            let secs = self.used_seconds(vm, start, end);
            if secs == 0 {
                continue;
            }
            let month_start = unix(day.replace_day(1).unwrap_or(day));
            let before = self.used_seconds(vm, month_start, start);
            let through = before + secs;
            let date = billed_date(day);
            for s in &series {
                let micros = s.cost_micros(through) - s.cost_micros(before);
                out.push(CostRecord {
                    cost: Money::from_micros(u64::try_from(micros).unwrap_or(u64::MAX)),
                    usage_quantity: s.quantity(secs),
                    usage_unit: s.unit,
                    provider: PROVIDER,
                    region_code: region_code.map(str::to_owned),
                    product: s.product,
                    usage_type: s.usage_type.clone(),
                    resource: vm.vm_uuid.clone(),
                    tags: Arc::clone(&tags),
                    additional_info: Arc::clone(&info),
                    data: BTreeMap::from([("hours", secs as f64 / 3600.0)]),
                    billed_date: date.clone(),
                });
            }
        }
        out
    }

    /// Lazily yields the daily records of many VMs (one VM's records materialised at a time).
    pub fn daily_records<I>(
        &self,
        vms: I,
        range: DateRange,
    ) -> impl Iterator<Item = CostRecord> + use<'a, I>
    where
        I: IntoIterator<Item = VmUsage>,
    {
        let model = self.clone();
        vms.into_iter().flat_map(move |vm| model.daily(&vm, range))
    }

    /// The monthly figure per usage type: the exact cost of the month's use (up to `as_of`),
    /// rounded half-up to micro-units. Usage types with no use in the month are absent.
    ///
    /// # Errors
    /// [`Error::InvalidRange`] for a year out of range.
    pub fn monthly_totals(
        &self,
        vm: &VmUsage,
        year: i32,
        month: Month,
    ) -> Result<BTreeMap<String, Money>> {
        let range = DateRange::month(year, month)?;
        let start = unix(range.start());
        let end = unix(range.end()) + SECONDS_PER_DAY;
        let secs = self.used_seconds(vm, start, end);
        let mut out = BTreeMap::new();
        if secs == 0 || vm.vm_uuid.trim().is_empty() {
            return Ok(out);
        }
        for s in self.series(vm) {
            let micros = u64::try_from(s.cost_micros(secs)).unwrap_or(u64::MAX);
            out.insert(s.usage_type, Money::from_micros(micros));
        }
        Ok(out)
    }

    fn additional_info(&self, vm: &VmUsage) -> BTreeMap<&'static str, String> {
        let mut info = BTreeMap::new();
        let mut put = |k: &'static str, v: Option<&str>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                info.insert(k, v.to_owned());
            }
        };
        put("Prism Central", self.pc.account());
        put("Cluster", vm.cluster_name.as_deref());
        put("Project", vm.project.as_deref());
        put("VM Name", vm.vm_name.as_deref());
        info
    }
}

fn unix(day: Date) -> i64 {
    day.midnight().assume_utc().unix_timestamp()
}

fn next_month_start(d: Date) -> Option<Date> {
    let (y, m) = if d.month() == Month::December {
        (d.year() + 1, Month::January)
    } else {
        (d.year(), d.month().next())
    };
    Date::from_calendar_date(y, m, 1).ok()
}

/// `YYYY-MM-DD`, as `CostInfo.billed_date` requires.
pub fn billed_date(day: Date) -> String {
    let (year, month, dom) = (day.year(), u8::from(day.month()), day.day());
    match u16::try_from(year) {
        // the common case without the formatting machinery (once per day and VM)
        Ok(y) if y <= 9999 => {
            let digit = |n: u16| char::from(b'0' + (n % 10) as u8);
            let (m, d) = (u16::from(month), u16::from(dom));
            [
                digit(y / 1000),
                digit(y / 100),
                digit(y / 10),
                digit(y),
                '-',
                digit(m / 10),
                digit(m),
                '-',
                digit(d / 10),
                digit(d),
            ]
            .into_iter()
            .collect()
        }
        _ => format!("{year:04}-{month:02}-{dom:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn vm() -> VmUsage {
        VmUsage {
            vm_uuid: "vm-1".into(),
            vm_name: Some("web".into()),
            cluster_uuid: Some("c-1".into()),
            cluster_name: Some("pe1".into()),
            project: Some("_internal".into()),
            powered_on: true,
            vcpus: 4,
            memory_bytes: 16 << 30,
            gpus: 0,
            disks: vec![DiskUsage::new(100 << 30, None, None)],
            created_at: Some(datetime!(2025-06-07 18:00 UTC)),
            tags: BTreeMap::new(),
        }
    }

    fn pc() -> PrismCentral {
        PrismCentral::new("pc.example.com")
    }

    #[test]
    fn full_day_amounts_are_exact() {
        let book = PriceBook::default();
        let pc = pc();
        let m = CostModel::new(&book, &pc, datetime!(2025-07-01 00:00 UTC));
        let recs = m.daily(
            &vm(),
            DateRange::new(date!(2025 - 06 - 08), date!(2025 - 06 - 08)).unwrap(),
        );
        let by_type: BTreeMap<_, _> = recs.iter().map(|r| (r.usage_type.as_str(), r)).collect();
        // 4 vCPU × 24 h × 0.031611 = 3.034656
        assert_eq!(by_type["vcpu"].cost.to_string(), "3.034656");
        assert_eq!(by_type["vcpu"].usage_quantity, 96.0);
        // 16 GiB × 24 h × 0.004237 = 1.627008
        assert_eq!(by_type["memory"].cost.to_string(), "1.627008");
        // 100 GiB × 24 h × 0.04 / 730 = 0.131506849... ; cumulative rounding over the month
        assert_eq!(by_type["storage"].usage_quantity, 2400.0);
        assert!(["0.131506", "0.131507"].contains(&by_type["storage"].cost.to_string().as_str()));
        assert!(!by_type.contains_key("gpu"), "no GPUs, no gpu record");
        assert_eq!(by_type["vcpu"].billed_date, "2025-06-08");
        assert_eq!(by_type["vcpu"].region_code.as_deref(), Some("c-1"));
        assert_eq!(by_type["vcpu"].additional_info["Cluster"], "pe1");
    }

    #[test]
    fn creation_day_is_prorated_and_future_is_empty() {
        let book = PriceBook::default();
        let pc = pc();
        let as_of = datetime!(2025-06-09 12:00 UTC);
        let m = CostModel::new(&book, &pc, as_of);
        let recs = m.daily(
            &vm(),
            DateRange::new(date!(2025 - 06 - 01), date!(2025 - 06 - 30)).unwrap(),
        );
        let vcpu: Vec<_> = recs.iter().filter(|r| r.usage_type == "vcpu").collect();
        let days: Vec<_> = vcpu.iter().map(|r| r.billed_date.as_str()).collect();
        assert_eq!(days, ["2025-06-07", "2025-06-08", "2025-06-09"]);
        assert_eq!(vcpu[0].usage_quantity, 24.0); // 6 h × 4 vCPU
        assert_eq!(vcpu[2].usage_quantity, 48.0); // 12 h × 4 vCPU (as_of noon)
    }

    #[test]
    fn powered_off_vms_pay_storage_only_unless_configured() {
        let mut v = vm();
        v.powered_on = false;
        let pc = pc();
        let as_of = datetime!(2025-07-01 00:00 UTC);
        let range = DateRange::new(date!(2025 - 06 - 10), date!(2025 - 06 - 10)).unwrap();
        let book = PriceBook::default();
        let types: Vec<_> = CostModel::new(&book, &pc, as_of)
            .daily(&v, range)
            .into_iter()
            .map(|r| r.usage_type)
            .collect();
        assert_eq!(types, ["storage"]);
        let book = PriceBook {
            charge_powered_off_compute: true,
            ..PriceBook::default()
        };
        let types: Vec<_> = CostModel::new(&book, &pc, as_of)
            .daily(&v, range)
            .into_iter()
            .map(|r| r.usage_type)
            .collect();
        assert_eq!(types, ["vcpu", "memory", "storage"]);
    }

    #[test]
    fn month_sums_match_monthly_totals() {
        let book = PriceBook::default();
        let pc = pc();
        let m = CostModel::new(&book, &pc, datetime!(2025-08-01 00:00 UTC));
        let recs = m.daily(&vm(), DateRange::month(2025, Month::June).unwrap());
        let mut sums: BTreeMap<String, u64> = BTreeMap::new();
        for r in &recs {
            *sums.entry(r.usage_type.clone()).or_default() += r.cost.micros();
        }
        let totals = m.monthly_totals(&vm(), 2025, Month::June).unwrap();
        let totals: BTreeMap<String, u64> =
            totals.into_iter().map(|(k, v)| (k, v.micros())).collect();
        assert_eq!(sums, totals);
    }

    #[test]
    fn ranges_validate() {
        assert!(DateRange::new(date!(2025 - 06 - 02), date!(2025 - 06 - 01)).is_err());
        let feb = DateRange::month(2024, Month::February).unwrap();
        assert_eq!(feb.days().count(), 29);
        assert_eq!(
            DateRange::month(2025, Month::December).unwrap().end(),
            date!(2025 - 12 - 31)
        );
        assert_eq!(billed_date(date!(2025 - 01 - 05)), "2025-01-05");
        for (y, m, d) in [
            (0, 1, 1),
            (7, 2, 28),
            (999, 12, 31),
            (2024, 2, 29),
            (9999, 9, 9),
            (-1, 3, 4),
        ] {
            let day = Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap();
            let want = format!("{y:04}-{m:02}-{d:02}");
            assert_eq!(billed_date(day), want);
        }
    }
}
