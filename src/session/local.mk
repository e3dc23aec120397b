# src/session
