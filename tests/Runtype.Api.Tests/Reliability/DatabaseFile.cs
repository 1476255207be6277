using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Runtype.Api.Tests.Infrastructure;

namespace Runtype.Api.Tests.Reliability;

/// <summary>
/// Reads a database that no server has open (after a SIGKILL) and checks what must hold whatever moment the process
/// died: the database is intact and no write is half done. On SQLite the file itself is checked too
/// (<c>integrity_check</c>, <c>foreign_key_check</c>); PostgreSQL checks its own pages and foreign keys.
/// </summary>
public static class DatabaseFile
{
    /// <summary>Every broken rule, one line each; empty when the database is consistent.</summary>
    public static List<string> FindBrokenInvariants(ProcessDatabase database)
    {
        using var db = database.OpenDirect();
        var broken = new List<string>();

        if (db is SqliteConnection)
        {
            var integrity = Rows(db, "PRAGMA integrity_check").Select(r => (string)r[0]!).ToList();
            if (integrity is not ["ok"])
            {
                broken.Add($"PRAGMA integrity_check: {string.Join("; ", integrity)}");
            }

            broken.AddRange(Rows(db, "PRAGMA foreign_key_check").Select(r => $"foreign_key_check: {string.Join(", ", r)}"));
        }

        broken.AddRange(Rows(db, """
            SELECT e.id, e.session_id FROM session_events e LEFT JOIN sessions s ON s.id = e.session_id WHERE s.id IS NULL
            """).Select(r => $"event {r[0]} belongs to missing session {r[1]}"));

        broken.AddRange(Rows(db, """
            SELECT s.id, s.last_event_sequence, count(e.id), coalesce(min(e.sequence), 1), coalesce(max(e.sequence), 0)
            FROM sessions s LEFT JOIN session_events e ON e.session_id = s.id
            GROUP BY s.id
            HAVING count(e.id) <> coalesce(max(e.sequence), 0) OR coalesce(min(e.sequence), 1) <> 1
                OR s.last_event_sequence <> coalesce(max(e.sequence), 0)
            """).Select(r => $"session {r[0]}: last_event_sequence {r[1]}, {r[2]} events, sequences {r[3]}..{r[4]} (must be 1..n, n = last_event_sequence)"));

        broken.AddRange(Rows(db, """
            SELECT e.id, e.user_id, s.user_id FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE e.user_id <> s.user_id
            """).Select(r => $"event {r[0]} of user {r[1]} in a session of user {r[2]}"));

        // No status change without its status_changed event: the events chain intake → … → the stored status.
        var statuses = Rows(db, "SELECT id, status FROM sessions").ToDictionary(r => Text(r[0]), r => (string)r[1]!);
        var changes = Rows(db, "SELECT session_id, stage, payload FROM session_events WHERE type = 'status_changed' ORDER BY session_id, sequence")
            .GroupBy(r => Text(r[0]))
            .ToDictionary(g => g.Key, g => g.Select(r => (Stage: (string?)r[1], Payload: (string)r[2]!)).ToList());
        foreach (var (id, status) in statuses)
        {
            var current = "intake";
            foreach (var (stage, payload) in changes.GetValueOrDefault(id) ?? [])
            {
                using var change = JsonDocument.Parse(payload);
                var from = change.RootElement.GetProperty("from").GetString();
                var to = change.RootElement.GetProperty("to").GetString();
                if (from != current || to != stage)
                {
                    broken.Add($"session {id}: status_changed {from}→{to} (stage {stage}) follows status {current}");
                }

                current = to!;
            }

            if (current != status)
            {
                broken.Add($"session {id}: stored status {status}, but its status_changed events end at {current}");
            }
        }

        return broken;
    }

    public static List<object?[]> Rows(DbConnection db, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>An id as text: SQLite stores it as text, PostgreSQL as uuid.</summary>
    private static string Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture)!;
}
