"""Fixtures for the project tests: a small valid document and its file."""
import copy
import json

import pytest

from project_helpers import SMALL


@pytest.fixture
def small_doc():
    return copy.deepcopy(SMALL)


@pytest.fixture
def small_file(tmp_path, small_doc):
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small_doc, indent=2))
    return path
