namespace Runtype.Application.Common;

/// <summary>
/// The database connection of the current call. Held open, every read and write of the call runs on it: one open of
/// the connection instead of one per query (the API holds it for each call; see docs/performance.md).
/// </summary>
public interface ICallConnection
{
    /// <summary>Opens the connection and keeps it open until the returned handle is disposed.</summary>
    Task<IAsyncDisposable> HoldOpenAsync(CancellationToken cancellationToken);
}
