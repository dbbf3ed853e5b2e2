//! `Job.get_tasks` and the `task_options` it hands to `collect`.
//!
//! One task per Prism Central: `{"prism_central": <index>}` (the 0-based position in the
//! secret). With the option `split_by_cluster`, one task per Prism Element cluster
//! `{"prism_central": <index>, "cluster_uuid": "<uuid>"}` plus one
//! `{"prism_central": <index>, "unclustered": true}` for records without a cluster; a Prism
//! Central whose clusters cannot be listed gets one whole task (its collect then reports the
//! failure as `FAILURE` records).
//!
//! `collect` accepts `prism_central` as the index or as the configured host.

use futures::TryStreamExt;
use serde_json::{Value, json};

use cloudforet_client::server::PluginError;

use crate::connect::build_client;
use crate::options::PluginOptions;
use crate::secret::{PrismCentralSecret, SecretData};

use super::pipeline::ClusterScope;

/// What one `collect` call covers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskSelection {
    /// Index of the Prism Central in the secret; `None` means all of them.
    pub prism_central: Option<usize>,
    /// Cluster restriction, when any.
    pub scope: Option<ClusterScope>,
}

fn invalid(key: &str, reason: &str) -> PluginError {
    PluginError::invalid_argument(format!(
        "Parameter is invalid. (key = task_options.{key}, reason = {reason})"
    ))
}

/// Reads `task_options` (`null` or `{}`: every Prism Central, no cluster restriction).
///
/// # Errors
/// `ERROR_INVALID_ARGUMENT` naming `task_options.<key>` for an unknown Prism Central or a
/// value of the wrong type.
pub fn parse_task_options(
    task_options: &Value,
    secret: &SecretData,
) -> Result<TaskSelection, PluginError> {
    let map = match task_options {
        Value::Null => {
            return Ok(TaskSelection {
                prism_central: None,
                scope: None,
            });
        }
        Value::Object(m) => m,
        _ => {
            return Err(PluginError::invalid_argument(
                "Parameter type is invalid. (key = task_options, type = object)",
            ));
        }
    };
    let count = secret.prism_centrals.len();
    let prism_central = match map.get("prism_central").filter(|v| !v.is_null()) {
        None => None,
        Some(Value::Number(n)) => match n.as_u64().and_then(|i| usize::try_from(i).ok()) {
            Some(i) if i < count => Some(i),
            _ => {
                return Err(invalid(
                    "prism_central",
                    &format!("no Prism Central with this index; the secret lists {count}"),
                ));
            }
        },
        Some(Value::String(s)) => {
            let found = secret.prism_centrals.iter().position(|pc| {
                pc.host.eq_ignore_ascii_case(s.trim())
                    || pc.address().eq_ignore_ascii_case(s.trim())
            });
            match found.or_else(|| s.trim().parse::<usize>().ok().filter(|i| *i < count)) {
                Some(i) => Some(i),
                None => {
                    return Err(invalid(
                        "prism_central",
                        "no Prism Central of the secret has this host",
                    ));
                }
            }
        }
        Some(_) => {
            return Err(PluginError::invalid_argument(
                "Parameter type is invalid. (key = task_options.prism_central, type = integer or string)",
            ));
        }
    };
    let scope = match (map.get("cluster_uuid"), map.get("unclustered")) {
        (Some(Value::String(u)), _) if !u.trim().is_empty() => {
            Some(ClusterScope::Cluster(u.trim().to_owned()))
        }
        (Some(Value::String(_)) | Some(Value::Null) | None, Some(Value::Bool(true))) => {
            Some(ClusterScope::Unclustered)
        }
        (
            Some(Value::String(_)) | Some(Value::Null) | None,
            Some(Value::Bool(false)) | Some(Value::Null) | None,
        ) => None,
        (Some(Value::String(_)) | Some(Value::Null) | None, Some(_)) => {
            return Err(PluginError::invalid_argument(
                "Parameter type is invalid. (key = task_options.unclustered, type = boolean)",
            ));
        }
        (Some(_), _) => {
            return Err(PluginError::invalid_argument(
                "Parameter type is invalid. (key = task_options.cluster_uuid, type = string)",
            ));
        }
    };
    if scope.is_some() && prism_central.is_none() && count > 1 {
        return Err(invalid(
            "prism_central",
            "required with cluster_uuid when the secret lists several Prism Centrals",
        ));
    }
    Ok(TaskSelection {
        prism_central,
        scope,
    })
}

async fn cluster_tasks(
    pc: &PrismCentralSecret,
    options: &PluginOptions,
    plugin: &'static str,
) -> Result<Vec<Value>, String> {
    let client = build_client(pc, options, plugin).map_err(|e| e.message().to_owned())?;
    let mut uuids: Vec<String> = client
        .clusters()
        .try_filter_map(|c| async move {
            Ok((!c.is_prism_central())
                .then(|| c.uuid().map(str::to_owned))
                .flatten()
                .filter(|u| !u.is_empty()))
        })
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    uuids.sort();
    uuids.dedup();
    let mut tasks: Vec<Value> = uuids
        .into_iter()
        .map(|u| json!({"prism_central": pc.index, "cluster_uuid": u}))
        .collect();
    tasks.push(json!({"prism_central": pc.index, "unclustered": true}));
    Ok(tasks)
}

/// The `task_options` of every task (see the module docs).
pub async fn task_options(
    secret: &SecretData,
    options: &PluginOptions,
    plugin: &'static str,
) -> Vec<Value> {
    let mut out = Vec::new();
    for pc in &secret.prism_centrals {
        if options.split_by_cluster {
            match cluster_tasks(pc, options, plugin).await {
                Ok(tasks) => {
                    out.extend(tasks);
                    continue;
                }
                Err(e) => tracing::warn!(
                    prism_central = %pc.address(),
                    error = %e,
                    "cannot list clusters to split tasks; one task for the whole Prism Central"
                ),
            }
        }
        out.push(json!({"prism_central": pc.index}));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretData {
        SecretData::from_json(&json!({"prism_centrals": [
            {"host": "pc1", "api_key": "k"}, {"host": "https://pc2:9441", "api_key": "k"}
        ]}))
        .unwrap()
    }

    #[test]
    fn parses_task_options() {
        let s = secret();
        assert_eq!(
            parse_task_options(&Value::Null, &s).unwrap().prism_central,
            None
        );
        assert_eq!(
            parse_task_options(&json!({"prism_central": 1}), &s)
                .unwrap()
                .prism_central,
            Some(1)
        );
        assert_eq!(
            parse_task_options(&json!({"prism_central": "pc2:9441"}), &s)
                .unwrap()
                .prism_central,
            Some(1)
        );
        assert_eq!(
            parse_task_options(&json!({"prism_central": "pc1"}), &s)
                .unwrap()
                .prism_central,
            Some(0)
        );
        let sel =
            parse_task_options(&json!({"prism_central": 0, "cluster_uuid": "c"}), &s).unwrap();
        assert_eq!(sel.scope, Some(ClusterScope::Cluster("c".into())));
        let sel =
            parse_task_options(&json!({"prism_central": 0, "unclustered": true}), &s).unwrap();
        assert_eq!(sel.scope, Some(ClusterScope::Unclustered));
        for bad in [
            json!({"prism_central": 2}),
            json!({"prism_central": "pc3"}),
            json!({"prism_central": true}),
            json!({"prism_central": 0, "cluster_uuid": 5}),
            json!({"cluster_uuid": "c"}),
            json!([1]),
        ] {
            let e = parse_task_options(&bad, &s).expect_err("must fail");
            assert!(e.message().contains("task_options"), "{bad}: {e}");
        }
    }
}
