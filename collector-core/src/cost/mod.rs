//! The cost model: a [`PriceBook`], exact [`Money`], and daily [`CostRecord`]s per VM.
//!
//! See `docs/cost-model.md` for the rules and assumptions.

mod daily;
mod money;
mod price_book;

pub use daily::{CostModel, CostRecord, DateRange, DiskUsage, VmUsage, billed_date};
pub use money::{Currency, MAX_PRICE_UNITS, Money, PRICE_SCALE_DIGITS, Price};
pub use price_book::{HOURS_PER_MONTH, PriceBook, Rate, StorageTier, TierSelector};
