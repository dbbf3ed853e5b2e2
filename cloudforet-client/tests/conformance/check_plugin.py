#!/usr/bin/env python3
"""Conformance check of a Rust CloudForet plugin server against CloudForet's published stubs.

Two modes:

``plugin``  Connects to a running plugin server exactly the way CloudForet core does
            (python-core ``GRPCClient``): waits at most 3 s for the channel, lists the services
            over gRPC reflection **v1alpha** (``ProtoReflectionDescriptorDatabase``), resolves every
            advertised service, then calls methods with metadata ``token: NO_TOKEN``, building the
            request from the *reflected* descriptors with ``ParseDict`` and reading the answer
            with ``MessageToDict(preserving_proto_field_name=True)``.
            Every reflected file reachable from a served service is compared field by field with
            the descriptors shipped in ``spaceone-api`` (and protobuf / grpcio-health-checking /
            grpcio-reflection for the well-known and infrastructure files): same package,
            messages, nested types, fields (name, number, type, label, type_name, oneof,
            proto3_optional), enums (value names and numbers), services and methods (input,
            output, streaming flags). Plugin files must match exactly, in both directions.

``subset``  Reads an encoded FileDescriptorSet (the crate's FILE_DESCRIPTOR_SET) and checks that
            every ``spaceone/...`` file in it is a *subset* of the published file of the same
            name: every message, field, enum value, service and method we define exists upstream
            with the same number, type, label, type_name and oneof (trimmed core-service client
            files may omit things, never change them). Files matching ``--exact-prefix`` must be
            identical instead (plugin-side files are served verbatim).

The last line printed is ``RESULT <json>`` with the differences found and the call results.
Exit status: 0 when there is no difference and every call succeeded, 1 otherwise, 2 on usage
errors.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

MAX_MESSAGE = 256 * 1024 * 1024  # CloudForet's client limits
CHANNEL_READY_TIMEOUT = 3  # seconds, as python-core
UNARY_TIMEOUT = 180  # seconds, as python-core

# Reference modules for the non-spaceone files a plugin server serves, keyed by proto package.
INFRA_REFERENCE_MODULES = {
    "grpc.health.v1": "grpc_health.v1.health_pb2",
    "grpc.reflection.v1alpha": "grpc_reflection.v1alpha.reflection_pb2",
}
# Packages served without a published Python reference in the pinned tool set (resolved only).
NO_REFERENCE_PACKAGES = {"grpc.reflection.v1"}


# --------------------------------------------------------------------------------------------
# Descriptor comparison
# --------------------------------------------------------------------------------------------

LABELS = {v: k for k, v in descriptor_pb2.FieldDescriptorProto.Label.items()}
TYPES = {v: k for k, v in descriptor_pb2.FieldDescriptorProto.Type.items()}


def _tn(name: str) -> str:
    return name[1:] if name.startswith(".") else name


def field_signature(msg: descriptor_pb2.DescriptorProto, f: descriptor_pb2.FieldDescriptorProto):
    oneof = None
    if f.HasField("oneof_index") and not f.proto3_optional:
        oneof = msg.oneof_decl[f.oneof_index].name
    return {
        "number": f.number,
        "label": LABELS.get(f.label, f.label),
        "type": TYPES.get(f.type, f.type),
        "type_name": _tn(f.type_name),
        "oneof": oneof,
        "proto3_optional": bool(f.proto3_optional),
    }


def compare_enum(path, ours, theirs, subset, diffs):
    our_vals = {v.name: v.number for v in ours.value}
    their_vals = {v.name: v.number for v in theirs.value}
    for name, num in our_vals.items():
        if name not in their_vals:
            diffs.append(f"{path}: enum value {name}={num} does not exist upstream")
        elif their_vals[name] != num:
            diffs.append(f"{path}.{name}: number {num}, upstream {their_vals[name]}")
    if not subset:
        for name, num in their_vals.items():
            if name not in our_vals:
                diffs.append(f"{path}: missing enum value {name}={num}")


def compare_message(path, ours, theirs, subset, diffs):
    their_fields = {f.name: f for f in theirs.field}
    our_fields = {f.name: f for f in ours.field}
    for name, f in our_fields.items():
        if name not in their_fields:
            diffs.append(f"{path}: field `{name}` (#{f.number}) does not exist upstream")
            continue
        a = field_signature(ours, f)
        b = field_signature(theirs, their_fields[name])
        for key in a:
            if a[key] != b[key]:
                diffs.append(f"{path}.{name}: {key} is {a[key]!r}, upstream {b[key]!r}")
    if not subset:
        for name, f in their_fields.items():
            if name not in our_fields:
                diffs.append(f"{path}: missing field `{name}` (#{f.number})")
        our_oneofs = [o.name for o in ours.oneof_decl]
        their_oneofs = [o.name for o in theirs.oneof_decl]
        if sorted(our_oneofs) != sorted(their_oneofs):
            diffs.append(f"{path}: oneofs {our_oneofs}, upstream {their_oneofs}")
    compare_types(path, ours.nested_type, ours.enum_type, theirs.nested_type, theirs.enum_type,
                  subset, diffs)


def compare_types(prefix, our_msgs, our_enums, their_msgs, their_enums, subset, diffs):
    theirs_m = {m.name: m for m in their_msgs}
    ours_m = {m.name: m for m in our_msgs}
    for name, m in ours_m.items():
        path = f"{prefix}.{name}" if prefix else name
        if name not in theirs_m:
            diffs.append(f"{path}: message does not exist upstream")
        else:
            compare_message(path, m, theirs_m[name], subset, diffs)
    theirs_e = {e.name: e for e in their_enums}
    ours_e = {e.name: e for e in our_enums}
    for name, e in ours_e.items():
        path = f"{prefix}.{name}" if prefix else name
        if name not in theirs_e:
            diffs.append(f"{path}: enum does not exist upstream")
        else:
            compare_enum(path, e, theirs_e[name], subset, diffs)
    if not subset:
        for name in theirs_m.keys() - ours_m.keys():
            diffs.append(f"{prefix}.{name}: missing message")
        for name in theirs_e.keys() - ours_e.keys():
            diffs.append(f"{prefix}.{name}: missing enum")


def compare_service(path, ours, theirs, subset, diffs):
    theirs_m = {m.name: m for m in theirs.method}
    ours_m = {m.name: m for m in ours.method}
    for name, m in ours_m.items():
        if name not in theirs_m:
            diffs.append(f"{path}/{name}: method does not exist upstream")
            continue
        t = theirs_m[name]
        for key in ("input_type", "output_type"):
            a, b = _tn(getattr(m, key)), _tn(getattr(t, key))
            if a != b:
                diffs.append(f"{path}/{name}: {key} is {a}, upstream {b}")
        for key in ("client_streaming", "server_streaming"):
            a, b = bool(getattr(m, key)), bool(getattr(t, key))
            if a != b:
                diffs.append(f"{path}/{name}: {key} is {a}, upstream {b}")
    if not subset:
        for name in theirs_m.keys() - ours_m.keys():
            diffs.append(f"{path}: missing method {name}")


def compare_file(ours: descriptor_pb2.FileDescriptorProto,
                 theirs: descriptor_pb2.FileDescriptorProto, subset: bool, diffs: list):
    before = len(diffs)
    if ours.package != theirs.package:
        diffs.append(f"{ours.name}: package {ours.package}, upstream {theirs.package}")
    if ours.syntax != theirs.syntax:
        diffs.append(f"{ours.name}: syntax {ours.syntax!r}, upstream {theirs.syntax!r}")
    compare_types(ours.package, ours.message_type, ours.enum_type, theirs.message_type,
                  theirs.enum_type, subset, diffs)
    theirs_s = {s.name: s for s in theirs.service}
    for s in ours.service:
        path = f"{ours.package}.{s.name}"
        if s.name not in theirs_s:
            diffs.append(f"{path}: service does not exist upstream")
        else:
            compare_service(path, s, theirs_s[s.name], subset, diffs)
    if not subset:
        for name in theirs_s.keys() - {s.name for s in ours.service}:
            diffs.append(f"{ours.package}.{name}: missing service")
    return len(diffs) - before


def to_proto(file_descriptor) -> descriptor_pb2.FileDescriptorProto:
    fp = descriptor_pb2.FileDescriptorProto()
    file_descriptor.CopyToProto(fp)
    return fp


def reference_file(name: str, package: str):
    """The published FileDescriptorProto for one of our files, or None when there is none."""
    if name.startswith("spaceone/") and name.endswith(".proto"):
        module = name[: -len(".proto")].replace("/", ".") + "_pb2"
    elif name.startswith("google/protobuf/") and name.endswith(".proto"):
        module = name[: -len(".proto")].replace("/", ".") + "_pb2"
    elif package in INFRA_REFERENCE_MODULES:
        module = INFRA_REFERENCE_MODULES[package]
    else:
        return None
    return to_proto(importlib.import_module(module).DESCRIPTOR)


# --------------------------------------------------------------------------------------------
# plugin mode
# --------------------------------------------------------------------------------------------


def parse_call(spec: str):
    if "=" not in spec:
        raise SystemExit(f"bad call spec {spec!r}: expected Service.method=JSON")
    name, params = spec.split("=", 1)
    if "." not in name:
        raise SystemExit(f"bad call name {name!r}: expected Service.method")
    return name, json.loads(params)


def check_plugin(args) -> int:
    diffs: list[str] = []
    calls: dict[str, Any] = {}
    errors: list[str] = []
    compared: dict[str, str] = {}

    channel = grpc.insecure_channel(
        args.target,
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE),
            ("grpc.max_receive_message_length", MAX_MESSAGE),
        ],
    )
    try:
        grpc.channel_ready_future(channel).result(timeout=CHANNEL_READY_TIMEOUT)
    except grpc.FutureTimeoutError:
        print(f"channel to {args.target} not ready within {CHANNEL_READY_TIMEOUT} s")
        return finish(diffs, calls, [f"channel not ready within {CHANNEL_READY_TIMEOUT} s"], {})

    db = ProtoReflectionDescriptorDatabase(channel)
    pool = descriptor_pool.DescriptorPool(db)
    advertised = sorted(db.get_services())
    print(f"advertised services: {advertised}")

    expected = sorted(args.expect)
    if advertised != expected:
        diffs.append(f"advertised services {advertised}, expected {expected}")

    # Resolve every advertised service, as python-core does; one failure = plugin unusable.
    services = {}
    for name in advertised:
        try:
            services[name] = pool.FindServiceByName(name)
        except Exception as exc:  # noqa: BLE001 - report any resolution failure
            diffs.append(f"{name}: cannot be resolved over reflection: {exc!r}")

    # Every file reachable from a served service, compared with its published reference.
    seen = set()
    stack = [s.file for s in services.values()]
    while stack:
        fd = stack.pop()
        if fd.name in seen:
            continue
        seen.add(fd.name)
        stack.extend(fd.dependencies)
        if fd.package in NO_REFERENCE_PACKAGES:
            print(f"  {fd.name}: resolved (no published reference to compare with)")
            compared[fd.name] = "resolved only"
            continue
        try:
            theirs = reference_file(fd.name, fd.package)
        except Exception as exc:  # noqa: BLE001
            diffs.append(f"{fd.name}: cannot load the published reference: {exc!r}")
            continue
        if theirs is None:
            diffs.append(f"{fd.name}: served file has no published reference")
            continue
        n = compare_file(to_proto(fd), theirs, subset=False, diffs=diffs)
        print(f"  {fd.name}: compared with {theirs.name}: {n} difference(s)")
        compared[fd.name] = theirs.name

    # Calls, built from the reflected descriptors like the core does.
    for kind, specs in (("unary", args.unary), ("stream", args.stream)):
        for spec in specs:
            name, params = parse_call(spec)
            short_service, method_name = name.split(".", 1)
            svc = next((s for s in services.values() if s.name == short_service), None)
            if svc is None:
                errors.append(f"{name}: service {short_service} not served")
                continue
            method = svc.methods_by_name.get(method_name)
            if method is None:
                errors.append(f"{name}: no such method")
                continue
            req_cls = message_factory.GetMessageClass(method.input_type)
            res_cls = message_factory.GetMessageClass(method.output_type)
            try:
                request = json_format.ParseDict(params, req_cls())
            except json_format.ParseError as exc:
                errors.append(f"{name}: request does not fit the reflected descriptor: {exc}")
                continue
            path = f"/{svc.full_name}/{method_name}"
            metadata = [("token", "NO_TOKEN")]
            try:
                if kind == "unary":
                    if method.server_streaming:
                        errors.append(f"{name}: is server-streaming; use --stream")
                        continue
                    rpc = channel.unary_unary(
                        path,
                        request_serializer=req_cls.SerializeToString,
                        response_deserializer=res_cls.FromString,
                    )
                    response = rpc(request, metadata=metadata, timeout=UNARY_TIMEOUT)
                    calls[name] = json_format.MessageToDict(
                        response, preserving_proto_field_name=True
                    )
                else:
                    if not method.server_streaming:
                        errors.append(f"{name}: is unary; use --unary")
                        continue
                    rpc = channel.unary_stream(
                        path,
                        request_serializer=req_cls.SerializeToString,
                        response_deserializer=res_cls.FromString,
                    )
                    calls[name] = [
                        json_format.MessageToDict(r, preserving_proto_field_name=True)
                        for r in rpc(request, metadata=metadata)
                    ]
                print(f"  call {name}: ok")
            except grpc.RpcError as exc:
                errors.append(f"{name}: {exc.code().name}: {exc.details()}")

    channel.close()
    return finish(diffs, calls, errors, compared)


# --------------------------------------------------------------------------------------------
# subset mode
# --------------------------------------------------------------------------------------------


def check_subset(args) -> int:
    diffs: list[str] = []
    compared: dict[str, str] = {}
    with open(args.fds, "rb") as fh:
        fds = descriptor_pb2.FileDescriptorSet.FromString(fh.read())
    checked = 0
    for fp in fds.file:
        if not fp.name.startswith("spaceone/"):
            continue
        try:
            theirs = reference_file(fp.name, fp.package)
        except Exception as exc:  # noqa: BLE001
            diffs.append(f"{fp.name}: cannot load the published reference: {exc!r}")
            continue
        exact = any(fp.name.startswith(prefix) for prefix in args.exact_prefix)
        n = compare_file(fp, theirs, subset=not exact, diffs=diffs)
        checked += 1
        how = "identical to" if exact else "subset of"
        print(f"  {fp.name}: {how} upstream: {n} difference(s)")
        compared[fp.name] = how
    if checked == 0:
        diffs.append("no spaceone/ files in the descriptor set")
    return finish(diffs, {}, [], compared)


def finish(diffs, calls, errors, compared) -> int:
    for d in diffs:
        print(f"DIFF {d}")
    for e in errors:
        print(f"CALL-ERROR {e}")
    print(f"{len(diffs)} difference(s), {len(errors)} call error(s)")
    print("RESULT " + json.dumps(
        {"differences": diffs, "errors": errors, "calls": calls, "compared": compared}
    ))
    return 0 if not diffs and not errors else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("plugin", help="check a running plugin server")
    p.add_argument("--target", required=True, help="host:port of the plugin server")
    p.add_argument("--expect", nargs="+", required=True,
                   help="full names of every service the server must advertise")
    p.add_argument("--unary", action="append", default=[], metavar="Service.method=JSON")
    p.add_argument("--stream", action="append", default=[], metavar="Service.method=JSON")
    s = sub.add_parser("subset", help="check client protos are a subset of upstream")
    s.add_argument("--fds", required=True, help="encoded FileDescriptorSet")
    s.add_argument("--exact-prefix", action="append", default=[], metavar="PATH_PREFIX",
                   help="files whose name starts with this must match upstream exactly")
    args = parser.parse_args()
    return check_plugin(args) if args.mode == "plugin" else check_subset(args)


if __name__ == "__main__":
    sys.exit(main())
