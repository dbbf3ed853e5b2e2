//! The live set of VMs and the churn model (VMs removed and added while clients page).
//!
//! Without churn the live VMs are exactly indexes `0..vms`, in that order, and nothing is
//! stored. The first churn step materialises the live list as a sorted `Vec<u32>` of indexes
//! (4 bytes per VM): that is the whole "overlay".

use super::rng::{Rng, stream};

/// How the fleet changes while clients page (see the module docs of [`crate::sim`]).
///
/// Every `every_requests`-th `POST /vms/list` request (counted across all clients, after its
/// page has been computed) triggers one churn step: `remove` live VMs chosen uniformly at random
/// (seeded) are deleted, shifting every later VM `remove` positions towards offset 0 like a
/// database table, and `add` brand-new VMs are appended at the end of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChurnConfig {
    /// A churn step happens after every this many `vms/list` requests (at least 1).
    pub every_requests: u32,
    /// VMs deleted per step.
    pub remove: u32,
    /// VMs created per step.
    pub add: u32,
}

impl ChurnConfig {
    /// A churn configuration: one step every `every_requests` VM list requests, removing
    /// `remove` and adding `add` VMs.
    pub fn new(every_requests: u32, remove: u32, add: u32) -> Self {
        Self {
            every_requests: every_requests.max(1),
            remove,
            add,
        }
    }
}

impl Default for ChurnConfig {
    /// One step every 2 `vms/list` requests, removing 3 VMs and adding 3.
    fn default() -> Self {
        Self {
            every_requests: 2,
            remove: 3,
            add: 3,
        }
    }
}

/// The VMs that currently exist, in list order (ascending index = creation order).
#[derive(Debug)]
pub(crate) struct LiveSet {
    base: u32,
    /// `None` = identity `0..base` (no churn happened yet).
    live: Option<Vec<u32>>,
    next_index: u32,
    list_requests: u64,
    steps: u64,
    removed: u64,
    added: u64,
}

impl LiveSet {
    /// The initial fleet of `base` VMs.
    pub(crate) fn new(base: u32) -> Self {
        Self {
            base,
            live: None,
            next_index: base,
            list_requests: 0,
            steps: 0,
            removed: 0,
            added: 0,
        }
    }

    /// Number of live VMs.
    pub(crate) fn len(&self) -> usize {
        self.live.as_ref().map_or(self.base as usize, Vec::len)
    }

    /// The VM index at list position `pos`.
    pub(crate) fn get(&self, pos: usize) -> Option<u32> {
        match &self.live {
            None => (pos < self.base as usize).then_some(pos as u32),
            Some(v) => v.get(pos).copied(),
        }
    }

    /// Indexes at positions `offset..offset + len` (clipped).
    pub(crate) fn range(&self, offset: usize, len: usize) -> Vec<u32> {
        let end = offset.saturating_add(len).min(self.len());
        (offset.min(end)..end).filter_map(|p| self.get(p)).collect()
    }

    /// Whether VM `index` currently exists.
    pub(crate) fn contains(&self, index: u32) -> bool {
        match &self.live {
            None => index < self.base,
            Some(v) => v.binary_search(&index).is_ok(),
        }
    }

    /// Every live index, in list order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).filter_map(|p| self.get(p))
    }

    /// Counts one `vms/list` request and applies a churn step when one is due.
    pub(crate) fn on_list_request(&mut self, seed: u64, config: Option<&ChurnConfig>) {
        self.list_requests += 1;
        if let Some(config) = config
            && self
                .list_requests
                .is_multiple_of(u64::from(config.every_requests.max(1)))
        {
            self.step(seed, config);
        }
    }

    /// Applies one churn step now.
    pub(crate) fn step(&mut self, seed: u64, config: &ChurnConfig) {
        let base = self.base;
        let live = self.live.get_or_insert_with(|| (0..base).collect());
        let mut rng = Rng::new(seed, stream::CHURN, self.steps);
        for _ in 0..config.remove {
            if live.is_empty() {
                break;
            }
            let pos = rng.below(live.len() as u64) as usize;
            live.remove(pos);
            self.removed += 1;
        }
        for _ in 0..config.add {
            if self.next_index == u32::MAX {
                break;
            }
            live.push(self.next_index);
            self.next_index += 1;
            self.added += 1;
        }
        self.steps += 1;
    }

    /// `(steps, removed, added)` so far.
    pub(crate) fn stats(&self) -> (u64, u64, u64) {
        (self.steps, self.removed, self.added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_until_first_step() {
        let set = LiveSet::new(5);
        assert_eq!(set.len(), 5);
        assert_eq!(set.range(3, 10), vec![3, 4]);
        assert_eq!(set.range(7, 10), Vec::<u32>::new());
        assert!(set.contains(4));
        assert!(!set.contains(5));
    }

    #[test]
    fn steps_remove_and_append_keeping_order() {
        let mut set = LiveSet::new(100);
        let config = ChurnConfig::new(1, 3, 2);
        set.on_list_request(9, Some(&config));
        assert_eq!(set.len(), 99);
        let all: Vec<u32> = set.iter().collect();
        assert!(
            all.windows(2).all(|w| w[0] < w[1]),
            "list order stays ascending"
        );
        assert_eq!(&all[97..], &[100, 101]);
        assert_eq!(all.iter().filter(|&&i| i < 100).count(), 97);
        assert_eq!(set.stats(), (1, 3, 2));
    }

    #[test]
    fn steps_are_deterministic() {
        let config = ChurnConfig::default();
        let run = || {
            let mut set = LiveSet::new(1000);
            for _ in 0..10 {
                set.on_list_request(4, Some(&config));
            }
            set.iter().collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn no_config_no_churn() {
        let mut set = LiveSet::new(10);
        for _ in 0..10 {
            set.on_list_request(1, None);
        }
        assert_eq!(set.iter().collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
    }
}
