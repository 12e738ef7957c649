#!/usr/bin/env bash
# Builds the Debian package jobq_VERSION_ARCH.deb: the release binaries linked with the static Swift
# runtime (the server needs no Swift, only the libraries dpkg-shlibdeps finds, such as
# libhiredis0.14), the systemd units of systemd/ in /lib/systemd/system/ (with /usr/bin paths), a
# sysusers.d entry for the jobq user, a tmpfiles.d entry for /etc/jobq and /var/lib/jobq,
# /etc/jobq/jobq.env as a conffile, and the maintainer scripts of packaging/debian/ (they run
# daemon-reload and enable nothing). Then runs lintian on it when lintian is installed.
#
# usage: scripts/package-deb.sh [--version-suffix S] [--out DIR] [--no-build] [--no-lintian] [--fast]
#   --version-suffix S   package version VERSION+S instead of VERSION, which dpkg orders after it
#                        (a later build of the same sources, e.g. to test an upgrade)
#   --out DIR      where the .deb goes (default: .build-deb/)
#   --no-build     package the binaries already built (swift build ... --show-bin-path)
#   --no-lintian   skip lintian
#   --fast         gzip instead of xz: a larger file, built in seconds instead of minutes (for tests)
# The version is the VERSION file's. SWIFT_BUILD_FLAGS passes options to swift build (e.g.
# SWIFT_BUILD_FLAGS="--scratch-path .build-other"). JOBQ_DEB_MAINTAINER sets the Maintainer field.
# Prints the path of the .deb as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

# The programs in the package, each a product of Package.swift installed as /usr/bin/NAME.
PRODUCTS=(jobq ingest-worker jobq-web)

suffix=""
out_dir=.build-deb
build=1
run_lintian=1
compression=(-Zxz)
while [ $# -gt 0 ]; do
  case $1 in
    --version-suffix) suffix=${2:?--version-suffix needs a value}; shift 2 ;;
    --out) out_dir=${2:?--out needs a directory}; shift 2 ;;
    --no-build) build=0; shift ;;
    --no-lintian) run_lintian=0; shift ;;
    --fast) compression=(-Zgzip -z6); shift ;;
    *) echo "package-deb: unknown argument $1 (see the comment at the top of $0)" >&2; exit 64 ;;
  esac
done

version=$(tr -d '[:space:]' <VERSION)
[[ $version =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || { echo "package-deb: VERSION holds '$version', not a Debian upstream version" >&2; exit 1; }
[ -z "$suffix" ] || version="$version+$suffix"
[[ $version =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || { echo "package-deb: '$version' is not a Debian version" >&2; exit 64; }
arch=$(dpkg --print-architecture)
maintainer=${JOBQ_DEB_MAINTAINER:-jobq maintainers <jobq@example.org>}
# Reproducible timestamps: the last commit's time (or now, outside git).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

read -ra swift_flags <<<"${SWIFT_BUILD_FLAGS:-}"
swift_flags+=(-c release --static-swift-stdlib)
if [ "$build" = 1 ]; then
  for product in "${PRODUCTS[@]}"; do
    echo "package-deb: swift build ${swift_flags[*]} --product $product" >&2
    swift build "${swift_flags[@]}" --product "$product" >&2
  done
fi
bin_dir=$(swift build "${swift_flags[@]}" --show-bin-path)

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd -P)
stage=$(mktemp -d "$out_dir/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/lib/systemd/system" "$root/usr/lib/sysusers.d" \
  "$root/usr/lib/tmpfiles.d" "$root/etc/jobq" "$root/usr/share/doc/jobq"

for product in "${PRODUCTS[@]}"; do
  [ -x "$bin_dir/$product" ] || { echo "package-deb: $bin_dir/$product is missing (build it, or drop --no-build)" >&2; exit 1; }
  install -m 0755 "$bin_dir/$product" "$root/usr/bin/$product"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/$product"
done

# The units as in systemd/, with the programs where the package puts them.
for unit in systemd/*.service systemd/*.timer; do
  sed -e 's#/usr/local/bin/#/usr/bin/#g' "$unit" >"$root/lib/systemd/system/$(basename "$unit")"
  chmod 0644 "$root/lib/systemd/system/$(basename "$unit")"
done
install -m 0640 systemd/jobq.env.example "$root/etc/jobq/jobq.env"
install -m 0644 packaging/debian/sysusers.conf "$root/usr/lib/sysusers.d/jobq.conf"
install -m 0644 packaging/debian/tmpfiles.conf "$root/usr/lib/tmpfiles.d/jobq.conf"
install -m 0644 packaging/debian/copyright "$root/usr/share/doc/jobq/copyright"
# The drop-ins, for the administrator to copy to /etc/systemd/system/UNIT.d/ (docs/deploying.md).
mkdir -p "$root/usr/share/doc/jobq/drop-ins"
for dropin in systemd/drop-ins/*.conf; do
  sed -e 's#/usr/local/bin/#/usr/bin/#g' "$dropin" >"$root/usr/share/doc/jobq/drop-ins/$(basename "$dropin")"
  chmod 0644 "$root/usr/share/doc/jobq/drop-ins/$(basename "$dropin")"
done
{
  printf 'jobq (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * Built from the jobq sources at %s.\n\n' "$(git rev-parse --short HEAD 2>/dev/null || echo 'an unknown commit')"
  printf ' -- %s  %s\n' "$maintainer" "$(date -R -u -d "@$SOURCE_DATE_EPOCH")"
} | gzip -9n >"$root/usr/share/doc/jobq/changelog.gz"
chmod 0644 "$root/usr/share/doc/jobq/changelog.gz"

for script in postinst prerm postrm; do
  install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"
done
echo /etc/jobq/jobq.env >"$root/DEBIAN/conffiles"

# Depends: what the binaries link (dpkg-shlibdeps wants a debian/control to read), plus systemd
# for systemd-sysusers and systemd-tmpfiles in postinst.
mkdir -p "$stage/src/debian"
printf 'Source: jobq\n\nPackage: jobq\nArchitecture: any\n' >"$stage/src/debian/control"
shlib_depends=$(cd "$stage/src" && dpkg-shlibdeps -O "${PRODUCTS[@]/#/$root/usr/bin/}" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlib_depends" ] || { echo "package-deb: dpkg-shlibdeps found no dependencies (is libhiredis-dev installed?)" >&2; exit 1; }
depends="$shlib_depends, systemd"

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@MAINTAINER@/$maintainer/" \
    -e "s/@INSTALLED_SIZE@/$installed_size/" -e "s/@DEPENDS@/$depends/" \
    packaging/debian/control.in >"$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb=$out_dir/jobq_${version}_${arch}.deb
dpkg-deb --root-owner-group "${compression[@]}" --build "$root" "$deb" >&2

if [ "$run_lintian" = 1 ]; then
  if command -v lintian >/dev/null; then
    echo "package-deb: lintian $(basename "$deb")" >&2
    # Errors fail the build; warnings and notes are shown.
    lintian --fail-on error --tag-display-limit 0 "$deb" >&2
  else
    echo "package-deb: lintian is not installed (apt-get install lintian); not checked" >&2
  fi
fi
echo "$deb"
