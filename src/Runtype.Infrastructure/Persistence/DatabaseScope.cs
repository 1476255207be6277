using Microsoft.Extensions.DependencyInjection;
using Runtype.Application.Common;

namespace Runtype.Infrastructure.Persistence;

/// <summary>
/// A service scope for database work outside an API call (the background services, the live streams' polls), with the
/// scope's connection held for its whole length through <see cref="ICallConnection"/>, as an API call's is: on SQLite
/// a leased connection, so that no thread-pool thread opens one (an open is I/O that a storage stall blocks, and a few
/// blocked threads starve a small machine's pool; ADR 0009); on a server database one connection from the driver's
/// pool instead of one per query.
/// </summary>
internal sealed class DatabaseScope : IAsyncDisposable
{
    private readonly AsyncServiceScope _scope;
    private readonly IAsyncDisposable _connection;

    private DatabaseScope(AsyncServiceScope scope, IAsyncDisposable connection)
    {
        _scope = scope;
        _connection = connection;
    }

    public static async Task<DatabaseScope> OpenAsync(IServiceScopeFactory scopes, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            return new DatabaseScope(scope, await scope.ServiceProvider.GetRequiredService<ICallConnection>().HoldOpenAsync(cancellationToken));
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    public T Get<T>()
        where T : notnull => _scope.ServiceProvider.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _scope.DisposeAsync();
    }
}
