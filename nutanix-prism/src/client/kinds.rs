//! Per-kind convenience methods: streams, single pages and gets for every v3 entity kind,
//! plus `prism_central()`, `current_user()` and `verify()`.

use futures::Stream;

use super::PrismClient;
use super::paging::{ListOptions, ListTarget};
use super::transport::Call;
use crate::error::{Error, Result};
use crate::model::{
    CategoryKey, CategoryValue, Cluster, Host, Image, ListRequest, ListResponse, PrismCentralInfo,
    Project, Subnet, UserInfo, Vm, VolumeGroup,
};

/// Generates `stream`, `list_page` and `get` methods for one kind.
macro_rules! kind_methods {
    ($ty:ty, $stream:ident, $page:ident, $get:ident, $what:literal) => {
        #[doc = concat!("Every ", $what, " (`POST /", stringify!($stream), "/list`), as a lazy stream with the client's defaults.")]
        ///
        /// See [`PrismClient::list_all`] for options and the paging rules.
        pub fn $stream(&self) -> impl Stream<Item = Result<$ty>> + Send + Unpin + 'static {
            self.list_all::<$ty>(ListOptions::default())
        }

        #[doc = concat!("One page of ", $what, "s; see [`PrismClient::list`].")]
        pub async fn $page(&self, req: ListRequest) -> Result<ListResponse<$ty>> {
            self.list::<$ty>(req).await
        }

        #[doc = concat!("One ", $what, " by UUID; a missing one is [`Error::NotFound`].")]
        pub async fn $get(&self, uuid: &str) -> Result<$ty> {
            self.get::<$ty>(uuid).await
        }
    };
}

/// What [`PrismClient::verify`] found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Verification {
    /// The authenticated user (`GET /users/me`).
    pub user: UserInfo,
    /// The Prism Central (`GET /prism_central`).
    pub prism_central: PrismCentralInfo,
}

impl PrismClient {
    kind_methods!(Vm, vms, list_vms, get_vm, "VM");
    kind_methods!(Cluster, clusters, list_clusters, get_cluster, "cluster");
    kind_methods!(Host, hosts, list_hosts, get_host, "host");
    kind_methods!(Subnet, subnets, list_subnets, get_subnet, "subnet");
    kind_methods!(Image, images, list_images, get_image, "image");
    kind_methods!(
        VolumeGroup,
        volume_groups,
        list_volume_groups,
        get_volume_group,
        "volume group"
    );
    kind_methods!(Project, projects, list_projects, get_project, "project");

    /// Every category key (`POST /categories/list`), as a lazy stream.
    pub fn category_keys(
        &self,
    ) -> impl Stream<Item = Result<CategoryKey>> + Send + Unpin + 'static {
        self.list_all::<CategoryKey>(ListOptions::default())
    }

    /// One page of category keys.
    pub async fn list_category_keys(&self, req: ListRequest) -> Result<ListResponse<CategoryKey>> {
        self.list::<CategoryKey>(req).await
    }

    /// One category key by name (`GET /categories/{name}`).
    pub async fn get_category_key(&self, name: &str) -> Result<CategoryKey> {
        let call = Call::get(vec!["categories".into(), name.to_owned()], "categories/get");
        self.inner.execute(&call).await
    }

    /// Every value of category key `name` (`POST /categories/{name}/list`), as a lazy stream.
    pub fn category_values(
        &self,
        name: &str,
    ) -> impl Stream<Item = Result<CategoryValue>> + Send + Unpin + 'static {
        self.category_values_with(name, ListOptions::default())
    }

    /// [`PrismClient::category_values`] with options.
    pub fn category_values_with(
        &self,
        name: &str,
        options: ListOptions,
    ) -> impl Stream<Item = Result<CategoryValue>> + Send + Unpin + 'static {
        self.stream_target(category_values_target(name), options)
    }

    /// One page of the values of category key `name`.
    pub async fn list_category_values(
        &self,
        name: &str,
        req: ListRequest,
    ) -> Result<ListResponse<CategoryValue>> {
        let target = category_values_target(name);
        let req = self.complete_request(req, &target);
        self.fetch_page(&target, &req, false).await
    }

    /// One category value (`GET /categories/{name}/{value}`).
    pub async fn get_category_value(&self, name: &str, value: &str) -> Result<CategoryValue> {
        let call = Call::get(
            vec!["categories".into(), name.to_owned(), value.to_owned()],
            "categories/values/get",
        );
        self.inner.execute(&call).await
    }

    /// `GET /prism_central`: answers only on a Prism Central (version, size, PC VMs).
    pub async fn prism_central(&self) -> Result<PrismCentralInfo> {
        let call = Call::get(vec!["prism_central".into()], "prism_central");
        self.inner.execute(&call).await
    }

    /// `GET /users/me`: the authenticated user. In session mode the login is itself a
    /// `GET /users/me`; the first call after a login answers from it without a second request.
    pub async fn current_user(&self) -> Result<UserInfo> {
        if let Some(answer) = self.inner.login_answer().await?
            && let Ok(user) = serde_json::from_value::<UserInfo>(answer)
        {
            return Ok(user);
        }
        let call = Call::get(vec!["users".into(), "me".into()], "users/me");
        self.inner.execute(&call).await
    }

    /// Checks connectivity, credentials and that the endpoint is a Prism Central.
    ///
    /// Errors: transport/TLS/timeout errors for connectivity, [`Error::Unauthorized`] or
    /// [`Error::Forbidden`] for credentials, [`Error::NotPrismCentral`] when `GET /prism_central`
    /// is refused with another 4xx (a Prism Element answers 404 or `ENTITY_READ_ERROR` there).
    pub async fn verify(&self) -> Result<Verification> {
        let user = self.current_user().await?;
        let prism_central = match self.prism_central().await {
            Ok(pc) => pc,
            Err(e) => {
                let root = e.root();
                let refused = matches!(root, Error::NotFound(_) | Error::Api(_) | Error::Decode(_));
                if !refused {
                    return Err(e);
                }
                let detail = match root.http() {
                    Some(h) => format!(
                        "GET prism_central answered {}{}",
                        h.status,
                        h.reason
                            .as_deref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default()
                    ),
                    None => {
                        format!("GET prism_central did not return Prism Central details: {root}")
                    }
                };
                return Err(Error::NotPrismCentral {
                    url: self.base_url().to_string(),
                    message: detail,
                });
            }
        };
        Ok(Verification {
            user,
            prism_central,
        })
    }
}

fn category_values_target(name: &str) -> ListTarget {
    ListTarget {
        segments: vec!["categories".into(), name.to_owned(), "list".into()],
        kind: "category",
        paged: true,
        operation: "categories/values/list".into(),
    }
}
