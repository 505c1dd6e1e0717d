"""HTTP plumbing every blueprint shares (budgets for anonymous requests; more moves here as it is touched)."""
