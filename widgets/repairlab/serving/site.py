"""`repairlab build-site OUTDIR`: the whole course as a static site (Voici + JupyterLite), each
page's Python running in the student's browser (Pyodide). See docs/deploying.md, "A static site".

Built offline from pinned versions only (the ``site`` extra: voici-core, jupyterlite-core,
jupyterlite-pyodide-kernel; the npm package ``pyodide@0.29.0``, which holds the runtime and
none of Pyodide's packages; the pure wheels in ``site-wheels.txt``, with their sha256). The
steps, each kept in the cache folder so a second build redoes only what changed:

1. **contents**: the course's notebooks, manifests and images, and the course compiled by
   ``content/compiled.py`` (the pages read only that: no pydantic, no YAML in the browser);
   the exercise files stay behind. A course with content problems is not built.
2. **wheels**: the pinned wheels (pip, ``--require-hashes``), a wheel of RepairLab itself made
   here from the package's files (no build backend to fetch), the kernel's own wheels (from
   jupyterlite-pyodide-kernel) and three tiny placeholders the kernel's start asks for by
   name: an empty ``sqlite3`` (Pyodide's runtime lacks it; RepairLab never imports it in
   static mode, and IPython runs without its history), a ``jedi`` that refuses to import
   (IPython then completes without it; no page completes code) and a ``piplite`` that installs
   nothing and keeps imports off the browser's drive (``NO_PIPLITE``).
3. **lock**: Pyodide's ``pyodide-lock.json`` cut to the runtime's own files and these wheels,
   each with its sha256, so the page loads everything from the site and nothing from an index;
   and the kernel's start script (``site_kernel_start.js``, as ``pyodide.js``): a browser's
   later pages start Python from a memory snapshot of its first page's started kernel.
4. **voici build**, with RepairLab's page template; ``.jupyterlite.doit.db`` deleted first. Voici
   exits 0 after a failed task, so the log is read and a failed task fails the build.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from .config import SHARE_DIR

PINS = Path(__file__).with_name("site-wheels.txt")
# The kernel's Pyodide script: it starts a page's kernel from a memory snapshot of the first
# one this browser started from this build (the file says how and why). It takes the name of
# Pyodide's own script, pyodide.js, which every page's configuration names (Voici writes it
# into each page), and loads Pyodide's from PYODIDE_RUNTIME_JS.
KERNEL_START = Path(__file__).with_name("site_kernel_start.js")
PYODIDE_RUNTIME_JS = "pyodide-runtime.js"
PYODIDE_NPM = "pyodide@0.29.0"
PACKAGE = Path(__file__).resolve().parents[1]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
# What loadPyodide loads from the lock, all at once, before the kernel starts: everything the
# kernel's start and a page's first cell import. The kernel's start would otherwise install,
# one after another through micropip (each reading an index), piplite, then ipykernel, comm
# and pyodide_kernel, and the first cell would load ipywidgets and RepairLab as it imports
# them. The names are as the kernel's start spells them (it compares them literally); Pyodide
# matches them to the lock's names.
PRELOADED = ["micropip", "packaging", "sqlite3", "jedi", "ipython", "piplite", "ipykernel",
             "comm", "pyodide_kernel", "ipywidgets", "repairlab"]
# The kernel's own wheels, shipped by jupyterlite-pyodide-kernel for piplite to install
# (piplite itself is replaced by a placeholder: NO_PIPLITE).
KERNEL_WHEELS = ("ipykernel", "pyodide_kernel")
# Lock dependencies of the added wheels, by lock name (Pyodide's own lock where it has one,
# less matplotlib, which matplotlib-inline names but a page never imports).
DEPENDS = {
    "ipython": ["asttokens", "decorator", "executing", "ipython-pygments-lexers", "jedi",
                "matplotlib-inline", "prompt-toolkit", "pure-eval", "pygments", "six",
                "stack-data", "traitlets", "wcwidth"],
    "prompt-toolkit": ["wcwidth"], "matplotlib-inline": ["traitlets"],
    "stack-data": ["executing", "asttokens", "pure-eval"], "asttokens": ["six"],
    "ipywidgets": ["comm", "ipython", "traitlets", "jupyterlab-widgets"],
    "comm": ["traitlets"], "micropip": ["packaging"],
    "repairlab": ["ipywidgets"],
    "pyodide-kernel": ["ipykernel", "comm", "ipython", "piplite"],
}


# The kernel's start loads ``jedi`` by name, and IPython imports it for tab completion, which
# no page of the course offers. The real wheel is 1,880 files (4.5 MB unpacked) to unpack and
# import on every page load; this placeholder makes IPython's own fallback (no jedi) apply.
NO_JEDI = (b'"""Not on the static site: IPython completes without jedi (RepairLab build-site)."""\n'
           b'raise ImportError("jedi is left out of the static site")\n')


# The kernel's start imports ``piplite.piplite`` (micropip's front end, for ``%pip``, which no
# page uses) right after it mounts the browser's drive as the current folder, and before it
# imports IPython: this placeholder stands in for it (no micropip, packaging or piplite
# imported: ~0.7 s of CPU a page) and, being the site's one hook there, keeps imports off the
# drive. Python looks for every new module in the current folder ('' on sys.path) and tests
# that folder first, and on the drive each test is a round trip from the kernel's worker
# through the service worker to the page: ~80 of them during IPython's import and ~25 more
# in a page's first cell, 30-100 ms each on a loaded machine (bench/README.md). The hook
# answers "no modules here" for /drive and every folder under it, without a test; Python
# caches that answer per folder. The course keeps no Python module beside its notebooks.
# Also, for the same reason of timing: IPython's package imports its terminal (``embed``, and
# with it prompt_toolkit and a dozen terminal modules) though a kernel never uses it: the
# placeholder gives it a stand-in ``IPython.terminal.embed`` first. bench/site_kernel_cpu.mjs:
# ``import pyodide_kernel`` 2.05 s of CPU with it, 2.68 s without (medians of 5, load ~10).
NO_PIPLITE = {
    "piplite/__init__.py": b'''"""Not on the static site (RepairLab build-site): nothing is
installed at run time, the browser's drive is no place to import from, and IPython's terminal
is not imported (see repairlab/serving/site.py, NO_PIPLITE)."""

import sys


class _NothingToImport:
    """The finder for a folder on the drive: it never has a module, and never looks."""

    def find_spec(self, fullname, target=None):
        return None

    def invalidate_caches(self):
        pass


def _drive_folders(path):
    if path == "/drive" or path.startswith("/drive/"):
        return _NothingToImport()
    raise ImportError  # any other folder: Python's own finders


if _drive_folders not in sys.path_hooks:
    sys.path_hooks.insert(0, _drive_folders)
    sys.path_importer_cache.clear()  # so no folder keeps a finder made before the hook


def _no_terminal(*args, **kwargs):
    raise RuntimeError("IPython's terminal is not available on this course site")


# IPython's own __init__ imports ``embed`` from its terminal, which imports prompt_toolkit:
# a kernel in a web page has no terminal. Set before the kernel's start imports IPython.
if "IPython" not in sys.modules:
    _embed = type(sys)("IPython.terminal.embed")
    _embed.embed = _no_terminal
    sys.modules.setdefault("IPython.terminal.embed", _embed)


async def install(*args, **kwargs):
    raise RuntimeError("installing packages is not available on this course site")
''',
    "piplite/piplite.py": b'''"""What the kernel's start sets on piplite; nothing reads it on this site."""

from . import install  # noqa: F401

_PIPLITE_DISABLE_PYPI = True
_PIPLITE_URLS = []
''',
}


# The browser storage that holds the drive (and so the progress file). JupyterLite names it
# after the page's base URL, which Voici writes relative to each page ("../../../" for the
# landing page, "../../../../" for a module's pages): each folder depth got its own drive, and
# the landing page never saw the answers given on the practice pages. One fixed name for every
# page of the site; two RepairLab sites on one web origin share it (docs/deploying.md).
STORAGE_NAME = "RepairLab"


class SiteBuildError(RuntimeError):
    """A step failed; the message says which and why."""


@dataclass
class SiteBuild:
    course: Path
    output: Path
    cache: Path
    log: list[str]

    def say(self, text: str) -> None:
        self.log.append(text)
        print(text, flush=True)


def _lock_name(wheel: Path) -> str:
    return re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()


def _pin(name: str, version: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower() + "==" + version


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- 1. contents ------------------------------------------------------------------------------

def stage_contents(build: SiteBuild) -> Path:
    from ..content.check import check_course
    from ..content.compiled import compile_course

    report = check_course(build.course)
    if report.problems:
        for problem in report.problems:
            build.say(f"  {problem.format(build.course)}")
        raise SiteBuildError("the course has problems (`repairlab check` lists them): "
                             "not built")
    contents = build.cache / "contents"
    shutil.rmtree(contents, ignore_errors=True)
    (contents / "curriculum").mkdir(parents=True)
    source = build.course / "curriculum"
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.suffix in {".ipynb", *IMAGE_SUFFIXES} or path.name in ("course.yaml",
                                                                         "module.yaml"):
            target = contents / "curriculum" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    shutil.copytree(build.course / "exercises", contents / "exercises")
    if compile_course(contents).folder is None:
        raise SiteBuildError(f"the course could not be compiled into {contents}")
    shutil.rmtree(contents / "exercises")  # the pages read the compiled course only
    build.say(f"contents: {sum(1 for _ in contents.rglob('*') if _.is_file())} files")
    return contents


# -- 2. wheels --------------------------------------------------------------------------------

def fetch_wheels(build: SiteBuild) -> list[Path]:
    wheels = build.cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wanted = [line.split()[0] for line in PINS.read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    pinned = {_pin(*line.split("==")) for line in wanted}
    if not pinned <= {_pin(*w.name.split("-")[:2]) for w in wheels.glob("*.whl")}:
        build.say("wheels: downloading the pinned wheels")
        _run(build, [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                     "--only-binary", ":all:", "--python-version", "3.13",
                     "--implementation", "py", "--abi", "none", "--platform", "any",
                     "--require-hashes", "-r", str(PINS), "-d", str(wheels)])
    # Only the pinned ones: the cache may hold wheels an earlier pin list named.
    found = sorted(w for w in wheels.glob("*.whl") if _pin(*w.name.split("-")[:2]) in pinned)
    found.append(_placeholder_wheel(wheels, "sqlite3", "1.0.0", {}))
    found.append(_placeholder_wheel(wheels, "jedi", "0.0.0", {"jedi/__init__.py": NO_JEDI}))
    found.append(_placeholder_wheel(wheels, "piplite", "0.0.0", NO_PIPLITE))
    found.append(repairlab_wheel(wheels))
    found.extend(kernel_wheels())
    return found


def kernel_wheels() -> list[Path]:
    """The wheels of the kernel's start (ipykernel's shim, pyodide_kernel), from the
    installed jupyterlite-pyodide-kernel, which ships them for piplite to install one by one."""
    from jupyter_core.paths import jupyter_path
    from jupyterlite_pyodide_kernel.constants import PYODIDE_KERNEL_NPM_NAME

    for folder in map(Path, jupyter_path("labextensions", PYODIDE_KERNEL_NPM_NAME, "static",
                                         "pypi")):
        found = [wheel for name in KERNEL_WHEELS for wheel in folder.glob(f"{name}-*.whl")]
        if len(found) == len(KERNEL_WHEELS):
            return found
    raise SiteBuildError("the kernel's wheels (piplite, ipykernel, pyodide_kernel) were not "
                         "found: is the `site` extra installed (jupyterlite-pyodide-kernel)?")


def repairlab_wheel(folder: Path) -> Path:
    """RepairLab as a pure wheel, from the package's files: only what a page runs (no
    instructor tools, no server), and no dependencies but ipywidgets (from the lock)."""
    files: dict[str, bytes] = {}
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if (path.is_dir() or "__pycache__" in relative or path.suffix == ".pyc"
                or relative.startswith(("repairlab/cli/", "repairlab/instructor/",
                                        "repairlab/templates/", "repairlab/serving/share/",
                                        "repairlab/serving/site_kernel_start.js"))):
            continue
        files[relative] = path.read_bytes()
    return _placeholder_wheel(folder, "repairlab", __version__, files,
                              requires=["ipywidgets"])


def _placeholder_wheel(folder: Path, name: str, version: str, files: dict[str, bytes], *,
                       requires: tuple[str, ...] | list[str] = ()) -> Path:
    info = f"{name}-{version}.dist-info"
    metadata = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                + "".join(f"Requires-Dist: {r}\n" for r in requires))
    entries = {**files, f"{info}/METADATA": metadata.encode(),
               f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: repairlab build-site\n"
                                b"Root-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    for arcname, data in entries.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    entries[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in entries.items():
            info_ = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            info_.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info_, data)
    target = folder / f"{name}-{version}-py3-none-any.whl"
    if not target.exists() or target.read_bytes() != buffer.getvalue():
        target.write_bytes(buffer.getvalue())
    return target


# -- 3. the runtime and its lock ----------------------------------------------------------------

def pyodide_runtime(build: SiteBuild) -> Path:
    npm = build.cache / "npm"
    runtime = npm / "node_modules" / "pyodide"
    if not (runtime / "pyodide.asm.wasm").is_file():
        build.say(f"pyodide: npm install {PYODIDE_NPM}")
        npm.mkdir(parents=True, exist_ok=True)
        _run(build, ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--silent",
                     "--prefix", str(npm), PYODIDE_NPM])
    return runtime


def stage_pyodide(build: SiteBuild, lite: Path, runtime: Path, wheels: list[Path]) -> None:
    target = lite / "static" / "pyodide"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in runtime.iterdir():
        if path.is_file() and not path.name.endswith((".map", ".d.ts", ".html", ".md")):
            shutil.copyfile(path, target / path.name)
    lock = json.loads((runtime / "pyodide-lock.json").read_text(encoding="utf-8"))
    # Only what the site holds: the lock's other entries name files that are not there.
    packages = {name: entry for name, entry in lock["packages"].items()
                if (target / entry["file_name"]).is_file()}
    for wheel in wheels:
        name = _lock_name(wheel)
        shutil.copyfile(wheel, target / wheel.name)
        with zipfile.ZipFile(wheel) as archive:
            imports = sorted({n.split("/")[0].removesuffix(".py") for n in archive.namelist()
                              if not n.split("/")[0].endswith((".dist-info", ".data"))
                              and (n.endswith(".py") or "/" in n)})
        packages[name] = {"name": name, "version": wheel.name.split("-")[1],
                          "file_name": wheel.name, "install_dir": "site",
                          "sha256": _sha256(wheel), "package_type": "package",
                          "imports": imports, "depends": DEPENDS.get(name, []),
                          "unvendored_tests": False, "shared_library": False}
    lock["packages"] = packages
    lock_text = json.dumps(lock, indent=1)
    (target / "pyodide-lock.json").write_text(lock_text, encoding="utf-8")
    stage_kernel_start(target, lock_text)
    build.say(f"pyodide: runtime and {len(wheels)} wheels, "
              f"{sum(p.stat().st_size for p in target.iterdir()) // 1024} KB")


def stage_kernel_start(target: Path, lock_text: str) -> None:
    """The kernel's start script, named with this build: the lock (every wheel's sha256,
    RepairLab's own among them), what is preloaded, the kernel's version and the script
    itself. A snapshot kept from another build is never restored."""
    from jupyterlite_pyodide_kernel import __version__ as kernel_version

    script = KERNEL_START.read_text(encoding="utf-8")
    build_id = hashlib.sha256("\n".join(
        [lock_text, json.dumps(PRELOADED), kernel_version, script]).encode()).hexdigest()[:16]
    (target / "pyodide.js").replace(target / PYODIDE_RUNTIME_JS)
    (target / "pyodide.js").write_text(script.replace("@SITE_BUILD@", build_id)
                                       .replace("@PYODIDE_RUNTIME_JS@", PYODIDE_RUNTIME_JS),
                                       encoding="utf-8")


def lite_config(lite: Path) -> None:
    settings = {"@jupyterlite/pyodide-kernel-extension:kernel": {
        "pyodideUrl": "./static/pyodide/pyodide.js",
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": PRELOADED},
    }}
    (lite / "jupyter-lite.json").write_text(json.dumps(
        {"jupyter-lite-schema-version": 0,
         "jupyter-config-data": {"litePluginSettings": settings,
                                 "contentsStorageName": STORAGE_NAME}}, indent=1),
        encoding="utf-8")
    (lite / "jupyter_lite_config.json").write_text(json.dumps(
        {"ContentsManager": {"allow_hidden": True}}, indent=1), encoding="utf-8")


# -- 4. voici -----------------------------------------------------------------------------------

FAILED = re.compile(r"TaskFailed|TaskError|Traceback \(most recent call last\)|^\s*ERROR",
                    re.MULTILINE)


def voici_build(build: SiteBuild, lite: Path, contents: Path) -> None:
    (lite / ".jupyterlite.doit.db").unlink(missing_ok=True)
    for stale in lite.glob(".jupyterlite.doit.db*"):
        stale.unlink()
    shutil.rmtree(build.output, ignore_errors=True)
    env = {**os.environ, "JUPYTER_PATH": os.pathsep.join(
        [str(SHARE_DIR), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))])}
    voici = Path(sys.executable).with_name("voici")
    command = [str(voici), "build", "--lite-dir", str(lite), "--contents", str(contents),
               "--output-dir", str(build.output), "--template", "repairlab",
               "--no-sourcemaps", "--show_tracebacks=False", "--strip_sources=True"]
    build.say("voici: " + " ".join(command[1:]))
    done = subprocess.run(command, cwd=lite, env=env, capture_output=True, text=True)
    text = done.stdout + done.stderr
    (build.cache / "voici-build.log").write_text(text, encoding="utf-8")
    failed = FAILED.search(text)
    if done.returncode != 0 or failed:
        tail = "\n".join(text.splitlines()[-30:])
        raise SiteBuildError(f"voici build failed (log: {build.cache / 'voici-build.log'}):\n"
                             f"{tail}")


def _run(build: SiteBuild, command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SiteBuildError(f"{command[0]} failed:\n{done.stdout}{done.stderr}")


def build_site(course: Path, output: Path, cache: Path | None = None) -> SiteBuild:
    """Build the static site of ``course`` into ``output``; raise ``SiteBuildError``."""
    cache = cache or course / "build" / "site-cache"
    build = SiteBuild(course.resolve(), output.resolve(), cache.resolve(), [])
    build.cache.mkdir(parents=True, exist_ok=True)
    contents = stage_contents(build)
    wheels = fetch_wheels(build)
    runtime = pyodide_runtime(build)
    lite = build.cache / "lite"
    lite.mkdir(exist_ok=True)
    stage_pyodide(build, lite, runtime, wheels)
    lite_config(lite)
    voici_build(build, lite, contents)
    build.say(f"site: {build.output}")
    return build
