# src/breakpoints
