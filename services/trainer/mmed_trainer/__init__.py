"""MMedStream trainer: continued pretraining of a Llama-architecture model on tokenize shards."""

__version__ = "0.1.0"
