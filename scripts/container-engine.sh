#!/usr/bin/env bash
# Prepares a container engine for the container tests on a Debian machine without a registry:
# podman (root, runc, ulimits the sandbox allows), its Docker-compatible API socket for
# Testcontainers, podman-compose, and the two base images docker/Dockerfile names
# (eclipse-temurin:25-jdk and :25-jre), made locally from Debian (debootstrap) and this machine's
# JDK 25 because no registry is reachable; the same rootfs is also tagged debian:bookworm, the base
# of docker/test-prometheus (the compose test's Prometheus, from Debian's package). Idempotent: each
# step is skipped when already done.
#
#   scripts/container-engine.sh            prepare everything, print the DOCKER_HOST to use
#   scripts/container-engine.sh --check    exit 0 if everything is ready, 1 if not (changes nothing)
#
# Needs root (apt-get, /etc/containers) and JAVA_HOME pointing at a JDK 25. Fails loudly.
set -euo pipefail

SOCKET=/run/podman/podman.sock
DOCKER_HOST_URL="unix://$SOCKET"
BASE_TAGS=(eclipse-temurin:25-jdk eclipse-temurin:25-jre)
DEBIAN_TAG=debian:bookworm
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=(podman runc podman-compose debootstrap golang-github-containernetworking-plugin-dnsname)

say() { echo "container-engine: $*" >&2; }
die() { say "$*"; exit 1; }

socket_up() { curl -fsS --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1; }
images_ready() { for tag in "${BASE_TAGS[@]}"; do podman image exists "$tag" || return 1; done; }
debian_ready() { podman image exists "$DEBIAN_TAG"; }

if [ "${1:-}" = "--check" ]; then
    command -v podman >/dev/null && socket_up && images_ready && debian_ready && exit 0
    exit 1
fi

[ "$(id -u)" = 0 ] || die "run as root: it installs packages and writes /etc/containers"

# --- packages: no recommends, so podman keeps the CNI network backend (dnsname gives service names) --
need=()
for pkg in "${PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
        || die "apt-get could not install ${need[*]}"
fi

# --- engine settings: runc (crun rejects hybrid cgroups here), ulimits under the sandbox's hard limits --
nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
[ "$nproc" = unlimited ] && nproc=1048576
[ "$nofile" -gt 20000 ] && nofile=20000
[ "$nproc" -gt 32768 ] && nproc=32768
conf=/etc/containers/containers.conf
want=$(cat <<CONF
# written by nova-host's scripts/container-engine.sh
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
runtime = "runc"
CONF
)
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$want" ]; then
    mkdir -p /etc/containers
    [ -f "$conf" ] && ! grep -q "nova-host's scripts/container-engine.sh" "$conf" && cp "$conf" "$conf.before-nova-host"
    printf '%s\n' "$want" > "$conf"
    say "wrote $conf (runtime runc, ulimits nofile=$nofile nproc=$nproc)"
fi
podman info >/dev/null 2>&1 || die "podman does not run: $(podman info 2>&1 | tail -3)"

# --- the Docker-compatible API for Testcontainers (no systemd here: a background service) -----------
if ! socket_up; then
    mkdir -p "$(dirname "$SOCKET")"
    rm -f "$SOCKET"
    # from /: the service outlives this run, and conmon inherits its working directory; started in a
    # checkout that is later deleted (a CI clone in /tmp), every container start fails "write child: broken pipe"
    (cd / && exec nohup podman system service --time=0 "$DOCKER_HOST_URL" >/var/log/podman-service.log 2>&1 </dev/null) &
    for _ in $(seq 1 50); do socket_up && break; sleep 0.2; done
    socket_up || die "podman system service did not answer on $SOCKET (see /var/log/podman-service.log)"
    say "podman API listening on $SOCKET"
fi

# --- base images: Debian minbase + this machine's JDK 25, tagged as the Dockerfile names them -------
if ! images_ready; then
    [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] || die "JAVA_HOME must point at a JDK 25 to copy into the base image"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    say "debootstrap $SUITE (minbase) from $MIRROR"
    debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/root" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
    mkdir -p "$work/root/opt/java"
    cp -a "$JAVA_HOME" "$work/root/opt/java/openjdk"
    # cacerts is a symlink into the host's /etc/ssl: copy the file itself so TLS works inside
    cacerts="$work/root/opt/java/openjdk/lib/security/cacerts"
    if [ -L "$cacerts" ]; then
        rm "$cacerts"
        cp "$(readlink -f "$JAVA_HOME/lib/security/cacerts")" "$cacerts"
    fi
    rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"*
    tar -C "$work/root" -cf "$work/rootfs.tar" .
    for tag in "${BASE_TAGS[@]}"; do
        podman import --quiet \
            --change 'ENV JAVA_HOME=/opt/java/openjdk' \
            --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'ENV LANG=C.UTF-8' \
            --change 'CMD ["jshell"]' \
            "$work/rootfs.tar" "docker.io/library/$tag" >/dev/null
        say "made $tag"
    done
fi
images_ready || die "base images missing after the build"
# A Debian bookworm for FROM debian:bookworm: the same minbase rootfs (its JDK is extra weight, no harm)
if ! debian_ready; then
    podman tag "docker.io/library/${BASE_TAGS[-1]}" "docker.io/library/$DEBIAN_TAG"
    say "tagged ${BASE_TAGS[-1]} as $DEBIAN_TAG"
fi
echo "$DOCKER_HOST_URL"
