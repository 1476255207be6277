using Microsoft.Extensions.Configuration;

namespace Runtype.Infrastructure.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>
/// Configuration <c>Database:Provider</c>, <c>Database:MigrateOnStartup</c>, <c>ConnectionStrings:Runtype</c> and
/// <c>ConnectionStrings:RuntypeListener</c> (PostgreSQL: the connection the change feed LISTENs on, which must reach the
/// server itself, not a transaction-pooling PgBouncer; <see cref="ConnectionString"/> when not set).
/// </summary>
public sealed record DatabaseOptions(DatabaseProvider Provider, string ConnectionString, bool MigrateOnStartup, string? ListenerConnectionString = null)
{
    public const string ConnectionStringName = "Runtype";

    public const string ListenerConnectionStringName = "RuntypeListener";

    public const string DefaultSqliteConnectionString = "Data Source=data/runtype.db";

    public static DatabaseOptions Read(IConfiguration configuration)
    {
        var providerText = configuration["Database:Provider"];
        DatabaseProvider provider;
        if (string.IsNullOrWhiteSpace(providerText))
        {
            provider = DatabaseProvider.Sqlite;
        }
        else if (!Enum.TryParse(providerText, ignoreCase: true, out provider) || !Enum.IsDefined(provider) || int.TryParse(providerText, out _))
        {
            throw new InvalidOperationException(
                $"Database:Provider must be one of {string.Join(", ", Enum.GetNames<DatabaseProvider>())}, not '{providerText}'.");
        }

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = provider == DatabaseProvider.Sqlite
                ? DefaultSqliteConnectionString
                : throw new InvalidOperationException($"ConnectionStrings:Runtype is required when Database:Provider is {provider}.");
        }

        var listener = configuration.GetConnectionString(ListenerConnectionStringName);
        return new DatabaseOptions(
            provider, connectionString, configuration.GetValue("Database:MigrateOnStartup", true), string.IsNullOrWhiteSpace(listener) ? null : listener);
    }
}
