"""Sphinx configuration for the xbox documentation (``make docs``).

Every API page is generated from the code's docstrings (autodoc + napoleon), and every
``>>>`` example on every page runs in the test suite against the sandbox
(``tests/test_docs.py``), so neither can drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent / "src"))

import xbox  # noqa: E402

project = "xbox"
author = "the xbox contributors"
copyright = "2014-2026, the xbox contributors"
version = release = xbox.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "xbox_docs",
]

# Google-style docstrings; "Attributes:" become "Variables:" fields as on the seed's site.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_class_signature = "mixed"
autodoc_preserve_defaults = True

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

exclude_patterns = ["_build"]
templates_path: list[str] = []
html_theme = "alabaster"
html_title = "xbox: Xbox Live for Python"
html_short_title = "xbox"
# This project's own pages only: the 2014 python-xbox's repository, board and site are not
# this project's, and linking to them sent readers to the wrong place.
html_theme_options = {
    "description": "Xbox Live for Python: library, command line, archiver, sandbox",
}
html_static_path: list[str] = []
