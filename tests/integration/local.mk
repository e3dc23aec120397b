# tests/integration: scripts that run calltrap on tests/targets and check the
# events against the truth the targets print (see lib.sh, check_events.py).
TESTS += tests/integration/checker.sh
TESTS += tests/integration/calls.sh
TESTS += tests/integration/threads.sh
TESTS += tests/integration/longjmp.sh
TESTS += tests/integration/exceptions.sh
TESTS += tests/integration/signals.sh
TESTS += tests/integration/fork.sh
TESTS += tests/integration/vfork.sh
TESTS += tests/integration/exec.sh
TESTS += tests/integration/dlopen.sh
TESTS += tests/integration/patterns.sh
TESTS += tests/integration/modules.sh
TESTS += tests/integration/libc.sh
TESTS += tests/integration/attach.sh
TESTS += tests/integration/attach_signals.sh
TESTS += tests/integration/groupstop.sh
TESTS += tests/integration/attach_pipe.sh
TESTS += tests/integration/attach_threads.sh
TESTS += tests/integration/attach_sigflood.sh
TESTS += tests/integration/seccomp.sh
TESTS += tests/integration/stats.sh
TESTS += tests/integration/durations.sh
TESTS += tests/integration/text.sh
TESTS += tests/integration/regs.sh
TESTS += tests/integration/max_depth.sh
TESTS += tests/integration/exit_status.sh
TESTS += tests/integration/errors.sh
TESTS += tests/integration/outfiles.sh
TESTS += tests/integration/deep.sh
TESTS += tests/integration/stacks_names.sh
EXTRA_DIST += tests/integration/lib.sh tests/integration/check_events.py
EXTRA_DIST += tests/integration/checker.sh
EXTRA_DIST += tests/integration/durations.sh
EXTRA_DIST += tests/integration/outfiles.sh
EXTRA_DIST += tests/integration/deep.sh
EXTRA_DIST += tests/integration/stacks_names.sh
EXTRA_DIST += tests/integration/calls.sh
EXTRA_DIST += tests/integration/threads.sh
EXTRA_DIST += tests/integration/longjmp.sh
EXTRA_DIST += tests/integration/exceptions.sh
EXTRA_DIST += tests/integration/signals.sh
EXTRA_DIST += tests/integration/fork.sh
EXTRA_DIST += tests/integration/vfork.sh
EXTRA_DIST += tests/integration/exec.sh
EXTRA_DIST += tests/integration/dlopen.sh
EXTRA_DIST += tests/integration/patterns.sh
EXTRA_DIST += tests/integration/modules.sh
EXTRA_DIST += tests/integration/libc.sh
EXTRA_DIST += tests/integration/attach.sh
EXTRA_DIST += tests/integration/attach_signals.sh
EXTRA_DIST += tests/integration/groupstop.sh
EXTRA_DIST += tests/integration/attach_pipe.sh
EXTRA_DIST += tests/integration/attach_threads.sh
EXTRA_DIST += tests/integration/attach_sigflood.sh
EXTRA_DIST += tests/integration/seccomp.sh
EXTRA_DIST += tests/integration/stats.sh
EXTRA_DIST += tests/integration/text.sh
EXTRA_DIST += tests/integration/regs.sh
EXTRA_DIST += tests/integration/max_depth.sh
EXTRA_DIST += tests/integration/exit_status.sh
EXTRA_DIST += tests/integration/errors.sh
# the trace file: record, replay, report, dump, damaged files
TESTS += tests/integration/record.sh
TESTS += tests/integration/replay.sh
TESTS += tests/integration/report.sh
TESTS += tests/integration/dump.sh
TESTS += tests/integration/trace_errors.sh
TESTS += tests/integration/trace_damage.sh
EXTRA_DIST += tests/integration/record.sh tests/integration/replay.sh
EXTRA_DIST += tests/integration/report.sh tests/integration/dump.sh
EXTRA_DIST += tests/integration/trace_errors.sh tests/integration/trace_damage.sh
# trace_damage.sh keeps every view of 11 copies of calls' 6000-deep
# recursion (folded stacks: 144 MB each), more than the guest's 2 GB of
# memory holds; trace_errors.sh reads the fixtures and files that are no
# traces: the reader is the same C on any CPU, and replay/report/dump.sh run
# it in the guest on files recorded there; checker.sh tests the event
# checker (python), not calltrap
HOST_ONLY_TESTS += tests/integration/trace_damage.sh tests/integration/trace_errors.sh
HOST_ONLY_TESTS += tests/integration/checker.sh
# dump --format=perfetto read back by protobuf's decoder (protoc,
# python3-protobuf: not in the aarch64 guest; the dump is the same C there)
TESTS += tests/integration/perfetto.sh
HOST_ONLY_TESTS += tests/integration/perfetto.sh
EXTRA_DIST += tests/integration/perfetto.sh tests/integration/check_perfetto.py
# calltrap stacks: snapshot of a hung process, deadlock cycles, bad input
TESTS += tests/integration/stacks.sh
TESTS += tests/integration/stacks_errors.sh
EXTRA_DIST += tests/integration/stacks.sh tests/integration/stacks_errors.sh
TESTS += tests/integration/repl_tty.sh
HOST_ONLY_TESTS += tests/integration/repl_tty.sh
EXTRA_DIST += tests/integration/repl_tty.sh
TESTS += tests/integration/args_debuginfo.sh
HOST_ONLY_TESTS += tests/integration/args_debuginfo.sh
EXTRA_DIST += tests/integration/args_debuginfo.sh
TESTS += tests/integration/repl_live.sh
EXTRA_DIST += tests/integration/repl_live.sh
TESTS += tests/integration/repl_file.sh
EXTRA_DIST += tests/integration/repl_file.sh
# gdb's habits: continue & from a pipe, short forms and prefixes, quit's question
TESTS += tests/integration/repl_gdb.sh
EXTRA_DIST += tests/integration/repl_gdb.sh
# C++ names: demangled events, patterns over both names, --no-demangle
TESTS += tests/integration/demangle.sh
EXTRA_DIST += tests/integration/demangle.sh
# calltrap stacks: inlined frames, data symbols, kernel threads
TESTS += tests/integration/stacks_inline.sh
EXTRA_DIST += tests/integration/stacks_inline.sh
# C++ names: short by default, overloads told apart, --demangle=full|no
TESTS += tests/integration/cxxnames.sh
EXTRA_DIST += tests/integration/cxxnames.sh

# where calltrap stacks finds DWARF: the binary, build-id, .gnu_debuglink
TESTS += tests/integration/stacks_debuginfo.sh
EXTRA_DIST += tests/integration/stacks_debuginfo.sh
# functions from a stripped program's debug file; prototypes for assembly
TESTS += tests/integration/debugsyms.sh
EXTRA_DIST += tests/integration/debugsyms.sh
# DWARF-typed arguments and return values (jsonl, text, --raw-args)
TESTS += tests/integration/args.sh
EXTRA_DIST += tests/integration/args.sh tests/integration/check_args.py
# never harm the traced process: no return breakpoint outside code
TESTS += tests/integration/coldjump.sh
EXTRA_DIST += tests/integration/coldjump.sh
# ... no signal frame returning into an unmapped slot
TESTS += tests/integration/sigslot.sh
EXTRA_DIST += tests/integration/sigslot.sh
# ... no hang with a process inside vfork()
TESTS += tests/integration/vforkwait.sh
EXTRA_DIST += tests/integration/vforkwait.sh
# ... --duration counts from when the breakpoints are in
TESTS += tests/integration/duration.sh
EXTRA_DIST += tests/integration/duration.sh
# ... the fast path's detach leaves everything as it was (x86_64)
TESTS += tests/integration/fast_detach.sh
EXTRA_DIST += tests/integration/fast_detach.sh
HOST_ONLY_TESTS += tests/integration/fast_detach.sh
# calltrap killed while attached: the guardian restores the code
TESTS += tests/integration/guardian.sh tests/integration/guardian_busy.sh
EXTRA_DIST += tests/integration/guardian.sh tests/integration/guardian_busy.sh \
	tests/integration/guardian_lib.sh
# ... and calltrap's own memory flat across execs, forks, dlopen cycles, threads
TESTS += tests/integration/memory.sh
EXTRA_DIST += tests/integration/memory.sh
# tail calls nested, not unwound; longjmp/catch then the same call site: unwound
TESTS += tests/integration/tailcall.sh
EXTRA_DIST += tests/integration/tailcall.sh
# compiler-split cold parts (NAME.cold) are never traced as functions
TESTS += tests/integration/coldparts.sh
EXTRA_DIST += tests/integration/coldparts.sh
# trace -c: the report table instead of the events
TESTS += tests/integration/summary.sh
EXTRA_DIST += tests/integration/summary.sh
# every option of every --help has its place in the man page
TESTS += tests/integration/man_options.sh
# text against text: the same on any CPU
HOST_ONLY_TESTS += tests/integration/man_options.sh
EXTRA_DIST += tests/integration/man_options.sh

# The PAC guest (make check-aarch64-pac: -mbranch-protection=standard, a CPU
# with pointer authentication) runs the unit tests and these: what PAC and
# BTI change is the code at function entries (paciasp, bti c: displaced and
# relocated), signed return addresses (in x30, on the stack, at return
# sites, in signal frames) and unwinding (longjmp, exceptions, tail calls,
# stacks).  The rest of the suite (processes, files, patterns, the REPL)
# runs the same code in both guests: the plain guest runs it.
PAC_GUEST_TESTS += tests/integration/calls.sh tests/integration/threads.sh \
	tests/integration/longjmp.sh tests/integration/exceptions.sh \
	tests/integration/signals.sh tests/integration/sigslot.sh \
	tests/integration/coldjump.sh tests/integration/tailcall.sh \
	tests/integration/coldparts.sh tests/integration/attach.sh \
	tests/integration/regs.sh tests/integration/args.sh tests/integration/libc.sh \
	tests/integration/vfork.sh tests/integration/stacks.sh

# The integration suite again with the fast path as the default engine
# (issue 14: every test under both engines).  x86_64 only: elsewhere
# --engine=fast traces on breakpoints, which `make check` covers.
.PHONY: check-fast
check-fast:
	CALLTRAP_ENGINE=fast $(MAKE) $(AM_MAKEFLAGS) check \
		TESTS="$(filter tests/integration/%,$(TESTS))"
