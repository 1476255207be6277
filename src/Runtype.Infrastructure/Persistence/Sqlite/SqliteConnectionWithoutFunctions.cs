using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;

// SqliteRelationalConnection is EF Core's provider-internal API (EF1001): the one place this project derives from it, to
// change how its connection object is made and nothing else. An EF Core upgrade that changes its constructor fails the
// build here, not at run time.
#pragma warning disable EF1001

namespace Runtype.Infrastructure.Persistence.Sqlite;

/// <summary>
/// EF Core's SQLite connection, made without EF Core's SQL functions. EF Core registers about a dozen functions on every
/// connection it makes (<c>regexp</c>, <c>ef_mod</c>, decimal arithmetic and aggregates, the <c>EF_DECIMAL</c>
/// collation) for LINQ it translates to them; Microsoft.Data.Sqlite keeps them on the connection object and, since the
/// native connection is pooled, creates them again on every open and drops them at every close: allocations and
/// shared locks on every request. This model has no decimal column and no query that uses regular expressions or
/// those functions, so none is registered (a query that needed one would fail with "no such function", and every
/// query the service makes runs in the test suite). Measured: <c>GET /sessions/{id}</c> 67 → 52 KB allocated per
/// request; docs/performance.md has the throughput.
/// </summary>
internal sealed class SqliteConnectionWithoutFunctions(
    RelationalConnectionDependencies dependencies, IRawSqlCommandBuilder rawSqlCommandBuilder, IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger)
    : SqliteRelationalConnection(dependencies, rawSqlCommandBuilder, logger)
{
    protected override DbConnection CreateDbConnection() => new SqliteConnection(ConnectionString);

    public static DbContextOptionsBuilder Use(DbContextOptionsBuilder options) =>
        options.ReplaceService<ISqliteRelationalConnection, SqliteConnectionWithoutFunctions>();
}
