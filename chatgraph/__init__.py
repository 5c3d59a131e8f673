"""chatgraph: archive hashtag chats in DuckDB, split sessions into question threads, map the community."""

__version__ = "0.2.0"
