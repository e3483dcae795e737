using ActorPool.Cli.Commands;

namespace ActorPool.Cli.Tests.Commands;

/// <summary>Every numeric option of every command, given a bad value, as a user would type it.</summary>
public sealed class BadNumberTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Not a number, negative, and far out of range for every numeric option (an int overflows; a double, a duration exceed their bounds).</summary>
    private static readonly string[] BadValues = ["abc", "-1", "99999999999"];

    private readonly string _urlFile = Path.Combine(Path.GetTempPath(), $"actorpool-urls-{Guid.NewGuid():N}.txt");

    public BadNumberTests() => File.WriteAllText(_urlFile, "http://127.0.0.1:9/x.bin\n");

    public void Dispose() => File.Delete(_urlFile);

    /// <summary>Walks the real command tree, so an option added later is covered without touching this test.</summary>
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        var root = Program.CreateRoot(TextWriter.Null, TextWriter.Null, new ShutdownSignal());
        foreach (var command in root.Subcommands)
        {
            foreach (var option in command.Options.Where(o => o.ValueType == typeof(int) || o.ValueType == typeof(double) || o.ValueType == typeof(TimeSpan)))
            {
                foreach (var value in BadValues)
                {
                    data.Add(command.Name, option.Name, value);
                }
            }
        }

        return data;
    }

    [Fact]
    public void The_walk_must_reach_every_command_and_its_numeric_options()
    {
        var cases = Cases().Select(row => ((string)row[0], (string)row[1])).Distinct().ToList();

        Assert.Equal(["demo", "download", "node", "run", "serve"], cases.Select(c => c.Item1).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(("download", "--rate-limit"), cases);
        Assert.Contains(("download", "--timeout"), cases);
        Assert.Contains(("run", "--failure-rate"), cases);
        Assert.Contains(("serve", "--delay-ms"), cases);
        Assert.Contains(("node", "--port"), cases);
        Assert.Contains(("node", "--join-timeout"), cases);
        Assert.Contains(("run", "--join-timeout"), cases);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_number_must_give_one_line_on_stderr_naming_the_option_and_value_and_exit_two(string command, string option, string value)
    {
        // Give each command what it requires besides the bad option, so the bad value is the only problem.
        string[] args = (command, option) switch
        {
            ("download", _) => [command, "--urls", _urlFile, option, value],
            ("node", not "--port") => [command, "--port", "0", option, value],
            _ => [command, option, value],
        };
        using var cli = CliProcess.Start(args);

        var exit = await cli.WaitForExitAsync(Patience);

        var lines = cli.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(exit == ExitCodes.BadUsage, $"exit {exit}; stderr: {cli.Error}");
        var line = Assert.Single(lines);
        Assert.StartsWith($"{option} must be ", line);
        Assert.Contains($"was: '{value}'", line);
        Assert.Empty(cli.Output);
    }
}
