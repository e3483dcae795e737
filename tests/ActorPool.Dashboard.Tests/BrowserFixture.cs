using Microsoft.Playwright;

namespace ActorPool.Dashboard.Tests;

/// <summary>
/// One headless Chromium for the browser tests: Debian's <c>/usr/bin/chromium</c> (or
/// <c>CHROMIUM_PATH</c>), driven by Playwright with its <c>ExecutablePath</c>; no tool downloads a
/// browser. On a fresh Debian machine where the tests run as root, it installs Debian's package
/// first, so README's test command works there as it is.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where each page's screenshot goes: TestResults/screenshots beside the test project.</summary>
    public string Screenshots { get; } = Path.Combine(ProjectFolder(), "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(chromium) && chromium == "/usr/bin/chromium" && Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            await RunAsync("/usr/bin/apt-get", "update -qq");
            await RunAsync("/usr/bin/apt-get", "install -y -qq --no-install-recommends chromium");
        }

        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"No Chromium at {chromium}: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH.");
        }

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static async Task RunAsync(string file, string arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        await Task.WhenAll(output, error);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited {process.ExitCode}: {await error}");
        }
    }

    private static string ProjectFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (dir.GetFiles("*.csproj").Length > 0)
            {
                return dir.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}
