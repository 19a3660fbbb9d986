//! The typed process-string builder (placeholder; filled in on the `process` branch).
