//! Static sanity checks of the deployment files (`examples/deploy/`), cheap enough for CI where
//! neither Docker nor Helm is installed.
//!
//! - Helm chart: every `.Values.x.y` path used by a template exists in `values.yaml`; template
//!   actions are balanced (`{{`/`}}`, blocks and `end`); `Chart.yaml` names the chart like its
//!   directory; probes are native gRPC probes on the plugin port; the security context is
//!   non-root with a read-only root file system.
//! - Dockerfile: multi-stage, distroless non-root final image, `EXPOSE 50051`, and the
//!   `nutanix-${PLUGIN}-plugin` binaries it can build are `[[bin]]` targets of this crate.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy")
}

fn chart_dir() -> PathBuf {
    deploy_dir().join("helm/nutanix-cloudforet-plugin")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every dotted key path defined in a (block-style) YAML mapping, e.g. `metrics.service.enabled`.
/// Enough for `values.yaml`: mappings by indentation, comments, scalars, lists and `{}`/`[]`.
fn yaml_key_paths(text: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    for raw in text.lines() {
        let line = raw.split(" #").next().unwrap_or("").trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("- ") {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let Some((key, _)) = trimmed.split_once(':') else {
            continue;
        };
        if key.contains(' ') || key.starts_with('"') {
            continue;
        }
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let path = stack
            .iter()
            .map(|(_, k)| k.as_str())
            .chain([key])
            .collect::<Vec<_>>()
            .join(".");
        paths.insert(path);
        stack.push((indent, key.to_owned()));
    }
    paths
}

/// `.Values.a.b.c` references in a template.
fn values_refs(template: &str) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let mut rest = template;
    while let Some(pos) = rest.find(".Values.") {
        let after = &rest[pos + ".Values.".len()..];
        let path: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
            .collect();
        refs.insert(path.trim_end_matches('.').to_owned());
        rest = after;
    }
    refs
}

fn templates() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(chart_dir().join("templates"))
        .expect("templates dir")
        .map(|e| e.expect("dir entry").path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                read(&p),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn yaml_key_paths_reads_nested_mappings() {
    let paths = yaml_key_paths("a:\n  b: 1 # c: 2\n  d:\n    - x\n  e: {}\nf: [] # g\n");
    let expected: BTreeSet<String> = ["a", "a.b", "a.d", "a.e", "f"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(paths, expected);
    assert_eq!(
        values_refs("{{ .Values.a.b }} {{- with .Values.c }}{{ .Values.d_e.f | quote }}"),
        ["a.b", "c", "d_e.f"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    );
}

#[test]
fn chart_templates_reference_only_defined_values() {
    let values = yaml_key_paths(&read(&chart_dir().join("values.yaml")));
    let mut missing = Vec::new();
    let mut used = 0;
    for (name, text) in templates() {
        for r in values_refs(&text) {
            used += 1;
            if !values.contains(&r) {
                missing.push(format!("{name}: .Values.{r}"));
            }
        }
    }
    assert!(used > 20, "templates use only {used} values?");
    assert!(missing.is_empty(), "not in values.yaml: {missing:#?}");
}

#[test]
fn chart_template_actions_are_balanced() {
    for (name, text) in templates() {
        assert_eq!(
            text.matches("{{").count(),
            text.matches("}}").count(),
            "{name}: unbalanced {{{{ }}}}"
        );
        let mut opened = 0usize;
        let mut closed = 0usize;
        for action in text.split("{{").skip(1) {
            let body = action
                .split("}}")
                .next()
                .unwrap_or("")
                .trim_start_matches('-')
                .trim();
            let word = body.split_whitespace().next().unwrap_or("");
            match word {
                "if" | "with" | "range" | "define" | "block" => opened += 1,
                "end" => closed += 1,
                _ => {}
            }
        }
        assert_eq!(
            opened, closed,
            "{name}: {opened} blocks opened, {closed} ended"
        );
    }
}

#[test]
fn chart_metadata_and_hardening() {
    let chart = read(&chart_dir().join("Chart.yaml"));
    assert!(chart.contains("apiVersion: v2"), "{chart}");
    assert!(chart.contains("name: nutanix-cloudforet-plugin"), "{chart}");
    let values = read(&chart_dir().join("values.yaml"));
    for needle in [
        "kind: inventory",
        "port: 50051",
        "runAsNonRoot: true",
        "readOnlyRootFilesystem: true",
        "allowPrivilegeEscalation: false",
    ] {
        assert!(values.contains(needle), "values.yaml lacks `{needle}`");
    }
    let deployment = read(&chart_dir().join("templates/deployment.yaml"));
    assert_eq!(
        deployment
            .matches("grpc:\n              port: {{ .Values.plugin.port }}")
            .count(),
        3,
        "startup, liveness and readiness probes are native gRPC probes on the plugin port"
    );
    let helpers = read(&chart_dir().join("templates/_helpers.tpl"));
    assert!(
        helpers.contains(r#"(list "inventory" "cost" "monitoring")"#),
        "plugin.kind is validated"
    );
    let service = read(&chart_dir().join("templates/service.yaml"));
    assert!(service.contains("targetPort: grpc"), "{service}");
}

#[test]
fn dockerfile_builds_existing_binaries_into_a_non_root_image() {
    let docker = read(&deploy_dir().join("Dockerfile"));
    let froms: Vec<&str> = docker.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "multi-stage: {froms:?}");
    assert!(froms[0].contains("rust:"), "{froms:?}");
    assert!(
        froms[1].contains("distroless/cc") && froms[1].contains(":nonroot"),
        "{froms:?}"
    );
    assert!(docker.contains("\nEXPOSE 50051"), "EXPOSE 50051");
    assert!(
        docker.contains("\nUSER 65532:65532"),
        "numeric non-root user"
    );
    assert!(
        !docker.contains("HEALTHCHECK "),
        "k8s gRPC probes, no HEALTHCHECK"
    );
    assert!(
        docker.contains(r#"--bin "nutanix-${PLUGIN}-plugin""#),
        "builds the binary chosen by PLUGIN"
    );

    // Every PLUGIN value the Dockerfile accepts names a binary target of this crate.
    let manifest = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    let bins: BTreeSet<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .collect();
    let missing: Vec<String> = ["inventory", "cost", "monitoring"]
        .iter()
        .map(|k| format!("nutanix-{k}-plugin"))
        .filter(|b| !bins.contains(b.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "examples/Cargo.toml has no [[bin]] for {missing:?}"
    );
}
