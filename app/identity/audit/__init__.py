"""The audit log: who did what to whom, recorded in the same transaction as the change."""
