using Microsoft.Data.Sqlite;

namespace ActorPool.Tests.Durable;

/// <summary>What durable pool tests share: a journal file of their own, and a pool on it with an <c>echo</c> handler.</summary>
public abstract class DurableJournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("actorpool-journal-").FullName;

    protected string File => Path.Combine(_folder, "journal.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected WorkerPool Pool(params Action<WorkerPoolOptions>[] configure) => new(Options(configure));

    protected WorkerPoolOptions Options(params Action<WorkerPoolOptions>[] configure)
    {
        var options = new WorkerPoolOptions { Workers = 2, ShutdownTimeout = TimeSpan.FromSeconds(5) };
        options.Persistence.Enabled = true;
        options.Persistence.ConnectionString = $"Data Source={File}";
        options.Handlers.Add<Echo, string>("echo", (echo, _) => Task.FromResult(echo.Text));
        foreach (var step in configure)
        {
            step(options);
        }

        return options;
    }

    public sealed record Echo(string Text);
}
