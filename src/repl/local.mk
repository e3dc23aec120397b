# src/repl
