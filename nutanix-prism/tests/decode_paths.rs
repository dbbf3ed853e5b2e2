//! The client's fast decoding path (`model::from_json_slice`: one UTF-8 check, then parsing
//! from `&str`) gives exactly what `serde_json::from_slice` gives: the same value, or an error
//! with the same message, for real bodies, the fuzz seeds, mutated seeds and arbitrary bytes.

use nutanix_prism::model::{
    Cluster, Host, Image, ListResponse, Project, Subnet, Vm, VolumeGroup, from_json_slice,
};
use proptest::prelude::*;
use serde::de::DeserializeOwned;

/// Asserts that both paths agree on `data` decoded as `T`; returns whether it decoded.
fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) -> bool {
    let fast = from_json_slice::<T>(data);
    let slow = serde_json::from_slice::<T>(data);
    match (&fast, &slow) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "values differ"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "errors differ"),
        _ => panic!("one path failed: fast {fast:?}, slow {slow:?}"),
    }
    fast.is_ok()
}

/// Both paths over every list kind; how many kinds decoded.
fn all_kinds(data: &[u8]) -> usize {
    [
        same::<ListResponse<Vm>>(data),
        same::<ListResponse<Cluster>>(data),
        same::<ListResponse<Host>>(data),
        same::<ListResponse<Subnet>>(data),
        same::<ListResponse<Image>>(data),
        same::<ListResponse<Project>>(data),
        same::<ListResponse<VolumeGroup>>(data),
    ]
    .iter()
    .filter(|ok| **ok)
    .count()
}

fn files(dir: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn seeds() -> Vec<Vec<u8>> {
    files(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fuzz/corpus/list_decode"
    ))
}

#[test]
fn real_bodies_and_seeds_decode_the_same_on_both_paths() {
    let mut bodies = seeds();
    bodies.extend(files(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures"
    )));
    let decoded: usize = bodies.iter().map(|b| all_kinds(b)).sum();
    assert!(decoded > 0, "no body decoded at all");
}

#[test]
fn invalid_utf8_truncation_and_trailing_garbage_fail_the_same_way() {
    let cases: [&[u8]; 6] = [
        b"{\"entities\": [{\"metadata\": {\"uuid\": \"\xff\"}}]}",
        b"{\"entities\": [{\"metadata\": {\"uuid\": \"\xc3\"}}]}",
        b"{\"entities\": [{\"metadata\": {\"uuid\": \"ab",
        b"{\"entities\": []} x",
        b"{\"entities\": [], \"api_version\": \"\\ud800\"}",
        b"\xef\xbb\xbf{\"entities\": []}",
    ];
    for data in cases {
        assert_eq!(all_kinds(data), 0, "{}", String::from_utf8_lossy(data));
    }
    // Valid multi-byte text decodes identically.
    assert_eq!(
        all_kinds("{\"entities\": [{\"spec\": {\"name\": \"vm-é-日本\"}}]}".as_bytes()),
        7
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes_decode_the_same(data in prop::collection::vec(any::<u8>(), 0..256)) {
        all_kinds(&data);
    }

    #[test]
    fn mutated_seeds_decode_the_same(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
    ) {
        let all = seeds();
        let mut data = all[pick.index(all.len())].clone();
        for (at, byte) in &edits {
            if !data.is_empty() {
                let i = at % data.len();
                data[i] = *byte;
            }
        }
        let keep = cut % (data.len() + 1);
        data.truncate(keep.max(data.len() / 2));
        all_kinds(&data);
    }
}
