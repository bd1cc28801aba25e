"""Payment rules, one file per concept: ``programmes`` (programmes, rule versions,
attestations, erasures), ``benefits`` (assignments, accruals, overrides, payments), ``drugs``
(prescriptions, deferral, dispensing, reimbursement), ``reconciliation`` (bank statements)."""
