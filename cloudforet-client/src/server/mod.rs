//! Plugin server kit (in progress).
