using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence.Configurations;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// The hottest reads on SQLite are written by hand (<see cref="Sessions.SqliteSessionRows"/>, and the key lookup and the
/// read for a change of <see cref="SqliteRuntypeDbContext"/>): the SQL EF Core generates for them, run on the
/// context's connection (its statements kept, ADR 0005) and read straight into the aggregates. On these small queries
/// EF Core's pipeline costs more than the reading itself: a delegate made per run by a compiled query, the command and
/// diagnostics layers, the shaper (docs/performance.md, ADR 0006). These are the columns and the row readers; the
/// columns are checked against the model, the rows against EF Core's (SqliteRowsTests).
/// </summary>
internal static class SqliteRows
{
    public const string SessionColumns =
        "\"id\", \"user_id\", \"organization_id\", \"status\", \"catalog_version\", \"schema_version\", \"prd\", \"plan\", " +
        "\"product_object\", \"product_object_hash\", \"assembly_state\", \"created_at\", \"updated_at\", \"expires_at\", " +
        "\"version\", \"last_event_sequence\"";

    public const string EventColumns =
        "\"id\", \"session_id\", \"sequence\", \"user_id\", \"organization_id\", \"type\", \"stage\", \"message\", \"payload\", \"created_at\"";

    public const string ApiKeyColumns =
        "\"id\", \"user_id\", \"organization_id\", \"name\", \"scopes\", \"secret_hash\", \"created_at\", \"last_used_at\", \"revoked_at\"";

    private const string SessionByIdSql = $"SELECT {SessionColumns} FROM \"sessions\" WHERE \"id\" = @id AND \"user_id\" = @user_id LIMIT 1";

    /// <summary>The owner's session by id, not tracked: a GET reads it, and so does every change (in the write turn).</summary>
    public static Session? FindSession(DbContext db, Guid id, string userId)
    {
        using var connection = Connection.Of(db);
        using var command = connection.Command(SessionByIdSql);
        command.Parameters.AddWithValue("@id", Text(id));
        command.Parameters.AddWithValue("@user_id", userId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Session(reader) : null;
    }

    public static Session Session(SqliteDataReader row) => Domain.Sessions.Session.Restore(
        Id(row, 0),
        row.GetString(1),
        TextOrNull(row, 2),
        SessionConfiguration.ParseStatus(row.GetString(3)),
        TextOrNull(row, 4),
        TextOrNull(row, 5),
        TextOrNull(row, 6),
        TextOrNull(row, 7),
        TextOrNull(row, 8),
        TextOrNull(row, 9),
        TextOrNull(row, 10),
        Timestamp(row, 11),
        Timestamp(row, 12),
        Timestamp(row, 13),
        row.GetInt64(14),
        row.GetInt64(15));

    public static SessionEvent Event(SqliteDataReader row) => SessionEvent.Restore(
        Id(row, 0),
        Id(row, 1),
        row.GetInt64(2),
        row.GetString(3),
        TextOrNull(row, 4),
        row.GetString(5),
        TextOrNull(row, 6),
        TextOrNull(row, 7),
        row.GetString(8),
        Timestamp(row, 9));

    public static ApiKey ApiKey(SqliteDataReader row) => Domain.ApiKeys.ApiKey.Restore(
        row.GetString(0),
        row.GetString(1),
        TextOrNull(row, 2),
        row.GetString(3),
        row.GetString(4),
        row.GetFieldValue<byte[]>(5),
        Timestamp(row, 6),
        row.IsDBNull(7) ? null : Timestamp(row, 7),
        row.IsDBNull(8) ? null : Timestamp(row, 8));

    /// <summary>Ids are stored as lowercase UUID text (<see cref="RuntypeDbContext"/>'s conventions).</summary>
    public static string Text(Guid id) => id.ToString("D");

    public static long Milliseconds(DateTime utc) => UnixMillisecondsConverter.ToMilliseconds(utc);

    private static Guid Id(SqliteDataReader row, int ordinal) => Guid.Parse(row.GetString(ordinal));

    private static string? TextOrNull(SqliteDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);

    private static DateTime Timestamp(SqliteDataReader row, int ordinal) => UnixMillisecondsConverter.ToDateTime(row.GetInt64(ordinal));

    /// <summary>
    /// The context's connection, in its transaction if one is open: the call's leased connection, already open
    /// (DatabaseConnectionPerCall); opened and closed around the read otherwise, as EF Core would.
    /// </summary>
    public readonly struct Connection : IDisposable
    {
        private readonly DbContext _db;
        private readonly bool _openedHere;

        private Connection(DbContext db, bool openedHere)
        {
            _db = db;
            _openedHere = openedHere;
        }

        public static Connection Of(DbContext db)
        {
            if (db.Database.GetDbConnection().State == ConnectionState.Open)
            {
                return new(db, openedHere: false);
            }

            db.Database.OpenConnection();
            return new(db, openedHere: true);
        }

        public SqliteCommand Command(string sql)
        {
            var command = (SqliteCommand)_db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            command.Transaction = (SqliteTransaction?)_db.Database.CurrentTransaction?.GetDbTransaction();
            return command;
        }

        public void Dispose()
        {
            if (_openedHere)
            {
                _db.Database.CloseConnection();
            }
        }
    }
}
