//! Helpers shared by the criterion benchmarks (`benches/benches/pipeline.rs`) and the
//! end-to-end harness `collect-bench`:
//!
//! - [`data`]: fixed, deterministic benchmark inputs (raw Prism pages and `/groups` answers)
//!   read from an in-process simulator with a fixed seed;
//! - [`rss`]: peak resident memory of this process (`VmHWM`);
//! - [`bound`]: the physical lower bound of a collection's wall time;
//! - [`run`]: one collection through the real plugin pipeline, in-process or over gRPC;
//! - [`sim`]: the run's simulator, in this process or in a child process;
//! - [`cpu`]: CPU time of a process (`/proc/<pid>/stat`).
//!
//! `docs/performance.md` gives the figures and the commands that reproduce them.

pub mod bound;
pub mod cpu;
pub mod data;
pub mod rss;
pub mod run;
pub mod sim;
