"""kg: a knowledge graph of companies, people and deals.

The package imports nothing heavy at import time; each module pulls in what it
needs (pyoxigraph, rdflib, networkx, pyvis) inside the functions that use it.
"""

__version__ = "0.1.0"
