using System.Net;

namespace Runtype.Application.Webhooks;

/// <summary>Name resolution for webhook URLs: at creation (to refuse private hosts) and at every connection.</summary>
public interface IHostAddresses
{
    /// <summary>The addresses <paramref name="host"/> resolves to; empty when it does not resolve.</summary>
    Task<IReadOnlyList<IPAddress>> ResolveAsync(string host, CancellationToken cancellationToken);
}
