"""rnnport-cli as a dotnet tool: installed from the local feed into a tool path (install_dotnet.sh), it
prints its usage, trains a model that Python loads, and samples from it."""
from __future__ import annotations

import sys

from package_setup import OUT, ROOT, VERSION, run

sys.path.insert(0, str(ROOT / "python"))
from rnnport.io import model_file  # noqa: E402

TOOL = OUT / "tools" / "rnnport-cli"
TEXT = "the fox follows a clever child. a dog likes the red fox. " * 8


def test_the_installed_tool_is_the_package_just_packed(dotnet_install):
    stored = OUT / "tools" / ".store" / "rnnport-cli"
    assert [p.name for p in stored.iterdir()] == [VERSION]
    assert TOOL.is_file()


def test_help_from_the_install_script(dotnet_install):
    """The script's last line, `rnnport-cli --help`, printed the usage of both commands."""
    assert "usage: rnnport-cli train TEXTFILE" in dotnet_install.stdout
    assert "rnnport-cli sample MODEL" in dotnet_install.stdout


def test_tool_trains_a_model_python_loads_and_samples_it(dotnet_install, dotnet_env, tmp_path):
    (tmp_path / "corpus.txt").write_text(TEXT, encoding="utf-8")
    run([str(TOOL), "train", "corpus.txt", "--steps", "40", "--hidden", "12", "--cell", "gru", "--sample-every", "0",
         "--out", "model.npz"], cwd=tmp_path, env=dotnet_env)
    saved = model_file.load(tmp_path / "model.npz")
    assert saved.cell == "gru" and saved.model.hidden_size == 12
    assert saved.vocabulary.chars == "".join(sorted(set(TEXT)))
    sample = run([str(TOOL), "sample", "model.npz", "--start", "t", "--length", "30"], cwd=tmp_path, env=dotnet_env).stdout
    assert sample.startswith("t") and set(sample.strip("\n")) <= set(TEXT)


def test_negative_control_a_bad_option_is_refused_by_the_tool(dotnet_install, dotnet_env, tmp_path):
    result = run([str(TOOL), "sample", "missing.npz", "--length", "-1"], cwd=tmp_path, env=dotnet_env, check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
