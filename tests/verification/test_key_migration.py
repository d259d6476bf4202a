"""Stored department files move from the 64-hex blind index to the 16-byte binary key (migration
verification.0004) and back; the comparison over migrated files finds exactly the leads it found
before, named by the database's blind index."""

from __future__ import annotations

import importlib
import stat

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.apps import apps

from safetynet.cases.comparison import compare_and_file_leads
from safetynet.cases.models import Lead
from safetynet.registry.fields import blind_index
from safetynet.registry.models import Person
from safetynet.verification import storage
from safetynet.verification.keys import KEY_TYPE, index_key, rekey_file
from safetynet.verification.models import Upload
from tests.conftest import new_id
from tests.verification.conftest import FIN_HEADER, csv_bytes, fin_rows, upload
from tests.verification.test_compare import ON, loaded  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module(
    "safetynet.verification.migrations.0004_compact_blind_index_in_exchange_files"
)


def _backward():
    MIGRATION.unkey_stored_uploads(apps, None)


def _forward():
    MIGRATION.rekey_stored_uploads(apps, None)


def test_index_key_is_the_first_16_bytes_of_the_hmac():
    index = blind_index(new_id())
    assert index_key(index) == bytes.fromhex(index)[:16]
    with pytest.raises(ValueError):
        index_key(index[:32])


def test_stored_files_are_rewritten_to_binary_keys_and_back(admin):
    ids = [new_id() for _ in range(5)]
    u = upload(admin, "financial", csv_bytes(FIN_HEADER, fin_rows(ids))).upload
    path = storage.absolute(u.data_path)
    written = pq.read_table(path)
    empty = storage.sub("snapshots") / "empty-medical.parquet"
    empty.write_bytes(b"written by an older version")

    _backward()  # the file as versions before the migration wrote it
    old = pq.read_table(path)
    assert old.schema.field("id_index").type == pa.string()
    assert set(old.column("id_index").to_pylist()) == {blind_index(i) for i in ids}
    assert old.drop_columns(["id_index"]).equals(written.drop_columns(["id_index"]))

    _forward()
    assert pq.read_table(path).equals(written)  # every column, every row, as a new upload writes them
    assert pq.read_schema(path).field("id_index").type == KEY_TYPE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not empty.exists()  # the comparison writes its empty files anew
    assert not list(path.parent.glob(".*"))  # no temporary file left
    assert rekey_file(path) is False  # a second run leaves migrated files alone


def test_a_file_with_something_else_than_a_blind_index_is_refused(tmp_path):
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"id_index": ["not an index"]}), path)
    with pytest.raises(ValueError, match="64-hex"):
        rekey_file(path)
    assert pq.read_table(path).column("id_index").to_pylist() == ["not an index"]


def _hits(outcome) -> set:
    return {
        (
            h.rule,
            h.dedup_key,
            h.id_index,
            h.household and h.household.pk,
            h.person and h.person.pk,
            h.subject_id_number,
        )
        for h in outcome.hits
    }


def test_comparison_over_migrated_files_finds_the_same_leads(loaded):  # noqa: F811
    before = compare_and_file_leads(on=ON)
    leads = Lead.objects.count()
    assert leads and before.run.leads_raised == leads

    _backward()
    assert all(
        pq.read_schema(storage.absolute(u.data_path)).field("id_index").type == pa.string()
        for u in Upload.objects.exclude(data_path="")
    )
    _forward()
    after = compare_and_file_leads(on=ON)

    assert _hits(after) == _hits(before)
    assert after.run.leads_raised == 0 and Lead.objects.count() == leads  # each found by its dedup key


def test_leads_are_keyed_by_the_database_blind_index(loaded):  # noqa: F811
    compare_and_file_leads(on=ON)
    indexes = set(Person.objects.values_list("id_index", flat=True))
    for lead in Lead.objects.all():
        index = lead.dedup_key.split(":")[1]
        assert len(index) == 64
        if lead.household_id:
            assert index in indexes
        else:
            assert index == blind_index(lead.subject_id_number) == lead.subject_id_index
