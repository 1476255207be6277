namespace Runtype.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>
/// Configuration <c>Database:*</c> and <c>ConnectionStrings:Runtype</c>. <see cref="ConnectionString"/> is what the
/// service serves with; <see cref="MigrationConnectionString"/> is what the migrator uses. They differ on SQLite only:
/// the migrator may create the database file, the serving connections never do (see <c>SqliteSetup</c>).
/// </summary>
public sealed record DatabaseOptions(DatabaseProvider Provider, string ConnectionString, bool MigrateOnStartup)
{
    public const string DefaultSqliteConnectionString = "Data Source=data/runtype.db";

    /// <summary>The connection string of the migrator (and of the verbs that migrate first); the serving one unless set.</summary>
    public string MigrationConnectionString
    {
        get => field ?? ConnectionString;
        init;
    }

    /// <summary>The full path of the SQLite database file the service serves from; null for SQL Server or an in-memory database.</summary>
    public string? SqliteFilePath { get; init; }
}
