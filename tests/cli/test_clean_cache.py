"""`python app.py --clean_cache` as a user runs it: usage before and after, the rules applied, exit."""
import json
import re
import time

from iib_core.files.trash import Trash
from support.cli import run_app
from support.files import aged_file as put

DAY = 86400.0


def section(stdout: str, title: str) -> dict:
    """{area: (size text, files)} of one printed block."""
    block = re.split(r"^(?:cache |removed )", stdout.split(title, 1)[1], maxsplit=1, flags=re.M)[0]
    rows = re.findall(r"^  (\w+)\s+([\d.]+ [KMG]?B)(?:\s+(\d+) files)?", block, re.M)
    return {area: (size, int(files) if files else None) for area, size, files in rows}


def test_clean_cache_prints_usage_before_and_after_and_applies_the_rules(tmp_path):
    cache = tmp_path / "cache"
    thumbs = [put(cache / "thumbnails" / f"{i:02x}" / (f"{i:02x}" + "a" * 38 + ".webp"), 300 * 1024, age=i * DAY)
              for i in range(6)]  # 1800 KiB against a 1 MiB cap: the 3 oldest go
    old_zip = put(cache / "zip_temp" / "iib_batch_download_old.zip", 5000, age=3 * DAY)
    young_zip = put(cache / "zip_temp" / "iib_batch_download_new.zip", 5000, age=60)
    doc = tmp_path / "lib" / "old.png"
    doc.parent.mkdir()
    doc.write_bytes(b"p" * 100)
    trash = Trash(cache / "trash")
    item = trash.put(str(doc))
    manifest = cache / "trash" / item.id / "manifest.json"
    data = json.loads(manifest.read_text())
    data["deleted_at"] = time.time() - 40 * DAY
    manifest.write_text(json.dumps(data))
    trash_bytes = sum(p.stat().st_size for p in (cache / "trash" / item.id).rglob("*") if p.is_file())
    expected_freed = 3 * 300 * 1024 + 5000 + trash_bytes

    done = run_app("--clean_cache", env_extra={"IIB_CACHE_MAX_MB": "1"}, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    before = section(done.stdout, "cache before")
    after = section(done.stdout, "cache after")
    assert before["thumbnails"] == ("1.8 MB", 6) and after["thumbnails"] == ("900.0 KB", 3)
    assert before["zip_temp"][1] == 2 and after["zip_temp"][1] == 1
    assert before["trash"][1] == 2 and after["trash"] == ("0 B", 0)
    freed = re.search(r"removed 6 files, freed ([\d.]+) KB", done.stdout)  # 3 thumbnails, 1 zip, 2 trash files
    assert freed and abs(float(freed.group(1)) - expected_freed / 1024) < 0.06, done.stdout
    assert [p.exists() for p in thumbs] == [True, True, True, False, False, False]
    assert not old_zip.exists() and young_zip.exists() and trash.items() == []
    assert not (tmp_path / "iib.db").exists()  # no database needed, none created


def test_clean_cache_refuses_a_bad_setting(tmp_path):
    done = run_app("--clean_cache", env_extra={"IIB_TRASH_KEEP_DAYS": "-3"}, tmp_path=tmp_path)
    assert done.returncode == 2 and "IIB_TRASH_KEEP_DAYS" in done.stderr
