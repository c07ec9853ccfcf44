#!/usr/bin/env bash
# Checks what can be checked without a Docker engine: both YAML files parse, the compose services and the collector
# pipelines reference only things that exist. The .NET test DeploymentFilesTests checks the Dockerfile against the
# repository (same publish command the tests build, non-root, health check on /healthz).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
python3 - <<'PY'
import yaml
compose = yaml.safe_load(open("docker-compose.yml"))
services = compose["services"]
assert set(services) == {"bridge", "collector", "jaeger"}, services
for name, service in services.items():
    for dependency in service.get("depends_on", []):
        assert dependency in services, f"{name} depends on unknown {dependency}"
assert services["bridge"]["build"]["dockerfile"] == "docker/Dockerfile"
assert "OTEL_EXPORTER_OTLP_ENDPOINT" in services["bridge"]["environment"]
collector = yaml.safe_load(open("otel-collector.yaml"))
for name, pipeline in collector["service"]["pipelines"].items():
    for kind in ("receivers", "processors", "exporters"):
        for component in pipeline.get(kind, []):
            assert component in collector[kind], f"pipeline {name}: {kind[:-1]} {component} is not defined"
print("docker-compose.yml and otel-collector.yaml parse; services and pipelines are consistent")
PY
