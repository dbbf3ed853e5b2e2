//! Compiles the CloudForet protos under `proto/` with protox (a protobuf compiler written in Rust,
//! so no system `protoc` is needed) and generates Rust code with tonic-prost-build.
//!
//! Outputs in `OUT_DIR`:
//! - one `<package>.rs` file per proto package plus `_includes.rs`, the module tree that
//!   `src/proto.rs` includes;
//! - `cloudforet_descriptor_set.bin`: the encoded `FileDescriptorSet` of every proto file and of
//!   every file they import (the well-known `google/protobuf/*.proto`), without source info. The
//!   plugin server kit serves it over gRPC reflection.
//!
//! Clients are generated when the `client` feature is on, servers when `server` is on.

use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use prost::Message as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let proto_root = manifest_dir.join("proto");

    let mut files = Vec::new();
    collect_protos(&proto_root, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no .proto files found under {}", proto_root.display()).into());
    }
    println!("cargo:rerun-if-changed={}", proto_root.display());
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }

    let mut compiler = protox::Compiler::new([&proto_root])?;
    compiler.include_imports(true).include_source_info(true);
    for file in &files {
        compiler.open_file(file)?;
    }
    let with_source = compiler.file_descriptor_set();

    // Reflection set: every file including imports, without source info (smaller, same wire).
    let mut reflection = with_source.clone();
    for file in &mut reflection.file {
        file.source_code_info = None;
    }
    fs::write(
        out_dir.join("cloudforet_descriptor_set.bin"),
        reflection.encode_to_vec(),
    )?;

    // prost-build needs the imported well-known files to resolve types; it generates no code for
    // them because `.google.protobuf` maps to `prost_types` (its default extern path).
    let ours = with_source;

    let client = env::var_os("CARGO_FEATURE_CLIENT").is_some();
    let server = env::var_os("CARGO_FEATURE_SERVER").is_some();

    tonic_prost_build::configure()
        .build_client(client)
        .build_server(server)
        .build_transport(client)
        .emit_rerun_if_changed(false)
        .include_file("_includes.rs")
        .compile_fds(ours)?;
    Ok(())
}

fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
    Ok(())
}
