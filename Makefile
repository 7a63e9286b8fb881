# rustdio: Rust reimplementation of Linux 6.12's fs/direct-io.c.
#
#   make run                 build the Rust-engine kernel, boot it, demo O_DIRECT I/O
#   make test [ENGINE=...] [VARIANT=...]
#                            KUnit + the direct-I/O suite + faults in QEMU: both
#                            engines on the plain kernel, the Rust engine on the
#                            debug (KASAN, lockdep, ...) kernel with vfat and jfs,
#                            a slice of the differential corpus, the verdict's
#                            self-test (under an hour on 2 cores)
#   make test ARCH=arm64     the same on arm64 kernels (qemu-system-aarch64): both
#                            engines on the plain kernel with vfat and exfat, faults
#   make test-full           every filesystem, both engines, on both kernels
#   make test-faults         device errors, memory faults, failslab on both engines
#   make soak DURATION=s     race tests under load for DURATION seconds (default 600)
#   make bench [PAIRS=5]     Rust/C benchmark ratios into bench/results/; the guest
#     [BENCH_CLOCK=icount]   clock counts instructions (icount) or host time (wall)
#   make profile             perf profiles of both engines into bench/results/
#   make kunit [ARCH=arm64]  the KUnit suites through tools/testing/kunit/kunit.py
#   make check               mutants still apply; rustfmt, clippy and rustdoc for the engine;
#                            arm64 and x86_64 PREEMPT_RT builds; stack frames C vs Rust
#   make mutants [MUTANTS="01 05"] [FS="vfat jfs"] [LBS="512 4096"] [CORPUS=fuzz [SEEDS=20]]
#                            build the engine with each planted bug of tests/mutants/,
#                            run the suite on it; fails if any mutant survives
#   make fuzz [FS=...] [LBS=...] [SEEDS=200] [SEED0=1] [OPS=200] [DURATION=s] [FAULTS=both|0|1]
#             [VARIANT=guest|debug] [REPLAY=file]
#                            seeded O_DIRECT programs on the C and the Rust engine,
#                            logs compared; a divergence is minimized into build/logs/
#   make xfstests [FS=vfat,exfat] [ENGINE=both] [TESTS=generic/001,... | GROUP=quick] [DURATION=s] [RESUME=1]
#                            fstests on each engine's defconfig-based kernel (virtme-ng);
#                            the side-by-side report goes to build/logs/xfstests-<fs>.md;
#                            DURATION=s stops after s seconds with the same tests run on each engine;
#                            RESUME=1 goes on from the saved results of such a run (same kernels and list).
#                            fstests comes from FSTESTS_SRC=<checkout or git dir> or is cloned
#   make patch               the integration as a git format-patch series

ENGINE ?= both
S := $(CURDIR)/scripts
# ARCH=arm64: the guests are arm64 kernels under qemu-system-aarch64 (TCG).
# There, make test runs the plain kernel with vfat and exfat unless VARIANT
# and FS say otherwise.
ARCH ?= x86_64
ifeq ($(filter $(ARCH),x86_64 x86 arm64),)
$(error ARCH must be x86_64 or arm64 (got '$(ARCH)'))
endif
export RUSTDIO_ARCH := $(ARCH)
ifeq ($(ARCH),arm64)
VARIANT ?= guest
ARCH_FS := $(or $(FS),vfat exfat)
else
VARIANT ?= guest debug
endif

# Every variable is checked before any work starts, with one line naming it
# and the values it takes.
ALL_FS := vfat msdos exfat udf jfs nilfs2 ntfs3 hfs reiserfs ocfs2
define check_num
$(if $($(1)),$(if $(shell printf '%s' '$($(1))' | grep -xE '[0-9]+'),,$(error $(1) must be a whole number (got '$($(1))'))))
endef
$(foreach v,PAIRS DURATION SEEDS SEED0 OPS,$(eval $(call check_num,$(v))))
comma := ,
# make xfstests takes FS=vfat,exfat (commas or spaces), ext2 included.
XFSTESTS_FS := vfat msdos exfat ext2 udf jfs
ifeq ($(filter xfstests,$(MAKECMDGOALS)),xfstests)
ifneq ($(filter-out $(XFSTESTS_FS),$(subst $(comma), ,$(FS))),)
$(error FS takes filesystems from: $(XFSTESTS_FS) for xfstests (got '$(filter-out $(XFSTESTS_FS),$(subst $(comma), ,$(FS)))'))
endif
ifneq ($(and $(TESTS),$(GROUP)),)
$(error give TESTS or GROUP, not both)
endif
ifneq ($(filter-out quick auto aio rw,$(GROUP)),)
$(error GROUP takes quick, auto, aio or rw (got '$(GROUP)'))
endif
ifneq ($(shell printf '%s' '$(TESTS)' | tr ',' ' ' | tr ' ' '\n' | grep -vxE '(generic|shared)/[0-9]{3}|'),)
$(error TESTS takes fstests names such as generic/001, comma-separated (got '$(TESTS)'))
endif
else
ifneq ($(filter-out $(ALL_FS),$(FS)),)
$(error FS takes filesystems from: $(ALL_FS) (got '$(filter-out $(ALL_FS),$(FS))'))
endif
endif
ifneq ($(filter-out 512 4096,$(LBS)),)
$(error LBS takes 512 and/or 4096 (got '$(LBS)'))
endif
ifneq ($(filter-out guest debug rt bench,$(VARIANT)),)
$(error VARIANT takes guest, debug, rt or bench (got '$(VARIANT)'))
endif
ifneq ($(filter-out suite fuzz,$(CORPUS)),)
$(error CORPUS must be suite or fuzz (got '$(CORPUS)'))
endif
ifneq ($(filter-out both 0 1,$(FAULTS)),)
$(error FAULTS must be both, 0 or 1 (got '$(FAULTS)'))
endif
ifneq ($(filter-out 0 1,$(RESUME)),)
$(error RESUME must be 0 or 1 (got '$(RESUME)'))
endif
ifneq ($(filter-out icount wall,$(BENCH_CLOCK)),)
$(error BENCH_CLOCK must be icount or wall (got '$(BENCH_CLOCK)'))
endif
MUTANT_IDS := $(patsubst tests/mutants/%,%,$(basename $(wildcard tests/mutants/[0-9][0-9]-*.patch)))
ifneq ($(filter-out $(foreach m,$(MUTANT_IDS),$(firstword $(subst -, ,$(m)))),$(MUTANTS)),)
$(error MUTANTS takes mutant numbers from tests/mutants/: $(foreach m,$(MUTANT_IDS),$(firstword $(subst -, ,$(m)))) (got '$(MUTANTS)'))
endif
ifneq ($(REPLAY),)
ifeq ($(wildcard $(REPLAY)),)
$(error REPLAY: no such file '$(REPLAY)')
endif
endif

ifeq ($(filter $(ENGINE),c rust both),)
$(error ENGINE must be c, rust or both (got '$(ENGINE)'))
endif
# Soak on the debug kernel unless VARIANT is given.
SOAK_VARIANT := $(if $(filter command line environment,$(origin VARIANT)),$(VARIANT),debug)
ENGINES := $(if $(filter both,$(ENGINE)),c rust,$(ENGINE))
# make test's debug run: the Rust engine on a subset, unless ENGINE is given.
DEBUG_ENGINES := $(if $(filter command line environment,$(origin ENGINE)),$(ENGINES),rust)

.PHONY: all setup kernels run test test-full test-faults soak bench profile kunit check mutants fuzz xfstests patch clean

all: test

setup:
	@$(S)/setup.sh

kernels: setup
	@for v in $(VARIANT); do for e in $(ENGINES); do $(S)/build-kernel.sh $$e $$v || exit 1; done; done

run: setup
	@$(S)/run-demo.sh

test: setup
	@$(if $(ARCH_FS),RUSTDIO_FS="$(ARCH_FS)") \
		RUSTDIO_DEBUG_ENGINES="$(DEBUG_ENGINES)" RUSTDIO_DEBUG_FS="vfat jfs" RUSTDIO_DEBUG_LBS=512 \
		$(S)/test.sh "$(VARIANT)" $(ENGINES)

test-full: setup
	@$(S)/test.sh "$(VARIANT)" $(ENGINES)

test-faults: setup
	@RUSTDIO_SUITE=faults RUSTDIO_FS=vfat RUSTDIO_LBS=512 $(S)/test.sh "$(VARIANT)" $(ENGINES)

soak: setup
	@RUSTDIO_SUITE=soak RUSTDIO_FS="vfat jfs" RUSTDIO_LBS=512 RUSTDIO_TIMEOUT=$$(( $(or $(DURATION),600) + 600 )) \
		DURATION=$(or $(DURATION),600) $(S)/test.sh "$(SOAK_VARIANT)" $(ENGINES)

bench: setup
	@$(S)/bench.sh

profile: setup
	@$(S)/profile.sh

kunit: setup
	@$(S)/kunit.sh guest

check: setup
	@$(S)/check.sh

# Mutants run on vfat, jfs and ocfs2 at 512 bytes (every case that kills one
# runs there) unless FS is given.
mutants: setup
	@RUSTDIO_FS="$(or $(FS),vfat jfs ocfs2)" RUSTDIO_LBS="$(or $(LBS),512)" RUSTDIO_CORPUS="$(or $(CORPUS),suite)" \
		RUSTDIO_FUZZ_SEEDS="$(or $(SEEDS),20)" RUSTDIO_FUZZ_OPS="$(or $(OPS),200)" $(S)/mutants.sh $(MUTANTS)

# make fuzz: the fixed corpus (seeds 1..SEEDS) on every filesystem, without
# and with pinned faults; DURATION=s runs rounds of new seeds for that long;
# SEED0=n starts at seed n (SEED0=201 SEEDS=5: rounds of programs outside the
# fixed corpus).
FUZZ_VARIANT := $(if $(filter command line environment,$(origin VARIANT)),$(VARIANT),guest)
# hfs, udf and reiserfs only when asked for (FS=...): an O_DSYNC AIO write
# on hfs makes either engine's completion work warn (hfs_file_fsync()
# flushes hfs_mdb_work from the WQ_MEM_RECLAIM dio workqueue), and udf (block
# counts after a remount) and reiserfs (block counts and more) give
# different logs in two boots of the C kernel for the same program.
# With pinned faults jfs only when asked for: an injected read error in a
# transaction commit leaves an inode that jfs_evict_inode() BUG()s on at the
# next unmount, on both engines, and the guest goes down with it.
fuzz: setup
	@$(S)/fuzz.sh "$(FUZZ_VARIANT)" "$(or $(FS),vfat msdos exfat jfs nilfs2 ntfs3 ocfs2)" \
		"$(or $(LBS),512 4096)" "$(or $(SEEDS),200)" "$(or $(OPS),200)" "$(or $(DURATION),0)" \
		"$(or $(FAULTS),both)" "$(REPLAY)" "$(or $(FS),vfat msdos exfat nilfs2 ntfs3 ocfs2)" \
		"$(or $(SEED0),1)"

# make xfstests: not part of make test (hours under TCG); see the README.
xfstests: setup
	@$(S)/xfstests.sh "$(or $(FS),vfat$(comma)exfat)" "$(ENGINE)" "$(TESTS)" "$(GROUP)" "$(or $(DURATION),0)" "$(or $(RESUME),0)"

patch: setup
	@$(S)/make-patch.sh

clean:
	rm -rf build
