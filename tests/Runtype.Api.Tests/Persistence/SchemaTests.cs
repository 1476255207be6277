using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Infrastructure.Persistence;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// The EF Core model of each provider against its migrations, and the SQL Server schema as its migrations script
/// it, all without a server (contract §6).
/// </summary>
public sealed class SchemaTests
{
    private const string Collation = SqlServerRuntypeDbContext.IdentifierCollation;

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.SqlServer];

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_model_has_no_change_that_a_migration_lacks(DatabaseProvider provider)
    {
        using var database = OfflineDatabase.For(provider);

        Assert.NotEmpty(database.Context.Database.GetMigrations());
        Assert.False(database.Context.Database.HasPendingModelChanges(),
            $"The {provider} model has changed since its last migration: add one with dotnet ef migrations add <Name> --context {provider}RuntypeDbContext.");
    }

    [Fact]
    public void Each_provider_has_its_own_migrations()
    {
        using var sqlite = OfflineDatabase.For(DatabaseProvider.Sqlite);
        using var sqlServer = OfflineDatabase.For(DatabaseProvider.SqlServer);

        Assert.Empty(sqlite.Context.Database.GetMigrations().Intersect(sqlServer.Context.Database.GetMigrations(), StringComparer.Ordinal));
        Assert.IsType<SqliteRuntypeDbContext>(sqlite.Context);
        Assert.IsType<SqlServerRuntypeDbContext>(sqlServer.Context);
    }

    [Fact]
    public void Both_providers_have_the_same_tables_keys_and_indexes()
    {
        using var sqlite = OfflineDatabase.For(DatabaseProvider.Sqlite);
        using var sqlServer = OfflineDatabase.For(DatabaseProvider.SqlServer);

        var expected = Describe(sqlite.Context);

        Assert.Equal(expected, Describe(sqlServer.Context));
        Assert.Contains("index ix_sessions_user_created (user_id, created_at desc, id desc)", expected);
    }

    [Fact]
    public void The_SQL_Server_migrations_create_the_schema_with_deliberate_types_and_every_index()
    {
        using var database = OfflineDatabase.For(DatabaseProvider.SqlServer);

        var script = database.Context.GetService<IMigrator>().GenerateScript();

        Assert.Contains("CREATE TABLE [sessions] (", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [session_events] (", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [api_keys] (", script, StringComparison.Ordinal);
        foreach (var index in new[]
        {
            "CREATE INDEX [ix_sessions_user_created] ON [sessions] ([user_id], [created_at] DESC, [id] DESC);",
            "CREATE INDEX [ix_sessions_user_status_created] ON [sessions] ([user_id], [status], [created_at] DESC, [id] DESC);",
            "CREATE INDEX [ix_sessions_status_expires] ON [sessions] ([status], [expires_at]);",
            "CREATE INDEX [ix_sessions_status_expires] ON [sessions] ([status], [expires_at], [user_id]);",
            "CREATE TRIGGER [tr_sessions_counts] ON [sessions] AFTER INSERT, UPDATE, DELETE",
            "CREATE UNIQUE INDEX [ux_session_events_session_sequence] ON [session_events] ([session_id], [sequence]);",
            "CREATE INDEX [ix_api_keys_user] ON [api_keys] ([user_id]);",
            "CONSTRAINT [FK_session_events_sessions_session_id] FOREIGN KEY ([session_id]) REFERENCES [sessions] ([id]) ON DELETE CASCADE",
        })
        {
            Assert.Contains(index, script, StringComparison.Ordinal);
        }

        foreach (var column in new[]
        {
            // UTC timestamps at the millisecond the API prints.
            "[created_at] datetime2(3) NOT NULL", "[updated_at] datetime2(3) NOT NULL", "[expires_at] datetime2(3) NOT NULL",
            "[last_used_at] datetime2(3) NULL",

            // Free-form JSON kept as the text received; the status as a bounded string; an application-managed token.
            "[prd] nvarchar(max) NULL", "[plan] nvarchar(max) NULL", "[product_object] nvarchar(max) NULL",
            "[assembly_state] nvarchar(max) NULL", "[payload] nvarchar(max) NOT NULL",
            "[status] varchar(16) NOT NULL", "[version] bigint NOT NULL", "[product_object_hash] varchar(64) NULL",

            // UUIDv7 as lowercase text: ordered by creation on both providers.
            "[id] char(36) NOT NULL", "[session_id] char(36) NOT NULL",
        })
        {
            Assert.Contains(column, script, StringComparison.Ordinal);
        }

        // Owner ids and idempotency keys compare case-sensitively, as on SQLite; the indexes and the primary key on
        // them are rebuilt around the change (SQL Server refuses to change the collation of an indexed column).
        foreach (var table in new[] { "sessions", "session_events", "api_keys", "idempotency_records" })
        {
            Assert.Contains($"ALTER TABLE [{table}] ALTER COLUMN [user_id] nvarchar(255) COLLATE {Collation} NOT NULL;", script, StringComparison.Ordinal);
        }

        Assert.Contains($"ALTER TABLE [idempotency_records] ALTER COLUMN [key] varchar(255) COLLATE {Collation} NOT NULL;", script, StringComparison.Ordinal);
        AssertInOrder(script,
            "DROP INDEX [ix_sessions_user_created] ON [sessions];",
            "ALTER TABLE [sessions] ALTER COLUMN [user_id]",
            "CREATE INDEX [ix_sessions_user_created]");
        AssertInOrder(script,
            "ALTER TABLE [idempotency_records] DROP CONSTRAINT [PK_idempotency_records];",
            "ALTER TABLE [idempotency_records] ALTER COLUMN [key]",
            "ALTER TABLE [idempotency_records] ALTER COLUMN [user_id]",
            "ALTER TABLE [idempotency_records] ADD CONSTRAINT [PK_idempotency_records] PRIMARY KEY ([user_id], [key]);");
        Assert.DoesNotContain("datetime2(7)", script, StringComparison.Ordinal);
        Assert.DoesNotContain("uniqueidentifier", script, StringComparison.Ordinal);
    }

    [Fact]
    public void A_SQL_Server_database_created_from_the_model_compares_owner_ids_and_idempotency_keys_case_sensitively()
    {
        using var database = OfflineDatabase.For(DatabaseProvider.SqlServer);

        var script = database.Context.Database.GenerateCreateScript();

        // sessions, session_events, api_keys, idempotency_records, session_counts, webhook_endpoints and webhook_messages.
        Assert.Equal(7, Occurrences(script, $"[user_id] nvarchar(255) COLLATE {Collation} NOT NULL"));
        Assert.Equal(3, Occurrences(script, $"[organization_id] nvarchar(255) COLLATE {Collation} NULL"));
        Assert.Equal(1, Occurrences(script, $"[key] varchar(255) COLLATE {Collation} NOT NULL"));
        Assert.Equal(11, Occurrences(script, "COLLATE"));
    }

    private static void AssertInOrder(string text, params string[] parts)
    {
        var at = 0;
        foreach (var part in parts)
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{part}' does not follow '{parts[0]}' in the script.");
            at = found + part.Length;
        }
    }

    /// <summary>Tables with their columns, keys, foreign keys and indexes, in a provider-neutral form.</summary>
    private static List<string> Describe(DbContext context)
    {
        var lines = new List<string>();
        foreach (var table in context.GetService<IDesignTimeModel>().Model.GetRelationalModel().Tables.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            lines.Add($"table {table.Name} ({string.Join(", ", table.Columns.Select(c => $"{c.Name}{(c.IsNullable ? "?" : string.Empty)}").Order(StringComparer.Ordinal))})");
            lines.Add($"primary key {table.PrimaryKey?.Name} ({Columns(table.PrimaryKey!.Columns, null)})");
            lines.AddRange(table.ForeignKeyConstraints.Select(fk =>
                $"foreign key {fk.Name} ({Columns(fk.Columns, null)}) -> {fk.PrincipalTable.Name} ({Columns(fk.PrincipalColumns, null)}) on delete {fk.OnDeleteAction}"));
            lines.AddRange(table.Indexes.OrderBy(i => i.Name, StringComparer.Ordinal).Select(index =>
                $"{(index.IsUnique ? "unique index" : "index")} {index.Name} ({Columns(index.Columns, index.IsDescending)})"));
        }

        return lines;
    }

    private static string Columns(IReadOnlyList<IColumn> columns, IReadOnlyList<bool>? descending) =>
        string.Join(", ", columns.Select((c, i) => descending is { Count: > 0 } && descending[i] ? $"{c.Name} desc" : c.Name));

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
