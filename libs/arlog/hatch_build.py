"""Build hook: compile the parser's hot modules to C with mypyc, outside the source tree.

The wheel gets a compiled extension beside each listed module's ``.py`` (Python imports the
extension first). Editable installs and ``HATCH_BUILD_NO_HOOKS=true`` builds stay pure Python.
The modules are compiled from a copy in a temporary directory, so no artefact lands in ``src/``
(where it would shadow an edited source) and mypy reads no configuration of the repository.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "remedyiq_arlog"

_SETUP = """\
from setuptools import setup
from mypyc.build import mypycify

setup(name="{package}", ext_modules=mypycify({modules!r}, opt_level="3"))
"""


class MypycBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        modules = [f"{PACKAGE}/{name}.py" for name in self.config["compile"]]
        self._workdir = Path(tempfile.mkdtemp(prefix="arlog-mypyc-"))
        shutil.copytree(Path(self.root) / "src" / PACKAGE, self._workdir / PACKAGE)
        (self._workdir / "setup.py").write_text(
            _SETUP.format(package=PACKAGE, modules=modules), encoding="utf-8"
        )
        built = subprocess.run(
            [sys.executable, "setup.py", "build_ext", "--inplace"],
            cwd=self._workdir,
            capture_output=True,
            text=True,
            check=False,
        )
        if built.returncode:
            raise RuntimeError(f"mypyc could not compile {PACKAGE}:\n{built.stdout}{built.stderr}")
        for extension in self._workdir.rglob("*.so"):
            if "build" not in extension.relative_to(self._workdir).parts:
                relative = extension.relative_to(self._workdir).as_posix()
                build_data["force_include"][str(extension)] = relative
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        workdir = getattr(self, "_workdir", None)
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
