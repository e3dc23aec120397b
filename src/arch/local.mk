# src/arch
