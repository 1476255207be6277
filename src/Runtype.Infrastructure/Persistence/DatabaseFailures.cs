using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace Runtype.Infrastructure.Persistence;

/// <summary>Tells a database that cannot serve right now (busy, locked, unreachable, out of retries) from a bug.</summary>
public static class DatabaseFailures
{
    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB
    private static readonly int[] UnavailableSqliteCodes = [5, 6, 7, 8, 10, 11, 13, 14, 26];

    // SQL Server errors that say "not now" rather than "this request is wrong": timeouts, deadlock victim, lost or
    // refused connections, database unavailable or over its limits (the set EF Core's retry strategy also retries, roughly).
    private static readonly int[] UnavailableSqlServerNumbers =
        [-2, 2, 53, 64, 121, 233, 1205, 1222, 4060, 4221, 10053, 10054, 10060, 10928, 10929, 18456, 40143, 40197, 40501, 40540, 40613, 42108, 42109, 49918, 49919, 49920];

    public static bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case RetryLimitExceededException:
                case SqlException sql when sql.Class >= 20 || Array.IndexOf(UnavailableSqlServerNumbers, sql.Number) >= 0:
                case SqliteException sqlite when Array.IndexOf(UnavailableSqliteCodes, sqlite.SqliteErrorCode & 0xFF) >= 0:
                case InvalidOperationException when current.Message.Contains("obtaining a connection from the pool", StringComparison.Ordinal):
                    return true;
            }
        }

        return false;
    }
}
