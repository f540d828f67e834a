"""The NuGet packages: their metadata, and a consumer project that takes RnnPort from the local feed.

dotnet/tests/Consumer references the package (nuget.config: the local folder for RnnPort, nuget.org for
the rest; no ProjectReference), runs every snippet of docs/csharp.md (`guide`) and prints the numbers of
three models saved by Python (`check`), which must equal NumPy's exact mode bit for bit.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest

from package_setup import CONSUMER, OUT, ROOT, VERSION, run

sys.path.insert(0, str(ROOT / "python"))
from rnnport.io import model_file  # noqa: E402
from rnnport.training.vocabulary import Vocabulary  # noqa: E402

import numpy_side  # noqa: E402



def nuspec(package: Path) -> ET.Element:
    with zipfile.ZipFile(package) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".nuspec"))
        root = ET.fromstring(archive.read(name))
    for element in root.iter():  # the nuspec namespace differs by feature (a tool's is newer): drop it
        element.tag = element.tag.split("}")[-1]
    return root.find("metadata")


def test_library_package_metadata(library):
    """Version from version.txt, readme, description, repository, XML docs and both dependencies declared."""
    metadata = nuspec(library)
    assert metadata.findtext("id") == "RnnPort"
    assert metadata.findtext("version") == VERSION
    assert metadata.findtext("readme") == "README.md"
    assert "LSTM" in metadata.findtext("description")
    assert metadata.find("repository").get("type") == "git"
    csproj = ROOT / "dotnet" / "src" / "RnnPort" / "RnnPort.csproj"
    dependencies = {d.get("id"): d.get("version") for d in metadata.iter("dependency")}
    # Every package the library references is a dependency of the package (Kernel.Simd needs
    # System.Numerics.Tensors: a user referencing the bare DLL got FileNotFoundException).
    references = dict(re.findall(r'<PackageReference Include="([^"]+)" Version="([^"]+)"', csproj.read_text()))
    assert dependencies == references
    assert dependencies["MathNet.Numerics"] == "5.0.0" and "System.Numerics.Tensors" in dependencies
    with zipfile.ZipFile(library) as archive:
        names = set(archive.namelist())
        assert {"README.md", "lib/net10.0/RnnPort.dll", "lib/net10.0/RnnPort.xml"} <= names
        assert archive.read("README.md") == (ROOT / "dotnet/src/RnnPort/README.md").read_bytes()


@pytest.mark.parametrize("package", ["RnnPort", "rnnport-cli"])
def test_license_is_claimed_only_when_the_repository_states_one(dotnet_install, package):
    """The repository has no license file today, so no package may claim a license; adding one must add it."""
    metadata = nuspec(OUT / "feed" / f"{package}.{VERSION}.nupkg")
    declared = metadata.find("license") is not None
    assert declared == any((ROOT / name).exists() for name in ("LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING"))


def test_tool_package_is_a_dotnet_tool_named_rnnport_cli(dotnet_install):
    package = OUT / "feed" / f"rnnport-cli.{VERSION}.nupkg"
    metadata = nuspec(package)
    assert metadata.findtext("version") == VERSION
    assert [t.get("name") for t in metadata.iter("packageType")] == ["DotnetTool"]
    with zipfile.ZipFile(package) as archive:
        settings = archive.read("tools/net10.0/any/DotnetToolSettings.xml").decode()
        assert 'Name="rnnport-cli"' in settings and 'EntryPoint="rnnport-cli.dll"' in settings
        assert "README.md" in archive.namelist()


@pytest.mark.parametrize("readme", ["dotnet/src/RnnPort/README.md", "docs/csharp.md", "README.md"])
def test_the_version_users_are_told_to_reference_is_version_txt(readme):
    versions = re.findall(r'<PackageReference Include="RnnPort" Version="([^"]+)"', (ROOT / readme).read_text(encoding="utf-8"))
    assert versions and set(versions) == {VERSION}


def test_consumer_takes_rnnport_from_the_package_just_packed(consumer, library):
    """No ProjectReference, and the restored RnnPort's hash is the packed file's."""
    assets = json.loads((OUT / "consumer" / "obj" / "Consumer" / "project.assets.json").read_text())
    assert {library["type"] for library in assets["libraries"].values()} == {"package"}  # no project reference
    restored = assets["libraries"][f"RnnPort/{VERSION}"]
    assert restored["sha512"] == base64.b64encode(hashlib.sha512(library.read_bytes()).digest()).decode()
    assert consumer.is_file()


def test_negative_control_without_the_local_package_restore_fails(tmp_path, dotnet_install, dotnet_env):
    """The same consumer next to an empty feed does not restore: RnnPort is never taken from elsewhere."""
    copy = tmp_path / "dotnet" / "tests" / "Consumer"
    shutil.copytree(CONSUMER, copy, ignore=shutil.ignore_patterns("bin", "obj"))
    shutil.copy(ROOT / "version.txt", tmp_path / "version.txt")
    (tmp_path / "out" / "package" / "feed").mkdir(parents=True)
    # A packages folder without RnnPort (the session's would satisfy the restore before any source is
    # asked); its other packages are linked in, so that nothing is downloaded.
    packages = tmp_path / "packages"
    packages.mkdir()
    for package in Path(dotnet_env["NUGET_PACKAGES"]).iterdir():
        if package.name not in ("rnnport", "rnnport-cli"):
            (packages / package.name).symlink_to(package)
    env = {**dotnet_env, "NUGET_PACKAGES": str(packages)}
    result = run(["dotnet", "restore", str(copy), "-nologo", "-v", "quiet"], env=env, check=False)
    assert result.returncode != 0
    assert re.search(r"NU110[12].*RnnPort", result.stdout + result.stderr)


def save_models(folder: Path) -> dict:
    """The three exact-mode models, saved by Python into ``folder`` with request.json; returns them."""
    models = numpy_side.models()
    vocabulary = Vocabulary.of(numpy_side.TEXT)
    for cell, model in models.items():
        model_file.save(folder / f"{cell}.npz", model, vocabulary, {"note": "saved by package_tests"})
    (folder / "request.json").write_text(json.dumps(numpy_side.REQUEST))
    return models


def bits(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).view(np.uint64)


def assert_same(name: str, numpy_values, csharp_values) -> None:
    a, b = bits(numpy_values), bits(csharp_values)
    assert a.shape == b.shape, f"{name}: shapes {a.shape} and {b.shape}"
    differ = np.argwhere(a != b)
    assert not differ.size, (f"{name}: {len(differ)} values differ, first at {tuple(differ[0])}: NumPy "
                             f"{np.asarray(numpy_values)[tuple(differ[0])]!r}, C# {np.asarray(csharp_values)[tuple(differ[0])]!r}")


@pytest.fixture(scope="session")
def csharp_report(consumer, tmp_path_factory, dotnet_env) -> dict:
    folder = tmp_path_factory.mktemp("check")
    save_models(folder)
    return json.loads(run(["dotnet", str(consumer), "check", str(folder)], env=dotnet_env).stdout)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_models_saved_by_python_run_and_train_bit_for_bit(csharp_report, cell):
    """Forward, TimeStep, sampling, BPTT + clip + Adagrad losses and the trained outputs: NumPy exact == C#."""
    expected = numpy_side.report(cell, numpy_side.models()[cell])
    actual = csharp_report[cell]
    assert actual["cell"] == cell
    assert actual["samples"] == expected["samples"]
    for key in ("forward", "steps", "losses", "trained_forward"):
        assert_same(f"{cell} {key}", expected[key], actual[key])


def test_negative_control_one_ulp_in_one_weight_is_caught(csharp_report):
    """A NumPy model one ULP away in one recurrent weight no longer matches what C# printed."""
    model = numpy_side.models()["rnn"]
    W_hh = model.W_hh.copy()
    W_hh[2, 3] = np.nextafter(W_hh[2, 3], np.inf)
    model.apply_update({"W_hh": W_hh})
    expected = numpy_side.report("rnn", model)
    with pytest.raises(AssertionError, match="rnn forward: .* values differ"):
        assert_same("rnn forward", expected["forward"], csharp_report["rnn"]["forward"])
