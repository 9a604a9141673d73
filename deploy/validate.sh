#!/usr/bin/env bash
# Validates the deployment files with tools from the package registries (Debian apt, PyPI),
# installed on first use and reused afterwards; offline otherwise. Called by .ci/run.
#   systemd unit   systemd-analyze verify (Debian: systemd), against a scratch root
#   Kubernetes     kubernetes-validate --strict (PyPI; schemas bundled, no download); the
#                  CloudNativePG Cluster has no bundled schema: checked for its required shape
#   compose file   docker-compose config (Debian: docker-compose 1.29, the compose spec
#                  schema), or `docker compose config` where the plugin exists
# The Dockerfile is not built here (no Docker daemon in CI); see README, "Deploying".
set -euo pipefail
cd "$(dirname "$0")"

VENV="${CARTREC_DEPLOY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cartrec-deploy-venv}"
KUBERNETES_VALIDATE_VERSION=1.37.0

apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }
    fi
}

failed=0
fail() { echo "deploy: $*" >&2; failed=1; }

echo "== deploy: systemd unit"
command -v systemd-analyze >/dev/null || apt_install systemd
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# verify checks that ExecStart exists and that the unit's dependencies resolve: a scratch
# root with the system's units and a stand-in binary. It prints nothing when all is well and
# only warns about an unparsable setting, so any output is a failure.
mkdir -p "$root/usr/local/bin" "$root/usr/lib/systemd" "$root/etc/systemd/system"
cp -a /lib/systemd/system "$root/usr/lib/systemd/"
install -m 0755 /bin/true "$root/usr/local/bin/cartrec"
cp systemd/cartrec.service "$root/etc/systemd/system/"
out=$(systemd-analyze verify --root="$root" cartrec.service 2>&1) || fail "systemd-analyze verify failed"
[ -z "$out" ] || fail "systemd-analyze verify: $out"

echo "== deploy: Kubernetes manifests"
if [ ! -x "$VENV/bin/kubernetes-validate" ]; then
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; }
    "$VENV/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
fi
"$VENV/bin/kubernetes-validate" --strict --quiet --no-warn kubernetes/*.yaml \
    || fail "kubernetes-validate found errors"
# kubernetes-validate has no schema for custom resources; the Cluster's required fields:
"$VENV/bin/python" - kubernetes/*.yaml <<'PY' || fail "CloudNativePG Cluster incomplete"
import sys, yaml
clusters = [d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f))
            if d and d.get("kind") == "Cluster"]
assert clusters, "no Cluster"
for c in clusters:
    assert c["apiVersion"] == "postgresql.cnpg.io/v1", c["apiVersion"]
    spec = c["spec"]
    assert spec["instances"] >= 1 and spec["storage"]["size"], "instances and storage.size"
    assert spec["bootstrap"]["initdb"]["owner"] == "cartrec_owner", "owner role"
    assert any(r["name"] == "cartrec_app" for r in spec["managed"]["roles"]), "runtime role"
PY

echo "== deploy: compose file"
env_file=$(mktemp)
# Placeholders for the values deploy/.env must give.
printf '%s\n' CARTREC_OWNER_DB_PASSWORD=x CARTREC_APP_DB_PASSWORD=y \
    CARTREC_FACILITY_ID=A9999 CARTREC_LOG_ORIGIN=ci.example/cartrec > "$env_file"
trap 'rm -rf "$root" "$env_file"' EXIT
if docker compose version >/dev/null 2>&1; then
    docker compose --env-file "$env_file" -f compose.yaml config -q || fail "docker compose config"
else
    command -v docker-compose >/dev/null || apt_install docker-compose
    docker-compose --env-file "$env_file" -f compose.yaml config -q || fail "docker-compose config"
fi

[ "$failed" -eq 0 ] && echo "deploy: all deployment files valid"
exit "$failed"
