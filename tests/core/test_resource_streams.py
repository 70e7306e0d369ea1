"""The recording estimate of ``annstudio.core.model.resources`` with streaming monitors: records kept in
memory count against the available memory, streamed ones against the free disk space of their folder,
and each refusal gives the estimate and what is available."""
import shutil

from annstudio.core.model import resources


def test_free_disk_reads_the_nearest_existing_folder(tmp_path):
    free = shutil.disk_usage(tmp_path).free
    got = resources.free_disk(tmp_path / "not" / "yet" / "there.h5")
    assert abs(got - free) < 64 * 1024 ** 2            # the same file system (other writers may move it a little)


def test_memory_and_disk_are_counted_apart(tmp_path, monkeypatch):
    """12 000 values a record for 6 M steps: 576 GB, in memory or on disk."""
    monkeypatch.setattr(resources, "available_memory", lambda: 10 ** 9)
    monkeypatch.setattr(resources, "free_disk", lambda folder: 10 ** 15)
    kept = resources.recording_problem([(12000, None)], 6_000_000, 0.1)
    assert "576.0 GB during this run and 1.0 GB of memory is available" in kept and "stream" in kept
    assert resources.recording_problem([(12000, None, tmp_path)], 6_000_000, 0.1) is None
    monkeypatch.setattr(resources, "free_disk", lambda folder: 500 * 10 ** 9)
    disk = resources.recording_problem([(12000, None, tmp_path)], 6_000_000, 0.1)
    assert "write about 576.0 GB" in disk and "500.0 GB is free there" in disk
    # two streams into one folder add up; a longer period divides
    assert resources.recording_problem([(6000, None, tmp_path)] * 2, 6_000_000, 0.1) == disk
    assert resources.recording_problem([(12000, 0.2, tmp_path)], 6_000_000, 0.1) is None
    # a small kept recording beside a big streamed one: each against its own limit
    assert resources.recording_problem([(10, None), (12000, 0.2, tmp_path)], 6_000_000, 0.1) is None
