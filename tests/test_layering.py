"""The arrows between packages point one way: core/ is plumbing and imports no domain
package; the catalogue reads features through query/, never through the OGC API; query/
knows only core/. Read from every module's own import statements, so a new module is
checked without anyone listing it."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gis_service"
# what each layer may import from gis_service, besides itself
MAY_IMPORT = {
    "core": {"core", "monitoring"},  # metrics are plumbing too
    "query": {"core", "query"},
    "monitoring": {"core", "monitoring"},
}


def _imports(path: Path) -> set[str]:
    """The gis_service packages a module imports (anywhere in it, at any depth)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "gis_service" and len(parts) > 1:
                found.add(parts[1])
    return found


def _package_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def test_core_and_query_import_no_domain():
    wrong = {
        str(p.relative_to(PACKAGE)): sorted(_imports(p) - MAY_IMPORT[_package_of(p)])
        for p in PACKAGE.rglob("*.py")
        if _package_of(p) in MAY_IMPORT and _imports(p) - MAY_IMPORT[_package_of(p)]
    }
    assert wrong == {}


def test_the_catalogue_does_not_import_the_ogc_api():
    wrong = [
        str(p.relative_to(PACKAGE)) for p in (PACKAGE / "catalogue").rglob("*.py") if "ogc" in _imports(p)
    ]
    assert wrong == []


def _docstrings(tree) -> set[int]:
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _writes_collection(text: str) -> bool:
    """A JSON type member (in a dict, a JSON text or SQL's json_build_object), not prose."""
    return text == "FeatureCollection" or '"FeatureCollection"' in text or "'FeatureCollection'" in text


def test_one_feature_collection_writer():
    """Every FeatureCollection the service answers with is written by core/geojson_pages.py
    (setup's reference files and the upload readers are not answers)."""
    writers = []
    for path in PACKAGE.rglob("*.py"):
        if _package_of(path) in {"reference_data", "file_intake"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        if any(
            isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and id(n) not in skip
            and _writes_collection(n.value)
            for n in ast.walk(tree)
        ):
            writers.append(str(path.relative_to(PACKAGE)))
    assert writers == ["core/geojson_pages.py"]
