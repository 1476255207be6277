using System.Data;
using Microsoft.Data.Sqlite;

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// A SQLite connection that keeps each SQL text it runs compiled (a prepared statement), and runs it again without
/// parsing and planning it. SQLite compiles a statement in the time it takes to run a small one several times over
/// (the parser, the name resolution and the query planner were about two thirds of SQLite's time on a
/// <c>GET /sessions/{id}</c>), and Microsoft.Data.Sqlite compiles every command anew: EF Core makes a new command for
/// each query. Used only for connections that stay open across API calls (<see cref="SqliteConnectionLeases"/>):
/// closing a connection finalizes its statements.
/// </summary>
/// <remarks>
/// The command handed out (<see cref="CreateCommand"/>) is a front: it collects the text, parameters and transaction
/// as usual and, when run, runs the cached command of the same text with them. A text whose cached command is still
/// reading (a nested query of the same text) or beyond the cache's bound runs on the front itself, compiled once, as
/// any command. SQLite re-compiles a cached statement by itself when the schema changed since it was prepared.
/// </remarks>
internal sealed class StatementCachingSqliteConnection(string connectionString) : SqliteConnection(connectionString)
{
    /// <summary>Distinct SQL texts kept per connection; the service issues a few dozen.</summary>
    internal const int MaxStatements = 128;

    private readonly Dictionary<string, CachedCommand> _statements = new(StringComparer.Ordinal);

    internal int CachedStatementCount => _statements.Count;

    public override SqliteCommand CreateCommand() => new FrontCommand(this)
    {
        Connection = this,
        CommandTimeout = DefaultTimeout,
        Transaction = Transaction,
    };

    /// <summary>True when the connection can serve another call: no transaction left open and no reader left unread.</summary>
    internal bool IsClean()
    {
        if (State != ConnectionState.Open || Transaction is not null)
        {
            return false;
        }

        foreach (var command in _statements.Values)
        {
            if (!command.IsIdle)
            {
                return false;
            }
        }

        return true;
    }

    private CachedCommand? Rent(string commandText)
    {
        if (_statements.TryGetValue(commandText, out var cached))
        {
            return cached.IsIdle ? cached : null;
        }

        if (_statements.Count >= MaxStatements)
        {
            return null;
        }

        cached = new CachedCommand(commandText, this);
        _statements.Add(commandText, cached);
        return cached;
    }

    private void Forget(CachedCommand cached)
    {
        _statements.Remove(cached.CommandText);
        cached.Dispose();
    }

    /// <summary>What EF Core (or any caller) gets from <see cref="CreateCommand"/>.</summary>
    private sealed class FrontCommand(StatementCachingSqliteConnection connection) : SqliteCommand
    {
        /// <summary>
        /// Declared here so that reflection by name finds one <c>Connection</c>: on a subclass of
        /// <see cref="SqliteCommand"/>, <c>GetProperty("Connection")</c> meets both its own and the one it hides
        /// (<see cref="System.Data.Common.DbCommand.Connection"/>) and throws, and OpenTelemetry's EF Core instrumentation
        /// looks the connection up that way: its span of every command on a leased connection lost <c>db.system</c>
        /// and <c>db.name</c> (<c>TelemetryExportTests</c>).
        /// </summary>
        public override SqliteConnection? Connection
        {
            get => base.Connection;
            set => base.Connection = value;
        }

        public override SqliteDataReader ExecuteReader(CommandBehavior behavior)
        {
            if (!ReferenceEquals(Connection, connection) || connection.Rent(CommandText) is not { } cached)
            {
                return base.ExecuteReader(behavior);
            }

            cached.Transaction = Transaction;
            cached.CommandTimeout = CommandTimeout;
            foreach (SqliteParameter parameter in Parameters)
            {
                cached.Parameters.Add(parameter);
            }

            try
            {
                return cached.ExecuteReader(behavior);
            }
            catch
            {
                // A statement that failed may be left mid-step: compiled again next time rather than trusted.
                connection.Forget(cached);
                throw;
            }
        }
    }

    /// <summary>The command that owns a text's prepared statement for the connection's life.</summary>
    private sealed class CachedCommand : SqliteCommand
    {
        private SqliteDataReader? _reader;

        public CachedCommand(string commandText, SqliteConnection connection)
            : base(commandText, connection)
        {
        }

        public bool IsIdle => _reader is null;

        protected override SqliteDataReader? DataReader
        {
            get => _reader;
            set
            {
                _reader = value;
                if (value is null)
                {
                    // The reader is done: the statement is reset; drop the values so that none is kept alive until the next run.
                    Transaction = null;
                    Parameters.Clear();
                }
            }
        }
    }
}
