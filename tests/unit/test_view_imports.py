"""Issue 19 (item 2): no stage's views import another stage's views — the project page is composed
from registered panels (govit/project_page.py), so the old circle of five view modules
(planning.views ↔ approval.views ↔ acceptance.views, with plan_views and review_views) is gone."""
import ast
from pathlib import Path

import govit

ROOT = Path(govit.__file__).parent
STAGES = ("planning", "approval", "acceptance", "alerts", "admin", "auth", "api")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, absolute (govit.x.y), wherever the import statement stands."""
    package = ["govit", *path.relative_to(ROOT).with_suffix("").parts[:-1]]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def view_modules() -> list[Path]:
    return sorted(p for stage in STAGES for p in (ROOT / stage).glob("*views.py"))


def test_the_view_modules_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in view_modules()}
    assert {"planning/views.py", "planning/review_views.py", "approval/views.py", "acceptance/views.py"} <= names


def test_no_view_module_imports_another_stages_views():
    crossing = []
    for path in view_modules():
        stage = path.relative_to(ROOT).parts[0]
        for module in imported_modules(path):
            parts = module.split(".")
            if len(parts) >= 3 and parts[0] == "govit" and parts[1] != stage and parts[2].endswith("views"):
                crossing.append(f"{path.relative_to(ROOT)} → {module}")
    assert crossing == []


def test_the_panels_and_the_page_import_no_views():
    for path in [ROOT / "project_page.py", *ROOT.glob("*/panels.py")]:
        assert not [m for m in imported_modules(path) if m.split(".")[-1].endswith("views")], path
