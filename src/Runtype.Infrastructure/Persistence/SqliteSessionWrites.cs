using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
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
                if (db.Entry(appended).State == EntityState.Detached)
                {
                    Insert(connection, db.Entry(appended));
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
        var columns = new StringBuilder();
        var values = new StringBuilder();
        using var command = connection.Command(string.Empty);
        foreach (var property in entry.Properties)
        {
            var name = Column(property.Metadata);
            columns.Append(columns.Length == 0 ? "\"" : ", \"").Append(name).Append('"');
            values.Append(values.Length == 0 ? "@" : ", @").Append(name);
            command.Parameters.AddWithValue("@" + name, Stored(property.Metadata, property.CurrentValue));
        }

        command.CommandText = $"INSERT INTO \"{Table(entry)}\" ({columns}) VALUES ({values})";
        command.ExecuteNonQuery();
    }

    private static int Update(SqliteRows.Connection connection, EntityEntry<Session> entry)
    {
        var set = new StringBuilder();
        using var command = connection.Command(string.Empty);
        foreach (var property in entry.Properties)
        {
            if (property.IsModified)
            {
                var name = Column(property.Metadata);
                set.Append(set.Length == 0 ? "\"" : ", \"").Append(name).Append("\" = @").Append(name);
                command.Parameters.AddWithValue("@" + name, Stored(property.Metadata, property.CurrentValue));
            }
        }

        command.CommandText = $"UPDATE \"{Table(entry)}\" SET {set} WHERE \"id\" = @key_id AND \"version\" = @key_version";
        AddKey(command, entry);
        return command.ExecuteNonQuery();
    }

    private static int Delete(SqliteRows.Connection connection, EntityEntry<Session> entry)
    {
        using var command = connection.Command($"DELETE FROM \"{Table(entry)}\" WHERE \"id\" = @key_id AND \"version\" = @key_version");
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

    private static string Table(EntityEntry entry) => entry.Metadata.GetTableName()!;

    private static string Column(IProperty property) => property.GetColumnName();

    /// <summary>The value as the column stores it (the model's converter: ids as text, timestamps as milliseconds, the status's wire name).</summary>
    private static object Stored(IProperty property, object? value)
    {
        var converter = property.GetTypeMapping().Converter;
        return (converter is null ? value : converter.ConvertToProvider(value)) ?? DBNull.Value;
    }
}
