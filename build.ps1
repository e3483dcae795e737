#!/usr/bin/env pwsh
# Thin wrapper over dotnet; every target is also a plain dotnet command (see README.md).
param(
    [ValidateSet('build', 'test', 'pack', 'bench', 'format', 'ci')]
    [string]$Target = 'build',
    [string]$Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Target) {
    'build'  { Invoke-Dotnet build ActorPool.sln -c $Configuration }
    'test'   { Invoke-Dotnet test ActorPool.sln -c $Configuration }
    'pack'   { Invoke-Dotnet pack ActorPool.sln -c $Configuration -o artifacts }
    'bench'  { Invoke-Dotnet run -c Release --project tests/ActorPool.Benchmarks -- --quick }
    'format' { Invoke-Dotnet format ActorPool.sln }
    'ci'     { & bash .ci/run; exit $LASTEXITCODE }
}
