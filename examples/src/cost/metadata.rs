//! `DataSource.init` metadata of the cost data source (wire §5.2).

use collector_core::cost::PriceBook;
use serde_json::{Value, json};

/// The `additional_info` key of cost records that routing rules match on.
pub const ROUTING_KEY: &str = "additional_info.Project";

/// The metadata CloudForet stores when the data source is registered.
///
/// - `currency`: the price book's currency (`USD` unless `price_book.currency` says otherwise);
///   CloudForet reads it without a default (rule 14).
/// - `supported_secret_types`: `["MANUAL"]`: one secret holds the Prism Central credentials.
/// - `data_source_rules`: one MANAGED rule that assigns each cost record to the CloudForet
///   project whose **name** equals the record's Nutanix project (`additional_info.Project`,
///   filled from the VM's `project_reference`). Nutanix projects are the unit of ownership in
///   Prism Central (they scope VMs, quotas and users), so mirroring them as CloudForet projects
///   is the natural showback split; a record whose Nutanix project has no CloudForet twin
///   simply stays unassigned, and so do records of VMs without project (nothing to look up). `stop_processing` is false so that rules an administrator adds
///   still apply.
/// - `options_schema`: the JSON schema of the plugin options (shared with the other plugins).
pub fn init_metadata(book: &PriceBook, options_schema: Value) -> Value {
    json!({
        "currency": book.currency.code(),
        "supported_secret_types": ["MANUAL"],
        "data_source_rules": [{
            "name": "match_project_by_nutanix_project",
            "conditions": [],
            "conditions_policy": "ALWAYS",
            "actions": {"match_project": {"source": ROUTING_KEY, "target": "name"}},
            "options": {"stop_processing": false},
            "tags": {},
        }],
        "options_schema": options_schema,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_follows_the_price_book() {
        let usd = init_metadata(&PriceBook::default(), json!({"type": "object"}));
        assert_eq!(usd["currency"], "USD");
        assert_eq!(usd["supported_secret_types"], json!(["MANUAL"]));
        assert_eq!(usd["options_schema"]["type"], "object");
        let rule = &usd["data_source_rules"][0];
        assert_eq!(rule["actions"]["match_project"]["source"], ROUTING_KEY);
        let krw = PriceBook::from_options(&json!({"price_book": {
            "currency": "KRW", "vcpu_hour": 40, "memory_gib_hour": 5,
            "storage_gib_month": 50, "gpu_hour": 1200}}))
        .unwrap();
        assert_eq!(init_metadata(&krw, Value::Null)["currency"], "KRW");
    }
}
