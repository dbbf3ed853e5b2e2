//! The collection plan: record order, failure isolation, regions.

mod common;

use collector_core::context::PrismCentral;
use collector_core::plan::CollectionPlan;
use futures::executor::block_on;
use futures::stream::{self, StreamExt};
use nutanix_prism::model::{Cluster, Host, ListResponse, Subnet, Vm};
use serde_json::Value;

fn pc() -> PrismCentral {
    PrismCentral::new("pc.example.com")
}

fn clusters() -> Vec<Cluster> {
    common::shared::<ListResponse<Cluster>>("pgc_clusters_list_response.json").entities
}

fn vms() -> Vec<Vm> {
    let mut v = common::shared::<ListResponse<Vm>>("pgc_vms_list_response.json").entities;
    v.push(common::own("vm_rich.json"));
    v
}

fn subnets() -> Vec<Subnet> {
    common::shared::<ListResponse<Subnet>>("pgc_subnets_list_response.json").entities
}

fn run(plan: CollectionPlan<'static>) -> Vec<Value> {
    block_on(plan.into_stream().map(|r| r.to_json().unwrap()).collect())
}

fn ok<T>(items: Vec<T>) -> impl futures::Stream<Item = Result<T, String>> + Send
where
    T: Send,
{
    stream::iter(items.into_iter().map(Ok))
}

fn kind_of(r: &Value) -> &str {
    r["resource_type"].as_str().unwrap()
}

#[test]
fn types_then_resources_then_regions() {
    let out = run(CollectionPlan::new(pc())
        .clusters(ok(clusters()))
        .vms(ok(vms()))
        .subnets(ok(subnets())));
    let order: Vec<&str> = out.iter().map(kind_of).collect();
    let first_service = order
        .iter()
        .position(|k| *k == "inventory.CloudService")
        .unwrap();
    let first_region = order.iter().position(|k| *k == "inventory.Region").unwrap();
    assert!(
        order[..first_service]
            .iter()
            .all(|k| *k == "inventory.CloudServiceType")
    );
    assert!(
        order[first_region..]
            .iter()
            .all(|k| *k == "inventory.Region"),
        "{order:?}"
    );
    let types: Vec<&str> = out
        .iter()
        .filter(|r| kind_of(r) == "inventory.CloudServiceType")
        .map(|r| r["resource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["VirtualMachine", "Disk", "Subnet", "Cluster"]);
    // the cluster record comes before any other resource (clusters are drained first)
    assert_eq!(
        out[first_service]["resource"]["cloud_service_type"],
        "Cluster"
    );
    assert!(out.iter().all(|r| r["state"] == "SUCCESS"));
    // 1 PE cluster + 2 VMs + 3 disks + 3 subnets
    assert_eq!(
        order
            .iter()
            .filter(|k| **k == "inventory.CloudService")
            .count(),
        1 + 2 + 3 + 3
    );
    // regions: the PE cluster of the list, plus the two clusters only the subnets reference
    // (the recorded cluster list was trimmed); sorted by code, named from list or references
    let regions: Vec<(&str, &str)> = out
        .iter()
        .filter(|r| kind_of(r) == "inventory.Region")
        .map(|r| {
            (
                r["resource"]["region_code"].as_str().unwrap(),
                r["resource"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        regions,
        [
            ("0005a220-027e-400b-7131-ac1f6bcd1533", "bowser"),
            ("0005b0f1-8f43-a0f2-02b7-3cecef193712", "ganon"),
            ("00061f7f-44f7-19dc-3be1-7cc25586ee44", "ncn-dev-sandbox"),
        ]
    );
    // the rich VM's reference has no cluster name; the plan fills it from the cluster list
    let rich = out
        .iter()
        .find(|r| r["resource"]["name"] == "pay-web-01")
        .unwrap();
    assert_eq!(rich["resource"]["data"]["cluster"]["name"], "ganon");
}

#[test]
fn a_failing_kind_yields_one_failure_and_the_others_continue() {
    let vms_then_error = stream::iter(vec![
        Ok(vms().remove(0)),
        Err("HTTP 500 from /vms/list"),
        Ok(vms().remove(1)),
    ]);
    let hosts_fail = stream::iter(vec![Err::<Host, _>("401 Unauthorized")]);
    let out = run(CollectionPlan::new(pc())
        .clusters(ok(clusters()))
        .vms(vms_then_error)
        .hosts(hosts_fail)
        .subnets(ok(subnets())));
    let failures: Vec<&Value> = out.iter().filter(|r| r["state"] == "FAILURE").collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    for f in &failures {
        assert_eq!(kind_of(f), "inventory.ErrorResource");
        assert_eq!(f["resource"]["provider"], "nutanix");
    }
    let vm_failure = failures
        .iter()
        .find(|f| f["resource"]["cloud_service_type"] == "VirtualMachine")
        .unwrap();
    let msg = vm_failure["message"].as_str().unwrap();
    assert!(
        msg.contains("vms") && msg.contains("HTTP 500") && msg.contains("pc.example.com"),
        "{msg}"
    );
    let host_failure = failures
        .iter()
        .find(|f| f["resource"]["cloud_service_type"] == "Host")
        .unwrap();
    assert!(host_failure["message"].as_str().unwrap().contains("401"));
    // the VM stream stops after its error: only the first VM (and its disk) made it
    let vm_names: Vec<&str> = out
        .iter()
        .filter(|r| {
            r["resource"]["cloud_service_type"] == "VirtualMachine" && r["state"] == "SUCCESS"
        })
        .map(|r| r["resource"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(vm_names, ["test-vm"]);
    // subnets still arrive, and regions are still last
    assert_eq!(
        out.iter()
            .filter(|r| r["resource"]["cloud_service_type"] == "Subnet")
            .count(),
        3
    );
    assert_eq!(kind_of(out.last().unwrap()), "inventory.Region");
}

#[test]
fn a_failing_cluster_list_still_gives_regions_from_references() {
    let out = run(CollectionPlan::new(pc())
        .clusters(stream::iter(vec![Err::<Cluster, _>("timeout")]))
        .vms(ok(vms())));
    let failure = out.iter().find(|r| r["state"] == "FAILURE").unwrap();
    assert_eq!(failure["resource"]["cloud_service_type"], "Cluster");
    let regions: Vec<(&str, &str)> = out
        .iter()
        .filter(|r| kind_of(r) == "inventory.Region")
        .map(|r| {
            (
                r["resource"]["region_code"].as_str().unwrap(),
                r["resource"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    // names come from the VMs' cluster references; without one the UUID is the name
    assert_eq!(
        regions,
        [
            (
                "0005b0f1-8f43-a0f2-02b7-3cecef193712",
                "0005b0f1-8f43-a0f2-02b7-3cecef193712"
            ),
            ("00061f7f-44f7-19dc-3be1-7cc25586ee44", "ncn-dev-sandbox"),
        ]
    );
}

#[test]
fn an_entity_without_uuid_becomes_a_failure_record() {
    let nameless: Vm =
        serde_json::from_value(serde_json::json!({"status": {"name": "ghost"}})).unwrap();
    let out = run(CollectionPlan::new(pc()).vms(ok(vec![nameless])));
    let failure = out.iter().find(|r| r["state"] == "FAILURE").unwrap();
    assert!(failure["message"].as_str().unwrap().contains("\"ghost\""));
    assert!(!out.iter().any(|r| kind_of(r) == "inventory.Region"));
}

#[test]
fn an_empty_plan_yields_nothing() {
    assert!(run(CollectionPlan::new(pc())).is_empty());
}
