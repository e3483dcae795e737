using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ActorPool.Hosting.Tests;

/// <summary>
/// README's generic-host sample (tests/ActorPool.Hosting.SampleHost) as a real process, stopped
/// by a signal the way a terminal or a service manager stops it.
/// </summary>
public sealed partial class HostedShutdownProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("TERM", false)]
    [InlineData("INT", false)]
    [InlineData("TERM", true)]
    public async Task A_signal_must_stop_the_submitting_service_before_the_pool_drains_and_exit_zero(string signal, bool senderFirst)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ActorPool.Hosting.SampleHost.dll"));
        if (senderFirst)
        {
            info.ArgumentList.Add("--sender-first");
        }

        using var host = Process.Start(info) ?? throw new InvalidOperationException("could not start the sample host");
        try
        {
            var error = host.StandardError.ReadToEndAsync();
            while (await host.StandardOutput.ReadLineAsync().WaitAsync(Patience) is { } line && line != "ready")
            {
            }

            using (var kill = Process.Start("kill", [$"-{signal}", host.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().WaitAsync(Patience);
            }

            var rest = await host.StandardOutput.ReadToEndAsync().WaitAsync(Patience);
            await host.WaitForExitAsync().WaitAsync(Patience);

            Assert.True(host.ExitCode == 0, $"exit {host.ExitCode}; stdout: {rest}; stderr: {await error}");
            Assert.DoesNotContain(nameof(SubmitRejectedException), await error);
            var figures = Figure().Matches(rest).ToDictionary(m => m.Groups["name"].Value, m => long.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture));
            Assert.True(figures["accepted"] > 0, rest);
            // Every accepted task ran to its end: none was cut short, dropped or left behind by the drain.
            Assert.Equal(figures["accepted"], figures["succeeded"]);
            Assert.Equal(figures["accepted"], figures["completed"]);
            Assert.Equal(0, figures["failed"] + figures["cancelled"] + figures["timed-out"] + figures["dropped"]);
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }
        }
    }

    [GeneratedRegex(@"(?<name>accepted|completed|succeeded|failed|cancelled|timed-out|dropped|rejected) (?<n>\d+)")]
    private static partial Regex Figure();
}
