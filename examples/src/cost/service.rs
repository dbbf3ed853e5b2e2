//! The tonic services of the cost data source: [`CostPlugin`] implements `DataSource`, `Job`
//! and `Cost`; [`CostPlugin::add_to`] registers the three on a plugin server.

use std::pin::Pin;
use std::sync::Arc;

use cloudforet_client::proto::spaceone::api::cost_analysis::plugin::{
    AccountInfo, AccountsInfo, ChangedInfo, CostsInfo, GetDataRequest, GetLinkedAccountsRequest,
    GetTasksRequest, InitRequest, PluginInfo, PluginVerifyRequest, TaskInfo, TasksInfo,
    cost_server::{Cost, CostServer},
    data_source_server::{DataSource, DataSourceServer},
    job_server::{Job, JobServer},
};
use cloudforet_client::server::{PluginError, PluginServerBuilder, masked};
use cloudforet_client::value::{json_to_struct, struct_ref_to_json};
use collector_core::cost::PriceBook;
use futures::{Stream, StreamExt};
use prost_types::Struct;
use serde_json::Value;
use std::time::Instant;
use time::OffsetDateTime;
use tonic::{Request, Response, Status};

use super::PLUGIN_NAME;
use super::data::{CostJob, MAX_PAGE, cost_pages};
use super::metadata::init_metadata;
use super::month::YearMonth;
use super::tasks::{DEFAULT_LOOKBACK_MONTHS, TaskTarget, months_to_collect, plan};
use crate::connector::{Connector, PrismTarget};
use crate::telemetry::metrics;

/// Option key: months before the current one collected on a first sync.
pub const LOOKBACK_OPTION: &str = "cost_lookback_months";

/// The cost data source plugin over a [`Connector`].
pub struct CostPlugin<C> {
    connector: Arc<C>,
}

impl<C> Clone for CostPlugin<C> {
    fn clone(&self) -> Self {
        Self {
            connector: Arc::clone(&self.connector),
        }
    }
}

impl<C> std::fmt::Debug for CostPlugin<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CostPlugin").finish_non_exhaustive()
    }
}

impl<C: Connector> CostPlugin<C> {
    /// A plugin using `connector` for secrets and options.
    pub fn new(connector: C) -> Self {
        Self {
            connector: Arc::new(connector),
        }
    }

    /// Adds `DataSource`, `Job` and `Cost` to a plugin server builder.
    pub fn add_to(self, builder: PluginServerBuilder) -> PluginServerBuilder {
        builder
            .add_service(DataSourceServer::new(self.clone()))
            .add_service(JobServer::new(self.clone()))
            .add_service(CostServer::new(self))
    }
}

fn json(s: Option<&Struct>) -> Value {
    s.map_or(Value::Null, struct_ref_to_json)
}

fn to_struct(v: Value, what: &str) -> Result<Struct, PluginError> {
    json_to_struct(v).map_err(|e| PluginError::unknown(format!("cannot encode {what}: {e}")))
}

/// The price book of the options; errors name the key (`price_book.vcpu_hour`, ...).
pub fn price_book(options: &Value) -> Result<PriceBook, PluginError> {
    PriceBook::from_options(options).map_err(|e| match e {
        collector_core::Error::InvalidOption { key, reason } => {
            PluginError::invalid_parameter(key, reason)
        }
        other => PluginError::invalid_argument(other.to_string()),
    })
}

/// `options.cost_lookback_months`: a whole number from 0 to 36 (default 11).
pub fn lookback_months(options: &Value) -> Result<u32, PluginError> {
    match options.get(LOOKBACK_OPTION) {
        None | Some(Value::Null) => Ok(DEFAULT_LOOKBACK_MONTHS),
        Some(v) => v
            .as_u64()
            .filter(|n| *n <= u64::from(super::tasks::MAX_MONTHS_BACK))
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                PluginError::invalid_parameter(
                    format!("options.{LOOKBACK_OPTION}"),
                    format!(
                        "must be a whole number of months from 0 to {}",
                        super::tasks::MAX_MONTHS_BACK
                    ),
                )
            }),
    }
}

fn task_targets(targets: &[PrismTarget]) -> Vec<TaskTarget> {
    targets
        .iter()
        .map(|t| TaskTarget {
            prism_central: t.key.clone(),
            account: t
                .prism_central
                .account()
                .unwrap_or(t.key.as_str())
                .to_owned(),
        })
        .collect()
}

fn changed_info(v: &Value) -> Result<ChangedInfo, PluginError> {
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(ChangedInfo {
        start: text("start"),
        end: text("end"),
        filter: v
            .get("filter")
            .cloned()
            .map(|f| to_struct(f, "changed.filter"))
            .transpose()?,
    })
}

/// Selects the secret entry named by `task_options.prism_central` (any entry when the secret
/// has exactly one and the task names none).
/// Counts streamed records and failures in the plugin's Prometheus series, and records the
/// duration of the stream when it ends (normally or with an error).
fn with_metrics<S, E>(pages: S, address: String) -> impl Stream<Item = Result<CostsInfo, E>>
where
    S: Stream<Item = Result<CostsInfo, E>>,
{
    let started = Instant::now();
    let counted_address = address.clone();
    let counted = pages.inspect(move |page| match page {
        Ok(info) => {
            metrics().add_resources(PLUGIN_NAME, &counted_address, info.results.len() as u64)
        }
        Err(_) => metrics().inc_errors(PLUGIN_NAME, &counted_address),
    });
    let finished = futures::stream::once(async move {
        metrics().observe_collection(PLUGIN_NAME, &address, started.elapsed());
    })
    .filter_map(|()| async { None });
    counted.chain(finished)
}

fn select_target(
    mut targets: Vec<PrismTarget>,
    wanted: Option<&str>,
) -> Result<PrismTarget, PluginError> {
    match wanted {
        Some(key) => {
            let pos = targets.iter().position(|t| t.key == key).ok_or_else(|| {
                PluginError::invalid_parameter(
                    "task_options.prism_central",
                    format!("{key:?} is not a Prism Central of the secret"),
                )
            })?;
            Ok(targets.swap_remove(pos))
        }
        None if targets.len() == 1 => Ok(targets.swap_remove(0)),
        None => Err(PluginError::required_parameter(
            "task_options.prism_central",
        )),
    }
}

#[tonic::async_trait]
impl<C: Connector> DataSource for CostPlugin<C> {
    async fn init(&self, request: Request<InitRequest>) -> Result<Response<PluginInfo>, Status> {
        let options = json(request.get_ref().options.as_ref());
        let book = price_book(&options)?;
        let metadata = init_metadata(&book, self.connector.options_schema());
        Ok(Response::new(PluginInfo {
            metadata: Some(to_struct(metadata, "metadata")?),
        }))
    }

    async fn verify(&self, request: Request<PluginVerifyRequest>) -> Result<Response<()>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "DataSource.verify");
        let req = request.get_ref();
        let options = json(req.options.as_ref());
        price_book(&options)?;
        self.connector
            .verify(&json(req.secret_data.as_ref()), &options)
            .await?;
        Ok(Response::new(()))
    }
}

#[tonic::async_trait]
impl<C: Connector> Job for CostPlugin<C> {
    async fn get_tasks(
        &self,
        request: Request<GetTasksRequest>,
    ) -> Result<Response<TasksInfo>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "Job.get_tasks");
        let req = request.get_ref();
        let options = json(req.options.as_ref());
        price_book(&options)?;
        let lookback = lookback_months(&options)?;
        let targets = self
            .connector
            .targets(&json(req.secret_data.as_ref()), &options)?;
        let months = months_to_collect(
            &req.start,
            &req.last_synchronized_at,
            lookback,
            OffsetDateTime::now_utc(),
        )
        .map_err(|e| PluginError::invalid_parameter(e.key, e.reason))?;
        let planned = plan(&task_targets(&targets), &months);
        let mut tasks = Vec::with_capacity(planned.len());
        let mut changed = Vec::with_capacity(planned.len());
        for p in planned {
            let window = changed_info(&p.changed)?;
            tasks.push(TaskInfo {
                task_options: Some(to_struct(p.task_options, "task_options")?),
                task_changed: Some(window.clone()),
            });
            changed.push(window);
        }
        tracing::info!(
            tasks = tasks.len(),
            months = months.len(),
            prism_centrals = targets.len(),
            "cost tasks planned"
        );
        Ok(Response::new(TasksInfo {
            tasks,
            changed,
            synced_accounts: Vec::new(),
        }))
    }
}

type CostStream = Pin<Box<dyn Stream<Item = Result<CostsInfo, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl<C: Connector> Cost for CostPlugin<C> {
    /// Answers with no account: Nutanix has no billing accounts, and records are routed by the
    /// data source rule on `additional_info.Project`, not by account.
    async fn get_linked_accounts(
        &self,
        request: Request<GetLinkedAccountsRequest>,
    ) -> Result<Response<AccountsInfo>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "Cost.get_linked_accounts");
        let results: Vec<AccountInfo> = Vec::new();
        Ok(Response::new(AccountsInfo { results }))
    }

    type get_dataStream = CostStream;

    async fn get_data(
        &self,
        request: Request<GetDataRequest>,
    ) -> Result<Response<Self::get_dataStream>, Status> {
        tracing::debug!(request = ?masked(request.get_ref()), "Cost.get_data");
        let req = request.into_inner();
        let options = json(req.options.as_ref());
        let book = price_book(&options)?;
        let task = json(req.task_options.as_ref());
        let month = match task.get("month") {
            None | Some(Value::Null) => {
                return Err(PluginError::required_parameter("task_options.month").into());
            }
            Some(v) => v
                .as_str()
                .ok_or_else(|| {
                    PluginError::invalid_parameter_type("task_options.month", "string YYYY-MM")
                })
                .and_then(|s| {
                    YearMonth::parse(s)
                        .map_err(|e| PluginError::invalid_parameter("task_options.month", e))
                })?,
        };
        let wanted = task.get("prism_central").and_then(Value::as_str);
        let targets = self
            .connector
            .targets(&json(req.secret_data.as_ref()), &options)?;
        let target = select_target(targets, wanted)?;
        let address = target.key.clone();
        let job = CostJob {
            client: target.client,
            prism_central: target.prism_central,
            book,
            month,
            as_of: OffsetDateTime::now_utc(),
            page_size: MAX_PAGE,
        };
        let stream = with_metrics(cost_pages(job), address).map(|r| r.map_err(Status::from));
        Ok(Response::new(Box::pin(stream)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookback_option() {
        assert_eq!(
            lookback_months(&json!({})).unwrap(),
            DEFAULT_LOOKBACK_MONTHS
        );
        assert_eq!(
            lookback_months(&json!({"cost_lookback_months": 3})).unwrap(),
            3
        );
        for bad in [json!(-1), json!(1.5), json!("3"), json!(37)] {
            let e = lookback_months(&json!({ "cost_lookback_months": bad })).unwrap_err();
            assert!(
                e.message().contains("options.cost_lookback_months"),
                "{bad}"
            );
        }
    }

    #[test]
    fn price_book_errors_name_the_key() {
        let e = price_book(&json!({"price_book": {"vcpu_hour": -1}})).unwrap_err();
        assert!(
            e.message().contains("price_book.vcpu_hour"),
            "{}",
            e.message()
        );
        assert!(price_book(&json!({"secret_type": "MANUAL"})).is_ok());
    }
}
