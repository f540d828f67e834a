#!/usr/bin/env sh
# README, "Installing": the .NET packages, packed into a local folder and the tool installed from it.
# package_tests/ runs this file as it is, from the repository root.
set -eu
dotnet pack dotnet/src/RnnPort -c Release -o out/package/feed
dotnet pack dotnet/src/RnnPort.Cli -c Release -o out/package/feed
dotnet tool install rnnport-cli --tool-path out/package/tools --add-source out/package/feed --version "$(cat version.txt)"
out/package/tools/rnnport-cli --help
