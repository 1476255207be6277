using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Runtype.Api.Tests.Infrastructure;
using Runtype.Infrastructure.Persistence;
using Runtype.Infrastructure.Persistence.PostgreSql;
using Runtype.Infrastructure.Persistence.Sqlite;
using Runtype.Infrastructure.Persistence.SqlServer;

namespace Runtype.Api.Tests.Persistence;

/// <summary>
/// The EF Core model of each provider against its migrations, and the SQL Server and PostgreSQL schemas as their
/// migrations script them, all without a server (contract §6).
/// </summary>
public sealed class SchemaTests
{
    private const string Collation = SqlServerRuntypeDbContext.IdentifierCollation;

    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.SqlServer, DatabaseProvider.PostgreSql];

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
    public void Each_provider_has_its_own_context_and_migrations()
    {
        using var sqlite = OfflineDatabase.For(DatabaseProvider.Sqlite);
        using var sqlServer = OfflineDatabase.For(DatabaseProvider.SqlServer);
        using var postgreSql = OfflineDatabase.For(DatabaseProvider.PostgreSql);

        Assert.IsType<SqliteRuntypeDbContext>(sqlite.Context);
        Assert.IsType<SqlServerRuntypeDbContext>(sqlServer.Context);
        Assert.IsType<PostgreSqlRuntypeDbContext>(postgreSql.Context);
        var migrations = new[] { sqlite, sqlServer, postgreSql }.Select(d => d.Context.Database.GetMigrations().ToList()).ToList();
        Assert.All(migrations, Assert.NotEmpty);
        Assert.Equal(migrations.Sum(m => m.Count), migrations.SelectMany(m => m).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(DatabaseProvider.SqlServer)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void Every_provider_has_the_same_tables_keys_and_indexes(DatabaseProvider provider)
    {
        using var sqlite = OfflineDatabase.For(DatabaseProvider.Sqlite);
        using var other = OfflineDatabase.For(provider);

        var expected = Describe(sqlite.Context);

        Assert.Equal(expected, Describe(other.Context));
        Assert.Contains("index ix_sessions_user_created (user_id, created_at desc, id desc)", expected);
    }

    [Fact]
    public void The_PostgreSQL_migrations_create_the_schema_with_deliberate_types_every_index_and_the_counts_triggers()
    {
        using var database = OfflineDatabase.For(DatabaseProvider.PostgreSql);

        var script = database.Context.GetService<IMigrator>().GenerateScript();

        foreach (var part in new[]
        {
            "CREATE INDEX ix_sessions_user_created ON sessions (user_id, created_at DESC, id DESC);",
            "CREATE INDEX ix_sessions_user_status_created ON sessions (user_id, status, created_at DESC, id DESC);",
            "CREATE INDEX ix_sessions_status_expires ON sessions (status, expires_at, user_id);",
            "CREATE UNIQUE INDEX ux_session_events_session_sequence ON session_events (session_id, sequence);",
            "CREATE INDEX ix_api_keys_user ON api_keys (user_id);",
            "CONSTRAINT \"FK_session_events_sessions_session_id\" FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE",
            "CREATE TRIGGER \"tr_sessions_counts_insert_delete\" AFTER INSERT OR DELETE ON \"sessions\"",
            "CREATE TRIGGER \"tr_sessions_counts_update\" AFTER UPDATE OF \"user_id\", \"status\" ON \"sessions\"",
            "CREATE INDEX ix_sessions_updated ON sessions (updated_at);",
            "CREATE INDEX ix_sessions_user_updated ON sessions (user_id, updated_at, id);",
            "CREATE INDEX ix_session_deletions_deleted ON session_deletions (deleted_at);",
            "CREATE TRIGGER \"tr_sessions_notify\" AFTER INSERT OR UPDATE OR DELETE ON \"sessions\"",
            "NEW.\"id\"::text || ' ' || NEW.\"version\" || ' u ' || floor(extract(epoch FROM NEW.\"updated_at\") * 1000)::bigint || ' ' || NEW.\"user_id\"",

            // UTC timestamps at the millisecond the API prints.
            "created_at timestamp(3) with time zone NOT NULL", "expires_at timestamp(3) with time zone NOT NULL",
            "last_used_at timestamp(3) with time zone,",

            // Free-form JSON kept as the text received (jsonb would reorder the keys); bounded strings; UUIDs.
            "prd text,", "plan text,", "product_object text,", "assembly_state text,", "payload text NOT NULL",
            "status character varying(16) NOT NULL", "version bigint NOT NULL", "product_object_hash character varying(64)",
            "id uuid NOT NULL", "session_id uuid NOT NULL", "id character varying(16) NOT NULL",
        })
        {
            Assert.Contains(part, script, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("json", script.Replace("\"__EFMigrationsHistory\"", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("character(", script, StringComparison.Ordinal);
        Assert.DoesNotContain("without time zone", script, StringComparison.Ordinal);
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

        // sessions, session_events, api_keys, idempotency_records, session_counts, session_deletions, webhook_endpoints and
        // webhook_messages.
        Assert.Equal(8, Occurrences(script, $"[user_id] nvarchar(255) COLLATE {Collation} NOT NULL"));
        Assert.Equal(3, Occurrences(script, $"[organization_id] nvarchar(255) COLLATE {Collation} NULL"));
        Assert.Equal(1, Occurrences(script, $"[key] varchar(255) COLLATE {Collation} NOT NULL"));
        Assert.Equal(12, Occurrences(script, "COLLATE"));
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
