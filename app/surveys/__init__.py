"""Survey definitions: the YAML format parsed into typed models, checked, evaluated and versioned."""
