using Microsoft.EntityFrameworkCore;
using Npgsql;
using Runtype.Infrastructure.Persistence.PostgreSql;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// The service's PostgreSQL connections prepare the statements they run often and are not reset when they go back to
/// the pool, unless the connection string says otherwise (the HTTP suite on PostgreSQL runs with these settings).
/// </summary>
public sealed class PostgreSqlDriverSettingsTests
{
    [Fact]
    public void A_connection_string_without_them_gets_auto_prepare_and_no_reset()
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgreSqlPersistence.WithDriverDefaults("Host=db;Database=runtype;Username=app;Maximum Pool Size=20"));

        Assert.Equal(PostgreSqlPersistence.MaxAutoPrepare, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal(20, settings.MaxPoolSize);
        Assert.Equal("db", settings.Host);
    }

    [Fact]
    public void The_service_s_context_connects_with_them()
    {
        var options = new DbContextOptionsBuilder<PostgreSqlRuntypeDbContext>();
        PostgreSqlPersistence.Configure(options, "Host=db;Database=runtype;Username=app");
        using var db = new PostgreSqlRuntypeDbContext(options.Options);

        var settings = new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());

        Assert.Equal(PostgreSqlPersistence.MaxAutoPrepare, settings.MaxAutoPrepare);
        Assert.True(settings.NoResetOnClose);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false", 0, false)]
    [InlineData("Host=db;max auto prepare=0", 0, true)]
    [InlineData("Host=db;MaxAutoPrepare=8;NoResetOnClose=false", 8, false)]
    public void What_the_connection_string_sets_wins(string connectionString, int maxAutoPrepare, bool noResetOnClose)
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgreSqlPersistence.WithDriverDefaults(connectionString));

        Assert.Equal(maxAutoPrepare, settings.MaxAutoPrepare);
        Assert.Equal(noResetOnClose, settings.NoResetOnClose);
    }
}
