//! collector-core (work in progress).
