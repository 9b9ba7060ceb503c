"""The ledger (台账) of existing projects: template, check, import, re-import, export (issue 20)."""
