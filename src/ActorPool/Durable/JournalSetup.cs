using System.Globalization;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;

namespace ActorPool.Durable;

/// <summary>The SQL journal a durable pool writes to: its Akka.Persistence settings, and a check of a SQLite file before anything starts.</summary>
internal static class JournalSetup
{
    /// <summary>The journal plugin's config path.</summary>
    public static string JournalPluginId => SqlPersistence.JournalConfigPath;

    /// <summary>The snapshot store plugin's config path.</summary>
    public static string SnapshotPluginId => SqlPersistence.SnapshotStoreConfigPath;

    /// <summary>
    /// The plugins' settings for <paramref name="options"/>, over the SQL plugin's defaults. A
    /// system's own config wins over these where it sets the same keys.
    /// </summary>
    public static Config Config(PersistenceOptions options)
    {
        var settings = string.Create(CultureInfo.InvariantCulture, $$"""
            akka.persistence {
              journal {
                plugin = "{{JournalPluginId}}"
                sql {
                  connection-string = "{{Escape(options.ConnectionString)}}"
                  provider-name = "{{Escape(options.Provider)}}"
                  auto-initialize = on
                  # One writer: on SQLite more only contend for the file's lock.
                  parallelism = 1
                }
              }
              snapshot-store {
                plugin = "{{SnapshotPluginId}}"
                sql {
                  connection-string = "{{Escape(options.ConnectionString)}}"
                  provider-name = "{{Escape(options.Provider)}}"
                  auto-initialize = on
                }
              }
            }
            """);
        return ConfigurationFactory.ParseString(settings).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>
    /// Opens a SQLite journal file before the pool starts, so a corrupt or locked file is a clear
    /// error at once rather than a stuck recovery. Server databases are left to the plugin.
    /// </summary>
    /// <exception cref="PoolJournalException">The file cannot be opened, read or locked for writing.</exception>
    public static void Check(PersistenceOptions options)
    {
        if (!options.IsSqlite)
        {
            return;
        }

        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(options.ConnectionString) { DefaultTimeout = 2 };
        }
        catch (ArgumentException ex)
        {
            throw new PoolJournalException($"Persistence.ConnectionString '{options.ConnectionString}' is not a SQLite connection string: {ex.Message}", ex);
        }

        try
        {
            using var connection = new SqliteConnection(builder.ToString());
            connection.Open();
            using var check = connection.CreateCommand();

            // quick_check reads every page, so a file corrupt past its header fails here, not at
            // recovery; taking the write lock fails, after the timeout above, on a file another
            // process holds; and a write (rolled back) fails on a file opened or mounted read-only,
            // where BEGIN IMMEDIATE alone succeeds.
            check.CommandText = "PRAGMA quick_check(1);";
            if (check.ExecuteScalar() is string verdict && !string.Equals(verdict, "ok", StringComparison.OrdinalIgnoreCase))
            {
                throw new PoolJournalException($"The journal '{builder.DataSource}' cannot be used: it is corrupt ({verdict}).");
            }

            check.CommandText = "BEGIN IMMEDIATE; CREATE TABLE actor_pool_write_check (x); ROLLBACK;";
            check.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw new PoolJournalException($"The journal '{builder.DataSource}' cannot be used: {ex.Message}", ex);
        }
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
