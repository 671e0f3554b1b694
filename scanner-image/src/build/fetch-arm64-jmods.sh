#!/bin/sh
# Puts Debian's linux/arm64 jmods of OpenJDK 17 where the scanner-image build looks for them
# (default ~/.cache/mipo-scanner/jmods-linux-arm64, or the directory given as $1), so that the
# build's jlink can make the linux/arm64 bundle's runtime. The package is downloaded with
# apt-get and unpacked with dpkg-deb -x: nothing from it is installed or run.
# Needs root on Debian/Ubuntu (it adds the arm64 architecture to dpkg and runs apt-get update).
set -eu

main() {
  dest=${1:-${HOME}/.cache/mipo-scanner/jmods-linux-arm64}
  if [ -f "$dest/java.base.jmod" ]; then
    echo "arm64 jmods already in $dest" >&2
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || { echo "apt-get is needed" >&2; exit 1; }
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
  fi
  apt-get update -qq
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # Debian 12 ships the jmods in the JDK package (later releases split them into openjdk-17-jmods)
  pkg=openjdk-17-jdk-headless
  if apt-cache show openjdk-17-jmods:arm64 >/dev/null 2>&1; then
    pkg=openjdk-17-jmods
  fi
  (cd "$work" && apt-get download "${pkg}:arm64")
  dpkg-deb -x "$work"/*.deb "$work/x"
  jmods=$(find "$work/x" -type f -name java.base.jmod -path '*arm64*' | head -n 1)
  [ -n "$jmods" ] || { echo "no arm64 java.base.jmod in ${pkg}" >&2; exit 1; }
  mkdir -p "$(dirname "$dest")"
  rm -rf "$dest.tmp"
  cp -r "$(dirname "$jmods")" "$dest.tmp"
  mv "$dest.tmp" "$dest"
  echo "arm64 jmods from ${pkg} in $dest" >&2
}

main "$@"
