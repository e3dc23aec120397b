# tests/unit/arch.mk
