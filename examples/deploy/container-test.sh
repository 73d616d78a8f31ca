#!/usr/bin/env bash
# Builds examples/deploy/Containerfile with podman and runs the image: the demo mode is started, scraped and
# authorized through with curl, the container is replaced by a new one on the same volume, and the token must have
# survived there (mode 0600, owned by the image's uid 10001) without a new authorization.
#
# Needs root, and network for Debian packages: podman, runc, debootstrap and curl are installed with apt-get when
# missing. Base images are not pulled: the two the Containerfile names are made here, the runtime one from a
# `debootstrap --variant=minbase bookworm` root file system (cached in $NETATMO_CI_CACHE, default
# /var/cache/netatmo-token-ci; delete it to start over), the JDK one from that and this machine's JDK 17. Everything
# podman keeps (images, containers, the volume) lives in a temporary folder that is removed at exit.
#
# Usage: mvn -B -ntp -DskipTests package && examples/deploy/container-test.sh
set -euo pipefail

cd "$(dirname "$0")/../.."
readonly CONTAINERFILE=examples/deploy/Containerfile
readonly JAR=examples/target/netatmo-exporter.jar
readonly CACHE=${NETATMO_CI_CACHE:-/var/cache/netatmo-token-ci}
readonly ROOTFS_TAR=$CACHE/debian-bookworm-minbase.tar
readonly MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly IMAGE=localhost/netatmo-exporter:container-test
readonly UID_IN_IMAGE=10001
readonly STARTED=$SECONDS

say() { echo "container-test: $*" >&2; }
fail() {
    say "FAILED: $*"
    exit 1
}

# The default base image names of the Containerfile: the images made here are tagged with exactly these.
arg_default() {
    sed -n "s/^ARG $1=//p" "$CONTAINERFILE" | head -n 1
}
JDK_IMAGE=$(arg_default JDK_IMAGE)
RUNTIME_IMAGE=$(arg_default RUNTIME_IMAGE)
readonly JDK_IMAGE RUNTIME_IMAGE
[[ -n $JDK_IMAGE && -n $RUNTIME_IMAGE ]] || fail "no ARG JDK_IMAGE=... and ARG RUNTIME_IMAGE=... in $CONTAINERFILE"

[[ $(id -u) -eq 0 ]] || fail "needs root (podman with the vfs driver and runc, debootstrap): run it with sudo"
[[ -f $JAR ]] || fail "$JAR is missing: build it first with mvn -B -ntp -DskipTests package"

missing=()
for tool in podman:podman runc:runc debootstrap:debootstrap curl:curl; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if ((${#missing[@]} > 0)); then
    say "installing ${missing[*]} with apt-get"
    command -v apt-get >/dev/null 2>&1 || fail "${missing[*]} missing, and no apt-get to install them"
    timeout 300 apt-get update -q >&2 || say "apt-get update failed; trying the package lists at hand"
    timeout 600 env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
        || fail "could not install ${missing[*]}"
fi

# --- a private podman: its own configuration, storage and state, nothing of the machine's -------------------------
WORK=$(mktemp -d /tmp/netatmo-container-test.XXXXXX)
readonly WORK
mkdir -p "$WORK/tmp"
cat >"$WORK/containers.conf" <<EOF
[containers]
# Without this the runtime fails on setrlimit in a container that may not raise its limits.
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$WORK/libpod"
EOF
cat >"$WORK/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
EOF
export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf TMPDIR=$WORK/tmp

VOLUME=netatmo-container-test
CONTAINER=""
cleanup() {
    local status=$?
    set +e
    if [[ -n $CONTAINER && $status -ne 0 ]]; then
        say "log of container $CONTAINER:"
        podman logs "$CONTAINER" 2>&1 | sed 's/^/    /' >&2
    fi
    podman rm --force --all --time 5 >/dev/null 2>&1
    podman system reset --force >/dev/null 2>&1
    rm -rf "$WORK"
    say "$( ((status == 0)) && echo passed || echo failed) in $((SECONDS - STARTED)) s"
    exit "$status"
}
trap cleanup EXIT

# Waits until a command succeeds: wait_for SECONDS WHAT COMMAND...
wait_for() {
    local limit=$1 what=$2
    local deadline=$((SECONDS + limit))
    shift 2
    until "$@"; do
        ((SECONDS < deadline)) || fail "$what: not within $limit s"
        sleep 1
    done
}

# Runs a podman command that starts or stops a container, showing its stderr only if it fails: podman logs an
# error on every such command that it cannot add or remove the health check's systemd timer (no systemd here;
# `healthy` below runs the image's check itself).
podman_quietly() {
    "$@" 2>"$WORK/podman.err" || { cat "$WORK/podman.err" >&2; return 1; }
}

# --- the base images ---------------------------------------------------------------------------------------------
if [[ ! -s $ROOTFS_TAR ]]; then
    say "debootstrap --variant=minbase bookworm from $MIRROR (cached in $ROOTFS_TAR)"
    rootfs=$WORK/rootfs
    timeout 900 debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -n 20 "$WORK/debootstrap.log" >&2; fail "debootstrap failed (log above)"; }
    # What debian:bookworm-slim leaves out too: package caches and lists, documentation, translations.
    rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
        "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log
    : >"$rootfs/etc/resolv.conf"
    mkdir -p "$CACHE"
    tar --numeric-owner -C "$rootfs" -cf "$ROOTFS_TAR.tmp" .
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$rootfs"
fi
say "importing $ROOTFS_TAR as $RUNTIME_IMAGE"
podman import --quiet --change 'CMD ["bash"]' "$ROOTFS_TAR" "$RUNTIME_IMAGE" >/dev/null

jdk=$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")
[[ -f $jdk/jmods/java.base.jmod ]] || fail "no JDK with jmods here (found $jdk): install openjdk-17-jdk-headless"
say "making $JDK_IMAGE from $RUNTIME_IMAGE and $jdk"
mkdir -p "$WORK/jdk-context/jdk"
# Debian's JDK links its configuration to /etc: copy the files the links point to.
tar -C "$jdk" --dereference --exclude=./lib/src.zip --exclude=./docs --exclude=./man -cf - . \
    | tar -C "$WORK/jdk-context/jdk" -xf -
cat >"$WORK/jdk-context/Containerfile" <<EOF
FROM $RUNTIME_IMAGE
COPY jdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
EOF
timeout 600 podman build --quiet --pull=never --network host -t "$JDK_IMAGE" "$WORK/jdk-context" >/dev/null \
    || fail "could not make $JDK_IMAGE"
rm -rf "$WORK/jdk-context"

# --- the image under test ----------------------------------------------------------------------------------------
say "building $CONTAINERFILE"
build_started=$SECONDS
timeout 900 podman build --pull=never --network host --format docker -f "$CONTAINERFILE" -t "$IMAGE" . \
    >"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; fail "podman build failed (log above)"; }
say "built in $((SECONDS - build_started)) s, $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes;" \
    "runtime modules: $(podman run --rm --no-healthcheck --network host --entrypoint java "$IMAGE" --list-modules \
        | sed 's/@.*//' | paste -sd, -)"

inspect() {
    podman image inspect --format "$1" "$IMAGE"
}
[[ $(inspect '{{.Config.User}}') == "$UID_IN_IMAGE:$UID_IN_IMAGE" ]] \
    || fail "the image runs as \"$(inspect '{{.Config.User}}')\", not $UID_IN_IMAGE"
[[ $(inspect '{{json .Config.ExposedPorts}}') == '{"9210/tcp":{}}' ]] \
    || fail "the image exposes \"$(inspect '{{.Config.ExposedPorts}}')\", not 9210/tcp"
[[ $(inspect '{{json .Config.Volumes}}') == '{"/var/lib/netatmo-exporter":{}}' ]] \
    || fail "the image's volumes are \"$(inspect '{{.Config.Volumes}}')\", not /var/lib/netatmo-exporter"
[[ $(inspect '{{.Config.Healthcheck}}') == *"/metrics"* ]] \
    || fail "the image has no health check on /metrics (built without --format docker?)"
[[ $(inspect '{{.Config.Env}}') == *"JAVA_OPTS=-XX:+UseSerialGC"* ]] || fail "the image has no JAVA_OPTS"
# The class-data sharing archive that JAVA_OPTS maps must fit the image's JVM and jar: -Xshare:on fails if not.
podman run --rm --no-healthcheck --network host --entrypoint java "$IMAGE" -Xshare:on \
    -XX:SharedArchiveFile=/opt/netatmo-exporter/netatmo-exporter.jsa -cp /opt/netatmo-exporter/netatmo-exporter.jar \
    -version >"$WORK/cds.log" 2>&1 || { cat "$WORK/cds.log" >&2; fail "the image's CDS archive does not load"; }

# --- run it ------------------------------------------------------------------------------------------------------
# The demo's simulated NetAtmo listens on the container's loopback, so the browser (curl) must share it: host network.
port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
port=$((20000 + RANDOM % 20000))
until port_is_free "$port"; do
    port=$((20000 + RANDOM % 20000))
done
readonly BASE=http://127.0.0.1:$port

start_container() {
    CONTAINER=$1
    podman_quietly podman run --detach --name "$CONTAINER" --network host \
        --volume "$VOLUME:/var/lib/netatmo-exporter" --env NETATMO_EXPORTER_ADDR=":$port" "$IMAGE" --demo >/dev/null \
        || fail "podman run failed for $CONTAINER"
    wait_for 60 "$CONTAINER answering $BASE/metrics" curl -fs --max-time 5 -o /dev/null "$BASE/metrics"
    say "$CONTAINER serves $BASE/metrics"
}

metrics_have() {
    curl -fsS --max-time 5 "$BASE/metrics" >"$WORK/metrics" 2>/dev/null && grep -Eq "$1" "$WORK/metrics"
}

token_file() {
    echo "$(podman volume inspect --format '{{.Mountpoint}}' "$VOLUME")/token.json"
}

healthy() {
    podman healthcheck run "$CONTAINER" >/dev/null 2>&1 \
        || fail "the health check of $CONTAINER failed: $(podman healthcheck run "$CONTAINER" 2>&1)"
}

podman volume create "$VOLUME" >/dev/null
start_container netatmo-test-first
metrics_have '^netatmo_exporter_token_valid 0(\.0)?$' || fail "a new demo has a valid token already"
healthy
[[ $(podman exec "$CONTAINER" id -u) == "$UID_IN_IMAGE" ]] || fail "the exporter does not run as uid $UID_IN_IMAGE"

# The authorization as a browser makes it: the exporter sends it to the (simulated) NetAtmo with a state bound to a
# cookie, the consent page is accepted, and NetAtmo sends the browser back to the exporter's callback.
say "authorizing through the demo's consent page"
jar=$WORK/cookies
# The exporter's external URL is http://127.0.0.1:<port> (an empty host in --addr, as in the Go exporter), so the
# cookie must be set for 127.0.0.1, where NetAtmo sends the browser back.
consent=$(curl -sS --max-time 5 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    "http://127.0.0.1:$port/auth/authorize")
[[ $consent == "302 http://127.0.0.1:"*"/oauth2/authorize?"* ]] || fail "/auth/authorize answered \"$consent\""
consent=${consent#* }
curl -fsS --max-time 5 "$consent" | grep -q 'Yes, I accept' || fail "no consent page at $consent"
callback=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' "$consent&decision=allow")
[[ $callback == "302 http://127.0.0.1:$port/auth/callback?code="* ]] || fail "the consent answered \"$callback\""
done_page=$(curl -sS --max-time 15 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    "${callback#* }")
[[ $done_page == "303 "*"notice=authorized"* ]] || fail "the callback answered \"$done_page\""

wait_for 30 "netatmo_exporter_token_valid 1 after authorizing" metrics_have '^netatmo_exporter_token_valid 1(\.0)?$'
wait_for 30 "netatmo_up 1 after authorizing" metrics_have '^netatmo_up 1(\.0)?$'
metrics_have '^netatmo_sensor_temperature_celsius\{.*module="Garden".*\} ' || fail "no sensor data in /metrics"
say "authorized: token valid, sensor data in /metrics"

file=$(token_file)
[[ -f $file ]] || fail "no token file in the volume ($file)"
[[ $(stat -c '%a %u' "$file") == "600 $UID_IN_IMAGE" ]] \
    || fail "the token file is $(stat -c 'mode %a, uid %u' "$file"), not mode 600, uid $UID_IN_IMAGE"
# Demo tokens are fake, but the exporter must not print them: none of the file's values may be in the log.
for key in access_token refresh_token; do
    value=$(sed -n "s/.*\"$key\":\"\([^\"]*\)\".*/\1/p" "$file")
    [[ -n $value ]] || fail "no $key in the token file"
    if podman logs "$CONTAINER" 2>&1 | grep -qF "$value"; then
        fail "the container's log shows the $key"
    fi
done

say "stopping $CONTAINER and starting a new container on the same volume"
podman_quietly podman stop --time 20 "$CONTAINER" >/dev/null || fail "podman stop failed for $CONTAINER"
[[ $(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER") == 0 ]] \
    || fail "$CONTAINER exited with $(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER") on SIGTERM, not 0"
podman_quietly podman rm "$CONTAINER" >/dev/null || fail "podman rm failed for $CONTAINER"
CONTAINER=""
start_container netatmo-test-second
wait_for 30 "netatmo_exporter_token_valid 1 after the restart, without authorizing again" \
    metrics_have '^netatmo_exporter_token_valid 1(\.0)?$'
wait_for 30 "netatmo_up 1 after the restart" metrics_have '^netatmo_up 1(\.0)?$'
healthy
[[ $(stat -c '%a %u' "$(token_file)") == "600 $UID_IN_IMAGE" ]] || fail "the token file changed mode or owner"
say "the token survived the restart in the volume"
