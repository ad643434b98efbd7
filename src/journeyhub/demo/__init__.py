"""The demo company: a DACH retailer with B2C customers, B2B accounts, five source systems,
dirty duplicates and journeys with friction — deterministic for a seed, at any size."""
