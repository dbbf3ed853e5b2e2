//! The [`Entity`] trait that ties a model type to its Prism v3 list endpoint.

use serde::de::DeserializeOwned;

use super::Metadata;

/// A Prism Central v3 entity kind that can be listed and fetched by the client.
///
/// Implemented by every top-level model (`Vm`, `Cluster`, `Host`, ...). The client uses the
/// associated constants to build URLs (`POST /{PATH}/list`, `GET /{PATH}/{uuid}`) and
/// [`Entity::key`] to de-duplicate entities across pages.
pub trait Entity: DeserializeOwned + Send + Sync + 'static {
    /// The v3 `kind` string sent in list requests, e.g. `"vm"`.
    const KIND: &'static str;
    /// The plural URL path segment under `/api/nutanix/v3`, e.g. `"vms"`.
    const PATH: &'static str;
    /// Whether `POST /{PATH}/list` honours `offset`/`length`.
    ///
    /// `hosts/list` does not page (it returns every host, and sending a `length` breaks it on
    /// fleets above 100 hosts), so hosts set this to `false`.
    const PAGED: bool = true;

    /// The entity's `metadata` block, when present.
    fn metadata(&self) -> Option<&Metadata>;

    /// The identity used to de-duplicate entities across pages: `metadata.uuid` by default.
    /// An empty UUID (seen in sanitized bodies) counts as absent, so such entities are never
    /// merged with each other.
    fn key(&self) -> Option<&str> {
        self.metadata()
            .and_then(|m| m.uuid.as_deref())
            .filter(|u| !u.is_empty())
    }
}
