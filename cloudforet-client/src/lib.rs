//! cloudforet-client (work in progress).
