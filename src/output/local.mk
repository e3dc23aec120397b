# src/output
