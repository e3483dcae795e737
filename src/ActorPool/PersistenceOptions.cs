namespace ActorPool;

/// <summary>
/// Durable mode (<see cref="WorkerPoolOptions.Persistence"/>): every accepted task is journaled
/// with Akka.Persistence before its submit returns, and after a crash the pool runs again every
/// task that has no outcome yet. Only named tasks can be durable: a closure cannot be journaled.
/// </summary>
/// <remarks>
/// Execution is at-least-once across a crash: a task that was running when the process died runs
/// again, so handlers should be idempotent. The journal is the SQL plugin of Akka.Persistence
/// (Akka.Persistence.Sql): an embedded SQLite file by default, PostgreSQL or SQL Server by
/// <see cref="Provider"/> and <see cref="ConnectionString"/>.
/// </remarks>
public sealed class PersistenceOptions
{
    /// <summary>Whether the pool journals its tasks.</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>Where the journal lives.</summary>
    /// <value>Defaults to <c>Data Source=actorpool.db</c>: a SQLite file in the working directory.</value>
    public string ConnectionString { get; set; } = "Data Source=actorpool.db";

    /// <summary>The linq2db provider name of the database.</summary>
    /// <value>Defaults to <c>SQLite.MS</c> (Microsoft.Data.Sqlite); for example <c>PostgreSQL.15</c> or <c>SqlServer.2022</c> for a server.</value>
    public string Provider { get; set; } = "SQLite.MS";

    /// <summary>How many finished tasks between two snapshots; each snapshot lets the journal delete what it covers.</summary>
    /// <value>Defaults to 1000. Must be between 10 and 1,000,000.</value>
    public int SnapshotEvery { get; set; } = 1000;

    /// <summary>Whether the database is a SQLite file, which the pool checks before it starts.</summary>
    internal bool IsSqlite => Provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase);

    internal PersistenceOptions Clone() => (PersistenceOptions)MemberwiseClone();

    internal void Validate()
    {
        WorkerPoolOptions.CheckRange(SnapshotEvery, 10, 1_000_000, $"Persistence.{nameof(SnapshotEvery)}");
        if (!Enabled)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"Persistence.{nameof(ConnectionString)} must name the journal's database, was: '{ConnectionString}'.", nameof(ConnectionString));
        }

        if (string.IsNullOrWhiteSpace(Provider))
        {
            throw new ArgumentException($"Persistence.{nameof(Provider)} must be a linq2db provider name such as SQLite.MS, was: '{Provider}'.", nameof(Provider));
        }
    }
}
