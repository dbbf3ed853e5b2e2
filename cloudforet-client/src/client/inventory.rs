//! Inventory v1: cloud services, regions, collections and their jobs.

use std::time::Duration;

use futures::Stream;
use tonic::transport::Channel;

use super::call::Idempotency;
use super::paging::paged;
use super::{CloudForetClient, MAX_MESSAGE_SIZE, Service};
use crate::error::{Error, Result};
use crate::proto::spaceone::api::core::v2 as core_v2;
use crate::proto::spaceone::api::inventory::v1 as inventory;

pub use inventory::job_info::Status as JobStatus;

fn cloud_service_client(
    ch: Channel,
) -> inventory::cloud_service_client::CloudServiceClient<Channel> {
    inventory::cloud_service_client::CloudServiceClient::new(ch)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

fn region_client(ch: Channel) -> inventory::region_client::RegionClient<Channel> {
    inventory::region_client::RegionClient::new(ch)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE)
}

fn job_client(ch: Channel) -> inventory::job_client::JobClient<Channel> {
    inventory::job_client::JobClient::new(ch).max_decoding_message_size(MAX_MESSAGE_SIZE)
}

/// Sets the page window on a query, keeping its filters, sort and other options.
fn with_page(query: Option<core_v2::Query>, page: core_v2::Page) -> Option<core_v2::Query> {
    let mut query = query.unwrap_or_default();
    query.page = Some(page);
    Some(query)
}

impl CloudForetClient {
    /// `CloudService.create`: registers one cloud service (needs a workspace-scoped token).
    /// Build `data`, `metadata` and `tags` with [`crate::value::to_struct`].
    ///
    /// # Errors
    ///
    /// [`Error::Status`] (e.g. `ERROR_REQUIRED_PARAMETER`) or a transport error. Not retried.
    pub async fn create_cloud_service(
        &self,
        request: inventory::CreateServiceRequest,
    ) -> Result<inventory::CloudServiceInfo> {
        self.unary(
            Service::Inventory,
            "CloudService.create",
            Idempotency::NotIdempotent,
            request,
            |ch, req| async move { cloud_service_client(ch).create(req).await },
        )
        .await
    }

    /// `CloudService.get`.
    ///
    /// # Errors
    ///
    /// [`Error::Status`] (`ERROR_NOT_FOUND`, see [`Error::is_not_found`]) or a transport error.
    pub async fn get_cloud_service(
        &self,
        cloud_service_id: &str,
    ) -> Result<inventory::CloudServiceInfo> {
        let request = inventory::CloudServiceRequest {
            cloud_service_id: cloud_service_id.to_owned(),
        };
        self.unary(
            Service::Inventory,
            "CloudService.get",
            Idempotency::Idempotent,
            request,
            |ch, req| async move { cloud_service_client(ch).get(req).await },
        )
        .await
    }

    /// `CloudService.list`, one page: sends `query` exactly as given.
    ///
    /// # Errors
    ///
    /// [`Error::Status`] or a transport error.
    pub async fn cloud_services_page(
        &self,
        query: inventory::CloudServiceQuery,
    ) -> Result<inventory::CloudServicesInfo> {
        self.unary(
            Service::Inventory,
            "CloudService.list",
            Idempotency::Idempotent,
            query,
            |ch, req| async move { cloud_service_client(ch).list(req).await },
        )
        .await
    }

    /// `CloudService.list` as a lazy stream of every matching cloud service, fetched
    /// [`page_size`](Self::page_size) at a time. The query's filters and sort are kept; its
    /// page window is replaced.
    pub fn cloud_services(
        &self,
        query: inventory::CloudServiceQuery,
    ) -> impl Stream<Item = Result<inventory::CloudServiceInfo>> + Send + 'static {
        let client = self.clone();
        paged(self.page_size(), move |page| {
            let client = client.clone();
            let mut query = query.clone();
            query.query = with_page(query.query.take(), page);
            async move {
                let info = client.cloud_services_page(query).await?;
                Ok((info.results, info.total_count))
            }
        })
    }

    /// `Region.list`, one page: sends `query` exactly as given.
    ///
    /// # Errors
    ///
    /// [`Error::Status`] or a transport error.
    pub async fn regions_page(
        &self,
        query: inventory::RegionQuery,
    ) -> Result<inventory::RegionsInfo> {
        self.unary(
            Service::Inventory,
            "Region.list",
            Idempotency::Idempotent,
            query,
            |ch, req| async move { region_client(ch).list(req).await },
        )
        .await
    }

    /// `Region.list` as a lazy stream of every matching region (see
    /// [`cloud_services`](Self::cloud_services)).
    pub fn regions(
        &self,
        query: inventory::RegionQuery,
    ) -> impl Stream<Item = Result<inventory::RegionInfo>> + Send + 'static {
        let client = self.clone();
        paged(self.page_size(), move |page| {
            let client = client.clone();
            let mut query = query.clone();
            query.query = with_page(query.query.take(), page);
            async move {
                let info = client.regions_page(query).await?;
                Ok((info.results, info.total_count))
            }
        })
    }

    /// `Collector.collect`: starts a collection with `collector_id` (optionally only for
    /// `secret_id`) and returns the new job. Follow it with [`wait_for_job`](Self::wait_for_job).
    ///
    /// # Errors
    ///
    /// [`Error::Status`] or a transport error. Not retried.
    pub async fn collect(
        &self,
        collector_id: &str,
        secret_id: Option<&str>,
    ) -> Result<inventory::JobInfo> {
        let request = inventory::CollectRequest {
            collector_id: collector_id.to_owned(),
            secret_id: secret_id.unwrap_or_default().to_owned(),
        };
        self.unary(
            Service::Inventory,
            "Collector.collect",
            Idempotency::NotIdempotent,
            request,
            |ch, req| async move {
                inventory::collector_client::CollectorClient::new(ch)
                    .max_decoding_message_size(MAX_MESSAGE_SIZE)
                    .collect(req)
                    .await
            },
        )
        .await
    }

    /// `Job.get`.
    ///
    /// # Errors
    ///
    /// [`Error::Status`] (`ERROR_NOT_FOUND` for an unknown job) or a transport error.
    pub async fn get_job(&self, job_id: &str) -> Result<inventory::JobInfo> {
        let request = inventory::JobRequest {
            job_id: job_id.to_owned(),
        };
        self.unary(
            Service::Inventory,
            "Job.get",
            Idempotency::Idempotent,
            request,
            |ch, req| async move { job_client(ch).get(req).await },
        )
        .await
    }

    /// Follows a collection job with `Job.get` every `poll_interval` until it is terminal:
    /// returns the final [`JobInfo`](inventory::JobInfo) on `SUCCESS`.
    ///
    /// # Errors
    ///
    /// [`Error::JobFailed`] when the job ends `FAILURE` or `CANCELED`; [`Error::JobTimeout`]
    /// when it is still running after `timeout`; errors of [`get_job`](Self::get_job).
    pub async fn wait_for_job(
        &self,
        job_id: &str,
        poll_interval: Duration,
        timeout: Duration,
    ) -> Result<inventory::JobInfo> {
        let started = tokio::time::Instant::now();
        let deadline = started + timeout;
        loop {
            let job = self.get_job(job_id).await?;
            let status = JobStatus::try_from(job.status).ok();
            tracing::debug!(
                job_id,
                status = status.map_or("UNKNOWN", |s| s.as_str_name()),
                remained_tasks = job.remained_tasks,
                "polled collection job"
            );
            match status {
                Some(JobStatus::Success) => return Ok(job),
                Some(terminal @ (JobStatus::Failure | JobStatus::Canceled)) => {
                    return Err(Error::JobFailed {
                        job_id: job.job_id,
                        status: terminal.as_str_name().to_owned(),
                        total_tasks: job.total_tasks,
                        failure_tasks: job.failure_tasks,
                    });
                }
                _ => {}
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(Error::JobTimeout {
                    job_id: job_id.to_owned(),
                    waited: now - started,
                    last_status: status.map_or_else(
                        || format!("status {}", job.status),
                        |s| s.as_str_name().to_owned(),
                    ),
                });
            }
            tokio::time::sleep(poll_interval.min(deadline - now)).await;
        }
    }

    /// Starts a collection and follows its job to the end:
    /// [`collect`](Self::collect) then [`wait_for_job`](Self::wait_for_job).
    ///
    /// # Errors
    ///
    /// As [`collect`](Self::collect) and [`wait_for_job`](Self::wait_for_job).
    pub async fn collect_and_wait(
        &self,
        collector_id: &str,
        secret_id: Option<&str>,
        poll_interval: Duration,
        timeout: Duration,
    ) -> Result<inventory::JobInfo> {
        let job = self.collect(collector_id, secret_id).await?;
        self.wait_for_job(&job.job_id, poll_interval, timeout).await
    }
}
