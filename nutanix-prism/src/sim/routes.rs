//! Routes under `/api/nutanix/v3` and their answers, with Prism's list quirks.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use std::sync::Arc;

use super::churn::LiveSet;
use super::filter::Filter;
use super::fleet::vm::Scratch;
use super::fleet::{Catalog, Fleet};
use super::groups;
use super::handler::{PC_VERSION, Reply, State};
use super::json;
use super::rng::{Uuid, rfc3339, stream};

/// URL prefix of the v3 API.
pub(crate) const API_PREFIX: &str = "/api/nutanix/v3";

/// Entity kinds with a list endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Vms,
    Clusters,
    Hosts,
    Subnets,
    Images,
    VolumeGroups,
    Projects,
    CategoryKeys,
}

impl Kind {
    fn from_path(segment: &str) -> Option<Self> {
        Some(match segment {
            "vms" => Self::Vms,
            "clusters" => Self::Clusters,
            "hosts" => Self::Hosts,
            "subnets" => Self::Subnets,
            "images" => Self::Images,
            "volume_groups" => Self::VolumeGroups,
            "projects" => Self::Projects,
            "categories" => Self::CategoryKeys,
            _ => return None,
        })
    }

    /// The v3 `kind` string.
    fn kind(self) -> &'static str {
        match self {
            Self::Vms => "vm",
            Self::Clusters => "cluster",
            Self::Hosts => "host",
            Self::Subnets => "subnet",
            Self::Images => "image",
            Self::VolumeGroups => "volume_group",
            Self::Projects => "project",
            Self::CategoryKeys => "category",
        }
    }

    fn catalog(self, fleet: &Fleet) -> Option<&Catalog> {
        let c = &fleet.catalogs;
        Some(match self {
            Self::Vms => return None,
            Self::Clusters => &c.clusters,
            Self::Hosts => &c.hosts,
            Self::Subnets => &c.subnets,
            Self::Images => &c.images,
            Self::VolumeGroups => &c.volume_groups,
            Self::Projects => &c.projects,
            Self::CategoryKeys => &c.category_keys,
        })
    }
}

/// A classified request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    List(Kind),
    CategoryValues(String),
    Get(Kind, String),
    CategoryValue(String, String),
    UsersMe,
    PrismCentral,
    Groups,
    SimCounters,
    Other,
}

impl Route {
    /// Label used in the counters.
    pub(crate) fn endpoint(&self) -> &'static str {
        match self {
            Self::List(k) => match k {
                Kind::Vms => "POST /vms/list",
                Kind::Clusters => "POST /clusters/list",
                Kind::Hosts => "POST /hosts/list",
                Kind::Subnets => "POST /subnets/list",
                Kind::Images => "POST /images/list",
                Kind::VolumeGroups => "POST /volume_groups/list",
                Kind::Projects => "POST /projects/list",
                Kind::CategoryKeys => "POST /categories/list",
            },
            Self::CategoryValues(_) => "POST /categories/{name}/list",
            Self::Get(k, _) => match k {
                Kind::Vms => "GET /vms/{uuid}",
                Kind::Clusters => "GET /clusters/{uuid}",
                Kind::Hosts => "GET /hosts/{uuid}",
                Kind::Subnets => "GET /subnets/{uuid}",
                Kind::Images => "GET /images/{uuid}",
                Kind::VolumeGroups => "GET /volume_groups/{uuid}",
                Kind::Projects => "GET /projects/{uuid}",
                Kind::CategoryKeys => "GET /categories/{name}",
            },
            Self::CategoryValue(..) => "GET /categories/{name}/{value}",
            Self::UsersMe => "GET /users/me",
            Self::PrismCentral => "GET /prism_central",
            Self::Groups => "POST /groups",
            Self::SimCounters => "GET /sim/counters",
            Self::Other => "OTHER",
        }
    }
}

/// Classifies a request by method and path.
pub(crate) fn classify(method: &Method, path: &str) -> Route {
    if path == "/sim/counters" && method == Method::GET {
        return Route::SimCounters;
    }
    let Some(rest) = path.strip_prefix(API_PREFIX) else {
        return Route::Other;
    };
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let post = method == Method::POST;
    let get = method == Method::GET;
    match segments.as_slice() {
        ["groups"] if post => Route::Groups,
        ["users", "me"] if get => Route::UsersMe,
        ["prism_central"] if get => Route::PrismCentral,
        [kind, "list"] if post => Kind::from_path(kind).map_or(Route::Other, Route::List),
        ["categories", name, "list"] if post => Route::CategoryValues((*name).to_owned()),
        ["categories", name, value] if get => {
            Route::CategoryValue((*name).to_owned(), (*value).to_owned())
        }
        [kind, id] if get && !id.is_empty() => {
            Kind::from_path(kind).map_or(Route::Other, |k| Route::Get(k, (*id).to_owned()))
        }
        _ => Route::Other,
    }
}

/// Answers an authenticated request.
pub(crate) fn dispatch(state: &State, route: &Route, body: &[u8], now: u64) -> Reply {
    let fleet = &state.fleet;
    match route {
        Route::List(Kind::Vms) => list_vms(state, body),
        Route::List(kind) => match kind.catalog(fleet) {
            Some(catalog) => list_catalog(state, *kind, kind.kind(), catalog, body),
            None => not_found(kind.kind(), "unknown kind"),
        },
        Route::CategoryValues(name) => match fleet.catalogs.category_values.get(name) {
            Some(catalog) => list_catalog(state, Kind::CategoryKeys, "category", catalog, body),
            None => not_found("category", &format!("Category {name} does not exist.")),
        },
        Route::Get(Kind::Vms, uuid) => get_vm(state, uuid),
        Route::Get(kind, id) => {
            let item = kind
                .catalog(fleet)
                .and_then(|c| c.get(id).or_else(|| c.get(&id.to_ascii_lowercase())));
            match item {
                Some(item) if *kind == Kind::CategoryKeys => {
                    Reply::json(StatusCode::OK, item.json.clone())
                }
                Some(item) => Reply::json(StatusCode::OK, with_api_version(&item.json)),
                None => not_found(
                    kind.kind(),
                    &format!("Entity {id} of kind {} does not exist.", kind.kind()),
                ),
            }
        }
        Route::CategoryValue(name, value) => {
            match fleet
                .catalogs
                .category_values
                .get(name)
                .and_then(|c| c.get(value))
            {
                Some(item) => Reply::json(StatusCode::OK, item.json.clone()),
                None => Reply::v3_error(
                    StatusCode::NOT_FOUND,
                    "category",
                    "CATEGORY_NAME_VALUE_MISMATCH",
                    &format!(
                        "Specified category value {value} with category name {name} doesn't exist."
                    ),
                ),
            }
        }
        Route::UsersMe => users_me(state),
        Route::PrismCentral => prism_central(fleet),
        Route::Groups => {
            let result = groups::handle(fleet, &state.live, body, now as i64);
            match result {
                Ok(text) => Reply::json(StatusCode::OK, text),
                Err((status, reason, message)) => Reply::v3_error(
                    StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    "groups",
                    reason,
                    &message,
                ),
            }
        }
        Route::SimCounters | Route::Other => Reply::v3_error(
            StatusCode::NOT_FOUND,
            "",
            "INVALID_REQUEST",
            "No such API path in the simulator (see docs/simulator.md for the supported endpoints).",
        ),
    }
}

fn not_found(kind: &str, message: &str) -> Reply {
    Reply::v3_error(StatusCode::NOT_FOUND, kind, "ENTITY_NOT_FOUND", message)
}

/// `{"api_version":"3.1",` + the entity object without its opening brace.
fn with_api_version(entity: &str) -> String {
    let mut out = String::with_capacity(entity.len() + 24);
    out.push_str(r#"{"api_version":"3.1","#);
    out.push_str(entity.strip_prefix('{').unwrap_or(entity));
    out
}

/// A parsed list request body.
#[derive(Debug, Default)]
struct ListParams {
    offset: usize,
    length: Option<usize>,
    filter: Option<String>,
    sort_attribute: Option<String>,
    sort_order: Option<String>,
}

fn parse_list(body: &[u8], kind: &str) -> Result<ListParams, Reply> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        body
    };
    let invalid = |message: &str| {
        Reply::v3_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            kind,
            "INVALID_REQUEST",
            message,
        )
    };
    let value: Value = serde_json::from_slice(body).map_err(|_| {
        Reply::v3_error(
            StatusCode::BAD_REQUEST,
            kind,
            "INVALID_REQUEST",
            "Request could not be processed.",
        )
    })?;
    let Value::Object(map) = value else {
        return Err(invalid("The list request body must be a JSON object."));
    };
    let mut params = ListParams::default();
    match map.get("offset") {
        None | Some(Value::Null) => {}
        Some(v) => {
            params.offset = v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| invalid("offset must be an integer >= 0."))?
        }
    }
    match map.get("length") {
        None | Some(Value::Null) => {}
        Some(v) => {
            params.length = Some(
                v.as_u64()
                    .filter(|&n| n >= 1)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| invalid("length must be an integer >= 1."))?,
            )
        }
    }
    let text = |key: &str| -> Result<Option<String>, Reply> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(invalid(&format!("{key} must be a string."))),
        }
    };
    params.filter = text("filter")?;
    params.sort_attribute = text("sort_attribute")?;
    params.sort_order = text("sort_order")?;
    if let Some(order) = &params.sort_order
        && !matches!(order.as_str(), "ASCENDING" | "DESCENDING")
    {
        return Err(invalid("sort_order must be ASCENDING or DESCENDING."));
    }
    Ok(params)
}

/// Which of Prism's paging quirks apply to a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Paging {
    /// Default length 20, silent clamp at the maximum page size.
    Paged,
    /// Every entity in one page, whatever the request says (`hosts/list`).
    Unpaged,
    /// Paged, but the response metadata carries neither `offset` nor `length` (`clusters/list`).
    PagedWithoutEcho,
}

fn write_metadata(
    out: &mut String,
    kind: &str,
    params: &ListParams,
    offset: usize,
    returned: usize,
    total: usize,
    paging: Paging,
) {
    out.push_str(r#"{"api_version":"3.1","metadata":{"#);
    json::field_str(out, "kind", kind);
    if paging != Paging::PagedWithoutEcho {
        if let Some(f) = &params.filter {
            json::field_str(out, "filter", f);
        }
        if let Some(s) = &params.sort_attribute {
            json::field_str(out, "sort_attribute", s);
        }
        if let Some(s) = &params.sort_order {
            json::field_str(out, "sort_order", s);
        }
        json::field_int(out, "offset", offset);
        json::field_int(out, "length", returned);
    }
    json::field_int(out, "total_matches", total);
    json::close(out, '}');
    out.push_str(r#","entities":["#);
}

fn page_bounds(state: &State, params: &ListParams, paging: Paging, total: usize) -> (usize, usize) {
    match paging {
        Paging::Unpaged => (0, total),
        _ => (
            params.offset,
            params.length.unwrap_or(20).min(state.max_page),
        ),
    }
}

fn list_catalog(
    state: &State,
    kind: Kind,
    kind_str: &str,
    catalog: &Catalog,
    body: &[u8],
) -> Reply {
    let params = match parse_list(body, kind_str) {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let paging = match kind {
        Kind::Hosts => Paging::Unpaged,
        Kind::Clusters => Paging::PagedWithoutEcho,
        _ => Paging::Paged,
    };
    // Prism ignores filters on clusters/list and hosts/list.
    let filter = match (&params.filter, paging) {
        (Some(text), Paging::Paged) => match Filter::parse(text) {
            Ok(f) => f,
            Err(message) => {
                return Reply::v3_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    kind_str,
                    "INVALID_REQUEST",
                    &message,
                );
            }
        },
        _ => Filter::default(),
    };
    let own_name = format!("{kind_str}_name");
    if let Some(bad) = filter.terms().find(|t| {
        !matches!(t.attribute.as_str(), "name" | "cluster_name") && t.attribute != own_name
    }) {
        let message = format!(
            "unsupported filter attribute `{}` for {kind_str}: use name, {own_name} or cluster_name",
            bad.attribute
        );
        return Reply::v3_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            kind_str,
            "INVALID_REQUEST",
            &message,
        );
    }
    let mut items: Vec<&super::fleet::Item> = catalog
        .items
        .iter()
        .filter(|item| {
            filter.matches(|a| match a {
                "cluster_name" => item.cluster_name.as_deref(),
                _ => Some(item.name.as_str()),
            })
        })
        .collect();
    if let Some(attribute) = &params.sort_attribute
        && (attribute == "name" || *attribute == own_name)
    {
        items.sort_by(|a, b| a.name.cmp(&b.name));
        if params.sort_order.as_deref() == Some("DESCENDING") {
            items.reverse();
        }
    }
    let total = items.len();
    let (offset, length) = page_bounds(state, &params, paging, total);
    let page: Vec<&super::fleet::Item> = items.into_iter().skip(offset).take(length).collect();
    let mut out = String::with_capacity(128 + page.iter().map(|i| i.json.len() + 1).sum::<usize>());
    write_metadata(
        &mut out,
        kind_str,
        &params,
        offset,
        page.len(),
        total,
        paging,
    );
    for item in &page {
        out.push_str(&item.json);
        out.push(',');
    }
    json::close(&mut out, ']');
    out.push('}');
    Reply::json(StatusCode::OK, out)
}

const VM_FILTER_ATTRIBUTES: &[&str] = &["vm_name", "power_state", "cluster_name", "host_name"];

fn list_vms(state: &State, body: &[u8]) -> Reply {
    let params = match parse_list(body, "vm") {
        Ok(p) => p,
        Err(reply) => return reply,
    };
    let filter = match params.filter.as_deref().map(Filter::parse).transpose() {
        Ok(f) => f.unwrap_or_default(),
        Err(message) => {
            return Reply::v3_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "vm",
                "INVALID_REQUEST",
                &message,
            );
        }
    };
    if let Some(bad) = filter
        .terms()
        .find(|t| !VM_FILTER_ATTRIBUTES.contains(&t.attribute.as_str()))
    {
        let message = format!(
            "unsupported filter attribute `{}` for vm: supported are {}",
            bad.attribute,
            VM_FILTER_ATTRIBUTES.join(", ")
        );
        return Reply::v3_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "vm",
            "INVALID_REQUEST",
            &message,
        );
    }
    let fleet = &state.fleet;
    let (offset, length) = page_bounds(state, &params, Paging::Paged, 0);
    let (indexes, total) = {
        let Ok(mut live) = state.live.lock() else {
            return Reply::v3_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "vm",
                "INTERNAL_ERROR",
                "simulator state poisoned",
            );
        };
        let sort_by_name = matches!(params.sort_attribute.as_deref(), Some("vm_name" | "name"));
        let descending = params.sort_order.as_deref() == Some("DESCENDING");
        let order = sort_by_name.then(|| sorted_by_name(state, &live));
        let result = if filter.is_empty() {
            let page = match &order {
                None => live.range(offset, length),
                Some(order) if descending => order
                    .iter()
                    .rev()
                    .skip(offset)
                    .take(length)
                    .copied()
                    .collect(),
                Some(order) => order.iter().skip(offset).take(length).copied().collect(),
            };
            (page, live.len())
        } else {
            let mut name = String::new();
            let mut total = 0usize;
            let mut page = Vec::new();
            let candidates: Box<dyn Iterator<Item = u32> + '_> = match &order {
                None => Box::new(live.iter()),
                Some(order) if descending => Box::new(order.iter().rev().copied()),
                Some(order) => Box::new(order.iter().copied()),
            };
            for index in candidates {
                let core = fleet.vm_core(index);
                name.clear();
                core.write_name(&mut name);
                let power = core.power.status_text();
                let cluster = fleet.clusters[core.cluster as usize].name.as_str();
                let host = fleet.hosts[core.host as usize].name.as_str();
                let hit = filter.matches(|a| match a {
                    "vm_name" => Some(name.as_str()),
                    "power_state" => Some(power),
                    "cluster_name" => Some(cluster),
                    "host_name" if core.power != super::fleet::vm::Power::Off => Some(host),
                    _ => None,
                });
                if hit {
                    if total >= offset && page.len() < length {
                        page.push(index);
                    }
                    total += 1;
                }
            }
            (page, total)
        };
        live.on_list_request(fleet.config.seed, state.churn.as_ref());
        result
    };
    let mut out = String::with_capacity(256 + indexes.len() * 6_400);
    write_metadata(
        &mut out,
        "vm",
        &params,
        offset,
        indexes.len(),
        total,
        Paging::Paged,
    );
    let mut scratch = Scratch::default();
    for &index in &indexes {
        fleet.write_vm(&mut out, index, &mut scratch);
        out.push(',');
    }
    json::close(&mut out, ']');
    out.push('}');
    Reply::json(StatusCode::OK, out)
}

/// Live VM indexes sorted by name, cached until the live set changes (a churn step).
fn sorted_by_name(state: &State, live: &LiveSet) -> Arc<Vec<u32>> {
    let generation = live.stats().0;
    if let Ok(cache) = state.vm_order.lock()
        && let Some((g, order)) = cache.as_ref()
        && *g == generation
    {
        return order.clone();
    }
    let mut named: Vec<(String, u32)> = live
        .iter()
        .map(|i| (state.fleet.vm_core(i).name(), i))
        .collect();
    named.sort_unstable();
    let order = Arc::new(named.into_iter().map(|(_, i)| i).collect::<Vec<u32>>());
    if let Ok(mut cache) = state.vm_order.lock() {
        *cache = Some((generation, order.clone()));
    }
    order
}

fn get_vm(state: &State, uuid: &str) -> Reply {
    let fleet = &state.fleet;
    let live = fleet
        .vm_index_of(uuid)
        .filter(|&i| state.live.lock().map(|l| l.contains(i)).unwrap_or(false));
    match live {
        Some(index) => {
            let mut entity = String::with_capacity(8_192);
            fleet.write_vm(&mut entity, index, &mut Scratch::default());
            Reply::json(StatusCode::OK, with_api_version(&entity))
        }
        None => not_found("vm", &format!("VM {uuid} does not exist.")),
    }
}

fn users_me(state: &State) -> Reply {
    let fleet = &state.fleet;
    let name = state.auth.username();
    let uuid = if name == "admin" {
        "00000000-0000-0000-0000-000000000000".to_owned()
    } else {
        let h = name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        Uuid::v4(fleet.config.seed, stream::USER, h).to_string()
    };
    let internal = &fleet.projects[0];
    let body = json!({
        "api_version": "3.1",
        "metadata": {
            "kind": "user",
            "uuid": uuid,
            "spec_version": 0,
            "spec_hash": "00000000000000000000000000000000000000000000000000",
            "categories": {},
            "categories_mapping": {},
            "creation_time": rfc3339(super::rng::FLEET_EPOCH),
            "last_update_time": rfc3339(super::rng::FLEET_EPOCH)
        },
        "spec": {"resources": {}},
        "status": {
            "name": name,
            "state": "COMPLETE",
            "resources": {
                "display_name": name,
                "user_type": "LOCAL",
                "access_control_policy_reference_list": [],
                "projects_reference_list": [{"kind": "project", "uuid": internal.uuid, "name": internal.name}],
                "resource_usage_summary": {"resource_domain": {"resources": []}}
            }
        }
    });
    Reply::json(StatusCode::OK, body.to_string())
}

fn prism_central(fleet: &Fleet) -> Reply {
    let first = &fleet.clusters[0];
    let subnet = fleet.vlan_subnets.first();
    let vm_list: Vec<Value> = (1..=3)
        .map(|n| {
            json!({
                "vm_name": format!("{}-pc-vm-{n}", first.name),
                "vm_uuid": Uuid::v4(fleet.config.seed, stream::CLUSTER, 1 << 40 | n).to_string(),
                "num_sockets": 10,
                "memory_size_bytes": 70_866_960_384_i64,
                "data_disk_size_bytes": 536_870_912_000_i64,
                "status": "NORMAL",
                "power_state": "ON",
                "container_uuid": fleet.cluster_containers(0).first().map(|c| c.uuid.clone()).unwrap_or_default(),
                "dns_server_ip_list": ["10.40.64.15"],
                "ntp_server_list": ["0.pool.ntp.org"],
                "nic_list": [{
                    "ip_list": [format!("10.39.0.{}", 13 + n)],
                    "network_configuration": {
                        "subnet_mask": "255.255.255.0",
                        "default_gateway": "10.39.0.1",
                        "network_uuid": subnet.map(|s| s.uuid.clone()).unwrap_or_default()
                    }
                }],
                "cluster_reference": {"kind": "cluster", "uuid": first.uuid}
            })
        })
        .collect();
    let body = json!({
        "resources": {
            "version": PC_VERSION,
            "pc_size": "kSmall",
            "type": "PC",
            "cluster_uuid": fleet.pc.uuid,
            "virtual_ip": "10.39.0.17",
            "should_auto_register": false,
            "is_registered_to_hosting_pe": true,
            "pc_vm_list": vm_list
        }
    });
    Reply::json(StatusCode::OK, body.to_string())
}
