"""The flat API: every public name of ``import kg`` is a function or class, and stays one."""

from __future__ import annotations

import importlib
import pkgutil

import kg


def test_every_public_name_is_callable_even_after_every_module_is_imported():
    # Importing a submodule binds its name in the package: a public name that
    # is also a module's would then stop being the function.
    for info in pkgutil.walk_packages(kg.__path__, "kg."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for name in kg.__all__:
        assert callable(getattr(kg, name)), f"kg.{name} is not callable"


def test_api_names_point_at_what_the_cli_calls():
    assert kg.show.__module__ == "kg.entities"
    assert kg.path.__module__ == "kg.explore"
    assert kg.open_store.__module__ == "kg.stores"


def test_import_kg_is_cheap():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", "import kg, sys; print(sorted(m for m in sys.modules if m.startswith(('pyoxigraph', 'rdflib', 'networkx', 'click'))))"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
