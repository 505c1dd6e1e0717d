"""The public pages residents see."""
