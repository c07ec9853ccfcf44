#!/usr/bin/env bash
# Checks what can be checked without a Docker engine (none runs on our build machines):
# - both YAML files parse; the compose services and the collector pipelines reference only things that exist;
# - the Dockerfile's runtime stage is consistent with itself: a non-root USER, a data VOLUME created and owned by that
#   user before it is declared, Audit__Directory inside that volume, the HEALTHCHECK probing /readyz on the port the
#   server listens on and the image exposes;
# - compose mounts a named volume at that data directory and passes the admin key from a variable, not a literal.
# The .NET test DeploymentFilesTests checks the Dockerfile against the repository (the published project is the one
# the tests build, every COPY source exists) and runs the same consistency checks, so CI holds them without python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
python3 - <<'PY'
import re
import yaml

# Dockerfile: join continuation lines, drop comments, keep the last (runtime) stage.
lines, pending = [], ""
for raw in open("Dockerfile").read().splitlines():
    line = raw.strip()
    if not pending and (not line or line.startswith("#")):
        continue
    if line.endswith("\\"):
        pending += line[:-1] + " "
        continue
    lines.append(pending + line)
    pending = ""
stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
assert len(stages) >= 2, "multi-stage: an SDK stage builds, a runtime stage runs"
runtime = lines[stages[-1]:]

def instructions(name):
    return [(i, line[len(name) + 1:].strip()) for i, line in enumerate(runtime) if line.startswith(name + " ")]

(user_at, user), = instructions("USER")
assert user not in ("root", "0") and not user.startswith("0:"), f"the image runs as root: USER {user}"
(volume_at, volume), = instructions("VOLUME")
volume = volume.strip('[]"')
assert volume.startswith("/"), volume
assert user_at > volume_at, "USER comes after the data directory is prepared"
chowned = [i for i, run in instructions("RUN") if "chown" in run and volume in run and user.strip("$") in run]
assert chowned and chowned[0] < volume_at, f"{volume} must be created and chowned to {user} before VOLUME (later changes are discarded)"

env = {}
for _, value in instructions("ENV"):
    for key, val in re.findall(r'(\S+?)=("[^"]*"|\S+)', value):
        env[key] = val.strip('"')
audit = env.get("Audit__Directory")
assert audit and (audit == volume or audit.startswith(volume.rstrip("/") + "/")), f"Audit__Directory {audit} is not inside the volume {volume}"
port = re.search(r":(\d+)$", env["ASPNETCORE_URLS"]).group(1)
assert ("EXPOSE " + port) in runtime, f"EXPOSE {port}"
(_, health), = instructions("HEALTHCHECK")
assert "/readyz" in health and "/healthz" not in health, "the HEALTHCHECK probes readiness (/readyz)"
assert f"/127.0.0.1/{port}" in health, f"the HEALTHCHECK probes port {port}"

compose = yaml.safe_load(open("docker-compose.yml"))
services = compose["services"]
assert set(services) == {"bridge", "collector", "jaeger"}, services
for name, service in services.items():
    for dependency in service.get("depends_on", []):
        assert dependency in services, f"{name} depends on unknown {dependency}"
bridge = services["bridge"]
assert bridge["build"]["dockerfile"] == "docker/Dockerfile"
environment = bridge["environment"]
assert "OTEL_EXPORTER_OTLP_ENDPOINT" in environment
admin = [key for key in environment if key.startswith("Audit__AdminKeys")]
assert admin, "compose passes the admin key"
for key in admin:
    assert re.fullmatch(r"\$\{[A-Z_]+(:?[-?][^}]*)?\}", str(environment[key])), f"{key} must come from a variable, not a literal"
mounts = {mount.split(":")[1]: mount.split(":")[0] for mount in bridge.get("volumes", []) if isinstance(mount, str)}
assert volume in mounts, f"compose mounts nothing at the image's data directory {volume}"
assert mounts[volume] in (compose.get("volumes") or {}), f"{mounts[volume]} is not a named volume declared under volumes:"

collector = yaml.safe_load(open("otel-collector.yaml"))
for name, pipeline in collector["service"]["pipelines"].items():
    for kind in ("receivers", "processors", "exporters"):
        for component in pipeline.get(kind, []):
            assert component in collector[kind], f"pipeline {name}: {kind[:-1]} {component} is not defined"
print(f"Dockerfile: USER {user}, VOLUME {volume} (Audit__Directory {audit}), HEALTHCHECK /readyz on {port}; "
      "docker-compose.yml and otel-collector.yaml parse; services, volumes and pipelines are consistent")
PY
