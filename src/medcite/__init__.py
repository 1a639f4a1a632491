"""medcite: retrieval-augmented answers from the medical literature with verified citations."""

__version__ = "0.1.0"
