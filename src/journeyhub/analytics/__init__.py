"""Analytics over the store: timelines now; funnels, paths and conformance build here."""
