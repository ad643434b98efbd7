"""Command line (Typer): parses, calls :class:`journeyhub.Hub`, formats. Nothing else."""
