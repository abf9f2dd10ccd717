"""Loading, checking and describing OpenAPI documents."""
