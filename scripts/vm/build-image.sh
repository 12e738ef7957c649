#!/usr/bin/env bash
# Builds the VM test's Debian 12 guest: a minimal root file system from debootstrap (systemd as
# PID 1, redis-server, libhiredis0.14, a kernel), a small initrd, and the unit that runs the
# scenarios from the 9p share. Output: .build-vm/image-HASH/{root.ext4,vmlinuz,initrd.img}, where
# HASH covers this script and the files in scripts/vm/image/, so an unchanged recipe is built once.
# Prints the image directory as its last line.
#
# Needs root (debootstrap), debootstrap and e2fsprogs. The packages come from the Debian mirror in
# this machine's apt sources, or VM_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUITE=bookworm
PACKAGES=systemd,systemd-sysv,udev,dbus,redis-server,libhiredis0.14,procps,iproute2,kmod,linux-image-amd64,initramfs-tools
IMAGE_SIZE=2G

hash=$(cat scripts/vm/build-image.sh scripts/vm/image/* | sha256sum | cut -c1-16)
image_dir=.build-vm/image-$hash
if [ -f "$image_dir/root.ext4" ] && [ -f "$image_dir/vmlinuz" ] && [ -f "$image_dir/initrd.img" ]; then
  echo "build-image: cached $image_dir" >&2
  echo "$image_dir"
  exit 0
fi

[ "$(id -u)" = 0 ] || { echo "build-image: debootstrap needs root" >&2; exit 1; }
for tool in debootstrap mkfs.ext4; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool not found (apt-get install debootstrap e2fsprogs)" >&2; exit 1; }
done

# The Debian mirror this machine's apt uses for the main archive (deb822 or one-line sources).
mirror=${VM_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && / '"$SUITE"'( |$)/ { print uri; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $3 == "'"$SUITE"'" { print $2; exit }' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
[ -n "$mirror" ] || { echo "build-image: no Debian $SUITE mirror in /etc/apt/sources*; set VM_MIRROR" >&2; exit 1; }

started=$(date +%s)
work=.build-vm/build-$hash
rm -rf "$work"
mkdir -p "$work"
rootfs=$work/root
echo "build-image: debootstrap $SUITE from $mirror" >&2
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  echo "build-image: debootstrap failed (log: $work/debootstrap.log)" >&2
  exit 1
}

# A small initrd: only the modules needed to find the root file system on a virtio disk.
sed -i 's/^MODULES=.*/MODULES=list/' "$rootfs/etc/initramfs-tools/initramfs.conf"
printf 'virtio_pci\nvirtio_blk\next4\n' >>"$rootfs/etc/initramfs-tools/modules"
chroot "$rootfs" update-initramfs -u -k all >"$work/initramfs.log" 2>&1

# Fixed identity (no first-boot work), the root file system, the share's modules.
echo 0123456789abcdef0123456789abcdef >"$rootfs/etc/machine-id"
echo jobq-vm >"$rootfs/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 jobq-vm\n' >"$rootfs/etc/hosts"
echo '/dev/vda / ext4 rw,relatime 0 1' >"$rootfs/etc/fstab"
printf '9p\n9pnet_virtio\n' >"$rootfs/etc/modules-load.d/share.conf"
# Nothing that wakes up on its own during a test.
for unit in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer systemd-tmpfiles-clean.timer \
            getty@tty1.service serial-getty@ttyS0.service; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
# The runner of the scenarios.
install -m 0755 scripts/vm/image/jobq-vm-test "$rootfs/usr/local/sbin/jobq-vm-test"
install -m 0644 scripts/vm/image/jobq-vm-test.service "$rootfs/etc/systemd/system/jobq-vm-test.service"
ln -sf /etc/systemd/system/jobq-vm-test.service "$rootfs/etc/systemd/system/multi-user.target.wants/jobq-vm-test.service"

mkdir -p "$work/out"
cp -L "$rootfs/boot/vmlinuz" "$work/out/vmlinuz" 2>/dev/null || cp "$rootfs"/boot/vmlinuz-* "$work/out/vmlinuz"
cp -L "$rootfs/boot/initrd.img" "$work/out/initrd.img" 2>/dev/null || cp "$rootfs"/boot/initrd.img-* "$work/out/initrd.img"
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/boot/* "$rootfs"/var/lib/apt/lists/*_Packages "$rootfs"/var/log/*.log
mkfs.ext4 -q -L root -d "$rootfs" "$work/out/root.ext4" "$IMAGE_SIZE"

rm -rf "$image_dir"
mv "$work/out" "$image_dir"
rm -rf "$work"
# Older images of other recipes are not needed any more.
find .build-vm -maxdepth 1 -name 'image-*' ! -name "image-$hash" -exec rm -rf {} +
echo "build-image: $image_dir in $(( $(date +%s) - started )) s (initrd $(du -h "$image_dir/initrd.img" | cut -f1))" >&2
echo "$image_dir"
