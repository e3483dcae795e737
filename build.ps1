#!/usr/bin/env pwsh
# Thin wrapper over dotnet; every target is also a plain dotnet command (see README.md).
# On a machine without PowerShell: dotnet tool restore, then dotnet pwsh build.ps1 <target>.
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

# A library package lists only what its project references (central transitive pinning once
# added every pinned package as a direct dependency) and carries the README.
function Test-Packages([string]$Folder) {
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $packages = @(Get-ChildItem $Folder -Filter *.nupkg)
    if ($packages.Count -eq 0) { Write-Error "no packages in $Folder" }
    foreach ($package in $packages) {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($package.FullName)
        try {
            $entry = $zip.Entries | Where-Object { $_.FullName -like '*.nuspec' } | Select-Object -First 1
            $reader = [System.IO.StreamReader]::new($entry.Open())
            [xml]$nuspec = $reader.ReadToEnd()
            $reader.Dispose()
            $hasReadme = [bool]($zip.Entries | Where-Object { $_.FullName -eq 'README.md' })
        }
        finally { $zip.Dispose() }

        $metadata = $nuspec.package.metadata
        if (-not $metadata.readme -or -not $hasReadme) { Write-Error "$($metadata.id): no package README" }
        $project = Get-ChildItem src -Recurse -Filter "$($metadata.id).csproj" | Select-Object -First 1
        [xml]$csproj = Get-Content $project.FullName
        $referenced = @($csproj.Project.ItemGroup.PackageReference.Include) +
            @($csproj.Project.ItemGroup.ProjectReference.Include | ForEach-Object { [IO.Path]::GetFileNameWithoutExtension($_) })
        $listed = @($metadata.dependencies.group.dependency | Where-Object { $_ } | ForEach-Object { $_.id })
        $extra = @($listed | Where-Object { $_ -notin $referenced })
        if ($extra.Count -gt 0) { Write-Error "$($metadata.id) lists $($extra -join ', ') as dependencies, which its project does not reference" }
        Write-Host "$($package.Name): README, $($listed.Count) dependencies, all referenced by $($project.Name)"
    }
}

switch ($Target) {
    'build'  { Invoke-Dotnet build ActorPool.sln -c $Configuration }
    'test'   { Invoke-Dotnet test ActorPool.sln -c $Configuration }
    'pack'   {
        Remove-Item artifacts -Recurse -Force -ErrorAction Ignore
        Invoke-Dotnet pack ActorPool.sln -c $Configuration -o artifacts
        Test-Packages artifacts
    }
    'bench'  { Invoke-Dotnet run -c Release --project tests/ActorPool.Benchmarks -- --quick }
    'format' { Invoke-Dotnet format ActorPool.sln }
    'ci'     { & bash .ci/run; exit $LASTEXITCODE }
}
