using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace Runtype.Infrastructure.Persistence;

/// <summary>Tells a database that cannot serve right now (busy, locked, unreachable, out of retries) from a bug.</summary>
public static class DatabaseFailures
{
    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB
    private static readonly int[] UnavailableSqliteCodes = [5, 6, 7, 8, 10, 11, 13, 14, 26];

    public static bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case RetryLimitExceededException:
                case SqlException:
                case SqliteException sqlite when Array.IndexOf(UnavailableSqliteCodes, sqlite.SqliteErrorCode & 0xFF) >= 0:
                case InvalidOperationException when current.Message.Contains("obtaining a connection from the pool", StringComparison.Ordinal):
                    return true;
            }
        }

        return false;
    }
}
