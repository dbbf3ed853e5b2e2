#!/usr/bin/env python3
"""Drive one running Nutanix CloudForet plugin exactly the way CloudForet core does.

Used by ``examples/tests/e2e_python.rs``; runs in the conformance venv (``scripts/python-venv.sh``:
grpcio, grpcio-reflection, protobuf 5.29, CloudForet's published ``spaceone-api`` stubs).

How the core calls a plugin (python-core ``GRPCClient``), reproduced here:

* wait at most 3 s for the channel to become ready;
* list the services over gRPC reflection **v1alpha** and resolve **every** advertised service
  (one unresolvable service makes the plugin unusable);
* build each request from the *reflected* descriptors with ``ParseDict`` (unknown fields are an
  error, as in the core) and read answers with ``MessageToDict(preserving_proto_field_name=True)``;
* send metadata ``token: NO_TOKEN`` on every call; unary calls get the core's 180 s deadline,
  streams none.

Call sequences (``--kind``):

``inventory``   Collector.init -> Collector.verify -> Job.get_tasks -> Collector.collect per task.
                Every record is checked against CloudForet's rules: explicit state, match_rules,
                non-empty reference.resource_id, required keys, a type record for every
                (provider, group, type) used, a region record for every region_code, stream order
                (types first, regions last).
``cost``        DataSource.init (currency) -> DataSource.verify -> Job.get_tasks (start given)
                -> Cost.get_data per task (pages <= 1000 records, billed_date YYYY-MM-DD, ...).
``monitoring``  DataSource.init (required_keys, supported_stat) -> DataSource.verify
                -> Metric.list with ``--query`` (a collected VM's data.nutanix) -> Metric.get_data
                for every listed metric (labels are ISO timestamps, values aligned with labels).

``--error-case`` runs extra calls expected to fail (bad secrets) and checks the gRPC status code,
the ``ERROR_*`` prefix of the details, text that must appear and text that must not (a secret).

Output: exactly one line on stdout, the JSON summary (counts and ``violations``); progress goes to
stderr. Exit status 0 when there is no violation, 1 otherwise, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from collections import Counter, defaultdict
from typing import Any

import grpc
from google.protobuf import descriptor_pool, json_format, message_factory
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

MAX_MESSAGE = 256 * 1024 * 1024  # python-core channel limits
CHANNEL_READY_TIMEOUT = 3  # seconds, as python-core
UNARY_TIMEOUT = 180  # seconds, as python-core
METADATA = [("token", "NO_TOKEN")]

SERVICES = {
    "inventory": [
        "spaceone.api.inventory.plugin.Collector",
        "spaceone.api.inventory.plugin.Job",
    ],
    "cost": [
        "spaceone.api.cost_analysis.plugin.DataSource",
        "spaceone.api.cost_analysis.plugin.Job",
        "spaceone.api.cost_analysis.plugin.Cost",
    ],
    "monitoring": [
        "spaceone.api.monitoring.plugin.DataSource",
        "spaceone.api.monitoring.plugin.Metric",
    ],
}

TYPE_RULE = ["name", "group", "provider"]
SERVICE_RULE_KEYS = {"reference.resource_id", "provider", "cloud_service_type", "cloud_service_group"}
BILLED_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
ISO_LABEL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class CallError(Exception):
    """A gRPC call failed; keeps the status code name and details."""

    def __init__(self, method: str, code: str, details: str):
        super().__init__(f"{method}: {code}: {details}")
        self.method = method
        self.code = code
        self.details = details


class Plugin:
    """A reflection-based client of one plugin server, like python-core's GRPCClient."""

    def __init__(self, target: str):
        self.channel = grpc.insecure_channel(
            target,
            options=[
                ("grpc.max_send_message_length", MAX_MESSAGE),
                ("grpc.max_receive_message_length", MAX_MESSAGE),
            ],
        )
        grpc.channel_ready_future(self.channel).result(timeout=CHANNEL_READY_TIMEOUT)
        db = ProtoReflectionDescriptorDatabase(self.channel)
        pool = descriptor_pool.DescriptorPool(db)
        self.advertised = sorted(db.get_services())
        self.services = {}
        self.unresolved = []
        for name in self.advertised:
            try:
                svc = pool.FindServiceByName(name)
            except Exception as exc:  # noqa: BLE001 - any resolution failure is fatal in the core
                self.unresolved.append(f"{name}: {exc!r}")
                continue
            # The core keys services by short name (rule: one plugin type per server).
            self.services[svc.name] = svc

    def _method(self, name: str):
        short, method_name = name.split(".", 1)
        svc = self.services.get(short)
        if svc is None:
            raise CallError(name, "CLIENT", f"service {short} is not served")
        method = svc.methods_by_name.get(method_name)
        if method is None:
            raise CallError(name, "CLIENT", f"{svc.full_name} has no method {method_name}")
        req_cls = message_factory.GetMessageClass(method.input_type)
        res_cls = message_factory.GetMessageClass(method.output_type)
        return svc, method, req_cls, res_cls

    def _request(self, name: str, req_cls, params: dict):
        try:
            return json_format.ParseDict(params, req_cls())
        except json_format.ParseError as exc:
            raise CallError(name, "CLIENT", f"request does not fit the reflected descriptor: {exc}")

    def unary(self, name: str, params: dict) -> dict:
        svc, method, req_cls, res_cls = self._method(name)
        if method.server_streaming:
            raise CallError(name, "CLIENT", "method is server-streaming")
        request = self._request(name, req_cls, params)
        rpc = self.channel.unary_unary(
            f"/{svc.full_name}/{method.name}",
            request_serializer=req_cls.SerializeToString,
            response_deserializer=res_cls.FromString,
        )
        try:
            response = rpc(request, metadata=METADATA, timeout=UNARY_TIMEOUT)
        except grpc.RpcError as exc:
            raise CallError(name, exc.code().name, exc.details() or "") from None
        return json_format.MessageToDict(response, preserving_proto_field_name=True)

    def stream(self, name: str, params: dict):
        """Yields each streamed message as a dict (no deadline, as the core)."""
        svc, method, req_cls, res_cls = self._method(name)
        if not method.server_streaming:
            raise CallError(name, "CLIENT", "method is unary")
        request = self._request(name, req_cls, params)
        rpc = self.channel.unary_stream(
            f"/{svc.full_name}/{method.name}",
            request_serializer=req_cls.SerializeToString,
            response_deserializer=res_cls.FromString,
        )
        try:
            for message in rpc(request, metadata=METADATA):
                yield json_format.MessageToDict(message, preserving_proto_field_name=True)
        except grpc.RpcError as exc:
            raise CallError(name, exc.code().name, exc.details() or "") from None

    def close(self):
        self.channel.close()


def dotted(record: dict, path: str):
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


# --------------------------------------------------------------------------------------------
# inventory
# --------------------------------------------------------------------------------------------


def check_record(rec: dict, where: str, v: list) -> None:
    state = rec.get("state")
    if state not in ("SUCCESS", "FAILURE"):
        v.append(f"{where}: state is {state!r} (must be set explicitly to SUCCESS or FAILURE)")
    rules = rec.get("match_rules")
    if not isinstance(rules, dict) or not rules:
        v.append(f"{where}: match_rules missing or empty")
        rules = {}
    for key, keys in rules.items():
        if not key.isdigit() or not isinstance(keys, list) or not keys:
            v.append(f"{where}: match_rules[{key!r}] must be a non-empty list under an integer key")
    rtype = rec.get("resource_type")
    res = rec.get("resource")
    if not isinstance(res, dict):
        v.append(f"{where}: resource missing")
        return
    if state == "FAILURE":
        if rtype != "inventory.ErrorResource":
            v.append(f"{where}: FAILURE record with resource_type {rtype!r}")
        if not rec.get("message"):
            v.append(f"{where}: FAILURE record without message")
        return
    # SUCCESS: every key named by the match rules must be truthy (else the match widens).
    for keys in rules.values():
        for key in keys if isinstance(keys, list) else []:
            if not dotted(res, key):
                v.append(f"{where}: match key {key} is empty or missing")
    if rtype == "inventory.CloudServiceType":
        if sorted(rules.get("1", [])) != sorted(TYPE_RULE):
            v.append(f"{where}: CloudServiceType match_rules {rules}")
        for key in TYPE_RULE:
            if not res.get(key):
                v.append(f"{where}: CloudServiceType without {key}")
    elif rtype == "inventory.CloudService":
        if set(rules.get("1", [])) != SERVICE_RULE_KEYS:
            v.append(f"{where}: CloudService match_rules {rules}")
        for key in ("cloud_service_type", "cloud_service_group", "provider", "name"):
            if not res.get(key):
                v.append(f"{where}: CloudService without {key}")
        if not dotted(res, "reference.resource_id"):
            v.append(f"{where}: CloudService with empty reference.resource_id")
        if not isinstance(res.get("data"), dict) and not res.get("json_data"):
            v.append(f"{where}: CloudService without data")
    elif rtype == "inventory.Region":
        if set(rules.get("1", [])) != {"provider", "region_code"}:
            v.append(f"{where}: Region match_rules {rules}")
        for key in ("name", "region_code", "provider"):
            if not res.get(key):
                v.append(f"{where}: Region without {key}")
    else:
        v.append(f"{where}: resource_type {rtype!r} is not accepted by the inventory")


def drive_inventory(p: Plugin, args, summary: dict, v: list) -> None:
    options = args.options
    secret = args.secret
    info = p.unary("Collector.init", {"options": options})
    meta = info.get("metadata", {})
    summary["init"] = {
        "supported_resource_type": meta.get("supported_resource_type"),
        "supported_features": meta.get("supported_features"),
        "supported_schedules": meta.get("supported_schedules"),
        "has_options_schema": isinstance(meta.get("options_schema"), dict),
        "filter_format": meta.get("filter_format"),
    }
    for key in ("supported_resource_type", "supported_schedules"):
        if not isinstance(meta.get(key), list) or not meta.get(key):
            v.append(f"Collector.init: metadata.{key} must be a non-empty list")
    if not isinstance(meta.get("options_schema"), dict):
        v.append("Collector.init: metadata.options_schema must be a JSON schema object")

    if p.unary("Collector.verify", {"options": options, "secret_data": secret}) != {}:
        v.append("Collector.verify: expected Empty")

    tasks = p.unary("Job.get_tasks", {"secret_data": secret, "options": options}).get("tasks", [])
    summary["tasks"] = len(tasks)
    if not tasks:
        v.append("Job.get_tasks: no task")

    by_type: Counter = Counter()
    by_state: Counter = Counter()
    by_service: Counter = Counter()
    type_keys = set()
    used_types = set()
    region_codes_used = set()
    regions = set()
    seen_ids: Counter = Counter()
    failures = []
    sample = None
    records = 0
    started = time.monotonic()
    for t, task in enumerate(tasks or [{}]):
        params = {"options": options, "secret_data": secret, "filter": {}}
        if task.get("task_options"):
            params["task_options"] = task["task_options"]
        phase = 0  # 0 = types, 1 = services, 2 = regions
        for i, rec in enumerate(p.stream("Collector.collect", params)):
            records += 1
            where = f"task {t} record {i}"
            check_record(rec, where, v)
            rtype = rec.get("resource_type", "")
            state = rec.get("state", "NONE")
            res = rec.get("resource") or {}
            by_type[rtype] += 1
            by_state[state] += 1
            if state == "FAILURE":
                failures.append(rec.get("message", ""))
                continue
            order = {"inventory.CloudServiceType": 0, "inventory.Region": 2}.get(rtype, 1)
            if order < phase:
                v.append(f"{where}: {rtype} after a later kind (types first, regions last)")
            phase = max(phase, order)
            if rtype == "inventory.CloudServiceType":
                type_keys.add((res.get("provider"), res.get("group"), res.get("name")))
            elif rtype == "inventory.CloudService":
                group, ctype = res.get("cloud_service_group"), res.get("cloud_service_type")
                by_service[f"{group}.{ctype}"] += 1
                used_types.add((res.get("provider"), group, ctype))
                if res.get("region_code"):
                    region_codes_used.add((res.get("provider"), res["region_code"]))
                seen_ids[(group, ctype, dotted(res, "reference.resource_id"))] += 1
                if ctype == "VirtualMachine" and sample is None:
                    sample = {
                        "cloud_service_id": dotted(res, "reference.resource_id"),
                        "region_code": res.get("region_code"),
                        "nutanix": dotted(res, "data.nutanix"),
                    }
            elif rtype == "inventory.Region":
                regions.add((res.get("provider"), res.get("region_code")))
    elapsed = time.monotonic() - started

    for missing in sorted(used_types - type_keys, key=str):
        v.append(f"no CloudServiceType record for {missing}")
    for missing in sorted(region_codes_used - regions, key=str):
        v.append(f"no Region record for region_code {missing}")
    dups = [k for k, n in seen_ids.items() if n > 1]
    if dups:
        v.append(f"{len(dups)} CloudService(s) streamed more than once, e.g. {dups[0]}")
    if sample is None or not isinstance(sample.get("nutanix"), dict) or not sample["nutanix"]:
        v.append("no VirtualMachine record with data.nutanix (the monitoring required key)")

    summary["collect"] = {
        "records": records,
        "by_resource_type": dict(by_type),
        "by_state": dict(by_state),
        "by_cloud_service": dict(by_service),
        "type_records": len(type_keys),
        "regions": len(regions),
        "region_codes_used": len(region_codes_used),
        "failures": failures[:20],
        "seconds": round(elapsed, 3),
    }
    summary["sample_vm"] = sample


# --------------------------------------------------------------------------------------------
# cost
# --------------------------------------------------------------------------------------------


def drive_cost(p: Plugin, args, summary: dict, v: list) -> None:
    options = args.options
    secret = args.secret
    domain = "domain-e2e"
    meta = p.unary("DataSource.init", {"options": options, "domain_id": domain}).get("metadata", {})
    summary["init"] = {
        "currency": meta.get("currency"),
        "supported_secret_types": meta.get("supported_secret_types"),
        "data_source_rules": len(meta.get("data_source_rules") or []),
    }
    if meta.get("currency") not in ("USD", "KRW", "JPY"):
        v.append(f"DataSource.init: metadata.currency is {meta.get('currency')!r}")
    if not isinstance(meta.get("supported_secret_types"), list) or not meta["supported_secret_types"]:
        v.append("DataSource.init: metadata.supported_secret_types must be a non-empty list")

    verify = {"options": options, "secret_data": secret, "schema": "", "domain_id": domain}
    if p.unary("DataSource.verify", verify) != {}:
        v.append("DataSource.verify: expected Empty")

    # The core injects options.secret_type and sends the user's start month.
    job_options = dict(options, secret_type="MANUAL")
    req = {
        "options": job_options,
        "secret_data": secret,
        "schema": "",
        "start": args.start,
        "domain_id": domain,
    }
    answer = p.unary("Job.get_tasks", req)
    tasks = answer.get("tasks", [])
    changed = answer.get("changed", [])
    summary["tasks"] = len(tasks)
    summary["changed"] = changed
    if not tasks:
        v.append("Job.get_tasks: no task")
    for c in changed:
        if not MONTH.match(c.get("start", "")):
            v.append(f"Job.get_tasks: changed.start {c.get('start')!r} is not YYYY-MM")
    if not changed and not any(t.get("task_changed") for t in tasks):
        v.append("Job.get_tasks: neither changed nor task_changed windows")

    per_month: dict = defaultdict(lambda: {"records": 0, "cost": 0.0, "resources": set()})
    by_usage: Counter = Counter()
    pages = 0
    max_page = 0
    records = 0
    for t, task in enumerate(tasks):
        params = {
            "options": job_options,
            "secret_data": secret,
            "schema": "",
            "task_options": task.get("task_options", {}),
            "domain_id": domain,
        }
        for page in p.stream("Cost.get_data", params):
            pages += 1
            results = page.get("results", [])
            max_page = max(max_page, len(results))
            if len(results) > 1000:
                v.append(f"task {t}: a page of {len(results)} records (> 1000)")
            for r in results:
                records += 1
                billed = r.get("billed_date", "")
                where = f"task {t} record {records}"
                if not BILLED_DATE.match(billed):
                    v.append(f"{where}: billed_date {billed!r} is not YYYY-MM-DD")
                    continue
                try:
                    dt.date.fromisoformat(billed)
                except ValueError:
                    v.append(f"{where}: billed_date {billed!r} is not a date")
                cost = r.get("cost", 0.0)
                if cost < 0:
                    v.append(f"{where}: negative cost {cost}")
                for key in ("provider", "region_code", "resource", "usage_type", "usage_unit"):
                    if not r.get(key):
                        v.append(f"{where}: {key} missing")
                month = per_month[billed[:7]]
                month["records"] += 1
                month["cost"] += cost
                month["resources"].add(r.get("resource"))
                by_usage[r.get("usage_type", "")] += 1
                if len(v) > 200:
                    raise RuntimeError("too many violations; stopping")
    summary["get_data"] = {
        "records": records,
        "pages": pages,
        "max_page": max_page,
        "by_usage_type": dict(by_usage),
        "by_month": {
            m: {"records": d["records"], "cost": round(d["cost"], 6), "resources": len(d["resources"])}
            for m, d in sorted(per_month.items())
        },
    }


# --------------------------------------------------------------------------------------------
# monitoring
# --------------------------------------------------------------------------------------------


def iso_ms(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def drive_monitoring(p: Plugin, args, summary: dict, v: list) -> None:
    options = args.options
    secret = args.secret
    meta = p.unary("DataSource.init", {"options": options}).get("metadata", {})
    required = meta.get("required_keys")
    stats = meta.get("supported_stat")
    summary["init"] = {
        "required_keys": required,
        "supported_stat": stats,
        "supported_providers": meta.get("supported_providers"),
    }
    if not isinstance(required, list) or not required:
        v.append("DataSource.init: metadata.required_keys must be a non-empty list")
    if not isinstance(stats, list) or not stats:
        v.append("DataSource.init: metadata.supported_stat must be a non-empty list")
        stats = ["AVERAGE"]

    if p.unary("DataSource.verify", {"options": options, "secret_data": secret, "schema": ""}) != {}:
        v.append("DataSource.verify: expected Empty")

    if args.query is None:
        v.append("no --query given (a collected VM's data.nutanix)")
        return
    listed = p.unary(
        "Metric.list", {"options": options, "secret_data": secret, "query": args.query, "schema": ""}
    )
    metrics = listed.get("metrics", [])
    summary["metrics"] = sorted(m.get("key", "") for m in metrics)
    if not metrics:
        v.append("Metric.list: no metric")

    cs_id = args.cloud_service_id
    end = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    start = end - dt.timedelta(hours=1)
    stat = "AVERAGE" if "AVERAGE" in stats else stats[0]
    points = {}
    for m in metrics:
        key = m.get("key")
        for field in ("key", "name"):
            if not m.get(field):
                v.append(f"Metric.list: a metric without {field}: {m}")
        query = dict(m.get("metric_query") or {})
        # The core re-keys the query by cloud_service_id and injects region_name.
        query["region_name"] = args.region_name or ""
        req = {
            "options": options,
            "secret_data": secret,
            "metric_query": {cs_id: query},
            "metric": key,
            "start": iso_ms(start),
            "end": iso_ms(end),
            "stat": stat,
            "schema": "",
        }
        data = p.unary("Metric.get_data", req)
        labels = data.get("labels", [])
        values = data.get("values", {})
        points[key] = len(labels)
        if not labels:
            v.append(f"Metric.get_data {key}: no labels")
        for label in labels:
            if not isinstance(label, str) or not ISO_LABEL.match(label):
                v.append(f"Metric.get_data {key}: label {label!r} is not YYYY-MM-DDTHH:MM:SS.mmmZ")
                break
        if set(values) != {cs_id}:
            v.append(f"Metric.get_data {key}: values keyed by {sorted(values)}, expected [{cs_id}]")
        for k, series in values.items():
            if not isinstance(series, list) or len(series) != len(labels):
                n = len(series) if isinstance(series, list) else series
                v.append(f"Metric.get_data {key}: {k} has {n} values for {len(labels)} labels")
            elif any(not isinstance(x, (int, float)) for x in series):
                v.append(f"Metric.get_data {key}: non-numeric values")
    summary["get_data"] = {"stat": stat, "points": points}


# --------------------------------------------------------------------------------------------
# error cases
# --------------------------------------------------------------------------------------------


def run_error_cases(p: Plugin, cases: list, summary: dict, v: list) -> None:
    results = {}
    for case in cases:
        name = case["name"]
        try:
            if case.get("stream"):
                for _ in p.stream(case["method"], case["params"]):
                    pass
            else:
                p.unary(case["method"], case["params"])
            v.append(f"error case {name}: {case['method']} succeeded, expected {case['code']}")
            results[name] = {"code": "OK"}
            continue
        except CallError as exc:
            results[name] = {"code": exc.code, "details": exc.details}
            if exc.code != case["code"]:
                v.append(f"error case {name}: status {exc.code}, expected {case['code']}: {exc.details}")
            if not exc.details.startswith(case["prefix"] + ":"):
                v.append(f"error case {name}: details {exc.details!r} do not start with {case['prefix']}:")
            for text in case.get("contains", []):
                if text not in exc.details:
                    v.append(f"error case {name}: details {exc.details!r} do not mention {text!r}")
            for text in case.get("absent", []):
                if text in exc.details:
                    v.append(f"error case {name}: details leak a secret value")
                    results[name]["details"] = "<redacted: leaked a secret>"
    summary["error_cases"] = results


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", required=True, choices=sorted(SERVICES))
    parser.add_argument("--target", required=True, help="host:port of the plugin server")
    parser.add_argument("--secret", required=True, type=json.loads, help="secret_data JSON")
    parser.add_argument("--options", default={}, type=json.loads, help="options JSON")
    parser.add_argument("--start", default="", help="cost: Job.get_tasks start (YYYY-MM)")
    parser.add_argument("--query", type=json.loads, help="monitoring: Metric.list query JSON")
    parser.add_argument("--cloud-service-id", default="cloud-svc-e2e", help="monitoring")
    parser.add_argument("--region-name", default="", help="monitoring: injected region_name")
    parser.add_argument(
        "--error-cases",
        default=[],
        type=json.loads,
        help='JSON list of {"name","method","params","code","prefix","contains"?,"absent"?,"stream"?}',
    )
    args = parser.parse_args()

    summary: dict = {"kind": args.kind, "target": args.target}
    violations: list[str] = []
    try:
        p = Plugin(args.target)
    except grpc.FutureTimeoutError:
        violations.append(f"channel to {args.target} not ready within {CHANNEL_READY_TIMEOUT} s")
        summary["violations"] = violations
        print(json.dumps(summary))
        return 1
    summary["advertised"] = p.advertised
    for u in p.unresolved:
        violations.append(f"cannot resolve over reflection: {u}")
    for name in SERVICES[args.kind]:
        if name not in p.advertised:
            violations.append(f"service {name} is not advertised")
    try:
        {"inventory": drive_inventory, "cost": drive_cost, "monitoring": drive_monitoring}[args.kind](
            p, args, summary, violations
        )
    except CallError as exc:
        violations.append(f"call failed: {exc}")
    except RuntimeError as exc:
        violations.append(str(exc))
    try:
        run_error_cases(p, args.error_cases, summary, violations)
    except CallError as exc:
        violations.append(f"error cases: {exc}")
    p.close()
    summary["violations"] = violations
    for line in violations:
        log(f"VIOLATION {line}")
    print(json.dumps(summary, sort_keys=True))
    return 0 if not violations else 1


if __name__ == "__main__":
    sys.exit(main())
