"""Social payments and preferential drug provision: people appear only as keyed pseudonyms."""
