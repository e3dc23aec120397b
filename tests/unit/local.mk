# Unit tests: each area keeps its own fragment.
include tests/unit/arch.mk
include tests/unit/symtab.mk
include tests/unit/output.mk
include tests/unit/engine.mk
include tests/unit/trace.mk
include tests/unit/view.mk
include tests/unit/stacks.mk
include tests/unit/repl.mk
include tests/unit/session_control.mk
include tests/unit/demangle.mk
