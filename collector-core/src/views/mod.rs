//! Console views: the `metadata.view` of cloud service types and services.
//!
//! Style A is used: each CloudServiceType carries the table layout, search and widgets, and each
//! CloudService carries its detail tabs (`view.sub_data.layouts`). Every view is built once per
//! process ([`std::sync::LazyLock`]) and shared by reference, so mapping 10,000 VMs does not
//! rebuild or clone them. Only the layout and field types of the CloudForet view vocabulary are
//! used (`item`, `table`, `query-search-table`, `simple-table`; fields `text`, `enum`, `badge`,
//! `datetime`, `size`, `list`, `dict`).

mod field;
mod types;

pub use field::{FIELD_TYPES, Field, LAYOUT_TYPES};
pub use types::{service_metadata, type_metadata};
