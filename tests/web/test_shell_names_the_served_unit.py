"""The app shell (what the service worker keeps for offline starts) names no unit in its
static files; the pages served name the unit this deployment serves, so a phone that
starts offline shows its own bureau's title, whatever unit that is."""

from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web_map"
UNIT_WORDS = ("鄂尔多斯", "Ordos", "内蒙古", "Inner Mongolia")


def test_the_static_shell_names_no_unit():
    files = [WEB / "index.html", WEB / "planner.html", WEB / "manifest.webmanifest", WEB / "sw.js"]
    files += sorted((WEB / "static" / "js").glob("*.js"))
    named = [(f.name, w) for f in files for w in UNIT_WORDS if w in f.read_text(encoding="utf-8")]
    assert named == []


def test_the_served_pages_name_the_served_unit(client):
    page = client.get("/map").text
    assert "<title>鄂尔多斯市界线与地名管理系统</title>" in page
    assert 'data-i18n="app_title">鄂尔多斯市界线与地名管理系统<' in page
    assert "<title>殡葬设施与散坟整治规划 · 鄂尔多斯市</title>" in client.get("/planner").text
