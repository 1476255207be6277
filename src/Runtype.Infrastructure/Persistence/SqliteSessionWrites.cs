using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Runtype.Domain.Sessions;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// The save of a unit that changed sessions and appended events, written by hand on SQLite (ADR 0006): what EF Core's
/// <c>SaveChanges</c> would send, one statement per row, without its update pipeline, inside the write turn where every
/// microsecond is one all writers wait for. An added session is inserted; a changed one updated in the columns that
/// changed, if its stored version is still the one it was read with; a removed one deleted on the same condition; then
/// its new events inserted. The columns and their stored values come from the model (names, converters), so a model
/// change cannot silently skip a column. A stale version throws <see cref="DbUpdateConcurrencyException"/>, as EF Core
/// would; the caller's transaction then keeps nothing. Afterwards the entries read as saved, as after SaveChanges.
/// </summary>
internal static class SqliteSessionWrites
{
    /// <summary>True when the unit holds nothing but sessions and their events: what this save writes.</summary>
    public static bool CanSave(DbContext db, IReadOnlyList<EntityEntry<Session>> sessions)
    {
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State != EntityState.Unchanged && entry.Entity is not Session)
            {
                return false;
            }
        }

        return sessions.Count > 0;
    }

    public static void Save(DbContext db, IReadOnlyList<EntityEntry<Session>> sessions)
    {
        using var connection = SqliteRows.Connection.Of(db);
        var saved = new List<SessionEvent>();
        foreach (var entry in sessions)
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    Insert(connection, entry);
                    break;
                case EntityState.Modified:
                    Checked(Update(connection, entry), entry);
                    break;
                case EntityState.Deleted:
                    Checked(Delete(connection, entry), entry);
                    continue;
            }

            foreach (var appended in entry.Entity.NewEvents)
            {
                var added = db.Entry(appended);
                if (added.State == EntityState.Detached)
                {
                    Insert(connection, added);
                    saved.Add(appended);
                }
            }
        }

        foreach (var entry in sessions)
        {
            if (entry.State == EntityState.Deleted)
            {
                entry.State = EntityState.Detached;
            }
            else if (entry.State != EntityState.Unchanged)
            {
                entry.OriginalValues.SetValues(entry.CurrentValues);
                entry.State = EntityState.Unchanged;
            }
        }

        db.AttachRange(saved);
    }

    private static void Insert(SqliteRows.Connection connection, EntityEntry entry)
    {
        var table = Table.Of(entry.Metadata);
        using var command = connection.Command(table.InsertSql);
        foreach (var column in table.Columns)
        {
            command.Parameters.AddWithValue(column.Parameter, column.Stored(entry.Property(column.Property).CurrentValue));
        }

        command.ExecuteNonQuery();
    }

    private static int Update(SqliteRows.Connection connection, EntityEntry<Session> entry)
    {
        var table = Table.Of(entry.Metadata);
        var set = new StringBuilder();
        using var command = connection.Command(string.Empty);
        foreach (var column in table.Columns)
        {
            var property = entry.Property(column.Property);
            if (property.IsModified)
            {
                set.Append(set.Length == 0 ? "" : ", ").Append(column.Assignment);
                command.Parameters.AddWithValue(column.Parameter, column.Stored(property.CurrentValue));
            }
        }

        command.CommandText = $"UPDATE \"{table.Name}\" SET {set} WHERE \"id\" = @key_id AND \"version\" = @key_version";
        AddKey(command, entry);
        return command.ExecuteNonQuery();
    }

    private static int Delete(SqliteRows.Connection connection, EntityEntry<Session> entry)
    {
        using var command = connection.Command($"DELETE FROM \"{Table.Of(entry.Metadata).Name}\" WHERE \"id\" = @key_id AND \"version\" = @key_version");
        AddKey(command, entry);
        return command.ExecuteNonQuery();
    }

    /// <summary>The row as it was read: its id and the version it had (the concurrency token).</summary>
    private static void AddKey(SqliteCommand command, EntityEntry<Session> entry)
    {
        command.Parameters.AddWithValue("@key_id", SqliteRows.Text(entry.Entity.Id));
        command.Parameters.AddWithValue("@key_version", entry.Property(s => s.Version).OriginalValue);
    }

    private static void Checked(int rows, EntityEntry<Session> entry)
    {
        if (rows != 1)
        {
            throw new DbUpdateConcurrencyException(
                $"The session {entry.Entity.Id:D} was changed or deleted since it was read (version {entry.Property(s => s.Version).OriginalValue}).");
        }
    }

    /// <summary>An entity type's table as the model maps it, read from the model once (per model: tests run several).</summary>
    private sealed class Table
    {
        private static readonly ConditionalWeakTable<IEntityType, Table> ByType = [];

        private Table(IEntityType type)
        {
            Name = type.GetTableName()!;
            Columns = [.. type.GetProperties().Select(p => new Column(p))];
            InsertSql = $"INSERT INTO \"{Name}\" ({string.Join(", ", Columns.Select(c => $"\"{c.Name}\""))}) " +
                $"VALUES ({string.Join(", ", Columns.Select(c => c.Parameter))})";
        }

        public string Name { get; }

        public Column[] Columns { get; }

        public string InsertSql { get; }

        public static Table Of(IEntityType type) => ByType.GetValue(type, static t => new Table(t));
    }

    private sealed class Column(IProperty property)
    {
        private readonly ValueConverter? _converter = property.GetTypeMapping().Converter;

        public IProperty Property { get; } = property;

        public string Name { get; } = property.GetColumnName();

        public string Parameter { get; } = "@" + property.GetColumnName();

        public string Assignment { get; } = $"\"{property.GetColumnName()}\" = @{property.GetColumnName()}";

        /// <summary>The value as the column stores it (the model's converter: ids as text, timestamps as milliseconds, the status's wire name).</summary>
        public object Stored(object? value) => (_converter is null ? value : _converter.ConvertToProvider(value)) ?? DBNull.Value;
    }
}
