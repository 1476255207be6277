namespace Runtype.Application.Common;

/// <summary>
/// The database connection of the current call, or of a piece of work outside one (a background service's round, a
/// stream's poll: Infrastructure's <c>DatabaseScope</c>). Held open, every read and write of the scope runs on it: one
/// open of the connection instead of one per query (the API holds it for each call; see docs/performance.md).
/// </summary>
public interface ICallConnection
{
    /// <summary>Opens the connection and keeps it open until the returned handle is disposed.</summary>
    Task<IAsyncDisposable> HoldOpenAsync(CancellationToken cancellationToken);
}
