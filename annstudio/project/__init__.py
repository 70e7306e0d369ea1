"""Projects: the JSON file format, its checks, headless runs, script export and reports.

Modules (each owns one responsibility; see their docstrings):
``format`` (strict reading, JSON Schema, migrations, atomic saving), ``convert``
(document -> ``NetworkSpec`` + protocol), ``graph`` (networkx checks, auto layout),
``validate`` (``load_project`` / ``check_document`` -> ``Project``), ``runner`` (headless
protocol runs), ``results`` (results in ms; ``.npz`` / ``.h5`` / ``.nwb`` files),
``progress`` (the run's progress bar), ``export`` (equivalent Python script), ``report``
(Markdown), ``plot`` (the matplotlib figure), ``notebook`` (``annstudio.load_project``),
``gallery`` (examples).
``document`` and ``commands`` (the GUI's editable document) belong to the studio.
"""
from .format import (FORMAT, SCHEMA_VERSION, InvalidProject, Problem, ProjectFileError, canonical_json,
                     document_digest, save_document)
from .validate import Project, check_document, load_project

__all__ = ["FORMAT", "SCHEMA_VERSION", "InvalidProject", "Problem", "ProjectFileError", "canonical_json",
           "document_digest", "save_document", "Project", "check_document", "load_project"]
