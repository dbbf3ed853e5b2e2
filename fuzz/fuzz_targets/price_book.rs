//! Arbitrary bytes as plugin options (JSON): `PriceBook::from_options` must accept, or refuse
//! with an error naming the option; never panic. An accepted book holds only prices that print
//! and parse back exactly, over hourly or monthly periods.
#![no_main]

use collector_core::cost::{HOURS_PER_MONTH, Price, PriceBook, Rate};
use libfuzzer_sys::fuzz_target;

fn check(rate: Rate) {
    assert!(rate.hours == 1 || rate.hours == HOURS_PER_MONTH, "{rate:?}");
    let text = rate.price.to_string();
    let back = Price::parse_decimal(&text, "k").expect("a parsed price prints parseably");
    assert_eq!(back, rate.price, "{text}");
}

fuzz_target!(|data: &[u8]| {
    let Ok(options) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    match PriceBook::from_options(&options) {
        Ok(book) => {
            for rate in [book.vcpu, book.memory_gib, book.storage_gib, book.gpu] {
                check(rate);
            }
            for tier in &book.storage_tiers {
                check(tier.rate);
            }
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains("options") || msg.contains("price_book"),
                "{msg}"
            );
        }
    }
});
