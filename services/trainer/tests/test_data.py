"""Shards read from real files: windows, labels, loss masks, language sampling and manifest validation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import EOS, write_round, write_shard
from mmed_trainer.data import LanguageSampler, RoundData, load_round_manifest
from mmed_trainer.errors import Reason, TrainerError


def counting_docs(lengths: list, lang: str = "en", first: int = 3) -> list:
    """Documents whose tokens count up, so a token's value says where it came from."""
    docs, value = [], first
    for n in lengths:
        docs.append((lang, list(range(value, value + n))))
        value += n
    return docs


def load(tmp_path: Path, docs: list, masking: bool, seq_len: int = 8) -> RoundData:
    shard = write_shard(tmp_path / "shards", "s-p0-o0", docs, seq_len=seq_len)
    return RoundData(load_round_manifest(write_round(tmp_path / "round.json", [shard], steps=1, seq_len=seq_len)),
                     document_masking=masking)


def test_windows_are_next_token_pairs_and_the_tail_is_masked(tmp_path: Path) -> None:
    data = load(tmp_path, counting_docs([5, 9]), masking=False)  # 5+1 + 9+1 = 16 tokens
    stream = np.fromfile(tmp_path / "shards" / "s-p0-o0.tokens", dtype="<u4").astype(np.int64)
    assert len(stream) == 16 and len(data) == 2
    b = data.batch([0, 1])
    assert b.input_ids[0].tolist() == stream[0:8].tolist()
    assert b.labels[0].tolist() == stream[1:9].tolist()  # the window's last label is the next window's first input
    assert b.input_ids[1].tolist() == stream[8:16].tolist()
    assert b.labels[1, :7].tolist() == stream[9:16].tolist()
    assert b.loss_mask[0].all() and b.loss_mask[1, :7].all() and not b.loss_mask[1, 7]  # no 17th token to predict


def test_document_masking_drops_labels_that_cross_documents(tmp_path: Path) -> None:
    data = load(tmp_path, counting_docs([3, 2, 10]), masking=True)  # docs end at 4, 7, 18
    b = data.batch([0])
    # inputs: 3 4 5 EOS | 6 7 EOS | 8 ; the label after each EOS belongs to the next document
    assert b.input_ids[0].tolist() == [3, 4, 5, EOS, 6, 7, EOS, 8]
    assert b.doc_ids[0].tolist() == [0, 0, 0, 0, 1, 1, 1, 2]
    assert b.loss_mask[0].tolist() == [True, True, True, False, True, True, False, True]
    unmasked = load(tmp_path / "plain", counting_docs([3, 2, 10]), masking=False).batch([0])
    assert unmasked.loss_mask[0].all()


def test_windows_have_the_language_of_most_of_their_tokens(tmp_path: Path) -> None:
    docs = [("en", [5] * 11), ("fr", [6] * 3), ("fr", [7] * 20)]  # 12 en, then 4 + 21 fr
    data = load(tmp_path, docs, masking=True)
    assert data.languages == ["en", "fr"]
    assert data.window_lang_tokens[:3].tolist() == [[8, 0], [4, 4], [0, 8]]
    assert data.tokens_per_language() == {"en": 12, "fr": 25}
    assert data.window_lang[:3].tolist() == [0, 0, 1]  # a tie goes to the first language


def test_sampler_follows_weights_and_exhausts_a_language_before_repeating(tmp_path: Path) -> None:
    window_lang = np.array([0] * 40 + [1] * 10)
    sampler = LanguageSampler(window_lang, ["en", "fr"], {"en": 0.2, "fr": 0.8}, seed=3)
    drawn = sampler.take(5000)
    fr = [w for w in drawn if w >= 40]
    assert abs(len(fr) / 5000 - 0.8) < 0.03
    assert sorted(fr[:10]) == list(range(40, 50)) and sorted(fr[10:20]) == list(range(40, 50))
    assert fr[:10] != fr[10:20]  # each epoch is reshuffled
    natural = LanguageSampler(window_lang, ["en", "fr"], None, seed=3)
    assert natural.probabilities.tolist() == [0.8, 0.2]


def test_sampler_state_continues_the_same_sequence() -> None:
    window_lang = np.array([0, 1, 2] * 30)
    a = LanguageSampler(window_lang, ["en", "fr", "zh"], {"en": 1, "fr": 1, "zh": 2}, seed=11)
    a.take(9000)  # past one 8192-draw chunk
    saved = json.loads(json.dumps(a.state_dict()))
    expected = a.take(500)
    b = LanguageSampler(window_lang, ["en", "fr", "zh"], {"en": 1, "fr": 1, "zh": 2}, seed=11)
    b.load_state_dict(saved)
    assert b.take(500) == expected


def test_zero_weight_languages_are_not_drawn() -> None:
    sampler = LanguageSampler(np.array([0, 0, 1, 1]), ["en", "ja"], {"en": 1.0, "ja": 0.0, "ru": 0.0}, seed=1)
    assert all(w < 2 for w in sampler.take(200))


@pytest.mark.parametrize("raw, fragment", [
    ({"shards": []}, "non-empty"),
    ({"shards": ["a.json"]}, "exactly one of"),
    ({"shards": ["a.json"], "steps": 3, "token_budget": 9}, "exactly one of"),
    ({"shards": ["a.json"], "steps": 0}, "positive"),
    ({"shards": ["a.json"], "steps": 3, "language_weights": {"en": -1}}, ">= 0"),
    ({"shards": ["a.json", "a.json"], "steps": 3}, "twice"),
    ({"shards": ["https://host/a.json"], "steps": 3}, "file: URIs"),
    ({"shards": ["a.json"], "steps": 3, "version": 2}, "version"),
])
def test_bad_round_manifests_are_permanent_errors(tmp_path: Path, raw: dict, fragment: str) -> None:
    path = tmp_path / "round.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(TrainerError) as err:
        load_round_manifest(path)
    assert err.value.reason is Reason.BAD_MANIFEST and fragment in err.value.message


def test_shard_paths_resolve_relative_to_the_manifest_and_as_file_uris(tmp_path: Path) -> None:
    shard = write_shard(tmp_path / "shards", "s-p0-o0", counting_docs([5]))
    (tmp_path / "round.json").write_text(json.dumps({"shards": ["shards/s-p0-o0.json"], "steps": 2}))
    assert load_round_manifest(tmp_path / "round.json").shards == (shard,)
    (tmp_path / "uri.json").write_text(json.dumps({"shards": [shard.as_uri()], "steps": 2}))
    assert load_round_manifest(tmp_path / "uri.json").shards == (shard,)


def test_unknown_weighted_language_is_refused(tmp_path: Path) -> None:
    shard = write_shard(tmp_path, "s-p0-o0", counting_docs([30]))
    manifest = load_round_manifest(write_round(tmp_path / "r.json", [shard], steps=1, weights={"en": 1, "ja": 1}))
    data = RoundData(manifest, document_masking=True)
    with pytest.raises(TrainerError) as err:
        LanguageSampler(data.window_lang, data.languages, manifest.language_weights, manifest.seed)
    assert err.value.reason is Reason.BAD_MANIFEST and "ja" in err.value.message


def test_inconsistent_shards_are_bad_data(tmp_path: Path) -> None:
    shard = write_shard(tmp_path, "s-p0-o0", counting_docs([6, 6]))
    round_path = write_round(tmp_path / "r.json", [shard], steps=1, seq_len=8)  # windows [0, 9) and [8, 14)
    tokens = tmp_path / "s-p0-o0.tokens"
    good = tokens.read_bytes()

    tokens.write_bytes(good[:-4])  # truncated
    with pytest.raises(TrainerError) as err:
        RoundData(load_round_manifest(round_path), True)
    assert err.value.reason is Reason.BAD_DATA and "bytes" in err.value.message

    arr = np.frombuffer(good, dtype="<u4").copy()
    arr[6] = 9  # the first document no longer ends with EOS
    arr.tofile(tokens)
    with pytest.raises(TrainerError) as err:
        RoundData(load_round_manifest(round_path), True)
    assert err.value.reason is Reason.BAD_DATA and "EOS" in err.value.message

    arr = np.frombuffer(good, dtype="<u4").copy()
    arr[0] = 1000
    arr.tofile(tokens)
    data = RoundData(load_round_manifest(round_path), True)
    with pytest.raises(TrainerError) as err:
        data.check_vocab(64, full_scan=True)
    assert err.value.reason is Reason.BAD_DATA and "1000" in err.value.message
    data.check_vocab(64, full_scan=False)  # cheap at start; the batch that holds the id refuses it
    data.batch([1])
    with pytest.raises(TrainerError) as err:
        data.batch([1, 0])
    assert err.value.reason is Reason.BAD_DATA and "1000" in err.value.message


def test_shards_of_different_tokenizers_are_not_mixed(tmp_path: Path) -> None:
    a = write_shard(tmp_path, "a-p0-o0", counting_docs([6]))
    b = write_shard(tmp_path, "b-p0-o0", counting_docs([6]), tokenizer_sha256="f" * 64)
    with pytest.raises(TrainerError) as err:
        RoundData(load_round_manifest(write_round(tmp_path / "r.json", [a, b], steps=1)), True)
    assert err.value.reason is Reason.BAD_MANIFEST and "tokenizers" in err.value.message


def test_manifest_format_docs_lines_and_checksums_are_checked(tmp_path: Path) -> None:
    shard = write_shard(tmp_path, "s-p0-o0", counting_docs([6, 6]))
    round_path = write_round(tmp_path / "r.json", [shard], steps=1)
    manifest = json.loads(shard.read_text())

    def expect_bad_data(fragment: str, verify: bool = False) -> None:
        with pytest.raises(TrainerError) as err:
            RoundData(load_round_manifest(round_path), True, verify_checksums=verify)
        assert err.value.reason is Reason.BAD_DATA and fragment in err.value.message

    shard.write_text(json.dumps(dict(manifest, format_version=2)))
    expect_bad_data("mmed-shard v1")
    shard.write_text(json.dumps(manifest))

    docs = tmp_path / "s-p0-o0.docs.jsonl"
    good_docs = docs.read_text()
    lines = [json.loads(line) for line in good_docs.splitlines()]
    lines[1]["token_count"] += 1
    docs.write_text("\n".join(json.dumps(d) for d in lines) + "\n")
    expect_bad_data("disagree with the index")
    docs.write_text(good_docs)

    tokens = tmp_path / "s-p0-o0.tokens"
    arr = np.fromfile(tokens, dtype="<u4")
    arr[1] += 1  # same size, EOS where it belongs: only the checksum notices
    arr.tofile(tokens)
    RoundData(load_round_manifest(round_path), True)
    expect_bad_data("SHA-256", verify=True)
