using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorPool.Cli.Commands;
using ActorPool.Cli.Tests.Commands;

namespace ActorPool.Cli.Tests;

/// <summary>Runs <c>actorpool serve</c> as a real process and stops it the way a service manager does.</summary>
public sealed partial class ServeCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _config = Path.Combine(Path.GetTempPath(), $"actorpool-serve-{Guid.NewGuid():N}.conf");

    public ServeCommandTests() => File.WriteAllText(_config, """
        actor-pool {
          workers = 2
          shutdown-timeout = 20s
        }
        """);

    public void Dispose() => File.Delete(_config);

    [Fact]
    public async Task Sigterm_must_drain_the_pool_print_a_summary_that_adds_up_and_exit_zero()
    {
        using var serve = StartCli(null, "serve", "--config", _config, "--interval-ms", "20", "--delay-ms", "200");
        var error = serve.StandardError.ReadToEndAsync();
        var ready = await ReadUntilAsync(serve.StandardOutput, line => line.StartsWith(ServeCommand.ReadyLine, StringComparison.Ordinal));
        Assert.Contains("2 workers", ready);

        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", $"-TERM {serve.Id}"))
        {
            await kill.WaitForExitAsync().WaitAsync(Patience);
        }

        var rest = await serve.StandardOutput.ReadToEndAsync().WaitAsync(Patience);
        await serve.WaitForExitAsync().WaitAsync(Patience);
        clock.Stop();

        Assert.True(serve.ExitCode == ExitCodes.Success, $"exit {serve.ExitCode}; stderr: {await error}");
        Assert.Contains("ActorPool serve: pool serve stopped", rest);
        var counts = CountLine().Matches(rest).ToDictionary(m => m.Groups["name"].Value, m => long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture));
        Assert.True(counts["succeeded"] >= 1, rest);
        Assert.Equal(0, counts["timed out"]);
        Assert.Equal(0, counts["cancelled"]);
        Assert.Equal(counts["submitted"], counts.Where(c => c.Key != "submitted").Sum(c => c.Value));
        Assert.Contains("Pool serve stopped", await error);
        Assert.True(clock.Elapsed < Patience, $"stop took {clock.Elapsed}");
    }

    [Fact]
    public async Task An_invalid_configured_value_must_exit_two_naming_the_key_and_value()
    {
        using var serve = StartCli(new Dictionary<string, string> { ["ActorPool__serve__Workers"] = "0" }, "serve", "--interval-ms", "0");
        var output = serve.StandardOutput.ReadToEndAsync();
        var error = serve.StandardError.ReadToEndAsync();
        await serve.WaitForExitAsync().WaitAsync(Patience);

        Assert.Equal(ExitCodes.BadUsage, serve.ExitCode);
        Assert.Contains("ActorPool:serve:Workers", await error);
        Assert.Contains("was: 0", await error);
        Assert.DoesNotContain(ServeCommand.ReadyLine, await output);
    }

    private static async Task<string> ReadUntilAsync(StreamReader reader, Func<string, bool> match)
    {
        while (await reader.ReadLineAsync().WaitAsync(Patience) is { } line)
        {
            if (match(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException("the process closed stdout before the expected line");
    }

    private static Process StartCli(IDictionary<string, string>? environment, params string[] args) =>
        Process.Start(CliProcess.StartInfo(environment, args)) ?? throw new InvalidOperationException("could not start the CLI");

    [GeneratedRegex(@"^\s+(?<name>submitted|succeeded|failed|cancelled|timed out|dropped|rejected)\s+(?<count>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CountLine();
}
