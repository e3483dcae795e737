using Microsoft.Data.Sqlite;

namespace ActorPool.Durable;

/// <summary>
/// One live pool per name per journal. Two would both run the journal's unfinished tasks and then
/// fail on each other's writes, so the second is refused at start. Within a process a set of
/// claimed (database, name) pairs decides; for a SQLite file a lock file beside it, held open
/// without sharing, also refuses a pool of the same name in another process. The operating
/// system lets go of that lock when the process dies, so a crash leaves nothing to clean up.
/// </summary>
internal sealed class JournalClaim : IDisposable
{
    /// <summary>The (database, name) pairs claimed in this process.</summary>
    private static readonly HashSet<string> Claimed = new(StringComparer.Ordinal);

    private readonly string _key;
    private readonly FileStream? _lock;
    private int _released;

    private JournalClaim(string key, FileStream? lockFile)
    {
        _key = key;
        _lock = lockFile;
    }

    /// <summary>Claims <paramref name="name"/> on the journal of <paramref name="options"/>.</summary>
    /// <exception cref="PoolJournalException">A live pool of that name already uses that journal.</exception>
    public static JournalClaim Take(PersistenceOptions options, string name)
    {
        var database = Database(options, out var file);
        var key = database + "\n" + name;
        lock (Claimed)
        {
            if (!Claimed.Add(key))
            {
                throw Taken(name, file ?? "the configured database", "in this process");
            }
        }

        FileStream? lockFile = null;
        try
        {
            if (file is not null)
            {
                lockFile = new FileStream($"{file}.{name}.lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
        }
        catch (IOException ex)
        {
            Release(key);
            throw Taken(name, file!, "in another process", ex);
        }
        catch (UnauthorizedAccessException)
        {
            // A folder we may not write a lock file to: the journal check reports it if the database is not writable either.
        }

        return new JournalClaim(key, lockFile);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }

        _lock?.Dispose();
        Release(_key);
    }

    private static void Release(string key)
    {
        lock (Claimed)
        {
            Claimed.Remove(key);
        }
    }

    /// <summary>What identifies the database: a SQLite file's full path (also returned as <paramref name="file"/>), else the connection string.</summary>
    private static string Database(PersistenceOptions options, out string? file)
    {
        file = null;
        if (!options.IsSqlite)
        {
            return options.Provider + "\n" + options.ConnectionString;
        }

        var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
        var source = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(source) || source == ":memory:")
        {
            return "sqlite-memory\n" + options.ConnectionString;
        }

        file = Path.GetFullPath(source);
        return "sqlite\n" + file;
    }

    private static PoolJournalException Taken(string name, string database, string where, Exception? cause = null)
    {
        var message = $"A pool named '{name}' already runs on the journal '{database}' {where}: two pools of one name on one journal would run the same tasks and fail on each other's writes. Give this pool another name, or stop the other first.";
        return cause is null ? new PoolJournalException(message) : new PoolJournalException(message, cause);
    }
}
