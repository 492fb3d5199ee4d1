"""web/build.py: the pages' build, which screens compare to reload themselves after an upgrade."""
from signage.web.build import page_build


def test_the_build_changes_with_any_page_file_and_only_then(tmp_path):
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "templates").mkdir()
    (tmp_path / "static" / "js" / "live.js").write_text("var a = 1;")
    (tmp_path / "templates" / "display.html").write_text("<p>layar</p>")
    first = page_build(tmp_path)
    assert page_build(tmp_path) == first
    (tmp_path / "media.txt").write_text("not a page file")
    assert page_build(tmp_path) == first
    (tmp_path / "static" / "js" / "live.js").write_text("var a = 2;")
    changed = page_build(tmp_path)
    assert changed != first
    (tmp_path / "static" / "css").mkdir()
    (tmp_path / "static" / "css" / "display.css").write_text("")
    assert page_build(tmp_path) not in (first, changed)
