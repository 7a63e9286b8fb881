# rustdio: Rust reimplementation of Linux 6.12's fs/direct-io.c.
#
#   make run                 build the Rust-engine kernel, boot it, demo O_DIRECT I/O
#   make test [ENGINE=...]   KUnit + the direct-I/O suite in QEMU (c, rust or both)
#   make kunit               the KUnit suites through tools/testing/kunit/kunit.py
#   make check               rustfmt, clippy and rustdoc for the engine
#   make patch               the integration as a git format-patch series

ENGINE ?= both
VARIANT ?= guest
S := $(CURDIR)/scripts

ifeq ($(filter $(ENGINE),c rust both),)
$(error ENGINE must be c, rust or both (got '$(ENGINE)'))
endif
ENGINES := $(if $(filter both,$(ENGINE)),c rust,$(ENGINE))

.PHONY: all setup kernels run test kunit check patch clean

all: test

setup:
	@$(S)/setup.sh

kernels: setup
	@for e in $(ENGINES); do $(S)/build-kernel.sh $$e $(VARIANT) || exit 1; done

run: setup
	@$(S)/run-demo.sh

test: setup
	@$(S)/test.sh $(VARIANT) $(ENGINES)

kunit: setup
	@$(S)/kunit.sh

check: setup
	@$(S)/check.sh

patch: setup
	@$(S)/make-patch.sh

clean:
	rm -rf build
