#!/usr/bin/env bash
# Boots the guest of IMAGE_DIR once with SHARE_DIR as its 9p share "share", and waits until it
# powers itself off (the image's jobq-vm-test unit runs SHARE_DIR/guest/main.sh and then powers
# off) or TIMEOUT seconds pass. The disk is attached with -snapshot: no run changes the image.
# 1 vCPU and 1 GiB, like a small VPS. The serial console goes to SHARE_DIR/serial.log.
#
# usage: scripts/vm/boot.sh IMAGE_DIR SHARE_DIR TIMEOUT
# The accelerator: VM_ACCEL=kvm or tcg; otherwise KVM when a short probe shows that it boots this
# kernel, else TCG (software emulation).
set -euo pipefail

image_dir=$1 share_dir=$2 timeout_seconds=$3
command -v qemu-system-x86_64 >/dev/null || { echo "boot: qemu-system-x86_64 not found (apt-get install qemu-system-x86)" >&2; exit 1; }

# KVM can be present and still not run this guest (a nested host whose CPU models the guest kernel
# cannot use stalls before the kernel's first line): boot it for a few seconds and look for that line.
kvm_boots() {
  [ -w /dev/kvm ] || return 1
  local log
  log=$(mktemp)
  timeout 15 qemu-system-x86_64 -accel kvm -cpu host -m 256 -smp 1 -no-reboot -display none -nic none \
    -kernel "$image_dir/vmlinuz" -initrd "$image_dir/initrd.img" \
    -append "console=ttyS0 panic=-1 root=/dev/null" -serial "file:$log" >/dev/null 2>&1 &
  local pid=$! found=1
  for _ in $(seq 1 40); do
    if grep -q 'Linux version' "$log" 2>/dev/null; then found=0; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
  return $found
}

accel=${VM_ACCEL:-}
if [ -z "$accel" ]; then
  if kvm_boots 2>/dev/null; then accel=kvm; else accel=tcg; fi
fi
case $accel in
  kvm) accel_args=(-accel kvm -cpu host) ;;
  tcg) accel_args=(-accel tcg) ;;
  *) echo "boot: VM_ACCEL must be kvm or tcg, not $accel" >&2; exit 64 ;;
esac
echo "$accel" >"$share_dir/accel"

started=$(date +%s.%N)
status=0
timeout --kill-after=10 "$timeout_seconds" qemu-system-x86_64 "${accel_args[@]}" \
  -m 1024 -smp 1 -no-reboot -display none -nic none -nodefaults \
  -kernel "$image_dir/vmlinuz" -initrd "$image_dir/initrd.img" \
  -append "root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 loglevel=4 systemd.show_status=0" \
  -drive "file=$image_dir/root.ext4,format=raw,if=virtio" -snapshot \
  -virtfs "local,path=$share_dir,mount_tag=share,security_model=none,id=share" \
  -serial "file:$share_dir/serial.log" || status=$?
ended=$(date +%s.%N)
awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f\n", b - a }' >"$share_dir/boot-seconds"
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  echo "boot: the guest did not power off within $timeout_seconds s ($accel); serial console: $share_dir/serial.log" >&2
  exit 1
fi
[ "$status" = 0 ] || { echo "boot: qemu exited with status $status" >&2; exit 1; }
