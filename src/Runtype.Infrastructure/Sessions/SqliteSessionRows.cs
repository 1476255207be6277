using System.Data;
using Runtype.Domain.Sessions;
using Runtype.Infrastructure.Persistence;
using Runtype.Infrastructure.Persistence.Configurations;

namespace Runtype.Infrastructure.Sessions;

/// <summary>
/// The rows of the GET calls read on SQLite by hand (<see cref="SqliteRows"/>): the SQL EF Core generates for them in
/// <see cref="EfSessionRows"/>, the same rows (SqliteRowsTests).
/// </summary>
internal sealed class SqliteSessionRows(RuntypeDbContext db) : ISessionRows
{
    private const string Newest = " ORDER BY \"created_at\" DESC, \"id\" DESC LIMIT @limit OFFSET @offset";

    private const string EventsSql = $"SELECT {SqliteRows.EventColumns} FROM \"session_events\" WHERE \"session_id\" = @session_id ORDER BY \"sequence\"";

    private const string CountsSql = "SELECT \"status\", \"total\" FROM \"session_counts\" WHERE \"user_id\" = @user_id";

    private const string OverdueInSql =
        "SELECT COUNT(*) FROM \"sessions\" WHERE \"user_id\" = @user_id AND \"status\" = @status AND \"expires_at\" <= @now";

    private const string PageSql = $"SELECT {SqliteRows.SessionColumns} FROM \"sessions\" WHERE \"user_id\" = @user_id" + Newest;

    /// <summary>
    /// A stored status walked in the owner-status-newest index (named: without statistics SQLite would take the
    /// sweeper's index for <c>expires_at &gt; now</c>, see <see cref="SqliteRuntypeDbContext.SessionsForStatusPage"/>).
    /// </summary>
    private const string StoredStatusPageSql =
        $"SELECT {SqliteRows.SessionColumns} FROM \"sessions\" INDEXED BY \"ix_sessions_user_status_created\" " +
        "WHERE \"user_id\" = @user_id AND \"status\" = @status" + Newest;

    private const string ActiveStatusPageSql =
        $"SELECT {SqliteRows.SessionColumns} FROM \"sessions\" INDEXED BY \"ix_sessions_user_status_created\" " +
        "WHERE \"user_id\" = @user_id AND \"status\" = @status AND \"expires_at\" > @now" + Newest;

    private static readonly string ActiveStatuses = string.Join(", ", SessionLifecycle.Active.Select(s => $"'{s.ToWire()}'"));

    private static readonly string OverdueActiveSql =
        $"SELECT COUNT(*) FROM \"sessions\" WHERE \"user_id\" = @user_id AND \"status\" IN ({ActiveStatuses}) AND \"expires_at\" <= @now";

    /// <summary>Expired as clients see it: persisted as expired, or active and past its expiry.</summary>
    private static readonly string ExpiredPageSql =
        $"SELECT {SqliteRows.SessionColumns} FROM \"sessions\" WHERE \"user_id\" = @user_id " +
        $"AND (\"status\" = 'expired' OR (\"expires_at\" <= @now AND \"status\" IN ({ActiveStatuses})))" + Newest;

    public Task<Session?> SessionAsync(Guid id, string userId, CancellationToken cancellationToken) =>
        Task.FromResult(SqliteRows.FindSession(db, id, userId));

    /// <summary>Read as the answer is written: one event at a time, on the connection the call holds open.</summary>
    public IAsyncEnumerable<SessionEvent> EventsOf(Guid sessionId) => ReadEvents(sessionId).ToAsyncEnumerable();

    private IEnumerable<SessionEvent> ReadEvents(Guid sessionId)
    {
        using var connection = SqliteRows.Connection.Of(db);
        using var command = connection.Command(EventsSql);
        command.Parameters.AddWithValue("@session_id", SqliteRows.Text(sessionId));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return SqliteRows.Event(reader);
        }
    }

    public Task<Dictionary<SessionStatus, long>> CountsAsync(string userId, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<SessionStatus, long>();
        using var connection = SqliteRows.Connection.Of(db);
        using var command = connection.Command(CountsSql);
        command.Parameters.AddWithValue("@user_id", userId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            counts[SessionConfiguration.ParseStatus(reader.GetString(0))] = reader.GetInt64(1);
        }

        return Task.FromResult(counts);
    }

    public Task<int> OverdueAsync(string userId, SessionStatus? activeStatus, DateTime now, CancellationToken cancellationToken)
    {
        using var connection = SqliteRows.Connection.Of(db);
        using var command = connection.Command(activeStatus is null ? OverdueActiveSql : OverdueInSql);
        command.Parameters.AddWithValue("@user_id", userId);
        command.Parameters.AddWithValue("@now", SqliteRows.Milliseconds(now));
        if (activeStatus is { } status)
        {
            command.Parameters.AddWithValue("@status", status.ToWire());
        }

        return Task.FromResult(Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<List<Session>> PageAsync(string userId, SessionStatus? status, DateTime now, int offset, int limit, CancellationToken cancellationToken)
    {
        var sql = status switch
        {
            null => PageSql,
            SessionStatus.Expired => ExpiredPageSql,
            { } terminal when SessionLifecycle.IsTerminal(terminal) => StoredStatusPageSql,
            _ => ActiveStatusPageSql,
        };

        var page = new List<Session>(limit);
        using var connection = SqliteRows.Connection.Of(db);
        using var command = connection.Command(sql);
        command.Parameters.AddWithValue("@user_id", userId);
        command.Parameters.AddWithValue("@limit", limit);
        command.Parameters.AddWithValue("@offset", offset);
        if (status is { } wanted)
        {
            command.Parameters.AddWithValue("@status", wanted.ToWire());
            command.Parameters.AddWithValue("@now", SqliteRows.Milliseconds(now));
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            page.Add(SqliteRows.Session(reader));
        }

        return Task.FromResult(page);
    }

}
