using Microsoft.EntityFrameworkCore;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.Sessions;

namespace Runtype.Infrastructure.Persistence.SqlServer;

/// <summary>
/// SQL Server: ids as <c>char(36)</c> UUID text, timestamps as <c>datetime2(3)</c> in UTC (read back as
/// <see cref="DateTimeKind.Utc"/>), identifiers compared case-sensitively. Owns the SQL Server migrations
/// (<c>SqlServer/Migrations/</c>).
/// </summary>
public sealed class SqlServerRuntypeDbContext(DbContextOptions<SqlServerRuntypeDbContext> options) : RuntypeDbContext(options)
{
    /// <summary>
    /// Binary comparison for identifiers clients choose or the identity provider issues: owner ids and idempotency
    /// keys compare as they do on the other providers. The server default (e.g. SQL_Latin1_General_CP1_CI_AS) ignores
    /// case, which would let user "Alice" read the sessions of user "alice", and replay key "A1" for key "a1".
    /// </summary>
    public const string IdentifierCollation = "Latin1_General_100_BIN2";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var property in modelBuilder.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            if (property.Name is nameof(Session.UserId) or nameof(Session.OrganizationId)
                || (property.DeclaringType.ClrType == typeof(IdempotencyRecord) && property.Name == nameof(IdempotencyRecord.Key)))
            {
                property.SetCollation(IdentifierCollation);
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        StoreIdsAsText(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>().HavePrecision(3);
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>().HavePrecision(3);
    }
}

/// <summary>Marks timestamps read from the database as UTC (they are always written in UTC).</summary>
public sealed class UtcDateTimeConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTime, DateTime>(
    value => value,
    stored => DateTime.SpecifyKind(stored, DateTimeKind.Utc));
