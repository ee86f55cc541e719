"""SEPA tests validate generated files against the published pain XSDs in ../shared."""

from pathlib import Path

import pytest
from lxml import etree


@pytest.fixture
def pain_schema(shared_dir: Path):
    cache: dict[str, etree.XMLSchema] = {}

    def schema(version: str) -> etree.XMLSchema:
        if version not in cache:
            cache[version] = etree.XMLSchema(
                etree.parse(str(shared_dir / "datasets/sepa/xsd" / f"{version}.xsd"))
            )
        return cache[version]

    return schema


def assert_valid(schema: etree.XMLSchema, xml: bytes) -> None:
    document = etree.fromstring(xml, etree.XMLParser(resolve_entities=False))
    assert schema.validate(document), schema.error_log
