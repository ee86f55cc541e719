"""Where issued files go: the data directory by default, S3-compatible object storage when configured."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from config.settings.storage import issued_storage


def test_issued_files_default_to_the_data_directory(monkeypatch):
    monkeypatch.delenv("FACTURIER_STORAGE_URL", raising=False)
    config = issued_storage(Path("/srv/facturier"))
    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config["OPTIONS"]["location"] == "/srv/facturier/files"


def test_an_s3_url_selects_object_storage_that_never_overwrites(monkeypatch):
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_S3_REGION_NAME", "fr-par")
    config = issued_storage(Path("/srv/facturier"), "s3://invoices/prod/issued/")
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    options = config["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("invoices", "prod/issued")
    assert options["file_overwrite"] is False
    assert (options["endpoint_url"], options["region_name"]) == ("http://127.0.0.1:9000", "fr-par")
    # and django-storages (the `s3` extra) accepts these options as they are
    pytest.importorskip("storages.backends.s3")
    storage = import_string(config["BACKEND"])(**options)
    assert storage.file_overwrite is False
    assert storage.bucket_name == "invoices"


@pytest.mark.parametrize("url", ["s3://", "ftp://host/files", "invoices"])
def test_a_storage_url_that_is_not_understood_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="FACTURIER_STORAGE_URL"):
        issued_storage(Path("/srv"), url)
