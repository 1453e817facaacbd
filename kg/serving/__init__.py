"""The parts of ``kg serve`` behind its HTTP front (:mod:`kg.server`).

* :mod:`kg.serving.engine`: the engine process, pyoxigraph on the store,
  reached only through a socket pair that the guard holds;
* :mod:`kg.serving.pool`: the guard's side: a supervised pool of engines,
  restarted when one dies or runs past its time, and the write path.
"""
