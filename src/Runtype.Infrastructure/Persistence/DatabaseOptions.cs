namespace Runtype.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>Configuration <c>Database:*</c> and <c>ConnectionStrings:Runtype</c>.</summary>
public sealed record DatabaseOptions(DatabaseProvider Provider, string ConnectionString, bool MigrateOnStartup)
{
    public const string DefaultSqliteConnectionString = "Data Source=data/runtype.db";
}
