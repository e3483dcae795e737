using System.Diagnostics;
using Akka.Actor;
using Microsoft.Data.Sqlite;

namespace ActorPool.Benchmarks.Scenarios;

/// <summary>
/// Issue 13: a durable pool journaled in a SQLite file on local disk. One pool measures no-op
/// named tasks through <c>SubmitManyAsync</c> (accepted: every task journaled and its submit
/// returned; run: every outcome recorded and journaled). A prepared journal of
/// <see cref="RecoveredOutcomes"/> finished tasks and <see cref="UnfinishedTasks"/> unfinished
/// ones measures recovery: a new pool reading it back, then running the unfinished ones again.
/// </summary>
public sealed class DurableScenario : IAsyncDisposable
{
    public const string ContenderName = "ActorPool durable, SQLite";
    public const int Workers = 8;

    /// <summary>Outcomes the recovery row reads back: the pool's default MaxRetainedResults, all it keeps.</summary>
    public const int RecoveredOutcomes = 10_000;

    /// <summary>Tasks the recovery row finds unfinished and runs again.</summary>
    public const int UnfinishedTasks = 1_000;

    private const string NoOp = "noop";
    private const string Hold = "hold";

    /// <summary>The name of a pool on an actor system of its own, its identity in the journal: the recovering <c>new WorkerPool(options)</c> has it.</summary>
    private const string OwnSystemPoolName = "pool";

    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(120);

    private readonly string _folder;
    private readonly WorkerPool _pool;

    private DurableScenario(string folder)
    {
        _folder = folder;
        _pool = new WorkerPool(Options(Path.Combine(folder, "noop.db"), Held.Released));
        _pool.Start();
    }

    /// <summary>Where the journals go: /var/tmp on Linux (on disk, where /tmp may be in memory), else the temp folder.</summary>
    public static string Disk => Directory.Exists("/var/tmp") ? "/var/tmp" : Path.GetTempPath();

    /// <summary>Creates the no-op pool on a fresh journal.</summary>
    public static DurableScenario Start() => new(Directory.CreateDirectory(Path.Combine(Disk, $"actorpool-bench-durable-{Guid.NewGuid():N}")).FullName);

    /// <summary>Submits <paramref name="tasks"/> no-op named tasks at once and waits for every outcome; returns when they were all accepted and when all had run.</summary>
    public async Task<(TimeSpan Accepted, TimeSpan Ran)> RunNoOpAsync(int tasks)
    {
        var payloads = new object?[tasks];
        Array.Fill(payloads, 0);
        var clock = Stopwatch.StartNew();
        await _pool.SubmitManyAsync(NoOp, payloads).WaitAsync(GiveUpAfter);
        var accepted = clock.Elapsed;
        await _pool.WaitAsync().WaitAsync(GiveUpAfter);
        return (accepted, clock.Elapsed);
    }

    /// <summary>
    /// Writes a journal holding <see cref="RecoveredOutcomes"/> finished tasks and
    /// <see cref="UnfinishedTasks"/> accepted ones without an outcome, as a crash leaves it:
    /// the pool's actor system goes without the pool's stop, so nothing more is journaled.
    /// </summary>
    public async Task<string> PrepareRecoveryJournalAsync()
    {
        var path = Path.Combine(_folder, "recovery-template.db");
        var system = ActorSystem.Create("bench-durable-crash", """
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """);
        var held = new Held();
        try
        {
            var pool = WorkerPool.Create(system, Options(path, held), OwnSystemPoolName);
            pool.Start();
            var payloads = new object?[RecoveredOutcomes];
            Array.Fill(payloads, 0);
            await pool.SubmitManyAsync(NoOp, payloads).WaitAsync(GiveUpAfter);
            await pool.WaitAsync().WaitAsync(GiveUpAfter); // every outcome journaled
            payloads = new object?[UnfinishedTasks];
            Array.Fill(payloads, 0);
            await pool.SubmitManyAsync(Hold, payloads).WaitAsync(GiveUpAfter); // journaled, and held
        }
        finally
        {
            await system.Terminate().WaitAsync(GiveUpAfter);
            held.Release();
            SqliteConnection.ClearAllPools();
        }

        return path;
    }

    /// <summary>
    /// Opens a new pool on a copy of <paramref name="template"/>: how long until it has read the
    /// journal back (outcomes recovered, unfinished tasks waiting to run), and until it has run
    /// those again.
    /// </summary>
    public async Task<(TimeSpan ReadBack, TimeSpan Resumed)> RecoverAsync(string template)
    {
        var path = Path.Combine(_folder, $"recovery-{Guid.NewGuid():N}.db");
        File.Copy(template, path);
        try
        {
            var clock = Stopwatch.StartNew();
            await using var pool = new WorkerPool(Options(path, Held.Released));

            // Not started yet, so nothing runs: Resumed shows once the journal is read back.
            while (pool.GetStats().Resumed == 0)
            {
                if (clock.Elapsed > GiveUpAfter)
                {
                    throw new TimeoutException($"The journal was not read back within {GiveUpAfter.TotalSeconds:F0} s.");
                }

                await Task.Delay(1);
            }

            var readBack = clock.Elapsed;
            var stats = pool.GetStats();
            if (stats.Recovered != RecoveredOutcomes || stats.Resumed != UnfinishedTasks)
            {
                throw new InvalidOperationException($"Read back {stats.Recovered} outcomes and {stats.Resumed} unfinished tasks, expected {RecoveredOutcomes} and {UnfinishedTasks}.");
            }

            pool.Start();
            await pool.WaitAsync().WaitAsync(GiveUpAfter);
            return (readBack, clock.Elapsed);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _pool.StopAsync().WaitAsync(GiveUpAfter).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static WorkerPoolOptions Options(string path, Held held)
    {
        var options = new WorkerPoolOptions { Workers = Workers, QueueSize = 0, ShutdownTimeout = TimeSpan.FromSeconds(5) };
        options.Persistence.Enabled = true;
        options.Persistence.ConnectionString = new SqliteConnectionStringBuilder { DataSource = path }.ToString();
        options.Handlers.Add<int>(NoOp, static (_, _) => Task.CompletedTask);
        options.Handlers.Add<int>(Hold, (_, _) => held.Task);
        return options;
    }

    /// <summary>What the held tasks wait for: they stay unfinished until the crash, then let go.</summary>
    private sealed class Held
    {
        /// <summary>For pools whose held tasks run at once (recovery runs them again, no-op).</summary>
        public static readonly Held Released = new(released: true);

        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Held(bool released = false)
        {
            if (released)
            {
                _release.SetResult();
            }
        }

        public Task Task => _release.Task;

        public void Release() => _release.TrySetResult();
    }
}
