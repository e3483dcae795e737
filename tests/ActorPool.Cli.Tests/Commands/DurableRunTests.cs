using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorPool.Cli.Commands;
using Microsoft.Data.Sqlite;

namespace ActorPool.Cli.Tests.Commands;

/// <summary>
/// <c>actorpool run --durable FILE</c> as real processes: killed with SIGKILL mid-run, interrupted,
/// given files it cannot use. Every wait is on a printed line or an exit, with a deadline.
/// </summary>
[Collection(nameof(DurableProcesses))]
public sealed partial class DurableRunTests : IDisposable
{
    /// <summary>Starting .NET, an actor system and the journal takes seconds on a loaded 2-core machine.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("actorpool-durable-cli-").FullName;

    private string Journal => Path.Combine(_folder, "jobs.db");

    [Fact]
    public async Task A_run_killed_mid_run_must_lose_no_task_and_the_next_run_must_finish_it_counting_the_runs_it_repeats()
    {
        // 200 x 80 ms on 4 workers: about 4 s of work, long enough to kill it midway.
        const int Tasks = 200, Workers = 4, DelayMs = 80;
        using (var first = CliProcess.Start("run", "--durable", Journal, "--tasks", Text(Tasks), "--workers", Text(Workers), "--delay-ms", Text(DelayMs), "--json"))
        {
            await first.WaitForLineAsync(line => Progress(line) is >= Tasks / 10 and < Tasks).WaitAsync(Patience);
            first.Kill();
            await first.WaitForExitAsync(Patience);
            Assert.Empty(first.Output); // killed before its summary
        }

        // What the journal holds now is what the next run reads back.
        var killed = JournalFile.Read(Journal);
        Assert.True(killed.Accepted.Count == Tasks, $"every task was accepted (journaled) before the kill: {killed}");
        Assert.InRange(killed.Finished.Count, 1, Tasks - 1);

        using var second = CliProcess.Start("run", "--durable", Journal, "--tasks", "0", "--workers", Text(Workers), "--json");
        var exit = await second.WaitForExitAsync(Patience);

        Assert.True(exit == ExitCodes.Success, $"exit {exit}; stdout: {second.Output}; stderr: {second.Error}");
        var report = SingleJson(second);
        Assert.Equal(0, report.GetProperty("submitted").GetInt32());
        Assert.Equal(killed.Finished.Count, report.GetProperty("recovered").GetInt64());
        Assert.Equal(killed.Finished.Count, report.GetProperty("recoveredSucceeded").GetInt64());
        Assert.Equal(Tasks - killed.Finished.Count, report.GetProperty("resumed").GetInt64());
        Assert.Equal(Tasks, report.GetProperty("recovered").GetInt64() + report.GetProperty("resumed").GetInt64()); // none lost
        Assert.Equal(report.GetProperty("resumed").GetInt64(), report.GetProperty("succeeded").GetInt64());
        foreach (var none in new[] { "failed", "cancelled", "timedOut", "dropped", "rejected", "unfinished" })
        {
            Assert.Equal(0, report.GetProperty(none).GetInt32());
        }

        // The duplicates: a resumed task whose start the journal holds ran before the kill, and
        // counts that run (Attempts 2); retried adds them up. Those are the tasks running at the
        // kill plus the ones that had finished but whose outcome was not written yet (outcomes are
        // journaled behind). A second of journal lag is generous on a loaded machine: each worker
        // finishes at most 1000 / DelayMs tasks in it, besides the one it was running.
        var retried = report.GetProperty("retried").GetInt64();
        Assert.Equal(killed.StartedUnfinished, retried);
        Assert.InRange(retried, 0, Workers * (1 + (1000 / DelayMs)));
        Console.WriteLine($"killed after {killed.Finished.Count} journaled outcomes; {killed.StartedUnfinished} tasks ran again counting their earlier run");

        // A third run has nothing left to do: it only reads every outcome back.
        using var third = CliProcess.Start("run", "--durable", Journal, "--tasks", "0", "--json");
        exit = await third.WaitForExitAsync(Patience);

        Assert.True(exit == ExitCodes.Success, $"exit {exit}; stdout: {third.Output}; stderr: {third.Error}");
        report = SingleJson(third);
        Assert.Equal((0L, (long)Tasks, (long)Tasks), (report.GetProperty("resumed").GetInt64(), report.GetProperty("recovered").GetInt64(), report.GetProperty("recoveredSucceeded").GetInt64()));
        Assert.Equal((0, 0L), (report.GetProperty("succeeded").GetInt32(), report.GetProperty("retried").GetInt64()));
    }

    [Fact]
    public async Task An_interrupted_run_must_print_what_it_has_exit_130_and_leave_the_rest_to_the_next_run()
    {
        using (var first = CliProcess.Start("run", "--durable", Journal, "--tasks", "2000", "--workers", "4", "--delay-ms", "50", "--json"))
        {
            await first.WaitForLineAsync(line => Progress(line) is > 0 and < 2000).WaitAsync(Patience);
            await first.SignalAsync("INT");
            var exit = await first.WaitForExitAsync(Patience);

            Assert.True(exit == ExitCodes.Interrupted, $"exit {exit}; stdout: {first.Output}; stderr: {first.Error}");
            var report = SingleJson(first);
            var accepted = 2000 - report.GetProperty("rejected").GetInt32();
            Assert.True(report.GetProperty("unfinished").GetInt32() > 0, $"interrupted midway: {report}");
            Assert.Equal(accepted, report.GetProperty("succeeded").GetInt32() + report.GetProperty("unfinished").GetInt32());
            Assert.Contains(first.Error.Split('\n'), line => line.StartsWith("actorpool run: interrupted; ", StringComparison.Ordinal) && line.Contains("jobs.db", StringComparison.Ordinal));
            Assert.DoesNotContain(first.Error.Split('\n'), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));

            // Every accepted task ends with one outcome between the two runs: those that finished
            // while the first run stopped were journaled then, and come back as recovered.
            using var next = CliProcess.Start("run", "--durable", Journal, "--tasks", "0", "--json");
            Assert.Equal(ExitCodes.Success, await next.WaitForExitAsync(Patience));
            var rest = SingleJson(next);
            Assert.Equal(accepted, rest.GetProperty("recovered").GetInt64() + rest.GetProperty("resumed").GetInt64());
            Assert.True(rest.GetProperty("recovered").GetInt64() >= report.GetProperty("succeeded").GetInt32(), $"{rest} after {report}");
        }
    }

    [Theory]
    [InlineData("empty", ExitCodes.BadUsage, "--durable must name a SQLite file, such as jobs.db, was: ''.")]
    [InlineData("directory", ExitCodes.BadUsage, "--durable must name a SQLite file, not a directory, was: '")]
    [InlineData("missing folder", ExitCodes.BadUsage, "--durable names a file in a folder that does not exist, was: '")]
    [InlineData("corrupt", ExitCodes.JournalUnavailable, "jobs.db' cannot be used: SQLite Error 26: 'file is not a database'.")]
    public async Task A_file_it_cannot_use_must_give_one_line_naming_it_and_the_reason_and_no_stack_trace(string kind, int expectedExit, string expected)
    {
        var path = kind switch
        {
            "empty" => string.Empty,
            "directory" => _folder,
            "missing folder" => Path.Combine(_folder, "no such folder", "jobs.db"),
            _ => Journal,
        };
        if (kind == "corrupt")
        {
            File.WriteAllBytes(Journal, [.. Enumerable.Range(0, 4096).Select(i => (byte)((i * 7919) + 13))]);
        }

        using var run = CliProcess.Start("run", "--durable", path, "--tasks", "10");
        var exit = await run.WaitForExitAsync(Patience);

        Assert.True(exit == expectedExit, $"exit {exit}; stderr: {run.Error}");
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task A_file_another_run_holds_must_be_refused_at_once_with_one_line()
    {
        // What a second run --durable on the same file meets: the first one's claim on it.
        using var held = new FileStream(Journal, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        using var run = CliProcess.Start("run", "--durable", Journal, "--tasks", "10");
        var exit = await run.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.JournalUnavailable, exit);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"actorpool run: the journal '{Journal}' cannot be opened: The process cannot access the file '{Journal}' because it is being used by another process.", line);
    }

    [Fact]
    public async Task A_file_locked_by_a_sqlite_transaction_must_fail_within_seconds_with_one_line()
    {
        using var holder = new SqliteConnection($"Data Source={Journal}");
        holder.Open();
        using var lockIt = holder.CreateCommand();
        lockIt.CommandText = "CREATE TABLE IF NOT EXISTS held (x); BEGIN EXCLUSIVE;";
        lockIt.ExecuteNonQuery();

        using var run = CliProcess.Start("run", "--durable", Journal, "--tasks", "10");
        var exit = await run.WaitForExitAsync(Patience);

        Assert.Equal(ExitCodes.JournalUnavailable, exit);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("jobs.db' cannot be used: SQLite Error 5: 'database is locked'.", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "run", "--durable", "jobs.db", "--cluster", "--seed", "127.0.0.1:4053" }, "--durable runs a local durable pool and cannot be combined with --cluster")]
    [InlineData(new[] { "run", "--durable" }, "Required argument missing for option: '--durable'.")]
    [InlineData(new[] { "run", "--durable", "--json" }, "--durable must name a SQLite file, was: '--json'")]
    public async Task A_bad_durable_command_line_must_exit_two_with_a_line_naming_the_problem(string[] args, string expected)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        using var signal = new ShutdownSignal();

        var exit = await Program.RunAsync(args, output, error, signal);

        Assert.Equal(ExitCodes.BadUsage, exit);
        Assert.Contains(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.Contains(expected, StringComparison.Ordinal));
        Assert.Empty(output.ToString());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static JsonElement SingleJson(CliProcess process)
    {
        using var json = JsonDocument.Parse(Assert.Single(process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        return json.RootElement.Clone();
    }

    /// <summary>How many tasks a progress line says are done, or null for another line.</summary>
    private static int? Progress(string line) =>
        ProgressLine().Match(line) is { Success: true } m ? int.Parse(m.Groups["done"].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"^progress: (?<done>\d+)/\d+ done")]
    private static partial Regex ProgressLine();
}

/// <summary>
/// What a durable pool's journal file holds, read as the next run will read it: the ids of the
/// tasks accepted, started and finished, from the events the library writes
/// (<c>ap.journal.accepted</c>, <c>started</c>, <c>finished</c>; JSON). Only for a journal without
/// snapshots, which fold events away (one is taken every 1,000 outcomes).
/// </summary>
internal sealed record JournalFile(HashSet<long> Accepted, HashSet<long> Started, HashSet<long> Finished)
{
    /// <summary>Started tasks without an outcome: each runs again, and counts its earlier run.</summary>
    public int StartedUnfinished => Started.Count(id => !Finished.Contains(id));

    public static JournalFile Read(string path)
    {
        // Read-write, not read-only: after a SIGKILL mid-write SQLite rolls the hot journal back
        // on opening, exactly as the next run's connection would.
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadWrite;Pooling=False");
        connection.Open();
        using (var snapshots = connection.CreateCommand())
        {
            snapshots.CommandText = "SELECT COUNT(*) FROM snapshot";
            Assert.Equal(0L, (long)snapshots.ExecuteScalar()!);
        }

        var file = new JournalFile([], [], []);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT manifest, message FROM journal WHERE deleted = 0";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            using var json = JsonDocument.Parse((byte[])reader[1]);
            var (into, list, id) = reader.GetString(0) switch
            {
                "ap.journal.accepted" => (file.Accepted, "tasks", "id"),
                "ap.journal.started" => (file.Started, "ids", null),
                "ap.journal.finished" => (file.Finished, "outcomes", "id"),
                _ => (null, null, null),
            };
            if (into is null)
            {
                continue;
            }

            foreach (var item in json.RootElement.GetProperty(list!).EnumerateArray())
            {
                into.Add(id is null ? item.GetInt64() : item.GetProperty(id).GetInt64());
            }
        }

        return file;
    }

    public override string ToString() =>
        $"{Accepted.Count} accepted, {Started.Count} started, {Finished.Count} finished, {StartedUnfinished} started without an outcome";
}

/// <summary>The durable run's process tests time a kill midway: they run alone, not beside other test classes.</summary>
[CollectionDefinition(nameof(DurableProcesses), DisableParallelization = true)]
public sealed class DurableProcesses;
