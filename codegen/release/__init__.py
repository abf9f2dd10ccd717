"""Releases: version records, reproducible builds and publishing of the generated packages."""
