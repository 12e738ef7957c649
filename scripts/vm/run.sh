#!/usr/bin/env bash
# make vm-test: jobq on a real Debian 12 with systemd as PID 1 and cgroup v2, in a QEMU guest.
#
# Builds (or reuses) the guest image, builds the .deb twice (VERSION, and VERSION+vmtest to test an
# upgrade), boots the guest once with a 9p share holding the packages and scripts/vm/guest/, and
# reads the results the guest wrote there. Prints each scenario's line with its figures and the
# summary "N passed, M failed"; exits 1 when any scenario failed or the guest did not finish.
# Everything it writes is under .build-vm/ (the last run's share: .build-vm/run/, with the guest's
# console log, journal and serial console).
#
# Needs root (debootstrap), qemu-system-x86, debootstrap, e2fsprogs, dpkg-dev, and the Swift
# toolchain with libhiredis-dev; lintian is used when installed. Settings: VM_ACCEL (kvm or tcg;
# default: probe), VM_TIMEOUT (seconds for the boot, default 1800), SWIFT_BUILD_FLAGS (passed to
# swift build).
set -euo pipefail
cd "$(dirname "$0")/../.."

started=$(date +%s)
for tool in qemu-system-x86_64 debootstrap mkfs.ext4 dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || {
    echo "vm-test: $tool not found (apt-get install qemu-system-x86 debootstrap e2fsprogs dpkg-dev)" >&2
    exit 1
  }
done
mkdir -p .build-vm

step=$(date +%s)
image_dir=$(scripts/vm/build-image.sh | tail -n 1)
image_seconds=$(( $(date +%s) - step ))

step=$(date +%s)
rm -rf .build-vm/debs
scripts/package-deb.sh --fast --out .build-vm/debs >/dev/null
scripts/package-deb.sh --fast --out .build-vm/debs --no-build --no-lintian --version-suffix vmtest >/dev/null
package_seconds=$(( $(date +%s) - step ))

share=.build-vm/run
rm -rf "$share"
mkdir -p "$share/out"
cp -r scripts/vm/guest "$share/guest"
cp .build-vm/debs/*.deb "$share/"
mkdir -p "$share/debs" && mv "$share"/*.deb "$share/debs/"

echo "vm-test: booting $image_dir ($(ls "$share/debs" | paste -sd' '))"
boot_status=0
scripts/vm/boot.sh "$image_dir" "$share" "${VM_TIMEOUT:-1800}" || boot_status=$?

echo "--- guest console (.build-vm/run/out/console.log)"
cat "$share/out/console.log" 2>/dev/null || echo "(none)"
echo "--- results"
results=$share/out/results.txt
[ -f "$results" ] || : >"$results"
if [ "$boot_status" != 0 ] || [ "$(cat "$share/out/status" 2>/dev/null)" != 0 ]; then
  echo "FAIL guest: the guest did not run the scenarios to the end (serial console: $share/serial.log)" >>"$results"
  tail -n 40 "$share/serial.log" 2>/dev/null || true
fi
cat "$results"
passed=$(grep -c '^PASS' "$results" || true)
failed=$(grep -c '^FAIL' "$results" || true)
echo "vm-test: accelerator $(cat "$share/accel" 2>/dev/null || echo unknown); image ${image_seconds} s; packages ${package_seconds} s;" \
  "boot to poweroff $(cat "$share/boot-seconds" 2>/dev/null || echo '?') s ($(head -n 1 "$share/out/boot.txt" 2>/dev/null || echo 'boot not recorded'));" \
  "total $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
