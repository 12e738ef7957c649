# make bench   jobq against raw Redis and the popular Python Redis queues (docs/benchmarks.md)
# make chaos   fault scenarios with audits, and the wire-format fuzzer (docs/reliability.md)
# make footprint  an idle worker's and an idle supervisor's CPU and memory (docs/benchmarks.md)
# make idle-order  the order the release binaries are linked in: what idle processes run, together
# make deb     the Debian package jobq_VERSION_ARCH.deb in .build-deb/ (docs/deploying.md)
# make vm-test the package and the units on a real Debian 12 under QEMU (docs/reliability.md)
#
# Each builds the release binaries first, as the Debian package ships them: with the Swift runtime
# linked in (--static-swift-stdlib).
# SWIFT_BUILD_FLAGS passes options to swift build (e.g. SWIFT_BUILD_FLAGS="--scratch-path
# .build-other"); settings of the runs are environment variables described in the documents.

SWIFT_BUILD_FLAGS ?=
RELEASE_FLAGS = -c release --static-swift-stdlib $(SWIFT_BUILD_FLAGS)
RELEASE_BIN_DIR = $(shell swift build $(RELEASE_FLAGS) --show-bin-path)

.PHONY: release bench chaos footprint idle-order deb vm-test

release:
	swift build $(RELEASE_FLAGS)

bench: release
	JOBQ_BIN_DIR="$(RELEASE_BIN_DIR)" scripts/bench/run.sh

chaos: release
	JOBQ_BIN_DIR="$(RELEASE_BIN_DIR)" scripts/chaos/run.sh

footprint:
	SWIFT_BUILD_FLAGS="$(SWIFT_BUILD_FLAGS)" scripts/footprint.sh

idle-order:
	SWIFT_BUILD_FLAGS="$(SWIFT_BUILD_FLAGS)" scripts/idle-order.sh

deb:
	SWIFT_BUILD_FLAGS="$(SWIFT_BUILD_FLAGS)" scripts/package-deb.sh

vm-test:
	SWIFT_BUILD_FLAGS="$(SWIFT_BUILD_FLAGS)" scripts/vm/run.sh
