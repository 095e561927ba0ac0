#!/usr/bin/env bash
# Build the runner image orban/runner:<version> (also :latest) on a machine that reaches no
# container registry (DESIGN.md §7), in two stages:
#   1. the base orban/runner-base:<hash> (slow, minutes; only when its recipe changes): a Debian
#      bookworm root file system made with mmdebstrap, a venv at /opt/runner holding torch,
#      transformers, safetensors, tokenizers and numpy, then `docker import`;
#   2. the runner of runner/ pip-installed into a container of that base, offline, and
#      `docker commit` (seconds; whenever runner/ or this script changes).
# The published image, built from a registry base, is packaging/runner/Dockerfile; the two
# install the same versions. CPU PyTorch by default: the torch file pip finds on this machine's
# disk (its find-links), else the PyTorch CPU index. `--cuda` installs the CUDA build from the
# PyTorch CUDA index (needs internet; not tested on the machines this project runs on).
# Nothing is built when the image carries the same source hash (label orban.runner.source);
# `--force` rebuilds both stages.
#
# Usage: bash tools/build_runner_image.sh [--cuda] [--torch-index URL] [--tag NAME:TAG] [--force]
# Needs a Docker engine; stage 1 also needs root (mmdebstrap and chroot) and mmdebstrap.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$script")/.."

TORCH_VERSION=2.13.0
# The versions the image was verified with (runner/pyproject.toml allows ranges; the image pins).
# setuptools builds the runner in stage 2, which has no network (no build isolation).
PINNED="transformers==4.57.6 safetensors==0.8.0 tokenizers==0.22.2 numpy==2.4.6"
SETUPTOOLS="setuptools==84.2.1"
CPU_INDEX=https://download.pytorch.org/whl/cpu
SUITE=bookworm
BASE_REPOSITORY=orban/runner-base
RUNNER_PATH=/opt/runner/bin:/usr/local/bin:/usr/bin:/bin

die() { echo "build_runner_image: $*" >&2; exit 1; }
usage() { echo "usage: $0 [--cuda] [--torch-index URL] [--tag NAME:TAG] [--force]" >&2; exit 2; }

cuda=0 force=0 tag="" torch_index=""
while [ $# -gt 0 ]; do
    case "$1" in
        --cuda) cuda=1 ;;
        --force) force=1 ;;
        --tag) [ $# -ge 2 ] || usage; tag="$2"; shift ;;
        --torch-index) [ $# -ge 2 ] || usage; torch_index="$2"; shift ;;
        -h|--help) usage ;;
        *) echo "build_runner_image: unknown option $1" >&2; usage ;;
    esac
    shift
done
[ -f runner/pyproject.toml ] && [ -d runner/orban_runner ] \
    || die "runner/pyproject.toml or runner/orban_runner is missing: nothing to install"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' runner/pyproject.toml | head -n 1)
[ -n "$version" ] || die "no version = \"...\" line in runner/pyproject.toml"
tag=${tag:-orban/runner:$version}
case "$tag" in *:*) ;; *) die "--tag needs NAME:TAG (got $tag)" ;; esac
latest="${tag%:*}:latest"
if [ "$cuda" -eq 1 ]; then torch_index=${torch_index:-https://download.pytorch.org/whl/cu128}; fi
flavour=$([ "$cuda" -eq 1 ] && echo cuda || echo cpu)

command -v docker >/dev/null 2>&1 || die "the docker command is missing: apt-get install docker.io"
docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd, then retry)"

started=$(date +%s)
step() { echo "== [$(( $(date +%s) - started )) s] $*"; }
label_of() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
work="" container=""
cleanup() {
    if [ -n "$container" ]; then docker rm -f "$container" >/dev/null 2>&1 || true; fi
    # --one-file-system: never delete through a mount, should one be left inside ROOT.
    if [ -n "$work" ]; then rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Stage 1: the base (Debian + the venv with every dependency), named by the hash of its recipe.
build_base() {  # $1: the image to create
    [ "$(id -u)" -eq 0 ] || die "run as root: mmdebstrap and chroot need it (sudo make runner-image)"
    command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap is missing: apt-get install mmdebstrap"
    local root="$work/root" build wheel torch_args host_python="" candidate file name
    step "base $1: root file system (mmdebstrap $SUITE)"
    mmdebstrap --quiet --variant=apt --include=python3,python3-venv,ca-certificates \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/info/*' \
        "$SUITE" "$root"
    build="$root/tmp/orban-build"
    mkdir -p "$build/wheels" "$work/wheels"
    if [ -n "$torch_index" ]; then
        torch_args="--index-url $torch_index torch==$TORCH_VERSION"
    else  # the torch file this machine keeps on disk (pip's find-links), fetched by the host's pip
        for candidate in .venv/bin/python python3; do
            if "$candidate" -m pip --version >/dev/null 2>&1; then host_python=$candidate; break; fi
        done
        if [ -n "$host_python" ] && "$host_python" -m pip download --quiet --no-deps --no-index \
            "torch==$TORCH_VERSION" -d "$work/wheels" >/dev/null 2>&1; then
            wheel=$(basename "$(ls "$work"/wheels/torch-*.whl)")
            cp "$work/wheels/$wheel" "$build/wheels/"
            torch_args="/tmp/orban-build/wheels/$wheel"
            step "torch from this machine's disk: $wheel"
        else
            torch_args="--index-url $CPU_INDEX torch==$TORCH_VERSION"
            step "no torch $TORCH_VERSION file on this machine: installing from $CPU_INDEX"
        fi
    fi
    printf '%s\n' "set -eu" "python3 -m venv /opt/runner" \
        "/opt/runner/bin/pip install --quiet $torch_args" \
        "/opt/runner/bin/pip install --quiet $PINNED $SETUPTOOLS" \
        "/opt/runner/bin/pip check" >"$build/install.sh"
    # This machine may reach PyPI through a TLS proxy whose CA is only in the host's bundle, and
    # Debian's pip in the chroot ignores --cert/PIP_CERT: lend the host's bundle and resolver
    # during the install, then put ROOT's own files back.
    for file in etc/ssl/certs/ca-certificates.crt etc/resolv.conf; do
        if [ -e "$root/$file" ] || [ -L "$root/$file" ]; then mv "$root/$file" "$build/own-${file##*/}"; fi
        cp -L "/$file" "$root/$file"  # ROOT's own was moved away: never written through a link
    done
    # A clean environment: none of the host's PIP_* (find-links, constraints, cert) and no pip
    # config file (PIP_CONFIG_FILE=/dev/null), so the chroot's pip reads no path of the host.
    local chroot_env=(PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 PIP_CONFIG_FILE=/dev/null
        PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 PYTHONNOUSERSITE=1)
    for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
        if [ -n "${!name:-}" ]; then chroot_env+=("$name=${!name}"); fi
    done
    step "base $1: the venv at /opt/runner (pip in the chroot)"
    chroot "$root" /usr/bin/env -i "${chroot_env[@]}" /bin/sh /tmp/orban-build/install.sh \
        || die "pip in the chroot failed (its message is above; a package index must be reachable)"
    for file in etc/ssl/certs/ca-certificates.crt etc/resolv.conf; do
        rm -f "$root/$file"
        if [ -e "$build/own-${file##*/}" ] || [ -L "$build/own-${file##*/}" ]; then mv "$build/own-${file##*/}" "$root/$file"; fi
    done
    rm -rf "$build" "$root/root/.cache" "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"* \
        "$root/var/cache/debconf/"*-old "$root/var/log/apt" "$root/var/log/dpkg.log"
    step "base $1: docker import"
    # (docker import splits each change at spaces: no value may hold one)
    tar -C "$root" --numeric-owner -c . | docker import \
        --change "ENV PATH=$RUNNER_PATH" --change "ENV HF_HUB_OFFLINE=1" \
        --change "ENV TRANSFORMERS_OFFLINE=1" --change "ENV HOME=/tmp" --change "ENV LANG=C.UTF-8" \
        --change "LABEL orban.runner.base=${1##*:}" - "$1" >/dev/null
    rm -rf --one-file-system "$root"
}

base_hash=$( { declare -f build_base; echo "$SUITE $TORCH_VERSION $PINNED $SETUPTOOLS $flavour $torch_index $RUNNER_PATH"; } | sha256sum | cut -c1-16)
base="$BASE_REPOSITORY:$base_hash"
# The final image: its base, this script and the runner's sources (names and contents).
source_hash=$(
    {
        echo "$base"
        cat "$script"
        find runner/pyproject.toml runner/orban_runner -name __pycache__ -prune -o -type f -print \
            | LC_ALL=C sort | xargs sha256sum
    } | sha256sum | cut -c1-16
)
if [ "$force" -eq 0 ] && [ "$(label_of "$tag" orban.runner.source)" = "$source_hash" ]; then
    docker tag "$tag" "$latest"
    echo "runner image $tag is current (source $source_hash)"
    exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/orban-runner-image.XXXXXX")
if [ "$force" -eq 1 ] || [ "$(label_of "$base" orban.runner.base)" != "$base_hash" ]; then
    build_base "$base"
else
    step "base $base is current"
fi

# Stage 2: the runner, installed offline in a container of the base, committed.
step "the runner $version into /opt/runner (no network)"
mkdir -p "$work/runner"
cp -r runner/pyproject.toml runner/orban_runner "$work/runner/"
find "$work/runner" -name __pycache__ -prune -exec rm -rf {} +
container=$(docker create --network none --user 0:0 "$base" /bin/sh -c \
    'set -e; export PIP_CONFIG_FILE=/dev/null PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
     /opt/runner/bin/pip install --quiet --no-index --no-deps --no-build-isolation /tmp/orban-runner-src
     /opt/runner/bin/pip check; rm -rf /tmp/orban-runner-src /root/.cache')
docker cp "$work/runner" "$container:/tmp/orban-runner-src"  # (a new folder of that name)
docker start -a "$container"
[ "$(docker inspect -f '{{ .State.ExitCode }}' "$container")" = 0 ] || die "installing the runner failed"
changes=(
    "LABEL org.opencontainers.image.title=orban-runner"
    "LABEL org.opencontainers.image.version=$version"
    "LABEL orban.runner.source=$source_hash"
    "LABEL orban.runner.torch=$TORCH_VERSION+$flavour"
    "USER 65534:65534"
    "WORKDIR /"
    'CMD ["python", "-m", "orban_runner", "--version"]'
)
if [ "$cuda" -eq 1 ]; then changes+=("ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility"); fi
change_args=()
for change in "${changes[@]}"; do change_args+=(--change "$change"); done
image_id=$(docker commit "${change_args[@]}" "$container")
docker rm "$container" >/dev/null
container=""

step "probe in the new image, hardened as the agent runs it"
if ! docker run --rm --network none --read-only --tmpfs /tmp:rw,size=64m,mode=1777 \
    --cap-drop ALL --security-opt no-new-privileges --user 65534:65534 --pids-limit 256 \
    "$image_id" python -m orban_runner probe; then
    docker image rm "$image_id" >/dev/null 2>&1 || true
    die "the new image's runner probe failed; $tag is left as it was"
fi
old_id=$(docker image inspect -f '{{ .Id }}' "$tag" 2>/dev/null || true)
docker tag "$image_id" "$tag"
docker tag "$image_id" "$latest"
if [ -n "$old_id" ] && [ "$old_id" != "$image_id" ]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true  # untagged now; kept if a container uses it
fi
# Earlier images left untagged (one a container still used then): gone once nothing uses them.
docker image prune --force --filter label=orban.runner.source >/dev/null 2>&1 || true
for old_base in $(docker images --format '{{.Repository}}:{{.Tag}}' "$BASE_REPOSITORY"); do
    if [ "$old_base" != "$base" ]; then docker image rm "$old_base" >/dev/null 2>&1 || true; fi
done
size=$(docker image inspect -f '{{ .Size }}' "$tag")
echo "built $tag and $latest ($(( size / 1000000 )) MB, source $source_hash) in $(( $(date +%s) - started )) s"
