"""Every file of the project's fixture corpus (tests/fixtures/make_fixtures.py) reads to what
its fixture says: generator, prompts and key parameters. One test per format branch; the
table at the top of make_fixtures.py maps branch -> fixture -> test id."""
from __future__ import annotations

import pytest

from fixtures.make_fixtures import can_write, fixtures
from iib_core.metadata import inspect_file, read_generation_info

ALL = fixtures()


@pytest.mark.parametrize("fx", ALL, ids=[fx.name for fx in ALL])
def test_fixture(fixture_corpus, fx, caplog):
    reason = can_write(fx.requires)
    if reason is not None:
        pytest.skip(reason)
    path = fixture_corpus / fx.name
    facts = inspect_file(path)
    assert facts is not None and facts.media_type == "image" and facts.width and facts.height
    info = read_generation_info(path, **fx.read)
    if fx.generator is None:
        assert info is None
        return
    assert info is not None, fx.branch
    assert (info.generator, info.positive, info.negative) == (fx.generator, fx.positive, fx.negative)
    got = {key: info.params.get(key) for key in fx.params}
    assert got == fx.params
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]


def test_manifest_lists_every_written_fixture(fixture_corpus):
    from fixtures.make_fixtures import load

    manifest = load(fixture_corpus)
    written = {e["name"] for e in manifest["fixtures"]}
    skipped = {s["name"] for s in manifest["skipped"]}
    assert written | skipped == {fx.name for fx in ALL} and not written & skipped
    assert all((fixture_corpus / name).is_file() for name in written)
    # Every generator family the readers know has a fixture.
    assert {e["generator"] for e in manifest["fixtures"]} >= {
        "AUTOMATIC1111", "Forge", "SD.Next", "ComfyUI", "NovelAI", "InvokeAI", "Fooocus", "SwarmUI", "Civitai",
        "Tensor.Art", "Stability Matrix", "Draw Things", "Easy Diffusion", "Midjourney", None}


def test_rgb_stealth_is_read_only_on_request(fixture_corpus):
    assert read_generation_info(fixture_corpus / "stealth" / "rgb-plain.png") is None
    assert read_generation_info(fixture_corpus / "sidecar" / "00001-1234.png", sidecar=False) is None


def test_png_named_as_something_else_is_sniffed(fixture_corpus, tmp_path):
    fake = tmp_path / "really-a-png.jpeg"
    fake.write_bytes((fixture_corpus / "a1111" / "png-text.png").read_bytes())
    facts = inspect_file(fake)
    assert facts.format == "png"
    assert facts.info.positive == "photo of a duck, masterpiece, (detailed:1.2)"
