"""Official documents (公文) drafted from the record in the GB/T 9704 layout (issue 21)."""
