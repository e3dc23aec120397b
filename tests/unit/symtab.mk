# tests/unit/symtab.mk
