"""Reading, validating and checking the course content (YAML items, manifests, notebooks)."""
