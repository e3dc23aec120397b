# src/ptrace
