//! Arbitrary bytes as a `POST /<kind>/list` response of every entity kind and as a `/groups`
//! response: decoding may fail, never panic; a decoded page's entities must answer `key()`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nutanix_prism::model::{
    CategoryKey, Cluster, Entity, GroupsResponse, Host, Image, ListResponse, Project, Subnet, Vm,
    VolumeGroup,
};

fn decode<T: Entity + serde::de::DeserializeOwned>(data: &[u8]) {
    if let Ok(page) = serde_json::from_slice::<ListResponse<T>>(data) {
        for entity in &page.entities {
            let _ = entity.key();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    decode::<Vm>(data);
    decode::<Cluster>(data);
    decode::<Host>(data);
    decode::<Subnet>(data);
    decode::<Image>(data);
    decode::<Project>(data);
    decode::<VolumeGroup>(data);
    decode::<CategoryKey>(data);
    let _ = serde_json::from_slice::<GroupsResponse>(data);
});
