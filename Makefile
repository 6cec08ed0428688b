# The two commands a new user runs (see README.md):
#   make diff-boot   boot the port under QEMU, observed, and diff it against the original's reference
#   make test        build everything and run every test (unit, harness, boot under real QEMU)
#
# Other targets: make gate, make mutants, make references, make boot, make kernel, make kernel-userspace, make kernel-live, make harness, make userspace, make bench,
# make clean.
# Variables: SCENARIO=<name of traces/scenarios/*.toml>, REDOX_KERNEL=<path to an original kernel ELF>,
#            INITFS=<folder> (make kernel: the initfs to embed; unset: empty),
#            USER_KERNEL=<the original built with build/userspace/initfs> (make bench: its per-stop figures on USER_SCENARIO).
#            STOP_RUNS=<n> (make bench: recorded runs behind each per-stop figure, their medians' median; default 3).

SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
SCENARIO ?= q35-2g-slot4m
BOOT_SCENARIO ?= q35-2g
KERNEL := build/kernel.elf
# The port built with the project's userspace programs as its initfs: the user-* scenarios boot it.
USERSPACE_KERNEL := build/userspace/kernel.elf
# ...and with build/userspace/initfs-stop (init and tests/userspace/stop/): the user-kstop and user-kreset scenarios.
STOP_KERNEL := build/userspace-stop/kernel.elf
HARNESS := $(DOTNET) harness/Cli/bin/$(CONFIG)/net10.0/harness.dll

export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

.PHONY: all deps test-deps restore kernel kernel-userspace kernel-live harness userspace boot diff-boot gate mutants references test bench clean

all: kernel harness

deps:
	@tools/install-deps.sh

# The tests also open the HTML report in Debian's chromium.
test-deps:
	@WITH_CHROMIUM=1 tools/install-deps.sh

restore: deps
	@$(DOTNET) restore Port.sln --verbosity quiet

# INITFS=FOLDER embeds a folder as the initfs, as the original's build.rs does from INITFS_FOLDER (unset: empty).
kernel: restore
	@$(DOTNET) build csharp-kernel/Kernel.csproj -c $(CONFIG) --no-restore --nologo --verbosity quiet -clp:NoSummary -p:InitFs=$(if $(INITFS),$(abspath $(INITFS)))

# The project's own userspace programs (tests/userspace/), one initfs folder each under build/userspace/initfs/.
userspace:
	@$(MAKE) -s -C tests/userspace OUT=$(abspath build/userspace)

# The port with build/userspace/initfs embedded (its own build folders, so that it and build/kernel.elf stay built),
# and with build/userspace/initfs-stop (STOP_KERNEL).
kernel-userspace: restore userspace
	@$(DOTNET) build csharp-kernel/Kernel.csproj -c $(CONFIG) --nologo --verbosity quiet -clp:NoSummary \
	  --artifacts-path $(abspath build/userspace/artifacts) -p:InitFs=$(abspath build/userspace/initfs) -p:KernelOut=$(abspath build/userspace)/
	@$(DOTNET) build csharp-kernel/Kernel.csproj -c $(CONFIG) --nologo --verbosity quiet -clp:NoSummary \
	  --artifacts-path $(abspath build/userspace-stop/artifacts) -p:InitFs=$(abspath build/userspace/initfs-stop) -p:KernelOut=$(abspath build/userspace-stop)/

# The port with the original's `live` feature (csharp-kernel/README.md): `disk/live` over LIVE_DISK=FILE (unset: empty).
kernel-live: restore
	@$(DOTNET) build csharp-kernel/Kernel.csproj -c $(CONFIG) --nologo --verbosity quiet -clp:NoSummary \
	  --artifacts-path $(abspath build/live/artifacts) -p:PortFeatures=live $(if $(LIVE_DISK),-p:LiveDisk=$(abspath $(LIVE_DISK))) -p:KernelOut=$(abspath build/live)/

harness: restore
	@$(DOTNET) build harness/Cli/Cli.csproj -c $(CONFIG) --no-restore --nologo --verbosity quiet -clp:NoSummary

boot: kernel harness
	@$(HARNESS) boot --kernel $(KERNEL) --scenario $(BOOT_SCENARIO)

diff-boot: kernel harness
	@$(HARNESS) diff-boot --kernel $(KERNEL) --scenario $(SCENARIO) $(if $(REDOX_KERNEL),--original $(REDOX_KERNEL))

# The regression gate: every scenario booted, observed and diffed (against the original's recording, or the
# port's own baseline in traces/port/ for scenarios without one); one table, non-zero on any failure.
gate: kernel kernel-userspace harness
	@$(HARNESS) gate --kernel $(KERNEL) --kernel $(USERSPACE_KERNEL) --kernel $(STOP_KERNEL) $(if $(REDOX_KERNEL),--original $(REDOX_KERNEL))

# Re-record traces/reference/NAME for every scenario from an original kernel ELF (REDOX_KERNEL, required);
# INITFS=<folder it was built with> and ORIGINAL_TOOL=<the tool that built it> are named in each PROVENANCE.md.
references: harness
	@test -n "$(REDOX_KERNEL)" || { echo "make references: set REDOX_KERNEL=path/to/an original Redox 0.3.5 kernel ELF (with symbols)" >&2; exit 2; }
	@$(HARNESS) references --kernel $(REDOX_KERNEL) $(if $(INITFS),--initfs $(INITFS)) $(if $(ORIGINAL_TOOL),--tool $(ORIGINAL_TOOL)) $(if $(ONLY),--only '$(ONLY)')

# The gate's own test: the port built once per mutation of traces/mutants/mutants.tsv, the gate run on the scenarios
# that should catch each; a table of caught / missed (MUTANTS=NAME,NAME for a few). See traces/mutants/README.md.
mutants: harness userspace
	@HARNESS="$(HARNESS)" $(if $(REDOX_KERNEL),ORIGINAL_ELF=$(REDOX_KERNEL)) tools/mutants.sh

# The gate runs after the tests even when they fail (its table comes after their "N passed, N failed" line);
# the target fails if either did.
test: test-deps kernel kernel-userspace harness
	@CONFIG=$(CONFIG) GATE="$(HARNESS) gate --kernel $(KERNEL) --kernel $(USERSPACE_KERNEL) --kernel $(STOP_KERNEL)" tools/test.sh

bench: kernel harness
	@CONFIG=$(CONFIG) SCENARIO=$(SCENARIO) $(if $(REDOX_KERNEL),REDOX_KERNEL=$(REDOX_KERNEL)) $(if $(USER_KERNEL),USER_KERNEL=$(USER_KERNEL)) tools/bench.sh

clean:
	rm -rf build
	$(DOTNET) clean Port.sln --nologo --verbosity quiet
