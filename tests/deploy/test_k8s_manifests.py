"""What docs/deployment.md "Kubernetes" promises, checked on the rendered overlays (no cluster).

Schemas and checkov's policies are `make lint-deploy`'s; these are the project's own rules.
"""

import configparser
import re
from typing import Any

import pytest

from tests.deploy.k8s_manifests import (
    K8S_DIR,
    OVERLAYS,
    REPO_ROOT,
    Manifest,
    find,
    pod_templates,
    render,
)

# PostgreSQL's default max_connections, minus superuser_reserved_connections (3) and the
# app's headroom, max(3, 10%) (app/core/db/_engine.py check_connection_budget).
DEFAULT_AVAILABLE_CONNECTIONS = 100 - 3 - 10


@pytest.fixture(scope="module", params=OVERLAYS)
def manifests(request: pytest.FixtureRequest) -> list[Manifest]:
    return render(request.param)


def _api(manifests: list[Manifest]) -> Manifest:
    return find(manifests, "Deployment", "conduit-api")


def _container(workload: Manifest) -> Any:
    return workload["spec"]["template"]["spec"]["containers"][0]


def _config(manifests: list[Manifest]) -> dict[str, str]:
    data: dict[str, str] = find(manifests, "ConfigMap", "conduit-config")["data"]
    return data


def _env(container: Any) -> dict[str, Any]:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}


def test_probes_hit_the_health_endpoints_on_port_8000(manifests: list[Manifest]) -> None:
    api = _container(_api(manifests))
    ports = {port["name"]: port["containerPort"] for port in api["ports"]}

    assert api["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert api["startupProbe"]["httpGet"]["path"] == "/health/live"
    assert api["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        assert ports[api[probe]["httpGet"]["port"]] == 8000
    # The readiness probe outlasts the app's own time limit on its SELECT 1 (2 s default).
    assert api["readinessProbe"]["timeoutSeconds"] > 2
    assert "command" not in api  # the image's CMD: docker/start.sh


def test_grace_period_outlasts_prestop_and_gunicorn_graceful_timeout(
    manifests: list[Manifest],
) -> None:
    api = _api(manifests)
    graceful = int(_config(manifests)["GUNICORN_GRACEFUL_TIMEOUT"])
    pre_stop = _container(api)["lifecycle"]["preStop"]["sleep"]["seconds"]

    assert pre_stop >= 3
    assert api["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > graceful + pre_stop
    assert '"GUNICORN_GRACEFUL_TIMEOUT"' in (REPO_ROOT / "docker" / "gunicorn.conf.py").read_text()


def test_every_pod_runs_locked_down_with_resources(manifests: list[Manifest]) -> None:
    for name, pod in pod_templates(manifests):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) == {"cpu", "memory"}, name


def test_app_pods_run_as_the_image_user_and_write_only_to_tmp(manifests: list[Manifest]) -> None:
    user = re.search(r"^USER (\d+):", (REPO_ROOT / "docker" / "Dockerfile").read_text(), re.M)
    assert user is not None
    for workload in (_api(manifests), find(manifests, "Job", "conduit-migrate")):
        pod = workload["spec"]["template"]["spec"]
        tmp = {volume["name"]: volume for volume in pod["volumes"]}

        assert pod["securityContext"]["runAsUser"] == int(user.group(1))
        [mount] = _container(workload)["volumeMounts"]
        assert mount["mountPath"] == "/tmp"  # noqa: S108 (the pod's own emptyDir)
        assert "emptyDir" in tmp[mount["name"]]


def test_sizing_assumes_two_workers_per_pod(manifests: list[Manifest]) -> None:
    assert _config(manifests)["WEB_CONCURRENCY"] == "2"
    assert _config(manifests)["ENVIRONMENT"] == "production"


def test_migration_job_connects_straight_to_postgresql(manifests: list[Manifest]) -> None:
    job = _container(find(manifests, "Job", "conduit-migrate"))
    api = _container(_api(manifests))

    assert job["command"][:3] == ["python", "-m", "app.cli.migrate"]
    migration_url = _env(job)["DATABASE_URL"]["secretKeyRef"]
    assert migration_url == {"name": "conduit-secrets", "key": "MIGRATION_DATABASE_URL"}
    assert _env(api)["DATABASE_URL"]["secretKeyRef"]["key"] == "DATABASE_URL"
    assert "DB_POOLER" not in _env(job)
    assert "DB_POOLER" not in _config(manifests)


def test_the_job_worker_connects_straight_to_postgresql(manifests: list[Manifest]) -> None:
    workload = find(manifests, "Deployment", "conduit-worker")
    worker = _container(workload)

    assert worker["command"] == ["python", "-m", "app.cli.worker"]
    assert _env(worker)["DATABASE_URL"]["secretKeyRef"]["key"] == "MIGRATION_DATABASE_URL"
    assert "DB_POOLER" not in _env(worker)
    # SIGTERM lets running jobs finish within JOB_SHUTDOWN_TIMEOUT_SECONDS (30 by default).
    assert workload["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 30


def test_api_uses_pgbouncer_mode_only_behind_pgbouncer(manifests: list[Manifest]) -> None:
    pooled = any(doc["metadata"]["name"] == "conduit-pgbouncer" for doc in manifests)

    assert _env(_container(_api(manifests))).get("DB_POOLER") == ("pgbouncer" if pooled else None)


def _routed(rule: dict[str, Any], path: str) -> bool:
    if rule["pathType"] == "Exact":
        return bool(path == rule["path"])
    prefix = rule["path"].rstrip("/")
    return path == prefix or path.startswith(f"{prefix}/")  # Prefix matches whole segments


def test_ingress_routes_the_public_paths_and_never_metrics(manifests: list[Manifest]) -> None:
    rules = [
        rule
        for doc in manifests
        if doc["kind"] == "Ingress"
        for host in doc["spec"]["rules"]
        for rule in host["http"]["paths"]
    ]

    assert rules
    for private in ("/metrics", "/health/live", "/health/ready"):
        assert not any(_routed(rule, private) for rule in rules), private
    for public in ("/api/users/login", "/api/admin/users/x/role", "/docs", "/docs/assets/a.js"):
        assert any(_routed(rule, public) for rule in rules), public
    for public in ("/docs/oauth2-redirect", "/redoc", "/openapi.json"):
        assert any(_routed(rule, public) for rule in rules), public


def test_metrics_are_scraped_from_each_pod(manifests: list[Manifest]) -> None:
    annotations = _api(manifests)["spec"]["template"]["metadata"]["annotations"]

    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "8000"
    assert annotations["prometheus.io/path"] == "/metrics"


def test_service_hpa_and_pdb_select_the_api_pods(manifests: list[Manifest]) -> None:
    api = _api(manifests)
    labels = api["spec"]["template"]["metadata"]["labels"]
    hpa = find(manifests, "HorizontalPodAutoscaler", "conduit-api")
    [metric] = hpa["spec"]["metrics"]

    assert "replicas" not in api["spec"]  # the HPA's to set
    assert find(manifests, "Service", "conduit-api")["spec"]["selector"].items() <= labels.items()
    pdb = find(manifests, "PodDisruptionBudget", "conduit-api")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "conduit-api",
    }
    assert metric["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] >= 2


def test_database_connections_fit_a_default_postgresql(manifests: list[Manifest]) -> None:
    config = _config(manifests)
    api = _api(manifests)
    pods = (
        find(manifests, "HorizontalPodAutoscaler", "conduit-api")["spec"]["maxReplicas"]
        + api["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
    )
    app_connections = (
        pods
        * int(config["WEB_CONCURRENCY"])
        * (int(config["DB_POOL_SIZE"]) + int(config["DB_MAX_OVERFLOW"]))
    )
    migration = 1
    # The job worker connects directly, pooler or not: psycopg (concurrency + 2) and its
    # SQLAlchemy pool.
    worker = find(manifests, "Deployment", "conduit-worker")["spec"]["replicas"] * (
        int(config.get("JOB_WORKER_CONCURRENCY", "4")) + 2 + int(config["DB_POOL_SIZE"])
    )
    if not any(doc["metadata"]["name"] == "conduit-pgbouncer" for doc in manifests):
        assert app_connections + migration + worker <= DEFAULT_AVAILABLE_CONNECTIONS
        return
    ini = configparser.ConfigParser(comment_prefixes=(";",), interpolation=None)
    ini.read_string(find(manifests, "ConfigMap", "conduit-pgbouncer")["data"]["pgbouncer.ini"])
    bouncer = find(manifests, "Deployment", "conduit-pgbouncer")["spec"]
    assert bouncer["strategy"]["rollingUpdate"]["maxSurge"] == 0

    assert ini["pgbouncer"]["pool_mode"] == "transaction"
    assert app_connections <= int(ini["pgbouncer"]["max_client_conn"])
    server = bouncer["replicas"] * int(ini["pgbouncer"]["default_pool_size"])
    assert server + migration + worker <= DEFAULT_AVAILABLE_CONNECTIONS


def test_secrets_are_referenced_never_shipped(manifests: list[Manifest]) -> None:
    example = (K8S_DIR / "secret.env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    referenced = {
        item["valueFrom"]["secretKeyRef"]["key"]
        for _, pod in pod_templates(manifests)
        for container in pod["containers"]
        for item in container.get("env", [])
        if "secretKeyRef" in item.get("valueFrom", {})
    }

    assert not [doc for doc in manifests if doc["kind"] == "Secret"]
    assert referenced == documented
    gitignored = (REPO_ROOT / ".gitignore").read_text().splitlines()
    assert "deploy/k8s/secret.env" in gitignored


def test_the_migrate_phase_holds_the_job_and_what_it_needs(manifests: list[Manifest]) -> None:
    # docs/deployment.md: `kubectl apply -k ... -l conduit.example/phase=migrate` runs first.
    phase = {
        (doc["kind"], doc["metadata"]["name"])
        for doc in manifests
        if doc["metadata"].get("labels", {}).get("conduit.example/phase") == "migrate"
    }
    job = find(manifests, "Job", "conduit-migrate")
    pod = job["spec"]["template"]["spec"]
    [config] = [source["configMapRef"]["name"] for source in pod["containers"][0]["envFrom"]]

    assert phase == {
        ("Job", "conduit-migrate"),
        ("ConfigMap", config),
        ("ServiceAccount", pod["serviceAccountName"]),
        ("NetworkPolicy", "conduit-migrate"),
    }
