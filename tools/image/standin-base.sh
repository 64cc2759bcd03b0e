# Sourced by test-image.sh: makes a stand-in for node:20-bookworm-slim where
# Docker Hub cannot be reached: Debian bookworm (debootstrap, from the mirror
# apt already uses) with this machine's own node and npm in /usr/local, its CA
# bundle and npm registry/proxy settings (so npm inside reaches the registry
# as the machine's npm does), and the `node` user (uid 1000) the real image has.
# Kept in the test's podman storage under a tag naming what it was made from,
# and made again only when one of those changes.

STANDIN_RECIPE=1

# The bookworm mirror of this machine's apt sources (deb822 or one-line); DEBIAN_MIRROR overrides.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri="$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ && u {print u; exit}' "$f")"
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri="$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' "$f")"
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  echo http://deb.debian.org/debian
}

# npm settings that decide how the registry is reached, as `key=value` lines.
host_npmrc() {
  local key value
  for key in registry proxy https-proxy noproxy strict-ssl; do
    value="$(npm config get "$key" 2>/dev/null || true)"
    case "$value" in '' | null | undefined) continue ;; esac
    [ "$key" = strict-ssl ] && [ "$value" = true ] && continue
    echo "$key=$value"
  done
  [ -n "$STANDIN_CA" ] && echo "cafile=/etc/ssl/certs/ca-certificates.crt"
  return 0
}

# The CA bundle this machine's node and npm trust.
host_ca_bundle() {
  local f
  for f in "${NODE_EXTRA_CA_CERTS:-}" "$(npm config get cafile 2>/dev/null)" /etc/ssl/certs/ca-certificates.crt; do
    case "$f" in '' | null | undefined) continue ;; esac
    [ -f "$f" ] && { echo "$f"; return; }
  done
}

# Prints the stand-in's tag, making it first when needed.
standin_image() {
  local node_bin npm_dir mirror npmrc aptconf key tag
  node_bin="$(readlink -f "$(command -v node)")"
  npm_dir="$(npm root -g 2>/dev/null)/npm"
  [ -f "$npm_dir/bin/npm-cli.js" ] || { echo "test:image: npm not found at $npm_dir" >&2; return 1; }
  case "$("$node_bin" --version)" in v20.*) ;; *) echo "test:image: the stand-in needs Node 20 (the Dockerfile's base); this machine has $("$node_bin" --version)" >&2; return 1 ;; esac
  STANDIN_CA="$(host_ca_bundle)"
  mirror="$(debian_mirror)"
  npmrc="$(host_npmrc)"
  aptconf="$(apt-config dump 2>/dev/null | grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' || true)"
  key="$( { echo "$STANDIN_RECIPE $mirror"; "$node_bin" --version; cat "$npm_dir/package.json"; echo "$npmrc"; echo "$aptconf"; [ -n "$STANDIN_CA" ] && cat "$STANDIN_CA"; } | sha256sum | cut -c1-12)"
  tag="localhost/bge-m3-cog-test/node:20-bookworm-slim-standin-$key"
  if podman image exists "$tag"; then
    echo "$tag"
    return
  fi

  local base="$IMAGE_TEST_CACHE/bookworm-minbase-$(echo "$mirror" | sha256sum | cut -c1-12).tar"
  local root
  root="$(mktemp -d "${TMPDIR:-/tmp}/standin-root.XXXXXX")"
  if [ -f "$base" ]; then
    tar -C "$root" -xf "$base"
  else
    echo "== debootstrap bookworm from $mirror (once; cached in $base)" >&2
    local started=$SECONDS
    if ! debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.log" 2>&1; then
      tail -20 "$root.log" >&2
      echo "test:image: debootstrap from $mirror failed (log above); set DEBIAN_MIRROR to a reachable bookworm mirror" >&2
      rm -rf "$root" "$root.log"
      return 1
    fi
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root.log"
    tar -C "$root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
    echo "== debootstrap took $((SECONDS - started)) s" >&2
  fi

  echo "== Making the stand-in base image $tag" >&2
  install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
  mkdir -p "$root/usr/local/lib/node_modules" "$root/usr/local/etc"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  echo "$npmrc" > "$root/usr/local/etc/npmrc"
  [ -n "$aptconf" ] && echo "$aptconf" > "$root/etc/apt/apt.conf.d/99image-test-host"
  local changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]')
  if [ -n "$STANDIN_CA" ]; then
    install -D -m 0644 "$STANDIN_CA" "$root/etc/ssl/certs/ca-certificates.crt"
    changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt')
  fi
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  tar -C "$root" -cf - . | podman import "${changes[@]}" - "$tag" > /dev/null
  rm -rf "$root"
  echo "$tag"
}
