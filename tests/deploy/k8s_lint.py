"""`make lint-deploy`: every Kubernetes overlay rendered, schema-checked and linted, offline.

1. `kubectl kustomize` renders each overlay (tests/deploy/k8s_manifests.py).
2. `kubernetes-validate --strict` checks every object against the API schemas it bundles,
   for the oldest Kubernetes these manifests support and the newest it knows: a field
   misspelt, misplaced or removed fails.
3. checkov (its own venv, .venv-tools/) runs its Kubernetes policies on the rendered
   objects. Findings accepted on purpose are skipped in the manifests themselves, each
   with its reason (`checkov.io/skipN` annotations); anything else fails.

No network: checkov's Prisma Cloud download and its PyPI update check are both off.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from tests.deploy.k8s_manifests import OVERLAYS, RenderError, render_text

# 1.31: the oldest supported (the preStop `sleep` action is on by default from 1.30);
# 1.37: the newest schemas kubernetes-validate bundles.
KUBERNETES_VERSIONS = ("1.31.0", "1.37.0")
BIN = Path(sys.executable).parent


def _run(*args: str, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(args), flush=True)
    return subprocess.run(args, check=False, env=env).returncode  # noqa: S603 (fixed tools)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.deploy.k8s_lint", description=__doc__)
    parser.add_argument(
        "--checkov", default=".venv-tools/bin/checkov", help="path to the checkov executable"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="k8s-rendered-") as rendered:
        files = []
        for overlay in OVERLAYS:
            try:
                text = render_text(overlay)
            except RenderError as error:
                sys.exit(str(error))
            path = Path(rendered) / f"{overlay}.yaml"
            path.write_text(text)
            files.append(str(path))
            count = sum(1 for doc in yaml.safe_load_all(text) if doc)
            print(f"rendered overlays/{overlay}: {count} objects")

        failures = [
            f"kubernetes-validate {version}"
            for version in KUBERNETES_VERSIONS
            if _run(str(BIN / "kubernetes-validate"), "--strict", "--quiet", "-k", version, *files)
        ]
        offline = os.environ | {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}
        checkov = [args.checkov, "--framework", "kubernetes", "--skip-download", "--compact"]
        if _run(*checkov, "--quiet", "--directory", rendered, env=offline):
            failures.append("checkov")
    if failures:
        sys.exit(f"lint-deploy failed: {', '.join(failures)}")
    print(f"lint-deploy: {len(OVERLAYS)} overlays valid for Kubernetes {KUBERNETES_VERSIONS}")


if __name__ == "__main__":
    main()
