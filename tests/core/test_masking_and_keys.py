from pathlib import Path

from safetynet.core.keys import load_keyring
from safetynet.core.masking import mask_bank_account, mask_id_number, mask_name, mask_phone


def test_names_keep_first_and_last_character():
    assert mask_name("张小明") == "张*明"
    assert mask_name("张明") == "张*"
    assert mask_name("欧阳小明") == "欧**明"


def test_id_number_shows_region_and_last_four():
    assert mask_id_number("141029196411123614") == "141029********3614"


def test_phone_and_bank_account():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_bank_account("6217000011112222333") == "***************2333"


def test_keyring_is_created_once_and_reloaded(tmp_path: Path):
    first = load_keyring(tmp_path)
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600
    again = load_keyring(tmp_path)
    token = first.encrypt("141029196411123614")
    assert "1410291964" not in token
    assert again.decrypt(token) == "141029196411123614"
    assert first.blind_index("x") == again.blind_index("x") != first.blind_index("y")


def test_rotated_keyring_still_reads_old_tokens_and_rotate_rewrites_them(tmp_path: Path):
    ring = load_keyring(tmp_path)
    token = ring.encrypt("secret")
    newer = ring.with_new_field_key()
    assert newer.decrypt(token) == "secret"
    rotated = newer.rotate(token)
    from safetynet.core.keys import Keyring

    only_new = Keyring(newer.field_keys[:1], newer.index_key, newer.secret_key)
    assert only_new.decrypt(rotated) == "secret"
