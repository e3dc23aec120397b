# src/disasm
