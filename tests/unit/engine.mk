# tests/unit/engine.mk
