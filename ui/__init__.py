"""Everything a person touches: the CLI (and, later, the assistant and the studio)."""
