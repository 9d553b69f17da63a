"""Production's static files storage hashes every reference but the source maps, which
are not vendored; Django's own manifest storage stops collectstatic on them."""

import runpy
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils.module_loading import import_string
from whitenoise.storage import CompressedManifestStaticFilesStorage

from lib.storage import CompressedManifestStorage

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def sources(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "lib.min.js").write_text("var a = 1;\n//# sourceMappingURL=lib.min.js.map\n")
    (source / "site.css").write_text("body { background: url('dot.png'); }\n")
    (source / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return FileSystemStorage(location=source)


def collect(storage_class, sources, target):
    storage = storage_class(location=target)
    paths = {}
    for name in ("dot.png", "lib.min.js", "site.css"):
        with sources.open(name) as source:
            storage.save(name, source)
        paths[name] = (storage, name)
    return storage, list(storage.post_process(paths))


def test_it_collects_a_script_whose_source_map_is_missing(sources, tmp_path):
    storage, results = collect(CompressedManifestStorage, sources, tmp_path / "static")

    assert [error for _, _, error in results if isinstance(error, Exception)] == []
    css = Path(storage.path(storage.stored_name("site.css"))).read_text()
    assert "dot." in css and "dot.png" not in css  # url() still hashed


def test_djangos_manifest_storage_would_stop_on_it(sources, tmp_path):
    _, results = collect(CompressedManifestStaticFilesStorage, sources, tmp_path / "static")

    assert any(isinstance(error, ValueError) for _, _, error in results)


def test_production_settings_use_it(monkeypatch):
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", "test-only")
    monkeypatch.setenv("ALLOWED_HOSTS", "tracker.example.org")
    settings = runpy.run_path(str(BASE_DIR / "ministerial" / "settings.py"))

    backend = settings["STORAGES"]["staticfiles"]["BACKEND"]
    assert import_string(backend) is CompressedManifestStorage
