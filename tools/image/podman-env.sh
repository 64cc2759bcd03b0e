# Sourced by test-image.sh: installs podman from Debian when it is missing and
# points it at settings and storage of its own, so the image test works on a
# fresh machine and leaves the user's own podman config and images alone:
#   CONTAINERS_CONF          -> $IMAGE_TEST_CACHE/containers.conf (written here)
#   CONTAINERS_STORAGE_CONF  -> $IMAGE_TEST_CACHE/storage.conf (images under $IMAGE_TEST_CACHE/storage)
# What a sandboxed machine needs, found by trying: runc (crun refuses the
# host's cgroup layout), cgroupfs (no systemd), explicit ulimits (the default
# asks for more open files and processes than the sandbox allows).

podman_env_fail() {
  echo "test:image cannot run podman here: $*" >&2
  exit 1
}

podman_env_setup() {
  if [ "$(id -u)" != 0 ]; then
    podman_env_fail "it must run as root. It installs podman, runc and debootstrap with apt-get, debootstraps a base image and runs rootful podman (rootless podman needs /etc/subuid ranges and user namespaces). Run it as root, as .ci/run does."
  fi
  local missing=()
  command -v podman > /dev/null || missing+=(podman)
  command -v runc > /dev/null || [ -x /usr/sbin/runc ] || missing+=(runc)
  command -v debootstrap > /dev/null || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
  command -v curl > /dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get > /dev/null || podman_env_fail "${missing[*]} missing and there is no apt-get to install them (this script expects Debian bookworm)."
    echo "== Installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends podman runc debootstrap curl ca-certificates > /dev/null
  fi

  mkdir -p "$IMAGE_TEST_CACHE/storage"
  local nofile
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576
  cat > "$IMAGE_TEST_CACHE/containers.conf" <<CONF
# Written by tools/image/podman-env.sh for npm run test:image.
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
  local driver=overlay
  grep -qw overlay /proc/filesystems || driver=vfs
  cat > "$IMAGE_TEST_CACHE/storage.conf" <<CONF
# Written by tools/image/podman-env.sh for npm run test:image.
[storage]
driver = "$driver"
graphroot = "$IMAGE_TEST_CACHE/storage"
runroot = "/run/bge-m3-cog-image-test"
CONF
  export CONTAINERS_CONF="$IMAGE_TEST_CACHE/containers.conf"
  export CONTAINERS_STORAGE_CONF="$IMAGE_TEST_CACHE/storage.conf"
  local info
  if ! info="$(podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}' 2>&1)"; then
    podman_env_fail "\`podman info\` failed with the settings in $IMAGE_TEST_CACHE:
$info"
  fi
  echo "== podman $(podman --version | awk '{print $3}'): runtime and storage $info, cache $IMAGE_TEST_CACHE"
}
