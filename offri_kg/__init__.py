"""offri: a knowledge graph of models for collaboration between the public and voluntary sector."""

__version__ = "0.1.0"
